"""The website: it builds with warnings as errors, and works in a real browser with the network unplugged.

The browser tests drive Debian's Chromium (/usr/bin/chromium) with Playwright. On a
machine without it they skip with a message; with BOOK_REQUIRE_BROWSER=1 (set by CI)
a missing browser is a failure. The site is built once per module, so parallel runs keep this
file on one worker (the xdist group below; `make test` uses `--dist loadgroup`).
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

import pytest

from conftest import ROOT

pytestmark = pytest.mark.xdist_group("site")

HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("BOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def site_build():
    """Build the site once for this module; return the completed process."""
    return subprocess.run([sys.executable, "scripts/build_site.py"], cwd=ROOT, capture_output=True, text=True)


def test_site_builds_with_warnings_as_errors(site_build):
    assert site_build.returncode == 0, f"jupyter-book build -W failed:\n{site_build.stdout[-5000:]}\n{site_build.stderr[-3000:]}"
    assert (HTML / "index.html").exists()
    assert (HTML / "_static" / "mathjax" / "tex-mml-chtml.js").exists(), "MathJax was not vendored: run `npm ci`"


def test_scoreboard_lists_every_chapter(site_build):
    text = (ROOT / "book" / "scoreboard.md").read_text()
    for number in ["00"] + [f"{i:02d}" for i in range(1, 14)]:
        assert f"| [{number} " in text or f" {number} " in text.split("Planned, not yet written:")[-1], (
            f"chapter {number} is missing from the scoreboard"
        )


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(site_build):
    if site_build.returncode != 0:
        pytest.fail("the site did not build; see test_site_builds_with_warnings_as_errors")
    handler = functools.partial(QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        message = f"Chromium not found at {CHROMIUM}: install it (`apt-get install chromium`) to run the browser tests"
        if os.environ.get("BOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield context
        context.close()


# Known third-party errors that break nothing on this site:
# - sphinx-thebe declares its config script twice under Jupyter Book 1.0.4 (thebe is not used here);
# - the widget manager typesets widget labels through MathJax 2's API (MathJax.Hub.Queue),
#   which MathJax 3 lacks; the widgets still render (test_saved_widget_renders_offline).
KNOWN_JS_ERRORS = ("Identifier 'THEBE_JS_URL' has already been declared", "reading 'Queue'")


class OfflinePage:
    """A page whose requests to anything but the local server are refused, as with the network unplugged."""

    def __init__(self, context, base):
        self.page = context.new_page()
        self.external, self.errors = [], []
        self.page.on("pageerror", self._error)
        self.page.route("**/*", self._route)

    def _error(self, err):
        if not any(known in str(err) for known in KNOWN_JS_ERRORS):
            self.errors.append(str(err))

    def _route(self, route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith("data:") or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def open(self, url):
        self.page.goto(url, wait_until="load")
        self.page.wait_for_function(
            "() => !window.MathJax || !window.MathJax.startup || window.MathJax.startup.promise.then(() => true)"
        )
        self.page.wait_for_timeout(300)
        return self.page


def html_pages():
    pages = sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html") if "_static" not in p.parts)
    return [p for p in pages if p not in ("genindex.html",)]


PROSE_TEXT_JS = """() => {
  const main = document.querySelector('main') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('pre, code, .highlight, script, style, mjx-container').forEach(e => e.remove());
  return copy.innerText;
}"""


@pytest.mark.browser
def test_every_page_loads_offline_with_math_and_images(server, browser):
    problems = []
    pages = html_pages()
    assert "notebooks/00_how_to_use.html" in pages
    for rel in pages:
        offline = OfflinePage(browser, server)
        page = offline.open(f"{server}/{rel}")
        has_math = page.locator(".math, div.math, span.math").count() > 0
        typeset = page.locator("mjx-container").count()
        if has_math and typeset == 0:
            problems.append(f"{rel}: math present but not typeset by MathJax")
        if page.locator("mjx-merror").count():
            problems.append(f"{rel}: MathJax error in {page.locator('mjx-merror').first.inner_text()!r}")
        prose = page.evaluate(PROSE_TEXT_JS)
        for raw in ("\\[", "\\begin{", "$$", "\\frac"):
            if raw in prose:
                problems.append(f"{rel}: raw TeX {raw!r} visible in the page text")
        broken = page.evaluate(
            "() => [...document.images].filter(i => i.style.display !== 'none' && i.complete && i.naturalWidth === 0)"
            ".map(i => i.src.slice(0, 80))"
        )
        if broken:
            problems.append(f"{rel}: broken images {broken}")
        if "Traceback (most recent call last)" in page.inner_text("body"):
            problems.append(f"{rel}: an error traceback is shown")
        if offline.external:
            problems.append(f"{rel}: needs the network for {sorted(set(offline.external))[:5]}")
        if offline.errors:
            problems.append(f"{rel}: JavaScript errors {offline.errors[:3]}")
        offline.page.close()
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_every_notebook_has_a_working_interactive_element(server, browser):
    problems = []
    for rel in [p for p in html_pages() if p.startswith("notebooks/")]:
        offline = OfflinePage(browser, server)
        page = offline.open(f"{server}/{rel}")
        explorers = page.locator(".book-explorer")
        if explorers.count() == 0:
            problems.append(f"{rel}: no explorer (utils.explore) on the page")
            continue
        explorer = explorers.first
        explorer.scroll_into_view_if_needed()
        image = explorer.locator("img")
        if not image.is_visible() or image.evaluate("i => i.naturalWidth") == 0:
            problems.append(f"{rel}: the explorer shows no image")
            continue
        slider = explorer.locator("input[type=range]").first
        if slider.get_attribute("max") == "0":
            continue  # a single setting: nothing to move
        before = image.get_attribute("src")
        new_value = "0" if slider.input_value() != "0" else "1"
        slider.fill(new_value)
        page.wait_for_timeout(200)
        shown = explorer.locator("output").first.inner_text()
        if image.get_attribute("src") == before:
            problems.append(f"{rel}: moving the slider did not change the picture")
        if not shown:
            problems.append(f"{rel}: the slider's value is not shown")
        offline.page.close()
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_saved_widget_renders_offline(server, browser):
    offline = OfflinePage(browser, server)
    page = offline.open(f"{server}/notebooks/00_how_to_use.html")
    page.wait_for_selector(".widget-slider, .jupyter-widgets.widget-slider", timeout=15000)
    assert page.locator(".widget-slider").count() >= 1, "the saved widget was not rendered by the widget manager"
    assert not offline.external and not offline.errors, (offline.external, offline.errors)


@pytest.mark.browser
def test_search_finds_a_word(server, browser):
    offline = OfflinePage(browser, server)
    page = offline.open(f"{server}/search.html?q=Monte")
    page.wait_for_selector("#search-results li, ul.search li", timeout=15000)
    assert page.locator("ul.search li").count() >= 1


@pytest.mark.browser
def test_scoreboard_table_keeps_its_columns(server, browser):
    offline = OfflinePage(browser, server)
    page = offline.open(f"{server}/book/scoreboard.html")
    widths = page.evaluate("() => [...document.querySelectorAll('main table tr')].map(r => r.children.length)")
    assert widths and set(widths) == {8}, f"scoreboard rows with the wrong number of cells: {widths}"
