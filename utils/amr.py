"""Adaptive mesh refinement in 1-D (chapter 06): a moving tanh front, the exact energy error of
its piecewise-linear interpolant, and a batched refinement environment.

The target is u(x, t) = tanh((x - c - d t) / w) on [0, 1]: a front of width w that starts at c
and moves a distance d during one time window t in [0, 1] (d = 0 is the static problem). A mesh
is a sorted list of elements [left, right]; one action bisects one element. The error of a mesh is
the energy (H1-seminorm) error of the piecewise-linear interpolant of u, averaged over a few
snapshots of the window; for one element it has a closed form (eq. (2) of chapter 06).

Everything is vectorised over a batch of independent problems, which all hold the same number of
elements at every step, so that a policy can be evaluated on many meshes at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FrontProblems:
    """A batch of moving-front problems: centre c, width w and shift d, each of shape (E,)."""

    center: np.ndarray
    width: np.ndarray
    shift: np.ndarray

    def __post_init__(self) -> None:
        arrays = [np.atleast_1d(np.asarray(v, dtype=float)) for v in (self.center, self.width, self.shift)]
        shapes = {a.shape for a in arrays}
        if len(shapes) != 1 or arrays[0].ndim != 1:
            raise ValueError(f"center, width and shift must be 1-D arrays of one length, got shapes {sorted(shapes)}.")
        if np.any(arrays[1] <= 0):
            raise ValueError("every front width must be positive.")
        for name, value in zip(("center", "width", "shift"), arrays):
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.center)

    def repeat(self, k: int) -> FrontProblems:
        """Return the batch with each problem repeated k times in a row (for k rollouts each)."""
        if not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}.")
        return FrontProblems(*(np.repeat(v, k) for v in (self.center, self.width, self.shift)))

    def with_shift(self, shift: float) -> FrontProblems:
        """Return the same fronts, all moving the given distance per window."""
        return FrontProblems(self.center, self.width, np.full(len(self), float(shift)))


def sample_front_problems(
    rng: np.random.Generator,
    n: int,
    static_fraction: float = 0.0,
    center_range: tuple[float, float] = (0.15, 0.65),
    width_range: tuple[float, float] = (0.003, 0.03),
    shift_range: tuple[float, float] = (0.0, 0.2),
) -> FrontProblems:
    """Return n random problems: centre uniform, width log-uniform, shift uniform (or 0 with
    probability static_fraction)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy Generator, e.g. np.random.default_rng(0).")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    if not 0.0 <= static_fraction <= 1.0:
        raise ValueError(f"static_fraction must lie in [0, 1], got {static_fraction}.")
    if not 0 < width_range[0] <= width_range[1]:
        raise ValueError(f"width_range must be (low, high) with 0 < low <= high, got {width_range}.")
    center = rng.uniform(*center_range, n)
    width = np.exp(rng.uniform(np.log(width_range[0]), np.log(width_range[1]), n))
    shift = rng.uniform(*shift_range, n)
    shift = np.where(rng.random(n) < static_fraction, 0.0, shift)
    return FrontProblems(center, width, shift)


def front(x, center, width):
    """Return tanh((x - center) / width)."""
    return np.tanh((np.asarray(x, dtype=float) - center) / width)


def _antiderivative_of_sech4(s):
    """Return tanh(s) - tanh(s)^3 / 3, an antiderivative of sech(s)^4."""
    t = np.tanh(s)
    return t - t**3 / 3


def local_energy_error_sq(left, right, center, width):
    """Return the squared energy error of linear interpolation of the front on [left, right].

    With u = tanh((x - c) / w) and s = (x - c) / w, the error is the integral of u'^2 minus
    (u(right) - u(left))^2 / h, and the integral of u'^2 is (1/w) [tanh s - tanh^3 s / 3]
    (eq. (2) of chapter 06). Broadcasts over all arguments; clipped at 0 against round-off.
    """
    left, right = np.asarray(left, dtype=float), np.asarray(right, dtype=float)
    if np.any(right <= left):
        raise ValueError("every element needs right > left.")
    s_left, s_right = (left - center) / width, (right - center) / width
    integral = (_antiderivative_of_sech4(s_right) - _antiderivative_of_sech4(s_left)) / width
    jump = np.tanh(s_right) - np.tanh(s_left)
    return np.maximum(integral - jump**2 / (right - left), 0.0)


def snapshot_times(n_times: int = 8) -> np.ndarray:
    """Return the n_times midpoint times (j + 1/2) / n_times of the window [0, 1]."""
    if not isinstance(n_times, (int, np.integer)) or n_times < 1:
        raise ValueError(f"n_times must be a positive integer, got {n_times!r}.")
    return (np.arange(n_times) + 0.5) / n_times


def window_energy_error_sq(left, right, center, width, shift, n_times: int = 8):
    """Return the squared energy error on each element averaged over n_times snapshots of the window.

    left, right: shape (E, n); center, width, shift: shape (E,). Returns shape (E, n).
    """
    left, right = np.asarray(left, dtype=float), np.asarray(right, dtype=float)
    centers = np.asarray(center)[:, None, None] + np.asarray(shift)[:, None, None] * snapshot_times(n_times)
    widths = np.asarray(width)[:, None, None]
    return local_energy_error_sq(left[..., None], right[..., None], centers, widths).mean(-1)


class RefinementEnv:
    """A batch of 1-D meshes refined one bisection at a time (the MDP of chapter 06).

    Each of the E problems starts from n_initial equal elements. `step(actions)` bisects element
    actions[i] of mesh i. Arrays of shape (E, n) hold, per element: `left`, `right`, `indicator`
    (the instantaneous squared error at the start of the window, what a classical error estimator
    sees) and `window_error_sq` (the squared error averaged over the window, what the reward uses).
    Elements stay sorted from left to right.
    """

    def __init__(self, problems: FrontProblems, n_initial: int, budget: int, n_times: int = 8):
        if not isinstance(problems, FrontProblems):
            raise TypeError("problems must be a FrontProblems batch, e.g. from sample_front_problems.")
        for name, value in (("n_initial", n_initial), ("budget", budget)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        self.problems, self.budget, self.n_times = problems, int(budget), n_times
        self.steps_taken = 0
        nodes = np.linspace(0.0, 1.0, n_initial + 1)
        self.left = np.tile(nodes[:-1], (len(problems), 1))
        self.right = np.tile(nodes[1:], (len(problems), 1))
        self.indicator = self._indicator(self.left, self.right)
        self.window_error_sq = self._window(self.left, self.right)

    def _indicator(self, left, right):
        return local_energy_error_sq(left, right, self.problems.center[:, None], self.problems.width[:, None])

    def _window(self, left, right):
        p = self.problems
        return window_energy_error_sq(left, right, p.center, p.width, p.shift, self.n_times)

    @property
    def n_elements(self) -> int:
        """Number of elements of every mesh in the batch."""
        return self.left.shape[1]

    @property
    def h(self) -> np.ndarray:
        """Element lengths, shape (E, n)."""
        return self.right - self.left

    @property
    def done(self) -> bool:
        """Whether the refinement budget is spent."""
        return self.steps_taken >= self.budget

    def error(self) -> np.ndarray:
        """Window-averaged energy error of each mesh, shape (E,): the square root of the summed element errors."""
        return np.sqrt(self.window_error_sq.sum(axis=1))

    def step(self, actions) -> None:
        """Bisect element actions[i] of mesh i, for every mesh in the batch."""
        if self.done:
            raise RuntimeError(f"the budget of {self.budget} refinements is spent: start a new RefinementEnv.")
        actions = np.asarray(actions)
        n_batch, n = self.left.shape
        if actions.shape != (n_batch,) or not np.issubdtype(actions.dtype, np.integer):
            raise ValueError(f"actions must be {n_batch} integer element indices, got shape {actions.shape} and dtype {actions.dtype}.")
        if np.any(actions < 0) or np.any(actions >= n):
            raise ValueError(f"element indices must lie in 0..{n - 1}.")
        rows = np.arange(n_batch)
        a, b = self.left[rows, actions], self.right[rows, actions]
        mid = 0.5 * (a + b)
        new = np.arange(n + 1)[None, :]
        source = np.minimum(new - (new > actions[:, None]), n - 1)  # where each new slot comes from

        def insert(values, first, second):
            out = values[rows[:, None], source]
            out[rows, actions], out[rows, actions + 1] = first, second
            return out

        children_left, children_right = np.stack([a, mid], 1), np.stack([mid, b], 1)
        indicator = self._indicator(children_left, children_right)
        window = self._window(children_left, children_right)
        self.left = insert(self.left, a, mid)
        self.right = insert(self.right, mid, b)
        self.indicator = insert(self.indicator, indicator[:, 0], indicator[:, 1])
        self.window_error_sq = insert(self.window_error_sq, window[:, 0], window[:, 1])
        self.steps_taken += 1


def uniform_error(problems: FrontProblems, n_elements: int, n_times: int = 8) -> np.ndarray:
    """Window-averaged energy error of the uniform mesh with n_elements elements, shape (E,)."""
    if not isinstance(n_elements, (int, np.integer)) or n_elements < 1:
        raise ValueError(f"n_elements must be a positive integer, got {n_elements!r}.")
    nodes = np.linspace(0.0, 1.0, n_elements + 1)
    left = np.tile(nodes[:-1], (len(problems), 1))
    right = np.tile(nodes[1:], (len(problems), 1))
    err = window_energy_error_sq(left, right, problems.center, problems.width, problems.shift, n_times)
    return np.sqrt(err.sum(axis=1))


def optimal_dyadic_error(
    center: float, width: float, shift: float, n_initial: int, budget: int, max_depth: int = 12, n_times: int = 8
) -> float:
    """Smallest window-averaged error reachable with `budget` bisections of n_initial equal elements.

    Exact over all refinements whose elements are at most max_depth bisections deep, by dynamic
    programming over the binary refinement tree: best(element, b) is the element's own error for
    b = 0, else the best split of b - 1 bisections between its two children.
    """
    if max_depth < 0 or budget < 0:
        raise ValueError("max_depth and budget must be non-negative.")
    problem = FrontProblems([center], [width], [shift])  # validates the arguments
    fields = (problem.center, problem.width, problem.shift)
    total = None
    for i in range(n_initial):
        start, length = i / n_initial, 1.0 / n_initial
        best = None
        for depth in range(max_depth, -1, -1):
            count = 2**depth
            left = start + length * np.arange(count) / count
            right = left + length / count
            err = window_energy_error_sq(left[None], right[None], *fields, n_times)[0]
            current = np.full((count, budget + 1), np.inf)
            current[:, 0] = err
            if best is not None:
                first, second = best[0::2], best[1::2]
                for b in range(1, budget + 1):
                    split = np.arange(b)
                    current[:, b] = np.minimum(current[:, b], (first[:, split] + second[:, b - 1 - split]).min(axis=1))
            best = np.minimum.accumulate(current, axis=1)  # spending fewer bisections is allowed
        element_best = best[0]
        if total is None:
            total = element_best
        else:
            total = np.array([(total[: b + 1] + element_best[b::-1]).min() for b in range(budget + 1)])
    return float(np.sqrt(total[budget]))
