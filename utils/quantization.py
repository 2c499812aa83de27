"""Weight quantisers and bit accounting, for judging a compression scheme at equal bits.

- `uniform_quantize`: per-tensor min-max scalar quantisation to 2**bits levels;
- `weight_pairs` and `kmeans_vq`: group weights in consecutive pairs, and vector-quantise
  points with k-means (scikit-learn), the codebook learned from the data itself;
- `covering_radius`: the largest distance from a point of the unit square to a point set,
  estimated on a grid with a kd-tree (scipy);
- `pack_bits` / `unpack_bits`: store non-negative integers with a fixed number of bits each in a
  byte string, so compression ratios can be computed from real stored bytes.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree


def _as_weights(w, name: str = "w") -> np.ndarray:
    """Return w as a flat float64 array after checking it has finite entries."""
    arr = np.asarray(w, dtype=np.float64).ravel()
    if arr.size == 0:
        raise ValueError(f"{name} is empty: pass the weights of a tensor with at least one entry.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf: quantise a trained, finite tensor.")
    return arr


def _check_bits(bits, low: int, high: int, name: str = "bits") -> int:
    """Return bits as an int after checking low <= bits <= high."""
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number, got {bits!r}.")
    if not low <= bits <= high:
        raise ValueError(f"{name} must lie between {low} and {high}, got {bits}.")
    return int(bits)


def uniform_quantize(w, bits: int) -> np.ndarray:
    """Return w rounded to the nearest of 2**bits evenly spaced levels between its min and max."""
    bits = _check_bits(bits, 1, 24)
    arr = np.asarray(w, dtype=np.float64)
    flat = _as_weights(arr)
    lo, hi = flat.min(), flat.max()
    if hi == lo:
        return arr.copy()
    step = (hi - lo) / (2**bits - 1)
    return lo + np.round((arr - lo) / step) * step


def weight_pairs(w) -> np.ndarray:
    """Return the entries of w as consecutive pairs, shape (ceil(size / 2), 2), zero-padded."""
    flat = _as_weights(w)
    if flat.size % 2:
        flat = np.append(flat, 0.0)
    return flat.reshape(-1, 2)


def kmeans_vq(points, n_clusters: int, seed: int = 0, max_iter: int = 50):
    """Return (centroids, labels) of k-means (scikit-learn) on the rows of points, shape (m, d)."""
    from sklearn.cluster import KMeans

    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or len(pts) == 0 or not np.all(np.isfinite(pts)):
        raise ValueError(f"points must be a finite array of shape (m, d), got shape {pts.shape}.")
    n_clusters = _check_bits(n_clusters, 1, 2**20, "n_clusters")
    distinct, inverse = np.unique(pts, axis=0, return_inverse=True)
    if n_clusters >= len(distinct):
        return distinct, inverse.ravel()  # every point is its own centroid: nothing is lost
    km = KMeans(n_clusters=n_clusters, n_init=1, max_iter=max_iter, random_state=seed)
    labels = km.fit_predict(pts)
    return km.cluster_centers_, labels


def covering_radius(points, resolution: int = 400) -> float:
    """Return max over a resolution x resolution grid of [0, 1]^2 of the distance to `points`.

    The grid estimate is at most resolution**-1 / sqrt(2) below the true covering radius.
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) == 0:
        raise ValueError(f"points must have shape (n, 2) with n >= 1, got shape {pts.shape}.")
    resolution = _check_bits(resolution, 2, 5000, "resolution")
    ticks = np.linspace(0.0, 1.0, resolution)
    grid = np.stack(np.meshgrid(ticks, ticks), axis=-1).reshape(-1, 2)
    distances, _ = cKDTree(pts).query(grid)
    return float(distances.max())


def pack_bits(values, bits: int) -> bytes:
    """Return the integers in `values` (each in [0, 2**bits)) stored with `bits` bits apiece."""
    bits = _check_bits(bits, 1, 32)
    vals = np.asarray(values)
    if vals.ndim != 1 or not np.issubdtype(vals.dtype, np.integer):
        raise TypeError("values must be a one-dimensional array of integers (e.g. code indices).")
    if vals.size and (vals.min() < 0 or vals.max() >= 2**bits):
        raise ValueError(f"values must lie in [0, 2**{bits}); use more bits or smaller codes.")
    vals = vals.astype(np.uint64)
    shifts = np.arange(bits - 1, -1, -1, dtype=np.uint64)
    bit_matrix = ((vals[:, None] >> shifts) & np.uint64(1)).astype(np.uint8)  # (n, bits)
    return np.packbits(bit_matrix.ravel()).tobytes()


def unpack_bits(blob: bytes, bits: int, count: int) -> np.ndarray:
    """Return the `count` integers stored by `pack_bits(values, bits)` in `blob`."""
    bits = _check_bits(bits, 1, 32)
    count = _check_bits(count, 0, 2**40, "count")
    if len(blob) * 8 < bits * count:
        raise ValueError(f"blob holds {len(blob) * 8} bits, fewer than {bits} x {count} asked for.")
    flat = np.unpackbits(np.frombuffer(blob, dtype=np.uint8))[: bits * count]
    weights = 2 ** np.arange(bits - 1, -1, -1, dtype=np.int64)
    return flat.reshape(count, bits).astype(np.int64) @ weights
