"""nbgrader 0.9.6, really run, on every chapter: generate_assignment, then autograde three submissions.

Not part of the README's test command (tests/nbgrader is in pytest's ``norecursedirs``): it needs nbgrader
(``requirements-instructors.txt``) and runs every chapter three times. ``.ci/run`` runs it as

    python -m pytest -n 2 --dist loadfile tests/nbgrader

For each chapter, a course in a temporary folder (the configuration of the instructors' page), the chapter's
source copy made by ``python -m lessons_src.assignments --for-nbgrader``, ``nbgrader generate_assignment``, and
``nbgrader autograde`` of three submissions: the instructor's solutions (full marks), the released notebook
untouched (0), and the solutions with the first exercise answered wrong (full marks minus that exercise's
points). For the first chapter also a grading run in which a non-exercise cell times out: the checks after it
refuse to grade, so the submission does not get full marks.
"""

import json
import os

import pytest

from lessons_src import assignments

try:
    import nbgrader.api  # noqa: F401
except ImportError:
    if os.environ.get("CI") == "true":   # in CI the test must run
        raise
    pytest.skip("nbgrader is not installed: python -m pip install -r requirements-instructors.txt",
                allow_module_level=True)

from course import BOOK, make_course, nbgrader, scores, slow_cell_startup, submit, with_one_wrong_answer  # noqa: E402

CHAPTERS = assignments.find_chapters(BOOK)
each_chapter = pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])


def points_of(notebook):
    """``{exercise label: points}`` from the check cells' nbgrader metadata, in order."""
    return {exercise.label: notebook["cells"][exercise.check_cell]["metadata"]["nbgrader"]["points"]
            for exercise in assignments.find_exercises(notebook)}


@each_chapter
def test_autograde_gives_full_marks_zero_and_full_minus_one_exercise(chapter, tmp_path):
    assignment = f"ch{chapter.name[:2]}"
    course = make_course(tmp_path / "course", chapter, assignment)
    source_text = (course / "source" / assignment / chapter.name).read_text(encoding="utf-8")
    release_text = (course / "release" / assignment / chapter.name).read_text(encoding="utf-8")
    points = points_of(json.loads(chapter.read_text(encoding="utf-8")))
    first = assignments.find_exercises(json.loads(chapter.read_text(encoding="utf-8")))[0]
    submit(course, "solved", assignment, chapter.name, source_text)
    submit(course, "untouched", assignment, chapter.name, release_text)
    submit(course, "one-wrong", assignment, chapter.name, with_one_wrong_answer(source_text, first))
    nbgrader(course, "autograde", assignment, "--create")

    total = sum(points.values())
    check_id = {label: f"{label}-check" for label in points}
    solved, max_score, solved_grades = scores(course, assignment, "solved")
    assert (solved, max_score) == (total, total), solved_grades
    untouched, _, untouched_grades = scores(course, assignment, "untouched")
    assert untouched == 0, untouched_grades
    wrong, _, wrong_grades = scores(course, assignment, "one-wrong")
    assert wrong == total - points[first.label], wrong_grades
    assert wrong_grades[check_id[first.label]] == 0
    assert all(wrong_grades[check_id[label]] == points[label] for label in points if label != first.label)


def test_a_non_exercise_cell_that_times_out_costs_the_marks_of_the_checks_after_it(tmp_path):
    chapter = CHAPTERS[0]
    assignment = "ch01"
    notebook = json.loads(chapter.read_text(encoding="utf-8"))
    exercises = assignments.find_exercises(notebook)
    exercise_cells = {index for exercise in exercises for index in (*exercise.solution_cells, exercise.check_cell)}
    first_check = exercises[0].check_cell
    slow = max(index for index, cell in enumerate(notebook["cells"][:first_check])
               if cell["cell_type"] == "code" and index not in exercise_cells)
    course = make_course(tmp_path / "course", chapter, assignment)
    submit(course, "slow", assignment, chapter.name,
           (course / "source" / assignment / chapter.name).read_text(encoding="utf-8"))
    ipython_dir = slow_cell_startup(tmp_path / "ipython", "".join(notebook["cells"][slow]["source"]))
    result = nbgrader(course, "autograde", assignment, "--create", "--Execute.timeout=20",
                      env={"IPYTHONDIR": str(ipython_dir)})
    assert "Interrupting kernel" in result.stderr, result.stderr[-2000:]

    points = points_of(notebook)
    score, total, grades = scores(course, assignment, "slow")
    before = sum(points[e.label] for e in exercises if e.check_cell < slow)
    assert score == before < total, grades
    graded = json.loads((course / "autograded" / "slow" / assignment / chapter.name).read_text(encoding="utf-8"))
    refusals = [output["evalue"] for cell in graded["cells"] if cell["cell_type"] == "code"
                for output in cell.get("outputs", []) if output.get("ename") == "AssertionError"]
    assert len(refusals) == len([e for e in exercises if e.check_cell > slow])
    assert all("not graded. A cell that is not part of any exercise failed (KeyboardInterrupt" in refusal
               for refusal in refusals), refusals
    nbgrader(course, "generate_feedback", assignment)
    feedback = (course / "feedback" / "slow" / assignment / chapter.name.replace(".ipynb", ".html")).read_text()
    assert "not graded" in feedback
