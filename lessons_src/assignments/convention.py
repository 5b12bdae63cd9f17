"""The exercise convention of the chapters, read from a notebook.

Every chapter ``book/NN_name.ipynb`` writes its exercises the same way: a
markdown cell with an ``{exercise}`` directive and a ``:label:``; a
``{solution-start} LABEL`` cell; one or more solution code cells whose
student part stands between ``### BEGIN SOLUTION`` and ``### END SOLUTION``;
a ``{solution-end}`` cell; then a visible check cell
``check_<name>(<function>)``. ``find_exercises`` reads it (and refuses a
chapter that breaks it); ``stub_solutions`` and ``solution_lines`` handle the
marked regions.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

BOOK_DIR = Path(__file__).resolve().parent.parent.parent / "book"
CHAPTER_PATTERN = "[0-9][0-9]_*.ipynb"

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
STUB_LINES = ("# YOUR CODE HERE", "raise NotImplementedError()")

_OPENING = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<argument>.*?)[ \t]*$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*?)[ \t]*$")
CHECK_CALL = re.compile(r"\bcheck_\w+\s*\(")


class ExerciseFormatError(ValueError):
    """A chapter breaks the exercise convention (the message names the notebook, cell and label)."""


@dataclass(frozen=True)
class Exercise:
    """One exercise of a chapter; the indices count the notebook's cells from 0."""

    label: str
    title: str
    task: str  # the exercise text (markdown), without the directive and its options
    exercise_cell: int  # the markdown cell holding the {exercise} directive
    solution_cells: tuple  # the code cells between {solution-start} and {solution-end}
    check_cell: int  # the first code cell after {solution-end}
    check_source: str


@dataclass(frozen=True)
class _Directive:
    name: str
    argument: str
    options: dict
    body: str
    start_line: int  # the line of the opening fence
    end_line: int  # the line of the closing fence (len(lines) when it is missing)


def find_chapters(book_dir=BOOK_DIR):
    """The chapter notebooks of ``book_dir`` (``NN_name.ipynb``), in order; none if the folder does not exist."""
    book_dir = as_path("book_dir", book_dir)
    if book_dir.exists() and not book_dir.is_dir():
        raise ValueError(f"book_dir: expected a folder; got the file {book_dir}")
    return sorted(book_dir.glob(CHAPTER_PATTERN))


def cell_source(cell):
    """A cell's source as one string (notebook files may store it as a list of lines)."""
    if not isinstance(cell, dict):
        raise TypeError(f"cell: expected a notebook cell (a dict); got {type(cell).__name__}")
    if "source" not in cell:
        raise ValueError(f"cell: expected a notebook cell with a 'source'; got the keys {sorted(cell)}")
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def chapter_title(notebook):
    """The text of the first ``# `` heading of the notebook, or ``""``."""
    require_notebook(notebook)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for line in cell_source(cell).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def chapter_name(path, notebook):
    """``"1. Representing sequences"``: the chapter's number (from its file name) and title."""
    path = as_path("path", path)
    if not path.name[:2].isdigit():
        raise ValueError(f"path: expected a chapter file NN_name.ipynb; got {path.name}")
    title = chapter_title(notebook) or path.stem
    number = int(path.name[:2])
    return title if re.match(rf"0*{number}\.\s", title) else f"{number}. {title}"


def find_exercises(notebook, name="notebook"):
    """List the exercises of ``notebook`` (a dict as stored in an .ipynb file).

    Raises ExerciseFormatError, naming ``name``, the cell and the label,
    wherever the convention is broken: an exercise without label, solution
    or check cell; a solution code cell without (or with unbalanced) markers;
    a marked region or a ``solution`` tag outside a gated solution.
    """
    require_notebook(notebook)
    found = {}  # label -> dict of the parts seen so far, in order of the exercises
    in_solution = None  # the label whose solution cells are being collected
    awaiting_check = None  # the label whose check cell comes next

    def fail(index, message):
        raise ExerciseFormatError(f"{name}, cell {index}: {message}")

    for index, cell in enumerate(notebook["cells"]):
        source = cell_source(cell)
        if cell["cell_type"] == "markdown":
            for directive in directives(source):
                if directive.name in ("exercise", "solution-start") and awaiting_check is not None:
                    fail(index, f"the exercise {awaiting_check} has no check cell after its solution")
                if directive.name in ("exercise", "solution-start") and in_solution is not None:
                    fail(index, f"the solution of {in_solution} has no {{solution-end}} before this cell")
                if directive.name == "exercise":
                    label = directive.options.get("label", "")
                    if not label:
                        fail(index, f"the exercise {directive.argument!r} has no :label: option")
                    if label in found:
                        fail(index, f"the label {label!r} is used by two exercises")
                    found[label] = {"title": directive.argument, "task": directive.body.strip("\n"),
                                    "exercise_cell": index, "solution_cells": [], "check_cell": None,
                                    "solution_started": False}
                elif directive.name == "solution-start":
                    label = directive.argument
                    if label not in found:
                        fail(index, f"{{solution-start}} {label} names no exercise above it")
                    if found[label]["solution_started"]:
                        fail(index, f"the exercise {label} has two gated solutions")
                    found[label]["solution_started"] = True
                    in_solution = label
                elif directive.name == "solution-end":
                    if in_solution is None:
                        fail(index, "{solution-end} without a {solution-start} before it")
                    if not found[in_solution]["solution_cells"]:
                        fail(index, f"the solution of {in_solution} holds no code cell")
                    awaiting_check, in_solution = in_solution, None
        elif cell["cell_type"] == "code":
            regions = _solution_regions(source, lambda message: fail(index, message))
            if in_solution is not None:
                if not regions:
                    fail(index, f"a solution cell of {in_solution} has no '{BEGIN_SOLUTION}' ... "
                                f"'{END_SOLUTION}' region (the whole cell would reach the students)")
                found[in_solution]["solution_cells"].append(index)
                continue
            if regions:
                fail(index, f"a '{BEGIN_SOLUTION}' region outside any {{solution-start}} ... {{solution-end}}")
            if "solution" in cell.get("metadata", {}).get("tags", []):
                fail(index, "a cell tagged 'solution' outside any {solution-start} ... {solution-end}")
            if awaiting_check is not None:
                if not CHECK_CALL.search(source):
                    fail(index, f"the first code cell after the solution of {awaiting_check} is not "
                                f"a check cell (check_<name>(<function>)): {source.strip()[:80]!r}")
                found[awaiting_check]["check_cell"] = index
                awaiting_check = None
    if in_solution is not None:
        raise ExerciseFormatError(f"{name}: the solution of {in_solution} has no {{solution-end}}")
    exercises = []
    for label, parts in found.items():
        if not parts["solution_started"]:
            raise ExerciseFormatError(f"{name}, cell {parts['exercise_cell']}: the exercise {label} has no "
                                      f"{{solution-start}} {label}")
        if parts["check_cell"] is None:
            raise ExerciseFormatError(f"{name}: the exercise {label} has no check cell after its solution")
        exercises.append(Exercise(label=label, title=parts["title"], task=parts["task"],
                                  exercise_cell=parts["exercise_cell"],
                                  solution_cells=tuple(parts["solution_cells"]), check_cell=parts["check_cell"],
                                  check_source=cell_source(notebook["cells"][parts["check_cell"]]).strip()))
    return exercises


def directives(source):
    """The MyST directives (```` ```{name} ```` or ``:::{name}`` fences) at the top level of a markdown source."""
    require_source(source)
    lines = source.splitlines()
    directives, number = [], 0
    while number < len(lines):
        opening = _OPENING.match(lines[number].strip())
        if not opening:
            number += 1
            continue
        fence = opening["fence"]
        closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = next((i for i in range(number + 1, len(lines)) if closing.match(lines[i].strip())), len(lines))
        inner = lines[number + 1:end]
        options = {}
        while inner and _OPTION.match(inner[0].strip()):
            option = _OPTION.match(inner.pop(0).strip())
            options[option["key"]] = option["value"]
        directives.append(_Directive(opening["name"], opening["argument"], options, "\n".join(inner), number, end))
        number = end + 1
    return directives


def _solution_regions(source, fail):
    """The ``(begin, end)`` line numbers of each marked region of a code cell's source."""
    regions, begin = [], None
    for number, line in enumerate(source.split("\n")):
        if line.strip() == BEGIN_SOLUTION:
            if begin is not None:
                fail(f"'{BEGIN_SOLUTION}' on line {number + 1} inside another solution region")
            begin = number
        elif line.strip() == END_SOLUTION:
            if begin is None:
                fail(f"'{END_SOLUTION}' on line {number + 1} without '{BEGIN_SOLUTION}' before it")
            regions.append((begin, number))
            begin = None
    if begin is not None:
        fail(f"'{BEGIN_SOLUTION}' on line {begin + 1} has no '{END_SOLUTION}'")
    return regions


def solution_lines(source):
    """The lines of ``source`` strictly inside its marked regions (what a student must write)."""
    require_source(source)
    lines = source.split("\n")
    regions = _solution_regions(source, _raise_format_error)
    return [line for begin, end in regions for line in lines[begin + 1:end]]


def stub_solutions(source):
    """Replace each marked region of ``source`` by the stub, at the indentation of its BEGIN marker."""
    require_source(source)
    lines = source.split("\n")
    regions = _solution_regions(source, _raise_format_error)
    kept, previous_end = [], -1
    for begin, end in regions:
        kept.extend(lines[previous_end + 1:begin])
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        kept.extend(indent + stub for stub in STUB_LINES)
        previous_end = end
    kept.extend(lines[previous_end + 1:])
    return "\n".join(kept)


def _raise_format_error(message):
    raise ExerciseFormatError(f"source: expected balanced solution markers; {message}")


def as_path(name, value):
    """``value`` (a string or a path) as a ``Path``; TypeError naming ``name`` otherwise."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name}: expected a path (a string or a Path); got {type(value).__name__}")
    return Path(value)


def require_notebook(notebook):
    """Check that ``notebook`` is a notebook as stored in an .ipynb file: a dict with a list of ``cells``."""
    if not isinstance(notebook, dict):
        raise TypeError(f"notebook: expected a notebook (a dict with 'cells'); got {type(notebook).__name__}")
    if not isinstance(notebook.get("cells"), list):
        raise ValueError(f"notebook: expected a dict with a list of 'cells'; got the keys {sorted(notebook)}")


def require_source(source):
    """Check that ``source`` is a cell's source, one string."""
    if not isinstance(source, str):
        raise TypeError(f"source: expected a cell's source (a string); got {type(source).__name__}")
