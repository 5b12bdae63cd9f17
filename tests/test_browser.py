"""The rendered book, read in a real browser.

Every page listed in ``_toc.yml`` is opened in Debian's Chromium, driven by
Playwright, from a server on 127.0.0.1 (the machine is offline: requests to
any other host are aborted and not counted as failures). For each page:
no JavaScript error, no failed local request, images loaded with alt text,
exercises numbered and titled, solutions folded until a click opens them,
math written as math markup, and on notebook pages the launch (Binder) and
download buttons. Then the site's own search, a crawl of every internal link
and anchor, and screenshots of each chapter's first screen and of an opened
solution, written next to the HTML (``_build/screenshots/``).

The HTML comes from ``_build/html`` when it is newer than every source;
otherwise the session builds it once with ``jupyter-book build -W -n
--keep-going``. ``BOOK_HTML_DIR=/some/out/_build/html`` points the tests
at another build (built there, with ``--path-output /some/out``, when stale).
"""

from __future__ import annotations

import fcntl
import functools
import html.parser
import http.server
import json
import os
import posixpath
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BUILD_COMMAND = ["jupyter-book", "build", "-W", "-n", "--keep-going"]
# The theme logs this on a fresh browser profile (no stored colour mode); harmless.
HARMLESS_CONSOLE_ERRORS = {"Got invalid theme mode: . Resetting to auto."}
LSTM_CHAPTER = "book/03_lstm_gates"
IN_CI = os.environ.get("CI", "").lower() == "true"


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
    if html.name != "html" or html.parent.name != "_build":
        pytest.fail(f"{html} is older than the book's sources and is not a <folder>/_build/html the tests can rebuild")
    command = [*BUILD_COMMAND, "--path-output", str(html.parents[1]), "."]
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    log = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)  # no colour codes
    warnings = [line for line in log.splitlines() if re.search(r"\b(WARNING|ERROR|CRITICAL):", line)]
    if result.returncode != 0 or warnings:
        # --keep-going wrote the pages anyway: mark them stale for the next run.
        os.utime(html / "searchindex.js", (0, 0)) if (html / "searchindex.js").exists() else None
        pytest.fail(
            f"`{' '.join(command)}` exited with {result.returncode} and {len(warnings)} warning(s):\n"
            + "\n".join(warnings or log.splitlines()[-40:])
        )
    print(f"built the book in {time.monotonic() - started:.1f} s")


@pytest.fixture(scope="session")
def book_html() -> Path:
    """The built HTML folder, built first (once, under a file lock) if stale."""
    html = html_dir()
    lock_path = html.parent / ".browser-tests-build.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be building
        if not is_up_to_date(html):
            build_book(html)
    return html


@pytest.fixture(scope="session")
def screenshot_dir(book_html: Path) -> Path:
    folder = book_html.parent / "screenshots"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


@pytest.fixture(scope="session")
def server(book_html: Path):
    """Serve the HTML on 127.0.0.1 on a free port; yields the base URL."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(book_html))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


# --------------------------------------------------------------------------
# One browser for the session; each page opened once and kept open
# --------------------------------------------------------------------------


def is_local(url: str) -> bool:
    return urlsplit(url).hostname == "127.0.0.1"


class Visit:
    """An open page and what went wrong while it loaded and was used."""

    def __init__(self, context, url: str):
        self.url = url
        self.errors: list[str] = []  # console errors and uncaught exceptions
        self.failed_requests: list[str] = []  # local requests that failed or answered >= 400
        self.page = context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught exception: {error}"))
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("response", self._on_response)
        self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")

    def _on_console(self, message):
        if message.type != "error" or message.text in HARMLESS_CONSOLE_ERRORS:
            return
        source = message.location.get("url", "")
        if source and not is_local(source) and message.text.startswith("Failed to load resource"):
            return  # an aborted request to the internet (MathJax's CDN): offline by design
        self.errors.append(f"console error: {message.text} (at {source})")

    def _on_request_failed(self, request):
        if is_local(request.url):
            self.failed_requests.append(f"{request.url}: {request.failure}")

    def _on_response(self, response):
        if is_local(response.url) and response.status >= 400:
            self.failed_requests.append(f"{response.url}: HTTP {response.status}")


@pytest.fixture(scope="session")
def browser():
    message = None
    if not CHROMIUM.exists():
        message = f"Chromium is missing at {CHROMIUM}: install it with `apt-get install -y chromium` (Debian/Ubuntu)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        message = "Playwright is missing: `pip install -r requirements.txt`"
    if message:
        if IN_CI:
            pytest.fail(message + "; CI=true, so this is a failure, not a skip")
        pytest.skip(message)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    # Offline: let through only the book's own server.
    context.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())
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
# Each page of the table of contents
# --------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ENTRIES)
def test_page_loads_without_errors(visit, screenshot_dir, entry):
    opened = visit(entry)
    assert not opened.errors, f"{entry}: JavaScript errors while loading:\n" + "\n".join(opened.errors)
    assert not opened.failed_requests, f"{entry}: failed requests to 127.0.0.1:\n" + "\n".join(opened.failed_requests)
    assert opened.page.locator("article h1").count() >= 1, f"{entry}: no <h1> title in the article"
    screenshot = screenshot_dir / f"{posixpath.basename(entry)}.png"
    assert screenshot.stat().st_size > 10_000, f"{entry}: first-screen screenshot looks empty"


IMAGES_JS = """() => Array.from(document.images).map(img => ({
    src: img.getAttribute('src'), alt: img.getAttribute('alt'),
    complete: img.complete, width: img.naturalWidth}))"""


@pytest.mark.parametrize("entry", ENTRIES)
def test_images_load_and_have_alt_text(visit, entry):
    page = visit(entry).page
    for image in page.locator("img").all():  # lazy images load once scrolled to
        if image.evaluate("img => !img.complete"):
            image.scroll_into_view_if_needed()
    page.wait_for_function("() => Array.from(document.images).every(img => img.complete)")
    problems = []
    for image in page.evaluate(IMAGES_JS):
        alt = (image["alt"] or "").strip()
        if image["width"] == 0:
            problems.append(f"{image['src']}: not loaded (natural width 0)")
        if not alt:
            problems.append(f"{image['src']}: no alt text")
        elif alt == image["src"] or re.search(r"(^|/)[^ ]+\.(png|jpe?g|gif|svg|webp)$", alt, flags=re.I):
            problems.append(f"{image['src']}: alt text is a file name ({alt!r}), not a description")
    assert not problems, f"{entry}:\n" + "\n".join(problems)


EXERCISE_TITLE = re.compile(r"^Exercise (\d+(?:\.\d+)*) \((.+)\)$")  # "Exercise 4.1 (Title)"
SOLUTION_TITLE = re.compile(r"^Solution to Exercise (\d+(?:\.\d+)*) \((.+)\)$")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def exercise_titles(page) -> list[tuple[str, str]]:
    """(id, visible title) of each exercise on the page."""
    return [
        (exercise.get_attribute("id"), squash(exercise.locator(":scope > .admonition-title").inner_text()))
        for exercise in page.locator(".exercise.admonition").all()
    ]


@pytest.mark.parametrize("entry", ENTRIES)
def test_exercises_and_solutions_are_numbered_and_titled(visit, entry):
    page = visit(entry).page
    markdown = markdown_of(entry)
    exercises = exercise_titles(page)
    expected = count_directives(markdown, "exercise")
    assert len(exercises) == expected, f"{entry}: {expected} exercise directive(s) in the source, {len(exercises)} on the page"
    numbers = []
    for exercise_id, title in exercises:
        match = EXERCISE_TITLE.match(title)
        assert match, f"{entry}: exercise #{exercise_id} shows {title!r}, not 'Exercise N (Title)'"
        assert page.locator(f"[id='{exercise_id}'] > .admonition-title").is_visible(), f"{entry}: #{exercise_id} title hidden"
        numbers.append(tuple(int(part) for part in match.group(1).split(".")))
    assert numbers == sorted(set(numbers)), f"{entry}: exercise numbers out of order or repeated: {numbers}"

    solutions = page.locator(".solution.admonition").all()
    expected = count_directives(markdown, "solution-start") + count_directives(markdown, "solution")
    assert len(solutions) == expected, f"{entry}: {expected} solution directive(s) in the source, {len(solutions)} on the page"
    titles = dict(exercises)
    for solution in solutions:
        title = squash(solution.locator(":scope > .admonition-title").inner_text())
        match = SOLUTION_TITLE.match(title)
        assert match, f"{entry}: a solution shows {title!r}, not 'Solution to Exercise N (Title)'"
        target = solution.locator(":scope > .admonition-title a").first.get_attribute("href") or ""
        if target.startswith("#"):
            exercise = titles.get(unquote(target[1:]))
            assert exercise == f"Exercise {match.group(1)} ({match.group(2)})", (
                f"{entry}: {title!r} points to {target}, whose exercise shows {exercise!r}"
            )


def test_exercise_numbers_are_unique_across_the_book(visit):
    seen: dict[str, str] = {}
    for entry in ENTRIES:
        for exercise_id, title in exercise_titles(visit(entry).page):
            match = EXERCISE_TITLE.match(title)
            if match:  # malformed titles fail the per-page test
                number = match.group(1)
                assert number not in seen, f"Exercise {number} appears twice: {seen[number]} and {entry}#{exercise_id}"
                seen[number] = f"{entry}#{exercise_id}"


def solution_state(solution) -> str:
    return "folded" if "toggle-hidden" in (solution.get_attribute("class") or "").split() else "open"


@pytest.mark.parametrize("entry", ENTRIES)
def test_solutions_are_folded_and_open_on_click(visit, screenshot_dir, entry):
    from playwright.sync_api import expect

    opened = visit(entry)
    page = opened.page
    solutions = page.locator(".solution.admonition").all()
    if not solutions:
        pytest.skip(f"{entry} has no solutions")
    errors_before = len(opened.errors)
    for number, solution in enumerate(solutions, start=1):
        name = f"{entry}: solution {number} ({squash(solution.locator(':scope > .admonition-title').inner_text())!r})"
        code = solution.locator("pre")
        assert code.count() >= 1, f"{name} holds no code"
        # Folded when the page opens.
        assert solution_state(solution) == "folded", f"{name} is open when the page loads"
        expect(code.first, f"{name}: code visible while folded").to_be_hidden()
        # The reader clicks the title (its text is mostly a link back to the exercise).
        title_text = solution.locator(":scope > .admonition-title a").first
        for click_target, how in ((title_text, "its title"), (solution.locator("button.toggle-button"), "the arrow")):
            click_target.click()
            expect(code.first, f"{name}: a click on {how} did not show the code").to_be_visible()
            assert solution_state(solution) == "open", f"{name}: still folded after a click on {how}"
            assert squash(code.first.inner_text()), f"{name}: the code shown is empty"
            if number == 1 and how == "its title":
                solution.scroll_into_view_if_needed()
                path = screenshot_dir / f"{posixpath.basename(entry)}-solution.png"
                solution.screenshot(path=str(path))
            click_target.click()
            expect(code.first, f"{name}: a second click on {how} did not fold it").to_be_hidden()
            assert solution_state(solution) == "folded", f"{name}: still open after a second click on {how}"
    new_errors = opened.errors[errors_before:]
    assert not new_errors, f"{entry}: JavaScript errors while opening solutions:\n" + "\n".join(new_errors)


@pytest.mark.parametrize("entry", NOTEBOOK_ENTRIES)
def test_notebook_pages_have_launch_and_download_buttons(visit, entry):
    page = visit(entry).page
    notebook = entry + ".ipynb"
    launch_menu = page.locator(".dropdown-launch-buttons")
    assert launch_menu.count() == 1, f"{entry}: no launch-buttons menu"
    binder = launch_menu.locator("a[href*='mybinder.org']")
    assert binder.count() == 1, f"{entry}: no Binder launch button"
    href = binder.get_attribute("href")
    assert href.endswith(notebook) and "/v2/gh/" in href, f"{entry}: Binder link {href} does not open {notebook}"
    launch_menu.locator("button.dropdown-toggle").click()
    assert binder.is_visible(), f"{entry}: the Binder button does not show when the launch menu opens"
    page.keyboard.press("Escape")

    download = page.locator(".dropdown-download-buttons a.btn-download-source-button")
    assert download.count() == 1, f"{entry}: no download (.ipynb) button"
    href = download.get_attribute("href")
    assert href.endswith(notebook), f"{entry}: download link {href} is not the notebook"
    response = page.request.get(urljoin(page.url, href))
    assert response.ok, f"{entry}: downloading {href} gives HTTP {response.status}"
    assert json.loads(response.body())["cells"], f"{entry}: the downloaded notebook has no cells"


UNRENDERED_MATH_JS = r"""() => {
    const root = document.querySelector('article') || document.body;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const texts = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.parentElement.closest('pre, code, .math, script, style, .highlight')) texts.push(node.data);
    }
    return texts.join(' ');
}"""


@pytest.mark.parametrize("entry", ENTRIES)
def test_math_is_present_as_math_markup(visit, entry):
    page = visit(entry).page
    text = page.evaluate(UNRENDERED_MATH_JS)
    leftover = re.findall(r"\$\$.+?\$\$|(?<![\w$])\$[^\s$][^$]*?(?<!\s)\$(?![\w$])", text)
    assert not leftover, f"{entry}: math left as plain text (not parsed as math): {leftover[:3]}"
    if not has_math(markdown_of(entry)):
        return
    math = page.locator(".math")
    assert math.count() >= 1, f"{entry}: the source has math but the page has no math markup"
    tex = math.first.inner_text()
    assert re.search(r"\\\(|\\\[|\\begin", tex), f"{entry}: math element without TeX delimiters: {tex!r}"
    assert page.locator("script[src*='mathjax']").count() >= 1, f"{entry}: MathJax is not loaded by the page"


# --------------------------------------------------------------------------
# The whole site
# --------------------------------------------------------------------------


def test_search_finds_the_lstm_chapter_for_forget_gate(context, server):
    if LSTM_CHAPTER not in ENTRIES:
        message = f"{LSTM_CHAPTER} is not in _toc.yml yet"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    search = Visit(context, server + "search.html?q=forget+gate")
    page = search.page
    try:
        page.wait_for_function("() => /finished/i.test("
                               "document.querySelector('#search-results .search-summary')?.textContent || '')")
        hits = [
            urlsplit(urljoin(page.url, href)).path.lstrip("/")
            for href in page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.getAttribute('href'))")
        ]
    finally:
        page.close()
    assert LSTM_CHAPTER + ".html" in hits, f"searching 'forget gate' found {hits}, not {LSTM_CHAPTER}"
    assert not search.errors + search.failed_requests, "the search page:\n" + "\n".join(search.errors + search.failed_requests)


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


def test_every_internal_link_and_anchor_resolves(book_html):
    """Crawl from the start page and every toc page; each local URL and #anchor must exist."""
    parsed: dict[str, LinkParser] = {}

    def parse(relative: str) -> LinkParser:
        if relative not in parsed:
            parser = LinkParser()
            parser.feed((book_html / relative).read_text(encoding="utf-8"))
            parsed[relative] = parser
        return parsed[relative]

    queue = ["index.html", "search.html", "genindex.html"] + [entry + ".html" for entry in ENTRIES]
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
            path = book_html / target
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
    assert set(entry + ".html" for entry in ENTRIES) <= crawled
    assert not broken, f"{len(broken)} broken link(s) in {len(crawled)} pages:\n" + "\n".join(sorted(set(broken)))
