"""Unit tests for utils/amr.py: exact element errors, the refinement environment, the optimum."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.integrate import quad

from utils.amr import (
    FrontProblems,
    RefinementEnv,
    front,
    local_energy_error_sq,
    optimal_dyadic_error,
    sample_front_problems,
    snapshot_times,
    uniform_error,
    window_energy_error_sq,
)


def quad_energy_error_sq(a, b, c, w):
    """Squared energy error of linear interpolation by adaptive quadrature (independent reference)."""
    slope = (front(b, c, w) - front(a, c, w)) / (b - a)
    inside = [c] if a < c < b else None
    value, _ = quad(lambda x: (1 / np.cosh((x - c) / w) ** 2 / w - slope) ** 2, a, b, points=inside, limit=400, epsabs=1e-13)
    return value


@pytest.mark.parametrize(("a", "b", "c", "w"), [(0.0, 0.25, 0.43, 0.01), (0.4, 0.5, 0.43, 0.01), (0.2, 0.9, 0.5, 0.003), (0.6, 0.61, 0.2, 0.03)])
def test_local_error_matches_quadrature(a, b, c, w):
    assert local_energy_error_sq(a, b, c, w) == pytest.approx(quad_energy_error_sq(a, b, c, w), rel=1e-8, abs=1e-14)


def test_refinement_never_increases_the_energy_error():
    # In 1-D the interpolant is the energy-norm projection, so adding a node cannot increase the error.
    rng = np.random.default_rng(0)
    a, b = np.sort(rng.random((2, 200)), axis=0)
    c, w = rng.random(200), 10 ** rng.uniform(-3, -1, 200)
    m = 0.5 * (a + b)
    parent = local_energy_error_sq(a, b, c, w)
    children = local_energy_error_sq(a, m, c, w) + local_energy_error_sq(m, b, c, w)
    assert np.all(children <= parent * (1 + 1e-9) + 1e-12)


def test_local_error_rejects_empty_elements():
    with pytest.raises(ValueError, match="right > left"):
        local_energy_error_sq(0.5, 0.5, 0.3, 0.01)


def test_window_error_without_shift_is_the_instantaneous_error():
    a, b = np.array([[0.0, 0.3]]), np.array([[0.3, 1.0]])
    inst = local_energy_error_sq(a, b, 0.4, 0.02)
    win = window_energy_error_sq(a, b, np.array([0.4]), np.array([0.02]), np.array([0.0]))
    np.testing.assert_allclose(win, inst, rtol=1e-14)


def test_window_error_averages_snapshots():
    a, b = np.array([[0.2]]), np.array([[0.5]])
    times = snapshot_times(4)
    np.testing.assert_allclose(times, [0.125, 0.375, 0.625, 0.875])
    expected = np.mean([local_energy_error_sq(0.2, 0.5, 0.3 + 0.1 * t, 0.01) for t in times])
    got = window_energy_error_sq(a, b, np.array([0.3]), np.array([0.01]), np.array([0.1]), n_times=4)
    assert got[0, 0] == pytest.approx(expected, rel=1e-13)


def test_sample_front_problems_ranges_and_static_fraction():
    p = sample_front_problems(np.random.default_rng(1), 2000, static_fraction=0.5)
    assert len(p) == 2000
    assert np.all((p.center >= 0.15) & (p.center <= 0.65))
    assert np.all((p.width >= 0.003) & (p.width <= 0.03))
    assert 0.45 < np.mean(p.shift == 0) < 0.55
    with pytest.raises(ValueError, match="static_fraction"):
        sample_front_problems(np.random.default_rng(1), 3, static_fraction=2.0)
    with pytest.raises(TypeError, match="Generator"):
        sample_front_problems(0, 3)


def test_problems_validate_and_repeat():
    with pytest.raises(ValueError, match="one length"):
        FrontProblems([0.1, 0.2], [0.01], [0.0])
    with pytest.raises(ValueError, match="positive"):
        FrontProblems([0.1], [0.0], [0.0])
    p = FrontProblems([0.1, 0.2], [0.01, 0.02], [0.0, 0.1]).repeat(3)
    np.testing.assert_allclose(p.center, [0.1] * 3 + [0.2] * 3)
    np.testing.assert_allclose(p.with_shift(0.05).shift, 0.05)


def test_environment_keeps_a_sorted_partition_and_correct_errors():
    rng = np.random.default_rng(2)
    problems = sample_front_problems(rng, 5)
    env = RefinementEnv(problems, n_initial=4, budget=12)
    assert env.n_elements == 4 and not env.done
    for step in range(12):
        env.step(rng.integers(0, env.n_elements, size=5))
        assert env.n_elements == 5 + step
        np.testing.assert_allclose(env.left[:, 0], 0.0)
        np.testing.assert_allclose(env.right[:, -1], 1.0)
        np.testing.assert_array_equal(env.right[:, :-1], env.left[:, 1:])
    assert env.done
    p = problems
    expected_window = window_energy_error_sq(env.left, env.right, p.center, p.width, p.shift)
    np.testing.assert_allclose(env.window_error_sq, expected_window, rtol=1e-12)
    np.testing.assert_allclose(env.indicator, local_energy_error_sq(env.left, env.right, p.center[:, None], p.width[:, None]))
    np.testing.assert_allclose(env.error(), np.sqrt(expected_window.sum(1)))


def test_environment_bisects_the_chosen_element():
    env = RefinementEnv(FrontProblems([0.3], [0.01], [0.0]), n_initial=2, budget=2)
    env.step(np.array([1]))
    np.testing.assert_allclose(env.left[0], [0.0, 0.5, 0.75])
    env.step(np.array([0]))
    np.testing.assert_allclose(env.left[0], [0.0, 0.25, 0.5, 0.75])


def test_environment_validates_actions_and_budget():
    env = RefinementEnv(FrontProblems([0.3, 0.4], [0.01, 0.01], [0.0, 0.0]), n_initial=4, budget=1)
    with pytest.raises(ValueError, match="integer element indices"):
        env.step(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="integer element indices"):
        env.step(np.array([0]))
    with pytest.raises(ValueError, match=r"0\.\.3"):
        env.step(np.array([0, 4]))
    env.step(np.array([0, 3]))
    with pytest.raises(RuntimeError, match="budget"):
        env.step(np.array([0, 0]))
    with pytest.raises(ValueError, match="n_initial"):
        RefinementEnv(FrontProblems([0.3], [0.01], [0.0]), n_initial=0, budget=1)
    with pytest.raises(TypeError, match="FrontProblems"):
        RefinementEnv(None, n_initial=2, budget=1)


def test_uniform_error_matches_an_unrefined_environment():
    p = sample_front_problems(np.random.default_rng(3), 4)
    np.testing.assert_allclose(uniform_error(p, 6), RefinementEnv(p, n_initial=6, budget=1).error())


def brute_force_optimum(c, w, d, n_initial, budget):
    """Best error over every sequence of `budget` bisections (tiny cases only)."""
    problems = FrontProblems([c], [w], [d])
    best = np.inf
    sizes = [n_initial + k for k in range(budget)]
    for actions in itertools.product(*(range(n) for n in sizes)):
        env = RefinementEnv(problems, n_initial, budget)
        for k in actions:
            env.step(np.array([k]))
        best = min(best, env.error()[0])
    return best


@pytest.mark.parametrize(("c", "w", "d"), [(0.3, 0.01, 0.0), (0.41, 0.005, 0.15)])
def test_optimal_dyadic_error_matches_brute_force(c, w, d):
    expected = brute_force_optimum(c, w, d, n_initial=2, budget=4)
    assert optimal_dyadic_error(c, w, d, n_initial=2, budget=4, max_depth=4) == pytest.approx(expected, rel=1e-12)


def test_optimal_dyadic_error_is_no_worse_than_greedy():
    problems = FrontProblems([0.37], [0.004], [0.1])
    env = RefinementEnv(problems, n_initial=4, budget=10)
    while not env.done:
        env.step(env.window_error_sq.argmax(axis=1))
    assert optimal_dyadic_error(0.37, 0.004, 0.1, n_initial=4, budget=10, max_depth=10) <= env.error()[0] * (1 + 1e-12)
