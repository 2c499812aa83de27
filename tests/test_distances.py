"""Unit tests for utils.distances, against POT, scipy, autograd and closed forms on Gaussians."""

import math

import numpy as np
import pytest
import scipy.special
import scipy.stats
import torch

from utils.distances import (
    as_samples,
    kde_log_density,
    kl_kde,
    ksd,
    ksd2,
    median_bandwidth,
    mmd,
    mmd2,
    sinkhorn,
    stein_kernel_matrix,
    wasserstein,
)


def gaussian_samples(n, mean, seed):
    rng = np.random.default_rng(seed)
    mean = np.asarray(mean, dtype=float)
    return mean + rng.standard_normal((n, mean.size))


def gaussian_expected_kernel(delta, bandwidth, d):
    """E exp(-|a - b|^2 / (2 l^2)) for a ~ N(m1, I), b ~ N(m2, I) with |m1 - m2| = delta."""
    l2 = bandwidth**2
    return (l2 / (l2 + 2.0)) ** (d / 2) * math.exp(-(delta**2) / (2.0 * (l2 + 2.0)))


# ---------------------------------------------------------------- input handling


def test_as_samples_accepts_numpy_and_torch_and_says_what_to_do():
    x = np.arange(6.0).reshape(3, 2)
    assert np.array_equal(as_samples(torch.tensor(x)), x)
    with pytest.raises(ValueError, match=r"x\[:, None\]"):
        as_samples(np.arange(5.0))
    with pytest.raises(ValueError, match="NaN or inf"):
        as_samples(np.array([[0.0], [np.nan]]))
    with pytest.raises(ValueError, match="at least 2 samples"):
        as_samples(np.zeros((1, 2)))
    with pytest.raises(TypeError, match="array"):
        as_samples("samples")


def test_median_bandwidth():
    assert median_bandwidth(np.array([[0.0, 0.0], [3.0, 4.0]])) == pytest.approx(5.0)
    x = gaussian_samples(300, [0.0, 0.0], 0)
    assert median_bandwidth(x, x + 100.0) > 50.0  # pooled: half the pairs straddle the gap
    with pytest.raises(ValueError, match="pass a bandwidth"):
        median_bandwidth(np.zeros((4, 2)))


# ---------------------------------------------------------------- MMD


def test_mmd2_matches_brute_force_sums():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((7, 3)), rng.standard_normal((5, 3)) + 0.5
    k = lambda a, b: math.exp(-np.sum((a - b) ** 2) / (2 * 1.3**2))  # noqa: E731
    kxx = sum(k(a, b) for i, a in enumerate(x) for j, b in enumerate(x) if i != j) / (7 * 6)
    kyy = sum(k(a, b) for i, a in enumerate(y) for j, b in enumerate(y) if i != j) / (5 * 4)
    kxy = sum(k(a, b) for a in x for b in y) / 35
    assert mmd2(x, y, 1.3) == pytest.approx(kxx + kyy - 2 * kxy, rel=1e-12)
    vxx = sum(k(a, b) for a in x for b in x) / 49
    vyy = sum(k(a, b) for a in y for b in y) / 25
    assert mmd2(x, y, 1.3, unbiased=False) == pytest.approx(vxx + vyy - 2 * kxy, rel=1e-12)


@pytest.mark.parametrize("d, shift, bandwidth", [(1, 1.0, 1.0), (2, 2.0, 1.5), (3, 0.5, 2.0)])
def test_mmd2_of_shifted_gaussians_matches_closed_form(d, shift, bandwidth):
    # The U-statistic is unbiased: its mean over 30 independent replications lies within four
    # standard errors of the exact value.
    mean = np.zeros(d)
    mean[0] = shift
    exact = 2 * (
        gaussian_expected_kernel(0.0, bandwidth, d) - gaussian_expected_kernel(shift, bandwidth, d)
    )
    values = [
        mmd2(gaussian_samples(400, np.zeros(d), s), gaussian_samples(400, mean, 100 + s), bandwidth)
        for s in range(30)
    ]
    assert abs(np.mean(values) - exact) < 4 * np.std(values) / math.sqrt(30)
    assert abs(np.mean(values) - exact) < 0.1 * exact


def test_mmd_of_identical_distributions_is_near_zero_and_smaller_than_shifted():
    x, y = gaussian_samples(1500, [0.0, 0.0], 4), gaussian_samples(1500, [0.0, 0.0], 5)
    assert abs(mmd2(x, y, 1.0)) < 2e-3
    assert mmd(x, y, 1.0) < 0.05 < mmd(x, y + [0.5, 0.0], 1.0)
    assert mmd(x, x, 1.0, unbiased=False) == 0.0


def test_mmd_validates_arguments():
    x = np.zeros((3, 2))
    with pytest.raises(ValueError, match="same dimension"):
        mmd(x, np.zeros((3, 3)), 1.0)
    with pytest.raises(ValueError, match="positive finite"):
        mmd(x, x, 0.0)
    with pytest.raises(TypeError, match="positive number"):
        mmd(x, x, None)


# ---------------------------------------------------------------- optimal transport


def test_wasserstein_1d_matches_scipy_and_sorted_samples():
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal(300), 2.0 * rng.standard_normal(300) + 1.0
    assert wasserstein(x[:, None], y[:, None], p=1) == pytest.approx(
        scipy.stats.wasserstein_distance(x, y), rel=1e-9
    )
    w2_sorted = math.sqrt(np.mean((np.sort(x) - np.sort(y)) ** 2))
    assert wasserstein(x[:, None], y[:, None], p=2) == pytest.approx(w2_sorted, rel=1e-9)


def test_wasserstein_of_a_translation_is_its_length():
    x = gaussian_samples(200, [0.0, 0.0], 7)
    assert wasserstein(x, x + np.array([3.0, 4.0])) == pytest.approx(5.0, rel=1e-9)
    assert wasserstein(torch.tensor(x), torch.tensor(x)) == pytest.approx(0.0, abs=1e-6)


def test_sinkhorn_approaches_exact_ot_from_above():
    x, y = gaussian_samples(200, [0.0, 0.0], 8), gaussian_samples(250, [2.0, 0.0], 9)
    exact = wasserstein(x, y)
    values = [sinkhorn(x, y, reg) for reg in (1.0, 0.1, 0.01)]
    assert all(v >= exact * (1 - 1e-6) for v in values)
    assert values[0] > values[1] > values[2]
    assert values[2] == pytest.approx(exact, rel=1e-2)


def test_ot_validates_arguments():
    x = np.zeros((3, 2))
    with pytest.raises(ValueError, match="p must be >= 1"):
        wasserstein(x, x, p=0.5)
    with pytest.raises(ValueError, match="positive finite"):
        sinkhorn(x, x, reg=-1.0)
    with pytest.raises(ValueError, match="max_iter"):
        sinkhorn(x, x, reg=1.0, max_iter=0)


# ---------------------------------------------------------------- KL via kernel density estimates


def test_kl_kde_between_two_gaussians_matches_closed_form():
    # KL(N(0, 1) || N(1, 1)) = 1/2.
    # Each estimate has a sampling error of about 0.03 at n = 1000; the mean of five about 0.015.
    log_q = lambda z: scipy.stats.norm(1.0, 1.0).logpdf(z[:, 0])  # noqa: E731
    from_samples, from_density, same = [], [], []
    for s in range(5):
        x = gaussian_samples(1000, [0.0], 10 + s)
        from_samples.append(kl_kde(x, gaussian_samples(1000, [1.0], 20 + s)))
        from_density.append(kl_kde(x, log_prob=log_q))
        same.append(kl_kde(x, gaussian_samples(1000, [0.0], 30 + s)))
    assert np.mean(from_samples) == pytest.approx(0.5, abs=0.05)
    assert np.mean(from_density) == pytest.approx(0.5, abs=0.05)
    assert abs(np.mean(same)) < 0.03


def test_kl_kde_in_two_dimensions_with_an_exact_density():
    # KL(N(0, I) || N(m, S)) = (tr(S^-1) + m.S^-1.m - d + log det S) / 2.
    m, s = np.array([1.0, -0.5]), np.diag([2.0, 0.5])
    s_inv = np.linalg.inv(s)
    exact = 0.5 * (np.trace(s_inv) + m @ s_inv @ m - 2 + math.log(np.linalg.det(s)))
    x = gaussian_samples(2000, [0.0, 0.0], 13)
    target = scipy.stats.multivariate_normal(m, s)
    assert kl_kde(x, log_prob=target.logpdf) == pytest.approx(exact, abs=0.08)
    assert kl_kde(
        torch.tensor(x), log_prob=lambda z: torch.tensor(target.logpdf(z))
    ) == pytest.approx(kl_kde(x, log_prob=target.logpdf), rel=1e-12)


def test_isotropic_kde_matches_scipy_gaussian_kde_when_the_kernels_agree():
    # With isotropic data covariance forced to the identity, gaussian_kde's kernel is factor^2 I.
    rng = np.random.default_rng(21)
    data = rng.standard_normal((400, 2))
    data = (data - data.mean(0)) @ np.linalg.inv(
        np.linalg.cholesky(np.cov(data.T))
    ).T  # covariance exactly I
    points = rng.standard_normal((50, 2)) * 2
    kde = scipy.stats.gaussian_kde(data.T, bw_method=0.3)
    assert np.allclose(kde.covariance, 0.09 * np.eye(2))
    assert np.allclose(kde_log_density(data, points, 0.3), kde.logpdf(points.T), rtol=1e-10)


def test_kl_kde_with_a_fixed_bandwidth_sees_missing_modes():
    # Two far-apart modes of width 0.5: exact samples give KL near 0, samples of one mode log 2.
    rng = np.random.default_rng(22)
    centres = np.array([[-5.0, 0.0], [5.0, 0.0]])

    def log_q(z):
        sq = ((z[:, None, :] - centres[None]) ** 2).sum(-1)
        return scipy.special.logsumexp(-sq / 0.5, axis=1) - math.log(2 * 2 * math.pi * 0.25)

    exact = centres[rng.integers(0, 2, 1000)] + 0.5 * rng.standard_normal((1000, 2))
    one_mode = centres[0] + 0.5 * rng.standard_normal((1000, 2))
    assert abs(kl_kde(exact, log_prob=log_q, bandwidth=0.25)) < 0.08
    assert kl_kde(one_mode, log_prob=log_q, bandwidth=0.25) == pytest.approx(math.log(2), abs=0.08)
    assert kl_kde(exact, log_prob=log_q) < -0.3  # Scott's rule over-smooths the two-mode sample


def test_kl_kde_validates_arguments():
    x = gaussian_samples(50, [0.0, 0.0], 14)
    with pytest.raises(ValueError, match="exactly one"):
        kl_kde(x)
    with pytest.raises(ValueError, match="exactly one"):
        kl_kde(x, x, log_prob=lambda z: z[:, 0])
    with pytest.raises(ValueError, match="one value per sample"):
        kl_kde(x, log_prob=lambda z: z)
    with pytest.raises(ValueError, match="degenerate"):
        kl_kde(np.zeros((20, 2)), x)
    with pytest.raises(ValueError, match="not both"):
        kl_kde(x, x, bandwidth=1.0, bw_method=0.5)
    with pytest.raises(ValueError, match="positive finite"):
        kl_kde(x, x, bandwidth=0.0)


# ---------------------------------------------------------------- kernel Stein discrepancy


def mixture_log_prob_torch(z):
    """log of 0.3 N((-1, 0), 0.5 I) + 0.7 N((1, 1), I), up to a constant: a non-Gaussian target."""
    a = -((z - torch.tensor([-1.0, 0.0])) ** 2).sum(-1) / (2 * 0.5) + math.log(0.3 / 0.5)
    b = -((z - torch.tensor([1.0, 1.0])) ** 2).sum(-1) / 2 + math.log(0.7)
    return torch.logsumexp(torch.stack([a, b]), 0)


def mixture_score(z):
    z = torch.as_tensor(z, dtype=torch.float64).clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(mixture_log_prob_torch(z).sum(), z)
    return grad.numpy()


@pytest.mark.parametrize("kernel", ["rbf", "imq"])
def test_stein_kernel_matches_autograd(kernel):
    """u(a, b) = div_a div_b of k(a, b) p(a) p(b) / (p(a) p(b)), computed with autograd."""
    rng = np.random.default_rng(15)
    pts = rng.standard_normal((5, 2))
    h = 1.7

    def k(a, b):
        r2 = ((a - b) ** 2).sum()
        return torch.exp(-r2 / (2 * h**2)) if kernel == "rbf" else (1 + r2 / h**2) ** -0.5

    expected = np.zeros((5, 5))
    for i in range(5):
        for j in range(5):
            a = torch.tensor(pts[i], requires_grad=True)
            b = torch.tensor(pts[j], requires_grad=True)
            # u(a, b) = sum_l d/da_l d/db_l [k p(a) p(b)] / (p(a) p(b)): differentiate
            # f = k exp(log p(a) + log p(b) - its value), so that f = k at the point.
            log_pp = mixture_log_prob_torch(a[None])[0] + mixture_log_prob_torch(b[None])[0]
            f = k(a, b) * torch.exp(log_pp - log_pp.detach())
            (grad_b,) = torch.autograd.grad(f, b, create_graph=True)
            total = sum(
                torch.autograd.grad(grad_b[m], a, retain_graph=True)[0][m] for m in range(2)
            )
            expected[i, j] = total.item()
    got = stein_kernel_matrix(pts, mixture_score, h, kernel=kernel)
    assert np.allclose(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("d, shift, bandwidth", [(1, 1.0, 1.0), (2, 0.7, 1.5)])
def test_ksd_of_a_shifted_gaussian_matches_closed_form(d, shift, bandwidth):
    # Samples of N(mu, I) against the target N(0, I): the score difference is -mu, so
    # KSD^2 = |mu|^2 E k(a, b) with a, b ~ N(mu, I) independent.
    mean = np.zeros(d)
    mean[0] = shift
    x = gaussian_samples(2000, mean, 16)
    exact = shift**2 * gaussian_expected_kernel(0.0, bandwidth, d)
    assert ksd2(x, lambda z: -z, bandwidth) == pytest.approx(exact, rel=0.1)


def test_ksd_of_exact_samples_is_near_zero_and_the_score_may_be_given_as_values():
    x = gaussian_samples(1500, [0.0, 0.0], 17)
    assert abs(ksd2(x, lambda z: -z, 1.0)) < 5e-3
    assert ksd(x, -x, 1.0, kernel="imq") == ksd(x, lambda z: -z, 1.0, kernel="imq")
    assert ksd(x, lambda z: -z, 1.0) < 0.1 < ksd(x + 0.5, lambda z: -z, 1.0)
    assert ksd2(x, -x, 1.0, unbiased=False) > 0


def test_ksd_passes_torch_tensors_to_a_torch_score():
    x = torch.tensor(gaussian_samples(200, [0.3, 0.0], 18))
    seen = []

    def torch_score(z):
        seen.append(type(z))
        return -z

    assert ksd(x, torch_score, 1.0) == pytest.approx(ksd(x.numpy(), lambda z: -z, 1.0), rel=1e-12)
    assert seen == [torch.Tensor]


def test_ksd_validates_arguments():
    x = gaussian_samples(10, [0.0, 0.0], 19)
    with pytest.raises(ValueError, match="one gradient per sample"):
        ksd(x, lambda z: z[:, :1], 1.0)
    with pytest.raises(ValueError, match="'rbf' or 'imq'"):
        ksd(x, lambda z: -z, 1.0, kernel="gauss")
    with pytest.raises(ValueError, match="NaN or inf"):
        ksd(x, lambda z: np.full_like(z, np.nan), 1.0)
