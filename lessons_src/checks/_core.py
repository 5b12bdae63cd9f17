"""What every check shares: call the student's function on cases, compare, report.

A check either prints one line, ``name: N of N cases correct``, or raises
``AssertionError`` naming the case, the expected and the received value.
``NotImplementedError`` from an unfinished exercise passes through unchanged,
so a student notebook stops at the first exercise still to be done.
"""

import copy

import numpy as np

from ..validation import require_function, require_type


def run_cases(name, student_function, cases, rtol=1e-7, atol=1e-9):
    """Check ``student_function`` on ``cases`` and print one line of success.

    cases: a list of ``(args, expected)`` where ``args`` is a tuple of
    positional arguments. Each call gets deep copies of its arguments, so a
    function that changes its inputs cannot spoil the next case.
    """
    _check_run_cases_args(name, student_function, cases)
    for args, expected in cases:
        call = f"{name}({', '.join(_short(arg) for arg in args)})"
        try:
            received = student_function(*copy.deepcopy(args))
        except NotImplementedError:
            raise
        except Exception as error:
            raise AssertionError(f"{call} raised {type(error).__name__}: {error}") from error
        assert_same(call, received, expected, rtol=rtol, atol=atol)
    print(f"{name}: {len(cases)} of {len(cases)} cases correct")


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


def _check_run_cases_args(name, student_function, cases):
    require_function(name, student_function)
    if not isinstance(cases, list):
        raise TypeError(f"cases: expected a list of (args, expected) pairs; got {type(cases).__name__}")
    if not cases or any(not isinstance(case, tuple) or len(case) != 2 for case in cases):
        raise ValueError(f"cases: expected a non-empty list of (args, expected) pairs; got {cases!r:.80}")
