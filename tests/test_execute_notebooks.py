"""Every notebook runs top to bottom in fast mode under nbval (errors fail; outputs are not compared).

This is the default seed; tests/test_checks_bite.py runs every notebook again with BOOK_SEED=7, so
that a claim check that only holds for the seed on the website fails there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from conftest import ROOT, SOURCES


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_notebook_runs_in_fast_mode(source, seed="0"):
    notebook = source.with_suffix(".ipynb")
    env = os.environ | {"BOOK_FAST": "1", "BOOK_SEED": seed}
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
               "-p", "no:xdist", "-q", str(notebook.relative_to(ROOT))]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - start
    print(f"{notebook.name}: nbval in fast mode, BOOK_SEED={seed}, took {seconds:.0f} s")
    assert result.returncode == 0, f"{notebook.name} failed under nbval with BOOK_SEED={seed}:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
