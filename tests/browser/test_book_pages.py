"""Every page of the book, read in Debian's Chromium (driven by Playwright) from a server on 127.0.0.1.

The pages are those of ``_toc.yml``, so a new chapter is tested as soon as it is listed there. The
browser is offline: a request to any other host is aborted and recorded, and the last test of each
page fails on any. For each page: no JavaScript error, no failed request, images loaded with alt
text, exercises numbered and titled, solutions folded until a click opens them, on notebook pages
the launch (Binder) and download buttons, equations typeset by the book's own copy of MathJax, and
no request to another host. Screenshots of each page's first screen, of an opened solution and of
an equation are written to ``_build/screenshots/``.

The HTML comes from ``_build/html`` when it is newer than every source; otherwise the session builds
it once with ``jupyter-book build -W -n --keep-going``. ``BOOK_HTML_DIR=/some/out/_build/html``
points the tests at another build (built there, with ``--path-output /some/out``, when stale).
"""

from __future__ import annotations

import json
import posixpath
import re
from urllib.parse import unquote, urljoin

import pytest

from book_site import ENTRIES, NOTEBOOK_ENTRIES, count_directives, has_math, is_local, markdown_of


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


# The solutions after the first, clicked by the page's own JavaScript: each must be folded, open on a click on its
# title and fold again on a second one (the first solution of each page takes the reader's real clicks).
OTHER_SOLUTIONS_JS = """solutions => solutions.slice(1).flatMap((solution, index) => {
    const name = `solution ${index + 2}`;
    const code = solution.querySelector('pre');
    const title = solution.querySelector(':scope > .admonition-title a');
    const folded = () => solution.classList.contains('toggle-hidden');
    const shown = () => code.checkVisibility({visibilityProperty: true});   // the opacity fades in over 0.3 s
    if (!code || !title) return [`${name} holds no code or has no title link`];
    const problems = [];
    if (!folded() || shown()) problems.push(`${name} is open when the page loads`);
    title.click();
    if (folded() || !shown() || !code.innerText.trim()) {
        problems.push(`${name}: a click on its title did not show its code`);
    }
    title.click();
    if (!folded() || shown()) problems.push(`${name}: a second click on its title did not fold it`);
    return problems;
})"""


@pytest.mark.parametrize("entry", ENTRIES)
def test_solutions_are_folded_and_open_on_click(visit, screenshot_dir, entry):
    from playwright.sync_api import expect

    opened = visit(entry)
    page = opened.page
    solutions = page.locator(".solution.admonition").all()
    if not solutions:
        pytest.skip(f"{entry} has no solutions")
    errors_before = len(opened.errors)
    solution = solutions[0]
    name = f"{entry}: solution 1 ({squash(solution.locator(':scope > .admonition-title').inner_text())!r})"
    code = solution.locator("pre")
    assert code.count() >= 1, f"{name} holds no code"
    # Folded when the page opens.
    assert solution_state(solution) == "folded", f"{name} is open when the page loads"
    expect(code.first, f"{name}: code visible while folded").to_be_hidden()
    # The reader clicks the title (its text is mostly a link back to the exercise), or the arrow.
    title_text = solution.locator(":scope > .admonition-title a").first
    for click_target, how in ((title_text, "its title"), (solution.locator("button.toggle-button"), "the arrow")):
        click_target.click()
        expect(code.first, f"{name}: a click on {how} did not show the code").to_be_visible()
        assert solution_state(solution) == "open", f"{name}: still folded after a click on {how}"
        assert squash(code.first.inner_text()), f"{name}: the code shown is empty"
        if how == "its title":
            solution.scroll_into_view_if_needed()
            solution.screenshot(path=str(screenshot_dir / f"{posixpath.basename(entry)}-solution.png"))
        click_target.click()
        expect(code.first, f"{name}: a second click on {how} did not fold it").to_be_hidden()
        assert solution_state(solution) == "folded", f"{name}: still open after a second click on {how}"
    problems = page.eval_on_selector_all(".solution.admonition", OTHER_SOLUTIONS_JS)
    assert not problems, f"{entry}:\n" + "\n".join(problems)
    new_errors = opened.errors[errors_before:]
    assert not new_errors, f"{entry}: JavaScript errors while opening solutions:\n" + "\n".join(new_errors)


@pytest.mark.parametrize("entry", NOTEBOOK_ENTRIES)
def test_notebook_pages_have_launch_and_download_buttons(visit, entry):
    """The Binder button is checked, not followed: it needs the network (mybinder.org) and is for readers online."""
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
    page.mouse.move(640, 700)  # off the button: the menu also opens while hovered (later screenshots)

    download = page.locator(".dropdown-download-buttons a.btn-download-source-button")
    assert download.count() == 1, f"{entry}: no download (.ipynb) button"
    href = download.get_attribute("href")
    assert href.endswith(notebook), f"{entry}: download link {href} is not the notebook"
    response = page.request.get(urljoin(page.url, href))
    assert response.ok, f"{entry}: downloading {href} gives HTTP {response.status}"
    assert json.loads(response.body())["cells"], f"{entry}: the downloaded notebook has no cells"


# Text of the article a reader sees, outside code (MathJax's own output included, its hidden
# MathML copy for screen readers left out).
VISIBLE_TEXT_JS = r"""() => {
    const root = document.querySelector('article') || document.body;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const texts = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.parentElement.closest('pre, code, script, style, .highlight, mjx-assistive-mml')) texts.push(node.data);
    }
    return texts.join(' ');
}"""
RAW_TEX = re.compile(r"\\\(|\\\[|\\begin\{|\$\$|(?<![\w$])\$[^\s$][^$]*?(?<!\s)\$(?![\w$])")

# Each math element of the article: typeset (MathJax put its output in), and any TeX error it shows.
MATH_ELEMENTS_JS = """() => Array.from(document.querySelectorAll('article .math')).map(math => ({
    typeset: math.querySelector('mjx-container') !== null,
    text: math.textContent.trim().slice(0, 80),
    errors: Array.from(math.querySelectorAll('mjx-merror')).map(e => e.getAttribute('data-mjx-error') || e.textContent),
}))"""


@pytest.mark.parametrize("entry", ENTRIES)
def test_equations_are_typeset_offline(visit, screenshot_dir, entry):
    opened = visit(entry)
    page = opened.page
    text = page.evaluate(VISIBLE_TEXT_JS)
    leftover = [text[max(0, match.start() - 30):match.end() + 30] for match in RAW_TEX.finditer(text)]
    assert not leftover, f"{entry}: raw TeX left in the text a reader sees, e.g. {leftover[:3]}"
    if not has_math(markdown_of(entry)):
        return
    math = page.evaluate(MATH_ELEMENTS_JS)
    assert math, f"{entry}: the source has math but the page has no math element"
    scripts = page.eval_on_selector_all("script[src*='mathjax']", "scripts => scripts.map(s => s.src)")
    assert scripts, f"{entry}: the page has math but loads no MathJax"
    assert all(is_local(src) and "/_static/" in src for src in scripts), (
        f"{entry}: MathJax must come from the book's own _static folder, not from {scripts}"
    )
    untypeset = [element["text"] for element in math if not element["typeset"]]
    assert not untypeset, f"{entry}: {len(untypeset)} of {len(math)} equations not typeset, e.g. {untypeset[:3]}"
    tex_errors = [error for element in math for error in element["errors"]]
    assert not tex_errors, f"{entry}: MathJax reports TeX errors: {tex_errors[:3]}"
    assert not opened.failed_requests, f"{entry}: failed requests (MathJax's fonts?):\n" + "\n".join(opened.failed_requests)
    display = page.locator("article div.math")
    if display.count():  # a screenshot of the first displayed equation, with the text around it
        display.first.evaluate("element => element.scrollIntoView({block: 'center'})")
        page.screenshot(path=str(screenshot_dir / f"{posixpath.basename(entry)}-equations.png"))
        page.evaluate("() => window.scrollTo(0, 0)")


@pytest.mark.parametrize("entry", ENTRIES)
def test_page_makes_no_request_to_another_host(visit, entry):
    """Every request the page made, while loading and while the tests above used it, went to 127.0.0.1.

    The page's links to other sites (the launch button's Binder, the repository and issue buttons,
    the licences, the references) need the network only when a reader follows them: they are not
    requests the page makes, and no test follows them.
    """
    opened = visit(entry)
    page = opened.page
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")  # what loads only when scrolled to
    page.wait_for_function("() => Array.from(document.images).every(img => img.complete)")
    page.evaluate("() => window.scrollTo(0, 0)")
    assert not opened.outside_requests, (
        f"{entry}: {len(opened.outside_requests)} request(s) to another host (a reader offline would miss them):\n"
        + "\n".join(sorted(set(opened.outside_requests)))
    )
