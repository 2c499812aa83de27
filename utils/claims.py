"""The claim check: each chapter's central numbers, asserted and recorded for the scoreboard.

`check_claims` shows a small table (paper vs. this run vs. threshold), stores the
record inside the notebook output under CLAIM_MIME (so the scoreboard is built
from exactly what the website shows), and raises AssertionError if a row fails.

Each row says what kind of evidence it is (KINDS), and each chapter's record carries
a one-line headline of the paper's claim and the chapter's verdict (VERDICTS).
"""

from __future__ import annotations

import html
import json
import math
import operator
from dataclasses import asdict, dataclass

from utils.runtime import book_seed, fast_mode, in_ipython

CLAIM_MIME = "application/vnd.scimlbook.claims+json"
_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
# What a row is evidence of: the paper's claim itself, a cross-check of this chapter's code, or what
# holds instead where the paper's claim does not reproduce at laptop scale.
KINDS = {"paper": "tests the paper's claim", "code": "cross-checks the code", "instead": "what holds instead"}
VERDICTS = ("reproduced", "partly reproduced", "not reproduced at this scale")


@dataclass(frozen=True)
class Claim:
    """One row of a claim check: `measured <op> threshold` must hold.

    claim: what is checked, in words; paper: what the paper reports (text, e.g. "0.0149");
    measured: this run's number; threshold and op: the honest pass criterion;
    kind: "paper" (tests the paper's claim), "code" (cross-checks the code) or
    "instead" (records what holds where the paper's claim does not).
    """

    claim: str
    paper: str
    measured: float
    op: str
    threshold: float
    kind: str

    def __post_init__(self) -> None:
        if not isinstance(self.claim, str) or not self.claim.strip():
            raise ValueError("Claim.claim must be a sentence saying what is checked.")
        if not isinstance(self.paper, str) or not self.paper.strip():
            raise ValueError("Claim.paper must say what the paper reports (as text), or 'n/a' if it gives no number.")
        if self.kind not in KINDS:
            raise ValueError(f"Claim.kind must be one of {sorted(KINDS)} ({KINDS}), got {self.kind!r}.")
        if self.op not in _OPS:
            raise ValueError(f"Claim.op must be one of {sorted(_OPS)}, got {self.op!r}.")
        for name in ("measured", "threshold"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
                raise TypeError(f"Claim.{name} must be a number, got {type(value).__name__}: convert with float().")
            if not math.isfinite(float(value)):
                raise ValueError(f"Claim.{name} is {value}: a claim needs a finite number (did the run diverge?).")
        object.__setattr__(self, "measured", float(self.measured))
        object.__setattr__(self, "threshold", float(self.threshold))

    @property
    def passed(self) -> bool:
        """Whether this run's number meets the threshold."""
        return bool(_OPS[self.op](self.measured, self.threshold))


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def claims_table(rows: list[Claim]) -> str:
    """Return the rows as a plain-text table."""
    header = ("claim", "kind", "paper", "this run", "threshold", "result")
    lines = [
        (r.claim, r.kind, r.paper, _fmt(r.measured), f"{r.op} {_fmt(r.threshold)}", "PASS" if r.passed else "FAIL")
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join([fmt.format(*header), fmt.format(*("-" * w for w in widths))] + [fmt.format(*ln) for ln in lines])


def claims_html(rows: list[Claim], headline: str, verdict: str) -> str:
    """Return the headline, the verdict and the rows as HTML for the notebook and the website."""
    head = "".join(f"<th>{h}</th>" for h in ("claim", "paper", "this run", "threshold", "result"))
    body = "".join(
        "<tr>"
        f"<td>{html.escape(r.claim)}<br><small>{KINDS[r.kind]}</small></td><td>{html.escape(r.paper)}</td>"
        f"<td>{_fmt(r.measured)}</td><td>{html.escape(r.op)}&nbsp;{_fmt(r.threshold)}</td>"
        f"<td>{'✓&nbsp;pass' if r.passed else '✗&nbsp;FAIL'}</td>"
        "</tr>"
        for r in rows
    )
    return (
        f'<div class="claim-check"><p><strong>Paper\'s claim:</strong> {html.escape(headline)}<br>'
        f"<strong>Verdict at laptop scale:</strong> {html.escape(verdict)}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def claim_record(chapter: str, rows: list[Claim], headline: str, verdict: str) -> dict:
    """Validate a chapter's claim check and return its record (what the scoreboard reads)."""
    if not isinstance(chapter, str) or len(chapter) != 2 or not chapter.isdigit():
        raise ValueError(f"chapter must be the two-digit chapter number as a string, e.g. '04', got {chapter!r}.")
    if isinstance(rows, Claim):
        rows = [rows]
    if not rows or not all(isinstance(r, Claim) for r in rows):
        raise TypeError("rows must be a non-empty list of utils.Claim objects.")
    if not isinstance(headline, str) or not headline.strip() or "\n" in headline:
        raise ValueError("headline must be one line stating the paper's central claim in words.")
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}: say plainly what this run shows.")
    return {
        "chapter": chapter,
        "headline": headline.strip(),
        "verdict": verdict,
        "fast": fast_mode(),
        "seed": book_seed(),
        "rows": [asdict(r) | {"passed": r.passed} for r in rows],
    }


def check_claims(chapter: str, rows: list[Claim], *, headline: str, verdict: str) -> None:
    """Show the claim table, record it in the notebook output, and assert every row.

    chapter: two digits, e.g. "07"; rows: the Claim rows, the key number first (the scoreboard's
    summary shows it); headline: the paper's central claim in one line; verdict: one of VERDICTS.
    Returns nothing, so the cell shows the table and nothing else.
    """
    record = claim_record(chapter, rows, headline, verdict)
    rows = [rows] if isinstance(rows, Claim) else rows
    text = f"Paper's claim: {record['headline']}\nVerdict at laptop scale: {verdict}\n\n" + claims_table(rows)
    if in_ipython():
        from IPython.display import display

        bundle = {"text/plain": text, "text/html": claims_html(rows, record["headline"], verdict)}
        display(bundle | {CLAIM_MIME: json.loads(json.dumps(record))}, raw=True)
    else:  # a plain Python run: the table is all there is to show
        print(text)
    failed = [r.claim for r in rows if not r.passed]
    if failed:
        raise AssertionError(f"Chapter {chapter}: claim check failed for: {'; '.join(failed)}")
