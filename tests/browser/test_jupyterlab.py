"""Chapter 1 run the way a student runs it: in JupyterLab, in a real browser.

One ``jupyter lab`` server (no token, temporary settings with every cell rendered) serves a copy of
``book/`` and the student notebook of chapter 1; Chromium opens each notebook, clears its outputs,
clicks *Run > Run All Cells* and waits for the kernel to be idle. A failure names the step and shows
the end of the server's log. Screenshots: ``_build/screenshots/jupyterlab_ch01.png`` and
``jupyterlab_student_ch01.png``.
"""

from __future__ import annotations

import json
import re

from book_site import ROOT
from jupyterlab_driver import LabNotebook

CHAPTER = "book/01_representing_sequences.ipynb"
STUDENT_NOTEBOOK = "student/01_representing_sequences.ipynb"  # made by the jupyterlab fixture
RUN_ALL_SECONDS = 120  # the chapter's budget is 30 s on an idle machine; the tests share two busy cores


def code_cells_of(path) -> list[dict]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def ran(cell: dict) -> bool:
    return re.fullmatch(r"\[\d+\]:", cell["prompt"].strip()) is not None


def run_all(jupyterlab, page, path: str) -> tuple[LabNotebook, list[dict]]:
    """Open ``path``, clear its outputs (what shows afterwards comes from this run), run all cells."""
    notebook = LabNotebook(jupyterlab, page, path)
    notebook.open()
    notebook.clear_outputs()
    notebook.run_all(RUN_ALL_SECONDS)
    cells = notebook.code_cells()
    stored = code_cells_of(jupyterlab.root_dir / path)
    assert len(cells) == len(stored), jupyterlab.explain(
        f"{path}: {len(stored)} code cells in the notebook, {len(cells)} shown by JupyterLab")
    return notebook, cells


def shown_errors(cells: list[dict]) -> str:
    return "\n".join(f"code cell {number}: {cell['stderr'][:500]}" for number, cell in enumerate(cells) if cell["stderr"])


def test_chapter_1_runs_in_jupyterlab_without_errors(jupyterlab, lab_page, screenshot_dir):
    notebook, cells = run_all(jupyterlab, lab_page, CHAPTER)
    not_run = [number for number, cell in enumerate(cells) if not ran(cell)]
    assert not not_run, jupyterlab.explain(f"{CHAPTER}: code cells {not_run} did not run")
    assert not shown_errors(cells), jupyterlab.explain(
        f"{CHAPTER}: cells show an error or a warning after Run All:\n{shown_errors(cells)}")

    stored = code_cells_of(ROOT / CHAPTER)
    figures = [number for number, cell in enumerate(stored)
               if any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))]
    assert figures, f"{CHAPTER} stores no figure; this test expects one"
    missing = [number for number in figures if cells[number]["images"] == 0]
    assert not missing, jupyterlab.explain(f"{CHAPTER}: code cells {missing} store a figure but show none after Run All")
    notebook.screenshot(screenshot_dir / "jupyterlab_ch01.png", code_cell=figures[0])
    assert not notebook.outside_requests, f"JupyterLab made requests to other hosts: {notebook.outside_requests}"


def test_student_notebook_runs_up_to_the_first_exercise(jupyterlab, lab_page, screenshot_dir):
    stored = code_cells_of(jupyterlab.root_dir / STUDENT_NOTEBOOK)
    first_stub = next(number for number, cell in enumerate(stored) if "NotImplementedError" in "".join(cell["source"]))
    first_check = first_stub + 1  # the check cell that calls the student's unfinished function
    notebook, cells = run_all(jupyterlab, lab_page, STUDENT_NOTEBOOK)

    before = cells[:first_check]
    not_run = [number for number, cell in enumerate(before) if not ran(cell)]
    assert not not_run, jupyterlab.explain(
        f"{STUDENT_NOTEBOOK}: code cells {not_run}, before the first exercise's check (cell {first_check}), did not run")
    assert not shown_errors(before), jupyterlab.explain(
        f"{STUDENT_NOTEBOOK}: cells before the first exercise's check show an error:\n{shown_errors(before)}")
    shown = cells[first_check]["stderr"]
    assert "NotImplementedError" in shown, jupyterlab.explain(
        f"{STUDENT_NOTEBOOK}: the first exercise's check (code cell {first_check}) should show NotImplementedError; "
        f"it shows {shown[:500]!r}")
    notebook.screenshot(screenshot_dir / "jupyterlab_student_ch01.png", code_cell=first_check)
    assert not notebook.outside_requests, f"JupyterLab made requests to other hosts: {notebook.outside_requests}"
