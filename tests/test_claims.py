import math

import pytest

from utils.claims import CLAIM_MIME, Claim, check_claims, claims_html, claims_table


def test_claim_passes_and_fails_by_its_operator():
    assert Claim("error small", "0.01", 0.009, "<=", 0.01).passed
    assert not Claim("error small", "0.01", 0.011, "<=", 0.01).passed
    assert Claim("order", "4", 3.9, ">", 3.5).passed
    assert not Claim("order", "4", 3.5, ">", 3.5).passed


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(claim="", paper="1", measured=1.0, op="<", threshold=2.0), ValueError),
        (dict(claim="c", paper="", measured=1.0, op="<", threshold=2.0), ValueError),
        (dict(claim="c", paper="1", measured=1.0, op="=<", threshold=2.0), ValueError),
        (dict(claim="c", paper="1", measured=math.nan, op="<", threshold=2.0), ValueError),
        (dict(claim="c", paper="1", measured="0.1", op="<", threshold=2.0), TypeError),
        (dict(claim="c", paper="1", measured=True, op="<", threshold=2.0), TypeError),
    ],
)
def test_claim_validates_its_fields(kwargs, error):
    with pytest.raises(error):
        Claim(**kwargs)


def test_claim_accepts_numpy_and_torch_scalars():
    import numpy as np
    import torch

    assert Claim("c", "1", np.float32(0.5), "<", 1.0).measured == 0.5
    assert Claim("c", "1", torch.tensor(0.25), "<", 1.0).measured == 0.25


def test_check_claims_records_and_displays(monkeypatch):
    monkeypatch.setenv("BOOK_FAST", "0")
    monkeypatch.setenv("BOOK_SEED", "2")
    shown = []
    monkeypatch.setattr("utils.claims.in_ipython", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    record = check_claims("07", [Claim("relative L2 error", "0.0149", 0.012, "<=", 0.02)])
    assert record["chapter"] == "07" and record["seed"] == 2 and record["fast"] is False
    assert record["rows"][0]["passed"] is True
    (bundle,) = shown
    assert bundle[CLAIM_MIME] == record
    assert "0.0149" in bundle["text/plain"] and "<table" in bundle["text/html"]


def test_check_claims_prints_the_table_outside_ipython(capsys):
    check_claims("04", [Claim("order", "4", 3.9, ">=", 3.5)])
    assert "PASS" in capsys.readouterr().out


def test_check_claims_raises_on_a_failing_row():
    rows = [Claim("fine", "1", 1.0, "<=", 2.0), Claim("too slow", "1", 5.0, "<=", 2.0)]
    with pytest.raises(AssertionError, match="too slow"):
        check_claims("11", rows)


@pytest.mark.parametrize("chapter", ["4", "004", 4, "ab"])
def test_check_claims_wants_a_two_digit_chapter(chapter):
    with pytest.raises(ValueError, match="two-digit"):
        check_claims(chapter, [Claim("c", "1", 1.0, "<", 2.0)])


def test_check_claims_wants_claim_rows():
    with pytest.raises(TypeError):
        check_claims("04", [])
    with pytest.raises(TypeError):
        check_claims("04", [{"claim": "c"}])


def test_tables_escape_and_show_every_field():
    rows = [Claim("a < b & c", "n/a", 0.5, ">=", 0.25)]
    assert "a &lt; b &amp; c" in claims_html(rows)
    text = claims_table(rows)
    assert "PASS" in text and ">= 0.25" in text and "0.5" in text
