"""nbgrader grades the book's exercises: the instructor source `make student` writes works end to end.

The full round trip runs on 00_how_to_use in fast mode, in a throw-away course directory
(`--CourseDirectory.root`, its own gradebook, Jupyter config, data and IPython folders, so
nothing of the user's `~/.jupyter` or a real gradebook is touched):
`nbgrader generate_assignment`, then two submissions made from the released notebook, one
with the solutions written in and one left as released, then `nbgrader autograde`.
The filled one must get every autograded point and have its open-ended answer waiting for
manual grading; the unfilled one must get zero everywhere.

For every chapter, a cheap test checks that its nbgrader source validates and that
nbgrader's own solution clearing accepts it.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, load_script
from conftest import SOURCES as CHAPTERS  # 00 included: it has exercises too

ASSIGNMENT = "00_how_to_use"
NBGRADER = Path(sys.executable).parent / "nbgrader"

make_student = load_script("make_student")


def nbgrader_cells(nb) -> dict[str, nbformat.NotebookNode]:
    """Return the cells that carry a grade_id, by grade_id."""
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "grade_id" in c.metadata.get("nbgrader", {})}


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda p: p.stem)
def test_nbgrader_source_is_valid(source, tmp_path):
    from nbgrader.nbgraderformat import MetadataValidator
    from nbgrader.preprocessors import ClearSolutions

    path = make_student.write_nbgrader_source(source, tmp_path)
    nb = nbformat.read(path, as_version=4)
    MetadataValidator().validate_nb(nb)
    cells = nbgrader_cells(nb)
    checks = [c for c in nb.cells if "check" in c.metadata.get("nbgrader", {}).get("grade_id", "")]
    assert all(c.metadata["nbgrader"]["grade"] and c.metadata["nbgrader"]["points"] > 0 for c in checks)
    assert "jupytext" not in nb.metadata, (
        "a released notebook must not be paired (JupyterLab would write a .py beside it)"
    )
    released, _ = ClearSolutions().preprocess(copy.deepcopy(nb), {})  # raises on a marker outside a solution cell
    for grade_id, cell in nbgrader_cells(released).items():
        if cell.metadata["nbgrader"]["solution"] and cell.cell_type == "code":
            assert "raise NotImplementedError" in cell.source, f"{grade_id} was not replaced by a stub"
            assert "BEGIN SOLUTION" not in cell.source
    assert cells, f"{source.name}: no nbgrader cells (no exercises?)"
    assert (path.parent / "utils" / "__init__.py").exists(), "the assignment must carry utils/ to run on a JupyterHub"


def run_nbgrader(args: list[str], course: Path, env: dict[str, str]) -> None:
    """Run one nbgrader command on the temporary course; fail with its log if it fails."""
    result = subprocess.run(
        [str(NBGRADER), *args, f"--CourseDirectory.root={course}"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        f"nbgrader {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
    )


def fill_in(released: nbformat.NotebookNode, source: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the released notebook with each answer cell written as the solution (markers dropped)."""
    solutions = nbgrader_cells(source)
    filled = copy.deepcopy(released)
    for cell in filled.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            lines = solutions[meta["grade_id"]].source.split("\n")
            cell.source = "\n".join(ln for ln in lines if "BEGIN SOLUTION" not in ln and "END SOLUTION" not in ln)
    return filled


@pytest.mark.skipif(not NBGRADER.exists(), reason="nbgrader is not installed in this environment")
def test_nbgrader_grades_filled_and_unfilled(tmp_path):
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    source_path = make_student.write_nbgrader_source(ROOT / "notebooks" / f"{ASSIGNMENT}.py", course)
    (course / "nbgrader_config.py").write_text(make_student.NBGRADER_CONFIG)
    env = dict(os.environ)
    env.update(
        BOOK_FAST="1",
        PATH=f"{NBGRADER.parent}{os.pathsep}{env.get('PATH', '')}",  # nbgrader calls `alembic` for its database
        JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter_config"),
        JUPYTER_DATA_DIR=str(tmp_path / "jupyter_data"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "jupyter_runtime"),
        IPYTHONDIR=str(tmp_path / "ipython"),
    )
    run_nbgrader(["generate_assignment", ASSIGNMENT], course, env)
    release = course / "release" / ASSIGNMENT
    released = nbformat.read(release / f"{ASSIGNMENT}.ipynb", as_version=4)
    stubs = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
    assert stubs and all("raise NotImplementedError" in c.source for c in stubs)
    released_checks = [c.source for c in released.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert released_checks and not any("check_value(" in c or "HIDDEN TESTS" in c for c in released_checks), (
        "the released notebook shows an expected value: it must keep only the visible checks"
    )

    source = nbformat.read(source_path, as_version=4)
    for student, nb in (("filled", fill_in(released, source)), ("unfilled", released)):
        folder = course / "submitted" / student / ASSIGNMENT
        shutil.copytree(release, folder)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    run_nbgrader(["autograde", ASSIGNMENT], course, env)

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {}
        for student in ("filled", "unfilled"):
            notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            scores[student] = {g.name: (g.score, g.max_score, g.needs_manual_grade) for g in notebook.grades}
    for student, grades in scores.items():
        print(
            f"{student}: "
            + ", ".join(
                f"{name} {score}/{top}" + (" (manual)" if manual else "")
                for name, (score, top, manual) in grades.items()
            )
        )
    checks = [name for name in scores["filled"] if name.endswith("-check") or "-check-" in name]
    manual = [name for name in scores["filled"] if name not in checks]
    assert checks, "the chapter has no autograded check"
    for name in checks:
        score, max_score, _ = scores["filled"][name]
        assert score == max_score > 0, f"filled in, {name} scored {score} of {max_score}: {scores['filled']}"
        assert scores["unfilled"][name][0] == 0, f"left unfilled, {name} scored {scores['unfilled'][name][0]}"
    for name in manual:  # open-ended answers: written ones wait for the instructor, empty ones score 0
        assert scores["filled"][name][2], f"the written answer {name} should wait for manual grading"
        assert scores["unfilled"][name][0] == 0 and not scores["unfilled"][name][2]
