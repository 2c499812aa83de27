"""Automatic checks for exercises: say what is right or wrong and give a hint, never the answer.

Each check raises AssertionError (so nbgrader counts it as a failed test) with a
message that names the exercise, and prints a short confirmation when it passes.

A check cell has two parts. What the student sees tests what can be tested without giving the
answer away, with `check_that` (a type, a shape, a property, a consequence). The literal expected
values go between `### BEGIN HIDDEN TESTS` and `### END HIDDEN TESTS` (`check_value`,
`check_array`, `check_function`): the student edition and the released nbgrader notebook omit
them, nbgrader restores them when it grades, and the website shows check cells by their output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def _require_answer(exercise: str, answer: Any) -> None:
    if not isinstance(exercise, str) or not exercise:
        raise ValueError("exercise must name the exercise, e.g. 'ch04-ex1'.")
    if answer is None or answer is Ellipsis:
        raise AssertionError(f"{exercise}: no answer yet. Replace the `...` in the exercise cell with your answer and run it.")


def _fail(exercise: str, what: str, hint: str) -> None:
    raise AssertionError(f"{exercise}: {what}" + (f" Hint: {hint}" if hint else ""))


def check_value(exercise: str, answer: Any, expected: float, rtol: float = 1e-6, atol: float = 0.0, hint: str = "") -> None:
    """Check a scalar answer against the expected value within tolerances."""
    _require_answer(exercise, answer)
    if rtol < 0 or atol < 0:
        raise ValueError("rtol and atol must be non-negative.")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        _fail(exercise, f"expected a number, got {type(answer).__name__}.", hint)
    if not np.isfinite(value):
        _fail(exercise, f"the answer is {value}, not a finite number.", hint)
    if not np.isclose(value, float(expected), rtol=rtol, atol=atol):
        _fail(exercise, f"{value:.6g} is not right.", hint)
    print(f"✓ {exercise}: correct.")


def check_array(exercise: str, answer: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-12, hint: str = "") -> None:
    """Check an array answer: shape first, then values within tolerances."""
    _require_answer(exercise, answer)
    got = np.asarray(answer.detach().cpu() if hasattr(answer, "detach") else answer, dtype=float)
    want = np.asarray(expected.detach().cpu() if hasattr(expected, "detach") else expected, dtype=float)
    if got.shape != want.shape:
        _fail(exercise, f"shape {got.shape} is not the expected shape {want.shape}.", hint)
    if not np.all(np.isfinite(got)):
        _fail(exercise, "the answer contains NaN or inf.", hint)
    close = np.isclose(got, want, rtol=rtol, atol=atol)
    if not close.all():
        _fail(exercise, f"{(~close).sum()} of {close.size} entries are not right.", hint)
    print(f"✓ {exercise}: correct.")


def check_that(exercise: str, condition: Any, what: str, hint: str = "") -> None:
    """Check a property of an answer that does not give the answer away.

    condition: a bool, or a function of no arguments returning one (so that an unanswered `...`
    or a crashing answer gives a message rather than a traceback); what: the property in words,
    e.g. "n_needed brings the standard deviation below 0.01".
    """
    if not isinstance(what, str) or not what.strip():
        raise ValueError("what must say in words which property is checked.")
    try:
        ok = condition() if callable(condition) else condition
    except NotImplementedError:
        _fail(exercise, "the answer is not written yet (it raises NotImplementedError).", hint)
    except Exception as err:  # the student's answer broke the check: report it as a failed check
        _fail(exercise, f"checking that {what} raised {type(err).__name__}: {err}.", hint)
    if ok is Ellipsis or ok is None:
        raise AssertionError(f"{exercise}: no answer yet. Replace the `...` in the exercise cell with your answer and run it.")
    if not isinstance(ok, (bool, np.bool_)):
        raise TypeError(f"condition must give True or False, got {type(ok).__name__}: compare the answer to something.")
    if not ok:
        _fail(exercise, f"not yet: {what}.", hint)
    print(f"✓ {exercise}: {what}.")


def check_function(
    exercise: str,
    fn: Callable[..., Any],
    cases: list[tuple[tuple, Any]],
    rtol: float = 1e-6,
    atol: float = 1e-12,
    hint: str = "",
) -> None:
    """Check a function on (args, expected) cases; report the first failing input, not its answer."""
    _require_answer(exercise, fn)
    if not callable(fn):
        _fail(exercise, f"expected a function, got {type(fn).__name__}.", hint)
    if not cases:
        raise ValueError("cases must list at least one (args, expected) pair.")
    for args, expected in cases:
        try:
            got = fn(*args)
        except NotImplementedError:
            _fail(exercise, "the function is not written yet (it raises NotImplementedError).", hint)
        except Exception as err:  # the student's code failed: report it as a failed check
            _fail(exercise, f"calling it with {args!r} raised {type(err).__name__}: {err}.", hint)
        got_arr = np.asarray(got.detach().cpu() if hasattr(got, "detach") else got, dtype=float)
        want_arr = np.asarray(expected, dtype=float)
        if got_arr.shape != want_arr.shape or not np.allclose(got_arr, want_arr, rtol=rtol, atol=atol):
            _fail(exercise, f"wrong result for input {args!r}.", hint)
    print(f"✓ {exercise}: correct on {len(cases)} test case(s).")
