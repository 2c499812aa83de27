"""The pinned requirements and environment.yml describe the same environment."""

import re

import yaml

from conftest import ROOT


def pinned(lines):
    lines = [line.split("#")[0].strip() for line in lines]  # a pin may carry a comment saying why
    return {re.split(r"==", line)[0].lower(): line for line in lines if "==" in line}


REQUIREMENTS = ("requirements.txt", "requirements-dev.txt")  # running the chapters; building, testing, grading


def requirement_lines(name):
    return [line for line in (ROOT / name).read_text().splitlines() if line.strip() and not line.startswith("#")]


def test_environment_yml_names_the_same_pinned_packages():
    requirements = pinned(line for name in REQUIREMENTS for line in requirement_lines(name))
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    assert pinned(pip_section) == requirements, "requirements*.txt and environment.yml differ: edit them together"


def test_every_requirement_is_pinned_exactly():
    for name in REQUIREMENTS:
        for line in requirement_lines(name):
            assert "==" in line, f"{name}: pin {line!r} with == so every machine gets the same version"


def test_running_the_chapters_needs_no_build_or_test_tool():
    run = {line.split("==")[0].lower() for line in requirement_lines("requirements.txt")}
    tools = {"jupyter-book", "sphinx-exercise", "nbval", "nbgrader", "pytest", "pytest-xdist", "playwright", "ruff"}
    assert not run & tools, f"requirements.txt is what the chapters need; move {sorted(run & tools)} to requirements-dev.txt"


def test_python_code_is_clean():
    import subprocess
    import sys
    from pathlib import Path

    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "check", "utils", "tests", "scripts", "notebooks", "book/_ext"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_jupyterlab_pairs_chapters_and_runs_widgets():
    """`make lab` opens chapters paired .py <-> .ipynb and renders live widgets."""
    import subprocess
    import sys
    from pathlib import Path

    from jupytext.config import load_jupytext_configuration_file

    config = load_jupytext_configuration_file(str(ROOT / "jupytext.toml"))
    assert "ipynb,py:percent" in str(config.formats), "jupytext.toml must pair .ipynb with py:percent"
    jupyter = Path(sys.executable).parent / "jupyter"
    listing = subprocess.run([str(jupyter), "labextension", "list"], capture_output=True, text=True)
    text = listing.stdout + listing.stderr
    for extension in ("jupyterlab-jupytext", "@jupyter-widgets/jupyterlab-manager"):
        assert extension in text and "enabled" in text.split(extension)[1].splitlines()[0], f"{extension} is not enabled in JupyterLab"
