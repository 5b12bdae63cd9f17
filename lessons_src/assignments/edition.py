"""The student edition of the site: the book built with no solution in any page, search index or download.

``python -m lessons_src.assignments --student-edition`` builds it into
``_build/student/html`` (``--student-edition OUT`` for ``OUT/html``):

1. a copy of the book's sources in ``OUT/source``: each chapter as its
   student-edition page (the solutions stubbed, their folds and the cells
   tagged ``shows-answer`` gone, the solution and check cells without
   outputs; every other output as in the book), the other pages as they are,
   and a ``_config.yml`` that titles the site "student edition" and drops the
   launch and repository buttons (they lead to the notebooks with solutions);
2. ``jupyter-book build -W -n --keep-going`` of that copy, moved to ``OUT/html``;
3. each chapter's download (``_sources/book/NN_name.ipynb``) replaced by its
   student notebook, exactly as ``python -m lessons_src.assignments`` writes it;
4. a last look: no solution line (a line between the markers that the book
   shows nowhere else, at least ``MIN_SECRET`` characters long) is a line of
   the text of any file of the site; otherwise the command fails and names it.

``OUT`` must lie outside ``book/`` and be no link (``safe_paths``).
"""

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

from .convention import BOOK_DIR, as_path, find_chapters, find_exercises, solution_lines, stub_solutions
from .safe_paths import UnsafeTargetError, check_targets
from .students import _convert, make_student_notebook

MIN_SECRET = 12  # shorter solution lines (``return h``) could match other text by chance
TITLE_SUFFIX = " (student edition)"
SOURCES = ["_config.yml", "_toc.yml", "_ext", "_static", "book"]


def secret_lines(chapters, pages=()):
    """The solution lines of ``chapters`` (paths) that the book shows nowhere outside its solutions (stripped).

    What the book shows: every line of every cell of the chapters outside the
    marked regions, every line of their outputs (a displayed source, a printed
    table), and every line of the other ``pages`` (paths of markdown files).
    """
    chapters, pages = _require_files("chapters", chapters), _require_files("pages", pages)
    hidden, visible = set(), set()
    for chapter in chapters:
        notebook = json.loads(Path(chapter).read_text(encoding="utf-8"))
        solution_cells = {index for exercise in find_exercises(notebook, Path(chapter).name)
                          for index in exercise.solution_cells}
        for index, cell in enumerate(notebook["cells"]):
            source = _text(cell["source"])
            if index in solution_cells:
                hidden |= {line.strip() for line in solution_lines(source)}
                source = stub_solutions(source)
            visible |= {line.strip() for line in source.splitlines()}
            for output in cell.get("outputs", []):
                texts = [output.get("text", "")] + list(output.get("data", {}).values())
                visible |= {line.strip() for text in texts if isinstance(text, (str, list))
                            for line in _plain(_text(text)).splitlines()}
    for page in pages:
        visible |= {line.strip() for line in Path(page).read_text(encoding="utf-8").splitlines()}
    return {line for line in hidden - visible if line}


def build_student_edition(out_dir, book_dir=BOOK_DIR):
    """Build the student edition into ``out_dir/html`` (see the module's text); return that folder."""
    out_dir, book_dir = as_path("out_dir", out_dir), as_path("book_dir", book_dir)
    root = book_dir.resolve().parent
    check_targets(out_dir, [], book_dir, what="OUT_DIR")
    for part in ("source", "html"):
        if (out_dir / part).is_symlink():
            raise UnsafeTargetError(f"OUT_DIR: {out_dir / part} is a link; remove it first")
        shutil.rmtree(out_dir / part, ignore_errors=True)
    source = out_dir / "source"
    source.mkdir(parents=True)
    chapters = find_chapters(book_dir)
    for name in SOURCES:
        path = root / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        else:
            shutil.copy2(path, source / name)
    for chapter in chapters:
        notebook = nbformat.read(chapter, as_version=4)
        nbformat.write(_convert(notebook, chapter.name, keep_solutions=False, for_site=True),
                       source / "book" / chapter.name)
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = config.get("title", "") + TITLE_SUFFIX
    config.pop("launch_buttons", None)
    config.setdefault("html", {}).update(use_repository_button=False, use_edit_page_button=False,
                                         use_issues_button=False)
    (source / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")

    command = ["jupyter-book", "build", "-W", "-n", "--keep-going", str(source.resolve())]
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    if jupyter_book.exists():
        command[0] = str(jupyter_book)
    result = subprocess.run(command, cwd=source, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"the student edition did not build:\n{result.stdout[-4000:]}{result.stderr[-4000:]}")
    html_dir = out_dir / "html"
    shutil.move(str(source / "_build" / "html"), html_dir)
    for chapter in chapters:
        download = html_dir / "_sources" / "book" / chapter.name
        student = make_student_notebook(nbformat.read(chapter, as_version=4), chapter.name)
        download.write_text(nbformat.writes(student) + "\n", encoding="utf-8")
    leaks = solution_leaks(html_dir, chapters, sorted(book_dir.glob("*.md")))
    if leaks:
        raise RuntimeError("the student edition shows solution lines:\n" + "\n".join(leaks[:20]))
    return html_dir


def solution_leaks(site_dir, chapters, pages=()):
    """``"file: line"`` for each secret line of ``chapters`` that is a line of the text of a file of ``site_dir``."""
    site_dir = as_path("site_dir", site_dir)
    if not site_dir.is_dir():
        raise ValueError(f"site_dir: expected the folder of a built site; got {site_dir}, which is no folder")
    secrets = {line for line in secret_lines(chapters, pages) if len(line) >= MIN_SECRET}
    leaks = []
    for path in sorted(Path(site_dir).rglob("*")):
        if not path.is_file() or path.suffix not in (".html", ".js", ".ipynb", ".md", ".txt", ".json"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":
            text = "\n".join(_text(cell.get("source", "")) for cell in json.loads(text).get("cells", []))
        elif path.suffix == ".html":
            text = _plain(text)
        lines = {line.strip() for line in text.splitlines()}
        leaks += [f"{path.relative_to(site_dir)}: {line}" for line in sorted(secrets & lines)]
    return leaks


def _text(source):
    return "".join(source) if isinstance(source, list) else source


def _plain(text):
    """The text of HTML (tags dropped, entities decoded); plain text is unchanged."""
    return html.unescape(re.sub(r"<[^>]+>", "", text)) if "<" in text else text


def _default_out_dir(book_dir=BOOK_DIR):
    return Path(os.path.relpath(Path(book_dir).resolve().parent / "_build" / "student"))


def _require_files(name, paths):
    if isinstance(paths, (str, bytes, os.PathLike)) or not hasattr(paths, "__iter__"):
        raise TypeError(f"{name}: expected a list of file paths; got {type(paths).__name__}")
    paths = [as_path(f"{name}[]", path) for path in paths]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise ValueError(f"{name}: expected existing files; got {', '.join(missing)}")
    return paths
