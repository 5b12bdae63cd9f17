"""The machinery of lessons_src.assignments on a small synthetic chapter: fast, including what must be refused."""

import json
import re

import nbformat
import pytest
from assignment_helpers import file_hashes, run_command, run_main
from nbformat.v4 import new_markdown_cell
from nbgrader_rules import nbgrader_problems, without_nbgrader
from notebook_kernel import work_through
from synthetic import synthetic_chapter

from lessons_src import assignments
from lessons_src.assignments import BEGIN_SOLUTION, END_SOLUTION, ExerciseFormatError


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
        result = run_main(*args, "--book-dir", str(synthetic_book))
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
                          nbformat.read(synthetic_book / "01_doubling.ipynb", as_version=4), tmp_path / "out",
                          setup=[f"from lessons_src.checks import _guard\n_guard.use_book({str(synthetic_book)!r})"],
                          rerun=True)
    assert report.labels == ["ex-double", "ex-table"]
    double, table = report.exercises["ex-double"], report.exercises["ex-table"]
    assert double["handed_out"].startswith("NotImplementedError: double is not written yet: replace")
    assert table["handed_out"] == "NotImplementedError: "            # a stub at the top level raises itself
    assert double["cleared"] == "NameError: name 'double' is not defined"
    assert table["cleared"] == "NameError: name 'table' is not defined"
    assert double["syntax_error"].startswith("SyntaxError: unmatched ')'")
    assert table["syntax_error"].startswith("SyntaxError: unmatched ')'")
    assert (double["round_trip"], table["round_trip"]) == (True, True)
    assert (double["solution"], table["solution"]) == ("double: 3 of 3 cases correct", "table: 1 of 1 cases correct")
    assert (double["wrong_answers"], table["wrong_answers"]) == (None, None)
    assert report.guard["made_to_fail"] == "RuntimeError: made to fail by the test"
    assert report.guard["refused"].startswith("AssertionError: double: not graded. A cell that is not part of any "
                                              "exercise failed (RuntimeError in the cell that begins "
                                              "`print(np.arange(3))`)")
    assert report.guard["after_clean_run"] == "double: 3 of 3 cases correct"


def test_working_through_shows_a_chapter_whose_answers_could_be_skipped(synthetic_book, tmp_path):
    """A non-exercise cell that binds an exercise's name, and a stub that does not raise: both show in the report."""
    instructor = nbformat.read(synthetic_book / "01_doubling.ipynb", as_version=4)
    instructor.cells[2].source = "print(np.arange(3))\ndouble = lambda x: x + x"   # as a chapter's import would
    student = assignments.make_student_notebook(instructor, "01_doubling.ipynb")
    stub = next(cell for cell in student.cells if cell.get("id") == instructor.cells[10].id)
    stub.source = "squares = {'one': 1, 'two': 4}\ntable = lambda: squares"  # answers, does not raise
    report = work_through(student, instructor, tmp_path, guard=False)
    assert report.exercises["ex-double"]["cleared"] == "double: 3 of 3 cases correct"
    assert report.exercises["ex-table"]["handed_out"] == "table: 1 of 1 cases correct"
    assert report.guard is None


def test_a_cell_that_shows_an_answer_becomes_a_note():
    instructor = synthetic_chapter()
    instructor.cells.insert(3, nbformat.v4.new_code_cell("show_source(double)", metadata={"tags": ["shows-answer"]}))
    instructor.cells.insert(4, nbformat.v4.new_markdown_cell("def double(x): return x + x",
                                                             metadata={"tags": ["shows-answer"]}))
    instructor.cells[3].id, instructor.cells[4].id = "shows-code", "shows-text"
    student = assignments.make_student_notebook(instructor, "01_doubling.ipynb")
    notes = [cell for cell in student.cells if cell.get("id") in ("shows-code", "shows-text")]
    assert [(cell.cell_type, cell.source) for cell in notes] == [
        ("markdown", "*Left out of the student notebook: here the book shows the code of `double`, which would give "
                     "away the answer to an exercise of this chapter. Write your own in the exercise below.*"),
        ("markdown", "*Left out of the student notebook: here the book shows code, which would give away the answer "
                     "to an exercise of this chapter. Write your own in the exercise below.*")]
    assert not any("show_source" in cell.source or "x + x" in cell.source for cell in student.cells)
    assert assignments.shown_names("from x import show_source\nshow_source(rnn_step)\nshow.show_source(m.f, 3)") == [
        "rnn_step", "m.f"]
    instructor.cells[7].metadata["tags"].append("shows-answer")   # the solution cell itself: a mistake
    with pytest.raises(ExerciseFormatError, match="a solution cell cannot be tagged 'shows-answer'"):
        assignments.make_student_notebook(instructor, "01_doubling.ipynb")


def test_for_nbgrader_the_solutions_stay_and_everything_else_is_as_for_students(synthetic_book, tmp_path):
    result = run_main(str(tmp_path / "source" / "ch01"), "--for-nbgrader", "--book-dir", str(synthetic_book))
    assert result.returncode == 0, result.stderr
    written = nbformat.read(tmp_path / "source" / "ch01" / "01_doubling.ipynb", as_version=4)
    instructor = synthetic_chapter()
    student = assignments.make_student_notebook(instructor, "01_doubling.ipynb")
    assert [cell.source for cell in written.cells] == [
        instructor.cells[10].source if cell.get("id") == "cell-10" else
        instructor.cells[5].source if cell.get("id") == "cell-5" else cell.source for cell in student.cells]
    assert sum(BEGIN_SOLUTION in cell.source for cell in written.cells) == 2
    assert all(cell.get("outputs", []) == [] for cell in written.cells)
    result = run_main("--for-nbgrader", "--stamp-nbgrader", "--book-dir", str(synthetic_book))
    assert result.returncode == 2 and "--for-nbgrader: expected OUT_DIR" in result.stderr
