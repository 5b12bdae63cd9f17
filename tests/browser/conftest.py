"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, the built book served on
127.0.0.1, and a JupyterLab server of the tests' own.

Without Chromium (or Playwright) the browser tests are skipped with a message; in CI (``CI=true``)
that is a failure instead. The browser never reaches another host: every such request is aborted,
as it would fail for a reader without a network.
"""

from __future__ import annotations

import posixpath
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from book_site import ROOT, Visit, block_other_hosts, ensure_built, html_dir, serve, skip_or_fail
from jupyterlab_driver import JupyterLab

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        skip_or_fail(f"Chromium is missing at {CHROMIUM}: install it with `apt-get install -y chromium` (Debian/Ubuntu)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Playwright is missing: `pip install -r requirements.txt`")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """``_build/screenshots`` (beside the HTML the tests read); each test overwrites its own files."""
    folder = html_dir().parent / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --------------------------------------------------------------------------
# The built book
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def book_html() -> Path:
    """The built HTML folder, built first (once) if older than any source."""
    return ensure_built()


@pytest.fixture(scope="session")
def server(book_html: Path):
    """The built book on 127.0.0.1; yields the base URL."""
    with serve(book_html) as url:
        yield url


@pytest.fixture(scope="session")
def context(browser):
    """A browser context that reaches only 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    block_other_hosts(context)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture(scope="session")
def visit(context, server, screenshot_dir):
    """``visit(entry)`` opens a toc page once (screenshotting its first screen) and reuses it."""
    visits: dict[str, Visit] = {}

    def open_page(entry: str) -> Visit:
        if entry not in visits:
            visits[entry] = Visit(context, server + entry + ".html")
            visits[entry].page.screenshot(path=str(screenshot_dir / f"{posixpath.basename(entry)}.png"))
        # Chromium throttles background tabs (each click would wait seconds).
        visits[entry].page.bring_to_front()
        return visits[entry]

    yield open_page
    for opened in visits.values():
        opened.page.close()


# --------------------------------------------------------------------------
# JupyterLab
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jupyterlab(browser, tmp_path_factory):
    """One ``jupyter lab`` server for a test module, serving a temporary folder with a copy of ``book/``
    and, in ``student/``, the student notebook of chapter 1 made by ``python -m lessons_src.assignments``.
    The server is stopped at the end, whatever happened. (``browser`` comes first: without Chromium
    the tests are skipped before a server starts.)"""
    workdir = tmp_path_factory.mktemp("jupyterlab")
    root = workdir / "root"
    shutil.copytree(ROOT / "book", root / "book", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    command = [sys.executable, "-m", "lessons_src.assignments", str(root / "student"), "--chapters", "01"]
    made = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, f"`{' '.join(command[1:])}` failed:\n{made.stdout}{made.stderr}"
    lab = JupyterLab(root, workdir)
    try:
        lab.start()
        yield lab
    finally:
        lab.stop()


@pytest.fixture(scope="module")
def lab_page(browser):
    """One browser page for JupyterLab, shared by a module's tests (JupyterLab loads once); it reaches
    only 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    block_other_hosts(context)
    yield context.new_page()
    context.close()
