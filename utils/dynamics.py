"""Polynomial vector fields and the monomial library used to identify them (chapter 02).

- `lotka_volterra_field`: the predator-prey vector field (a x - b x y, d x y - g y).
- `lotka_volterra_trajectories`: states and exact derivatives along trajectories from
  `scipy.integrate.solve_ivp`, started at random points of a box.
- `monomial_exponents`, `monomial_features`, `monomial_names`: the monomials of degree at most p
  in n variables, in a fixed order (graded, then lexicographic), as a feature matrix and as text.
- `fit_monomials`: least squares on the monomial features (the SINDy-style oracle for a
  polynomial vector field).
"""

from __future__ import annotations

from itertools import combinations_with_replacement

import numpy as np
from scipy.integrate import solve_ivp

__all__ = [
    "fit_monomials",
    "lotka_volterra_field",
    "lotka_volterra_trajectories",
    "monomial_exponents",
    "monomial_features",
    "monomial_names",
]


def _check_positive_int(name: str, value: object, allow_zero: bool = False) -> int:
    low = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    return int(value)


def _check_params(params: object) -> tuple[float, float, float, float]:
    values = tuple(float(p) for p in np.asarray(params, dtype=float).ravel())
    if len(values) != 4:
        raise ValueError(f"params must be the four numbers (alpha, beta, gamma, delta), got {params!r}.")
    return values  # type: ignore[return-value]


def lotka_volterra_field(z: np.ndarray, params=(1.5, 1.0, 3.0, 1.0)) -> np.ndarray:
    """Return the Lotka-Volterra vector field at states z of shape (..., 2)."""
    alpha, beta, gamma, delta = _check_params(params)
    z = np.asarray(z, dtype=float)
    if z.shape[-1] != 2:
        raise ValueError(f"z must have shape (..., 2) (prey, predator), got {z.shape}.")
    x, y = z[..., 0], z[..., 1]
    return np.stack([alpha * x - beta * x * y, delta * x * y - gamma * y], axis=-1)


def lotka_volterra_trajectories(
    n_trajectories: int,
    n_points: int,
    rng: np.random.Generator,
    t_end: float = 5.0,
    start_box: tuple[float, float] = (1.0, 3.0),
    params=(1.5, 1.0, 3.0, 1.0),
) -> tuple[np.ndarray, np.ndarray]:
    """Return states (n_trajectories * n_points, 2) on trajectories and the exact derivatives there."""
    n_trajectories = _check_positive_int("n_trajectories", n_trajectories)
    n_points = _check_positive_int("n_points", n_points)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}.")
    low, high = start_box
    if not 0 < low < high:
        raise ValueError(f"start_box must be (low, high) with 0 < low < high, got {start_box!r}.")
    if t_end <= 0:
        raise ValueError(f"t_end must be positive, got {t_end!r}.")
    params = _check_params(params)
    times = np.linspace(0.0, t_end, n_points)
    states = []
    for _ in range(n_trajectories):
        start = rng.uniform(low, high, size=2)
        sol = solve_ivp(
            lambda t, z: lotka_volterra_field(z, params), (0.0, t_end), start,
            t_eval=times, method="DOP853", rtol=1e-11, atol=1e-12,
        )
        states.append(sol.y.T)
    states = np.concatenate(states)
    return states, lotka_volterra_field(states, params)


def monomial_exponents(n_vars: int, degree: int) -> np.ndarray:
    """Return the exponents (n_monomials, n_vars) of all monomials of total degree <= degree."""
    n_vars = _check_positive_int("n_vars", n_vars)
    degree = _check_positive_int("degree", degree, allow_zero=True)
    rows = []
    for total in range(degree + 1):
        for combo in combinations_with_replacement(range(n_vars), total):
            rows.append(np.bincount(np.array(combo, dtype=int), minlength=n_vars))
    return np.array(rows, dtype=int).reshape(-1, n_vars)


def monomial_features(z: np.ndarray, degree: int) -> np.ndarray:
    """Return the monomials of degree <= degree of the rows of z (n, n_vars): shape (n, n_monomials)."""
    z = np.asarray(z, dtype=float)
    if z.ndim != 2:
        raise ValueError(f"z must be a matrix (n_samples, n_vars), got shape {z.shape}.")
    exponents = monomial_exponents(z.shape[1], degree)
    return np.prod(z[:, None, :] ** exponents[None, :, :], axis=2)


def monomial_names(names: list[str], degree: int) -> list[str]:
    """Return the monomials of degree <= degree as text, e.g. ['1', 'x', 'y', 'x^2', 'x y', 'y^2']."""
    exponents = monomial_exponents(len(names), degree)
    out = []
    for row in exponents:
        parts = [name if k == 1 else f"{name}^{k}" for name, k in zip(names, row) if k > 0]
        out.append(" ".join(parts) if parts else "1")
    return out


def fit_monomials(z: np.ndarray, targets: np.ndarray, degree: int) -> np.ndarray:
    """Return least-squares coefficients (n_monomials, n_outputs) of targets on the monomials of z."""
    features = monomial_features(z, degree)
    targets = np.asarray(targets, dtype=float)
    if targets.shape[0] != features.shape[0]:
        raise ValueError(f"z has {features.shape[0]} rows but targets has {targets.shape[0]}: pass matching samples.")
    return np.linalg.lstsq(features, targets.reshape(len(targets), -1), rcond=None)[0]
