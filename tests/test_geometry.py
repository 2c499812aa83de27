"""Unit tests for utils/geometry.py: conformal maps of the disc and the exact Laplace solution on them."""

import numpy as np
import pytest

from utils.geometry import (
    boundary_data,
    conformal_derivative,
    conformal_map,
    inverse_conformal_map,
    laplace_dirichlet,
    reference_point_cloud,
    sample_shape_coefficients,
)


@pytest.fixture
def shapes():
    rng = np.random.default_rng(0)
    return sample_shape_coefficients(20, rng, degree=4), reference_point_cloud(32, 200, rng)


def test_coefficients_keep_the_maps_one_to_one():
    c = sample_shape_coefficients(500, np.random.default_rng(1), degree=5, strength=0.9)
    assert c.shape == (500, 4)
    assert np.all(np.abs(c) @ np.arange(2, 6) <= 0.9 + 1e-12)
    w = np.exp(2j * np.pi * np.linspace(0, 1, 400)) * np.linspace(0, 1, 400)
    assert np.all(conformal_derivative(w, c).real > 0)  # Noshiro-Warschawski: Re F' > 0 on the disc


def test_map_and_derivative_are_the_polynomial(shapes):
    c, w = shapes
    z = conformal_map(w, c)
    powers = np.arange(2, c.shape[1] + 2)
    expected = w + np.einsum("dk,nk->dn", c, w[:, None] ** powers)
    np.testing.assert_allclose(z, expected, atol=1e-14)
    h = 1e-6
    numeric = (conformal_map(w + h, c) - conformal_map(w - h, c)) / (2 * h)
    np.testing.assert_allclose(conformal_derivative(w, c), numeric, atol=1e-8)


def test_inverse_map_recovers_the_reference_points(shapes):
    c, w = shapes
    np.testing.assert_allclose(inverse_conformal_map(conformal_map(w, c), c), np.broadcast_to(w, (len(c), w.size)),
                               atol=1e-12)


def test_point_cloud_lies_in_the_disc_with_its_ring_first():
    w = reference_point_cloud(16, 100, np.random.default_rng(2))
    assert w.shape == (116,)
    np.testing.assert_allclose(np.abs(w[:16]), 1.0)
    assert np.all(np.abs(w[16:]) < 1)


def test_harmonic_boundary_data_is_reproduced_inside(shapes):
    c, w = shapes
    z = conformal_map(w, c)
    u = laplace_dirichlet(w, c, g=lambda x, y: x**3 - 3 * x * y**2 + 2 * y)  # Re(z^3) + 2 Im(z): harmonic
    np.testing.assert_allclose(u, z.real**3 - 3 * z.real * z.imag**2 + 2 * z.imag, atol=1e-12)


def test_solution_meets_the_boundary_data_and_converges(shapes):
    c, w = shapes
    z = conformal_map(w, c)
    u = laplace_dirichlet(w, c)
    np.testing.assert_allclose(u[:, :32], boundary_data(z[:, :32].real, z[:, :32].imag), atol=1e-12)
    np.testing.assert_allclose(laplace_dirichlet(w, c, n_boundary=512), u, atol=1e-12)
    assert np.abs(laplace_dirichlet(w, c, n_boundary=16) - u).max() > 1e-6  # too few angles is visibly wrong


def test_solution_is_harmonic_by_finite_differences():
    c = np.array([[0.1 + 0.2j, -0.05j]])
    z0 = conformal_map(np.array([0.3 + 0.1j]), c)[0, 0]
    h = 1e-3
    stencil = z0 + h * np.array([0, 1, -1, 1j, -1j])
    w = inverse_conformal_map(stencil, c)
    u = laplace_dirichlet(w[0], c)[0]
    laplacian = (u[1:].sum() - 4 * u[0]) / h**2
    assert abs(laplacian) < 1e-4


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: sample_shape_coefficients(0, np.random.default_rng(0)), "positive integer"),
        (lambda: sample_shape_coefficients(3, np.random.default_rng(0), strength=1.0), "strength"),
        (lambda: sample_shape_coefficients(3, np.random.default_rng(0), degree=1), "degree"),
        (lambda: sample_shape_coefficients(3, 0), "numpy Generator"),
        (lambda: conformal_map(np.zeros(3), np.array([[0.6, 0.0]])), "one-to-one"),
        (lambda: conformal_map(np.zeros(3), np.zeros((2, 2, 2))), "shape"),
        (lambda: laplace_dirichlet(np.array([1.5 + 0j]), np.array([[0.1, 0.1]])), "unit disc"),
        (lambda: laplace_dirichlet(np.zeros(3), np.array([[0.1, 0.1]]), n_boundary=7), "even"),
        (lambda: laplace_dirichlet(np.zeros((3, 4)), np.zeros((2, 1))), "rows"),
        (lambda: reference_point_cloud(8, -1, np.random.default_rng(0)), "positive integer"),
    ],
)
def test_arguments_are_validated(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
