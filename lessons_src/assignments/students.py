"""Student notebooks: each chapter with its solutions taken out (``python -m lessons_src.assignments OUT_DIR``).

Each marked region becomes ``# YOUR CODE HERE`` and ``raise NotImplementedError()``
at the same indentation, the solution directives go, a cell tagged
``shows-answer`` (it displays code an exercise asks for) becomes a short note,
the exercise text and the check cells stay, outputs are cleared, and a header
cell says how to check an answer. Nothing is ever written under ``book/``
(``safe_paths``).
"""

import ast
import copy
from pathlib import Path

import nbformat

from .convention import (BOOK_DIR, ExerciseFormatError, as_path, cell_source, chapter_name, chapter_title, directives,
                         find_exercises, require_source, stub_solutions)
from .safe_paths import check_targets, write_files

SHOWS_ANSWER = "shows-answer"  # the tag of a cell that displays code an exercise asks the student to write


def make_student_notebook(notebook, name="notebook", keep_solutions=False):
    """Return the student version of ``notebook`` (a validated nbformat NotebookNode; the input is not changed).

    Solution regions become stubs, the ``{solution-start}``/``{solution-end}``
    cells go, each ``{exercise}`` directive becomes plain markdown (Jupyter
    does not render MyST directives), each cell tagged ``shows-answer``
    becomes a note, outputs and execution counts are cleared, and a header
    cell comes first. With ``keep_solutions``, the marked regions stay: the
    notebook nbgrader's ``generate_assignment`` turns into the student's.
    """
    return _convert(notebook, name, keep_solutions=keep_solutions, for_site=False)


def _convert(notebook, name, keep_solutions, for_site):
    """The student notebook (see ``make_student_notebook``), or with ``for_site`` the page of the student edition.

    For the site the exercise directives stay (they render as exercises), no
    header cell is added, the stubs lose their ``solution`` tag, and only the
    solution and check cells lose their outputs: the page shows every other
    output as the book does.
    """
    exercises = find_exercises(notebook, name)
    directive_cells = set()
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "markdown":
            names = {directive.name for directive in directives(cell_source(cell))}
            if names & {"solution-start", "solution-end"}:
                if names - {"solution-start", "solution-end"} or _text_outside_directives(cell_source(cell)):
                    raise ExerciseFormatError(f"{name}, cell {index}: a {{solution-start}}/{{solution-end}} cell "
                                              "must hold nothing else (it is dropped from the student notebook)")
                directive_cells.add(index)
    solution_cells = {index for exercise in exercises for index in exercise.solution_cells}
    exercise_cells = solution_cells | {exercise.check_cell for exercise in exercises}

    student = copy.deepcopy(notebook)
    cells = [] if for_site else [_header_cell(notebook, name, len(exercises))]
    for index, cell in enumerate(student.cells):
        if index in directive_cells:
            continue
        if SHOWS_ANSWER in cell.metadata.get("tags", []):
            if index in solution_cells:
                raise ExerciseFormatError(f"{name}, cell {index}: a solution cell cannot be tagged {SHOWS_ANSWER!r}")
            cells.append(_note_cell(cell, for_site))
            continue
        if cell.cell_type == "markdown" and not for_site:
            cell.source = _plain_exercises(cell.source)
        elif cell.cell_type == "code":
            if index in solution_cells and not keep_solutions:
                cell.source = stub_solutions(cell.source)
            if not for_site or index in exercise_cells:
                cell.outputs = []
                cell.execution_count = None
            if for_site and "solution" in cell.metadata.get("tags", []):  # the page marks the stub as a solution
                cell.metadata["tags"] = [tag for tag in cell.metadata["tags"] if tag != "solution"]
        cell.metadata.pop("execution", None)
        cells.append(cell)
    student.cells = cells
    nbformat.validate(student)
    return student


def shown_names(source):
    """The names whose source a code cell shows: the arguments of its ``show_source(...)`` calls."""
    require_source(source)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "show_source":
            for argument in node.args[:1]:
                names.append(ast.unparse(argument))
    return names


def _note_cell(cell, for_site=False):
    """The note that stands in a student notebook for a cell tagged ``shows-answer``."""
    names = shown_names(cell.source) if cell.cell_type == "code" else []
    what = (f"the code of {', '.join(f'`{name}`' for name in names)}" if names else "code")
    where = "student edition" if for_site else "student notebook"
    note = nbformat.v4.new_markdown_cell(
        f"*Left out of the {where}: here the book shows {what}, which would give away the answer to an "
        "exercise of this chapter. Write your own in the exercise below.*", metadata={"tags": [SHOWS_ANSWER]})
    if "id" in cell:
        note["id"] = cell["id"]
    else:
        note.pop("id", None)
    return note


def _text_outside_directives(source):
    lines = source.splitlines()
    for directive in directives(source):
        for number in range(directive.start_line, min(directive.end_line + 1, len(lines))):
            lines[number] = ""
    return "".join(lines).strip()


def _plain_exercises(source):
    """Rewrite each ``{exercise}`` directive of a markdown source as a bold title and its text."""
    lines = source.splitlines()
    for directive in reversed(directives(source)):
        if directive.name == "exercise":
            plain = [f"**Exercise: {directive.argument}** (`{directive.options['label']}`)", ""]
            plain += directive.body.strip("\n").splitlines()
            lines[directive.start_line:directive.end_line + 1] = plain
    return "\n".join(lines)


def _header_cell(notebook, name, exercise_count):
    chapter = chapter_name(name, notebook) if name[:2].isdigit() else chapter_title(notebook) or name
    text = (
        f"**Student notebook, chapter {chapter}**\n"
        "\n"
        f"This is the chapter with the solutions of its {exercise_count} "
        f"exercise{'s' if exercise_count != 1 else ''} taken out.\n"
        "\n"
        "Run the cells in order from the top. Each exercise leaves a code cell with `# YOUR CODE HERE` and "
        "`raise NotImplementedError()`: replace those two lines with your answer and run the cell. Then run the "
        "check cell below it, `check_<name>(<function>)`. It prints `<name>: N of N cases correct` when your "
        "answer is right; otherwise it stops with an `AssertionError` that names the case that failed, the value "
        "expected and the value your code returned. Until you write an answer the exercise stops with "
        "`NotImplementedError`.\n"
        "\n"
        "A check grades only a function (or class) that you define in this notebook: the book's own function of "
        "the same name, or an empty answer cell, fails it. Cells that are not part of an exercise must run "
        "without error: after one fails, the checks refuse to grade until it runs cleanly.\n"
        "\n"
        "The notebook imports the book's package `lessons_src`: keep it in a folder of the book's repository "
        "(for example `student_notebooks/`) and install the repository once with "
        "`pip install -r requirements.txt` in its top folder, or open it in Binder."
    )
    cell = nbformat.from_dict({"cell_type": "markdown", "metadata": {}, "source": text})
    if notebook.get("nbformat_minor", 0) >= 5:
        cell["id"] = _unique_id("student-header", notebook)
    return cell


def _unique_id(wanted, notebook):
    taken = {cell.get("id") for cell in notebook["cells"]}
    candidate, number = wanted, 1
    while candidate in taken:
        number += 1
        candidate = f"{wanted}-{number}"
    return candidate


def write_student_notebooks(out_dir, chapters, book_dir=BOOK_DIR, keep_solutions=False):
    """Write the student version of each chapter path into ``out_dir``; return the written paths.

    With ``keep_solutions``, the versions for nbgrader (``make_student_notebook``).
    Every chapter is read and converted, and every target checked
    (``safe_paths``: no link, nothing that resolves into ``book_dir``), before
    the first file is written; ``out_dir`` is created if missing.
    """
    out_dir, book_dir = as_path("out_dir", out_dir), as_path("book_dir", book_dir)
    check_targets(out_dir, [Path(path).name for path in chapters], book_dir)
    contents = {}
    for path in chapters:  # read and convert every chapter before writing any file
        notebook = nbformat.read(path, as_version=4)
        contents[Path(path).name] = nbformat.writes(make_student_notebook(notebook, Path(path).name, keep_solutions)) + "\n"
    return write_files(out_dir, contents, book_dir)
