"""Sphinx tweaks for the book's website (loaded through `local_extensions` in _config.yml).

1. Numbering within each chapter: Sphinx numbers exercises, figures and equations across the whole
   book when the table of contents is not numbered (chapter 04's first exercise would be
   "Exercise 4"). Numbers restart at 1 on every page instead, so Exercise K of chapter NN is the
   one labelled chNN-exK, and equation (1) is a chapter's first equation.
2. Solution cells show the code a student writes, without nbgrader's grading markers.
3. Figures carry their title as alt text: utils.plotting.attach_alt_text stores it in the PNG
   output's metadata, and the image node MyST-NB makes for that output (named by the PNG's hash)
   gets it.
4. The single-page build (`make pdf`) drops folded helper cells (plotting code) instead of
   failing on MyST-NB's fold node, which knows only the multi-page HTML builder.
5. No unused scripts: sphinx-thebe (Jupyter Book 1.x loads it though no page runs code live)
   declares its configuration twice on every page, a JavaScript error; its scripts are dropped.
   The theme's Font Awesome script (1.5 MB on every page, a third of a chapter's weight) redraws
   icons as SVG so that sites can add custom icons; this book adds none, and the theme's
   stylesheet draws every icon with the Font Awesome web font, so the script is emptied.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

from docutils import nodes

MARKER = re.compile(r"^[ \t]*###[ \t]*(BEGIN|END) (SOLUTION|HIDDEN TESTS)[ \t]*\n?", re.MULTILINE)


def number_within_pages(app, env) -> list[str]:
    """Renumber every enumerable node (exercise, figure, table, equation) from 1 on each page."""
    for by_type in env.toc_fignumbers.values():
        for figtype, numbers in by_type.items():
            in_order = sorted(numbers, key=lambda node_id: numbers[node_id])
            by_type[figtype] = {node_id: (k,) for k, node_id in enumerate(in_order, start=1)}
    return []


def strip_grading_markers(app, doctree) -> None:
    """Drop `### BEGIN/END SOLUTION` and hidden-test marker lines from the code shown on the page."""
    for block in doctree.findall(nodes.literal_block):
        text = block.astext()
        if "###" not in text or not MARKER.search(text):
            continue
        cleaned = MARKER.sub("", text)
        block.children = [nodes.Text(cleaned)]
        block.rawsource = cleaned


def figure_alt_texts(path: Path) -> dict[str, str]:
    """Return {sha256 of a PNG output: its alt text} for a notebook's image outputs that carry one."""
    notebook = json.loads(path.read_text())
    alts = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            alt = output.get("metadata", {}).get("image/png", {}).get("alt")
            png = output.get("data", {}).get("image/png")
            if alt and png:
                data = "".join(png) if isinstance(png, list) else png
                alts[hashlib.sha256(base64.b64decode(data)).hexdigest()] = alt
    return alts


def add_figure_alt_text(app, doctree) -> None:
    """Give each notebook figure its title as alt text instead of its file path."""
    path = Path(app.env.doc2path(app.env.docname))
    if path.suffix != ".ipynb":
        return
    alts = figure_alt_texts(path)
    for image in doctree.findall(nodes.image):
        digest = Path(image.get("uri", "")).stem
        if digest in alts and not image.get("alt"):
            image["alt"] = alts[digest]


def drop_unused_scripts(app, pagename, templatename, context, doctree) -> None:
    """Remove sphinx-thebe's scripts (thebe is not used) and any script listed twice."""
    scripts = context.get("script_files")
    if not scripts:
        return
    kept, seen = [], set()
    for script in scripts:
        body = getattr(script, "attributes", {}).get("body", "")
        key = (str(script), body)
        if "thebe" in str(script).lower() or "THEBE_JS_URL" in body or key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept


FONTAWESOME_JS = Path("_static") / "scripts" / "fontawesome.js"


def empty_fontawesome_script(app, exception) -> None:
    """Replace the theme's Font Awesome script in the built site by a comment (item 5 above)."""
    path = Path(app.outdir) / FONTAWESOME_JS
    if exception is None and path.exists():
        path.write_text("/* emptied by book/_ext/book_extension.py: icons come from the theme's web font */\n")


def skip_node(translator, node) -> None:
    raise nodes.SkipNode


def setup(app):
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput

    app.add_node(
        HideCodeCellNode,
        override=True,
        html=(visit_HideCellInput, depart_HideCellInput),
        singlehtml=(skip_node, None),
    )
    # Runs after Sphinx's own figure numbering, which also listens to env-get-updated (priority 500).
    app.connect("env-get-updated", number_within_pages, priority=900)
    app.connect("doctree-read", strip_grading_markers)
    app.connect("doctree-read", add_figure_alt_text)
    app.connect("html-page-context", drop_unused_scripts)
    app.connect("build-finished", empty_fontawesome_script)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
