import numpy as np
import pytest

from utils.exercises import check_array, check_function, check_that, check_value


def test_check_value_passes_and_fails_without_revealing(capsys):
    check_value("ex", 35, 35)
    assert "correct" in capsys.readouterr().out
    with pytest.raises(AssertionError) as err:
        check_value("ex", 34, 35, hint="count the monomials")
    message = str(err.value)
    assert "35" not in message and "count the monomials" in message
    assert "small" not in message and "large" not in message, "the direction of the error gives the answer away"


@pytest.mark.parametrize("answer", [None, Ellipsis])
def test_unanswered_exercises_say_so(answer):
    with pytest.raises(AssertionError, match="no answer yet"):
        check_value("ex", answer, 1.0)


def test_check_value_wants_a_number():
    with pytest.raises(AssertionError, match="expected a number"):
        check_value("ex", "ten", 10)


def test_check_array_reports_shape_then_values():
    check_array("ex", [1.0, 2.0], np.array([1.0, 2.0]))
    with pytest.raises(AssertionError, match="shape"):
        check_array("ex", [1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(AssertionError, match="1 of 2 entries") as err:
        check_array("ex", [1.0, 7.0], [1.0, 2.0])
    assert "5" not in str(err.value), "the size of the error gives the answer away"
    with pytest.raises(AssertionError, match="NaN"):
        check_array("ex", [1.0, np.nan], [1.0, 2.0])


def test_check_function_names_the_failing_input_only():
    check_function("ex", lambda x: x**2, [((2,), 4), ((3,), 9)])
    with pytest.raises(AssertionError) as err:
        check_function("ex", lambda x: x * 2, [((3,), 9)])
    assert "(3,)" in str(err.value) and "9" not in str(err.value).replace("(3,)", "")


def test_check_function_reports_unwritten_and_crashing_code():
    def stub(x):
        raise NotImplementedError

    with pytest.raises(AssertionError, match="not written yet"):
        check_function("ex", stub, [((1,), 1)])
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        check_function("ex", lambda x: 1 / 0, [((1,), 1)])
    with pytest.raises(ValueError):
        check_function("ex", abs, [])


def test_check_that_reports_the_property_not_the_answer(capsys):
    check_that("ex", lambda: 3 > 2, "the answer exceeds 2")
    assert "✓ ex: the answer exceeds 2" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="not yet: the answer exceeds 2. Hint: look again"):
        check_that("ex", False, "the answer exceeds 2", hint="look again")


def test_check_that_turns_unanswered_and_crashing_answers_into_messages():
    answer = ...
    with pytest.raises(AssertionError, match="raised TypeError"):
        check_that("ex", lambda: answer > 2, "the answer exceeds 2")
    with pytest.raises(AssertionError, match="no answer yet"):
        check_that("ex", lambda: ..., "the answer exceeds 2")

    def stub():
        raise NotImplementedError

    with pytest.raises(AssertionError, match="not written yet"):
        check_that("ex", stub, "the function works")


def test_check_that_wants_a_property_and_a_boolean():
    with pytest.raises(ValueError):
        check_that("ex", True, "")
    with pytest.raises(TypeError, match="True or False"):
        check_that("ex", lambda: 3, "the answer is three")
