"""Student notebooks without solutions, nbgrader metadata, and the table of exercises.

The chapters follow one exercise convention (``convention``; see
CONTRIBUTING.md). This package reads it and

- writes student notebooks (``students``; ``python -m lessons_src.assignments OUT_DIR``);
- stamps nbgrader metadata on the chapters (``nbgrader``; ``--stamp-nbgrader``);
- regenerates the table of exercises on the "For instructors" page
  (``table``; ``--update-exercise-table``).

The command itself is ``__main__``. The student-notebook command never writes under ``book/``.
"""

from .convention import (BEGIN_SOLUTION, BOOK_DIR, CHAPTER_PATTERN, END_SOLUTION, STUB_LINES, Exercise,
                         ExerciseFormatError, cell_source, chapter_name, chapter_title, find_chapters, find_exercises,
                         solution_lines, stub_solutions)
from .nbgrader import NBGRADER_SCHEMA_VERSION, nbgrader_metadata, stamp_nbgrader, stamp_notebook_file
from .students import make_student_notebook, write_student_notebooks
from .table import (INSTRUCTORS_PAGE, TABLE_END, TABLE_START, exercise_table, table_in_page, task_summary, toc_files,
                    update_exercise_table)
