"""Tests of utils.flow_matching against independent references: conditioning, autograd, quadrature, simulation."""

import math

import numpy as np
import pytest
import torch
from scipy.integrate import quad

from utils.flow_matching import (
    biased_tilted_mean,
    drift_slope,
    endpoint_correlation,
    endpoint_sensitivities,
    endpoint_sensitivity,
    eta,
    gaussian_kl,
    gaussian_score,
    gaussian_velocity,
    gaussian_velocity_slope,
    memoryless_sigma,
    path_variance,
    tilt_quadratic,
)

MEAN, STD = 0.5, 0.5


def velocity_by_conditioning(x, t, m, s):
    """E[X_1 - X_0 | X_t = x] from the joint Gaussian of (X_0, X_1, X_t), X_0 independent of X_1."""
    var = (1 - t) ** 2 + t**2 * s**2
    e_x1 = m + t * s**2 / var * (x - t * m)
    e_x0 = (1 - t) / var * (x - t * m)
    return e_x1 - e_x0


@pytest.mark.parametrize("t", [0.0, 0.01, 0.3, 0.7, 1.0])
def test_velocity_is_the_conditional_expectation(t):
    x = np.linspace(-3, 3, 13)
    assert np.allclose(gaussian_velocity(x, t, MEAN, STD), velocity_by_conditioning(x, t, MEAN, STD), atol=1e-12)


def test_velocity_works_on_tensors_and_slope_matches_autograd():
    x = torch.linspace(-2, 2, 9, dtype=torch.float64, requires_grad=True)
    for t in (0.05, 0.5, 0.95):
        v = gaussian_velocity(x, t, MEAN, STD)
        (grad,) = torch.autograd.grad(v.sum(), x)
        assert torch.allclose(grad, torch.full_like(grad, gaussian_velocity_slope(t, STD)), atol=1e-12)


def test_velocity_solves_the_continuity_equation():
    """d p_t / dt + d (p_t v) / dx = 0 for p_t = N(t m, V_t), by central differences."""
    x = np.linspace(-2, 3, 11)
    h = 1e-5

    def density(x, t):
        var = path_variance(t, STD)
        return np.exp(-((x - t * MEAN) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var)

    for t in (0.2, 0.5, 0.8):
        dp_dt = (density(x, t + h) - density(x, t - h)) / (2 * h)
        flux_right = density(x + h, t) * gaussian_velocity(x + h, t, MEAN, STD)
        flux_left = density(x - h, t) * gaussian_velocity(x - h, t, MEAN, STD)
        dflux_dx = (flux_right - flux_left) / (2 * h)
        assert np.allclose(dp_dt + dflux_dx, 0.0, atol=1e-6)


def test_score_matches_autograd_and_the_velocity_identity():
    x = torch.linspace(-2, 2, 9, dtype=torch.float64, requires_grad=True)
    for t in (0.1, 0.5, 0.9):
        var = path_variance(t, STD)
        log_p = -((x - t * MEAN) ** 2) / (2 * var)
        (grad,) = torch.autograd.grad(log_p.sum(), x)
        score = gaussian_score(x, t, MEAN, STD)
        assert torch.allclose(score, grad, atol=1e-12)
        # v = x / t + eta_t * score (the paper's relation between velocity and score)
        v = gaussian_velocity(x, t, MEAN, STD)
        assert torch.allclose(v, x / t + eta(t) * score, atol=1e-12)


def test_memoryless_schedule():
    t = np.array([0.01, 0.25, 0.5, 1.0])
    assert np.allclose(eta(t), (1 - t) / t)
    assert np.allclose(memoryless_sigma(t), np.sqrt(2 * (1 - t) / t))
    assert torch.allclose(memoryless_sigma(torch.tensor([0.5])), torch.tensor([math.sqrt(2.0)]))


def test_memoryless_correlation_has_its_closed_form():
    for t0 in (0.001, 0.01, 0.1, 0.5):
        closed = t0 * STD / math.sqrt(path_variance(t0, STD))
        assert endpoint_correlation(t0, STD, "memoryless") == pytest.approx(closed, rel=1e-6)
        assert endpoint_correlation(t0, STD, lambda t: math.sqrt(2 * (1 - t) / t)) == pytest.approx(closed, rel=1e-6)


def test_zero_noise_correlation_is_one():
    """With sigma = 0 the flow is a deterministic increasing map, so X_t0 and X_1 are perfectly correlated."""
    assert endpoint_correlation(0.01, STD, 0.0) == pytest.approx(1.0, abs=1e-9)


def test_constant_sigma_correlation_matches_simulation():
    """Euler-Maruyama on the base SDE: the sample correlation of X_t0 and X_1, and X_1's law."""
    rng = np.random.default_rng(0)
    sigma, t0, n, steps = 0.5, 0.05, 50_000, 400
    ts = np.linspace(t0, 1.0, steps + 1)
    x = MEAN * t0 + math.sqrt(path_variance(t0, STD)) * rng.standard_normal(n)
    start = x.copy()
    for t, t_next in zip(ts[:-1], ts[1:]):
        h = t_next - t
        drift = gaussian_velocity(x, t, MEAN, STD) + sigma**2 / 2 * gaussian_score(x, t, MEAN, STD)
        x = x + h * drift + sigma * math.sqrt(h) * rng.standard_normal(n)
    assert np.corrcoef(start, x)[0, 1] == pytest.approx(endpoint_correlation(t0, STD, sigma), abs=0.01)
    assert x.mean() == pytest.approx(MEAN, abs=0.01)
    assert x.std() == pytest.approx(STD, abs=0.01)


def test_sensitivity_is_the_exponential_of_the_integrated_slope():
    integral = quad(lambda t: gaussian_velocity_slope(t, STD) - 0.09 / (2 * path_variance(t, STD)), 0.2, 1.0)[0]
    assert endpoint_sensitivity(0.2, STD, 0.3) == pytest.approx(math.exp(integral), rel=1e-8)
    assert drift_slope(0.2, STD, 0.3) == pytest.approx(gaussian_velocity_slope(0.2, STD) - 0.09 / (2 * path_variance(0.2, STD)))


def test_sensitivities_on_a_grid_match_the_scalar_version():
    times = np.linspace(0.01, 0.999, 30)
    for sigma in ("memoryless", 0.3, 2.0):
        grid = endpoint_sensitivities(times, STD, sigma, end=0.999)
        scalar = [endpoint_sensitivity(t, STD, sigma) / endpoint_sensitivity(0.999, STD, sigma) for t in times]
        assert np.allclose(grid, scalar, rtol=1e-8)
    closed = times * STD**2 / path_variance(times, STD)  # memoryless, to t = 1
    assert np.allclose(endpoint_sensitivities(times, STD, "memoryless"), closed, rtol=1e-8)


def test_biased_mean():
    assert biased_tilted_mean(MEAN, STD, 1.0, 0.0) == pytest.approx(0.75)
    assert biased_tilted_mean(MEAN, STD, 1.0, 1.0) == pytest.approx(MEAN)
    assert biased_tilted_mean(MEAN, STD, 2.0, 0.5) == pytest.approx(MEAN + 2 * 0.25 * 0.75)


def test_tilt_quadratic_matches_quadrature():
    mean, std, center, width, lam = 0.5, 0.5, 1.5, 0.5, 1.7
    density = lambda x: math.exp(-((x - mean) ** 2) / (2 * std**2) - lam * (x - center) ** 2 / (2 * width**2))  # noqa: E731
    z = quad(density, -10, 10)[0]
    m = quad(lambda x: x * density(x), -10, 10)[0] / z
    v = quad(lambda x: (x - m) ** 2 * density(x), -10, 10)[0] / z
    got_m, got_s = tilt_quadratic(mean, std, center, width, lam)
    assert got_m == pytest.approx(m, rel=1e-8)
    assert got_s == pytest.approx(math.sqrt(v), rel=1e-8)
    assert tilt_quadratic(mean, std, center, width, 0.0) == pytest.approx((mean, std))


def test_gaussian_kl_matches_quadrature():
    p = lambda x: math.exp(-((x - 1.0) ** 2) / (2 * 0.3**2)) / math.sqrt(2 * math.pi * 0.3**2)  # noqa: E731
    q = lambda x: math.exp(-((x - 0.5) ** 2) / (2 * 0.5**2)) / math.sqrt(2 * math.pi * 0.5**2)  # noqa: E731
    kl = quad(lambda x: p(x) * math.log(p(x) / q(x)), -5, 7)[0]
    assert gaussian_kl(1.0, 0.3, 0.5, 0.5) == pytest.approx(kl, rel=1e-7)
    assert gaussian_kl(0.5, 0.5, 0.5, 0.5) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: path_variance(0.5, -1.0), ValueError, "positive"),
        (lambda: path_variance(1.5, 0.5), ValueError, r"\[0.0, 1\]"),
        (lambda: eta(0.0), ValueError, r"\(0.0, 1\]"),
        (lambda: endpoint_correlation(0.1, 0.5, "constant"), ValueError, "memoryless"),
        (lambda: endpoint_correlation(0.1, 0.5, -0.3), ValueError, "non-negative"),
        (lambda: endpoint_correlation(0.1, 0.5, [0.3]), TypeError, "function of t"),
        (lambda: endpoint_sensitivity(np.array([0.1, 0.2]), 0.5, 0.3), TypeError, "one time"),
        (lambda: biased_tilted_mean(0.5, 0.5, 1.0, 1.5), ValueError, "correlation"),
        (lambda: endpoint_sensitivities([0.5, 0.2], 0.5, 0.3), ValueError, "increasing"),
        (lambda: endpoint_sensitivities([0.2, 0.5], 0.5, 0.3, end=0.4), ValueError, "end must lie"),
        (lambda: path_variance(float("nan"), 0.5), ValueError, "finite"),
        (lambda: tilt_quadratic(0.5, 0.5, 1.0, 0.5, -1.0), ValueError, "non-negative"),
        (lambda: gaussian_kl(0.0, 0.0, 0.0, 1.0), ValueError, "positive"),
        (lambda: path_variance(0.5, True), TypeError, "positive number"),
    ],
)
def test_arguments_are_validated(call, error, words):
    with pytest.raises(error, match=words):
        call()
