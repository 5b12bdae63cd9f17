"""Every chapter's student notebook worked through in a fresh kernel, and every exercise of it tried.

Each chapter runs once, in one kernel, with the cells its exercises need (``notebook_kernel.work_through``; cached
for the tests of that chapter, which pytest-xdist keeps on one worker: see
``pytest_xdist_make_scheduler`` in tests/conftest.py). The exercises are read
from the notebooks, so a new chapter or exercise is covered without a change here.
"""

import json

import nbformat
import pytest
from assignment_helpers import BOOK, CHAPTERS
from notebook_kernel import work_through

from lessons_src import assignments

EXERCISES = [(chapter, exercise.label) for chapter in CHAPTERS
             for exercise in assignments.find_exercises(json.loads(chapter.read_text()), chapter.name)]
each_chapter = pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
each_exercise = pytest.mark.parametrize("chapter, label", EXERCISES,
                                        ids=[f"{chapter.stem}:{label}" for chapter, label in EXERCISES])

_RUNS = {}


@pytest.fixture
def run_of(tmp_path_factory):
    """``run_of(chapter)``: the Report of the chapter's student notebook worked through (once per worker)."""
    def run(chapter):
        if chapter not in _RUNS:
            folder = tmp_path_factory.mktemp(f"student_{chapter.stem}")
            (student_path,) = assignments.write_student_notebooks(folder, [chapter], BOOK)
            _RUNS[chapter] = work_through(nbformat.read(student_path, as_version=4),
                                          nbformat.read(chapter, as_version=4), folder)
        return _RUNS[chapter]

    return run


@each_chapter
def test_the_student_notebook_runs_and_every_exercise_is_tried(chapter, run_of):
    report = run_of(chapter)
    labels = [exercise.label for exercise in assignments.find_exercises(json.loads(chapter.read_text()))]
    assert report.labels == labels, "\n".join(report.lines())


@each_exercise
def test_as_handed_out_the_exercise_stops_with_not_implemented_error(chapter, label, run_of):
    handed_out = run_of(chapter).exercises[label]["handed_out"]
    assert handed_out and handed_out.startswith("NotImplementedError"), handed_out


@each_exercise
def test_a_cleared_answer_cell_fails_the_check(chapter, label, run_of):
    cleared = run_of(chapter).exercises[label]["cleared"]
    assert cleared and "cases correct" not in cleared and not cleared.startswith("NotImplementedError"), (
        f"{label}: with its answer cell cleared the check gave {cleared!r}")


@each_exercise
def test_an_answer_with_a_syntax_error_fails_the_check(chapter, label, run_of):
    broken = run_of(chapter).exercises[label]["syntax_error"]
    assert broken and broken.startswith("SyntaxError"), f"{label}: with a syntax error the answer gave {broken!r}"


@each_exercise
def test_the_solution_put_back_passes_the_check(chapter, label, run_of):
    tries = run_of(chapter).exercises[label]
    assert tries["round_trip"], f"{label}: putting the solution back into the stubs does not give the solution"
    assert "cases correct" in tries["solution"], f"{label}: the check gave {tries['solution']!r}"


@each_exercise
def test_the_check_rejects_two_wrong_answers_naming_the_case(chapter, label, run_of):
    assert run_of(chapter).exercises[label]["wrong_answers"] is None, run_of(chapter).exercises[label]["wrong_answers"]


@each_chapter
def test_after_a_failed_non_exercise_cell_the_checks_refuse_to_grade(chapter, run_of):
    guard = run_of(chapter).guard
    assert guard["made_to_fail"].startswith("RuntimeError: made to fail by the test"), guard
    assert guard["refused"].startswith("AssertionError: ") and "not graded" in guard["refused"], guard
