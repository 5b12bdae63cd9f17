"""Which cells of a notebook the exercises need: the cells whose names (and changes) reach the exercises' cells.

A student notebook worked through (``notebook_kernel.work_through``) runs only
these cells: the others, the slow training cells among them, are run by nbval in
the book and by nbgrader's test in the student notebooks (tests/nbgrader).

The analysis reads each cell's code in the order Python runs it:

- a cell **reads** a name that it uses before binding it (a name used inside a
  function, a lambda or a comprehension counts where that is defined);
- a cell **binds** the names its top-level code assigns, defines or imports;
- a cell **may change** a name it reads when it assigns to an item or an
  attribute of it, calls a method of it (other than the few below that change
  nothing), or passes it (not an item of it) as the first argument to a
  function (other than a builtin that changes nothing): a function that changes
  what it is given usually changes its first argument (``np.add.at(counts,
  ...)``, ``nn.init.zeros_(bias)``, ``train_torch(model, ...)``). A name bound
  to a module, a function, a class, a number or a string never counts as changed.

A cell reading ``name`` needs the last cell above it that binds ``name``, and
every cell between the two that may change it. The exercise cells bind nothing
here: an answer as handed out, or cleared, binds nothing either, so the check
then reads what the cells above left. What an exercise cell needs is needed;
so is, in turn, what a needed cell needs. A cell that binds nothing (a seed, a
setting) runs too when every cell it needs runs.

Not seen: a function that changes another argument (``train(forward, backward,
params, ...)``, whose chapters bind ``params`` in the same cell), or an object
changed through another (``optimizer.step()`` changes the model's weights). A
cell left out that an exercise did need shows as a failed try of that exercise
in the tests, and nbgrader's test runs every cell.
"""

import ast

from IPython.core.inputtransformer2 import TransformerManager

# Functions that change none of their arguments, and methods that change nothing of their object.
UNCHANGING_FUNCTIONS = frozenset({
    "abs", "all", "any", "bool", "dict", "enumerate", "float", "format", "glue", "int", "isinstance", "iter", "len",
    "list", "map", "max", "min", "print", "range", "repr", "reversed", "round", "set", "show_source", "sorted", "str",
    "sum", "tuple", "type", "zip"})
UNCHANGING_METHODS = frozenset({
    "astype", "copy", "count", "detach", "get", "index", "item", "items", "keys", "max", "mean", "min", "numpy",
    "reshape", "std", "sum", "tolist", "values"})


class CellCode:
    """What one cell's code ``reads``, ``binds`` (``fixed``: to what no cell can change) and ``changes`` (names)."""

    def __init__(self, source):
        tree = ast.parse(TransformerManager().transform_cell(source))   # magics become Python first
        self.reads, self.binds, self.fixed, self.changes = set(), set(), set(), set()
        for statement in tree.body:
            self._statement(statement)

    # -- reading and binding, in the order Python runs them -------------------------------------------------------
    def _read(self, name):
        if name not in self.binds:
            self.reads.add(name)

    def _statement(self, node):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = {(alias.asname or alias.name).split(".")[0] for alias in node.names}
            self.binds |= names
            self.fixed |= names
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for part in (*node.decorator_list, *getattr(node, "bases", []), *_defaults(node)):
                self._expression(part)
            self._inner_scope(node)
            self.binds.add(node.name)
            self.fixed.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            if node.value is not None:
                self._expression(node.value)
            for target in getattr(node, "targets", [getattr(node, "target", None)]):
                if isinstance(node, ast.AugAssign) and isinstance(target, ast.Name):
                    self._read(target.id)
                self._target(target)
                if not isinstance(node, ast.AugAssign):
                    self.fixed |= _unchangeable_names(target, node.value)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self._expression(node.iter)
            self._target(node.target)
            for inner in (*node.body, *node.orelse):
                self._statement(inner)
        else:   # if, while, with, try, expressions, return...: their expressions, then their statements, in order
            for field, value in ast.iter_fields(node):
                for child in (value if isinstance(value, list) else [value]):
                    if isinstance(child, ast.stmt):
                        self._statement(child)
                    elif isinstance(child, ast.withitem):
                        self._expression(child.context_expr)
                        if child.optional_vars is not None:
                            self._target(child.optional_vars)
                    elif isinstance(child, ast.excepthandler):
                        if child.type is not None:
                            self._expression(child.type)
                        if child.name:
                            self.binds.add(child.name)
                        for inner in child.body:
                            self._statement(inner)
                    elif isinstance(child, ast.AST):
                        self._expression(child)

    def _target(self, target):
        """An assignment's target: a name is bound; an item or attribute of a name changes that name."""
        if isinstance(target, ast.Name):
            self.binds.add(target.id)
            self.fixed.discard(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._target(element)
        elif isinstance(target, ast.Starred):
            self._target(target.value)
        else:   # x[i] = ..., x.a = ...
            self._expression(target)
            self._change(target)

    def _expression(self, node):
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            self._inner_scope(node)
            return
        if isinstance(node, ast.NamedExpr):
            self._expression(node.value)
            self.binds.add(node.target.id)
            return
        if isinstance(node, ast.Name):
            self._read(node.id)
            return
        if isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Attribute) and function.attr not in UNCHANGING_METHODS:
                self._change(function.value)               # model.train(), results.append(...)
            first = node.args[0] if node.args else None
            if first is not None and not isinstance(first, ast.Subscript) and not (
                    isinstance(function, ast.Name) and function.id in UNCHANGING_FUNCTIONS):
                self._change(first)                        # train_torch(model, ...), np.add.at(counts, ...)
        for child in ast.iter_child_nodes(node):
            self._expression(child)

    def _inner_scope(self, node):
        """A function, class, lambda or comprehension: it reads the names it uses and binds nowhere inside."""
        inner = set()
        for child in ast.walk(node):
            if isinstance(child, ast.arg):
                inner.add(child.arg)
            elif isinstance(child, ast.Name) and not isinstance(child.ctx, ast.Load):
                inner.add(child.id)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and child is not node:
                inner.add(child.name)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                inner |= {(alias.asname or alias.name).split(".")[0] for alias in child.names}
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load) and child.id not in inner:
                self._read(child.id)

    def _change(self, node):
        """``node`` (a name, or an item or attribute of one) may be changed: record the name if read from above."""
        while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
            node = node.value
        if isinstance(node, ast.Name) and node.id not in self.binds:
            self.changes.add(node.id)


def _unchangeable_names(target, value):
    """The names ``target = value`` binds to a number, a string or ``len(...)`` (``V = len(vocab)``, ``K, B = 32, 8``)."""
    if isinstance(target, ast.Name):
        return {target.id} if _unchangeable(value) else set()
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
        return set().union(*(_unchangeable_names(t, v) for t, v in zip(target.elts, value.elts)))
    return set()


def _unchangeable(value):
    if isinstance(value, (ast.Constant, ast.JoinedStr)):
        return True
    if isinstance(value, ast.Tuple):
        return all(_unchangeable(element) for element in value.elts)
    if isinstance(value, (ast.BinOp, ast.UnaryOp)):
        return all(_unchangeable(part) for part in (getattr(value, "left", None), getattr(value, "right", None),
                                                   getattr(value, "operand", None)) if part is not None)
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id in {"len", "int", "float", "round", "str", "bool"})


def _defaults(node):
    arguments = getattr(node, "args", None)
    return [*arguments.defaults, *(value for value in arguments.kw_defaults if value is not None)] if arguments else []


def needed_cells(notebook, exercises):
    """The indices of the non-exercise code cells that the exercises of ``notebook`` need (see the module's text)."""
    exercise_cells = {index for exercise in exercises for index in (*exercise.solution_cells, exercise.check_cell)}
    code = {index: CellCode(cell.source) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"}

    def providers(index):
        """The cells above ``index`` whose bindings or changes of the names it reads reach it."""
        above = [i for i in sorted(code) if i < index and i not in exercise_cells]
        found = set()
        for name in code[index].reads:
            binder = next((i for i in reversed(above) if name in code[i].binds), None)
            if binder is not None:
                found.add(binder)
                if name not in code[binder].fixed:   # a module, a function, a number: never changed
                    found |= {i for i in above if i > binder and name in code[i].changes}
        return found

    needed, waiting = set(), sorted(exercise_cells & code.keys())
    while waiting:
        for cell in providers(waiting.pop()) - needed:
            needed.add(cell)
            waiting.append(cell)
    for index in sorted(code):
        if index not in exercise_cells and index not in needed and not code[index].binds and providers(index) <= needed:
            needed.add(index)
    return needed

