"""What nbgrader's cell-metadata schema (version 3, nbgrader 0.9) allows, written out for the tests."""

import json
import re


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
