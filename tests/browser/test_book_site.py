"""The book as a whole site: its own search (in Chromium, offline) and every internal link and anchor."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from book_site import ENTRIES, Visit, broken_links, skip_or_fail

LSTM_CHAPTER = "book/03_lstm_gates"


def test_search_finds_the_lstm_chapter_for_forget_gate(context, server):
    if LSTM_CHAPTER not in ENTRIES:
        skip_or_fail(f"{LSTM_CHAPTER} is not in _toc.yml yet")
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
    problems = search.errors + search.failed_requests + [f"request to another host: {url}" for url in search.outside_requests]
    assert not problems, "the search page:\n" + "\n".join(problems)


def test_every_internal_link_and_anchor_resolves(book_html):
    """Crawl from the start page and every toc page; each local URL and #anchor must exist."""
    start = ["index.html", "search.html", "genindex.html"] + [entry + ".html" for entry in ENTRIES]
    crawled, broken = broken_links(book_html, start)
    assert set(entry + ".html" for entry in ENTRIES) <= crawled
    assert not broken, f"{len(broken)} broken link(s) in {len(crawled)} pages:\n" + "\n".join(broken)
