"""Tests for utils.operator_data: random fields, the Burgers and Darcy solvers, argument checks."""

import numpy as np
import pytest

from utils.operator_data import (
    relative_l2,
    sample_darcy_coefficient,
    sample_grf_1d,
    solve_burgers,
    solve_darcy_1d,
    solve_darcy_2d,
)


def test_grf_1d_spectrum_matches_covariance():
    rng = np.random.default_rng(0)
    u = sample_grf_1d(4000, 64, rng)
    assert u.shape == (4000, 64)
    coeff = np.fft.rfft(u, axis=-1) / 64
    # E|c_k|^2 = lambda_k for the coefficient of e^{2 pi i k x}, with lambda_k = 625 ((2 pi k)^2 + 25)^(-2)
    k = np.arange(1, 6)
    expected = 625 * ((2 * np.pi * k) ** 2 + 25) ** -2
    measured = np.mean(np.abs(coeff[:, 1:6]) ** 2, axis=0)
    np.testing.assert_allclose(measured, expected, rtol=0.1)


def test_grf_1d_zero_mean_option():
    u = sample_grf_1d(5, 32, np.random.default_rng(4), zero_mean=True)
    np.testing.assert_allclose(u.mean(axis=1), 0.0, atol=1e-14)


def test_burgers_conserves_mass_and_dissipates_energy():
    u0 = sample_grf_1d(8, 256, np.random.default_rng(1))
    u1 = solve_burgers(u0, n_steps=50)
    np.testing.assert_allclose(u1.mean(axis=-1), u0.mean(axis=-1), atol=1e-12)
    assert np.all(np.sum(u1**2, axis=-1) < np.sum(u0**2, axis=-1))


def test_burgers_converges_in_time_at_fourth_order():
    u0 = sample_grf_1d(4, 128, np.random.default_rng(2))
    reference = solve_burgers(u0, n_steps=800)
    errors = [relative_l2(solve_burgers(u0, n_steps=n), reference).max() for n in (100, 200)]
    assert errors[0] < 1e-4
    assert np.log2(errors[0] / errors[1]) > 2.5  # RK4 tends to 4; the first steps are still pre-asymptotic


def test_burgers_heat_limit_matches_exact_decay():
    # A tiny single mode barely feels the nonlinearity: it decays like exp(-nu (2 pi)^2 t).
    x = np.arange(64) / 64
    u0 = 1e-6 * np.sin(2 * np.pi * x)
    u1 = solve_burgers(u0, viscosity=0.05, final_time=0.5, n_steps=20)
    np.testing.assert_allclose(u1, u0 * np.exp(-0.05 * (2 * np.pi) ** 2 * 0.5), rtol=1e-5, atol=1e-14)


def _manufactured_2d(s):
    x = np.linspace(0, 1, s)
    X, Y = np.meshgrid(x, x, indexing="ij")
    a = 1 + X**2 + Y
    u = np.sin(np.pi * X) * np.sin(np.pi * Y)
    f = 2 * np.pi**2 * a * u - 2 * np.pi * X * np.cos(np.pi * X) * np.sin(np.pi * Y) - np.pi * np.sin(np.pi * X) * np.cos(np.pi * Y)
    return a, u, f


def test_darcy_2d_second_order_convergence():
    errors = []
    for s in (17, 33, 65):
        a, u, f = _manufactured_2d(s)
        errors.append(np.abs(solve_darcy_2d(a, f) - u).max())
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(orders > 1.8), orders


def test_darcy_1d_second_order_convergence():
    errors = []
    for s in (33, 65, 129):
        x = np.linspace(0, 1, s)
        a = 1 + x
        f = -(np.pi * np.cos(np.pi * x) - (1 + x) * np.pi**2 * np.sin(np.pi * x))
        errors.append(np.abs(solve_darcy_1d(a, f) - np.sin(np.pi * x)).max())
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(orders > 1.8), orders


def test_darcy_coefficient_two_phases_and_batched_solve():
    a = sample_darcy_coefficient(3, 16, np.random.default_rng(3))
    assert a.shape == (3, 16, 16)
    assert set(np.unique(a)) <= {3.0, 12.0}
    u = solve_darcy_2d(a)
    assert u.shape == a.shape
    assert np.all(u[:, 0, :] == 0) and np.all(u[:, :, -1] == 0)
    assert np.all(u[:, 1:-1, 1:-1] > 0)  # maximum principle for f = 1 > 0


def test_relative_l2():
    target = np.array([[3.0, 4.0], [1.0, 0.0]])
    np.testing.assert_allclose(relative_l2(target * 1.1, target), [0.1, 0.1])


@pytest.mark.parametrize(
    "call",
    [
        lambda: sample_grf_1d(0, 64, np.random.default_rng(0)),
        lambda: sample_grf_1d(2, 63, np.random.default_rng(0)),
        lambda: sample_grf_1d(2, 64, 0),
        lambda: sample_grf_1d(2, 64, np.random.default_rng(0), zero_mean=1),
        lambda: solve_burgers(np.zeros((2, 2, 8))),
        lambda: solve_burgers(np.zeros(8), viscosity=-1.0),
        lambda: solve_burgers(np.full(8, np.nan)),
        lambda: solve_darcy_2d(np.ones((4, 5))),
        lambda: solve_darcy_2d(-np.ones((4, 4))),
        lambda: solve_darcy_1d(np.ones(2)),
        lambda: sample_darcy_coefficient(2, 2, np.random.default_rng(0)),
        lambda: relative_l2(np.ones((2, 3)), np.ones((2, 4))),
    ],
)
def test_bad_arguments_raise(call):
    with pytest.raises((ValueError, TypeError)):
        call()
