"""`make lab` shows the book as the website does: a chapter's .py opens as a notebook on double-click,
and MyST (exercise boxes, labelled equations, citations) renders instead of showing as raw text.

Starts JupyterLab on a free local port with the settings `make lab` installs, and drives it in
Debian's Chromium like tests/test_site.py (skipped without Chromium unless BOOK_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

CHROMIUM = os.environ.get("BOOK_CHROMIUM", "/usr/bin/chromium")
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("lab")]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """Yield the URL of a JupyterLab server started as `make lab` starts it."""
    settings = tmp_path_factory.mktemp("lab-settings")
    shutil.copy(ROOT / "scripts" / "jupyterlab_overrides.json", settings / "overrides.json")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = os.environ | {
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path_factory.mktemp("lab-user")),
        "JUPYTER_CONFIG_DIR": str(tmp_path_factory.mktemp("jupyter-config")),
        "JUPYTER_RUNTIME_DIR": str(tmp_path_factory.mktemp("jupyter-runtime")),
    }
    log = (tmp_path_factory.mktemp("lab-log") / "server.log").open("w")
    command = [
        str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--allow-root", f"--port={port}",
        "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
        f"--ServerApp.root_dir={ROOT}", f"--LabApp.app_settings_dir={settings}",
    ]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(180):
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited; see {log.name}")
            try:
                urllib.request.urlopen(f"{url}/api", timeout=2)
                break
            except OSError:
                time.sleep(1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def page(lab, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: install it (`apt-get install chromium`) to run the browser tests"
        if os.environ.get("BOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto(f"{lab}/lab", timeout=120_000)
        tab.locator(".jp-DirListing-item[title*='notebooks']").first.dblclick(timeout=120_000)
        tab.locator(".jp-DirListing-item[title*='00_how_to_use.py']").first.dblclick(timeout=60_000)
        tab.locator(".jp-Notebook").first.wait_for(timeout=60_000)
        tab.wait_for_timeout(3000)  # MyST renders cell by cell
        yield tab
        browser.close()


def test_a_chapter_py_opens_as_a_notebook(page):
    assert page.locator(".jp-Notebook").count() == 1 and page.locator(".jp-FileEditor").count() == 0


def test_myst_renders_exercises_equations_and_citations(page):
    exercise = page.locator(".jp-Notebook aside").filter(has_text="How many samples")
    exercise.first.wait_for(state="attached", timeout=60_000)  # "defer" windowing renders every cell, lazily
    assert exercise.count() >= 1, "the exercise directive did not render as a box"
    assert page.locator(".jp-Notebook .katex, .jp-Notebook mjx-container").count() >= 5, "math is not typeset"
    raw_markers = ("```{exercise}", ":label: ch00-", "{cite}`", "{eq}`")
    for _ in range(30):  # cells far down the page render last
        text = page.locator(".jp-Notebook").first.inner_text()
        if not any(raw in text for raw in raw_markers):
            break
        page.wait_for_timeout(2000)
    for raw in raw_markers:
        assert raw not in text, f"MyST shows as raw text in JupyterLab: {raw!r}"
