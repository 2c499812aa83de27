"""Sphinx tweaks for the book's website (loaded through `local_extensions` in _config.yml).

1. Numbering within each chapter: Sphinx numbers exercises, figures and equations across the whole
   book when the table of contents is not numbered (chapter 04's first exercise would be
   "Exercise 4"). Numbers restart at 1 on every page instead, so Exercise K of chapter NN is the
   one labelled chNN-exK, and equation (1) is a chapter's first equation.
2. Solution cells show the code a student writes, without nbgrader's grading markers.
"""

from __future__ import annotations

import re

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


def setup(app):
    # Runs after Sphinx's own figure numbering, which also listens to env-get-updated (priority 500).
    app.connect("env-get-updated", number_within_pages, priority=900)
    app.connect("doctree-read", strip_grading_markers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
