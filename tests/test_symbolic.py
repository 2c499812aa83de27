"""Tests for utils.symbolic: expression trees, their expansion into polynomials, argument checks."""

import numpy as np
import pytest
import sympy

from utils.symbolic import (
    depth,
    evaluate,
    format_polynomial,
    get_subtree,
    random_tree,
    replace_subtree,
    size,
    subtree_paths,
    to_polynomial,
    to_string,
    validate_tree,
)

X = ("x",)
HALF = ("c", 0.5)
QUADRATIC = ("mul", X, ("add", X, HALF))  # x (x + 0.5) = x^2 + 0.5 x


def test_known_tree_evaluates_and_expands():
    x = np.linspace(-1, 1, 7)
    np.testing.assert_allclose(evaluate(QUADRATIC, x), x**2 + 0.5 * x)
    np.testing.assert_allclose(to_polynomial(QUADRATIC), [0.0, 0.5, 1.0])
    assert to_string(QUADRATIC) == "(x * (x + 0.5))"
    assert size(QUADRATIC) == 5 and depth(QUADRATIC) == 3


def test_evaluate_acts_elementwise_on_any_shape():
    x = np.random.default_rng(0).uniform(-1, 1, (4, 3, 2))
    tree = ("sub", ("neg", ("mul", X, X)), ("c", -2.0))
    np.testing.assert_allclose(evaluate(tree, x), -(x**2) + 2.0)
    assert evaluate(("c", 1.5), x).shape == x.shape


def test_expansion_matches_evaluation_and_sympy_on_random_trees():
    rng = np.random.default_rng(1)
    x = np.linspace(-1.5, 1.5, 11)
    for _ in range(40):
        tree = random_tree(rng, 6)
        coeffs = to_polynomial(tree)
        values = np.polynomial.polynomial.polyval(x, coeffs)
        np.testing.assert_allclose(values, evaluate(tree, x), atol=1e-9)
        expanded = sympy.Poly(sympy.expand(sympy.sympify(to_string(tree))), sympy.Symbol("x"))
        reference = np.zeros(len(coeffs))
        for (power,), value in expanded.terms():
            reference[power] = float(value)
        np.testing.assert_allclose(coeffs, reference, atol=1e-9)


def test_random_tree_respects_depth_and_is_reproducible():
    trees = [random_tree(np.random.default_rng(3), 4) for _ in range(2)]
    assert trees[0] == trees[1]
    rng = np.random.default_rng(4)
    for _ in range(200):
        tree = random_tree(rng, 4)
        validate_tree(tree)
        assert depth(tree) <= 4
    assert random_tree(rng, 1)[0] in ("x", "c")


def test_paths_get_and_replace():
    paths = subtree_paths(QUADRATIC)
    assert len(paths) == size(QUADRATIC) and paths[0] == ()
    assert get_subtree(QUADRATIC, (2, 2)) == HALF
    replaced = replace_subtree(QUADRATIC, (2, 2), ("c", -1.0))
    np.testing.assert_allclose(to_polynomial(replaced), [0.0, -1.0, 1.0])
    assert replace_subtree(QUADRATIC, (), X) == X
    assert QUADRATIC == ("mul", X, ("add", X, HALF))  # the original is unchanged
    for path in paths:
        assert replace_subtree(QUADRATIC, path, get_subtree(QUADRATIC, path)) == QUADRATIC


def test_format_polynomial():
    assert format_polynomial([0.0, 0.5, 1.0]) == "1.00 x^2 + 0.50 x"
    assert format_polynomial([0.2, -1.0, 0.0, 1e-6]) == "-1.00 x + 0.20"
    assert format_polynomial([0.0]) == "0"


@pytest.mark.parametrize(
    "bad",
    [("y",), ("add", X), ("c", float("nan")), ("c", "1"), ["x"], ("neg", X, X), ("mul", X, ("z",))],
)
def test_validate_tree_rejects_malformed_trees(bad):
    with pytest.raises(ValueError, match="tree|constant|children"):
        validate_tree(bad)


def test_argument_checks_say_what_to_do():
    with pytest.raises(TypeError, match="default_rng"):
        random_tree(0, 3)
    with pytest.raises(ValueError, match="max_depth"):
        random_tree(np.random.default_rng(0), 0)
    with pytest.raises(ValueError, match="probability"):
        random_tree(np.random.default_rng(0), 3, p_leaf=1.5)
    with pytest.raises(ValueError, match="const_range"):
        random_tree(np.random.default_rng(0), 3, const_range=(1.0, -1.0))
    with pytest.raises(IndexError, match="does not lead"):
        get_subtree(QUADRATIC, (1, 1))
    with pytest.raises(IndexError, match="does not lead"):
        replace_subtree(QUADRATIC, (3,), X)
    with pytest.raises(ValueError, match="tree"):
        evaluate(("pow", X, X), np.ones(3))
    with pytest.raises(ValueError, match="1-D"):
        format_polynomial(np.ones((2, 2)))
