"""PDE data on varying domains with an exact solution: Laplace's equation on conformal images of the disc.

Used by chapter 08 (Geo-FNO):

- `sample_shape_coefficients`: random coefficients of F(w) = w + sum_{k=2}^{degree} c_k w^k with
  sum_k k |c_k| <= strength < 1, which makes F one-to-one on the closed unit disc.
- `conformal_map`, `conformal_derivative`, `inverse_conformal_map`: F, F' and F^(-1) (Newton).
- `reference_point_cloud`: a fixed cloud of points in the unit disc (boundary ring plus interior).
- `laplace_dirichlet`: the exact solution of Laplace's equation on D = F(disc) with Dirichlet data
  g, through the disc's Fourier-Poisson series of g(F(e^{i theta})).
- `boundary_data`: the Dirichlet data g(x, y) = x^2 + 0.5 sin(3 y) used in the chapter.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "boundary_data",
    "conformal_derivative",
    "conformal_map",
    "inverse_conformal_map",
    "laplace_dirichlet",
    "reference_point_cloud",
    "sample_shape_coefficients",
]


def _check_positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _check_rng(rng: object) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}.")
    return rng


def _coefficients(coeffs: object) -> np.ndarray:
    """Return the Taylor coefficients as a complex (n_domains, degree - 1) array, checked to be one-to-one."""
    c = np.asarray(coeffs, dtype=complex)
    if c.ndim == 1:
        c = c[None, :]
    if c.ndim != 2 or c.shape[1] < 1:
        raise ValueError(f"coeffs must have shape (degree - 1,) or (n_domains, degree - 1), got {c.shape}: "
                         "column j holds the coefficient of w^(j + 2).")
    if not np.all(np.isfinite(c)):
        raise ValueError("coeffs must be finite.")
    powers = np.arange(2, c.shape[1] + 2)
    if np.any(np.abs(c) @ powers >= 1):
        raise ValueError("need sum_k k |c_k| < 1 for F(w) = w + sum_k c_k w^k to be one-to-one on the disc; "
                         "draw the coefficients with sample_shape_coefficients.")
    return c


def sample_shape_coefficients(
    n_domains: int, rng: np.random.Generator, degree: int = 3, strength: float = 0.9
) -> np.ndarray:
    """Return complex coefficients (n_domains, degree - 1) of F(w) = w + sum_{k=2}^{degree} c_k w^k.

    The total strength t = sum_k k |c_k| is uniform on [0, strength] and is split among the powers
    by a uniform (Dirichlet(1, ..., 1)) draw; the phases are uniform. Then Re F'(w) >= 1 - t > 0 on
    the disc, so F is one-to-one there (the Noshiro-Warschawski theorem).
    """
    n_domains = _check_positive_int("n_domains", n_domains)
    degree = _check_positive_int("degree", degree)
    if degree < 2:
        raise ValueError(f"degree must be at least 2 (F(w) = w + c_2 w^2 + ...), got {degree}.")
    rng = _check_rng(rng)
    if not 0 < float(strength) < 1:
        raise ValueError(f"strength must lie in (0, 1) so that the maps stay one-to-one, got {strength!r}.")
    total = strength * rng.random(n_domains)
    split = rng.dirichlet(np.ones(degree - 1), size=n_domains)  # (n_domains, degree - 1), rows sum to 1
    phase = 2 * np.pi * rng.random((n_domains, degree - 1))
    powers = np.arange(2, degree + 1)
    return (total[:, None] * split / powers) * np.exp(1j * phase)


def conformal_map(w: np.ndarray, coeffs: object) -> np.ndarray:
    """Return F(w) = w + sum_k c_k w^k (complex), shaped (n_domains, n); w is (n,) or (n_domains, n)."""
    c = _coefficients(coeffs)
    w = np.asarray(w, dtype=complex)
    z = np.zeros(np.broadcast_shapes(w.shape, (len(c), 1)), dtype=complex)
    for j in range(c.shape[1] - 1, -1, -1):  # Horner: F(w) = w (1 + w (c_2 + w (c_3 + ...)))
        z = (z + c[:, j : j + 1]) * w
    return (z + 1) * w


def conformal_derivative(w: np.ndarray, coeffs: object) -> np.ndarray:
    """Return F'(w) = 1 + sum_k k c_k w^(k-1), shaped (n_domains, n)."""
    c = _coefficients(coeffs)
    w = np.asarray(w, dtype=complex)
    d = np.zeros(np.broadcast_shapes(w.shape, (len(c), 1)), dtype=complex)
    for j in range(c.shape[1] - 1, -1, -1):
        d = (d + (j + 2) * c[:, j : j + 1]) * w
    return d + 1


def inverse_conformal_map(z: np.ndarray, coeffs: object, n_iter: int = 60) -> np.ndarray:
    """Return w with F(w) = z by Newton's method started at w = z, shaped (n_domains, n).

    Meant for points of D = F(disc) or near it; check |w| <= 1 to test membership.
    Raises if Newton has not converged to 1e-12.
    """
    c = _coefficients(coeffs)
    n_iter = _check_positive_int("n_iter", n_iter)
    z = np.broadcast_to(np.asarray(z, dtype=complex), np.broadcast_shapes(np.shape(z), (len(c), 1))).copy()
    w = z.copy()
    for _ in range(n_iter):
        w = w - (conformal_map(w, c) - z) / conformal_derivative(w, c)
    if not np.all(np.abs(conformal_map(w, c) - z) < 1e-12 * (1 + np.abs(z))):
        raise RuntimeError("Newton's method did not converge for some points: are they far outside the domain?")
    return w


def reference_point_cloud(n_boundary: int, n_interior: int, rng: np.random.Generator) -> np.ndarray:
    """Return complex points (n_boundary + n_interior,) in the closed unit disc, boundary ring first.

    The ring has equally spaced points on |w| = 1; the interior points follow a sunflower spiral
    (uniform density in area, radius at most 0.97), each moved by a small random jitter.
    """
    n_boundary = _check_positive_int("n_boundary", n_boundary)
    n_interior = _check_positive_int("n_interior", n_interior)
    rng = _check_rng(rng)
    ring = np.exp(2j * np.pi * np.arange(n_boundary) / n_boundary)
    index = np.arange(n_interior) + 0.5
    radius = 0.97 * np.sqrt(index / n_interior)
    angle = index * np.pi * (3 - np.sqrt(5))  # the golden angle
    jitter = 0.3 * 0.97 / np.sqrt(n_interior) * (rng.random(n_interior) - 0.5)
    interior = np.clip(radius + jitter, 0.0, 0.97) * np.exp(1j * angle)
    return np.concatenate([ring, interior])


def boundary_data(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return the chapter's Dirichlet data g(x, y) = x^2 + 0.5 sin(3 y)."""
    return np.asarray(x) ** 2 + 0.5 * np.sin(3 * np.asarray(y))


def laplace_dirichlet(
    w: np.ndarray,
    coeffs: object,
    g: Callable[[np.ndarray, np.ndarray], np.ndarray] = boundary_data,
    n_boundary: int = 256,
) -> np.ndarray:
    """Return u(F(w)) where Laplace(u) = 0 in D = F(disc) and u = g on the boundary of D.

    w: complex points in the closed unit disc, (n,) or (n_domains, n); coeffs: as for conformal_map.
    u o F is harmonic in the disc with boundary values h(theta) = g(F(e^{i theta})), so
    u(F(r e^{i theta})) = sum_k h_k r^|k| e^{i k theta} (the Fourier-Poisson series), with the
    h_k computed by the FFT of h at n_boundary angles; the sum is Re(h_0 + 2 sum_{k>0} h_k w^k).
    Returns real values (n_domains, n).
    """
    c = _coefficients(coeffs)
    n_boundary = _check_positive_int("n_boundary", n_boundary)
    if n_boundary < 8 or n_boundary % 2:
        raise ValueError(f"n_boundary must be an even number >= 8, got {n_boundary}.")
    w = np.asarray(w, dtype=complex)
    if w.ndim not in (1, 2):
        raise ValueError(f"w must have shape (n,) or (n_domains, n), got {w.shape}.")
    if np.any(np.abs(w) > 1 + 1e-12):
        raise ValueError("all points w must lie in the closed unit disc |w| <= 1.")
    if w.ndim == 2 and len(w) != len(c):
        raise ValueError(f"w has {len(w)} rows but there are {len(c)} domains: give one row per domain, or one row.")
    w_b = np.broadcast_to(w, (len(c), w.shape[-1]))
    theta = 2 * np.pi * np.arange(n_boundary) / n_boundary
    edge = conformal_map(np.exp(1j * theta), c)  # (n_domains, n_boundary)
    h = np.asarray(g(edge.real, edge.imag), dtype=float)  # (n_domains, n_boundary)
    coeff = np.fft.rfft(h, axis=-1) / n_boundary  # h_k for k = 0 .. n_boundary / 2
    coeff[:, 1:-1] *= 2  # real series: h_0 + sum_{k >= 1} 2 Re(h_k e^{i k theta})
    coeff[:, -1] = 0.0  # drop the Nyquist term (it is at round-off for smooth data)
    # r^k e^{i k theta} = w^k: the series is Re of a power series in w, summed by Horner's rule.
    u = np.zeros(w_b.shape, dtype=complex)
    for k in range(coeff.shape[-1] - 1, -1, -1):
        u = u * w_b + coeff[:, k : k + 1]
    return u.real
