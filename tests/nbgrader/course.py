"""An nbgrader course in a temporary folder, built and graded the way the instructors' page says.

The configuration is the one the page recommends (the ``python`` block after
``<!-- nbgrader-config -->`` in book/instructors.md), so the page and this test
cannot drift apart. nbgrader runs as a command, in the interpreter of the tests.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from lessons_src import assignments
from lessons_src.assignments import BEGIN_SOLUTION, END_SOLUTION

ROOT = Path(__file__).resolve().parent.parent.parent
BOOK = ROOT / "book"
CONFIG_MARKER = "<!-- nbgrader-config -->"


def recommended_config():
    """The ``nbgrader_config.py`` of the instructors' page."""
    page = (BOOK / assignments.INSTRUCTORS_PAGE).read_text(encoding="utf-8")
    match = re.search(re.escape(CONFIG_MARKER) + r"\s*```python\n(.*?)```", page, flags=re.DOTALL)
    assert match, f"book/instructors.md: no ```python block after {CONFIG_MARKER}"
    return match[1]


def nbgrader(course, *args, env=None, timeout=900):
    """Run ``nbgrader ARGS`` in ``course``; return the finished process (it must succeed)."""
    environment = dict(os.environ, **(env or {}))
    # nbgrader runs its database migrations with the `alembic` command installed beside it
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=environment,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    return result


def make_course(folder, chapter, assignment):
    """A course in ``folder`` with ``chapter`` as ``assignment``: config, source copy (the book's command), release."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text(recommended_config(), encoding="utf-8")
    command = [sys.executable, "-m", "lessons_src.assignments", str(folder / "source" / assignment), "--for-nbgrader",
               "--chapters", chapter.name]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    nbgrader(folder, "generate_assignment", assignment, "--force")
    return folder


def submit(course, student, assignment, notebook_name, notebook_text):
    target = course / "submitted" / student / assignment
    target.mkdir(parents=True, exist_ok=True)
    (target / notebook_name).write_text(notebook_text, encoding="utf-8")


def with_one_wrong_answer(source_text, exercise):
    """The instructor's notebook with the regions of ``exercise``'s solution cells replaced by a wrong answer."""
    notebook = json.loads(source_text)
    for index in exercise_cells(notebook, exercise.label):
        lines = "".join(notebook["cells"][index]["source"]).split("\n")
        out, inside = [], False
        for line in lines:
            if line.strip() == BEGIN_SOLUTION:
                inside = True
                indent = line[: len(line) - len(line.lstrip())]
                out.append(indent + ("return None" if indent else "pass") + "  # a wrong answer")
            elif line.strip() == END_SOLUTION:
                inside = False
            elif not inside:
                out.append(line)
        notebook["cells"][index]["source"] = "\n".join(out)
    return json.dumps(notebook, indent=1)


def exercise_cells(notebook, label):
    """The indices of the solution cells of ``label`` in a course notebook (found by nbgrader's grade ids)."""
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", label) + "-solution"
    return [index for index, cell in enumerate(notebook["cells"])
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").startswith(prefix)]


def scores(course, assignment, student):
    """``(score, max score, {grade_id: score})`` of a graded submission, read from the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(assignment, student)
        grades = {grade.name: grade.score for notebook in submission.notebooks for grade in notebook.grades}
        return submission.score, submission.max_score, grades


def slow_cell_startup(ipython_dir, source, seconds=600):
    """An IPython profile whose kernels run the cell ``source`` as a ``time.sleep(seconds)`` instead: a cell
    that never ends in time (set IPYTHONDIR to ``ipython_dir`` for the grading run)."""
    startup = Path(ipython_dir) / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-slow-cell.py").write_text(
        f"_SLOW = {source.strip()!r}\n"
        "def _slow(lines):\n"
        "    if ''.join(lines).strip() != _SLOW:\n"
        "        return lines\n"
        f"    return ['import time\\n', 'time.sleep({seconds})\\n']\n"
        "get_ipython().input_transformers_cleanup.append(_slow)\n", encoding="utf-8")
    return ipython_dir


def clean(course):
    shutil.rmtree(course, ignore_errors=True)
