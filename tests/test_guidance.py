"""Unit tests for utils.guidance: the exact class-conditional mixture used for guided sampling."""

import math

import numpy as np
import pytest
import torch

from utils.diffusion import GaussianMixture
from utils.guidance import ClassMixture, digit_images, digit_mixture


def small_mixture(tau=0.3) -> ClassMixture:
    means = torch.tensor([[0.0, 1.0], [2.0, -1.0], [-1.5, -0.5], [1.0, 2.0]])
    return ClassMixture(means, torch.tensor([0, 0, 1, 1]), tau)


def reference(mix: ClassMixture, labels=None) -> GaussianMixture:
    """The same mixture (or one class of it) as a full-covariance GaussianMixture."""
    keep = torch.ones(len(mix.labels), dtype=torch.bool) if labels is None else mix.labels == labels
    k = int(keep.sum())
    covs = np.tile(mix.tau**2 * np.eye(mix.dim), (k, 1, 1))
    return GaussianMixture(np.full(k, 1 / k), mix.means[keep].numpy(), covs)


@pytest.mark.parametrize("labels", [None, 0, 1])
@pytest.mark.parametrize("alpha, sigma", [(0.99, 0.14), (0.6, 0.8), (0.05, 0.9987)])
def test_eps_matches_the_full_covariance_mixture(labels, alpha, sigma):
    mix = small_mixture()
    x = torch.randn(50, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1)) * 2
    want = reference(mix, labels).eps(x, alpha, sigma)
    assert torch.allclose(mix.eps(x, alpha, sigma, labels), want, atol=1e-10)


def test_x0_and_eps_reconstruct_the_noisy_point():
    mix = small_mixture()
    x = torch.randn(20, 2, dtype=torch.float64)
    alpha, sigma = 0.7, math.sqrt(1 - 0.49)
    recon = alpha * mix.x0(x, alpha, sigma) + sigma * mix.eps(x, alpha, sigma)
    assert torch.allclose(recon, x, atol=1e-12)


def test_x0_is_the_posterior_mean_by_monte_carlo():
    mix = small_mixture(tau=0.5)
    gen = torch.Generator().manual_seed(0)
    alpha, sigma = 0.8, 0.6
    x0 = mix.sample(torch.zeros(200_000, dtype=torch.long), generator=gen)
    xt = alpha * x0 + sigma * torch.randn(x0.shape, dtype=torch.float64, generator=gen)
    near = (xt - torch.tensor([0.5, 0.8])).norm(dim=1) < 0.07  # condition on x_t close to a point
    empirical = x0[near].mean(0)
    exact = mix.x0(torch.tensor([[0.5, 0.8]], dtype=torch.float64), alpha, sigma, labels=0)[0]
    assert torch.allclose(empirical, exact, atol=0.03), (empirical, exact)


def test_per_row_labels_match_single_labels():
    mix = small_mixture()
    x = torch.randn(6, 2, dtype=torch.float64)
    labels = torch.tensor([0, 1, 0, 1, 1, 0])
    both = mix.x0(x, 0.5, 0.8, labels)
    for c in (0, 1):
        rows = labels == c
        assert torch.allclose(both[rows], mix.x0(x[rows], 0.5, 0.8, c))


def test_small_noise_prediction_approaches_the_nearest_component():
    mix = small_mixture(tau=1e-3)
    x = mix.means[2:3] + 1e-4
    assert torch.allclose(mix.x0(x, 1.0, 1e-6), mix.means[2:3], atol=1e-3)


def test_sample_draws_from_the_requested_class():
    mix = small_mixture(tau=1e-6)
    out = mix.sample(torch.tensor([1] * 50), generator=torch.Generator().manual_seed(0))
    dist = torch.cdist(out, mix.means)
    assert (mix.labels[dist.argmin(1)] == 1).all()
    assert out.dtype == torch.float64 and out.shape == (50, 2)


def test_digit_mixture_shapes_and_range():
    pixels, labels = digit_images()
    assert pixels.shape == (1797, 64) and labels.shape == (1797,)
    assert pixels.min() == -1.0 and pixels.max() == 1.0
    mix = digit_mixture(per_class=5, tau=0.2)
    assert mix.means.shape == (50, 64) and mix.tau == 0.2
    assert torch.equal(torch.bincount(mix.labels), torch.full((10,), 5))


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (
            {"means": torch.zeros(3), "labels": torch.zeros(3, dtype=torch.long), "tau": 0.1},
            ValueError,
        ),
        (
            {"means": torch.zeros(3, 2), "labels": torch.zeros(2, dtype=torch.long), "tau": 0.1},
            ValueError,
        ),
        ({"means": torch.zeros(3, 2), "labels": torch.zeros(3), "tau": 0.1}, ValueError),
        (
            {"means": torch.zeros(3, 2), "labels": torch.zeros(3, dtype=torch.long), "tau": 0.0},
            ValueError,
        ),
        (
            {"means": torch.zeros(3, 2), "labels": torch.zeros(3, dtype=torch.long), "tau": "0.1"},
            TypeError,
        ),
        (
            {
                "means": torch.full((3, 2), math.nan),
                "labels": torch.zeros(3, dtype=torch.long),
                "tau": 0.1,
            },
            ValueError,
        ),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        ClassMixture(**kwargs)


def test_calls_reject_bad_arguments():
    mix = small_mixture()
    x = torch.zeros(4, 2, dtype=torch.float64)
    with pytest.raises(ValueError, match="shape"):
        mix.x0(torch.zeros(4, 3), 0.5, 0.5)
    with pytest.raises(TypeError):
        mix.x0(np.zeros((4, 2)), 0.5, 0.5)
    with pytest.raises(ValueError, match="not classes"):
        mix.x0(x, 0.5, 0.5, labels=7)
    with pytest.raises(ValueError, match="one per row"):
        mix.x0(x, 0.5, 0.5, labels=torch.tensor([0, 1]))
    with pytest.raises(TypeError, match="integers"):
        mix.x0(x, 0.5, 0.5, labels=torch.tensor([0.0, 1.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match="sigma > 0"):
        mix.eps(x, 1.0, 0.0)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        mix.x0(x, 0.0, 1.0)
    with pytest.raises(ValueError, match=">= 0"):
        mix.x0(x, 0.5, -0.1)
    with pytest.raises(ValueError, match="per_class"):
        digit_mixture(per_class=0)


def test_x0_pair_equals_two_calls():
    mix = small_mixture()
    x = torch.randn(8, 2, dtype=torch.float64)
    labels = torch.tensor([0, 1] * 4)
    uncond, cond = mix.x0_pair(x, 0.6, 0.8, labels)
    assert torch.allclose(uncond, mix.x0(x, 0.6, 0.8))
    assert torch.allclose(cond, mix.x0(x, 0.6, 0.8, labels))
    with pytest.raises(ValueError, match="needs labels"):
        mix.x0_pair(x, 0.6, 0.8, None)
