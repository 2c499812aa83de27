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

from conftest import ROOT, load_script

report = load_script("report")
pytestmark = pytest.mark.xdist_group("site")

CHROMIUM = os.environ.get("BOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def site_build(tmp_path_factory):
    """Build the site once for this module; return the completed process.

    It goes into a folder of its own, not _build/html: nothing else (a `make book`, another
    checkout's tests) can rewrite the pages while the browser reads them.
    """
    out = tmp_path_factory.mktemp("site")
    command = [sys.executable, "scripts/build_site.py", "--path-output", str(out)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    result.html = out / "_build" / "html"
    return result


@pytest.fixture(scope="module")
def html(site_build):
    """The built site's folder; fails the test when the site did not build."""
    if site_build.returncode != 0:
        pytest.fail("the site did not build; see test_site_builds_with_warnings_as_errors")
    return site_build.html


def test_site_builds_with_warnings_as_errors(site_build):
    assert site_build.returncode == 0, f"jupyter-book build -W failed:\n{site_build.stdout[-5000:]}\n{site_build.stderr[-3000:]}"
    assert (site_build.html / "index.html").exists()
    assert (site_build.html / "_static" / "mathjax" / "tex-mml-chtml.js").exists(), "MathJax was not vendored: run `npm ci`"


def test_exercises_and_equations_number_within_each_chapter(html):
    """Exercise K of chapter NN is the one labelled chNN-exK, and a chapter's first equation is (1)."""
    import re

    for page in sorted((html / "notebooks").glob("[0-9][0-9]_*.html")):
        text = page.read_text()
        numbers = [int(n) for n in re.findall(r'<span class="caption-number">Exercise (\d+) </span>', text)]
        assert numbers == list(range(1, len(numbers) + 1)) and numbers, f"{page.name}: exercises numbered {numbers}"
        equations = [int(n) for n in re.findall(r'<span class="eqno">\((\d+)\)', text)]
        assert not equations or equations[0] == 1, f"{page.name}: the first equation is ({equations[0]})"


def test_scoreboard_lists_every_chapter(site_build):
    text = (ROOT / "book" / "scoreboard.md").read_text()
    for number in ["00"] + [f"{i:02d}" for i in range(1, 14)]:
        assert f"| [{number} " in text or f"| {number} " in text, f"chapter {number} is missing from the scoreboard"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        """Say in a 404's status line whether the file exists: a file that exists but could not be
        opened (too many open files, say) is another fault than a page the build did not write."""
        if code == 404:
            on_disk = "on disk" if os.path.exists(self.translate_path(self.path)) else "not on disk"
            message = f"File not found ({on_disk})"
        super().send_error(code, message, explain)


@pytest.fixture(scope="module")
def server(html):
    handler = functools.partial(QuietHandler, directory=str(html))
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


class OfflinePage:
    """A page whose requests to anything but the local server are refused, as with the network unplugged.

    Records JavaScript errors, console errors, failed or 404 requests and the bytes transferred.
    """

    def __init__(self, context, base, width=1280):
        self.page = context.new_page()
        self.page.set_viewport_size({"width": width, "height": 900})
        self.external, self.errors, self.bytes, self.requests = [], [], 0, []
        self.page.on("pageerror", lambda err: self.errors.append(f"JavaScript error: {err}"))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"console error: {msg.text}"))
        self.page.on("response", self._response)
        self.page.route("**/*", self._route)

    def _response(self, response):
        self.requests.append(response.url)
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")
        try:
            self.bytes += len(response.body())
        except Exception:  # noqa: BLE001 - a redirect or an aborted request has no body
            pass

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


def html_pages(html):
    pages = sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html") if "_static" not in p.parts)
    return [p for p in pages if p not in ("genindex.html",)]


PROSE_TEXT_JS = """() => {
  const main = document.querySelector('main') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('pre, code, .highlight, script, style, mjx-container').forEach(e => e.remove());
  return copy.innerText;
}"""


@pytest.mark.browser
def test_every_page_loads_offline_with_math_and_images(html, server, browser):
    problems = []
    pages = html_pages(html)
    assert "notebooks/00_how_to_use.html" in pages
    for rel in pages:
        if rel == "index.html":  # only redirects (to book/intro.html, checked here): mid-redirect it has no body
            continue
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
def test_every_notebook_has_a_working_interactive_element(html, server, browser):
    problems = []
    for rel in [p for p in html_pages(html) if p.startswith("notebooks/")]:
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
        control = explorer.locator("[data-param]").first
        before = image.get_attribute("src")
        if control.evaluate("e => e.tagName") == "SELECT":
            options = control.locator("option")
            if options.count() < 2:
                continue  # a single setting: nothing to change
            current = control.input_value()
            control.select_option("0" if current != "0" else "1")
        else:
            if control.get_attribute("max") == "0":
                continue
            control.fill("0" if control.input_value() != "0" else "1")
            if not explorer.locator("output").first.inner_text():
                problems.append(f"{rel}: the slider's value is not shown")
        page.wait_for_timeout(200)
        if image.get_attribute("src") == before:
            problems.append(f"{rel}: changing the first control did not change the picture")
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
    assert widths and set(widths) == {7}, f"scoreboard rows with the wrong number of cells: {widths}"


# What a reader meets, page by page (issue: legible figures, unclipped equations, folded helpers, weight).
FIGURE_FONT_PT = 9  # the smallest text the book's plot style draws (legends), at 100 dpi
SMALLEST_TEXT_PX = 12  # the page's small text (code is 12.8 px)
WIDGET_MANAGER = ROOT / "node_modules" / "@jupyter-widgets" / "html-manager" / "dist" / "embed-amd.js"
MAX_PAGE_BYTES = 4_500_000  # a chapter page, everything included, and the widget manager where a page has a live widget

READER_JS = """() => {
  const main = document.querySelector('main');
  const images = [...main.querySelectorAll('img')].filter(i => i.offsetParent && i.naturalWidth)
    .map(i => ({alt: i.alt, shown: i.clientWidth, natural: i.naturalWidth, explorer: !!i.closest('.book-explorer')}));
  const equations = [...main.querySelectorAll('div.math')].filter(e => e.offsetParent)
    .map(e => ({over: e.scrollWidth - e.clientWidth, text: e.textContent.slice(0, 60)}));
  return {images, equations, pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          folded: main.querySelectorAll('details.hide').length,
          searchBoxes: [...document.querySelectorAll('.search-button-field, form.bd-search')]
            .filter(e => e.offsetParent && e.getBoundingClientRect().width > 0).length};
}"""


def settle(page, offline, quiet_ms=1000, limit_ms=15000):
    """Wait until no response has arrived for quiet_ms, at most limit_ms: late requests count too.

    (Playwright's "networkidle" waited past its 30 s timeout on a page now and then.)
    """
    seen, waited = -1, 0
    while len(offline.requests) != seen and waited < limit_ms:
        seen = len(offline.requests)
        page.wait_for_timeout(quiet_ms)
        waited += quiet_ms


def reader_report(browser, server, rel, width):
    offline = OfflinePage(browser, server, width)
    page = offline.open(f"{server}/{rel}")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")  # lazy images load too
    settle(page, offline)  # everything the page fetches counts in its weight
    report = page.evaluate(READER_JS)
    report.update(bytes=offline.bytes, errors=offline.errors, requests=offline.requests)
    offline.page.close()
    return report


@pytest.mark.browser
def test_pages_read_well_at_desktop_width(html, server, browser):
    problems = []
    for rel in html_pages(html):
        if rel.startswith(("search", "genindex")) or rel == "index.html":  # index.html only redirects
            continue
        r = reader_report(browser, server, rel, 1280)
        for image in r["images"]:
            text_px = FIGURE_FONT_PT * 100 / 72 * image["shown"] / image["natural"]
            if text_px < SMALLEST_TEXT_PX:
                problems.append(f"{rel}: a figure shown at {image['shown']} of {image['natural']} px: its text is "
                                f"{text_px:.1f} px high (lay it out at most 6.8 in wide)")
            alt = image["alt"]  # Sphinx falls back to the image's path ("../_images/<hash>.png")
            if not alt or "_images/" in alt or alt.endswith((".png", ".jpg", ".svg")):
                problems.append(f"{rel}: a figure's alt text is {image['alt']!r}: give the figure a title")
        for eq in r["equations"]:
            if eq["over"] > 1:
                problems.append(f"{rel}: a display equation is {eq['over']} px too wide: {eq['text']!r}")
        if r["searchBoxes"] != 1:
            problems.append(f"{rel}: {r['searchBoxes']} search boxes visible")
        loads_widgets = any("embed-amd" in url for url in r["requests"])
        # the widget manager (3.6 MB) is what a live widget costs; 00 shows one, the chapters none
        limit = MAX_PAGE_BYTES + (WIDGET_MANAGER.stat().st_size if loads_widgets else 0)
        if rel.startswith("notebooks/") and r["bytes"] > limit:
            problems.append(f"{rel}: {r['bytes'] / 1e6:.1f} MB transferred (limit {limit / 1e6:.1f} MB)")
        if r["errors"]:
            problems.append(f"{rel}: {r['errors'][:3]}")
        if loads_widgets != (rel == "notebooks/00_how_to_use.html"):
            problems.append(f"{rel}: the widget manager {'loads' if loads_widgets else 'does not load'} on this page")
        if rel.startswith("notebooks/") and r["folded"] == 0:
            problems.append(f"{rel}: no helper cell is folded (tag cells that only draw or print 'hide-input')")
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_pages_read_well_on_a_phone(html, server, browser):
    problems = []
    for rel in html_pages(html):
        if rel.startswith(("search", "genindex")) or rel == "index.html":  # index.html only redirects
            continue
        r = reader_report(browser, server, rel, 390)
        if r["pageOverflow"] > 1:
            problems.append(f"{rel}: the page scrolls sideways by {r['pageOverflow']} px at 390 px")
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_sidebar_has_one_entry_per_part_with_its_chapters(server, browser):
    offline = OfflinePage(browser, server)
    page = offline.open(f"{server}/book/intro.html")
    entries = page.evaluate(
        "() => [...document.querySelectorAll('nav.bd-docs-nav li.toctree-l1 > a')].map(a => a.textContent.trim())"
    )
    for part in ("I. Architectures and compression", "II. Numerical methods and geometry",
                 "III. Operator learning", "IV. Sampling and diffusion"):
        assert entries.count(part) == 1, f"the sidebar should list {part!r} once, found {entries}"
    landed = [
        c for c in report.chapters()
        if report.chapter_status(c)[0] != "planned" and c["number"] != "00"
    ]
    chapter_links = page.evaluate(
        "() => [...document.querySelectorAll('nav.bd-docs-nav li.toctree-l2 > a')].map(a => a.textContent.trim())"
    )
    for chapter in landed:
        name = f"{chapter['number']} · {chapter['title']}"
        assert name in chapter_links, f"{name!r} is not under its part in the sidebar: {chapter_links}"
    assert not any(e in chapter_links for e in entries), "a part is listed as its own chapter"
