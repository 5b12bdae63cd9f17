"""Answers written the way a student writes them: code run in a namespace whose ``__name__`` is ``"__main__"``.

A check grades only what was defined in the notebook (the kernel's ``__main__``
module) and refuses anything else, the library's own functions included. A test
that hands a check an answer must therefore define it as a notebook does:

- ``student_function(source, name=None, **names)`` runs ``source`` (a ``def``, a
  ``class`` or an assignment) with ``names`` as its globals and returns what it
  defined (the object called ``name``; the only new name if ``name`` is None);
- ``as_student(obj)`` turns an existing function or class (the library's, or one
  of the test module's) into a student's answer that does the same: a function
  that calls it, or a subclass of it, defined in ``__main__``.
"""

import inspect
import textwrap


def student_function(source, name=None, **names):
    """What ``source`` defines when run as a notebook cell, with ``names`` (e.g. ``np=np``) as its globals."""
    namespace = {"__name__": "__main__", **names}
    before = set(namespace)
    exec(compile(textwrap.dedent(source), "<student's answer cell>", "exec"), namespace)
    if name is None:
        new = sorted(set(namespace) - before - {"__builtins__"})
        if len(new) != 1:
            raise ValueError(f"source: expected one new name (or pass name=); got {new}")
        name = new[0]
    return namespace[name]


def as_student(obj, name=None):
    """A student's answer that behaves as ``obj`` (a function or a class), defined in ``__main__``."""
    name = name or getattr(obj, "__name__", "answer")
    if not name.isidentifier():  # a lambda
        name = "answer"
    if inspect.isclass(obj):
        return student_function(f"class {name}(_original):\n    pass\n", name, _original=obj)
    if not callable(obj):
        raise TypeError(f"obj: expected a function or a class; got {type(obj).__name__}")
    return student_function(f"def {name}(*args, **kwargs):\n    return _original(*args, **kwargs)\n", name,
                            _original=obj)
