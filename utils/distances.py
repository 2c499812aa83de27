"""Distances between a cloud of samples and a target distribution, for judging samplers.

Every function takes samples as a NumPy array or a torch tensor of shape (n, d) (one row per
sample) and returns a Python float. Four families, each with its own reference in
tests/test_distances.py:

- `mmd` / `mmd2`: maximum mean discrepancy with a Gaussian kernel, between two sample sets;
- `wasserstein` (exact, POT's network simplex) and `sinkhorn` (entropic, POT), between two
  sample sets;
- `kl_kde`: Kullback-Leibler divergence with the densities estimated by `scipy.stats.gaussian_kde`
  or by an isotropic kernel of a fixed width (`kde_log_density`), or the second density given
  exactly;
- `ksd` / `ksd2`: kernel Stein discrepancy between samples and a target known through its score
  (the gradient of its log-density), so no samples of the target are needed.

`mmd2` and `ksd2` return unbiased (U-statistic) estimates of the squared distance, which can be
slightly negative when the two distributions agree; `mmd` and `ksd` return the square root of the
estimate clipped at zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

ArrayLike = Any  # a NumPy array or a torch tensor of shape (n, d)
_MAX_PAIRS_FOR_MEDIAN = 2000  # median_bandwidth uses at most this many points (the first ones)


def as_samples(x: ArrayLike, name: str = "x", min_n: int = 2) -> np.ndarray:
    """Return samples as a float64 NumPy array of shape (n, d), after checking shape and values."""
    if hasattr(x, "detach"):  # a torch tensor, possibly on a GPU
        x = x.detach().cpu().numpy()
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(
            f"{name} must be an array of samples of shape (n, d), got {type(x).__name__}."
        )
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be an array of numbers of shape (n, d), got {type(x).__name__}."
        ) from None
    if arr.ndim != 2:
        hint = " For one-dimensional samples pass x[:, None]." if arr.ndim == 1 else ""
        raise ValueError(
            f"{name} must have shape (n, d) with one sample per row, got shape {arr.shape}.{hint}"
        )
    if arr.shape[0] < min_n or arr.shape[1] < 1:
        raise ValueError(
            f"{name} needs at least {min_n} samples of dimension >= 1, got shape {arr.shape}."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(
            f"{name} contains NaN or inf: a sampler diverged; drop or fix those samples first."
        )
    return arr


def _same_dim(x: np.ndarray, y: np.ndarray, names: str = "x and y") -> None:
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            f"{names} must have the same dimension d, got {x.shape[1]} and {y.shape[1]}."
        )


def _positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a positive number, got {value!r}.")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value}.")
    return value


def _squared_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return the (n, m) matrix of squared Euclidean distances, clipped at zero."""
    sq = (x**2).sum(1)[:, None] + (y**2).sum(1)[None, :] - 2.0 * x @ y.T
    return np.maximum(sq, 0.0)


def median_bandwidth(x: ArrayLike, y: ArrayLike | None = None) -> float:
    """Return the median pairwise distance of the (pooled) samples: the usual kernel bandwidth.

    Uses at most the first 2000 points, so it is cheap and deterministic.
    """
    pts = as_samples(x, "x")
    if y is not None:
        other = as_samples(y, "y")
        _same_dim(pts, other)
        pts = np.concatenate([pts, other])
    pts = pts[:_MAX_PAIRS_FOR_MEDIAN]
    dist = np.sqrt(_squared_distances(pts, pts))
    median = float(np.median(dist[np.triu_indices(len(pts), k=1)]))
    if median <= 0:
        raise ValueError(
            "all samples coincide, so the median distance is 0: pass a bandwidth explicitly."
        )
    return median


def mmd2(x: ArrayLike, y: ArrayLike, bandwidth: float, unbiased: bool = True) -> float:
    """Return the squared MMD between samples x (n, d) and y (m, d) with a Gaussian kernel.

    k(a, b) = exp(-|a - b|^2 / (2 bandwidth^2)). unbiased=True drops the diagonal terms (a
    U-statistic, which can be slightly negative); unbiased=False keeps them (a V-statistic, >= 0).
    """
    xs, ys = as_samples(x, "x"), as_samples(y, "y")
    _same_dim(xs, ys)
    scale = 2.0 * _positive(bandwidth, "bandwidth") ** 2
    kxx = np.exp(-_squared_distances(xs, xs) / scale)
    kyy = np.exp(-_squared_distances(ys, ys) / scale)
    kxy = np.exp(-_squared_distances(xs, ys) / scale)
    n, m = len(xs), len(ys)
    if unbiased:
        term_x = (kxx.sum() - np.trace(kxx)) / (n * (n - 1))
        term_y = (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
    else:
        term_x, term_y = kxx.mean(), kyy.mean()
    return float(term_x + term_y - 2.0 * kxy.mean())


def mmd(x: ArrayLike, y: ArrayLike, bandwidth: float, unbiased: bool = True) -> float:
    """Return the MMD, sqrt(max(mmd2, 0)), between samples x and y (Gaussian kernel)."""
    return math.sqrt(max(mmd2(x, y, bandwidth, unbiased=unbiased), 0.0))


def _check_p(p: Any) -> float:
    p = _positive(p, "p")
    if p < 1:
        raise ValueError(f"p must be >= 1 for a Wasserstein distance, got {p}.")
    return p


def _cost_matrix(x: np.ndarray, y: np.ndarray, p: float) -> np.ndarray:
    sq = _squared_distances(x, y)
    return sq if p == 2 else np.sqrt(sq) ** p


def wasserstein(x: ArrayLike, y: ArrayLike, p: float = 2) -> float:
    """Return the exact p-Wasserstein distance between two uniformly weighted sample sets (POT).

    Cost |a - b|^p; the result is (optimal transport cost)^(1/p). Exact OT costs about n^3:
    keep n and m below a few thousand.
    """
    import ot

    xs, ys = as_samples(x, "x", min_n=1), as_samples(y, "y", min_n=1)
    _same_dim(xs, ys)
    p = _check_p(p)
    a, b = np.full(len(xs), 1.0 / len(xs)), np.full(len(ys), 1.0 / len(ys))
    cost = float(ot.emd2(a, b, _cost_matrix(xs, ys, p), numItermax=1_000_000))
    return max(cost, 0.0) ** (1.0 / p)


def sinkhorn(x: ArrayLike, y: ArrayLike, reg: float, p: float = 2, max_iter: int = 2000) -> float:
    """Return the entropic OT distance (POT sinkhorn2) between two sample sets.

    reg is the entropic regularisation in the units of the cost |a - b|^p (for p = 2: squared
    distance); small reg approaches `wasserstein` from above, and needs more iterations (at most
    max_iter). Returns <plan, cost>^(1/p), the transport cost of the entropic plan without its
    entropy term. For a few thousand samples or fewer, `wasserstein` (exact) is often faster.
    """
    import ot

    xs, ys = as_samples(x, "x", min_n=1), as_samples(y, "y", min_n=1)
    _same_dim(xs, ys)
    p, reg = _check_p(p), _positive(reg, "reg")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}.")
    a, b = np.full(len(xs), 1.0 / len(xs)), np.full(len(ys), 1.0 / len(ys))
    cost_matrix = _cost_matrix(xs, ys, p)
    # Plain Sinkhorn is fastest while exp(-cost / reg) stays far from underflow; else work in logs.
    method = "sinkhorn" if cost_matrix.max() <= 500.0 * reg else "sinkhorn_log"
    cost = float(ot.sinkhorn2(a, b, cost_matrix, reg, method=method, numItermax=int(max_iter)))
    if not math.isfinite(cost):
        raise FloatingPointError("Sinkhorn did not converge to a finite cost: increase reg.")
    return max(cost, 0.0) ** (1.0 / p)


def kde_log_density(data: ArrayLike, points: ArrayLike, bandwidth: float) -> np.ndarray:
    """Return the log of a kernel density estimate with an isotropic Gaussian kernel, at points.

    log p_hat(z) = log( (1/n) sum_j N(z; data_j, bandwidth^2 I) ); data (n, d), points (m, d),
    result (m,).
    """
    from scipy.special import logsumexp

    xs, zs = as_samples(data, "data", min_n=1), as_samples(points, "points", min_n=1)
    _same_dim(xs, zs, "data and points")
    b2 = _positive(bandwidth, "bandwidth") ** 2
    d = xs.shape[1]
    log_kernel = -_squared_distances(zs, xs) / (2.0 * b2) - 0.5 * d * math.log(2.0 * math.pi * b2)
    return logsumexp(log_kernel, axis=1) - math.log(len(xs))


def _scipy_kde_log_density(
    data: np.ndarray, points: np.ndarray, bw_method: Any, name: str
) -> np.ndarray:
    from scipy.stats import gaussian_kde

    if data.shape[0] <= data.shape[1]:
        raise ValueError(
            f"gaussian_kde needs more samples than dimensions in {name}, got shape {data.shape}."
        )
    try:
        return gaussian_kde(data.T, bw_method=bw_method).logpdf(points.T)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"the samples {name} are degenerate (e.g. all equal or on a line): "
            "gaussian_kde cannot fit them; "
            "pass bandwidth= for an isotropic kernel instead."
        ) from None


def kl_kde(
    x: ArrayLike,
    y: ArrayLike | None = None,
    *,
    log_prob: Callable[[np.ndarray], ArrayLike] | None = None,
    bandwidth: float | None = None,
    bw_method: Any = None,
) -> float:
    """Return an estimate of KL(P || Q) from samples x of P, with P's density a kernel estimate.

    Q is given either by samples y (its density estimated the same way) or exactly by log_prob, a
    function from an (n, d) array to the (n,) log-density. The estimate is the average over x of
    log p_hat(x) - log q(x). With bandwidth=None the densities are `scipy.stats.gaussian_kde` fits
    (kernel covariance = bw_method factor^2 x the data covariance, Scott's rule by default); this
    over-smooths samples spread over several distant modes. bandwidth=b uses an isotropic Gaussian
    kernel of standard deviation b instead, the same for every sample set, so estimates compare.
    Kernel smoothing biases the estimate: compare estimates made with the same n and bandwidth.
    """
    if (y is None) == (log_prob is None):
        raise ValueError(
            "pass exactly one of y (samples of Q) or log_prob (Q's exact log-density)."
        )
    if bandwidth is not None and bw_method is not None:
        raise ValueError("pass bandwidth (isotropic kernel) or bw_method (scipy's rule), not both.")
    xs = as_samples(x, "x", min_n=3)

    def log_density(data: np.ndarray, name: str) -> np.ndarray:
        if bandwidth is None:
            return _scipy_kde_log_density(data, xs, bw_method, name)
        return kde_log_density(data, xs, bandwidth)

    log_p = log_density(xs, "x")
    if y is not None:
        ys = as_samples(y, "y", min_n=3)
        _same_dim(xs, ys)
        log_q = log_density(ys, "y")
    else:
        if not callable(log_prob):
            raise TypeError(
                "log_prob must be a function from an (n, d) array to (n,) log-densities."
            )
        log_q = np.asarray(_to_numpy(log_prob(xs)), dtype=np.float64).reshape(-1)
        if log_q.shape != (len(xs),):
            raise ValueError(
                f"log_prob must return one value per sample, shape ({len(xs)},), got {log_q.shape}."
            )
    diff = log_p - log_q
    if not np.all(np.isfinite(diff)):
        raise FloatingPointError(
            "log-densities are not finite at some samples: Q has no mass where P does."
        )
    return float(np.mean(diff))


def _to_numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


def _scores(x_original: ArrayLike, xs: np.ndarray, score: Callable | ArrayLike) -> np.ndarray:
    """Evaluate score at the samples (or check precomputed scores), returned as an (n, d) array."""
    if callable(score):
        if hasattr(x_original, "detach"):  # a torch tensor in, so the score function may expect one
            import torch

            values = score(torch.as_tensor(xs, dtype=torch.float64))
        else:
            values = score(xs.copy())
    else:
        values = score
    values = _to_numpy(values)
    if values.shape != xs.shape:
        raise ValueError(
            f"score must give one gradient per sample, shape {xs.shape}, got {values.shape}."
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(
            "the score is NaN or inf at some samples: check the target's log-density there."
        )
    return values


def stein_kernel_matrix(
    x: ArrayLike, score: Callable | ArrayLike, bandwidth: float, kernel: str = "rbf"
) -> np.ndarray:
    """Return the (n, n) Stein kernel matrix u_p(x_i, x_j) of the target with the given score.

    u_p(a, b) = s(a).s(b) k(a, b) + s(a).grad_b k + s(b).grad_a k + trace(grad_a grad_b k), with
    s the score; kernel "rbf", k = exp(-r^2 / (2 h^2)), or "imq", k = (1 + r^2 / h^2)^(-1/2),
    where r = |a - b| and h = bandwidth. score is a function of the samples or their (n, d) scores.
    """
    xs = as_samples(x, "x")
    s = _scores(x, xs, score)
    h2 = _positive(bandwidth, "bandwidth") ** 2
    d = xs.shape[1]
    sq = _squared_distances(xs, xs)  # r^2, (n, n)
    s_dot_s = s @ s.T  # s(a).s(b)
    s_dot_x = (s * xs).sum(1)  # s(a).a
    # s(a).(a - b) and s(b).(b - a), both (n, n) with a = x_i (rows), b = x_j (columns)
    sa_diff = s_dot_x[:, None] - s @ xs.T
    sb_diff = s_dot_x[None, :] - (s @ xs.T).T
    if kernel == "rbf":
        k = np.exp(-sq / (2.0 * h2))
        # grad_a k = -(a - b) k / h^2 and grad_b k = (a - b) k / h^2
        cross = (sa_diff + sb_diff) / h2
        trace = d / h2 - sq / h2**2
        return k * (s_dot_s + cross + trace)
    if kernel == "imq":
        base = 1.0 + sq / h2  # k = base^(-1/2)
        k = base**-0.5
        # grad_a k = -(a - b) base^(-3/2) / h^2 and grad_b k = (a - b) base^(-3/2) / h^2
        cross = (sa_diff + sb_diff) * base**-1.5 / h2
        trace = d * base**-1.5 / h2 - 3.0 * sq * base**-2.5 / h2**2
        return s_dot_s * k + cross + trace
    raise ValueError(f"kernel must be 'rbf' or 'imq', got {kernel!r}.")


def ksd2(
    x: ArrayLike,
    score: Callable | ArrayLike,
    bandwidth: float,
    kernel: str = "rbf",
    unbiased: bool = True,
) -> float:
    """Return the squared kernel Stein discrepancy of samples x (n, d) from a target (its score).

    score: a function returning the target's grad log-density at an (n, d) array (it gets a torch
    tensor when x is one), or the precomputed (n, d) scores. unbiased=True averages the Stein
    kernel over pairs i != j (a U-statistic); unbiased=False over all pairs (a V-statistic, >= 0).
    """
    u = stein_kernel_matrix(x, score, bandwidth, kernel)
    n = u.shape[0]
    if unbiased:
        return float((u.sum() - np.trace(u)) / (n * (n - 1)))
    return float(u.mean())


def ksd(
    x: ArrayLike,
    score: Callable | ArrayLike,
    bandwidth: float,
    kernel: str = "rbf",
    unbiased: bool = True,
) -> float:
    """Return the kernel Stein discrepancy, sqrt(max(ksd2, 0)), of samples x from the target."""
    return math.sqrt(max(ksd2(x, score, bandwidth, kernel=kernel, unbiased=unbiased), 0.0))
