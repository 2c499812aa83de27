"""Collect the chapters' claim records, seed runs and run times into the scoreboard, the README and the guide.

    python scripts/report.py scoreboard   # writes book/scoreboard.md (also done by build_site.py)
    python scripts/report.py readme       # rewrites the chapter table in README.md
    python scripts/report.py exercises    # writes book/exercise_table.md (also done by build_site.py)
    python scripts/report.py navigation   # writes book/generated/ (part pages' chapter tables, home page count)
    python scripts/report.py guide        # links the written chapters in the instructor's guide's tables

Claim records are read from the committed .ipynb outputs (utils.claims.CLAIM_MIME), so the
scoreboard shows exactly the numbers the website shows; run times come from runtimes.json
(scripts/execute.py), robustness across seeds from seeds.json (scripts/seeds.py), and exercise
points from the nbgrader source that scripts/make_student.py derives.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from utils.claims import CLAIM_MIME, KINDS  # noqa: E402

README_START = "<!-- chapter-table:start -->"
README_END = "<!-- chapter-table:end -->"


def chapters() -> list[dict]:
    """Return the chapter list of book/chapters.yml, with 00 (how to use) first."""
    listed = yaml.safe_load((ROOT / "book" / "chapters.yml").read_text())
    return [{"number": "00", "part": 0, "slug": "how_to_use", "title": "How to use this book", "paper": "—"}] + listed


def records_of(nb) -> list[dict]:
    """Return every claim record stored in a notebook's outputs."""
    return [
        output["data"][CLAIM_MIME]
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if CLAIM_MIME in output.get("data", {})
    ]


def claim_records(notebook: Path) -> list[dict]:
    """Return every claim record stored in the notebook file's outputs."""
    return records_of(nbformat.read(notebook, as_version=4))


def _json(name: str) -> dict:
    path = ROOT / name
    return json.loads(path.read_text()) if path.exists() else {}


def runtimes() -> dict:
    """Return runtimes.json ({} when no run has been measured)."""
    return _json("runtimes.json")


def seed_runs() -> dict:
    """Return seeds.json ({} when `make seeds` has not run)."""
    return _json("seeds.json")


def _cell(text: str) -> str:
    """Return text safe inside a Markdown table cell (claims like |slope + 1| contain pipes)."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _seconds(entry: dict, mode: str) -> str:
    value = entry.get(f"{mode}_s")
    return "—" if value is None else f"{value:.0f} s"


def notebook_name(chapter: dict) -> str:
    return f"{chapter['number']}_{chapter['slug']}"


def chapter_status(chapter: dict) -> tuple[str, list[dict]]:
    """Return ('landed' | 'planned' | 'claim failing' | 'no claim check yet', claim records).

    A chapter has landed once its notebook is in _toc.yml.
    """
    name = notebook_name(chapter)
    notebook = ROOT / "notebooks" / f"{name}.ipynb"
    if not notebook.exists() or f"notebooks/{name}" not in (ROOT / "_toc.yml").read_text():
        return "planned", []
    records = claim_records(notebook)
    rows = [row for record in records for row in record["rows"]]
    if not rows:
        return "no claim check yet", records
    return ("landed" if all(row["passed"] for row in rows) else "claim failing"), records


def _seed_cell(summary: dict | None, index: int) -> str:
    """Return 'k/n (min–max)' for one claim row from the seed report, or '—'."""
    if not summary or index >= len(summary["rows"]):
        return "—"
    row = summary["rows"][index]
    n = len(summary["seeds"])
    values = row["measured"]
    spread = f" ({min(values):.3g} to {max(values):.3g})" if len(values) > 1 else ""
    return f"{row['passed']}/{n}{spread}"


def _seed_summary(summary: dict | None) -> str:
    """Return 'k/n seeds' where every row passed, or '—'."""
    if not summary or not summary["rows"]:
        return "—" if not summary else f"0/{len(summary['seeds'])}"
    n = len(summary["seeds"])
    all_pass = min(row["passed"] for row in summary["rows"]) if not summary["without_record"] else 0
    return f"{all_pass}/{n}"


def scoreboard_markdown() -> str:
    """Return the scoreboard page as MyST markdown: one summary row per chapter, then the detail."""
    times, seeds = runtimes(), seed_runs()
    lines = [
        "# Reproduction scoreboard",
        "",
        "Each chapter tests its paper's central claim at laptop scale. The first table gives one row per "
        "chapter: the paper's claim, the chapter's verdict, its key number beside the paper's, how many "
        "seeds pass the whole claim check in fast mode, and run times. The tables below list every row of "
        "each claim check, read from the executed notebook that the website shows: whether the row tests "
        "the paper's claim, cross-checks the chapter's code, or records what holds instead; the paper's "
        "number; the number the stored full-mode run measured; the threshold; and, from the seed report, "
        "how many seeds pass that row and the range of values they measured.",
        "",
        "Run times are wall-clock seconds for the whole notebook on a 2-core CPU without GPU (`make runtimes`; "
        "machine and date in `runtimes.json`); seeds come from `make seeds` (fast mode, seeds and date in "
        "`seeds.json`). This page is generated at build time by `scripts/report.py`.",
        "",
        "## At a glance",
        "",
        "| chapter | the paper's claim | verdict | key number: this book (paper) | seeds passing | fast | full |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    details = []
    for chapter in chapters():
        number, entry = chapter["number"], times.get(chapter["number"], {})
        status, records = chapter_status(chapter)
        title = f"{number} {chapter['title']}"
        if status == "planned":
            lines.append(f"| {title} | — | planned, not yet written | — | — | — | — |")
            continue
        link = f"[{title}](../notebooks/{notebook_name(chapter)}.ipynb)"
        if not records:
            lines.append(f"| {link} | — | no claim check yet | — | — | {_seconds(entry, 'fast')} | {_seconds(entry, 'full')} |")
            continue
        record, summary = records[0], seeds.get(number)
        key = record["rows"][0]
        mode_note = " (fast-mode output)" if record["fast"] else ""
        failing = "" if all(row["passed"] for row in record["rows"]) else " — a row FAILS"
        lines.append(
            f"| {link} | {_cell(record.get('headline', '—'))} | **{record.get('verdict', '—')}**{failing}{mode_note} | "
            f"{key['measured']:.3g} ({_cell(key['paper'])}) | {_seed_summary(summary)} | "
            f"{_seconds(entry, 'fast')} | {_seconds(entry, 'full')} |"
        )
        details += [
            "",
            f"### {title}",
            "",
            "| claim | kind | paper | this book | threshold | result | seeds passing (range) |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for i, row in enumerate(record["rows"]):
            details.append(
                f"| {_cell(row['claim'])} | {KINDS.get(row.get('kind'), '—')} | {_cell(row['paper'])} | "
                f"{row['measured']:.4g} | {row['op']} {row['threshold']:.4g} | "
                f"{'✓ pass' if row['passed'] else '✗ FAIL'} | {_seed_cell(summary, i)} |"
            )
    lines += ["", "## Every claim row"] + details
    return "\n".join(lines) + "\n"


def write_scoreboard() -> Path:
    """Write book/scoreboard.md and return its path."""
    path = ROOT / "book" / "scoreboard.md"
    path.write_text(scoreboard_markdown())
    return path


def exercise_table() -> str:
    """Return the Markdown table of every exercise and its nbgrader points, from the nbgrader source."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import make_student

    lines = [
        "| chapter | exercise | what it asks | graded | points |",
        "| --- | --- | --- | --- | --- |",
    ]
    for chapter in chapters():
        source = ROOT / "notebooks" / f"{notebook_name(chapter)}.py"
        if chapter_status(chapter)[0] == "planned" or not source.exists():
            continue
        for row in make_student.exercise_points(source):
            graded = " + ".join(
                part for part, points in (("automatic", row["auto"]), ("by hand", row["manual"])) if points
            )
            text = row["text"] if len(row["text"]) <= 140 else row["text"][:137] + "..."
            lines.append(
                f"| {chapter['number']} | {row['label']} | {_cell(text)} | {graded} | {row['auto'] + row['manual']} |"
            )
    return "\n".join(lines)


def write_exercise_table() -> Path:
    """Write book/exercise_table.md (included by the instructor's guide) and return its path."""
    path = ROOT / "book" / "exercise_table.md"
    path.write_text(exercise_table() + "\n")
    return path


GENERATED = ROOT / "book" / "generated"
PARTS = {1: "I", 2: "II", 3: "III", 4: "IV"}


def part_table(part: int) -> str:
    """Return a part page's chapter table: written chapters linked, planned ones marked, names from chapters.yml."""
    lines = ["| chapter | paper | status |", "| --- | --- | --- |"]
    for chapter in chapters():
        if chapter["part"] != part:
            continue
        status, records = chapter_status(chapter)
        name = f"{chapter['number']} {chapter['title']}"
        if status == "planned":
            lines.append(f"| {name} | {_cell(chapter['paper'])} | planned, not yet written |")
        else:
            verdict = records[0].get("verdict", status) if records else status
            link = f"{{doc}}`{name} <../notebooks/{notebook_name(chapter)}>`"
            lines.append(f"| {link} | {_cell(chapter['paper'])} | written; claim {verdict} |")
    return "\n".join(lines)


def written_count() -> str:
    """Return the home page's sentence on how many of the thirteen chapters are written."""
    listed = [c for c in chapters() if c["number"] != "00"]
    written = [c for c in listed if chapter_status(c)[0] != "planned"]
    return (
        f"{len(written)} of the {len(listed)} chapters are written; the others are planned and listed on "
        "their part's page and in the {doc}`scoreboard`."
    )


def write_navigation() -> list[Path]:
    """Write the generated pieces the part pages and the home page include (book/generated/)."""
    GENERATED.mkdir(exist_ok=True)
    paths = []
    for part in PARTS:
        path = GENERATED / f"part{part}_chapters.md"
        path.write_text(part_table(part) + "\n")
        paths.append(path)
    status = GENERATED / "written_count.md"
    status.write_text(written_count() + "\n")
    return paths + [status]


def readme_table() -> str:
    """Return the README's chapter table (number, paper, status, verdict, measured run times)."""
    times = runtimes()
    lines = ["| # | chapter | paper | status | verdict | fast | full |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for chapter in chapters():
        number = chapter["number"]
        entry = times.get(number, {})
        status, records = chapter_status(chapter)
        name = chapter["title"]
        if status != "planned":
            name = f"[{name}](notebooks/{notebook_name(chapter)}.py)"
        verdict = records[0].get("verdict", "—") if records else "—"
        lines.append(
            f"| {number} | {name} | {chapter['paper']} | {status} | {verdict} | "
            f"{_seconds(entry, 'fast')} | {_seconds(entry, 'full')} |"
        )
    return "\n".join(lines)


def write_readme() -> None:
    """Replace the chapter table between the README's markers."""
    path = ROOT / "README.md"
    text = path.read_text()
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    path.write_text(text[:start] + "\n" + readme_table() + "\n" + text[end:])


def link_guide(text: str) -> str:
    """Return the guide's text with each written chapter's "NN Title" turned into a link to it."""
    for chapter in chapters():
        name, label = notebook_name(chapter), f"{chapter['number']} {chapter['title']}"
        link = f"{{doc}}`{label} <../notebooks/{name}>`"
        if chapter_status(chapter)[0] != "planned" and link not in text:
            text = text.replace(f"| {label} |", f"| {link} |").replace(f"| {label};", f"| {link};")
            text = text.replace(f"; {label} |", f"; {link} |")
    return text


def write_guide_links() -> Path:
    """Link the written chapters in book/instructor_guide.md (run after a chapter lands)."""
    path = ROOT / "book" / "instructor_guide.md"
    path.write_text(link_guide(path.read_text()))
    return path


if __name__ == "__main__":
    commands = {
        "scoreboard": write_scoreboard,
        "readme": write_readme,
        "exercises": write_exercise_table,
        "navigation": lambda: write_navigation()[-1],
        "guide": write_guide_links,
    }
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit("usage: python scripts/report.py scoreboard|readme|exercises|navigation|guide")
    result = commands[sys.argv[1]]()
    print(f"wrote {result.relative_to(ROOT)}" if result else "updated the chapter table in README.md")
