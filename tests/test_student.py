"""The student edition (`make student`) of every chapter: no solution left, a stub per exercise, runnable.

For each chapter `notebooks/NN_slug.py` the edition is generated into a temporary folder with
`scripts/make_student.py` (the same code `make student` runs), then checked:

- no line of a solution (code between the markers, or solution prose) survives in it;
- every exercise has a stub, and every code stub raises NotImplementedError with a message
  that names the exercise and says what to write;
- its `.py` and `.ipynb` are a valid jupytext pair, without outputs;
- executed in fast mode, it runs without error up to the first exercise and stops there.

That the instructor version (the chapter itself, solutions in) passes all its checks is
covered by the nbval run of the chapters: every check cell raises AssertionError on a wrong
answer, so a solution that fails its check fails that run.

Also here, a contract test for the website: every solution directive is a collapsed dropdown.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import ROOT, load_script
from conftest import SOURCES as CHAPTERS  # 00 included: it has exercises too

FENCE = re.compile(r"^\s*(`{3,}|:{3,})\{(?P<name>[\w-]+)\}\s*(?P<arg>.*?)\s*$")
LABEL = re.compile(r"\bch\d{2}-ex\d+\b")

make_student = load_script("make_student")


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("student")


def student_edition(source: Path, out: Path):
    """Return the student edition of a chapter as (py notebook, ipynb notebook, py path)."""
    py, ipynb = out / "notebooks" / f"{source.stem}.py", out / "notebooks" / f"{source.stem}.ipynb"
    if not py.exists():
        make_student.write_student(source, out)
    return jupytext.read(py), jupytext.read(ipynb), py


def directive_blocks(text: str):
    """Yield (name, argument, option dict, body lines) of each directive fence in markdown text."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m.group(1)
        close = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        body = lines[i + 1 : j]
        yield m["name"], m["arg"], make_student._options(body), body
        i = j + 1


def exercise_labels(nb) -> list[str]:
    """Return the labels of the chapter's exercises, in order."""
    labels = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for name, _, options, _ in directive_blocks(cell.source):
                if name in ("exercise", "exercise-start") and options.get("label"):
                    labels.append(options["label"])
    return labels


def solution_and_other_lines(nb) -> tuple[set[str], set[str], int]:
    """Split a chapter's lines into solution lines and all other lines; also count its solution code cells.

    Independent of make_student: code cells tagged `solution` (or inside a solution-start/end
    region) contribute the lines between the markers, or all their lines without markers;
    markdown between solution-start and solution-end, or inside a one-piece solution directive,
    contributes its prose.
    """
    solution, other = set(), set()
    in_solution, n_solution_cells = False, 0
    for cell in nb.cells:
        lines = cell.source.split("\n")
        if cell.cell_type == "markdown":
            close = None  # the closing fence of a one-piece {solution} directive we are in
            for line in lines:
                fence = FENCE.match(line)
                if close is not None:
                    if close.match(line):
                        close = None
                    else:
                        solution.add(line.strip())
                    continue
                if fence and fence["name"] == "solution":
                    close = re.compile(rf"^\s*{re.escape(fence.group(1)[0])}{{{len(fence.group(1))},}}\s*$")
                elif fence and fence["name"] == "solution-start":
                    in_solution = True
                elif fence and fence["name"] == "solution-end":
                    in_solution = False
                (solution if in_solution and not fence else other).add(line.strip())
            continue
        if cell.cell_type != "code":
            continue
        if "solution" in cell.metadata.get("tags", []) or in_solution:
            n_solution_cells += 1
            has_markers = any("BEGIN SOLUTION" in line for line in lines)
            inside = not has_markers
            for line in lines:
                if "BEGIN SOLUTION" in line:
                    inside = True
                elif "END SOLUTION" in line:
                    inside = False
                else:
                    (solution if inside else other).add(line.strip())
        else:
            other.update(line.strip() for line in lines)
    return solution, other, n_solution_cells


def is_trivial(line: str) -> bool:
    """Lines too generic to count as a leaked solution: blank, comments, brackets, `return`, directive options."""
    if re.match(r"^:[\w-]+:", line):  # a directive option such as `:class: dropdown`
        return True
    return len(line) < 4 or line.startswith("#") or line in {"return", "pass", "else:", "try:", "...", "```"}


def stub_messages(source: str) -> list[str]:
    """Return the messages of the `raise NotImplementedError("...")` statements in code."""
    messages = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            if isinstance(func, ast.Name) and func.id == "NotImplementedError":
                args = node.exc.args
                messages.append(args[0].value if args and isinstance(args[0], ast.Constant) else "")
    return messages


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda p: p.stem)
def test_solutions_are_collapsed_dropdowns(source):
    """On the website every solution is a dropdown under its exercise, never shown by default.

    Also, every solution-start has its solution-end before the next one: an unclosed solution
    would fold the rest of the chapter into it, and the student edition would lose it.
    """
    nb = jupytext.read(source)
    open_solution = None
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for name, arg, options, _ in directive_blocks(cell.source):
            if name in ("solution-start", "solution"):
                classes = options.get("class", "").split()
                assert "dropdown" in classes, (
                    f"{source.name}: {{{name}}} {arg} needs `:class: dropdown`, so it is folded."
                )
            if name == "solution-start":
                assert open_solution is None, f"{source.name}: {{solution-start}} {arg} opens inside {open_solution}."
                open_solution = arg or "a solution"
            elif name == "solution-end":
                assert open_solution is not None, f"{source.name}: a {{solution-end}} without its {{solution-start}}."
                open_solution = None
    assert open_solution is None, f"{source.name}: {{solution-start}} {open_solution} has no {{solution-end}}."


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda p: p.stem)
def test_no_solution_survives(source, student_dir):
    chapter = jupytext.read(source)
    solution, other, _ = solution_and_other_lines(chapter)
    student, _, path = student_edition(source, student_dir)
    student_lines = {line.strip() for cell in student.cells for line in cell.source.split("\n")}
    leaked = sorted(line for line in (solution - other) & student_lines if not is_trivial(line))
    assert not leaked, f"{path.name}: solution lines left in the student edition:\n" + "\n".join(leaked)
    for cell in student.cells:
        if cell.cell_type == "markdown":
            names = {name for name, *_ in directive_blocks(cell.source)}
            assert not names & {"solution-start", "solution-end", "solution"}, (
                f"{path.name}: a solution directive is left in the student edition (an empty dropdown):\n{cell.source}"
            )


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda p: p.stem)
def test_every_exercise_has_a_stub(source, student_dir):
    chapter = jupytext.read(source)
    _, _, n_solution_cells = solution_and_other_lines(chapter)
    student, _, path = student_edition(source, student_dir)
    stubs = [cell for cell in student.cells if "stub" in cell.metadata.get("tags", [])]
    code_stubs = [cell for cell in stubs if cell.cell_type == "code"]
    assert len(code_stubs) == n_solution_cells, (
        f"{path.name}: {n_solution_cells} solution cells but {len(code_stubs)} stubs."
    )
    for label in exercise_labels(chapter):
        assert any(label in cell.source for cell in stubs), (
            f"{path.name}: exercise {label} has no stub (does it have a solution?)."
        )


def non_solution_code(nb) -> list[tuple[str, list[str]]]:
    """Return (source, tags) of the chapter's code cells that are not solutions, in order."""
    cells, in_solution = [], False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for name, *_ in directive_blocks(cell.source):
                in_solution = {"solution-start": True, "solution-end": False}.get(name, in_solution)
        elif cell.cell_type == "code" and not in_solution and "solution" not in cell.metadata.get("tags", []):
            cells.append((make_student.strip_hidden_tests(cell.source), cell.metadata.get("tags", [])))
    return cells


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda p: p.stem)
def test_everything_else_is_intact(source, student_dir):
    """Every code cell that is not a solution (set-up, experiments, checks) is in the student edition, unchanged.

    The one change allowed: a check cell loses its nbgrader hidden tests, if it has any.
    """
    student, _, path = student_edition(source, student_dir)
    kept = [
        (cell.source, cell.metadata.get("tags", []))
        for cell in student.cells
        if cell.cell_type == "code" and "stub" not in cell.metadata.get("tags", [])
    ]
    assert kept == non_solution_code(jupytext.read(source)), f"{path.name}: code cells outside the exercises changed."


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda p: p.stem)
def test_stubs_say_what_to_write(source, student_dir):
    student, _, path = student_edition(source, student_dir)
    for cell in student.cells:
        if cell.cell_type != "code" or "stub" not in cell.metadata.get("tags", []):
            continue
        messages = stub_messages(cell.source)
        assert messages, f"{path.name}: this stub does not raise NotImplementedError:\n{cell.source}"
        for message in messages:
            m = re.match(r"^Exercise (ch\d{2}-ex\d+): (.+)$", message)
            assert m and len(m[2]) >= 15, (
                f"{path.name}: the stub's message must name the exercise and what to write: {message!r}"
            )
        # A value the check reads is named in the stub, as `name = ...`.
        for name in re.findall(r"^(\w+) = \.\.\.", cell.source, flags=re.M):
            assert f"`{name}`" in cell.source


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda p: p.stem)
def test_student_pair(source, student_dir):
    """The student .py and .ipynb hold the same cells (type, source, tags); the .ipynb has no outputs."""
    py_nb, ipynb_nb, path = student_edition(source, student_dir)
    assert len(py_nb.cells) == len(ipynb_nb.cells), f"{path.name}: the pair differs in its number of cells."
    for a, b in zip(py_nb.cells, ipynb_nb.cells):
        assert (a.cell_type, a.source, a.metadata.get("tags")) == (b.cell_type, b.source, b.metadata.get("tags"))
    raw = json.loads(path.with_suffix(".ipynb").read_text())
    assert raw["metadata"]["jupytext"]["formats"] == "ipynb,py:percent"
    assert all(not cell.get("outputs") for cell in raw["cells"]), f"{path.name}: the student notebook carries outputs."


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda p: p.stem)
def test_student_edition_stops_at_first_exercise(source, student_dir, monkeypatch):
    """Run in fast mode, the student edition has no error before its first stub, and stops there clearly.

    A stub at the top level raises NotImplementedError itself; a stub inside a function body
    raises only when called, so the run goes on to that exercise's check cell, which fails with
    an AssertionError that names the exercise.
    """
    _, nb, path = student_edition(source, student_dir)
    stub_index = next(
        (i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "stub" in c.metadata.get("tags", [])), None
    )
    if stub_index is None:
        pytest.skip(f"{path.name} has no exercise stub yet")
    label = LABEL.search(nb.cells[stub_index].source)[0]
    checks = [
        i
        for i, c in enumerate(nb.cells)
        if i > stub_index and "check" in c.metadata.get("tags", []) and label in c.source
    ]
    last = checks[0] if checks else stub_index
    monkeypatch.setenv("BOOK_FAST", "1")
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
        record_timing=False,
    )
    failure = None
    with client.setup_kernel():
        for index in range(last + 1):
            try:
                client.execute_cell(nb.cells[index], index)
            except CellExecutionError as err:
                failure = (index, err)
                break
    assert failure is not None, f"{path.name}: ran through exercise {label} without stopping at its stub."
    index, err = failure
    assert index >= stub_index, f"{path.name}: cell {index}, before the first exercise, failed:\n{str(err)[-3000:]}"
    assert err.ename in ("NotImplementedError", "AssertionError"), (
        f"{path.name}: the first exercise failed with {err.ename}:\n{err}"
    )
    assert label in str(err.evalue), f"{path.name}: the message does not name exercise {label}: {err.evalue}"


SYNTHETIC_CHAPTER = """# %% [markdown]
# # A synthetic chapter
#
# Solution cells use `### BEGIN SOLUTION` and `### END SOLUTION`.

# %%
import numpy as np

# %% [markdown]
# :::{exercise}
# :label: ch99-ex1
#
# Store the mean and the variance of `x` in `m` and `v`.
# :::
#
# :::{solution-start} ch99-ex1
# :class: dropdown
# :::

# %% tags=["solution"]
x = np.arange(5)
### BEGIN SOLUTION
m = x.mean()
v = x.var()
### END SOLUTION

# %% [markdown]
# :::{solution-end}
# :::

# %% tags=["check"]
assert m == 2.0, "ch99-ex1: wrong mean"
### BEGIN HIDDEN TESTS
assert v == 2.0, "ch99-ex1: wrong variance"
### END HIDDEN TESTS

# %% [markdown]
# ```{exercise}
# :label: ch99-ex2
#
# (Open-ended.) Write `square(x)`. Why is `x * x` cheaper than $x^{2}$ with `**`?
# ```
#
# ````{solution} ch99-ex2
# :class: dropdown
#
# Multiplying avoids the generic power routine.
# ````
#
# ```{solution-start} ch99-ex2
# :class: dropdown
# ```

# %% tags=["solution"]
def square(x):
    return x * x

# %% [markdown]
# Repeated multiplication is exact for integers.
#
# ```{solution-end}
# ```
#
# ## Takeaways
"""


def test_make_student_handles_every_exercise_form(tmp_path):
    """Colon fences, one-piece solutions, cells without markers, hidden tests: each gets its stub or note."""
    source = tmp_path / "notebooks" / "99_synthetic.py"
    source.parent.mkdir()
    source.write_text(SYNTHETIC_CHAPTER)
    py, _ = make_student.write_student(source, tmp_path / "student")
    text = py.read_text()
    assert "m = ...  # your answer" in text and "v = ...  # your answer" in text  # the names the check reads
    assert 'raise NotImplementedError("Exercise ch99-ex1: define `m` and `v`' in text
    assert 'raise NotImplementedError("Exercise ch99-ex2: define' not in text  # nothing checks `square`
    assert "Exercise ch99-ex2: write the code" in text and "x = np.arange(5)" in text
    for gone in (
        "x.mean()",
        "return x * x",
        "generic power",
        "exact for integers",
        "solution-start",
        "{solution}",
        "v == 2.0",
    ):
        assert gone not in text, gone
    assert text.count("**Your answer (ch99-ex2).**") == 2 and "## Takeaways" in text
    assert 'assert m == 2.0, "ch99-ex1: wrong mean"' in text

    from nbgrader.nbgraderformat import MetadataValidator
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    nb = nbformat_read(make_student.write_nbgrader_source(source, tmp_path / "course"))
    MetadataValidator().validate_nb(nb)
    meta = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata}
    assert meta["ch99-ex1-check"]["points"] == 1 and meta["ch99-ex1-check"]["locked"]
    assert meta["ch99-ex1-solution"]["solution"] and not meta["ch99-ex1-solution"]["grade"]
    assert meta["ch99-ex2-answer-2"]["points"] == make_student.MANUAL_POINTS  # open-ended: graded by hand
    released, _ = ClearSolutions().preprocess(nb, {})
    released, _ = ClearHiddenTests().preprocess(released, {})
    assert "x.mean()" not in str(released.cells) and "v == 2.0" not in str(released.cells)


def nbformat_read(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda p: p.stem)
def test_student_edition_names_only_what_it_ships(source, student_dir):
    """No `make` target but `make lab`, and no link to a book page the edition does not ship."""
    py_nb, _, path = student_edition(source, student_dir)
    text = "\n".join(c.source for c in py_nb.cells)
    targets = set(re.findall(r"`make (\w+)", text)) - {"lab"}
    assert not targets, f"{path.name} names `make {sorted(targets)[0]}`, which the student edition does not have"
    links = re.findall(r"\{doc\}`[^`]*book/[^`]*`", text)
    assert not links, f"{path.name} links {links[0]}, a page of the website that the student edition does not ship"


def test_student_folder_installs_alone_and_runs_chapter_00(tmp_path):
    """A fresh student folder installs requirements.txt alone (no build, test or grading tools) and runs 00."""
    import os
    import shutil
    import subprocess
    import sys

    subprocess.run([sys.executable, "scripts/make_student.py", "notebooks/00_how_to_use.py", "--out", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True)
    folder = tmp_path / "student"
    for name in ("Makefile", "README.md", "requirements.txt", "pyproject.toml", "jupyterlab_overrides.json", "utils"):
        assert (folder / name).exists(), f"the student edition lacks {name}"
    python = shutil.which("python3.11") or shutil.which("python3")
    pip = [str(folder / ".venv" / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    for command in ([python, "-m", "venv", ".venv"], pip + ["-r", "requirements.txt"], pip + ["--no-deps", "-e", "."]):
        result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=1200)
        assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    installed = subprocess.run(pip[:3] + ["list", "--format=freeze"], cwd=folder, env=env, capture_output=True, text=True).stdout.lower()
    # pytest itself comes in anyway: neuraloperator (chapter 07's peer check) needs configmypy, which needs it.
    for tool in ("jupyter-book", "sphinx-exercise", "nbgrader", "playwright", "ruff", "nbval", "pytest-xdist"):
        assert f"\n{tool}==" not in "\n" + installed, f"the student edition installed {tool}, which running chapters does not need"
    size = sum(p.stat().st_size for p in (folder / ".venv").rglob("*") if p.is_file() and not p.is_symlink())
    print(f"student .venv: {size / 1e9:.2f} GB")
    run = (
        "import nbformat, sys\n"
        "from nbclient import NotebookClient\n"
        "from nbclient.exceptions import CellExecutionError\n"
        "nb = nbformat.read('notebooks/00_how_to_use.ipynb', as_version=4)\n"
        "try:\n"
        "    NotebookClient(nb, timeout=300, kernel_name='python3', resources={'metadata': {'path': 'notebooks'}}).execute()\n"
        "except CellExecutionError as err:\n"
        "    print(str(err)[-400:])\n"
    )
    result = subprocess.run([str(folder / ".venv" / "bin" / "python"), "-c", run], cwd=folder, env=env | {"BOOK_FAST": "1"},
                            capture_output=True, text=True, timeout=600)
    assert "NotImplementedError" in result.stdout and "ch00-ex1" in result.stdout, (
        f"the student edition of 00 should run in its own environment up to Exercise 1 and stop there:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    )
