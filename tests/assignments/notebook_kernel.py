"""Running a student notebook in a fresh kernel the way a student works through it."""

import ast

import ipykernel.kernelspec
import nbformat
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from lessons_src import assignments
from lessons_src.assignments import BEGIN_SOLUTION, END_SOLUTION

CELL_TIMEOUT = 120  # seconds; a chapter runs in at most 60 s in all


# The code a test runs in the kernel after a check has passed: the check must
# reject two wrong answers built from the right one (None, and zeros of the
# right shape), with an AssertionError that names the case.
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

    def zeroed(*args, **kwargs):
        value = right(*args, **kwargs)
        zero = zeros(value)
        if not same(value, zero):
            changed.append(True)
        return zero

    for name, wrong in [("None", lambda *args, **kwargs: None), ("zeros", zeroed)]:
        try:
            check(wrong)
        except AssertionError as error:
            if not re.search(r"\\S\\(.*\\)", str(error)):
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


def work_through(student, instructor, workdir):
    """Run ``student`` in a fresh kernel the way a student works through it; return one line per exercise.

    Every cell runs in order. At each exercise the stubbed solution cells and
    the check cell run first, as handed out: they must stop with
    NotImplementedError (and nothing else). Then the instructor's solution is
    put back into the stubs (the round trip: the restored cell must equal the
    instructor's cell) and run, and the check must pass; finally the check
    must reject wrong answers. Any other cell that fails fails the test,
    naming the cell. Cells tagged ``nbval-skip`` are skipped, as nbval does.
    """
    exercises = assignments.find_exercises(instructor)
    code_ordinal = {}  # instructor cell index -> position among the code cells
    for index, cell in enumerate(instructor.cells):
        if cell.cell_type == "code":
            code_ordinal[index] = len(code_ordinal)
    instructor_code = [cell for cell in instructor.cells if cell.cell_type == "code"]
    student_code = [cell for cell in student.cells if cell.cell_type == "code"]
    assert len(student_code) == len(instructor_code)
    by_check = {code_ordinal[exercise.check_cell]: exercise for exercise in exercises}
    solution_ordinals = {code_ordinal[index] for exercise in exercises for index in exercise.solution_cells}
    client = NotebookClient(student, timeout=CELL_TIMEOUT, km=KernelManager(kernel_spec_manager=CurrentPython()),
                            resources={"metadata": {"path": str(workdir)}})
    report = []

    def run(cell, what):
        try:
            client.execute_cell(cell, 0)
        except CellExecutionError as error:
            raise AssertionError(f"{what} failed: {error.ename}: {error.evalue}\n--- cell ---\n{cell.source}") from None

    with client.setup_kernel():
        for ordinal, cell in enumerate(student_code):
            if ordinal in solution_ordinals or "nbval-skip" in cell.metadata.get("tags", []):
                continue
            if ordinal not in by_check:
                run(cell, f"code cell {ordinal}" + (f" (after {report[-1].split(':')[0]})" if report else
                                                    " (before the first exercise)"))
                continue
            exercise = by_check[ordinal]
            stubs = [student_code[code_ordinal[index]] for index in exercise.solution_cells]
            error_name = None
            for handed_out in [*stubs, cell]:
                try:
                    client.execute_cell(handed_out, 0)
                except CellExecutionError as error:
                    error_name = f"{error.ename}: {error.evalue}"
                    break
            assert error_name is not None and error_name.startswith("NotImplementedError: "), (
                f"{exercise.label}: as handed out, expected NotImplementedError; got {error_name or 'no error'}")
            for index, stub in zip(exercise.solution_cells, stubs):
                restored = restore_solution(stub.source, instructor.cells[index].source)
                assert restored == instructor.cells[index].source, f"{exercise.label}: round trip changed the cell"
                run(nbformat.v4.new_code_cell(restored), f"{exercise.label}: the restored solution")
            check_cell = nbformat.v4.new_code_cell(cell.source)
            run(check_cell, f"{exercise.label}: the check with the solution put back")
            printed = "".join(output.get("text", "") for output in check_cell.outputs).strip()
            assert "cases correct" in printed, f"{exercise.label}: the check printed {printed!r}"
            name, argument = check_call(cell.source)
            run(nbformat.v4.new_code_cell(f"{PROBE}\n_probe_check({name}, {argument})"),
                f"{exercise.label}: wrong answers given to {name}")
            report.append(f"{exercise.label}: NotImplementedError, then {printed}, wrong answers rejected")
    return report


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
