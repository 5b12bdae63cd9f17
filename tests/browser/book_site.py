"""The book as the browser tests see it: its pages, their sources, the built HTML, a local server.

- ``ENTRIES``: every page of ``_toc.yml`` in reading order (``book/intro``, ``book/01_...``),
  so a chapter added to the table of contents is tested without touching the tests.
- ``markdown_of``, ``has_math``, ``count_directives``: what a page's source promises.
- ``html_dir``, ``ensure_built``: the built HTML, rebuilt with ``jupyter-book build -W -n
  --keep-going`` when older than any source.
- ``serve``: the HTML on 127.0.0.1; ``Visit``: an open page and everything that went wrong on it,
  including every request it made to another host.
- ``broken_links``: a crawl of every internal link and ``#anchor``.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import html.parser
import http.server
import json
import os
import posixpath
import re
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BUILD_COMMAND = ["jupyter-book", "build", "-W", "-n", "--keep-going"]
LOCAL_HOST = "127.0.0.1"
PAGE_LOAD_MS = 30_000
IN_CI = os.environ.get("CI", "").lower() == "true"
# The theme logs this on a fresh browser profile (no stored colour mode); harmless.
HARMLESS_CONSOLE_ERRORS = {"Got invalid theme mode: . Resetting to auto."}


def skip_or_fail(message: str):
    """Skip the test with ``message``; in CI (``CI=true``), where everything must run, fail instead."""
    if IN_CI:
        pytest.fail(message + "; CI=true, so this is a failure, not a skip")
    pytest.skip(message)


# --------------------------------------------------------------------------
# The table of contents and the page sources
# --------------------------------------------------------------------------


def toc_entries() -> list[str]:
    """Every page of ``_toc.yml`` in reading order, e.g. ``book/intro``."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    entries = [toc["root"]]

    def walk(items):
        for item in items or []:
            if "file" in item:
                entries.append(item["file"])
            walk(item.get("sections"))
            for part in item.get("parts", []) if isinstance(item, dict) else []:
                walk(part.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    return [posixpath.splitext(entry)[0] for entry in entries]


def source_path(entry: str) -> Path:
    for suffix in (".ipynb", ".md"):
        path = ROOT / (entry + suffix)
        if path.exists():
            return path
    raise FileNotFoundError(f"_toc.yml lists {entry!r} but neither {entry}.ipynb nor {entry}.md exists")


def markdown_of(entry: str) -> str:
    """The page's MyST markdown (a notebook's markdown cells, joined)."""
    path = source_path(entry)
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return "\n\n".join(
        "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for cell in notebook["cells"]
        if cell["cell_type"] == "markdown"
    )


def prose_of(markdown: str) -> str:
    """Markdown without code: fenced blocks (but math ones) and inline code removed."""
    fence = re.compile(r"^(`{3,}|~{3,})(.*)$")
    kept, closing = [], None
    for line in markdown.splitlines():
        stripped = line.strip()
        if closing is None:
            match = fence.match(stripped)
            if match and not match.group(2).strip().startswith("{math}"):
                closing = match.group(1)
                continue
            kept.append(line)
        elif stripped == closing:
            closing = None
    return re.sub(r"`[^`\n]+`", "", "\n".join(kept))


def count_directives(markdown: str, name: str) -> int:
    return len(re.findall(r"^\s*(?:`{3,}|:{3,})\{" + re.escape(name) + r"\}", markdown, flags=re.M))


def has_math(markdown: str) -> bool:
    prose = prose_of(markdown)
    return bool(
        re.search(r"\$\$|\{math\}|\\begin\{", markdown)
        or re.search(r"(?<![\\$])\$[^\s$][^$\n]*?(?<![\s\\])\$(?!\$)", prose)
    )


ENTRIES = toc_entries()
NOTEBOOK_ENTRIES = [entry for entry in ENTRIES if (ROOT / (entry + ".ipynb")).exists()]


# --------------------------------------------------------------------------
# The built HTML
# --------------------------------------------------------------------------


def html_dir() -> Path:
    """``_build/html``, or the folder ``BOOK_HTML_DIR`` names (a ``<folder>/_build/html``)."""
    return Path(os.environ.get("BOOK_HTML_DIR", ROOT / "_build" / "html")).resolve()


def newest_source_mtime() -> float:
    sources = [ROOT / "_config.yml", ROOT / "_toc.yml"]
    for folder in ("book", "_static", "_ext"):
        if (ROOT / folder).is_dir():
            sources += [
                path
                for path in (ROOT / folder).rglob("*")
                if path.is_file() and ".ipynb_checkpoints" not in path.parts and "__pycache__" not in path.parts
            ]
    return max(path.stat().st_mtime for path in sources if path.exists())


def is_up_to_date(html: Path) -> bool:
    # Sphinx rewrites searchindex.js at the end of every build.
    stamp = html / "searchindex.js"
    return stamp.exists() and stamp.stat().st_mtime > newest_source_mtime()


def build_book(html: Path) -> None:
    """Build the book into ``html`` (a ``<folder>/_build/html``); AssertionError with the warnings if it fails."""
    if html.name != "html" or html.parent.name != "_build":
        raise AssertionError(f"{html} is older than the book's sources and is not a <folder>/_build/html the tests can rebuild")
    command = [*BUILD_COMMAND, "--path-output", str(html.parents[1]), "."]
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    log = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)  # no colour codes
    warnings = [line for line in log.splitlines() if re.search(r"\b(WARNING|ERROR|CRITICAL):", line)]
    if result.returncode != 0 or warnings:
        # --keep-going wrote the pages anyway: mark them stale for the next run.
        if (html / "searchindex.js").exists():
            os.utime(html / "searchindex.js", (0, 0))
        raise AssertionError(
            f"`{' '.join(command)}` exited with {result.returncode} and {len(warnings)} warning(s):\n"
            + "\n".join(warnings or log.splitlines()[-40:])
        )
    print(f"built the book in {time.monotonic() - started:.1f} s")


def ensure_built() -> Path:
    """The built HTML folder, built first if stale (under a file lock: another test worker may be building)."""
    html = html_dir()
    lock_path = html.parent / ".browser-tests-build.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not is_up_to_date(html):
            build_book(html)
    return html


@contextlib.contextmanager
def serve(folder: Path):
    """Serve ``folder`` on 127.0.0.1 on a free port; yields the base URL (``http://127.0.0.1:PORT/``)."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

    httpd = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


# --------------------------------------------------------------------------
# A page open in the browser
# --------------------------------------------------------------------------


def is_local(url: str) -> bool:
    return urlsplit(url).hostname == LOCAL_HOST or url.startswith(("data:", "blob:", "about:"))


class Visit:
    """An open page and what went wrong while it loaded and was used.

    ``outside_requests`` lists every request the page made to another host: the
    browser context aborts them (the tests run offline, as a reader without a
    network would), and a test fails on any.
    """

    def __init__(self, context, url: str):
        self.url = url
        self.errors: list[str] = []  # console errors and uncaught exceptions
        self.failed_requests: list[str] = []  # local requests that failed or answered >= 400
        self.outside_requests: list[str] = []  # requests to any other host
        self.page = context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught exception: {error}"))
        self.page.on("request", self._on_request)
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("response", self._on_response)
        # Loading may take a while on a busy machine (the other test worker trains models): 30 s, not the usual 10.
        self.page.goto(url, wait_until="load", timeout=PAGE_LOAD_MS)
        self.page.wait_for_load_state("networkidle", timeout=PAGE_LOAD_MS)
        self.wait_for_math()

    def wait_for_math(self) -> None:
        """Wait until the page's own MathJax (where it loads one) has typeset the page."""
        sources = self.page.eval_on_selector_all("script[src*='mathjax']", "scripts => scripts.map(s => s.src)")
        if not sources or not all(is_local(source) for source in sources):
            return  # no math, or MathJax from another host: aborted offline, and a test says so
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        try:
            self.page.wait_for_function("() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise")
            self.page.evaluate("() => window.MathJax.startup.promise.then(() => true)")
        except PlaywrightTimeoutError:
            self.errors.append(f"MathJax ({sources[0]}) did not load or did not finish typesetting")

    def _on_console(self, message):
        if message.type != "error" or message.text in HARMLESS_CONSOLE_ERRORS:
            return
        source = message.location.get("url", "")
        if source and not is_local(source) and message.text.startswith("Failed to load resource"):
            return  # an aborted request to another host: reported by outside_requests
        self.errors.append(f"console error: {message.text} (at {source})")

    def _on_request(self, request):
        if not is_local(request.url):
            self.outside_requests.append(f"{request.resource_type} {request.url}")

    def _on_request_failed(self, request):
        if is_local(request.url):
            self.failed_requests.append(f"{request.url}: {request.failure}")

    def _on_response(self, response):
        if is_local(response.url) and response.status >= 400:
            self.failed_requests.append(f"{response.url}: HTTP {response.status}")


def block_other_hosts(context) -> None:
    """Let a browser context reach 127.0.0.1 only: every other request is aborted (and a Visit records it)."""
    context.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())


# --------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------


class LinkParser(html.parser.HTMLParser):
    """Collects a page's ids and every URL it refers to."""

    URL_ATTRIBUTES = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("iframe", "src"), ("source", "src")}

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            if (tag, name) in self.URL_ATTRIBUTES and value is not None:
                self.urls.append(value)


def broken_links(html: Path, start_pages: list[str]) -> tuple[set[str], list[str]]:
    """Crawl the built site from ``start_pages``; returns (pages crawled, broken links and anchors)."""
    parsed: dict[str, LinkParser] = {}

    def parse(relative: str) -> LinkParser:
        if relative not in parsed:
            parser = LinkParser()
            parser.feed((html / relative).read_text(encoding="utf-8"))
            parsed[relative] = parser
        return parsed[relative]

    queue = list(start_pages)
    crawled, broken = set(), []
    while queue:
        page = queue.pop()
        if page in crawled:
            continue
        crawled.add(page)
        for url in parse(page).urls:
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", url):
                continue  # another site (or mailto:, javascript:, data:)
            parts = urlsplit(url)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path))) if parts.path else page
            if target.startswith(".."):
                broken.append(f"{page}: {url} leaves the site")
                continue
            path = html / target
            if path.is_dir():
                target, path = posixpath.join(target, "index.html"), path / "index.html"
            if not path.is_file():
                broken.append(f"{page}: {url} -> {target} does not exist")
                continue
            if target.endswith(".html"):
                queue.append(target)
                anchor = unquote(parts.fragment)
                if anchor and anchor not in parse(target).ids:
                    broken.append(f"{page}: {url} -> no id {anchor!r} in {target}")
    return crawled, sorted(set(broken))
