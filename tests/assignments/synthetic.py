"""A small synthetic chapter that follows the exercise convention: the machinery's tests run on it."""

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output


def synthetic_chapter():
    """A small chapter with two exercises: one inside a function, one at the top level with two regions."""
    cells = [
        new_markdown_cell("# Doubling numbers\n\nA tiny chapter."),
        new_code_cell(
            "import numpy as np\n"
            "from lessons_src.checks._core import run_cases\n"
            "\n"
            "def check_double(double):\n"
            "    run_cases('double', double, [((np.array([x]),), np.array([2 * x])) for x in [1.0, 2.5, -3.0]])\n"
            "\n"
            "def check_table(table):\n"
            "    if not callable(table):\n"
            "        raise AssertionError(f'table() is {table!r}; expected a function')\n"
            "    got = table()\n"
            "    if got != {'one': 1, 'two': 4}:\n"
            "        raise AssertionError(f'table() returned {got!r}; expected {{\"one\": 1, \"two\": 4}}')\n"
            "    print('table: 1 of 1 cases correct')"),
        new_code_cell("print(np.arange(3))", execution_count=2,
                      outputs=[new_output("stream", name="stdout", text="[0 1 2]\n")]),
        new_markdown_cell("## Exercises\n\n```{exercise} Double an array\n:label: ex-double\n\n"
                          "Write `double(x)` that returns `2 * x`. Use no loop (e.g. not `for v in x.flat`).\n```"),
        new_markdown_cell("```{solution-start} ex-double\n:class: dropdown\n```"),
        new_code_cell("def double(x):\n"
                      "    ### BEGIN SOLUTION\n"
                      "    twice = x + x\n"
                      "    return twice\n"
                      "    ### END SOLUTION", metadata={"tags": ["solution"]}),
        new_markdown_cell("```{solution-end}\n```"),
        new_code_cell("check_double(double)", execution_count=4,
                      outputs=[new_output("stream", name="stdout", text="double: 3 of 3 cases correct\n")]),
        new_markdown_cell("````{exercise} A table of squares\n:label: ex-table\n\n"
                          "Fill in `squares` | a dict.\n\n```python\nsquares['one']\n```\n````"),
        new_markdown_cell("```{solution-start} ex-table\n:class: dropdown\n```"),
        new_code_cell("squares = {}\n"
                      "### BEGIN SOLUTION\n"
                      "squares['one'] = 1\n"
                      "### END SOLUTION\n"
                      "if True:\n"
                      "        ### BEGIN SOLUTION\n"
                      "        squares['two'] = 4\n"
                      "        ### END SOLUTION\n"
                      "table = lambda: squares", metadata={"tags": ["solution"]}),
        new_markdown_cell("```{solution-end}\n```"),
        new_markdown_cell("Now check it:"),
        new_code_cell("check_table(table)"),
        new_markdown_cell("## What you can do now\n\n- Double things."),
    ]
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"
    return notebook
