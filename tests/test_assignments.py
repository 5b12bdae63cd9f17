"""Tests of lessons_src.assignments: student notebooks, nbgrader metadata, the table of exercises.

Two kinds: tests on a small synthetic chapter (the machinery itself, fast,
including cases that must be refused), and tests on every chapter found in
book/ (NN_*.ipynb, discovered, never listed by hand). Executing a student
notebook is the one slow test: each chapter runs once in a fresh kernel, as
a student would work through it (see ``work_through``).
"""

import ast
import hashlib
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import ipykernel.kernelspec
import nbformat
import pytest
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lessons_src import assignments
from lessons_src.assignments import BEGIN_SOLUTION, END_SOLUTION, ExerciseFormatError

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
CHAPTERS = assignments.find_chapters(BOOK)
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
CELL_TIMEOUT = 120  # seconds; a chapter runs in at most 60 s in all
NAMES_A_CASE = r"\S\(.*\)"  # a failing check's message shows the call, e.g. one_hot_encode(0, 4) or <lambda>(4, 8)


# ---------------------------------------------------------------------------
# A synthetic chapter that follows the convention


def synthetic_chapter():
    """A small chapter with two exercises: one inside a function, one at the top level with two regions."""
    cells = [
        new_markdown_cell("# Doubling numbers\n\nA tiny chapter."),
        new_code_cell(
            "import numpy as np\n"
            "\n"
            "def check_double(double):\n"
            "    for x in [1.0, 2.5, -3.0]:\n"
            "        got = double(np.array([x]))\n"
            "        if not isinstance(got, np.ndarray) or not np.allclose(got, [2 * x]):\n"
            "            raise AssertionError(f'double([{x}]) returned {got!r}; expected [{2 * x}]')\n"
            "    print('double: 3 of 3 cases correct')\n"
            "\n"
            "def check_table(table):\n"
            "    if not callable(table):\n"
            "        raise AssertionError(f'table() is {table!r}; expected a function')\n"
            "    got = table()\n"
            "    if got != {'one': 1, 'two': 4}:\n"
            "        raise AssertionError(f'table() returned {got!r}; expected {{\"one\": 1, \"two\": 4}}')\n"
            "    print('table: 1 of 1 cases correct')"),
        new_code_cell("print(np.arange(3))", execution_count=2,
                      outputs=[new_output("stream", name="stdout", text="[0 1 2]\n")]),
        new_markdown_cell("## Exercises\n\n```{exercise} Double an array\n:label: ex-double\n\n"
                          "Write `double(x)` that returns `2 * x`. Use no loop (e.g. not `for v in x.flat`).\n```"),
        new_markdown_cell("```{solution-start} ex-double\n:class: dropdown\n```"),
        new_code_cell("def double(x):\n"
                      "    ### BEGIN SOLUTION\n"
                      "    twice = x + x\n"
                      "    return twice\n"
                      "    ### END SOLUTION", metadata={"tags": ["solution"]}),
        new_markdown_cell("```{solution-end}\n```"),
        new_code_cell("check_double(double)", execution_count=4,
                      outputs=[new_output("stream", name="stdout", text="double: 3 of 3 cases correct\n")]),
        new_markdown_cell("````{exercise} A table of squares\n:label: ex-table\n\n"
                          "Fill in `squares` | a dict.\n\n```python\nsquares['one']\n```\n````"),
        new_markdown_cell("```{solution-start} ex-table\n:class: dropdown\n```"),
        new_code_cell("squares = {}\n"
                      "### BEGIN SOLUTION\n"
                      "squares['one'] = 1\n"
                      "### END SOLUTION\n"
                      "if True:\n"
                      "        ### BEGIN SOLUTION\n"
                      "        squares['two'] = 4\n"
                      "        ### END SOLUTION\n"
                      "table = lambda: squares", metadata={"tags": ["solution"]}),
        new_markdown_cell("```{solution-end}\n```"),
        new_markdown_cell("Now check it:"),
        new_code_cell("check_table(table)"),
        new_markdown_cell("## What you can do now\n\n- Double things."),
    ]
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"
    return notebook


@pytest.fixture
def synthetic_book(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    nbformat.write(synthetic_chapter(), book / "01_doubling.ipynb")
    return book


def test_stubs_replace_each_region_at_its_indentation():
    notebook = synthetic_chapter()
    assert assignments.stub_solutions(notebook.cells[5].source) == (
        "def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()")
    assert assignments.stub_solutions(notebook.cells[10].source) == (
        "squares = {}\n# YOUR CODE HERE\nraise NotImplementedError()\nif True:\n"
        "        # YOUR CODE HERE\n        raise NotImplementedError()\ntable = lambda: squares")
    assert assignments.solution_lines(notebook.cells[10].source) == ["squares['one'] = 1", "        squares['two'] = 4"]


def test_exercises_are_found_with_their_cells():
    exercises = assignments.find_exercises(synthetic_chapter())
    assert [(e.label, e.title, e.exercise_cell, e.solution_cells, e.check_cell, e.check_source) for e in exercises] == [
        ("ex-double", "Double an array", 3, (5,), 7, "check_double(double)"),
        ("ex-table", "A table of squares", 8, (10,), 13, "check_table(table)"),
    ]
    assert exercises[1].task == "Fill in `squares` | a dict.\n\n```python\nsquares['one']\n```"


def test_student_version_of_the_synthetic_chapter():
    instructor = synthetic_chapter()
    student = assignments.make_student_notebook(instructor, "01_doubling.ipynb")
    nbformat.validate(student)
    assert instructor == synthetic_chapter(), "the instructor's notebook must not change"
    sources = [cell.source for cell in student.cells]
    assert sources[0].startswith("**Student notebook, chapter 1. Doubling numbers**")
    assert "2 exercises" in sources[0] and "check_<name>(<function>)" in sources[0]
    assert not any("{solution-start}" in source or "{solution-end}" in source for source in sources)
    assert sources[4] == ("## Exercises\n\n**Exercise: Double an array** (`ex-double`)\n\n"
                          "Write `double(x)` that returns `2 * x`. Use no loop (e.g. not `for v in x.flat`).")
    assert sources[5] == "def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert sources[6] == "check_double(double)"
    assert sources[7] == ("**Exercise: A table of squares** (`ex-table`)\n\n"
                          "Fill in `squares` | a dict.\n\n```python\nsquares['one']\n```")
    assert sources[9:] == ["Now check it:", "check_table(table)", "## What you can do now\n\n- Double things."]
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert student.cells[5].metadata == {"tags": ["solution"]}
    assert student.cells[0].id == "student-header"


def test_command_writes_identical_files_twice_and_prints_one_line_each(synthetic_book, tmp_path):
    out = tmp_path / "out"
    lines = []
    for _ in range(2):
        result = run_command(str(out), "--book-dir", str(synthetic_book))
        assert result.returncode == 0, result.stderr
        lines.append(result.stdout.splitlines())
        written = (out / "01_doubling.ipynb").read_bytes()
        if len(lines) == 1:
            first = written
    assert lines[0] == lines[1] == [f"wrote {out / '01_doubling.ipynb'}"]
    assert written == first


@pytest.mark.parametrize("change, message", [
    (lambda cells: cells[5].update(source=cells[5].source.replace(END_SOLUTION, "")), "has no '### END SOLUTION'"),
    (lambda cells: cells[5].update(source="def double(x):\n    return x + x"), "has no '### BEGIN SOLUTION'"),
    (lambda cells: cells[2].update(source=f"{BEGIN_SOLUTION}\nx = 1\n{END_SOLUTION}"), "outside any"),
    (lambda cells: cells[2].metadata.update(tags=["solution"]), "tagged 'solution' outside"),
    (lambda cells: cells[7].update(source="print(double(2))"), "is not a check cell"),
    (lambda cells: cells.pop(7), "ex-double has no check cell"),
    (lambda cells: cells.pop(13), "ex-table has no check cell"),
    (lambda cells: cells.pop(4), "region outside any {solution-start}"),
    (lambda cells: cells.insert(8, new_markdown_cell("```{solution-end}\n```")), "without a {solution-start}"),
    (lambda cells: [cells.pop(6), cells.pop(6)], "the solution of ex-double has no {solution-end} before"),
    (lambda cells: cells.__delitem__(slice(11, 14)), "the solution of ex-table has no {solution-end}"),
    (lambda cells: cells[3].update(source=cells[3].source.replace(":label: ex-double\n", "")), "has no :label:"),
    (lambda cells: cells[8].update(source=cells[8].source.replace("ex-table", "ex-double")), "used by two exercises"),
    (lambda cells: cells[4].update(source="```{solution-start} ex-nothing\n```"), "names no exercise"),
    (lambda cells: cells[4].update(source=cells[4].source + "\nSome words."), "must hold nothing else"),
])
def test_breaking_the_convention_is_refused_with_a_clear_message(change, message):
    notebook = synthetic_chapter()
    change(notebook.cells)
    with pytest.raises(ExerciseFormatError, match=re.escape(message)):
        assignments.make_student_notebook(notebook, "01_doubling.ipynb")


def test_refusals_leave_the_synthetic_book_unchanged(synthetic_book, tmp_path):
    before = file_hashes(synthetic_book)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    for args, message in [
        ([str(synthetic_book)], "expected a folder outside"),
        ([str(synthetic_book / "student")], "expected a folder outside"),
        ([str(synthetic_book / ".." / "book" / "x")], "expected a folder outside"),
        ([str(a_file)], "expected a folder; got the file"),
        ([str(a_file / "inside")], "otes.txt"),
        ([str(tmp_path / "out"), "--chapters", "02"], "unknown chapter '02'; the chapters are: 01_doubling"),
        ([], "OUT_DIR: expected the folder"),
    ]:
        result = run_command(*args, "--book-dir", str(synthetic_book))
        assert result.returncode == 2, (args, result.stdout)
        assert message in result.stderr, (args, result.stderr)
        assert result.stdout == ""
    assert file_hashes(synthetic_book) == before
    assert not (tmp_path / "out").exists()
    assert a_file.read_text() == "not a folder"


def test_stamping_changes_only_nbgrader_metadata_and_is_idempotent(synthetic_book):
    path = synthetic_book / "01_doubling.ipynb"
    before = json.loads(path.read_text())
    assert assignments.stamp_notebook_file(path) is True
    text = path.read_text()
    assert assignments.stamp_notebook_file(path) is False
    assert path.read_text() == text
    after = json.loads(text)
    assert without_nbgrader(after) == before
    assert after["cells"][5]["metadata"]["nbgrader"] == {
        "grade": False, "grade_id": "ex-double-solution", "locked": False, "schema_version": 3, "solution": True}
    assert after["cells"][13]["metadata"]["nbgrader"] == {
        "grade": True, "grade_id": "ex-table-check", "locked": True, "points": 1, "schema_version": 3,
        "solution": False}
    assert nbgrader_problems(after) == []
    # an instructor's points survive a refresh; stale metadata on other cells goes
    after["cells"][13]["metadata"]["nbgrader"]["points"] = 3
    after["cells"][2]["metadata"]["nbgrader"] = {"grade": True}
    assert assignments.stamp_nbgrader(after) is True
    assert after["cells"][13]["metadata"]["nbgrader"]["points"] == 3
    assert "nbgrader" not in after["cells"][2]["metadata"]


def test_the_nbgrader_validator_of_these_tests_can_fail():
    notebook = synthetic_chapter()
    assignments.stamp_nbgrader(notebook)
    assert nbgrader_problems(notebook) == []
    notebook.cells[5].metadata.nbgrader["grade_id"] = "ex-table-check"
    notebook.cells[7].metadata.nbgrader.pop("points")
    notebook.cells[10].metadata.nbgrader["grade_id"] = "has space"
    notebook.cells[0].metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                              "grade_id": "md", "points": 1, "schema_version": 3}
    problems = " | ".join(nbgrader_problems(notebook))
    for expected in ["duplicate grade_id 'ex-table-check'", "has no points", "'has space'", "markdown grade cell"]:
        assert expected in problems


def test_exercise_table_of_the_synthetic_book(synthetic_book):
    chapters = assignments.find_chapters(synthetic_book)
    assert assignments.exercise_table(chapters, toc_files={"book/01_doubling"}).splitlines() == [
        "| Chapter | Label | What it asks | Check |",
        "|---|---|---|---|",
        "| [1. Doubling numbers](01_doubling.ipynb) | {ref}`ex-double <ex-double>` | *Double an array.* "
        "Write `double(x)` that returns `2 * x`. | `check_double(double)` |",
        "|  | {ref}`ex-table <ex-table>` | *A table of squares.* Fill in `squares` \\| a dict. | `check_table(table)` |",
    ]
    unlinked = assignments.exercise_table(chapters, toc_files=set())
    assert "| 1. Doubling numbers | `ex-double` |" in unlinked


def test_a_student_working_through_the_synthetic_chapter(synthetic_book, tmp_path):
    (student_path,) = assignments.write_student_notebooks(tmp_path / "out", assignments.find_chapters(synthetic_book),
                                                          synthetic_book)
    report = work_through(nbformat.read(student_path, as_version=4),
                          nbformat.read(synthetic_book / "01_doubling.ipynb", as_version=4), tmp_path / "out")
    assert report == ["ex-double: NotImplementedError, then double: 3 of 3 cases correct, wrong answers rejected",
                      "ex-table: NotImplementedError, then table: 1 of 1 cases correct, wrong answers rejected"]


def test_working_through_fails_when_a_stub_does_not_raise_not_implemented(synthetic_book, tmp_path):
    instructor = nbformat.read(synthetic_book / "01_doubling.ipynb", as_version=4)
    student = assignments.make_student_notebook(instructor, "01_doubling.ipynb")
    student.cells[5].source = "def double(x):\n    return x"  # a stub that returns a wrong value
    with pytest.raises(AssertionError, match="expected NotImplementedError"):
        work_through(student, instructor, tmp_path)


# ---------------------------------------------------------------------------
# Every chapter of the book


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("student_notebooks")


@pytest.fixture
def chapter_pair(request, student_dir):
    """(instructor notebook, student notebook written by write_student_notebooks, the student file)."""
    chapter = request.param
    (student_path,) = assignments.write_student_notebooks(student_dir, [chapter], BOOK)
    return (nbformat.read(chapter, as_version=4), nbformat.read(student_path, as_version=4), student_path)


each_chapter = pytest.mark.parametrize("chapter_pair", CHAPTERS, ids=[path.stem for path in CHAPTERS],
                                       indirect=True)


@each_chapter
def test_no_solution_line_leaks(chapter_pair):
    instructor, student, _ = chapter_pair
    exercises = assignments.find_exercises(instructor)
    solution_cells = {index for exercise in exercises for index in exercise.solution_cells}
    hidden = {line.strip() for index in solution_cells
              for line in assignments.solution_lines(instructor.cells[index].source)} - {""}
    visible_in_book = {line.strip() for index, cell in enumerate(instructor.cells) for line in
                       (assignments.stub_solutions(cell.source) if index in solution_cells
                        else cell.source).splitlines()}
    # Only a line that the instructor's notebook shows nowhere outside the solutions would give an answer away.
    secret = hidden - visible_in_book
    student_lines = {line.strip() for cell in student.cells for line in cell.source.splitlines()}
    assert secret, "every solution line is also visible outside the solutions: is the exercise given away?"
    assert not secret & student_lines
    stubs = [cell for cell in student.cells if cell.cell_type == "code" and "raise NotImplementedError()" in cell.source]
    assert len(stubs) == len(solution_cells)
    for cell in stubs:
        assert not {line.strip() for line in cell.source.splitlines()} & hidden


@each_chapter
def test_every_exercise_keeps_its_text_and_its_check_cell(chapter_pair):
    instructor, student, _ = chapter_pair
    student_sources = [cell.source for cell in student.cells]
    for exercise in assignments.find_exercises(instructor):
        assert exercise.check_source in student_sources, exercise.label
        exercise_cell = next(source for source in student_sources if f"(`{exercise.label}`)" in source)
        assert exercise.task in exercise_cell
        check = student_sources.index(exercise.check_source)
        stub = max(index for index, cell in enumerate(student.cells[:check]) if cell.cell_type == "code")
        assert "raise NotImplementedError()" in student_sources[stub]
    assert not any("{solution-start}" in source or "{solution-end}" in source for source in student_sources)


@each_chapter
def test_student_notebook_is_valid_and_without_outputs(chapter_pair):
    instructor, student, student_path = chapter_pair
    nbformat.validate(student)
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        assert "execution" not in cell.metadata
    assert student.metadata == instructor.metadata
    assert [cell.source for cell in student.cells if cell.cell_type == "code"] == [
        assignments.stub_solutions(cell.source) for cell in instructor.cells if cell.cell_type == "code"]
    assert student.cells[0].source.startswith(f"**Student notebook, chapter {int(student_path.name[:2])}.")


@each_chapter
def test_solution_and_check_cells_carry_nbgrader_metadata(chapter_pair):
    stored, _, _ = chapter_pair
    for exercise in assignments.find_exercises(stored):
        for index in exercise.solution_cells:
            cell = stored.cells[index]
            assert "solution" in cell.metadata.get("tags", []), f"{exercise.label}: solution cell without the tag"
            assert cell.metadata.get("nbgrader", {}).get("solution") is True, (
                f"{exercise.label}: solution cell {index} has no nbgrader metadata; "
                "run python -m lessons_src.assignments --stamp-nbgrader")
        check = stored.cells[exercise.check_cell].metadata.get("nbgrader", {})
        assert check.get("grade") is True and check.get("locked") is True, (
            f"{exercise.label}: check cell without nbgrader grade metadata; "
            "run python -m lessons_src.assignments --stamp-nbgrader")
    assert not assignments.stamp_nbgrader(stored), "the nbgrader metadata is stale: run --stamp-nbgrader"
    assert nbgrader_problems(stored) == []


@each_chapter
def test_a_student_working_through_the_chapter(chapter_pair, student_dir):
    instructor, student, student_path = chapter_pair
    report = work_through(student, instructor, student_dir)
    assert len(report) == len(assignments.find_exercises(instructor))


def test_labels_are_unique_across_the_book():
    labels = [exercise.label for chapter in CHAPTERS
              for exercise in assignments.find_exercises(json.loads(chapter.read_text()), chapter.name)]
    assert len(labels) == len(set(labels)), sorted(label for label in labels if labels.count(label) > 1)


def test_the_command_converts_every_chapter_and_refuses_bad_requests(tmp_path):
    before = file_hashes(BOOK)
    out = tmp_path / "student"
    result = run_command(str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"wrote {out / chapter.name}" for chapter in CHAPTERS]
    a_file = tmp_path / "a_file.ipynb"
    a_file.write_text("{}")
    for args, message in [
        ([str(BOOK)], "expected a folder outside"),
        ([str(BOOK / "student_notebooks")], "expected a folder outside"),
        (["book/../book/sub"], "expected a folder outside"),
        ([str(a_file)], "expected a folder; got the file"),
        ([str(tmp_path / "other"), "--chapters", "99_no_such_chapter"], "unknown chapter '99_no_such_chapter'"),
    ]:
        result = run_command(*args)
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)
    assert file_hashes(BOOK) == before
    assert not (BOOK / "student_notebooks").exists() and not (BOOK / "sub").exists()
    assert not (tmp_path / "other").exists()


def test_the_instructors_page_lists_exactly_the_exercises_of_the_notebooks():
    page = BOOK / assignments.INSTRUCTORS_PAGE
    expected = assignments.exercise_table(CHAPTERS, assignments.toc_files(ROOT))
    assert assignments.table_in_page(page) == expected, (
        "the table of exercises is out of date: run python -m lessons_src.assignments --update-exercise-table")


def test_the_instructors_page_gives_the_time_of_every_chapter():
    text = (BOOK / assignments.INSTRUCTORS_PAGE).read_text()
    section = text.split("## How long each chapter takes", 1)[1].split("\n## ", 1)[0]
    rows = [[column.strip() for column in line.strip("|").split("|")] for line in section.splitlines()
            if line.startswith("| [")]
    expected = []
    for chapter in CHAPTERS:
        notebook = json.loads(chapter.read_text())
        count = len(assignments.find_exercises(notebook, chapter.name))
        expected.append((f"[{assignments.chapter_name(chapter, notebook)}]({chapter.name})", str(count)))
    assert [(row[0], row[2]) for row in rows] == expected, "the table of chapter times misses a chapter"
    assert all(re.fullmatch(r"\d+ s", row[1]) for row in rows)


def check_functions():
    import lessons_src.checks as checks

    return sorted((name, function) for name, function in inspect.getmembers(checks, inspect.isfunction)
                  if name.startswith("check_"))


@pytest.mark.parametrize("name", [name for name, _ in check_functions()])
def test_each_check_rejects_a_wrong_answer_naming_the_case(name):
    check = dict(check_functions())[name]
    for wrong in [lambda *args, **kwargs: None, lambda *args, **kwargs: 0.0]:
        with pytest.raises(AssertionError, match=NAMES_A_CASE):
            check(wrong)

    def unfinished(*args, **kwargs):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        check(unfinished)


def test_every_check_function_has_an_exercise():
    used = {re.match(r"\s*(check_\w+)", exercise.check_source)[1] for chapter in CHAPTERS
            for exercise in assignments.find_exercises(json.loads(chapter.read_text()), chapter.name)}
    assert {name for name, _ in check_functions()} <= used


# ---------------------------------------------------------------------------
# Helpers


def run_command(*args):
    return subprocess.run([sys.executable, "-m", "lessons_src.assignments", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def file_hashes(folder):
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(Path(folder).rglob("*")) if path.is_file()}


def without_nbgrader(notebook):
    notebook = json.loads(json.dumps(notebook))
    for cell in notebook["cells"]:
        cell["metadata"].pop("nbgrader", None)
    return notebook


def nbgrader_problems(notebook):
    """What nbgrader (cell-metadata schema version 3, nbgrader 0.9) would reject in ``notebook``.

    nbgrader itself is not installed here: these are the rules of its
    schema and validator, written out: the allowed keys and their types,
    the required keys, a grade_id for graded/solution/locked cells (letters,
    digits, ``_`` and ``-``), points for graded cells, markdown cells graded
    only as solutions, and grade ids unique in the notebook.
    """
    types = {"schema_version": int, "grade": bool, "locked": bool, "solution": bool, "task": bool,
             "grade_id": str, "points": (int, float), "checksum": str, "cell_type": str}
    problems, seen = [], set()
    for index, cell in enumerate(notebook["cells"]):
        meta = cell["metadata"].get("nbgrader")
        if meta is None:
            continue
        where = f"cell {index}"
        problems += [f"{where}: unknown key {key!r}" for key in meta if key not in types]
        problems += [f"{where}: missing {key!r}" for key in ("schema_version", "grade", "locked", "solution")
                     if key not in meta]
        problems += [f"{where}: {key!r} is not {types[key]}" for key, value in meta.items() if key in types and (
            not isinstance(value, types[key]) or (types[key] is not bool and isinstance(value, bool)))]
        if meta.get("schema_version") != 3:
            problems.append(f"{where}: schema_version {meta.get('schema_version')!r} instead of 3")
        flagged = meta.get("grade") or meta.get("solution") or meta.get("locked")
        grade_id = meta.get("grade_id", "")
        if flagged and not grade_id:
            problems.append(f"{where}: no grade_id")
        if "grade_id" in meta and not re.fullmatch(r"[A-Za-z0-9_-]*", grade_id):
            problems.append(f"{where}: grade_id {grade_id!r} has characters other than letters, digits, _ and -")
        if meta.get("grade") and (not isinstance(meta.get("points"), (int, float)) or meta.get("points") < 0):
            problems.append(f"{where}: graded cell {grade_id!r} has no points")
        if cell["cell_type"] == "markdown" and not meta.get("task") and meta.get("grade") != meta.get("solution"):
            problems.append(f"{where}: markdown grade cell {grade_id!r} must be graded and a solution, or neither")
        if flagged and grade_id:
            if grade_id in seen:
                problems.append(f"{where}: duplicate grade_id {grade_id!r}")
            seen.add(grade_id)
    return problems


# The code a test runs in the kernel after a check has passed: the check must
# reject two wrong answers built from the right one (None, and zeros of the
# right shape), with an AssertionError that names the case.
PROBE = '''
def _probe_check(check, right):
    import re
    import numpy as np

    def zeros(value):
        if isinstance(value, np.ndarray) or hasattr(value, "zero_"):
            return value * 0
        if isinstance(value, (bool, str)):
            return type(value)()
        if isinstance(value, (int, float, np.number)):
            return type(value)(0)
        if isinstance(value, (list, tuple)):
            return type(value)(zeros(item) for item in value)
        if isinstance(value, dict):
            return {key: zeros(item) for key, item in value.items()}
        return value

    def same(a, b):
        try:
            return bool(np.all(np.asarray(a) == np.asarray(b))) and np.shape(a) == np.shape(b)
        except Exception:
            return a is b

    changed = []

    def zeroed(*args, **kwargs):
        value = right(*args, **kwargs)
        zero = zeros(value)
        if not same(value, zero):
            changed.append(True)
        return zero

    for name, wrong in [("None", lambda *args, **kwargs: None), ("zeros", zeroed)]:
        try:
            check(wrong)
        except AssertionError as error:
            if not re.search(r"\\S\\(.*\\)", str(error)):
                raise AssertionError(f"the check's message for the wrong answer {name} names no case: {error}")
        else:
            if name == "None" or changed:
                raise AssertionError(f"the check accepted the wrong answer {name}")
'''


def check_call(check_source):
    """``(check name, source of its argument)`` of the check cell's ``check_<name>(<function>)`` call."""
    for node in ast.walk(ast.parse(check_source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("check_"):
            return node.func.id, ast.get_source_segment(check_source, node.args[0])
    raise AssertionError(f"no check_<name>(<function>) call in {check_source!r}")


class CurrentPython(KernelSpecManager):
    """Kernels run in the interpreter of the tests, as with nbval's --nbval-current-env."""

    def get_kernel_spec(self, kernel_name):
        return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                      **ipykernel.kernelspec.get_kernel_dict())


def work_through(student, instructor, workdir):
    """Run ``student`` in a fresh kernel the way a student works through it; return one line per exercise.

    Every cell runs in order. At each exercise the stubbed solution cells and
    the check cell run first, as handed out: they must stop with
    NotImplementedError (and nothing else). Then the instructor's solution is
    put back into the stubs (the round trip: the restored cell must equal the
    instructor's cell) and run, and the check must pass; finally the check
    must reject wrong answers. Any other cell that fails fails the test,
    naming the cell. Cells tagged ``nbval-skip`` are skipped, as nbval does.
    """
    exercises = assignments.find_exercises(instructor)
    code_ordinal = {}  # instructor cell index -> position among the code cells
    for index, cell in enumerate(instructor.cells):
        if cell.cell_type == "code":
            code_ordinal[index] = len(code_ordinal)
    instructor_code = [cell for cell in instructor.cells if cell.cell_type == "code"]
    student_code = [cell for cell in student.cells if cell.cell_type == "code"]
    assert len(student_code) == len(instructor_code)
    by_check = {code_ordinal[exercise.check_cell]: exercise for exercise in exercises}
    solution_ordinals = {code_ordinal[index] for exercise in exercises for index in exercise.solution_cells}
    client = NotebookClient(student, timeout=CELL_TIMEOUT, km=KernelManager(kernel_spec_manager=CurrentPython()),
                            resources={"metadata": {"path": str(workdir)}})
    report = []

    def run(cell, what):
        try:
            client.execute_cell(cell, 0)
        except CellExecutionError as error:
            raise AssertionError(f"{what} failed: {error.ename}: {error.evalue}\n--- cell ---\n{cell.source}") from None

    with client.setup_kernel():
        for ordinal, cell in enumerate(student_code):
            if ordinal in solution_ordinals or "nbval-skip" in cell.metadata.get("tags", []):
                continue
            if ordinal not in by_check:
                run(cell, f"code cell {ordinal}" + (f" (after {report[-1].split(':')[0]})" if report else
                                                    " (before the first exercise)"))
                continue
            exercise = by_check[ordinal]
            stubs = [student_code[code_ordinal[index]] for index in exercise.solution_cells]
            error_name = None
            for handed_out in [*stubs, cell]:
                try:
                    client.execute_cell(handed_out, 0)
                except CellExecutionError as error:
                    error_name = f"{error.ename}: {error.evalue}"
                    break
            assert error_name == "NotImplementedError: ", (
                f"{exercise.label}: as handed out, expected NotImplementedError; got {error_name or 'no error'}")
            for index, stub in zip(exercise.solution_cells, stubs):
                restored = restore_solution(stub.source, instructor.cells[index].source)
                assert restored == instructor.cells[index].source, f"{exercise.label}: round trip changed the cell"
                run(nbformat.v4.new_code_cell(restored), f"{exercise.label}: the restored solution")
            check_cell = nbformat.v4.new_code_cell(cell.source)
            run(check_cell, f"{exercise.label}: the check with the solution put back")
            printed = "".join(output.get("text", "") for output in check_cell.outputs).strip()
            assert "cases correct" in printed, f"{exercise.label}: the check printed {printed!r}"
            name, argument = check_call(cell.source)
            run(nbformat.v4.new_code_cell(f"{PROBE}\n_probe_check({name}, {argument})"),
                f"{exercise.label}: wrong answers given to {name}")
            report.append(f"{exercise.label}: NotImplementedError, then {printed}, wrong answers rejected")
    return report


def restore_solution(stub_source, instructor_source):
    """Put the instructor's marked regions back into the stubs of ``stub_source``, in order."""
    lines = instructor_source.split("\n")
    regions = []
    begin = None
    for number, line in enumerate(lines):
        if line.strip() == BEGIN_SOLUTION:
            begin = number
        elif line.strip() == END_SOLUTION:
            regions.append(lines[begin:number + 1])
    stub_lines, restored, position = stub_source.split("\n"), [], 0
    regions = iter(regions)
    while position < len(stub_lines):
        line = stub_lines[position]
        if line.strip() == "# YOUR CODE HERE" and stub_lines[position + 1].strip() == "raise NotImplementedError()":
            restored.extend(next(regions))
            position += 2
        else:
            restored.append(line)
            position += 1
    return "\n".join(restored)
