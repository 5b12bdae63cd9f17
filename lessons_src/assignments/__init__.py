"""Student notebooks without solutions, nbgrader metadata, and the table of exercises.

The chapters follow one exercise convention (``convention``; see
CONTRIBUTING.md). This package reads it and

- writes student notebooks (``students``; ``python -m lessons_src.assignments OUT_DIR``);
- stamps nbgrader metadata on the chapters (``nbgrader``; ``--stamp-nbgrader``);
- regenerates the table of exercises on the "For instructors" page
  (``table``; ``--update-exercise-table``).

The command itself is ``__main__``. No tool of this package writes into ``book/``
(``safe_paths``). The names below load their module on first use, so that
``lessons_src.assignments.convention`` can be imported without nbformat (the
exercise checks read the chapters through it).
"""

import importlib

_EXPORTS = {
    "convention": ["BEGIN_SOLUTION", "BOOK_DIR", "CHAPTER_PATTERN", "END_SOLUTION", "STUB_LINES", "Exercise",
                   "ExerciseFormatError", "cell_source", "chapter_name", "chapter_title", "find_chapters",
                   "find_exercises", "solution_lines", "stub_solutions"],
    "nbgrader": ["NBGRADER_SCHEMA_VERSION", "nbgrader_metadata", "stamp_nbgrader", "stamp_notebook_file"],
    "students": ["SHOWS_ANSWER", "make_student_notebook", "shown_names", "write_student_notebooks"],
    "safe_paths": ["UnsafeTargetError", "check_targets", "write_files"],
    "table": ["INSTRUCTORS_PAGE", "TABLE_END", "TABLE_START", "exercise_table", "table_in_page", "task_summary",
              "toc_files", "update_exercise_table"],
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name):
    if name in _MODULE_OF:
        return getattr(importlib.import_module(f".{_MODULE_OF[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
