"""Gates on the chapters as files: pairing, sound stored outputs, and the chapter contract.

These read files only; tests/test_execute_notebooks.py runs the notebooks.
"""

from __future__ import annotations

import re

import jupytext
import nbformat
import pytest

from conftest import CHAPTERS, ROOT, SOURCES
from utils.claims import CLAIM_MIME

SECTIONS = [
    "Learning objectives",
    "Background and theory",
    "Implementation from scratch",
    "Cross-check",
    "Experiment",
    "Claim check",
    "Explore",
    "Exercises",
    "Takeaways and limits",
    "References and further reading",
]
MACHINE_PATH = re.compile(r"(/work/|/root/|/home/\w+|/tmp/|/private/var/|site-packages|[A-Z]:\\\\Users)")
BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]{120,}")


def ids(paths):
    return [p.stem for p in paths]


def cells_of(path):
    return [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", ()))) for c in jupytext.read(path).cells]


def test_there_are_chapters():
    assert SOURCES, "no notebooks/NN_slug.py found"


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_py_and_ipynb_have_identical_cells(source):
    notebook = source.with_suffix(".ipynb")
    assert notebook.exists(), f"{notebook.name} is missing: run `make execute NB={source.relative_to(ROOT)}`"
    py_cells, nb_cells = cells_of(source), cells_of(notebook)
    for i, (a, b) in enumerate(zip(py_cells, nb_cells)):
        assert a == b, (
            f"cell {i} differs between {source.name} and {notebook.name} (type, source or tags): "
            f"re-execute with `make execute NB={source.relative_to(ROOT)}`.\n.py:    {a[1][:200]!r}\n.ipynb: {b[1][:200]!r}"
        )
    assert len(py_cells) == len(nb_cells), (
        f"{source.name} has {len(py_cells)} cells but {notebook.name} has {len(nb_cells)}: "
        f"re-execute with `make execute NB={source.relative_to(ROOT)}`."
    )


def _output_texts(output):
    if output.get("output_type") == "stream":
        yield output.get("text", "")
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/") or mime.endswith("json"):
            yield value if isinstance(value, str) else str(value)


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_stored_outputs_are_sound(source):
    nb = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code_cells]
    assert counts == list(range(1, len(code_cells) + 1)), (
        f"{source.stem}.ipynb was not executed top to bottom in one fresh run (execution counts {counts}): "
        f"run `make execute NB={source.relative_to(ROOT)}`."
    )
    for index, cell in enumerate(code_cells):
        for output in cell.outputs:
            where = f"{source.stem}.ipynb, code cell {index + 1}"
            assert output.output_type != "error", f"{where}: stored error output {output.get('ename')}"
            if output.output_type == "stream":
                assert output.name != "stderr", f"{where}: stray stderr output {output.text[:300]!r}"
            for text in _output_texts(output):
                match = MACHINE_PATH.search(BASE64_RUN.sub("", text))
                assert not match, f"{where}: machine-specific path {match.group(0)!r} in a stored output"
            record = output.get("data", {}).get(CLAIM_MIME)
            if record is not None:
                assert record["fast"] is False, f"{where}: the stored claim check comes from a fast-mode run"


def markdown(nb):
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


@pytest.mark.parametrize("source", CHAPTERS, ids=ids(CHAPTERS))
def test_chapter_meets_the_contract(source):
    nb = jupytext.read(source)
    number = source.name[:2]
    name = source.name
    first = nb.cells[0].source
    assert nb.cells[0].cell_type == "markdown" and first.startswith(f"# {number} · "), (
        f"{name}: the first cell must be the title card, starting '# {number} · <title>'"
    )
    assert re.search(r"arxiv\.org|doi\.org", first, re.I), f"{name}: the card must link the paper (arXiv or DOI)"
    assert re.search(r"fast mode", first, re.I), f"{name}: the card must state the run time in fast and full mode"

    headings = [line[3:].strip() for text in markdown(nb) for line in text.splitlines() if line.startswith("## ")]
    assert headings == SECTIONS, f"{name}: the H2 sections must be exactly, in order: {SECTIONS}; found {headings}"

    code = [c.source for c in nb.cells if c.cell_type == "code"]
    claim_cells = [c for c in code if "utils.check_claims(" in c]
    assert len(claim_cells) == 1 and f'"{number}"' in claim_cells[0], (
        f'{name}: needs exactly one claim check cell calling utils.check_claims("{number}", [...])'
    )
    assert any("utils.explore(" in c for c in code), f"{name}: needs an interactive cell calling utils.explore(...)"
    assert any("{bibliography}" in m for m in markdown(nb)), f"{name}: the references section needs a bibliography"


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_every_exercise_has_a_dropdown_solution(source):
    """At least three exercises, each with a dropdown solution holding a solution-tagged code cell."""
    nb = jupytext.read(source)
    name, number = source.name, source.name[:2]
    labels = re.findall(r"```\{exercise\}\s*\n:label:\s*(ch\d\d-ex\d+)", "\n".join(markdown(nb)))
    assert len(labels) >= 3, f"{name}: needs at least three exercises (```{{exercise}} with :label: ch{number}-exK), found {labels}"
    assert len(set(labels)) == len(labels), f"{name}: exercise labels repeat: {labels}"
    for label in labels:
        start = next((i for i, c in enumerate(nb.cells) if re.search(r"\{solution-start\}\s*" + label + r"\b", c.source)), None)
        assert start is not None, f"{name}: exercise {label} has no solution (```{{solution-start}} {label})"
        assert ":class: dropdown" in nb.cells[start].source, f"{name}: the solution of {label} must be a dropdown"
        end = next((i for i in range(start, len(nb.cells)) if "{solution-end}" in nb.cells[i].source), None)
        assert end is not None, f"{name}: the solution of {label} is never closed with ```{{solution-end}}"
        solution_cells = [c for c in nb.cells[start:end] if c.cell_type == "code" and "solution" in c.metadata.get("tags", ())]
        assert solution_cells, f"{name}: the solution of {label} has no code cell tagged 'solution'"
        assert all(c.source.strip() for c in solution_cells), f"{name}: the solution of {label} is empty"


def check_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and "check" in c.metadata.get("tags", ())]


def visible_part(source: str) -> str:
    """Return a check cell as a student sees it: without its nbgrader hidden tests."""
    return re.sub(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[^\n]*\n?", "", source, flags=re.S | re.M)


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_exercises_number_within_the_chapter(source):
    nb = jupytext.read(source)
    number = source.name[:2]
    labels = re.findall(r"```\{exercise\}\s*\n:label:\s*(ch\d\d-ex\d+)", "\n".join(markdown(nb)))
    expected = [f"ch{number}-ex{k}" for k in range(1, len(labels) + 1)]
    assert labels == expected, f"{source.name}: exercise labels must be {expected} in order (Exercise K is chNN-exK); found {labels}"


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_no_answer_is_visible_next_to_its_exercise(source):
    """Check cells show their outcome on the website, and what students see tests properties only."""
    nb = jupytext.read(source)
    cells = check_cells(nb)
    assert cells, f"{source.name}: no check cell (tag 'check') found"
    for cell in cells:
        label = (re.search(r"ch\d\d-ex\d+", cell.source) or ["a check cell"])[0]
        tags = cell.metadata.get("tags", ())
        assert "remove-input" in tags, f"{source.name}, {label}: tag the check cell 'remove-input' so the website shows its outcome, not its source"
        visible = visible_part(cell.source)
        assert "utils.check_that(" in visible, (
            f"{source.name}, {label}: the visible part of the check needs utils.check_that(...) on a property of the answer"
        )
        leaked = re.findall(r"utils\.check_(value|array|function)\(", visible)
        assert not leaked, (
            f"{source.name}, {label}: utils.check_{leaked[0]} compares with the expected answer: put it between "
            "### BEGIN HIDDEN TESTS and ### END HIDDEN TESTS"
        )


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_open_ended_means_graded_by_hand(source):
    """An open-ended exercise has no automatic check; a checked one is not called open-ended; each chapter has one."""
    nb = jupytext.read(source)
    text = "\n".join(markdown(nb))
    statements = dict(re.findall(r"```\{exercise\}\s*\n:label:\s*(ch\d\d-ex\d+)\s*\n(.*?)```", text, flags=re.S))
    checked = {re.search(r"ch\d\d-ex\d+", c.source)[0] for c in check_cells(nb) if re.search(r"ch\d\d-ex\d+", c.source)}
    open_ended = {label for label, body in statements.items() if re.match(r"\s*\(open-ended\.?\)", body, re.I)}
    assert open_ended, f"{source.name}: one exercise must be genuinely open-ended, its statement starting '(Open-ended.)'"
    both = sorted(open_ended & checked)
    assert not both, f"{source.name}: {both} are called open-ended but have an automatic check (grade them by hand, or drop the label)"


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_code_lines_fit_the_column(source):
    nb = jupytext.read(source)
    long = [
        line
        for cell in nb.cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if len(line) > 100
    ]
    assert not long, f"{source.name}: {len(long)} code line(s) longer than 100 characters, e.g. {long[0][:120]!r}"


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_stored_notebook_is_small(source):
    size = source.with_suffix(".ipynb").stat().st_size
    assert size <= 1_000_000, (
        f"{source.stem}.ipynb is {size / 1e6:.2f} MB (limit 1 MB; each re-execution adds it to the history): "
        "fewer or smaller explorer frames, or smaller figures"
    )


@pytest.mark.parametrize("source", SOURCES, ids=ids(SOURCES))
def test_claim_record_has_headline_and_verdict(source):
    from utils.claims import KINDS, VERDICTS

    nb = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    records = [o["data"][CLAIM_MIME] for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if CLAIM_MIME in o.get("data", {})]
    assert len(records) == 1, f"{source.stem}.ipynb: expected one stored claim record, found {len(records)}"
    record = records[0]
    assert record.get("verdict") in VERDICTS and record.get("headline"), f"{source.stem}.ipynb: the claim record needs a headline and a verdict"
    assert all(row.get("kind") in KINDS for row in record["rows"]), f"{source.stem}.ipynb: every claim row needs a kind"


@pytest.mark.parametrize("source", CHAPTERS, ids=ids(CHAPTERS))
def test_chapter_title_is_its_name_in_chapters_yml(source):
    """One name per chapter everywhere: the sidebar shows the notebook's title, the tables chapters.yml's."""
    import yaml

    listed = {c["number"]: c["title"] for c in yaml.safe_load((ROOT / "book" / "chapters.yml").read_text())}
    number = source.name[:2]
    title = jupytext.read(source).cells[0].source.splitlines()[0]
    assert title == f"# {number} · {listed[number]}", (
        f"{source.name}: the title must be '# {number} · {listed[number]}' (book/chapters.yml), found {title!r}"
    )


@pytest.mark.parametrize("source", CHAPTERS, ids=ids(CHAPTERS))
def test_paper_card_has_one_format(source):
    card = jupytext.read(source).cells[0].source
    for field in ("**Paper.**", "**Summary.**", "**What the seminar notes claim.**", "**Run time:**"):
        assert field in card, f"{source.name}: the card needs a paragraph starting {field} (see 04 or 10)"
