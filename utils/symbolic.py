"""Expression trees in one variable, for the vectorised symbolic regression of chapter 01.

A tree is a nested tuple:

- ``("x",)`` is the variable,
- ``("c", value)`` is a constant,
- ``("neg", a)`` is ``-a``,
- ``("add", a, b)``, ``("sub", a, b)``, ``("mul", a, b)`` are ``a + b``, ``a - b``, ``a * b``.

With these operators every tree is a polynomial in x. `evaluate` applies a tree elementwise to an
array of any shape (so one tree acts on every input variable at once), `to_polynomial` expands it
into ascending coefficients, and `subtree_paths`, `get_subtree` and `replace_subtree` are what a
genetic algorithm needs for crossover and mutation. The genetic algorithm itself is in the chapter.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "ARITY",
    "depth",
    "evaluate",
    "format_polynomial",
    "get_subtree",
    "random_tree",
    "replace_subtree",
    "size",
    "subtree_paths",
    "to_polynomial",
    "to_string",
    "validate_tree",
]

# Number of children of each node type ("x" and "c" are leaves).
ARITY = {"x": 0, "c": 0, "neg": 1, "add": 2, "sub": 2, "mul": 2}
_SYMBOL = {"add": "+", "sub": "-", "mul": "*"}


def validate_tree(tree: object) -> None:
    """Raise ValueError, saying what is wrong, unless `tree` is a well-formed expression tree."""
    if not isinstance(tree, tuple) or not tree or tree[0] not in ARITY:
        raise ValueError(
            f"not an expression tree: {tree!r}. A tree is a tuple whose first entry is one of "
            f"{sorted(ARITY)}, e.g. ('mul', ('x',), ('c', 0.5))."
        )
    kind = tree[0]
    if kind == "c":
        value = tree[1] if len(tree) == 2 else None
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise ValueError(f"a constant is ('c', number), got {tree!r}.")
        if not math.isfinite(float(tree[1])):
            raise ValueError(f"a constant must be finite, got {tree!r}.")
        return
    if len(tree) != 1 + ARITY[kind]:
        raise ValueError(
            f"node {kind!r} takes {ARITY[kind]} children, got {len(tree) - 1} in {tree!r}."
        )
    for child in tree[1:]:
        validate_tree(child)


def _check_depth(max_depth: object) -> int:
    if isinstance(max_depth, bool) or not isinstance(max_depth, (int, np.integer)) or max_depth < 1:
        raise ValueError(
            f"max_depth must be a positive integer (1 means a single leaf), got {max_depth!r}."
        )
    return int(max_depth)


def random_tree(
    rng: np.random.Generator,
    max_depth: int,
    p_leaf: float = 0.3,
    p_variable: float = 0.7,
    p_neg: float = 0.1,
    const_range: tuple[float, float] = (-1.0, 1.0),
) -> tuple:
    """Return a random tree of depth at most `max_depth` ("grow" initialisation).

    At each node: a leaf with probability `p_leaf` (always at the depth limit), which is the
    variable with probability `p_variable` and otherwise a constant drawn uniformly from
    `const_range` and rounded to two decimals; else `neg` with probability `p_neg`, else one of
    add, sub, mul with equal probability.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy Generator (np.random.default_rng(seed)), "
            f"got {type(rng).__name__}."
        )
    max_depth = _check_depth(max_depth)
    for name, p in (("p_leaf", p_leaf), ("p_variable", p_variable), ("p_neg", p_neg)):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{name} must be a probability in [0, 1], got {p!r}.")
    low, high = const_range
    if not low < high:
        raise ValueError(f"const_range must be (low, high) with low < high, got {const_range!r}.")

    def grow(budget: int) -> tuple:
        if budget == 1 or rng.random() < p_leaf:
            if rng.random() < p_variable:
                return ("x",)
            return ("c", round(float(rng.uniform(low, high)), 2))
        if rng.random() < p_neg:
            return ("neg", grow(budget - 1))
        op = ("add", "sub", "mul")[int(rng.integers(3))]
        return (op, grow(budget - 1), grow(budget - 1))

    return grow(max_depth)


def evaluate(tree: tuple, x: np.ndarray) -> np.ndarray:
    """Apply the tree elementwise to the array x (any shape); return an array of x's shape."""
    x = np.asarray(x, dtype=float)
    kind = tree[0]
    if kind == "x":
        return x
    if kind == "c":
        return np.full_like(x, float(tree[1]))
    if kind == "neg":
        return -evaluate(tree[1], x)
    if kind not in _SYMBOL:
        validate_tree(tree)  # raises with a message saying what is wrong
    a, b = evaluate(tree[1], x), evaluate(tree[2], x)
    if kind == "add":
        return a + b
    if kind == "sub":
        return a - b
    return a * b


def to_polynomial(tree: tuple) -> np.ndarray:
    """Return the tree expanded as a polynomial: coefficients c_0, c_1, ... of 1, x, x^2, ..."""
    P = np.polynomial.polynomial
    kind = tree[0]
    if kind == "x":
        return np.array([0.0, 1.0])
    if kind == "c":
        return np.array([float(tree[1])])
    if kind == "neg":
        return -to_polynomial(tree[1])
    if kind not in _SYMBOL:
        validate_tree(tree)
    a, b = to_polynomial(tree[1]), to_polynomial(tree[2])
    if kind == "add":
        return P.polyadd(a, b)
    if kind == "sub":
        return P.polysub(a, b)
    return P.polymul(a, b)


def to_string(tree: tuple) -> str:
    """Return the tree as a fully bracketed infix formula in x, e.g. '(x * (x + 0.5))'."""
    kind = tree[0]
    if kind == "x":
        return "x"
    if kind == "c":
        return f"({float(tree[1])!r})" if float(tree[1]) < 0 else repr(float(tree[1]))
    if kind == "neg":
        return f"(-{to_string(tree[1])})"
    if kind not in _SYMBOL:
        validate_tree(tree)
    return f"({to_string(tree[1])} {_SYMBOL[kind]} {to_string(tree[2])})"


def size(tree: tuple) -> int:
    """Return the number of nodes of the tree."""
    return 1 + sum(size(child) for child in tree[1:] if isinstance(child, tuple))


def depth(tree: tuple) -> int:
    """Return the depth of the tree (a single leaf has depth 1)."""
    return 1 + max((depth(child) for child in tree[1:] if isinstance(child, tuple)), default=0)


def subtree_paths(tree: tuple) -> list[tuple[int, ...]]:
    """Return the path of every node, root first: the child indices (1-based, as in the tuple)."""
    paths = [()]
    for index, child in enumerate(tree[1:], start=1):
        if isinstance(child, tuple):
            paths += [(index, *path) for path in subtree_paths(child)]
    return paths


def get_subtree(tree: tuple, path: tuple[int, ...]) -> tuple:
    """Return the subtree at `path` (see `subtree_paths`)."""
    node = tree
    for index in path:
        if not 1 <= index < len(node) or not isinstance(node[index], tuple):
            raise IndexError(f"path {path!r} does not lead to a node of {to_string(tree)}.")
        node = node[index]
    return node


def replace_subtree(tree: tuple, path: tuple[int, ...], new: tuple) -> tuple:
    """Return a copy of the tree with the subtree at `path` replaced by `new`."""
    if not path:
        return new
    index = path[0]
    if not 1 <= index < len(tree) or not isinstance(tree[index], tuple):
        raise IndexError(f"path {path!r} does not lead to a node of {to_string(tree)}.")
    return tree[:index] + (replace_subtree(tree[index], path[1:], new),) + tree[index + 1 :]


def format_polynomial(coeffs: np.ndarray, digits: int = 2, tol: float = 5e-3) -> str:
    """Return the polynomial with ascending coefficients `coeffs` as text, highest power first.

    Terms whose coefficient is below `tol` times the largest in magnitude are left out.
    """
    coeffs = np.asarray(coeffs, dtype=float)
    if coeffs.ndim != 1 or not coeffs.size:
        raise ValueError(
            "coeffs must be a non-empty 1-D array of ascending coefficients, "
            f"got shape {coeffs.shape}."
        )
    scale = np.max(np.abs(coeffs))
    terms = []
    for power in range(len(coeffs) - 1, -1, -1):
        c = coeffs[power]
        if scale == 0 or abs(c) < tol * scale:
            continue
        monomial = "" if power == 0 else "x" if power == 1 else f"x^{power}"
        number = f"{abs(c):.{digits}f}"
        body = f"{number} {monomial}".strip()
        terms.append(("- " if c < 0 else "+ ") + body)
    if not terms:
        return "0"
    text = " ".join(terms)
    return text[2:] if text.startswith("+ ") else "-" + text[2:]
