"""Unit tests for utils.diffusion: the linear VP schedule, the exact Gaussian-mixture predictors and the
Runge-Kutta baselines for the probability-flow ODE."""

import math

import numpy as np
import pytest
import torch
from scipy.integrate import solve_ivp

from utils.diffusion import (
    RK_TABLEAUS,
    GaussianMixture,
    LinearVPSchedule,
    probability_flow_drift_lambda,
    probability_flow_drift_time,
    rk_lambda_step,
    rk_time_step,
)

VP = LinearVPSchedule()


def two_component_mixture() -> GaussianMixture:
    return GaussianMixture(
        weights=[0.3, 0.7],
        means=[[0.0, 1.0], [2.0, -1.0]],
        covs=[np.eye(2) * 0.1, [[0.2, 0.05], [0.05, 0.05]]],
    )


def test_schedule_matches_closed_form():
    t = np.linspace(0.0, 1.0, 11)
    log_alpha = -(20.0 - 0.1) * t**2 / 4 - 0.1 * t / 2
    assert np.allclose(VP.log_alpha(t), log_alpha)
    assert np.allclose(VP.alpha(t) ** 2 + VP.sigma(t) ** 2, 1.0)
    assert VP.sigma(0.0) == 0.0 and VP.alpha(0.0) == 1.0
    assert isinstance(VP.alpha(0.3), float)


def test_lambda_is_log_alpha_over_sigma_and_decreasing():
    t = np.linspace(1e-4, 1.0, 50)
    assert np.allclose(VP.lambda_t(t), np.log(VP.alpha(t) / VP.sigma(t)))
    assert np.all(np.diff(VP.lambda_t(t)) < 0)


@pytest.mark.parametrize("kind", ["numpy", "torch", "float"])
def test_t_of_lambda_inverts_lambda(kind):
    t = np.linspace(1e-5, 1.0, 101)
    if kind == "torch":
        t_in = torch.tensor(t)
        assert torch.allclose(VP.t_of_lambda(VP.lambda_t(t_in)), t_in, rtol=1e-10, atol=1e-14)
    elif kind == "float":
        for value in (1e-4, 0.37, 1.0):
            assert math.isclose(VP.t_of_lambda(VP.lambda_t(value)), value, rel_tol=1e-10)
    else:
        assert np.allclose(VP.t_of_lambda(VP.lambda_t(t)), t, rtol=1e-10, atol=1e-14)


def test_schedule_validates_arguments():
    with pytest.raises(ValueError, match="t must lie"):
        VP.alpha(1.5)
    with pytest.raises(ValueError, match="t must lie"):
        VP.lambda_t(0.0)
    with pytest.raises(ValueError, match="lam must be"):
        VP.t_of_lambda(-10.0)
    with pytest.raises(ValueError, match="NaN"):
        VP.sigma(float("nan"))
    with pytest.raises(ValueError, match="beta_0 < beta_1"):
        LinearVPSchedule(beta_0=5.0, beta_1=1.0)
    with pytest.raises(TypeError):
        VP.alpha("0.5")


@pytest.mark.parametrize("alpha", [0.9, 0.5, 0.05])
def test_mixture_eps_is_minus_sigma_times_autograd_score(alpha):
    mixture = two_component_mixture()
    sigma = math.sqrt(1 - alpha**2)
    x = torch.randn(64, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) * 2
    x.requires_grad_(True)
    (score,) = torch.autograd.grad(mixture.log_prob(x, alpha, sigma).sum(), x)
    assert torch.allclose(mixture.eps(x.detach(), alpha, sigma), -sigma * score, atol=1e-10)


def test_gaussian_eps_closed_form():
    mean, cov = np.array([1.0, -0.5]), np.array([[0.25, 0.1], [0.1, 0.09]])
    gaussian = GaussianMixture.gaussian(mean, cov)
    alpha, sigma = 0.6, 0.8
    x = torch.randn(10, 2, dtype=torch.float64)
    marginal_cov = torch.tensor(alpha**2 * cov + sigma**2 * np.eye(2))
    expected = sigma * torch.linalg.solve(marginal_cov, (x - alpha * torch.tensor(mean)).T).T
    assert torch.allclose(gaussian.eps(x, alpha, sigma), expected, atol=1e-12)


def test_log_prob_integrates_to_one():
    mixture = two_component_mixture()
    grid = torch.linspace(-4, 6, 401, dtype=torch.float64)
    xx, yy = torch.meshgrid(grid, grid, indexing="ij")
    points = torch.stack([xx.ravel(), yy.ravel()], dim=1)
    mass = mixture.log_prob(points, 0.8, 0.6).exp().sum() * (grid[1] - grid[0]) ** 2
    assert abs(mass.item() - 1.0) < 1e-4


def test_sample_moments():
    mixture = two_component_mixture()
    x = mixture.sample(200_000, generator=torch.Generator().manual_seed(1))
    expected_mean = (mixture.weights[:, None] * mixture.means).sum(0)
    assert torch.allclose(x.mean(0), expected_mean, atol=0.01)


def test_gaussian_flow_map_solves_the_probability_flow_ode():
    gaussian = GaussianMixture.gaussian([1.0, -0.5], [[0.25, 0.1], [0.1, 0.09]])
    x1 = torch.randn(5, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(2))

    def rhs(lam, y):  # dx/dlambda = sigma^2 x - sigma eps*(x)
        t = VP.t_of_lambda(lam)
        s = VP.sigma(t)
        x = torch.from_numpy(y.reshape(5, 2))
        return (s**2 * x - s * gaussian.eps(x, VP.alpha(t), s)).numpy().ravel()

    sol = solve_ivp(
        rhs, (VP.lambda_t(1.0), VP.lambda_t(1e-3)), x1.numpy().ravel(), method="DOP853", rtol=1e-11, atol=1e-11
    )
    exact = gaussian.flow_map(x1, VP.alpha(1.0), VP.sigma(1.0), VP.alpha(1e-3), VP.sigma(1e-3))
    assert np.allclose(sol.y[:, -1].reshape(5, 2), exact.numpy(), atol=1e-8)


def test_mixture_validates_arguments():
    with pytest.raises(ValueError, match="sum to 1"):
        GaussianMixture([0.5, 0.6], [[0, 0], [1, 1]], [np.eye(2)] * 2)
    with pytest.raises(ValueError, match="positive definite"):
        GaussianMixture([1.0], [[0, 0]], [-np.eye(2)])
    with pytest.raises(ValueError, match="shapes do not match"):
        GaussianMixture([1.0], [[0, 0]], [np.eye(3)])
    mixture = two_component_mixture()
    with pytest.raises(ValueError, match="shape"):
        mixture.eps(torch.zeros(3, 3), 0.5, 0.5)
    with pytest.raises(ValueError, match="sigma > 0"):
        mixture.eps(torch.zeros(3, 2), 1.0, 0.0)
    with pytest.raises(TypeError, match="torch tensor"):
        mixture.eps(np.zeros((3, 2)), 0.5, 0.5)
    with pytest.raises(ValueError, match="single Gaussian"):
        mixture.flow_map(torch.zeros(3, 2), 0.1, 0.9, 0.9, 0.1)


def test_beta_is_minus_twice_the_derivative_of_log_alpha():
    t = np.linspace(0.01, 0.99, 9)
    step = 1e-6
    numeric = -2 * (VP.log_alpha(t + step) - VP.log_alpha(t - step)) / (2 * step)
    assert np.allclose(VP.beta(t), numeric, rtol=1e-8)
    assert VP.beta(0.0) == 0.1 and isinstance(VP.beta(0.5), float)


GAUSSIAN = GaussianMixture.gaussian([1.0, -0.5], [[0.25, 0.1], [0.1, 0.09]])


def gaussian_eps(x, t):
    return GAUSSIAN.eps(x, VP.alpha(t), VP.sigma(t))


def test_drift_in_lambda_is_the_drift_in_t_times_dt_dlambda():
    x = torch.randn(4, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    for t in (0.9, 0.3, 0.01):
        dt_dlambda = -2 * VP.sigma(t) ** 2 / VP.beta(t)  # d lambda / dt = -beta / (2 sigma^2)
        by_time = probability_flow_drift_time(x, t, gaussian_eps, VP) * dt_dlambda
        assert torch.allclose(probability_flow_drift_lambda(x, t, gaussian_eps, VP), by_time, atol=1e-12)


def test_tableaus_are_consistent():
    for order, (nodes, coefficients, weights) in RK_TABLEAUS.items():
        assert len(nodes) == len(coefficients) == len(weights) == order
        assert math.isclose(sum(weights), 1.0)
        for c_i, a_i in zip(nodes, coefficients):
            assert math.isclose(sum(a_i), c_i, abs_tol=1e-15)  # row sums equal the nodes


def _solve(step, order, n_steps, x, t_end):
    if step is rk_lambda_step:  # steps uniform in the ODE's own variable
        ts = VP.t_of_lambda(np.linspace(VP.lambda_t(1.0), VP.lambda_t(t_end), n_steps + 1))
    else:
        ts = np.linspace(1.0, t_end, n_steps + 1)
    ts[0], ts[-1] = 1.0, t_end
    for s, t in zip(ts[:-1], ts[1:]):
        x = step(x, s, t, gaussian_eps, VP, order=order)
    return x


@pytest.mark.parametrize("step", [rk_lambda_step, rk_time_step])
@pytest.mark.parametrize("order", [1, 2, 3])
def test_runge_kutta_converges_at_its_order_to_the_exact_flow(step, order):
    # End at t = 0.05, where the ODE in t is still smooth, so that few steps reach the asymptotic regime.
    t_end = 0.05
    x1 = torch.randn(20, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    exact = GAUSSIAN.flow_map(x1, VP.alpha(1.0), VP.sigma(1.0), VP.alpha(t_end), VP.sigma(t_end))
    steps = [32, 64, 128]
    errors = [(_solve(step, order, n, x1, t_end) - exact).norm(dim=1).max().item() for n in steps]
    slopes = np.diff(np.log(errors)) / np.diff(np.log(steps))
    assert np.all(np.abs(slopes + order) < 0.2), (order, errors, slopes)


def test_runge_kutta_calls_the_predictor_order_times_at_the_tableau_nodes():
    seen = []

    def recording_eps(x, t):
        seen.append(float(t))
        return gaussian_eps(x, t)

    x = torch.zeros(3, 2, dtype=torch.float64)
    for order, (nodes, _, _) in RK_TABLEAUS.items():
        seen.clear()
        rk_lambda_step(x, 0.8, 0.4, recording_eps, VP, order=order)
        lam_s, h = VP.lambda_t(0.8), VP.lambda_t(0.4) - VP.lambda_t(0.8)
        assert np.allclose(seen, [VP.t_of_lambda(lam_s + c * h) for c in nodes], rtol=1e-12)
        seen.clear()
        rk_time_step(x, 0.8, 0.4, recording_eps, VP, order=order)
        assert np.allclose(seen, [0.8 - 0.4 * c for c in nodes], rtol=1e-12)


def test_runge_kutta_is_exact_when_the_drift_vanishes():
    # Data N(0, I): every marginal is N(0, I), eps*(x) = sigma x, and the probability flow is the identity.
    standard = GaussianMixture.gaussian([0.0, 0.0], np.eye(2))
    x = torch.randn(5, 2, dtype=torch.float64)

    def eps(y, t):
        return standard.eps(y, VP.alpha(t), VP.sigma(t))

    for order in (1, 2, 3):
        assert torch.allclose(rk_lambda_step(x, 1.0, 0.01, eps, VP, order=order), x, atol=1e-12)
        assert torch.allclose(rk_time_step(x, 1.0, 0.01, eps, VP, order=order), x, atol=1e-12)


def test_runge_kutta_validates_arguments():
    x = torch.zeros(2, 2, dtype=torch.float64)
    with pytest.raises(ValueError, match="order must be one of"):
        rk_lambda_step(x, 0.5, 0.2, gaussian_eps, VP, order=4)
    with pytest.raises(ValueError, match="must differ"):
        rk_time_step(x, 0.5, 0.5, gaussian_eps, VP)
    with pytest.raises(TypeError, match="torch tensor"):
        rk_lambda_step(np.zeros((2, 2)), 0.5, 0.2, gaussian_eps, VP)
    with pytest.raises(TypeError, match="eps_fn"):
        rk_lambda_step(x, 0.5, 0.2, None, VP)

    class NoBeta:
        sigma = staticmethod(VP.sigma)

    with pytest.raises(TypeError, match="sched.beta"):
        probability_flow_drift_time(x, 0.5, gaussian_eps, NoBeta())
