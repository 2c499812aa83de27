"""Data for operator learning: Gaussian random fields and the PDE solvers that map them to solutions.

Used by chapter 07 (Fourier Neural Operator) and chapter 08 (Geo-FNO):

- `sample_grf_1d`: periodic Gaussian random field N(0, sigma^2 (-Laplacian + tau^2)^(-alpha)) on [0, 1).
- `solve_burgers`: 1-D viscous Burgers, periodic, pseudo-spectral with 2/3 dealiasing and
  integrating-factor RK4 time stepping.
- `sample_darcy_coefficient`: piecewise-constant permeability from a thresholded cosine-series field.
- `solve_darcy_2d` / `solve_darcy_1d`: -div(a grad u) = f with u = 0 on the boundary, finite
  differences with harmonic-mean face coefficients.
- `solve_darcy_1d_periodic`: -(a u')' = f on the periodic [0, 1), the same scheme, mean of u zero.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

__all__ = [
    "relative_l2",
    "sample_darcy_coefficient",
    "sample_grf_1d",
    "solve_burgers",
    "solve_darcy_1d",
    "solve_darcy_1d_periodic",
    "solve_darcy_2d",
]


def _check_positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _check_positive_float(name: str, value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}.") from None
    if not np.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
    return number


def _check_rng(rng: object) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}.")
    return rng


def relative_l2(prediction: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Return the per-sample relative L2 error ||prediction - target|| / ||target|| (first axis = samples)."""
    prediction = np.asarray(prediction, dtype=float)
    target = np.asarray(target, dtype=float)
    if prediction.shape != target.shape:
        raise ValueError(f"prediction shape {prediction.shape} differs from target shape {target.shape}.")
    if prediction.ndim < 2:
        raise ValueError("relative_l2 expects a batch: arrays of shape (n_samples, ...).")
    diff = (prediction - target).reshape(len(target), -1)
    norm = np.linalg.norm(target.reshape(len(target), -1), axis=1)
    if np.any(norm == 0):
        raise ValueError("a target has zero norm: the relative error is undefined for it.")
    return np.linalg.norm(diff, axis=1) / norm


def sample_grf_1d(
    n_samples: int,
    resolution: int,
    rng: np.random.Generator,
    alpha: float = 2.0,
    tau: float = 5.0,
    sigma: float = 25.0,
    zero_mean: bool = False,
) -> np.ndarray:
    """Return (n_samples, resolution) draws of a periodic GRF N(0, sigma^2 (-Laplacian + tau^2)^(-alpha)) on [0, 1).

    The defaults give the Burgers initial conditions of Li et al. (2021): N(0, 625 (-Laplacian + 25)^(-2)).
    Every Fourier mode the grid can hold (|k| < resolution / 2) is drawn; the Nyquist mode is left at zero.
    zero_mean=True also sets the constant mode to zero, as the paper's data-generation code does.
    """
    n_samples = _check_positive_int("n_samples", n_samples)
    resolution = _check_positive_int("resolution", resolution)
    if resolution < 4 or resolution % 2:
        raise ValueError(f"resolution must be an even number >= 4, got {resolution}.")
    alpha, tau, sigma = (_check_positive_float(n, v) for n, v in (("alpha", alpha), ("tau", tau), ("sigma", sigma)))
    rng = _check_rng(rng)
    if not isinstance(zero_mean, bool):
        raise TypeError(f"zero_mean must be True or False, got {zero_mean!r}.")
    k = np.arange(resolution // 2 + 1)
    std = sigma * ((2 * np.pi * k) ** 2 + tau**2) ** (-alpha / 2)  # sqrt of the covariance eigenvalues
    std[-1] = 0.0  # Nyquist mode: no real cosine/sine pair to carry it
    xi = rng.standard_normal((n_samples, k.size)) + 1j * rng.standard_normal((n_samples, k.size))
    coeff = std * xi / np.sqrt(2)
    coeff[:, 0] = 0.0 if zero_mean else std[0] * rng.standard_normal(n_samples)  # the mean: one real Gaussian
    # u(x) = c_0 + sum_k (c_k e^{2 pi i k x} + conj): irfft divides by the resolution, so multiply it back.
    return np.fft.irfft(coeff * resolution, n=resolution, axis=-1)


def solve_burgers(
    u0: np.ndarray,
    viscosity: float = 0.1,
    final_time: float = 1.0,
    n_steps: int = 200,
) -> np.ndarray:
    """Return u(x, final_time) of u_t + (u^2/2)_x = viscosity u_xx on the periodic [0, 1), for each row of u0.

    Pseudo-spectral in space (2/3-rule dealiasing of the nonlinear term) and integrating-factor RK4
    in time: the stiff diffusion is integrated exactly, so a modest n_steps is stable.
    """
    u0 = np.asarray(u0, dtype=float)
    if u0.ndim not in (1, 2):
        raise ValueError(f"u0 must have shape (resolution,) or (n_samples, resolution), got {u0.shape}.")
    resolution = u0.shape[-1]
    if resolution < 4 or resolution % 2:
        raise ValueError(f"the grid size must be an even number >= 4, got {resolution}.")
    if not np.all(np.isfinite(u0)):
        raise ValueError("u0 contains NaN or inf.")
    viscosity = _check_positive_float("viscosity", viscosity)
    final_time = _check_positive_float("final_time", final_time)
    n_steps = _check_positive_int("n_steps", n_steps)
    dt = final_time / n_steps
    freq = np.arange(resolution // 2 + 1)
    k = 2 * np.pi * freq
    dealias = freq < resolution / 3  # 2/3 rule: keep |k| < N/3
    half = np.exp(-viscosity * k**2 * dt / 2)  # integrating factor over half a step
    full = half**2

    def nonlinear(u_hat: np.ndarray) -> np.ndarray:
        u = np.fft.irfft(u_hat * dealias, n=resolution, axis=-1)
        return -0.5j * k * np.fft.rfft(u * u, axis=-1) * dealias

    u_hat = np.fft.rfft(u0, axis=-1)
    for _ in range(n_steps):
        k1 = nonlinear(u_hat)
        k2 = nonlinear(half * (u_hat + 0.5 * dt * k1))
        k3 = nonlinear(half * u_hat + 0.5 * dt * k2)
        k4 = nonlinear(full * u_hat + dt * half * k3)
        u_hat = full * u_hat + dt / 6 * (full * k1 + 2 * half * (k2 + k3) + k4)
    return np.fft.irfft(u_hat, n=resolution, axis=-1)


def sample_darcy_coefficient(
    n_samples: int,
    resolution: int,
    rng: np.random.Generator,
    alpha: float = 2.0,
    tau: float = 3.0,
    n_modes: int = 24,
    values: tuple[float, float] = (3.0, 12.0),
) -> np.ndarray:
    """Return (n_samples, resolution, resolution) permeabilities on the node grid of [0, 1]^2.

    A field z ~ N(0, (-Laplacian + tau^2)^(-alpha)) with Neumann boundaries is drawn from its cosine
    series (n_modes per direction); a = values[1] where z >= 0 and values[0] elsewhere, as in Li et al. (2021).
    """
    n_samples = _check_positive_int("n_samples", n_samples)
    resolution = _check_positive_int("resolution", resolution)
    n_modes = _check_positive_int("n_modes", n_modes)
    if resolution < 3:
        raise ValueError(f"resolution must be at least 3 (two boundary nodes and one interior node), got {resolution}.")
    alpha = _check_positive_float("alpha", alpha)
    tau = _check_positive_float("tau", tau)
    low, high = (_check_positive_float("values", v) for v in values)
    rng = _check_rng(rng)
    x = np.linspace(0.0, 1.0, resolution)
    k = np.arange(n_modes)
    basis = np.cos(np.pi * np.outer(x, k))  # (resolution, n_modes)
    basis[:, 1:] *= np.sqrt(2)  # orthonormal cosines on [0, 1]
    eig = np.pi**2 * (k[:, None] ** 2 + k[None, :] ** 2) + tau**2
    std = eig ** (-alpha / 2)
    std[0, 0] = 0.0  # no constant mode: the threshold at zero splits the domain roughly in half
    xi = rng.standard_normal((n_samples, n_modes, n_modes)) * std
    z = np.einsum("ik,nkl,jl->nij", basis, xi, basis)
    return np.where(z >= 0, high, low)


def _harmonic(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return 2 * a * b / (a + b)


def _checked_forcing(a: np.ndarray, forcing: float | np.ndarray) -> np.ndarray:
    """Check that a > 0 and the forcing are finite; return the forcing broadcast to a's shape."""
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ValueError("the coefficient must be finite and strictly positive everywhere.")
    f = np.broadcast_to(np.asarray(forcing, dtype=float), a.shape)
    if not np.all(np.isfinite(f)):
        raise ValueError("the forcing contains NaN or inf.")
    return f


def solve_darcy_2d(coefficient: np.ndarray, forcing: float | np.ndarray = 1.0) -> np.ndarray:
    """Return u on the node grid of [0, 1]^2 solving -div(a grad u) = f, u = 0 on the boundary.

    coefficient: (s, s) or (n, s, s) values of a > 0 at the nodes x_i = i / (s - 1). Second-order
    five-point finite differences with harmonic-mean face coefficients; forcing is a number or an
    array of the coefficient's shape. The returned array has the coefficient's shape, zero on the boundary.
    """
    a = np.asarray(coefficient, dtype=float)
    if a.ndim == 3:
        f = np.broadcast_to(np.asarray(forcing, dtype=float), a.shape)
        return np.stack([solve_darcy_2d(a_i, f_i) for a_i, f_i in zip(a, f)])
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"coefficient must have shape (s, s) or (n, s, s), got {a.shape}.")
    s = a.shape[0]
    if s < 3:
        raise ValueError(f"the grid needs at least 3 nodes per side, got {s}.")
    f = _checked_forcing(a, forcing)
    h = 1.0 / (s - 1)
    m = s - 2  # interior nodes per side
    east = _harmonic(a[1:-1, 1:-1], a[1:-1, 2:])  # face (i, j+1/2)
    west = _harmonic(a[1:-1, 1:-1], a[1:-1, :-2])
    north = _harmonic(a[1:-1, 1:-1], a[2:, 1:-1])  # face (i+1/2, j)
    south = _harmonic(a[1:-1, 1:-1], a[:-2, 1:-1])
    index = np.arange(m * m).reshape(m, m)
    rows = [index.ravel()]
    cols = [index.ravel()]
    vals = [(east + west + north + south).ravel()]
    for coef, di, dj in ((east, 0, 1), (west, 0, -1), (north, 1, 0), (south, -1, 0)):
        i, j = np.meshgrid(np.arange(m), np.arange(m), indexing="ij")
        inside = (i + di >= 0) & (i + di < m) & (j + dj >= 0) & (j + dj < m)  # boundary neighbours are u = 0
        rows.append(index[inside])
        cols.append(index[i[inside] + di, j[inside] + dj])
        vals.append(-coef[inside])
    matrix = sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(m * m, m * m))
    u = np.zeros_like(a)
    u[1:-1, 1:-1] = spla.spsolve(matrix, h**2 * f[1:-1, 1:-1].ravel()).reshape(m, m)
    return u


def solve_darcy_1d(coefficient: np.ndarray, forcing: float | np.ndarray = 1.0) -> np.ndarray:
    """Return u on the nodes of [0, 1] solving -(a u')' = f, u(0) = u(1) = 0, for each row of coefficient.

    coefficient: (s,) or (n, s) values of a > 0 at x_i = i / (s - 1); harmonic-mean face values,
    second-order finite differences, one banded solve per row.
    """
    a = np.asarray(coefficient, dtype=float)
    if a.ndim == 2:
        f = np.broadcast_to(np.asarray(forcing, dtype=float), a.shape)
        return np.stack([solve_darcy_1d(a_i, f_i) for a_i, f_i in zip(a, f)])
    if a.ndim != 1:
        raise ValueError(f"coefficient must have shape (s,) or (n, s), got {a.shape}.")
    s = a.size
    if s < 3:
        raise ValueError(f"the grid needs at least 3 nodes, got {s}.")
    f = _checked_forcing(a, forcing)
    h = 1.0 / (s - 1)
    face = _harmonic(a[:-1], a[1:])  # face i + 1/2, i = 0..s-2
    diag = face[:-1] + face[1:]
    off = -face[1:-1]
    banded = np.zeros((3, s - 2))
    banded[0, 1:] = off
    banded[1] = diag
    banded[2, :-1] = off
    from scipy.linalg import solve_banded

    u = np.zeros(s)
    u[1:-1] = solve_banded((1, 1), banded, h**2 * f[1:-1])
    return u


def solve_darcy_1d_periodic(coefficient: np.ndarray, forcing: float | np.ndarray = 0.0) -> np.ndarray:
    """Return u on the periodic grid x_i = i / s of [0, 1) solving -(a u')' = f with mean(u) = 0, per row.

    coefficient: (s,) or (n, s) values of a > 0 at x_i = i / s (the grid of `sample_grf_1d`); forcing:
    a number or an array of the coefficient's shape. A periodic solution exists only when f has mean
    zero, so the mean of f is removed (a constant forcing therefore gives u = 0). Harmonic-mean face
    values and second-order finite differences, as in `solve_darcy_1d`; the mean-zero condition is
    imposed with a Lagrange multiplier.
    """
    a = np.asarray(coefficient, dtype=float)
    if a.ndim == 2:
        f = np.broadcast_to(np.asarray(forcing, dtype=float), a.shape)
        return np.stack([solve_darcy_1d_periodic(a_i, f_i) for a_i, f_i in zip(a, f)])
    if a.ndim != 1:
        raise ValueError(f"coefficient must have shape (s,) or (n, s), got {a.shape}.")
    s = a.size
    if s < 3:
        raise ValueError(f"the periodic grid needs at least 3 nodes, got {s}.")
    f = _checked_forcing(a, forcing)
    h = 1.0 / s
    right = _harmonic(a, np.roll(a, -1))  # face i + 1/2, wrapping around
    left = np.roll(right, 1)  # face i - 1/2
    i = np.arange(s)
    rows = np.concatenate([i, i, i, i, np.full(s, s)])
    cols = np.concatenate([i, (i + 1) % s, (i - 1) % s, np.full(s, s), i])
    vals = np.concatenate([left + right, -right, -left, np.ones(s), np.ones(s)])
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(s + 1, s + 1))  # last row/column: mean(u) = 0
    rhs = np.concatenate([h**2 * (f - f.mean()), [0.0]])
    return spla.spsolve(matrix, rhs)[:s]
