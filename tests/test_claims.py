import math

import pytest

from utils.claims import CLAIM_MIME, VERDICTS, Claim, check_claims, claims_html, claims_table

H = "FNO errs about 1.5 % on Burgers"  # a headline for the tests


def row(claim="c", paper="1", measured=1.0, op="<", threshold=2.0, kind="paper"):
    return Claim(claim, paper, measured, op, threshold, kind)


def test_claim_passes_and_fails_by_its_operator():
    assert row("error small", "0.01", 0.009, "<=", 0.01).passed
    assert not row("error small", "0.01", 0.011, "<=", 0.01).passed
    assert row("order", "4", 3.9, ">", 3.5).passed
    assert not row("order", "4", 3.5, ">", 3.5).passed


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(claim=""), ValueError),
        (dict(paper=""), ValueError),
        (dict(op="=<"), ValueError),
        (dict(measured=math.nan), ValueError),
        (dict(measured="0.1"), TypeError),
        (dict(measured=True), TypeError),
        (dict(kind="claim"), ValueError),
    ],
)
def test_claim_validates_its_fields(kwargs, error):
    with pytest.raises(error):
        row(**kwargs)


def test_claim_accepts_numpy_and_torch_scalars():
    import numpy as np
    import torch

    assert row(measured=np.float32(0.5)).measured == 0.5
    assert row(measured=torch.tensor(0.25)).measured == 0.25


def test_check_claims_records_and_displays_and_returns_nothing(monkeypatch):
    monkeypatch.setenv("BOOK_FAST", "0")
    monkeypatch.setenv("BOOK_SEED", "2")
    shown = []
    monkeypatch.setattr("utils.claims.in_ipython", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    result = check_claims("07", [row("relative L2 error", "0.0149", 0.012, "<=", 0.02)], headline=H, verdict="reproduced")
    assert result is None, "the claim cell must show the table and nothing else"
    (bundle,) = shown
    record = bundle[CLAIM_MIME]
    assert record["chapter"] == "07" and record["seed"] == 2 and record["fast"] is False
    assert record["headline"] == H and record["verdict"] == "reproduced"
    assert record["rows"][0]["passed"] is True and record["rows"][0]["kind"] == "paper"
    assert "0.0149" in bundle["text/plain"] and "<table" in bundle["text/html"] and "reproduced" in bundle["text/html"]


def test_check_claims_prints_the_table_outside_ipython(capsys):
    check_claims("04", [row("order", "4", 3.9, ">=", 3.5)], headline=H, verdict="partly reproduced")
    out = capsys.readouterr().out
    assert "PASS" in out and "partly reproduced" in out


def test_check_claims_raises_on_a_failing_row():
    rows = [row("fine", "1", 1.0, "<=", 2.0), row("too slow", "1", 5.0, "<=", 2.0)]
    with pytest.raises(AssertionError, match="too slow"):
        check_claims("11", rows, headline=H, verdict="reproduced")


@pytest.mark.parametrize("chapter", ["4", "004", 4, "ab"])
def test_check_claims_wants_a_two_digit_chapter(chapter):
    with pytest.raises(ValueError, match="two-digit"):
        check_claims(chapter, [row()], headline=H, verdict="reproduced")


def test_check_claims_wants_claim_rows():
    with pytest.raises(TypeError):
        check_claims("04", [], headline=H, verdict="reproduced")
    with pytest.raises(TypeError):
        check_claims("04", [{"claim": "c"}], headline=H, verdict="reproduced")


@pytest.mark.parametrize("headline, verdict", [("", "reproduced"), ("two\nlines", "reproduced"), (H, "yes"), (H, None)])
def test_check_claims_wants_a_headline_and_a_verdict(headline, verdict):
    with pytest.raises(ValueError):
        check_claims("04", [row()], headline=headline, verdict=verdict)


def test_the_verdicts_are_the_three_of_the_contract():
    assert VERDICTS == ("reproduced", "partly reproduced", "not reproduced at this scale")


def test_tables_escape_and_show_every_field():
    rows = [row("a < b & c", "n/a", 0.5, ">=", 0.25, kind="instead")]
    html = claims_html(rows, "x < y", "not reproduced at this scale")
    assert "a &lt; b &amp; c" in html and "x &lt; y" in html and "what holds instead" in html
    text = claims_table(rows)
    assert "PASS" in text and ">= 0.25" in text and "0.5" in text and "instead" in text
