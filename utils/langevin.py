"""One-dimensional tools for judging Langevin samplers without sampling noise.

- `boltzmann_expectation`: E[f(X)] for X with density proportional to exp(-V(x) / tau), by
  adaptive quadrature (`scipy.integrate.quad`);
- `stationary_density_1d`: the stationary law of a Markov chain on the real line whose step is
  Gaussian, x' ~ N(mean(x), var(x)) (Euler-Maruyama for any one-dimensional SDE has this form),
  computed on a grid by solving for the invariant vector of the discretised transition kernel.

The second one shows the bias that a discretisation leaves in the stationary law, free of the Monte
Carlo error that a simulation of the same chain would add.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import integrate


def boltzmann_expectation(
    potential: Callable[[float], float],
    f: Callable[[float], float],
    tau: float,
    lo: float,
    hi: float,
    points: Sequence[float] = (),
) -> float:
    """Return E[f(X)] for the density exp(-potential / tau) restricted to [lo, hi], by quadrature.

    points: locations of sharp features that the quadrature should split the interval at.
    """
    if not tau > 0:
        raise ValueError(f"tau is {tau}: the temperature must be positive.")
    if not lo < hi:
        raise ValueError(f"the interval [{lo}, {hi}] is empty: pass lo < hi.")
    inside = [pt for pt in points if lo < pt < hi]
    shift = min(potential(x) for x in np.linspace(lo, hi, 2001))  # avoids overflow of exp

    def weight(x: float) -> float:
        return np.exp(-(potential(x) - shift) / tau)

    opts = {"points": inside or None, "limit": 500, "epsabs": 0.0, "epsrel": 1e-12}
    mass = integrate.quad(weight, lo, hi, **opts)[0]
    moment = integrate.quad(lambda x: f(x) * weight(x), lo, hi, **opts)[0]
    return float(moment / mass)


def stationary_density_1d(
    grid: np.ndarray, mean: np.ndarray, var: np.ndarray
) -> np.ndarray:
    """Return the stationary probabilities on `grid` of the chain x' ~ N(mean(x), var(x)).

    grid: (n,) equally spaced points; mean, var: (n,) the step's mean and variance at each point.
    The chain is restricted to the grid (each row of the kernel is renormalised, so mass that
    would leave the grid is put back on it): choose the grid wide enough that this mass is tiny.
    Returns (n,) probabilities that sum to 1 (a density times the grid spacing).
    """
    grid, mean, var = (np.asarray(a, dtype=float) for a in (grid, mean, var))
    if grid.ndim != 1 or grid.size < 3:
        raise ValueError("grid must be a 1-D array of at least 3 points.")
    if mean.shape != grid.shape or var.shape != grid.shape:
        raise ValueError(
            f"mean {mean.shape} and var {var.shape} must have the grid's shape {grid.shape}: "
            "give the step's mean and variance at every grid point."
        )
    if not np.all(np.isfinite(mean)) or not np.all(var > 0):
        raise ValueError("mean must be finite and var positive at every grid point.")
    spacing = np.diff(grid)
    if not np.allclose(spacing, spacing[0], rtol=1e-9):
        raise ValueError("grid must be equally spaced (use np.linspace).")
    # kernel[i, j]: probability of moving from grid[i] to grid[j] (Gaussian, trapezoid weights)
    log_kernel = -((grid[None, :] - mean[:, None]) ** 2) / (2 * var[:, None])
    kernel = np.exp(log_kernel - log_kernel.max(axis=1, keepdims=True))
    kernel /= kernel.sum(axis=1, keepdims=True)
    # Solve rho (kernel - I) = 0 with sum(rho) = 1 (the last equation replaced by the sum).
    system = kernel.T - np.eye(grid.size)
    system[-1] = 1.0
    rhs = np.zeros(grid.size)
    rhs[-1] = 1.0
    rho = np.linalg.solve(system, rhs)
    return np.clip(rho, 0.0, None) / np.clip(rho, 0.0, None).sum()
