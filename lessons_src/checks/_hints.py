"""Checks that name what is wrong: which part of the answer, where in time, and which usual mistake it looks like.

``run_cases_with_hints`` grades like ``_core.run_cases`` (the student's own
function, on cases, one line of success) and, when an answer is wrong, says
more than "values differ":

- ``parts(value) -> {name: array}`` splits an answer into named parts (for
  example ``grads['W_hh']`` and ``dh_prev``): the message names the first wrong
  part;
- ``mistakes``: ``(hint, wrong)`` pairs, where ``wrong(*args)`` returns what a
  known mistake returns; when the student's wrong part equals that mistake's,
  the hint is added;
- ``locate(function, args) -> str``: anything else the check can find out,
  for example the first time step at which the answer goes wrong;
- ``call(function, *args) -> value``: what is compared when it is not simply
  the return value (for example the effect on a module changed in place); the
  mistakes are called through it too.
"""

import copy

import numpy as np

from ..validation import require_function, require_type
from ._core import _difference, _short, call_student, require_student_function


def run_cases_with_hints(name, function, cases, mistakes=(), parts=None, locate=None, rtol=1e-7, atol=1e-9,
                         call=None):
    """Check ``function`` on ``cases`` (``(args, expected)`` pairs); print one line of success or raise AssertionError."""
    _check_hints_args(name, cases, mistakes, parts, locate, call)
    call = call or (lambda answer, *args: answer(*args))
    require_student_function(name, function)
    for args, expected in cases:
        call_text = f"{name}({', '.join(_short(arg, 60) for arg in args)})"
        received = call_student(call_text, call, function, *copy.deepcopy(args))
        with np.errstate(all="ignore"):                # an inf or nan in the answer is reported, not warned about
            problem = wrong_part(received, expected, parts, rtol, atol)
        if problem is None:
            continue
        part, difference = problem
        message = f"{call_text}: {part} is wrong ({difference})" if part else \
            f"{call_text} returned {_short(received)}; expected {_short(expected)} ({difference})"
        if locate is not None:
            where = locate(function, args)
            message += f"; {where}" if where else ""
        with np.errstate(all="ignore"):
            hints = [hint for hint, wrong in mistakes
                     if _same_mistake(lambda *a, wrong=wrong: call(wrong, *a), args, received, part, parts, rtol, atol)]
        if hints:
            message += ". Hint: " + " Or: ".join(hints)
        raise AssertionError(message)
    print(f"{name}: {len(cases)} of {len(cases)} cases correct")


def wrong_part(received, expected, parts=None, rtol=1e-7, atol=1e-9):
    """``None`` if ``received`` equals ``expected``; else ``(name of the first wrong part or "", what differs)``."""
    difference = _difference(received, expected, rtol, atol)
    if not difference:
        return None
    if parts is None:
        return "", difference
    try:
        received_parts = parts(received)
    except Exception:                                  # not even shaped like an answer: say what came back
        return "", difference
    for part, value in parts(expected).items():
        if part not in received_parts:
            return part, "missing"
        inner = _difference(received_parts[part], value, rtol, atol)
        if inner:
            return part, inner
    return "", difference


def _same_mistake(wrong, args, received, part, parts, rtol, atol):
    """Whether the mistake ``wrong`` gives the same value as ``received`` (in the wrong ``part``, if one is named)."""
    try:
        mistaken = wrong(*copy.deepcopy(args))
    except Exception:
        return False
    if part and parts is not None:
        try:
            return not _difference(parts(received)[part], parts(mistaken)[part], rtol, atol)
        except Exception:
            return False
    return not _difference(received, mistaken, rtol, atol)


class Named(dict):
    """A dict (parameters, a cache) that a failing case names by ``name`` instead of printing its arrays."""

    def __init__(self, name, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.name = name

    def __repr__(self):
        return self.name


def _check_hints_args(name, cases, mistakes, parts, locate, call):
    require_type("name", name, str, "the exercise's function name (a string)")
    if not isinstance(cases, list) or not cases or any(not isinstance(c, tuple) or len(c) != 2 for c in cases):
        raise ValueError(f"cases: expected a non-empty list of (args, expected) pairs; got {cases!r:.80}")
    for hint, wrong in mistakes:
        require_type("hint", hint, str, "a hint (a string)")
        require_function("wrong", wrong, "a function that makes the mistake")
    if parts is not None:
        require_function("parts", parts, "a function answer -> {part name: value}")
    if locate is not None:
        require_function("locate", locate, "a function (function, args) -> a sentence")
    if call is not None:
        require_function("call", call, "a function call(function, *args) -> the value compared")
