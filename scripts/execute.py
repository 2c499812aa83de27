"""Execute chapters top to bottom in a fresh kernel, time them, and optionally store their outputs.

    python scripts/execute.py [--fast] [--write] [notebooks/NN_slug.py ...]

With no paths, every chapter in notebooks/ runs. The .py file is the source: it is
read with jupytext, executed in notebooks/ (BOOK_FAST=1 with --fast), and with
--write the executed notebook replaces the paired .ipynb. Wall times go to
runtimes.json, which the README table and the scoreboard show.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

import jupytext
from filelock import FileLock
from nbclient import NotebookClient

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

ROOT = Path(__file__).resolve().parent.parent
RUNTIMES = ROOT / "runtimes.json"


def chapter_sources(paths: list[str]) -> list[Path]:
    """Return the .py sources to run: the given ones, or every chapter."""
    if not paths:
        return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    sources = []
    for p in paths:
        path = (Path.cwd() / p).resolve().with_suffix(".py")
        if not path.exists():
            sys.exit(f"{p}: no such chapter source (expected notebooks/NN_slug.py).")
        sources.append(path)
    return sources


def execute(source: Path, fast: bool, timeout: int, seed: int | None = None, allow_errors: bool = False):
    """Run the chapter in a fresh kernel; return the executed notebook and its wall time in seconds.

    seed sets BOOK_SEED (default: the environment's); allow_errors runs on past a failing cell
    (the seed report reads a failing claim check's record that way).
    """
    nb = jupytext.read(source)
    settings = {
        "BOOK_FAST": "1" if fast else "0",
        # This checkout's utils/, not whichever one the editable install points at (another worktree).
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    if seed is not None:
        settings["BOOK_SEED"] = str(seed)
    previous = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)  # the kernel inherits this process's environment
    try:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(source.parent)}},
            record_timing=False,
            allow_errors=allow_errors,
        )
        start = time.perf_counter()
        client.execute()
        elapsed = time.perf_counter() - start
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return nb, elapsed


def store_compactly(nb) -> None:
    """Drop what the website and JupyterLab do not need from an executed notebook, in place.

    An explorer's output carries a live widget view and its pre-drawn HTML twin: the stored copy
    keeps the twin (a saved widget view shows nothing without a kernel). Saved widget state is kept
    only when a widget without such a twin remains (chapter 00's browser-only widget), so that only
    pages showing a saved widget load the widget manager.
    """
    widget_outputs = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_MIME in data and "text/html" in data:
                del data[WIDGET_MIME]
            widget_outputs += WIDGET_MIME in data
    if not widget_outputs:
        nb.metadata.pop("widgets", None)


def record_runtime(chapter: str, mode: str, seconds: float) -> None:
    """Store one measured wall time in runtimes.json."""
    with FileLock(str(RUNTIMES) + ".lock"):  # several runs may finish at once
        data = json.loads(RUNTIMES.read_text()) if RUNTIMES.exists() else {}
        entry = data.setdefault(chapter, {})
        entry[f"{mode}_s"] = round(seconds, 1)
        entry[f"{mode}_measured"] = f"{date.today().isoformat()}, {os.cpu_count()}-core {platform.machine()} CPU"
        RUNTIMES.write_text(json.dumps(dict(sorted(data.items())), indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", help="chapter sources (default: all)")
    parser.add_argument("--fast", action="store_true", help="run in fast mode (BOOK_FAST=1)")
    parser.add_argument("--write", action="store_true", help="store the outputs in the paired .ipynb")
    parser.add_argument("--timeout", type=int, default=900, help="per-cell timeout in seconds")
    args = parser.parse_args()
    if args.write and args.fast:
        sys.exit("--write stores full-mode outputs only (the website shows them): drop --fast.")
    mode = "fast" if args.fast else "full"
    for source in chapter_sources(args.paths):
        nb, seconds = execute(source, args.fast, args.timeout)
        record_runtime(source.stem[:2], mode, seconds)
        if args.write:
            store_compactly(nb)
            jupytext.write(nb, source.with_suffix(".ipynb"))
        print(f"{source.name}: {mode} mode {seconds:.1f} s" + (" (outputs stored)" if args.write else ""))


if __name__ == "__main__":
    main()
