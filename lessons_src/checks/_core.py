"""What every check shares: call the student's function on cases, compare, report.

A check either prints one line, ``name: N of N cases correct``, or raises
``AssertionError`` naming the case, the expected and the received value.
``NotImplementedError`` from an unfinished exercise passes through unchanged,
so a student notebook stops at the first exercise still to be done.
"""

import copy

import numpy as np


def run_cases(name, student_function, cases, rtol=1e-7, atol=1e-9):
    """Check ``student_function`` on ``cases`` and print one line of success.

    cases: a list of ``(args, expected)`` where ``args`` is a tuple of
    positional arguments. Each call gets deep copies of its arguments, so a
    function that changes its inputs cannot spoil the next case.
    """
    if not callable(student_function):
        raise TypeError(f"{name}: expected a function; got {type(student_function).__name__}")
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
    message = _difference(received, expected, rtol, atol)
    if message:
        raise AssertionError(f"{what} returned {_short(received)}; expected {_short(expected)} ({message})")


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
