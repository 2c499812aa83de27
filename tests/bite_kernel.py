"""Run inside a chapter's kernel by tests/test_checks_bite.py (read as text, not imported).

`_book_bite(check_source, names)` re-runs a check cell with each answer name replaced by cheap
wrong answers and returns those the check accepted. A check rejects a wrong answer when it raises
(AssertionError from the utils checks, or any error: nbgrader fails a test cell that raises).
"""

import contextlib as _contextlib
import io as _io
import numbers as _numbers

import numpy as _np


def _book_as_array(value):
    """Return value as a float NumPy array, or None when it is not numeric data."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    if isinstance(value, (list, tuple)) and value and not all(isinstance(v, (_numbers.Number, list, tuple)) for v in value):
        return None
    try:
        array = _np.asarray(value)
        array = array.astype(complex if _np.iscomplexobj(array) else float)  # keep complex answers complex
    except (TypeError, ValueError):
        return None
    return array if array.size else None


def _book_like(original, array):
    """Return array in the original's type (torch tensor, list, tuple, NumPy)."""
    if hasattr(original, "detach"):
        import torch

        return torch.as_tensor(array, dtype=original.dtype if original.is_floating_point() else torch.float64)
    if isinstance(original, list):
        return array.tolist()
    if isinstance(original, tuple):
        return tuple(array.tolist())
    return array


def _book_far(original, candidate):
    """A cheap wrong answer must differ from the right one by at least 5 % (relative L2)."""
    a, b = _book_as_array(original), _book_as_array(candidate)
    if a is None or b is None or a.shape != b.shape:
        return True
    scale = max(_np.linalg.norm(a), 1e-12)
    return _np.linalg.norm(a - b) / scale >= 0.05


def _book_value_mutants(value):
    """Yield (label, wrong value) for a number, an array or a tensor."""
    yield "None", None
    if isinstance(value, (bool, _np.bool_)):
        yield "its negation", not value
        return
    array = _book_as_array(value)
    if array is None:
        return
    rng = _np.random.default_rng(12345)
    if array.ndim == 0:
        x = array.item()
        candidates = [("0", 0.0), ("1", 1.0), ("-1", -1.0), ("its negative", -x), ("twice it", 2 * x),
                      ("it plus 10", x + 10)]
        for label, c in candidates:
            typed = int(c) if isinstance(value, (int, _np.integer)) and float(_np.real(c)).is_integer() else c
            if _book_far(x, c):
                yield label, typed
        return
    candidates = [
        ("zeros", _np.zeros_like(array)),
        ("ones", _np.ones_like(array)),
        ("a constant (its mean)", _np.full_like(array, array.mean())),
        ("its negative", -array),
        ("twice it", 2 * array),
        ("random values of the right shape", rng.normal(0.0, 1.0, array.shape) * (abs(array).std() + 1.0) + array.mean()),
    ]
    if array.shape[0] >= 2:
        candidates.append(("reversed", array[::-1].copy()))
    if array.ndim == 1 and array.size >= 4:
        coarse = _np.repeat(array[::2], 2)[: array.size]
        candidates.append(("every second value repeated", coarse))
        grid = _np.arange(array.size)
        candidates.append(("interpolated from every second value", _np.interp(grid, grid[::2], array[::2])))
    for label, c in candidates:
        if _book_far(array, c):
            yield label, _book_like(value, c)


def _book_function_mutants(fn):
    """Yield (label, wrong function): ignores its arguments, returns zeros, returns None, doubles."""
    first = []

    def ignores_arguments(*args, **kwargs):
        if not first:
            first.append(fn(*args, **kwargs))
        return first[0]

    def returns_zeros(*args, **kwargs):
        out = fn(*args, **kwargs)
        array = _book_as_array(out)
        return out if array is None else _book_like(out, _np.zeros_like(array))

    def wrong_value(*args, **kwargs):
        out = fn(*args, **kwargs)
        if isinstance(out, (bool, _np.bool_)):
            return not out
        array = _book_as_array(out)
        return out if array is None else _book_like(out, 2 * array)

    yield "None", None
    yield "a function that ignores its arguments", ignores_arguments
    yield "a function returning zeros of the right shape", returns_zeros
    yield "a function returning None", lambda *args, **kwargs: None
    yield "a function returning a wrong value (twice the answer, or the opposite truth value)", wrong_value


def _book_mutants(value, only_none=False):
    if only_none:
        return iter([("None", None)])
    if callable(value) and not hasattr(value, "shape"):
        return _book_function_mutants(value)
    return _book_value_mutants(value)


def _book_bite(check_source, names, exempt=()):
    """Return ["name = <wrong answer>", ...] for each cheap wrong answer the check accepted.

    Names in `exempt` are answers that many values satisfy (e.g. "construct a set with property
    P": its mirror image is right too): only None is tried for them.
    """
    namespace = globals()
    accepted, tried = [], 0
    for name in names:
        if name not in namespace:
            continue
        saved = namespace[name]
        try:
            for label, wrong in _book_mutants(saved, only_none=name in exempt):
                namespace[name] = wrong
                tried += 1
                try:
                    with _contextlib.redirect_stdout(_io.StringIO()):
                        exec(compile(check_source, "<check cell>", "exec"), namespace)
                except Exception:  # noqa: BLE001 - any error fails the check, as in nbgrader
                    continue
                accepted.append(f"{name} = {label}")
        finally:
            namespace[name] = saved
    return {"accepted": accepted, "tried": tried}
