"""Checks refuse to grade a notebook whose non-exercise cells did not all run.

A chapter's cells that are not part of an exercise never use a name an answer
defines, so in a run from the top they succeed whatever the student wrote.
When one of them fails anyway (an error, or a timeout: nbgrader interrupts a
cell that runs too long), the exercises after it are not graded on the
chapter as written, and a check that passed anyway would hand out marks
silently.

So, when ``lessons_src.checks`` is imported inside IPython (a Jupyter kernel:
JupyterLab, nbgrader, nbval), a ``post_run_cell`` hook records every cell that
raises (an interrupt included) and forgets it when the same cell later runs
without error. ``require_clean_run``, called by every check before it grades,
raises AssertionError while a recorded cell is one of the chapters'
non-exercise code cells: a code cell of ``book/NN_*.ipynb`` that is neither a
solution cell nor a check cell nor tagged ``raises-exception``, compared by
its source. Answer and check cells, and cells a student added, may fail
without stopping the other checks. Outside IPython nothing is recorded.
"""

import json
import sys

_failed = {}          # a failed cell's source (stripped) -> the name of its exception, in the order they failed
_book_dir = None      # None: the book's own folder (lessons_src.assignments.BOOK_DIR)
_non_exercise = None  # cache: the stripped sources of the chapters' non-exercise code cells


def install():
    """Register the hook in the running IPython shell, once; do nothing outside IPython."""
    ipython = sys.modules.get("IPython")  # not imported: not inside IPython (and no need to load it)
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    callbacks = shell.events.callbacks["post_run_cell"]
    if not any(getattr(callback, "__qualname__", "") == after_cell.__qualname__
               and getattr(callback, "__module__", "") == __name__ for callback in callbacks):
        shell.events.register("post_run_cell", after_cell)
    return True


def after_cell(result):
    """The hook: record the cell of ``result`` (an IPython ExecutionResult) if it failed, forget it if not."""
    info = getattr(result, "info", None)
    source = (getattr(info, "raw_cell", None) or "").strip()
    if not source:
        return
    error = result.error_before_exec or result.error_in_exec
    if error is None:
        _failed.pop(source, None)
    else:
        _failed.pop(source, None)
        _failed[source] = type(error).__name__


def failed_cells():
    """``{source: exception name}`` of the cells that failed and have not run cleanly since."""
    return dict(_failed)


def require_clean_run(name):
    """Raise AssertionError, naming the exercise ``name``, if a non-exercise cell of the chapter failed."""
    if not _failed:
        return
    cells = non_exercise_cells()
    for source, error in _failed.items():
        if source in cells:
            first_line = source.splitlines()[0].strip()
            first_line = first_line if len(first_line) <= 70 else first_line[:67] + "..."
            raise AssertionError(
                f"{name}: not graded. A cell that is not part of any exercise failed ({error} in the cell that "
                f"begins `{first_line}`), so the notebook did not run as the book does. Run the whole notebook "
                "again from the top (Kernel > Restart Kernel and Run All Cells); if that cell fails again, tell "
                "your instructor")


def use_book(book_dir=None):
    """Compare failed cells with the chapters of ``book_dir`` (None: the book's own); for tests."""
    global _book_dir, _non_exercise
    _book_dir, _non_exercise = book_dir, None


def forget():
    """Forget every recorded failure (for tests)."""
    _failed.clear()


def non_exercise_cells():
    """The stripped sources of the code cells of the chapters that belong to no exercise (cached)."""
    global _non_exercise
    if _non_exercise is None:
        from ..assignments.convention import BOOK_DIR, cell_source, find_chapters, find_exercises

        sources = set()
        for path in find_chapters(BOOK_DIR if _book_dir is None else _book_dir):
            notebook = json.loads(path.read_text(encoding="utf-8"))
            exercise_cells = {index for exercise in find_exercises(notebook, path.name)
                              for index in (*exercise.solution_cells, exercise.check_cell)}
            for index, cell in enumerate(notebook["cells"]):
                if cell["cell_type"] == "code" and index not in exercise_cells \
                        and "raises-exception" not in cell.get("metadata", {}).get("tags", []):
                    sources.add(cell_source(cell).strip())
        _non_exercise = frozenset(sources - {""})
    return _non_exercise


install()
