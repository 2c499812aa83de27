"""The pinned requirements and environment.yml describe the same environment."""

import re

import yaml

from conftest import ROOT


def pinned(lines):
    return {re.split(r"==", line.strip())[0].lower(): line.strip() for line in lines if "==" in line}


def test_environment_yml_names_the_same_pinned_packages():
    requirements = pinned(line for line in (ROOT / "requirements.txt").read_text().splitlines() if not line.startswith("#"))
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    assert pinned(pip_section) == requirements, "requirements.txt and environment.yml differ: edit both together"


def test_every_requirement_is_pinned_exactly():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert "==" in line, f"requirements.txt: pin {line!r} with == so every machine gets the same version"


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
