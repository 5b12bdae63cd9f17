"""nbgrader metadata on the chapters' solution and check cells (``--stamp-nbgrader``).

Solution cells become nbgrader "autograded answer" cells and check cells
"autograder tests" cells; nothing but those cells' metadata changes.
"""

import json
import re
from pathlib import Path

from .convention import ExerciseFormatError, as_path, find_exercises

NBGRADER_SCHEMA_VERSION = 3  # the cell-metadata schema of nbgrader 0.9


def nbgrader_metadata(notebook, name="notebook"):
    """The nbgrader metadata each cell of ``notebook`` should carry: ``{cell index: metadata}``.

    A solution cell is an nbgrader "autograded answer" (solution, not graded,
    not locked); a check cell is an "autograder tests" cell (graded, locked,
    1 point unless the cell already gives other points). The grade ids derive
    from the exercise labels: ``<label>-solution`` and ``<label>-check``.
    """
    wanted = {}
    for exercise in find_exercises(notebook, name):
        grade_id = re.sub(r"[^A-Za-z0-9_-]", "-", exercise.label)
        for number, index in enumerate(exercise.solution_cells, start=1):
            suffix = "" if len(exercise.solution_cells) == 1 else f"-{number}"
            wanted[index] = {"grade": False, "grade_id": f"{grade_id}-solution{suffix}", "locked": False,
                             "schema_version": NBGRADER_SCHEMA_VERSION, "solution": True}
        points = notebook["cells"][exercise.check_cell].get("metadata", {}).get("nbgrader", {}).get("points", 1)
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
            points = 1
        wanted[exercise.check_cell] = {"grade": True, "grade_id": f"{grade_id}-check", "locked": True,
                                       "points": points, "schema_version": NBGRADER_SCHEMA_VERSION,
                                       "solution": False}
    grade_ids = [metadata["grade_id"] for metadata in wanted.values()]
    duplicates = sorted({grade_id for grade_id in grade_ids if grade_ids.count(grade_id) > 1})
    if duplicates:
        raise ExerciseFormatError(f"{name}: labels that give the same nbgrader grade_id: {duplicates}")
    return wanted


def stamp_nbgrader(notebook, name="notebook"):
    """Set the nbgrader metadata of ``notebook``'s cells in place; return True if anything changed.

    Solution and check cells get the metadata of ``nbgrader_metadata``; any
    other cell loses stale nbgrader metadata. Nothing else is touched.
    """
    wanted = nbgrader_metadata(notebook, name)
    changed = False
    for index, cell in enumerate(notebook["cells"]):
        metadata = cell.setdefault("metadata", {})
        if index in wanted:
            if metadata.get("nbgrader") != wanted[index]:
                metadata["nbgrader"] = wanted[index]
                changed = True
        elif "nbgrader" in metadata:
            del metadata["nbgrader"]
            changed = True
    return changed


def stamp_notebook_file(path):
    """Stamp the nbgrader metadata of the notebook file at ``path``; return True if the file changed.

    The file is read and written as plain JSON, formatted as nbformat writes
    it, so outputs, ids and every other field stay exactly as they were.
    """
    path = as_path("path", path)
    if not path.is_file():
        raise ValueError(f"path: expected a notebook file; got {path}, which is not a file")
    notebook = json.loads(path.read_text(encoding="utf-8"))
    if not stamp_nbgrader(notebook, path.name):
        return False
    path.write_text(json.dumps(notebook, sort_keys=True, indent=1, separators=(",", ": "), ensure_ascii=False)
                    + "\n", encoding="utf-8")
    return True
