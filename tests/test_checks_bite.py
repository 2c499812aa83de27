"""Every exercise check rejects cheap wrong answers, and every notebook runs with another seed.

Each notebook runs top to bottom in fast mode with BOOK_SEED=7 in a fresh kernel (a claim check
that only holds for the seed on the website fails here; nbval runs the default seed). Right after
each check cell passes with the worked solution, the check cell, hidden tests included, runs again
with each answer replaced by cheap wrong answers (tests/bite_kernel.py): None, zeros, ones, a
constant, the answer negated or doubled or plus 10, random values of the right shape, a repeated,
reversed or interpolated array, a function that ignores its arguments or returns zeros, None or
twice the answer. The check must reject every one.

An exercise's answers are the names its solution cells bind and its check cell reads. An answer
that many values satisfy (e.g. "construct a set on which the search fails": its mirror image is
right too) is declared in its check cell with a comment `# not-mutated: name (why)`; only None is
tried for it, and the reason stays in the source for a reviewer to judge.
"""

from __future__ import annotations

import json
import re

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from conftest import NOTEBOOKS, ROOT, SOURCES, load_script

make_student = load_script("make_student")
LABEL = re.compile(r"\bch\d{2}-ex\d+\b")
EXEMPT = re.compile(r"#\s*not-mutated:\s*(\w+)\s*\((.+)\)")
KERNEL_CODE = (ROOT / "tests" / "bite_kernel.py").read_text()


def answer_names(source) -> dict[str, list[str]]:
    """Return {exercise label: names its solution binds and its check reads}."""
    _, units, exercises = make_student.read_chapter(source)
    bound: dict[str, list[str]] = {}
    for unit in units:
        if unit.kind == "solution":
            names = bound.setdefault(unit.label, [])
            names += [n for n in make_student._defined_names(unit.source) if n not in names]
    return {
        label: [n for n in bound.get(label, []) if n in exercise.checked_names]
        for label, exercise in exercises.items()
        if exercise.has_check
    }


def run_code(client: NotebookClient, code: str, index: int) -> str:
    """Run code in the notebook's kernel and return what it printed."""
    cell = nbformat.v4.new_code_cell(code)
    client.execute_cell(cell, index)
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream" and o.get("name") == "stdout")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_checks_reject_cheap_wrong_answers(source, monkeypatch):
    monkeypatch.setenv("BOOK_FAST", "1")
    monkeypatch.setenv("BOOK_SEED", "7")
    answers = answer_names(source)
    nb = jupytext.read(source)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}})
    accepted, tried = [], {}
    with client.setup_kernel():
        run_code(client, KERNEL_CODE, -1)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            client.execute_cell(cell, index)  # raises CellExecutionError, with the traceback, on an error
            if "check" not in cell.metadata.get("tags", []):
                continue
            label = LABEL.search(cell.source)[0]
            names = answers.get(label, [])
            assert names, f"{source.name}: the check of {label} reads no name that its solution binds"
            exempt = [m[1] for m in EXEMPT.finditer(cell.source)]
            call = f"_book_bite({cell.source!r}, {names!r}, {exempt!r})"
            out = run_code(client, f"import json\nprint(json.dumps({call}))", index)
            result = json.loads(out.strip().splitlines()[-1])
            tried[label] = result["tried"]
            accepted += [f"{label}: {wrong}" for wrong in result["accepted"]]
    print(f"{source.stem}: wrong answers tried per exercise {tried}")
    assert tried, f"{source.name}: no check cell ran"
    assert not accepted, f"{source.name}: checks accepted cheap wrong answers:\n" + "\n".join(accepted)
