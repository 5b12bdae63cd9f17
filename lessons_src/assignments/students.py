"""Student notebooks: each chapter with its solutions taken out (``python -m lessons_src.assignments OUT_DIR``).

Each marked region becomes ``# YOUR CODE HERE`` and ``raise NotImplementedError()``
at the same indentation, the solution directives go, the exercise text and the
check cells stay, outputs are cleared, and a header cell says how to check an
answer. Nothing is ever written under ``book/``.
"""

import copy
from pathlib import Path

import nbformat

from .convention import (BOOK_DIR, ExerciseFormatError, as_path, cell_source, chapter_name, chapter_title, directives,
                         find_exercises, stub_solutions)


def make_student_notebook(notebook, name="notebook"):
    """Return the student version of ``notebook`` (a validated nbformat NotebookNode; the input is not changed).

    Solution regions become stubs, the ``{solution-start}``/``{solution-end}``
    cells go, each ``{exercise}`` directive becomes plain markdown (Jupyter
    does not render MyST directives), outputs and execution counts are
    cleared, and a header cell comes first.
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

    student = copy.deepcopy(notebook)
    cells = [_header_cell(notebook, name, len(exercises))]
    for index, cell in enumerate(student.cells):
        if index in directive_cells:
            continue
        if cell.cell_type == "markdown":
            cell.source = _plain_exercises(cell.source)
        elif cell.cell_type == "code":
            if index in solution_cells:
                cell.source = stub_solutions(cell.source)
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        cells.append(cell)
    student.cells = cells
    nbformat.validate(student)
    return student


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
        "The notebook imports the book's package `lessons_src`: open it in Binder, or install the book's "
        "`requirements.txt` (`pip install -r requirements.txt` in the book's folder)."
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


def write_student_notebooks(out_dir, chapters, book_dir=BOOK_DIR):
    """Write the student version of each chapter path into ``out_dir``; return the written paths.

    Refuses (ValueError) when ``out_dir`` is ``book_dir`` or inside it, or is
    a file; creates it otherwise. Nothing under ``book_dir`` is written.
    """
    out_dir, book_dir = as_path("out_dir", out_dir), as_path("book_dir", book_dir)
    resolved = out_dir.resolve()
    if resolved == book_dir.resolve() or book_dir.resolve() in resolved.parents:
        raise ValueError(f"OUT_DIR: expected a folder outside {book_dir} (the chapters with their solutions); "
                         f"got {out_dir}")
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"OUT_DIR: expected a folder; got the file {out_dir}")
    students = []
    for path in chapters:  # read and convert every chapter before writing any file
        notebook = nbformat.read(path, as_version=4)
        students.append((path, make_student_notebook(notebook, path.name)))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path, student in students:
        target = out_dir / path.name
        nbformat.write(student, target)
        written.append(target)
    return written
