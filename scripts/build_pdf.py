"""Build a PDF of the whole book: the single-page HTML build, printed by headless Chromium.

    python scripts/build_pdf.py        # writes _build/pdf/book.pdf (`make pdf`)

1. Jupyter Book's single-page HTML builder writes every page of the table of contents into one
   page, from the committed notebook outputs, with the site's offline assets (MathJax, widgets).
   Folded helper cells (plotting code) are left out; explorers show their default setting.
2. Chromium (/usr/bin/chromium, or BOOK_CHROMIUM), driven by Playwright with every request outside
   the local server refused, waits for MathJax, adds a contents list and prints A4 pages with page
   numbers and a PDF outline (bookmarks) of the chapters.
Nothing is downloaded; without Chromium the script says how to install it.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_site  # noqa: E402
import report  # noqa: E402

ROOT = build_site.ROOT
SOURCE = ROOT / "_build" / "pdfsrc"
PDF = ROOT / "_build" / "pdf" / "book.pdf"
CHROMIUM = os.environ.get("BOOK_CHROMIUM", "/usr/bin/chromium")

# A contents list from the page's chapter titles (each document's top heading), inserted before printing.
CONTENTS_JS = r"""() => {
  const docs = [...document.querySelectorAll('span[id^="document-"] + section')];
  const list = document.createElement('nav');
  list.className = 'print-contents';
  list.innerHTML = '<h2>Contents</h2><ol></ol>';
  const ol = list.querySelector('ol');
  docs.forEach(section => {
    const heading = section.querySelector(':scope > h1, :scope > h2, :scope > h3');
    const li = document.createElement('li');
    const chapter = /document-notebooks\/(0[1-9]|1[0-9])_/.test(section.previousElementSibling.id);
    li.textContent = heading ? heading.textContent.replace('#', '').trim() : section.id;
    if (chapter) { li.className = 'print-chapter'; }
    ol.appendChild(li);
  });
  const first = docs.length ? docs[0].previousElementSibling : null;
  first.parentNode.insertBefore(list, first);
  return docs.length;
}"""

FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def build_single_page() -> Path:
    """Build the single-page HTML edition; return the page's path."""
    with build_site.build_lock():  # the website's build rewrites _vendor/ too
        shutil.rmtree(SOURCE, ignore_errors=True)
        offline = build_site.vendor_assets()
        report.write_scoreboard()
        report.write_exercise_table()
        report.write_navigation()
        jupyter_book = Path(sys.executable).parent / "jupyter-book"
        command = [str(jupyter_book), "build", str(ROOT), "--builder", "singlehtml", "--path-output", str(SOURCE), "-W", "-n"]
        if not offline:
            sys.exit("npm assets not found (run `npm ci`): the PDF needs the offline MathJax to typeset math.")
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    # The builder writes the page under the root document's folder (book/) but links its assets
    # relative to the site's root: a copy at the root resolves them.
    site = SOURCE / "_build" / "singlehtml"
    shutil.copy(site / "book" / "intro.html", site / "print.html")
    return site / "print.html"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def print_pdf(page_path: Path, out: Path) -> int:
    """Print the single page to a PDF with Chromium; return the number of chapters in its contents."""
    if not Path(CHROMIUM).exists():
        sys.exit(f"Chromium not found at {CHROMIUM}: install it (`apt-get install chromium`) to print the PDF.")
    from playwright.sync_api import sync_playwright

    site = page_path.parent
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{page_path.relative_to(site).as_posix()}"

    def local_only(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith("data:") or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            route.abort()

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
            )
            page = browser.new_page()
            page.route("**/*", local_only)
            page.goto(url, wait_until="load", timeout=300_000)
            page.wait_for_function(
                "() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise.then(() => true)",
                timeout=120_000,
            )
            page.wait_for_timeout(1000)
            chapters = page.evaluate(CONTENTS_JS)
            page.emulate_media(media="print")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(
                path=str(out),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<div></div>",
                footer_template=FOOTER,
                margin={"top": "15mm", "bottom": "15mm", "left": "14mm", "right": "14mm"},
                outline=True,
                tagged=True,
            )
            browser.close()
    finally:
        server.shutdown()
    return chapters


def main() -> None:
    page = build_single_page()
    chapters = print_pdf(page, PDF)
    print(f"wrote {PDF.relative_to(ROOT)} ({PDF.stat().st_size / 1e6:.1f} MB, {chapters} top-level pages in its contents)")


if __name__ == "__main__":
    main()
