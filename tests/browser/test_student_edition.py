"""The student edition of the site (``python -m lessons_src.assignments --student-edition``) holds no solution.

Built once into ``_build/student/html`` (again only when a source is newer), served on 127.0.0.1 and read in
Chromium: no chapter page has a solution element, a search for a line of a solution leads to no page that holds
it (in the full book it leads to the chapter), and each chapter's download is the student notebook, with its
stubs.
"""

from __future__ import annotations

import fcntl
import html
import json
import re
import subprocess
import sys
from urllib.parse import urljoin, urlsplit

import pytest

from book_site import ENTRIES, ROOT, Visit, newest_source_mtime, serve

from lessons_src import assignments
from lessons_src.assignments.edition import secret_lines

EDITION = ROOT / "_build" / "student"
CHAPTER_ENTRIES = [entry for entry in ENTRIES if re.match(r"book/\d\d_", entry)]


@pytest.fixture(scope="module")
def edition_html(browser):
    """The student edition's HTML, built first (under a lock) if older than the book or the tool."""
    html = EDITION / "html"
    tool = max(path.stat().st_mtime for path in (ROOT / "lessons_src" / "assignments").glob("*.py"))
    lock_path = ROOT / "_build" / ".student-edition.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = html / "searchindex.js"
        if not stamp.exists() or stamp.stat().st_mtime < max(newest_source_mtime(), tool):
            result = subprocess.run([sys.executable, "-m", "lessons_src.assignments", "--student-edition"], cwd=ROOT,
                                    capture_output=True, text=True, timeout=600)
            assert result.returncode == 0, result.stdout + result.stderr
    return html


@pytest.fixture(scope="module")
def edition_server(edition_html):
    with serve(edition_html) as url:
        yield url


def search(context, server, words):
    """The pages the site's own search lists for ``words``."""
    visit = Visit(context, server + "search.html?q=" + "+".join(words))
    try:
        visit.page.wait_for_function("() => /finished|did not match/i.test("
                                     "document.querySelector('#search-results .search-summary')?.textContent || '')")
        return [urlsplit(urljoin(visit.page.url, href)).path.lstrip("/") for href in visit.page.eval_on_selector_all(
            "#search-results ul.search li a", "links => links.map(a => a.getAttribute('href'))")]
    finally:
        visit.page.close()


@pytest.mark.parametrize("entry", CHAPTER_ENTRIES)
def test_a_chapter_page_shows_its_exercises_and_no_solution_and_its_download_is_the_student_notebook(
        entry, context, edition_server):
    page = context.new_page()
    try:
        page.goto(edition_server + entry + ".html", wait_until="load")
        solutions = page.eval_on_selector_all("[class*='solution']", "nodes => nodes.map(n => n.className)")
        exercises = page.locator(".exercise").count()
        stubs = page.locator("div.cell pre", has_text="raise NotImplementedError()").count()
        title = page.title()
        links = page.eval_on_selector_all("a[href$='.ipynb']", "links => links.map(a => a.href)")
        assert links, f"{entry}: no download link to the notebook"
        response = context.request.get(links[0])
        assert response.ok, f"{links[0]}: HTTP {response.status}"
        notebook = json.loads(response.text())
    finally:
        page.close()
    count = len(assignments.find_exercises(json.loads((ROOT / f"{entry}.ipynb").read_text(encoding="utf-8"))))
    assert solutions == [], f"{entry}: elements of class solution in the student edition: {solutions}"
    assert exercises == count, f"{entry}: {exercises} exercises shown, {count} in the chapter"
    assert stubs >= count, f"{entry}: {stubs} stubs shown for {count} exercises"
    assert "student edition" in title

    sources = ["".join(cell["source"]) for cell in notebook["cells"]]
    assert sources[0].startswith("**Student notebook, chapter"), sources[0][:80]
    assert sum("raise NotImplementedError()" in source for source in sources) >= count
    assert not any(assignments.BEGIN_SOLUTION in source for source in sources)
    assert all(cell.get("outputs", []) == [] for cell in notebook["cells"])


def test_a_search_for_a_line_of_a_solution_leads_to_no_page_that_holds_it(context, edition_html, edition_server,
                                                                          book_html, server):
    """The book's longest solution line, searched for with the site's own search: in the full book the search
    leads to its chapter, whose page holds the line (in the folded solution); in the student edition no page that
    the search lists holds it."""
    from sphinx.search.en import SearchEnglish

    pages = sorted((ROOT / "book").glob("*.md"))
    lines = [(line, entry) for entry in CHAPTER_ENTRIES for line in secret_lines([ROOT / f"{entry}.ipynb"], pages)]
    assert lines, "every solution line of the book is also shown outside the solutions"
    line, entry = max(sorted(lines), key=lambda pair: len(pair[0]))
    language = SearchEnglish({})
    words = [word for word in language.split(line) if len(word) >= 3 and language.word_filter(word)]
    in_book = search(context, server, words)
    assert entry + ".html" in in_book and line in page_lines(book_html / f"{entry}.html"), (line, in_book)
    for found in search(context, edition_server, words):
        assert line not in page_lines(edition_html / found), f"the student edition's {found} shows {line!r}"


def page_lines(path):
    """The stripped lines of the text of an HTML page."""
    text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))
    return {line.strip() for line in text.splitlines()}
