"""Flow matching with a Gaussian data distribution: exact velocities, noise schedules, tilts.

Convention (chapter 13, after Domingo-Enrich et al., 2025): X_0 ~ N(0, I) is noise, X_1 is data,
and the reference flow is X_t = (1 - t) X_0 + t X_1. For data N(m, s^2 I) every quantity below is
exact, so a fine-tuning algorithm can be checked against closed forms without training a base model.

A noise schedule sigma(t) turns the flow into a family of SDEs with the same marginals,
dX = b dt + sigma dB with b = v + (sigma^2 / 2) * score. The *memoryless* schedule
sigma(t) = sqrt(2 eta_t), eta_t = (1 - t) / t, makes X_0 and X_1 independent; any other schedule
leaves them correlated, and reward fine-tuning then converges to a biased distribution whose mean
`biased_tilted_mean` predicts for a linear reward.

Functions accept Python floats, NumPy arrays and torch tensors for x; times are floats or arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.integrate import quad

ArrayLike = Any  # float, NumPy array or torch tensor

ScheduleLike = float | str | Callable[[float], float]


def _check_std(std: float) -> float:
    if isinstance(std, bool) or not isinstance(std, (int, float, np.floating, np.integer)):
        raise TypeError(f"std must be a positive number, got {type(std).__name__}.")
    if not math.isfinite(std) or std <= 0:
        raise ValueError(f"std must be a positive finite number (the data's standard deviation), got {std}.")
    return float(std)


def _check_time(t: ArrayLike, name: str = "t", low: float = 0.0, open_low: bool = False) -> ArrayLike:
    """Raise unless every time lies in [low, 1] (or (low, 1]); cheap for Python floats (called in loops)."""
    if isinstance(t, float):
        ok = (low < t if open_low else low <= t) and t <= 1.0
        lo = hi = t
    else:
        if hasattr(t, "detach"):
            lo, hi = float(t.min()), float(t.max())
        else:
            arr = np.asarray(t, dtype=float)
            lo, hi = float(arr.min()), float(arr.max())
        ok = (low < lo if open_low else low <= lo) and hi <= 1.0
    if not ok:
        interval = f"({low}, 1]" if open_low else f"[{low}, 1]"
        raise ValueError(f"{name} must lie in {interval} and be finite, got values from {lo} to {hi}.")
    return t


def path_variance(t: ArrayLike, std: float) -> ArrayLike:
    """Variance of X_t = (1 - t) X_0 + t X_1 per coordinate, for X_1 ~ N(m, std^2): (1-t)^2 + t^2 std^2."""
    std = _check_std(std)
    _check_time(t)
    return (1 - t) ** 2 + t**2 * std**2


def gaussian_velocity(x: ArrayLike, t: ArrayLike, mean: ArrayLike, std: float) -> ArrayLike:
    """Exact flow-matching velocity E[X_1 - X_0 | X_t = x] for data N(mean, std^2 I).

    Written as ((t std^2 - (1 - t)) x + (1 - t) mean) / V_t, which is regular at t = 0 and t = 1.
    """
    var = path_variance(t, std)
    return ((t * std**2 - (1 - t)) * x + (1 - t) * mean) / var


def gaussian_velocity_slope(t: ArrayLike, std: float) -> ArrayLike:
    """d v / d x of the exact Gaussian velocity (a scalar per time): (t std^2 - (1 - t)) / V_t."""
    return (t * std**2 - (1 - t)) / path_variance(t, std)


def gaussian_score(x: ArrayLike, t: ArrayLike, mean: ArrayLike, std: float) -> ArrayLike:
    """Score grad log p_t(x) of the Gaussian path marginal N(t mean, V_t I)."""
    return -(x - t * mean) / path_variance(t, std)


def eta(t: ArrayLike) -> ArrayLike:
    """eta_t = beta_t (alpha_dot_t beta_t / alpha_t - beta_dot_t) for alpha_t = t, beta_t = 1 - t: (1 - t) / t."""
    _check_time(t, open_low=True)
    return (1 - t) / t


def memoryless_sigma(t: ArrayLike) -> ArrayLike:
    """The memoryless noise schedule sqrt(2 eta_t) = sqrt(2 (1 - t) / t) of flow matching."""
    value = 2 * eta(t)
    return value.sqrt() if hasattr(value, "sqrt") else np.sqrt(value)


def _sigma_function(sigma: ScheduleLike) -> Callable[[float], float]:
    """Turn 'memoryless', a constant or a function of t into a function of t."""
    if isinstance(sigma, str):
        if sigma != "memoryless":
            raise ValueError(f"sigma must be 'memoryless', a non-negative number or a function of t, got {sigma!r}.")
        return lambda t: math.sqrt(2 * (1 - t) / t)
    if callable(sigma):
        return sigma
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float, np.floating, np.integer)):
        raise TypeError(f"sigma must be 'memoryless', a non-negative number or a function of t, got {type(sigma).__name__}.")
    if not math.isfinite(sigma) or sigma < 0:
        raise ValueError(f"a constant sigma must be a non-negative finite number, got {sigma}.")
    return lambda t: float(sigma)


def drift_slope(t: float, std: float, sigma: ScheduleLike) -> float:
    """d b / d x for the base SDE b = v + (sigma^2 / 2) score with Gaussian data (a scalar)."""
    s = _sigma_function(sigma)(t)
    return float(gaussian_velocity_slope(t, std) - s**2 / (2 * path_variance(t, std)))


def endpoint_sensitivity(t: float, std: float, sigma: ScheduleLike) -> float:
    """Phi(1, t) = d E[X_1 | X_t = x] / d x under the base SDE: exp of the integral of d b / d x from t to 1."""
    std = _check_std(std)
    _check_time(t, open_low=True)
    if not isinstance(t, (int, float, np.floating, np.integer)):
        raise TypeError(f"t must be one time (a number), got {type(t).__name__}.")
    integral, _ = quad(lambda tau: drift_slope(tau, std, sigma), float(t), 1.0, limit=200)
    return math.exp(integral)


def endpoint_sensitivities(times: ArrayLike, std: float, sigma: ScheduleLike, end: float = 1.0) -> np.ndarray:
    """Phi(end, t) for every t in an increasing array `times`: exp of the integral of d b / d x from t to end.

    The integral is split at the given times and accumulated from the end, so a whole grid costs
    about as much as one call of `endpoint_sensitivity`.
    """
    std = _check_std(std)
    grid = np.asarray(times, dtype=float)
    if grid.ndim != 1 or grid.size == 0 or np.any(np.diff(grid) <= 0):
        raise ValueError("times must be a non-empty one-dimensional array of increasing times.")
    _check_time(grid, "times", open_low=True)
    if not grid[-1] <= end <= 1.0:
        raise ValueError(f"end must lie between the last time ({grid[-1]}) and 1, got {end}.")
    knots = np.append(grid, end)
    pieces = [quad(lambda tau: drift_slope(tau, std, sigma), a, b)[0] for a, b in zip(knots[:-1], knots[1:])]
    return np.exp(np.cumsum(pieces[::-1])[::-1])


def endpoint_correlation(t0: float, std: float, sigma: ScheduleLike) -> float:
    """Correlation of X_t0 and X_1 (per coordinate) under the base SDE with noise schedule sigma.

    Cov(X_t0, X_1) = Phi(1, t0) V_t0, so rho = Phi(1, t0) sqrt(V_t0) / std. The memoryless schedule
    gives t0 std / sqrt(V_t0), which vanishes as t0 -> 0.
    """
    return endpoint_sensitivity(t0, std, sigma) * math.sqrt(path_variance(t0, std)) / std


def biased_tilted_mean(mean: float, std: float, lam: float, rho: float) -> float:
    """Mean of X_1 at the optimum of reward fine-tuning with r(x) = lam x and correlation rho.

    The tilted target N(mean + lam std^2, std^2) is reached only when rho = 0; otherwise the
    value-function bias leaves mean + lam std^2 (1 - rho^2).
    """
    std = _check_std(std)
    if not -1.0 <= rho <= 1.0:
        raise ValueError(f"rho is a correlation and must lie in [-1, 1], got {rho}.")
    return mean + lam * std**2 * (1 - rho**2)


def tilt_quadratic(mean: float, std: float, center: float, width: float, lam: float = 1.0) -> tuple[float, float]:
    """Mean and std of N(mean, std^2) tilted by exp(-lam (x - center)^2 / (2 width^2)) (per coordinate)."""
    std = _check_std(std)
    width = _check_std(width)
    if lam < 0:
        raise ValueError(f"lam must be non-negative (a reward multiplier), got {lam}.")
    precision = 1 / std**2 + lam / width**2
    return (mean / std**2 + lam * center / width**2) / precision, precision**-0.5


def gaussian_kl(mean_p: float, std_p: float, mean_q: float, std_q: float) -> float:
    """KL(N(mean_p, std_p^2) || N(mean_q, std_q^2)) in nats, for one dimension."""
    std_p, std_q = _check_std(std_p), _check_std(std_q)
    return math.log(std_q / std_p) + (std_p**2 + (mean_p - mean_q) ** 2) / (2 * std_q**2) - 0.5
