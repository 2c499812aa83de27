"""Build the website into _build/html from the committed notebook outputs.

    python scripts/build_site.py                    # into _build/html (`make book`)
    python scripts/build_site.py --path-output DIR  # into DIR/_build/html (the tests' private copy)

1. Copy the web assets installed by npm (MathJax, RequireJS, the Jupyter widget
   manager) and book/static/ into _vendor/, so the site works offline. Without
   node_modules/ the site falls back to CDNs and says so.
2. Generate the scoreboard page from the notebooks' claim records and the seed report, and the
   instructor's guide's exercise table from the nbgrader source, and the part pages' chapter
   tables and the home page's chapter count from book/chapters.yml.
3. Run Jupyter Book with warnings as errors.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import report  # noqa: E402

VENDOR = ROOT / "_vendor"
NODE = ROOT / "node_modules"
HTML = ROOT / "_build" / "html"


def build_lock() -> FileLock:
    """One book build at a time: each rewrites _vendor/ and the generated pages that the others read."""
    (ROOT / "_build").mkdir(exist_ok=True)
    return FileLock(str(ROOT / "_build" / ".build.lock"))


def vendor_assets() -> bool:
    """Fill _vendor/ with the site's static files; return False when npm assets are missing."""
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    shutil.copytree(ROOT / "book" / "static", VENDOR)
    sources = {
        NODE / "mathjax" / "es5": VENDOR / "mathjax",
        NODE / "requirejs" / "require.js": VENDOR / "requirejs" / "require.js",
        NODE / "@jupyter-widgets" / "html-manager" / "dist": VENDOR / "html-manager",
    }
    if not all(src.exists() for src in sources):
        return False
    for src, dst in sources.items():
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.map", "*.LICENSE.txt", "embed.js", "libembed-amd.js"))
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    return True


def cdn_config() -> Path:
    """Write a copy of _config.yml that loads MathJax and the widget manager from their CDNs."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    sphinx_config = config["sphinx"]["config"]
    for key in ("mathjax_path", "nb_ipywidgets_js"):
        sphinx_config.pop(key)
    # This copy lives in _build/: local extension folders are relative to the book's root.
    extensions = config["sphinx"].get("local_extensions", {})
    config["sphinx"]["local_extensions"] = {name: str(ROOT / folder) for name, folder in extensions.items()}
    path = ROOT / "_build" / "cdn_config.yml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(config))
    return path


def build(path_output: Path = ROOT) -> int:
    """Build the site into path_output/_build/html; return the Jupyter Book exit code."""
    html = Path(path_output).resolve() / "_build" / "html"
    with build_lock():
        for stale in (html, html.parent / ".doctrees"):  # no stale pages or cached settings from earlier builds
            shutil.rmtree(stale, ignore_errors=True)
        offline = vendor_assets()
        jupyter_book = Path(sys.executable).parent / "jupyter-book"
        command = [str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going"]
        if html != HTML:
            command += ["--path-output", str(html.parent.parent)]
        if not offline:
            print("npm assets not found (run `npm ci`): the site will load MathJax and widgets from CDNs and needs the network.")
            command += ["--config", str(cdn_config())]
        report.write_scoreboard()
        report.write_exercise_table()
        report.write_navigation()
        result = subprocess.run(command, cwd=ROOT)
    if result.returncode == 0:
        print(f"\nThe website is in {html}/: open {html / 'index.html'} or run `make serve`.")
    return result.returncode


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path-output", type=Path, default=ROOT, help="folder to hold _build/html (default: the book's root)")
    sys.exit(build(parser.parse_args().path_output))
