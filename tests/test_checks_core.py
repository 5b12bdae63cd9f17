"""What every exercise check shares (lessons_src.checks._core and _guard): it grades only the student's own work.

A function or class counts as the student's only if the notebook defined it, i.e. its ``__module__`` is
``"__main__"``; the tests define answers that way with ``student_code``.
"""

import importlib
import inspect
import pkgutil
from types import SimpleNamespace

import numpy as np
import pytest
from student_code import as_student, student_function

import lessons_src
import lessons_src.checks as checks
from lessons_src.checks import _core, _guard
from lessons_src.checks._core import check_value, require_student_class, require_student_function, run_cases

CASES = [((1.0,), 2.0), ((np.array([1.0, 2.0]),), np.array([2.0, 4.0]))]


def double(x):  # defined in a test module: not a student's answer
    return 2 * x


def test_a_function_from_the_notebook_is_graded(capsys):
    run_cases("double", student_function("def double(x):\n    return 2 * x"), CASES)
    run_cases("double", student_function("double = lambda x: x + x"), CASES)
    assert capsys.readouterr().out == "double: 2 of 2 cases correct\n" * 2


@pytest.mark.parametrize("function, origin", [
    (double, "this function, double from test_checks_core, was not written in this notebook"),
    (lambda x: 2 * x, "this function, <lambda> from test_checks_core, was not written in this notebook"),
    (np.negative, "this function, negative from numpy, was not written in this notebook"),
    (abs, "this function, abs from builtins, was not written in this notebook"),
    (lessons_src.functional.softmax, "this is the book's own softmax from lessons_src.functional, not yours"),
])
def test_anything_else_is_refused_without_being_called(function, origin):
    with pytest.raises(AssertionError) as refused:
        run_cases("double", function, CASES)
    assert str(refused.value) == (f"double: {origin}. A check grades only your own function: write "
                                  "`def double(...)` in the answer cell above, run that cell, then run this check again")


def test_a_function_that_is_no_function_is_a_type_error():
    with pytest.raises(TypeError, match="double: expected your function double, defined in the notebook; got int"):
        run_cases("double", 3, CASES)


def test_an_unfinished_answer_says_what_to_do_and_stays_a_not_implemented_error():
    stub = student_function("def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()")
    with pytest.raises(NotImplementedError) as stopped:
        run_cases("double", stub, CASES)
    assert str(stopped.value) == ("double is not written yet: replace `raise NotImplementedError()` in the answer "
                                  "cell above with your code, run that cell, then run this check again")


def test_a_crash_and_a_wrong_value_name_the_case():
    with pytest.raises(AssertionError, match=r"double\(1.0\) raised ZeroDivisionError: division by zero"):
        run_cases("double", student_function("def double(x):\n    return 1 / 0"), CASES)
    with pytest.raises(AssertionError, match=r"double\(1.0\) returned 3.0; expected 2.0"):
        run_cases("double", student_function("def double(x):\n    return x + 2"), CASES)


def test_call_adapts_what_is_compared_and_the_student_function_is_still_required(capsys):
    def call(function, x):
        return function(x), "called"

    cases = [((1.0,), (2.0, "called"))]
    run_cases("double", student_function("def double(x):\n    return 2 * x"), cases, call=call)
    assert capsys.readouterr().out == "double: 1 of 1 cases correct\n"
    with pytest.raises(AssertionError, match="not written in this notebook"):
        run_cases("double", double, cases, call=call)
    with pytest.raises(TypeError, match="call: expected a function"):
        run_cases("double", student_function("def double(x):\n    return 2 * x"), cases, call="call")


def test_a_class_must_come_from_the_notebook():
    from collections import OrderedDict

    require_student_class("Model", student_function("class Model:\n    pass"))
    require_student_class("Model", as_student(OrderedDict, "Model"))    # a subclass written in the notebook
    with pytest.raises(AssertionError, match="this class, OrderedDict from collections, was not written in this "
                                             "notebook.*write `class Model\\(...\\)`"):
        require_student_class("Model", OrderedDict)
    with pytest.raises(TypeError, match="Model: expected your class Model, defined in the notebook; got function"):
        require_student_class("Model", student_function("def Model():\n    pass"))


def test_a_value_is_checked_without_giving_the_answer_away(capsys):
    check_value("untrained_loss", np.log(4.0), 1.3862943611198906)
    check_value("parameter_count", np.int64(3), 3)
    assert capsys.readouterr().out == "untrained_loss: 1 of 1 cases correct\nparameter_count: 1 of 1 cases correct\n"
    with pytest.raises(AssertionError) as wrong:
        check_value("untrained_loss", 1.5, np.log(4.0), hint="every one of the 4 tokens is equally likely")
    assert str(wrong.value) == "untrained_loss = 1.5 is not right: every one of the 4 tokens is equally likely"
    for unfinished in (None, ...):
        with pytest.raises(NotImplementedError, match="untrained_loss is not written yet"):
            check_value("untrained_loss", unfinished, 1.0)
    for not_a_number in ("1.39", True, [1.39], len):
        with pytest.raises(TypeError, match="untrained_loss: expected a number"):
            check_value("untrained_loss", not_a_number, 1.0)


def _calls_recorder():
    calls = []

    def recorder(*args, **kwargs):
        calls.append(args)
        raise RuntimeError("a check called a function that is not the student's")

    class Recorder:
        def __init__(self, *args, **kwargs):
            calls.append(args)
            raise RuntimeError("a check built a class that is not the student's")

    return calls, recorder, Recorder


def check_functions():
    return sorted((name, function) for name, function in inspect.getmembers(checks, inspect.isfunction)
                  if name.startswith("check_"))


def library_namesake(check_name):
    """The public function or class of lessons_src named as the check's exercise, or None."""
    wanted = check_name.removeprefix("check_")
    for info in pkgutil.walk_packages(lessons_src.__path__, "lessons_src."):
        if ".checks" in info.name or ".plots" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if name.lower() == wanted.replace("_", "") or name == wanted:
                if (inspect.isfunction(value) or inspect.isclass(value)) and value.__module__.startswith("lessons_src"):
                    return value
    return None


@pytest.mark.parametrize("name", [name for name, _ in check_functions()])
def test_every_check_refuses_what_the_notebook_did_not_define_without_using_it(name):
    """Found from lessons_src.checks, so a new check is covered as soon as it exists."""
    check = getattr(checks, name)
    calls, recorder, Recorder = _calls_recorder()
    namesake = library_namesake(name)
    for answer in [recorder, Recorder] + ([namesake] if namesake is not None else []):
        with pytest.raises((AssertionError, TypeError)) as refused:
            check(answer)
        if isinstance(refused.value, AssertionError):
            assert "not written in this notebook" in str(refused.value) or "the book's own" in str(refused.value)
    assert calls == [], f"{name} called or built an answer that is not the student's"


def test_the_namesakes_are_found():
    assert library_namesake("check_accuracy_by_n") is lessons_src.counting.accuracy_by_n
    assert library_namesake("check_lstm_language_model").__name__ == "LSTMLanguageModel"  # a class too


# The guard (_guard): a failed non-exercise cell stops every later check.

def _result(source, error=None):
    return SimpleNamespace(info=SimpleNamespace(raw_cell=source), error_before_exec=None, error_in_exec=error)


@pytest.fixture
def guard(tmp_path):
    """The guard watching a small synthetic book whose only non-exercise code cell is ``x = 1``."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    book = tmp_path / "book"
    book.mkdir()
    cells = [new_code_cell("x = 1"), new_markdown_cell("```{exercise} Double\n:label: ex-double\n\nWrite it.\n```"),
             new_markdown_cell("```{solution-start} ex-double\n:class: dropdown\n```"),
             new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
             new_markdown_cell("```{solution-end}\n```"), new_code_cell("check_double(double)"),
             new_code_cell("raise ValueError('shown on purpose')", metadata={"tags": ["raises-exception"]})]
    nbformat.write(new_notebook(cells=cells), book / "01_doubling.ipynb")
    _guard.use_book(book)
    _guard.forget()
    yield _guard
    _guard.use_book(None)
    _guard.forget()


def test_a_failed_non_exercise_cell_stops_later_checks_until_it_runs_cleanly(guard, capsys):
    answer = student_function("def double(x):\n    return 2 * x")
    guard.after_cell(_result("x = 1", KeyboardInterrupt()))          # e.g. interrupted by nbgrader's timeout
    with pytest.raises(AssertionError) as refused:
        run_cases("double", answer, CASES)
    assert str(refused.value).startswith("double: not graded. A cell that is not part of any exercise failed "
                                         "(KeyboardInterrupt in the cell that begins `x = 1`)")
    for other in (lambda: require_student_class("Model", student_function("class Model:\n    pass")),
                  lambda: check_value("value", 1.0, 1.0)):
        with pytest.raises(AssertionError, match="not graded"):
            other()
    guard.after_cell(_result("x = 1\n"))                                 # run again, cleanly
    run_cases("double", answer, CASES)
    assert capsys.readouterr().out == "double: 2 of 2 cases correct\n"


def test_failed_exercise_cells_and_cells_the_student_added_do_not_stop_the_checks(guard, capsys):
    for source in ["def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()",   # an answer cell
                   "check_double(double)",                                                # a check cell
                   "print(undefined_name)",                                               # a student's own cell
                   "raise ValueError('shown on purpose')"]:                               # tagged raises-exception
        guard.after_cell(_result(source, NameError("name")))
    assert len(guard.failed_cells()) == 4
    run_cases("double", student_function("def double(x):\n    return 2 * x"), CASES)
    assert capsys.readouterr().out == "double: 2 of 2 cases correct\n"


def test_outside_ipython_the_guard_installs_nothing():
    assert _guard.install() is False


def test_the_book_has_non_exercise_cells_and_none_is_an_answer():
    _guard.use_book(None)
    cells = _guard.non_exercise_cells()
    assert len(cells) > 50
    assert not any("### BEGIN SOLUTION" in source for source in cells)
    assert _core.NOTEBOOK_MODULE == "__main__"
