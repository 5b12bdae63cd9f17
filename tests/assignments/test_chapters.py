"""lessons_src.assignments on every chapter found in book/ (NN_*.ipynb, discovered, never listed by hand).

Nothing here executes a notebook: test_working_through.py works through each student notebook in a kernel.
"""

import inspect
import json
import re

import nbformat
import pytest
from assignment_helpers import BOOK, CHAPTERS, ROOT, file_hashes, run_command, run_main
from cell_dependencies import CellCode, needed_cells
from nbgrader_rules import nbgrader_problems
from notebook_kernel import check_call
from student_code import student_function

from lessons_src import assignments

NAMES_A_CASE = r"\S\(.*\)"  # a failing check's message shows the call, e.g. one_hot_encode(0, 4) or <lambda>(4, 8)


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
        assignments.stub_solutions(cell.source) for cell in instructor.cells
        if cell.cell_type == "code" and assignments.SHOWS_ANSWER not in cell.metadata.get("tags", [])]
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


def test_labels_are_unique_across_the_book():
    labels = [exercise.label for chapter in CHAPTERS
              for exercise in assignments.find_exercises(json.loads(chapter.read_text()), chapter.name)]
    assert len(labels) == len(set(labels)), sorted(label for label in labels if labels.count(label) > 1)


def test_the_command_converts_every_chapter_and_refuses_bad_requests(tmp_path, monkeypatch):
    before = file_hashes(BOOK)
    out = tmp_path / "student"
    result = run_command(str(out))   # once as a reader runs it, in a new process
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"wrote {out / chapter.name}" for chapter in CHAPTERS]
    a_file = tmp_path / "a_file.ipynb"
    a_file.write_text("{}")
    monkeypatch.chdir(ROOT)
    for args, message in [
        ([str(BOOK)], "expected a folder outside"),
        ([str(BOOK / "student_notebooks")], "expected a folder outside"),
        (["book/../book/sub"], "expected a folder outside"),
        ([str(a_file)], "expected a folder; got the file"),
        ([str(tmp_path / "other"), "--chapters", "99_no_such_chapter"], "unknown chapter '99_no_such_chapter'"),
    ]:
        result = run_main(*args)
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
    """The table of times (scripts/time_chapters.py --update-page) has a row for every chapter, in order."""
    text = (BOOK / assignments.INSTRUCTORS_PAGE).read_text()
    section = text.split("<!-- chapter-times:start", 1)[1].split("<!-- chapter-times:end -->", 1)[0]
    rows = [[column.strip() for column in line.strip().strip("|").split("|")] for line in section.splitlines()
            if line.startswith("| [")]
    expected = []
    for chapter in CHAPTERS:
        notebook = json.loads(chapter.read_text())
        count = len(assignments.find_exercises(notebook, chapter.name))
        expected.append((f"[{assignments.chapter_name(chapter, notebook)}]({chapter.name})", str(count)))
    assert [(row[0], row[3]) for row in rows] == expected, (
        "the table of chapter times misses a chapter: run python scripts/time_chapters.py --update-page")
    assert all(re.fullmatch(r"\d+(\.\d)? s", row[1]) and re.fullmatch(r"\d+(\.\d)? s", row[2]) for row in rows)
    assert "Measured by `python scripts/time_chapters.py`" in section and "load average" in section


def check_functions():
    import lessons_src.checks as checks

    return sorted((name, function) for name, function in inspect.getmembers(checks, inspect.isfunction)
                  if name.startswith("check_"))


@pytest.mark.parametrize("name", [name for name, _ in check_functions()])
def test_each_check_rejects_a_wrong_answer_naming_the_case(name):
    check = dict(check_functions())[name]
    for returned in ["None", "0.0"]:
        with pytest.raises(AssertionError, match=NAMES_A_CASE):
            check(student_answer(check, f"return {returned}"))
    with pytest.raises(NotImplementedError, match="not written yet"):
        check(student_answer(check, "raise NotImplementedError()"))


def student_answer(check, body):
    """A student's function whose body is ``body``, or, if the check asks for a class, a class whose calls do it."""
    function = student_function(f"def answer(*args, **kwargs):\n    {body}")
    try:
        check(function)
    except TypeError as error:
        if "expected your class" in str(error):
            return student_function(f"class Answer:\n    def __init__(self, *args, **kwargs):\n        {body}\n"
                                    f"    def __call__(self, *args, **kwargs):\n        {body}\n")
    except (AssertionError, NotImplementedError):
        pass
    return function


def test_every_check_function_has_an_exercise():
    used = {re.match(r"\s*(check_\w+)", exercise.check_source)[1] for chapter in CHAPTERS
            for exercise in assignments.find_exercises(json.loads(chapter.read_text()), chapter.name)}
    assert {name for name, _ in check_functions()} <= used


def asked_names(notebook):
    """The names a chapter's exercises ask for: what the solutions define, and what the checks are given."""
    asked = set()
    for exercise in assignments.find_exercises(notebook):
        for index in exercise.solution_cells:
            asked |= {name for name in CellCode(cell_text(notebook, index)).binds if not name.startswith("_")}
        asked.add(check_call(exercise.check_source)[1].split(".")[-1])
    return asked


def cell_text(notebook, index):
    source = notebook["cells"][index]["source"]
    return "".join(source) if isinstance(source, list) else source


# Chapters that do not follow a rule yet, each with the helper who owns the notebook. Strict: once the chapter
# is fixed the test passes unexpectedly and fails, so the entry must go.
NOT_YET = {
    "test_no_student_notebook_shows_the_code_an_exercise_asks_for": {
    },
}


def not_yet(test_name):
    """``each_chapter`` for ``test_name``, with a strict xfail for the chapters listed in NOT_YET."""
    waiting = NOT_YET.get(test_name, {})
    return pytest.mark.parametrize("chapter_pair", [
        pytest.param(path, id=path.stem, marks=[pytest.mark.xfail(strict=True, reason=waiting[path.stem])]
                     if path.stem in waiting else []) for path in CHAPTERS], indirect=True)


@not_yet("test_no_student_notebook_shows_the_code_an_exercise_asks_for")
def test_no_student_notebook_shows_the_code_an_exercise_asks_for(chapter_pair):
    """Neither ``show_source`` of an exercise's function nor its definition, outside the exercise's own stub."""
    instructor, student, _ = chapter_pair
    exercises = assignments.find_exercises(instructor)
    asked = asked_names(instructor)
    stubs = {assignments.stub_solutions(instructor.cells[index].source)
             for exercise in exercises for index in exercise.solution_cells}
    for number, cell in enumerate(student.cells):
        shown = {name.split(".")[-1] for name in assignments.shown_names(cell.source)} if cell.cell_type == "code" else set()
        assert not shown & asked, f"student cell {number} shows the source of {sorted(shown & asked)}: tag it shows-answer"
        if cell.source in stubs:
            continue
        defined = re.findall(r"^\s*(?:def|class)\s+(\w+)", cell.source, flags=re.MULTILINE)
        assert not set(defined) & asked, (f"student cell {number} defines {sorted(set(defined) & asked)}, which an "
                                          f"exercise asks for: tag it shows-answer\n{cell.source[:300]}")


@not_yet("test_no_chapter_binds_a_name_an_exercise_asks_for_outside_the_exercise")
def test_no_chapter_binds_a_name_an_exercise_asks_for_outside_the_exercise(chapter_pair):
    """No import of it, no definition, no assignment: a cleared answer cell must leave the name unbound."""
    instructor, _, _ = chapter_pair
    asked = asked_names(instructor)
    for index, source in cells_outside_the_exercises(instructor):
        bound = CellCode(source).binds & asked
        assert not bound, f"cell {index} binds {sorted(bound)}, which an exercise asks the student to write"


@not_yet("test_no_cell_outside_an_exercise_uses_its_answer")
def test_no_cell_outside_an_exercise_uses_its_answer(chapter_pair):
    """A wrong or missing answer costs only its own exercise: no other cell calls or reads what it asks for."""
    instructor, _, _ = chapter_pair
    asked = asked_names(instructor)
    for index, source in cells_outside_the_exercises(instructor):
        reads = CellCode(source).reads
        assert not reads & asked, (f"cell {index} uses {sorted(reads & asked)}, which an exercise asks the "
                                   f"student to write: a wrong answer would break this cell too")


TRAINING = re.compile(r"\btrain(_torch|_tbptt)?\(")


@not_yet("test_no_exercise_needs_a_cell_that_trains_a_model")
def test_no_exercise_needs_a_cell_that_trains_a_model(chapter_pair):
    """The checks grade on cases of their own: a student need not wait for a training run before an exercise, and the
    student-notebook tests, which run only what the exercises need, do not train again what nbval trains."""
    instructor, _, _ = chapter_pair
    needed = needed_cells(instructor, assignments.find_exercises(instructor))
    training = [index for index, source in cells_outside_the_exercises(instructor) if TRAINING.search(source)]
    assert not set(training) & needed, (f"the exercises need cells {sorted(set(training) & needed)}, which train a "
                                        "model (tests/assignments/cell_dependencies.py says why)")


def cells_outside_the_exercises(notebook):
    """``(index, source)`` of every code cell that is neither a solution cell nor a check cell."""
    exercise_cells = {index for exercise in assignments.find_exercises(notebook)
                      for index in (*exercise.solution_cells, exercise.check_cell)}
    return [(index, cell.source) for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and index not in exercise_cells]
