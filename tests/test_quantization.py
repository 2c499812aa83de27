"""Unit tests for utils.quantization: quantisers, covering radius and bit packing."""

import numpy as np
import pytest

from utils.quantization import (
    covering_radius,
    kmeans_vq,
    pack_bits,
    uniform_quantize,
    unpack_bits,
    weight_pairs,
)


def test_uniform_quantize_levels_and_error():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((40, 30))
    q = uniform_quantize(w, 3)
    assert q.shape == w.shape
    assert len(np.unique(q)) <= 8
    step = (w.max() - w.min()) / 7
    assert np.abs(q - w).max() <= step / 2 + 1e-12
    assert q.min() == pytest.approx(w.min()) and q.max() == pytest.approx(w.max())
    # the error of a uniform quantiser on a smooth density is close to step / sqrt(12)
    q8 = uniform_quantize(w, 8)
    step8 = (w.max() - w.min()) / 255
    assert np.sqrt(np.mean((q8 - w) ** 2)) == pytest.approx(step8 / np.sqrt(12), rel=0.1)


def test_uniform_quantize_constant_and_bad_bits():
    assert np.array_equal(uniform_quantize(np.ones(5), 4), np.ones(5))
    with pytest.raises(ValueError, match="between"):
        uniform_quantize(np.ones(5), 0)
    with pytest.raises(TypeError, match="whole number"):
        uniform_quantize(np.ones(5), 2.5)
    with pytest.raises(ValueError, match="NaN"):
        uniform_quantize(np.array([1.0, np.nan]), 4)


def test_weight_pairs_pads_odd_sizes():
    assert weight_pairs(np.arange(5.0)).tolist() == [[0, 1], [2, 3], [4, 0]]
    assert weight_pairs(np.arange(4.0).reshape(2, 2)).shape == (2, 2)


def test_kmeans_vq_uses_at_most_k_centroids():
    rng = np.random.default_rng(1)
    pairs = weight_pairs(rng.standard_normal(1001))
    centroids, labels = kmeans_vq(pairs, 16, seed=0)
    assert centroids.shape == (16, 2) and labels.shape == (len(pairs),)
    err_16 = np.mean((centroids[labels] - pairs) ** 2)
    c64, l64 = kmeans_vq(pairs, 64, seed=0)
    assert np.mean((c64[l64] - pairs) ** 2) < err_16 < np.var(pairs)
    # as many clusters as points: lossless
    c, lab = kmeans_vq(pairs[:5], 5)
    assert np.allclose(c[lab], pairs[:5])
    with pytest.raises(ValueError, match="shape"):
        kmeans_vq(np.zeros(4), 2)


def test_covering_radius_of_a_square_grid():
    k = 10
    ticks = (np.arange(k) + 0.5) / k
    grid = np.stack(np.meshgrid(ticks, ticks), axis=-1).reshape(-1, 2)
    # cell centres of a k x k grid: the farthest points are the cell corners, at h / sqrt(2)
    assert covering_radius(grid, resolution=401) == pytest.approx(np.sqrt(2) / (2 * k), rel=1e-6)
    assert covering_radius(np.array([[0.0, 0.0]]), 50) == pytest.approx(np.sqrt(2))
    with pytest.raises(ValueError, match="shape"):
        covering_radius(np.zeros((3, 3)))


def test_pack_unpack_round_trip_and_size():
    rng = np.random.default_rng(2)
    for bits in (1, 5, 12, 13, 31):
        vals = rng.integers(0, 2**bits, size=101)
        blob = pack_bits(vals, bits)
        assert len(blob) == -(-101 * bits // 8)
        assert np.array_equal(unpack_bits(blob, bits, 101), vals)
    with pytest.raises(ValueError, match="more bits"):
        pack_bits(np.array([4]), 2)
    with pytest.raises(TypeError, match="integers"):
        pack_bits(np.array([1.0]), 2)
    with pytest.raises(ValueError, match="fewer"):
        unpack_bits(b"\x00", 8, 2)
