"""What every check shares: grade the student's own work on cases, compare, report.

A check either prints one line, ``name: N of N cases correct``, or raises
``AssertionError`` naming the case, the expected and the received value.

A check grades only what the student wrote in the notebook. A function or a
class defined in a notebook lives in the kernel's ``__main__`` module; the
book's own (``lessons_src``), an imported one, or a lambda from a library does
not, and is refused with a message telling the student to write their own. So
a cleared or broken answer cell fails its check instead of grading whatever
else holds the name.

The helpers for a chapter's ``checks/<chapter>.py`` (every check uses one of
the first four, which also refuse to grade after a failed non-exercise cell,
see ``_guard``):

- ``run_cases(name, function, cases, rtol, atol, call=None)``: the usual check
  of a function on ``(args, expected)`` cases; ``call(function, *args)`` adapts
  the call when the comparison needs more than the return value.
- ``require_student_function(name, function)``: for a check that calls the
  function itself (then call it through ``call_student``).
- ``require_student_class(name, cls)``: for an exercise that asks for a class
  (e.g. an ``nn.Module``); instantiate it through ``call_student``.
- ``check_value(name, value, expected, ...)``: for an exercise that asks for a
  number ("predict, then run": the loss of an untrained model, a parameter
  count). Where the answer can be a formula, prefer asking for a function of
  the sizes and ``run_cases``: a function shows the derivation and is checked
  on several sizes.
- ``call_student(call, function, *args)``: one call of the student's code; an
  error becomes an ``AssertionError`` naming ``call``.
- ``assert_same(what, received, expected)``, ``RuleModel``.

An unfinished exercise (the stub's ``raise NotImplementedError()``) stops the
check with a ``NotImplementedError`` that says what to do
(``not_written_yet``), so a student notebook stops at the first exercise still
to be done.
"""

import copy
import inspect
import numbers

import numpy as np

from ..validation import require_function, require_type
from ._guard import require_clean_run

NOTEBOOK_MODULE = "__main__"  # where a notebook's (and an IPython kernel's) definitions live


def run_cases(name, student_function, cases, rtol=1e-7, atol=1e-9, call=None):
    """Check ``student_function`` on ``cases`` and print one line of success.

    cases: a list of ``(args, expected)`` where ``args`` is a tuple of
    positional arguments. Each call gets deep copies of its arguments, so a
    function that changes its inputs cannot spoil the next case.
    call: ``call(student_function, *args) -> received``, when what is compared
    is not simply the return value (it may raise AssertionError itself);
    ``student_function(*args)`` if None.
    """
    _check_run_cases_args(name, student_function, cases, call)
    require_student_function(name, student_function)
    for args, expected in cases:
        call_text = f"{name}({', '.join(_short(arg) for arg in args)})"
        arguments = copy.deepcopy(args)
        if call is None:
            received = call_student(call_text, student_function, *arguments)
        else:
            received = call_student(call_text, call, student_function, *arguments)
        assert_same(call_text, received, expected, rtol=rtol, atol=atol)
    print(f"{name}: {len(cases)} of {len(cases)} cases correct")


def require_student_function(name, function):
    """Raise AssertionError unless ``function`` was defined in the notebook (TypeError if it is not callable)."""
    require_type("name", name, str, "the exercise's function name (a string)")
    require_function(name, function, f"your function {name}, defined in the notebook")
    require_clean_run(name)
    _require_from_notebook(name, function, "function", f"def {name}(...)")


def require_student_class(name, cls):
    """Raise AssertionError unless ``cls`` is a class defined in the notebook (TypeError if it is no class)."""
    require_type("name", name, str, "the exercise's class name (a string)")
    if not inspect.isclass(cls):
        raise TypeError(f"{name}: expected your class {name}, defined in the notebook; got {type(cls).__name__}")
    require_clean_run(name)
    _require_from_notebook(name, cls, "class", f"class {name}(...)")


def check_value(name, value, expected, rtol=1e-6, atol=0.0, hint=""):
    """Check a number the student worked out (``value``) against ``expected``; print one line of success.

    ``None`` or ``...`` count as not written yet (NotImplementedError). A
    wrong value raises AssertionError saying so, with ``hint`` if given; the
    message does not give the expected value away.
    """
    require_type("name", name, str, "the exercise's name for the value (a string)")
    require_clean_run(name)
    if value is None or value is Ellipsis:
        raise not_written_yet(name)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise TypeError(f"{name}: expected a number; got {type(value).__name__} {_short(value)}")
    if not isinstance(expected, numbers.Real) or isinstance(expected, bool):
        raise TypeError(f"expected: expected the right number; got {type(expected).__name__}")
    if not np.isclose(float(value), float(expected), rtol=rtol, atol=atol):
        raise AssertionError(f"{name} = {_short(value)} is not right{': ' + hint if hint else ''}")
    print(f"{name}: 1 of 1 cases correct")


def call_student(call_text, function, *args):
    """``function(*args)``; NotImplementedError as ``not_written_yet``, any other error as AssertionError.

    ``call_text`` (e.g. ``"double(1.0)"``) starts every message: an AssertionError
    raised inside (by the student's code, or by a ``call`` adapter of
    ``run_cases``) keeps its message after it.
    """
    try:
        return function(*args)
    except NotImplementedError:
        raise not_written_yet(call_text.split("(")[0]) from None
    except AssertionError as error:
        if str(error).startswith(call_text):
            raise
        raise AssertionError(f"{call_text}: {error}") from error
    except Exception as error:
        raise AssertionError(f"{call_text} raised {type(error).__name__}: {error}") from error


def not_written_yet(name):
    """The NotImplementedError a check raises for an exercise whose stub is still in place."""
    return NotImplementedError(
        f"{name} is not written yet: replace `raise NotImplementedError()` in the answer cell above with your "
        f"code, run that cell, then run this check again")


def assert_same(what, received, expected, rtol=1e-7, atol=1e-9):
    """Raise AssertionError unless ``received`` equals ``expected``.

    Arrays are compared in shape and then by value with ``rtol``/``atol``;
    lists, tuples and dicts element by element; anything else with ``==``.
    """
    require_type("what", what, str, "a description of the call (a string)")
    message = _difference(received, expected, rtol, atol)
    if message:
        raise AssertionError(f"{what} returned {_short(received)}; expected {_short(expected)} ({message})")


class RuleModel:
    """A named model ``inputs (T, B, V) -> logits (T, B, V)`` that follows a rule, for the decoding checks.

    next_id: a function from the ids read so far in one sequence (a list, up
    to and including step t) to the id the model scores highest at step t:
    the logits are 1.0 there and 0.0 elsewhere. The repr is ``name``, so a
    failing case names the model.
    """

    def __init__(self, name, next_id):
        require_type("name", name, str, "the model's name (a string)")
        require_function("next_id", next_id, "a function ids -> the next id")
        self.name, self.next_id = name, next_id

    def __call__(self, inputs):
        ids = np.argmax(inputs, axis=-1)                       # (T, B); the checks never pass padding
        logits = np.zeros(inputs.shape)
        for t in range(ids.shape[0]):
            for b in range(ids.shape[1]):
                logits[t, b, self.next_id(list(ids[: t + 1, b]))] = 1.0
        return logits

    def __repr__(self):
        return self.name


def equal_answers(received, expected, rtol=1e-7, atol=1e-9):
    """True if ``received`` has the structure of ``expected`` (dicts, tuples, arrays) and equal arrays to rounding.

    For recognising a planted mistake: ``received`` equals what the mistake gives.
    A received array must be a NumPy array; anything else is simply not equal.
    """
    if isinstance(expected, dict):
        return isinstance(received, dict) and set(received) == set(expected) and all(
            equal_answers(received[key], expected[key], rtol, atol) for key in expected)
    if isinstance(expected, tuple):
        return isinstance(received, (tuple, list)) and len(received) == len(expected) and all(
            equal_answers(got, want, rtol, atol) for got, want in zip(received, expected))
    return (isinstance(received, np.ndarray) and received.shape == np.shape(expected)
            and np.allclose(received, expected, rtol=rtol, atol=atol))


def _require_from_notebook(name, obj, kind, how):
    module = getattr(obj, "__module__", None)
    if module == NOTEBOOK_MODULE:
        return
    what = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__name__
    if isinstance(module, str) and (module == "lessons_src" or module.startswith("lessons_src.")):
        origin = f"this is the book's own {what} from {module}, not yours"
    else:
        origin = f"this {kind}, {what}{f' from {module}' if module else ''}, was not written in this notebook"
    raise AssertionError(f"{name}: {origin}. A check grades only your own {kind}: write `{how}` in the answer "
                         f"cell above, run that cell, then run this check again")


def _difference(received, expected, rtol, atol):
    if isinstance(expected, np.ndarray):
        received_array = np.asarray(received) if isinstance(received, (np.ndarray, list, tuple, float, int)) else None
        if received_array is None or not np.issubdtype(received_array.dtype, np.number):
            return f"expected a NumPy array, got {type(received).__name__}"
        if received_array.shape != expected.shape:
            return f"shape {received_array.shape} instead of {expected.shape}"
        if not np.allclose(received_array, expected, rtol=rtol, atol=atol):
            worst = np.unravel_index(np.argmax(np.abs(received_array - expected)), expected.shape)
            return f"differs most at index {tuple(int(i) for i in worst)}"
        return ""
    if isinstance(expected, dict):
        if not isinstance(received, dict) or set(received) != set(expected):
            return f"expected a dict with keys {sorted(expected)}"
        for key in expected:
            inner = _difference(received[key], expected[key], rtol, atol)
            if inner:
                return f"at key {key!r}: {inner}"
        return ""
    if isinstance(expected, (list, tuple)):
        if not isinstance(received, (list, tuple)) or len(received) != len(expected):
            return f"expected a {type(expected).__name__} of length {len(expected)}"
        for i, (r, e) in enumerate(zip(received, expected)):
            inner = _difference(r, e, rtol, atol)
            if inner:
                return f"at position {i}: {inner}"
        return ""
    if isinstance(expected, float):
        if not isinstance(received, (int, float, np.number)) or not np.isclose(received, expected, rtol=rtol, atol=atol):
            return "values differ"
        return ""
    if received != expected:
        return "values differ"
    return ""


def _short(value, limit=120):
    """A one-line description of ``value`` for messages, cut to ``limit`` characters."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=4, separator=", ", threshold=20).replace("\n", "")
    else:
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_run_cases_args(name, student_function, cases, call):
    require_type("name", name, str, "the exercise's function name (a string)")
    if not isinstance(cases, list):
        raise TypeError(f"cases: expected a list of (args, expected) pairs; got {type(cases).__name__}")
    if not cases or any(not isinstance(case, tuple) or len(case) != 2 for case in cases):
        raise ValueError(f"cases: expected a non-empty list of (args, expected) pairs; got {cases!r:.80}")
    if call is not None:
        require_function("call", call, "a function call(student_function, *args)")
