"""Unit tests for utils/dynamics.py: the Lotka-Volterra field, its trajectories and the monomial library."""

import numpy as np
import pytest

from utils.dynamics import (
    fit_monomials,
    lotka_volterra_field,
    lotka_volterra_trajectories,
    monomial_exponents,
    monomial_features,
    monomial_names,
)


def test_field_vanishes_at_the_coexistence_equilibrium():
    alpha, beta, gamma, delta = 1.5, 1.0, 3.0, 1.0
    assert np.allclose(lotka_volterra_field([gamma / delta, alpha / beta]), 0.0)
    assert np.allclose(lotka_volterra_field([2.0, 1.0]), [1.0, -1.0])


def test_trajectories_conserve_the_first_integral():
    z, dz = lotka_volterra_trajectories(3, 50, np.random.default_rng(0))
    assert z.shape == dz.shape == (150, 2)
    np.testing.assert_allclose(dz, lotka_volterra_field(z))
    # V = d x - g log x + b y - a log y is constant along each orbit
    v = z[:, 0] - 3.0 * np.log(z[:, 0]) + z[:, 1] - 1.5 * np.log(z[:, 1])
    assert np.ptp(v.reshape(3, 50), axis=1).max() < 1e-8


def test_monomials_count_order_and_names():
    assert len(monomial_exponents(2, 2)) == 6
    assert len(monomial_exponents(3, 4)) == 35  # binomial(3 + 4, 4)
    assert monomial_names(["x", "y"], 2) == ["1", "x", "y", "x^2", "x y", "y^2"]
    z = np.array([[2.0, 3.0]])
    np.testing.assert_allclose(monomial_features(z, 2), [[1, 2, 3, 4, 6, 9]])


def test_least_squares_recovers_the_lotka_volterra_coefficients():
    z = np.random.default_rng(1).uniform(0, 4, size=(40, 2))
    coef = fit_monomials(z, lotka_volterra_field(z), 2)
    expected = np.zeros((6, 2))
    expected[1, 0], expected[4, 0], expected[2, 1], expected[4, 1] = 1.5, -1.0, -3.0, 1.0
    np.testing.assert_allclose(coef, expected, atol=1e-10)


def test_arguments_are_validated_with_advice():
    with pytest.raises(ValueError, match="alpha, beta"):
        lotka_volterra_field([1.0, 1.0], params=(1, 2, 3))
    with pytest.raises(ValueError, match="shape"):
        lotka_volterra_field(np.ones(3))
    with pytest.raises(TypeError, match="default_rng"):
        lotka_volterra_trajectories(2, 10, rng=0)
    with pytest.raises(ValueError, match="start_box"):
        lotka_volterra_trajectories(2, 10, np.random.default_rng(0), start_box=(3.0, 1.0))
    with pytest.raises(ValueError, match="degree"):
        monomial_exponents(2, -1)
    with pytest.raises(ValueError, match="matching"):
        fit_monomials(np.ones((4, 2)), np.ones(3), 1)
