"""Which cells the exercises need (cell_dependencies): what the student notebooks' work-through may leave out."""

from types import SimpleNamespace

import nbformat
import pytest
from cell_dependencies import CellCode, needed_cells


@pytest.mark.parametrize("source, reads, binds", [
    ("x = x + 1", {"x"}, {"x"}),
    ("for k in ks:\n    print(k)", {"ks", "print"}, {"k"}),
    ("squares = [i * i for i in items]", {"items"}, {"squares"}),
    ("def f(a):\n    return a + vocab\nf(2)", {"vocab"}, {"f"}),
    ("import numpy as np\nx = np.zeros(3)", set(), {"np", "x"}),
    ("with open(path) as handle:\n    text = handle.read()", {"open", "path"}, {"handle", "text"}),
    ("%matplotlib inline\nfig = plt.figure()", {"get_ipython", "plt"}, {"fig"}),
])
def test_a_cell_reads_what_it_uses_before_binding_it(source, reads, binds):
    code = CellCode(source)
    assert (code.reads, code.binds) == (reads, binds)


@pytest.mark.parametrize("source, changes", [
    ("train(model, data)", {"model"}),
    ("evaluate(data, model)", {"data"}),
    ("model.train()\nresults.append(1)\ntable[0] = 2\nsettings.lr = 0.1\ntotal += 1", {"model", "results", "table",
                                                                                          "settings"}),
    ("print(model)\nn = len(data)\nnames = list(results.keys())\nx = log(scores['a'])", set()),
    ("model = make()\nmodel.train()", set()),   # its own new object, not one from above
])
def test_a_cell_may_change_what_it_hands_to_a_function_or_a_method(source, changes):
    assert CellCode(source).changes == changes


def chapter(*sources, solution, check):
    """A notebook of code cells, and its one exercise: the solution cell and the check cell (indices)."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    return notebook, [SimpleNamespace(solution_cells=[solution], check_cell=check)]


def test_a_slow_cell_is_left_out_unless_it_changes_what_the_check_reads():
    cells = ("import numpy as np\nV = len('abc')",                      # 0
             "model = Model(V)",                                        # 1
             "history = train(model, V, epochs=60)",                    # 2: slow
             "print(history)\nnoise = np.random.normal(size=V)",        # 3: a module is never changed
             "def answer(x):\n    return x",                            # 4: the solution
             "check(answer, np.ones(V))")                               # 5: the check
    notebook, exercises = chapter(*cells, solution=4, check=5)
    assert needed_cells(notebook, exercises) == {0}                     # V is a number: train() cannot change it
    notebook.cells[5].source = "check(answer, V)\nprint(answer(model))"
    assert needed_cells(notebook, exercises) == {0, 1, 2}               # the model the check reads is the trained one


def test_the_last_binding_wins_and_changes_after_it_count():
    cells = ("results = slow()",                                        # 0: bound again below
             "results = []",                                            # 1
             "results.append(1)",                                       # 2: changes it
             "print(sorted(results))\nnames = list(results.keys())",   # 3: reads only
             "def answer():\n    pass",                                 # 4: the solution
             "check(answer, results)")                                  # 5
    notebook, exercises = chapter(*cells, solution=4, check=5)
    assert needed_cells(notebook, exercises) == {1, 2}


def test_the_exercise_cells_bind_nothing_a_cleared_answer_reads_the_cells_above():
    cells = ("double = lambda x: x + x",                                # 0: what a cleared answer cell leaves
             "def double(x):\n    return 2 * x",                        # 1: the solution
             "check(double)")                                           # 2
    notebook, exercises = chapter(*cells, solution=1, check=2)
    assert needed_cells(notebook, exercises) == {0}


def test_a_cell_that_binds_nothing_runs_when_what_it_reads_runs():
    cells = ("import torch",                                            # 0
             "torch.manual_seed(0)",                                    # 1: binds nothing, reads what runs
             "curve = slow()",                                          # 2: nobody needs it
             "plot(curve)",                                             # 3: binds nothing, reads what is left out
             "def answer():\n    pass",                                 # 4
             "check(answer, torch.zeros(2))")                           # 5
    notebook, exercises = chapter(*cells, solution=4, check=5)
    assert needed_cells(notebook, exercises) == {0, 1}
