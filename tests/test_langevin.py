"""Unit tests for utils.langevin against closed forms for Gaussians."""

import math

import numpy as np
import pytest

from utils.langevin import boltzmann_expectation, stationary_density_1d


def test_boltzmann_expectation_gaussian_moments():
    tau, k = 0.3, 2.0  # V = k x^2 / 2: X ~ N(0, tau / k)
    var = tau / k
    second = boltzmann_expectation(lambda x: k * x**2 / 2, lambda x: x**2, tau, -10, 10)
    fourth = boltzmann_expectation(lambda x: k * x**2 / 2, lambda x: x**4, tau, -10, 10)
    assert second == pytest.approx(var, rel=1e-9)
    assert fourth == pytest.approx(3 * var**2, rel=1e-9)


def test_boltzmann_expectation_shifted_mean_and_points():
    mean = boltzmann_expectation(
        lambda x: (x - 1.5) ** 2 / 2, lambda x: x, 0.1, -5, 8, points=[1.5]
    )
    assert mean == pytest.approx(1.5, rel=1e-9)


@pytest.mark.parametrize("sigma, h", [(1.0, 0.1), (1.0, 1.2), (0.5, 0.3)])
def test_stationary_density_of_ula_on_a_gaussian(sigma, h):
    # ULA on N(0, sigma^2): x' = (1 - h / sigma^2) x + sqrt(2h) xi,
    # whose stationary variance is sigma^2 / (1 - h / (2 sigma^2)).
    grid = np.linspace(-12 * sigma, 12 * sigma, 801)
    rho = stationary_density_1d(grid, (1 - h / sigma**2) * grid, np.full(grid.size, 2 * h))
    expected = sigma**2 / (1 - h / (2 * sigma**2))
    assert rho.sum() == pytest.approx(1.0)
    assert rho @ grid == pytest.approx(0.0, abs=1e-9)
    assert rho @ grid**2 == pytest.approx(expected, rel=1e-6)


def test_stationary_density_state_dependent_variance():
    # x' ~ N(a x, s(x)^2) has no closed form, but the law must be invariant: check one more step.
    grid = np.linspace(-8, 8, 601)
    var = 0.2 + 0.1 * np.tanh(grid) ** 2
    rho = stationary_density_1d(grid, 0.7 * grid, var)
    kernel = np.exp(-((grid[None, :] - 0.7 * grid[:, None]) ** 2) / (2 * var[:, None]))
    kernel /= kernel.sum(axis=1, keepdims=True)
    assert np.max(np.abs(rho @ kernel - rho)) < 1e-12
    assert math.isclose(rho.sum(), 1.0)


def test_validation_messages():
    grid = np.linspace(-1, 1, 11)
    with pytest.raises(ValueError, match="grid's shape"):
        stationary_density_1d(grid, grid[:-1], np.ones(11))
    with pytest.raises(ValueError, match="positive"):
        stationary_density_1d(grid, grid, np.zeros(11))
    with pytest.raises(ValueError, match="equally spaced"):
        stationary_density_1d(grid**3, grid, np.ones(11))
    with pytest.raises(ValueError, match="temperature"):
        boltzmann_expectation(lambda x: x**2, lambda x: x, 0.0, -1, 1)
    with pytest.raises(ValueError, match="empty"):
        boltzmann_expectation(lambda x: x**2, lambda x: x, 1.0, 1, -1)
