"""Running a student notebook in a fresh kernel the way a student works through it, and trying every exercise.

One kernel per chapter: the non-exercise cells that the exercises need
(``cell_dependencies``) run once, in order; at each
exercise the kernel tries, one after the other, the answer as handed out (the
stubs), a cleared answer cell, the solution with a syntax error, the
instructor's solution put back, and two wrong answers made from it. Before each
try, the names the solution binds are put back as the cells above left them, so
every try starts where a student's first run of that exercise would.
"""

import ast

import ipykernel.kernelspec
import nbformat
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from cell_dependencies import CellCode, needed_cells

from lessons_src import assignments
from lessons_src.assignments import BEGIN_SOLUTION, END_SOLUTION

CELL_TIMEOUT = 120  # seconds; a chapter runs in at most 60 s in all


# The code a test runs in the kernel after a check has passed: the check must
# reject two wrong answers built from the right one (None, and zeros of the right shape; for a class, instances
# that answer so; for a value, two other numbers), with an AssertionError that names the case.
PROBE = '''
def _probe_check(check, right):
    import re
    import numpy as np

    def zeros(value):
        if isinstance(value, np.ndarray) or hasattr(value, "zero_"):
            return value * 0
        if isinstance(value, (bool, str)):
            return type(value)()
        if isinstance(value, (int, float, np.number)):
            return type(value)(0)
        if isinstance(value, (list, tuple)):
            return type(value)(zeros(item) for item in value)
        if isinstance(value, dict):
            return {key: zeros(item) for key, item in value.items()}
        return value

    def same(a, b):
        try:
            return bool(np.all(np.asarray(a) == np.asarray(b))) and np.shape(a) == np.shape(b)
        except Exception:
            return a is b

    changed = []

    if isinstance(right, type):  # an exercise that asks for a class: instances that answer None, or zeros
        class NoneAnswer:
            def __init__(self, *args, **kwargs):
                pass

            def __call__(self, *args, **kwargs):
                return None

        class ZerosAnswer(right):
            def __call__(self, *args, **kwargs):
                value = super().__call__(*args, **kwargs)
                zero = zeros(value)
                if not same(value, zero):
                    changed.append(True)
                return zero

        wrongs = [("None", NoneAnswer), ("zeros", ZerosAnswer)]
    elif isinstance(right, (int, float, np.number)) and not isinstance(right, bool):  # a value
        changed.append(True)
        wrongs = [("one more", right + 1), ("half", right / 2 if right else 1.0)]
    else:
        def zeroed(*args, **kwargs):
            value = right(*args, **kwargs)
            zero = zeros(value)
            if not same(value, zero):
                changed.append(True)
            return zero

        wrongs = [("None", lambda *args, **kwargs: None), ("zeros", zeroed)]

    names_the_case = r"\\S\\(.*\\)" if callable(right) else r"\\S"
    for name, wrong in wrongs:
        try:
            check(wrong)
        except AssertionError as error:
            if not re.search(names_the_case, str(error)):
                raise AssertionError(f"the check's message for the wrong answer {name} names no case: {error}")
        else:
            if name == "None" or changed:
                raise AssertionError(f"the check accepted the wrong answer {name}")
'''


def check_call(check_source):
    """``(check name, source of its argument)`` of the check cell's ``check_<name>(<function>)`` call."""
    for node in ast.walk(ast.parse(check_source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("check_"):
            return node.func.id, ast.get_source_segment(check_source, node.args[0])
    raise AssertionError(f"no check_<name>(<function>) call in {check_source!r}")


class CurrentPython(KernelSpecManager):
    """Kernels run in the interpreter of the tests, as with nbval's --nbval-current-env."""

    def get_kernel_spec(self, kernel_name):
        return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                      **ipykernel.kernelspec.get_kernel_dict())


def work_through(student, instructor, workdir, guard=True, setup=(), rerun=False, only_needed=True):
    """Run ``student`` in a fresh kernel and try every exercise; return what happened (a ``Report``).

    Non-exercise cells must run without error (an AssertionError names the
    cell otherwise); tagged ``nbval-skip`` they are skipped, as nbval does. The
    outcome of each try of each exercise is recorded, not asserted: the tests
    decide. With ``guard``, the last non-exercise cell that ran is run again made
    to fail (its code replaced by a ``raise``: it costs nothing), then the first
    exercise's solution and check (``Report.guard``); with ``rerun``, the cell
    then runs cleanly and the check again. ``setup``: code run first, outside
    the notebook. With ``only_needed``, a non-exercise cell that the exercises
    do not need is left out (``cell_dependencies.needed_cells``; ``Report.left_out``): the slow
    training cells, which nbval runs anyway; nbgrader's test (tests/nbgrader)
    runs every student notebook whole.
    """
    exercises = assignments.find_exercises(instructor)
    by_id = {cell.get("id"): index for index, cell in enumerate(instructor.cells)}
    student_index = {}  # instructor cell index -> the student cell made from it (matched by cell id)
    for position, cell in enumerate(student.cells):
        if cell.get("id") in by_id:
            student_index[by_id[cell.get("id")]] = position
    by_check = {exercise.check_cell: exercise for exercise in exercises}
    solution_cells = {index for exercise in exercises for index in exercise.solution_cells}
    client = NotebookClient(student, timeout=CELL_TIMEOUT, km=KernelManager(kernel_spec_manager=CurrentPython()),
                            resources={"metadata": {"path": str(workdir)}})
    report = Report()
    ran = []  # the sources of the non-exercise cells that ran
    needed = needed_cells(instructor, exercises) if only_needed else None

    def run(source, what=None):
        """Run ``source``; return (printed text, None) or (printed text, "ExceptionName: message")."""
        cell = nbformat.v4.new_code_cell(source)
        try:
            client.execute_cell(cell, 0)
            error = None
        except CellExecutionError as failure:
            error = f"{failure.ename}: {failure.evalue}"
            if what is not None:
                raise AssertionError(f"{what} failed: {error}\n--- cell ---\n{source}") from None
        printed = "".join(output.get("text", "") for output in cell.outputs if output.get("name") == "stdout")
        return printed.strip(), error

    def run_try(sources, check_source):
        """Run the answer cells ``sources`` then the check; the first error, or the check's printed line."""
        for source in sources:
            if source.strip():
                _, error = run(source)
                if error:
                    return error
        printed, error = run(check_source)
        return error or printed

    with client.setup_kernel():
        for source in setup:
            run(source, "the setup")
        for index, cell in enumerate(instructor.cells):
            if cell.cell_type != "code" or index in solution_cells or index not in student_index:
                continue  # a solution cell is tried with its exercise; a cell left out has become a note
            student_cell = student.cells[student_index[index]]
            if student_cell.cell_type != "code" or "nbval-skip" in student_cell.metadata.get("tags", []):
                continue  # a cell tagged shows-answer has become a note (markdown) in the student notebook
            if index not in by_check and needed is not None and index not in needed:
                report.left_out.append(index)
                continue
            if index not in by_check:
                where = f" (after {report.labels[-1]})" if report.labels else " (before the first exercise)"
                run(student_cell.source, f"code cell {index}{where}")
                ran.append(student_cell.source)
                continue
            exercise = by_check[index]
            solutions = [instructor.cells[i].source for i in exercise.solution_cells]
            stubs = [student.cells[student_index[i]].source for i in exercise.solution_cells]
            names = sorted({name for source in solutions for name in CellCode(source).binds})
            run(f"_names_before = {{name: globals()[name] for name in {names!r} if name in globals()}}",
                "saving the names the answer binds")
            restore = (f"for _name in {names!r}:\n    globals().pop(_name, None)\n"
                       "globals().update(_names_before)")
            tries = {}
            for name, sources in [("handed_out", stubs), ("cleared", ["" for _ in solutions]),
                                  ("syntax_error", [break_syntax(source) for source in solutions])]:
                run(restore, "putting the names back")
                tries[name] = run_try(sources, student_cell.source)
            run(restore, "putting the names back")
            restored = [restore_solution(stub, solution) for stub, solution in zip(stubs, solutions)]
            tries["round_trip"] = restored == solutions
            tries["solution"] = run_try(restored, student_cell.source)
            name, argument = check_call(student_cell.source)
            _, tries["wrong_answers"] = run(f"{PROBE}\n_probe_check({name}, {argument})")
            report.exercises[exercise.label] = tries
            report.labels.append(exercise.label)
        if guard and exercises and ran:
            report.guard = try_the_guard(run, ran[-1], instructor, exercises[0], rerun)
    return report


class Report:
    """What ``work_through`` saw: ``exercises[label][try]`` and ``guard``."""

    def __init__(self):
        self.exercises, self.labels, self.guard, self.left_out = {}, [], None, []

    def lines(self):
        """One line per exercise: what each try gave (short)."""
        return [f"{label}: " + "; ".join(f"{name} -> {str(value).splitlines()[0][:70] if value else value}"
                                         for name, value in tries.items())
                for label, tries in self.exercises.items()]


def try_the_guard(run, source, instructor, exercise, rerun):
    """Run ``source`` (a non-exercise cell that ran) made to fail, then the first exercise's check with its solution."""
    failing = (f"_target = {source.strip()!r}\n"
               "def _fail_target(lines):  # an input transformer: the target cell's code becomes a raise\n"
               "    if ''.join(lines).strip() != _target:\n"
               "        return lines\n"
               "    return ['raise RuntimeError(\"made to fail by the test\")\\n']\n"
               "get_ipython().input_transformers_cleanup.append(_fail_target)")
    run(failing, "making the cell fail")
    _, error = run(source)
    run("get_ipython().input_transformers_cleanup.remove(_fail_target)", "undoing the failure")
    solutions = [instructor.cells[i].source for i in exercise.solution_cells]
    check_source = instructor.cells[exercise.check_cell].source
    outcome = {"made_to_fail": error, "refused": run_try_plain(run, solutions, check_source)}
    if rerun:
        run(source, "the cell run again cleanly")
        outcome["after_clean_run"] = run_try_plain(run, solutions, check_source)
    return outcome


def run_try_plain(run, sources, check_source):
    for source in sources:
        run(source, "a solution cell")
    printed, error = run(check_source)
    return error or printed


def break_syntax(source):
    """``source`` with an unmatched ``)`` on the line after its first BEGIN SOLUTION marker: a SyntaxError."""
    lines = source.split("\n")
    for number, line in enumerate(lines):
        if line.strip() == BEGIN_SOLUTION:
            indent = line[: len(line) - len(line.lstrip())]
            return "\n".join(lines[:number + 1] + [indent + ")"] + lines[number + 1:])
    return source + "\n)"


def restore_solution(stub_source, instructor_source):
    """Put the instructor's marked regions back into the stubs of ``stub_source``, in order."""
    lines = instructor_source.split("\n")
    regions = []
    begin = None
    for number, line in enumerate(lines):
        if line.strip() == BEGIN_SOLUTION:
            begin = number
        elif line.strip() == END_SOLUTION:
            regions.append(lines[begin:number + 1])
    stub_lines, restored, position = stub_source.split("\n"), [], 0
    regions = iter(regions)
    while position < len(stub_lines):
        line = stub_lines[position]
        if line.strip() == "# YOUR CODE HERE" and stub_lines[position + 1].strip() == "raise NotImplementedError()":
            restored.extend(next(regions))
            position += 2
        else:
            restored.append(line)
            position += 1
    return "\n".join(restored)
