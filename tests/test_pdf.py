"""`make pdf` prints the whole book: every landed chapter, typeset math, page numbers, a contents list.

Built once for this module with scripts/build_pdf.py (the single-page HTML build printed by the
Chromium the browser tests use); shares the site's xdist group, since both rebuild _vendor/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from conftest import ROOT, load_script

CHROMIUM = os.environ.get("BOOK_CHROMIUM", "/usr/bin/chromium")
PDF = ROOT / "_build" / "pdf" / "book.pdf"
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("site")]
report = load_script("report")


@pytest.fixture(scope="module")
def pdf_text():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: install it (`apt-get install chromium`) to build the PDF"
        if os.environ.get("BOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run([sys.executable, "scripts/build_pdf.py"], cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, f"make pdf failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    from pypdf import PdfReader

    reader = PdfReader(PDF)
    pages = [page.extract_text() for page in reader.pages]
    return reader, pages


def test_pdf_has_every_landed_chapter_with_page_numbers(pdf_text):
    reader, pages = pdf_text
    text = "\n".join(pages)
    landed = [c for c in report.chapters() if report.chapter_status(c)[0] != "planned"]
    assert len(pages) >= 10 * len(landed), f"only {len(pages)} pages for {len(landed)} chapters"
    contents = next(p for p in pages if "Contents" in p)
    for chapter in landed:
        # ligatures (fi, ff) come back as single characters, and long titles wrap onto a second line
        flat = " ".join(unicodedata.normalize("NFKC", contents).lower().split())
        assert chapter["title"].lower() in flat, f"chapter {chapter['number']} is missing from the contents"
    assert f"1 / {len(pages)}" in pages[0] and f"{len(pages)} / {len(pages)}" in pages[-1], "pages are not numbered"
    assert reader.outline, "the PDF has no outline (bookmarks)"
    for raw in ("\\frac", "\\begin{", "$$"):
        assert raw not in text, f"raw TeX {raw!r} in the PDF: math was not typeset"
