"""Show the code that runs: the chapters display the real source of lessons_src."""

import inspect

from IPython.display import Markdown, display


def show_source(obj):
    """Display the source of a function, class or module as a highlighted Python block.

    The chapters call this (in a cell whose input is hidden in the HTML book),
    so the reader sees exactly the code the notebook imports, never a copy.
    """
    if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismodule(obj) or inspect.ismethod(obj)):
        raise TypeError(f"obj: expected a function, class, method or module; got {type(obj).__name__}")
    try:
        source = inspect.getsource(obj)
    except OSError as error:
        raise ValueError(f"obj: expected something defined in a source file; {obj!r:.60} has no source ({error})") from None
    display(Markdown(f"```python\n{source.rstrip()}\n```"))
