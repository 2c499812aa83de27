"""Collect the chapters' claim records and measured run times into the scoreboard page and the README.

    python scripts/report.py scoreboard   # writes book/scoreboard.md (also done by build_site.py)
    python scripts/report.py readme       # rewrites the chapter table in README.md

Claim records are read from the committed .ipynb outputs (utils.claims.CLAIM_MIME), so
the scoreboard shows exactly the numbers the website shows; run times come from
runtimes.json, written by scripts/execute.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from utils.claims import CLAIM_MIME  # noqa: E402

README_START = "<!-- chapter-table:start -->"
README_END = "<!-- chapter-table:end -->"


def chapters() -> list[dict]:
    """Return the chapter list of book/chapters.yml, with 00 (how to use) first."""
    listed = yaml.safe_load((ROOT / "book" / "chapters.yml").read_text())
    return [{"number": "00", "part": 0, "slug": "how_to_use", "title": "How to use this book", "paper": "—"}] + listed


def claim_records(notebook: Path) -> list[dict]:
    """Return every claim record stored in the notebook's outputs."""
    nb = nbformat.read(notebook, as_version=4)
    return [
        output["data"][CLAIM_MIME]
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if CLAIM_MIME in output.get("data", {})
    ]


def runtimes() -> dict:
    """Return runtimes.json ({} when no run has been measured)."""
    path = ROOT / "runtimes.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _cell(text: str) -> str:
    """Return text safe inside a Markdown table cell (claims like |slope + 1| contain pipes)."""
    return str(text).replace("|", "\\|")


def _seconds(entry: dict, mode: str) -> str:
    value = entry.get(f"{mode}_s")
    return "—" if value is None else f"{value:.0f} s"


def chapter_status(chapter: dict) -> tuple[str, list[dict]]:
    """Return ('landed' | 'planned' | 'claim failing', claim records); a chapter lands once it is in _toc.yml."""
    name = f"{chapter['number']}_{chapter['slug']}"
    notebook = ROOT / "notebooks" / f"{name}.ipynb"
    if not notebook.exists() or f"notebooks/{name}" not in (ROOT / "_toc.yml").read_text():
        return "planned", []
    records = claim_records(notebook)
    rows = [row for record in records for row in record["rows"]]
    if not rows:
        return "no claim check yet", records
    return ("landed" if all(row["passed"] for row in rows) else "claim failing"), records


def scoreboard_markdown() -> str:
    """Return the scoreboard page as MyST markdown."""
    times = runtimes()
    lines = [
        "# Reproduction scoreboard",
        "",
        "Each row is one claim check, read from the executed notebook that the website shows. "
        "*Paper* is what the paper reports; *this book* is what the stored full-mode run measured on a laptop-scale "
        "problem; a row passes when the measured number meets the threshold. When a paper's claim does not hold at "
        "laptop scale, the row states what does hold, and the chapter says so. Run times are wall-clock seconds for "
        "the whole notebook, measured with `make runtimes` (see `runtimes.json` for the machine and date). "
        "This page is generated at build time by `scripts/report.py`.",
        "",
        "| chapter | claim | paper | this book | threshold | result | fast | full |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    planned = []
    for chapter in chapters():
        number = chapter["number"]
        entry = times.get(number, {})
        status, records = chapter_status(chapter)
        link = f"[{number} {chapter['title']}](../notebooks/{number}_{chapter['slug']}.ipynb)"
        if status == "planned":
            planned.append(f"{number} {chapter['title']}")
            continue
        rows = [(record, row) for record in records for row in record["rows"]]
        if not rows:
            lines.append(f"| {link} | no claim check yet | | | | | {_seconds(entry, 'fast')} | {_seconds(entry, 'full')} |")
        for i, (record, row) in enumerate(rows):
            mode_note = " (fast-mode output)" if record["fast"] else ""
            result = ("✓ pass" if row["passed"] else "✗ FAIL") + mode_note
            first = i == 0
            lines.append(
                f"| {link if first else ''} | {_cell(row['claim'])} | {_cell(row['paper'])} | {row['measured']:.4g} | "
                f"{row['op']} {row['threshold']:.4g} | {result} | "
                f"{_seconds(entry, 'fast') if first else ''} | {_seconds(entry, 'full') if first else ''} |"
            )
    if planned:
        lines += ["", f"Planned, not yet written: {'; '.join(planned)}."]
    return "\n".join(lines) + "\n"


def write_scoreboard() -> Path:
    """Write book/scoreboard.md and return its path."""
    path = ROOT / "book" / "scoreboard.md"
    path.write_text(scoreboard_markdown())
    return path


def readme_table() -> str:
    """Return the README's chapter table (number, paper, status, measured run times)."""
    times = runtimes()
    lines = ["| # | chapter | paper | status | fast | full |", "| --- | --- | --- | --- | --- | --- |"]
    for chapter in chapters():
        number = chapter["number"]
        entry = times.get(number, {})
        status, _ = chapter_status(chapter)
        name = chapter["title"]
        if status != "planned":
            name = f"[{name}](notebooks/{number}_{chapter['slug']}.py)"
        lines.append(
            f"| {number} | {name} | {chapter['paper']} | {status} | {_seconds(entry, 'fast')} | {_seconds(entry, 'full')} |"
        )
    return "\n".join(lines)


def write_readme() -> None:
    """Replace the chapter table between the README's markers."""
    path = ROOT / "README.md"
    text = path.read_text()
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    path.write_text(text[:start] + "\n" + readme_table() + "\n" + text[end:])


if __name__ == "__main__":
    if sys.argv[1:] == ["scoreboard"]:
        print(f"wrote {write_scoreboard().relative_to(ROOT)}")
    elif sys.argv[1:] == ["readme"]:
        write_readme()
        print("updated the chapter table in README.md")
    else:
        sys.exit("usage: python scripts/report.py scoreboard|readme")
