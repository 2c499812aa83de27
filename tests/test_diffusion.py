"""Unit tests for utils.diffusion: the linear VP schedule and the exact Gaussian-mixture predictors."""

import math

import numpy as np
import pytest
import torch
from scipy.integrate import solve_ivp

from utils.diffusion import GaussianMixture, LinearVPSchedule

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
