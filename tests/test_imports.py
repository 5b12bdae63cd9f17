"""The structure of lessons_src: no import circle, small modules, and PyTorch only where it is needed."""

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lessons_src"
MAX_LINES = 300
LONGER_FOR_NOW = {}


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path):
    """The modules of the package that ``path`` imports, anywhere in the file (inside functions too)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = f"{base}.{node.module}" if node.level and node.module else (base if node.level else node.module)
            if target.startswith("lessons_src"):
                found.add(target)
                found.update(f"{target}.{alias.name}" for alias in node.names)   # from .checks import lstm
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("lessons_src"))
    return found


def import_graph():
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: sorted(target for target in imported_modules(path) if target in modules and target != name)
            for name, path in modules.items()}


def find_circles(graph):
    """Every circle that a depth-first walk of ``graph`` (module -> imported modules) meets, as a list of modules."""
    state, circles = {}, []

    def visit(name, trail):
        state[name] = "open"
        for target in graph.get(name, []):
            if state.get(target) == "open":
                circles.append(trail[trail.index(target):] + [target])
            elif target not in state:
                visit(target, trail + [target])
        state[name] = "done"

    for name in graph:
        if name not in state:
            visit(name, [name])
    return circles


def test_no_import_circle():
    graph = import_graph()
    assert "lessons_src.lstm" in graph["lessons_src.torch_lstm"]           # the graph is read at all
    assert "lessons_src.torch_models" in graph["lessons_src.counting"]      # imports inside functions count too
    assert find_circles(graph) == []


def test_the_circle_finder_finds_a_circle():
    assert find_circles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c", "a"]]


def test_validation_imports_nothing_from_the_package():
    assert import_graph()["lessons_src.validation"] == []


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_module_is_long(path):
    lines = len(path.read_text().splitlines())
    if str(path.relative_to(PACKAGE)) in LONGER_FOR_NOW:
        pytest.xfail(LONGER_FOR_NOW[str(path.relative_to(PACKAGE))])
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines; split it (at most {MAX_LINES})"


def test_the_numpy_modules_import_without_torch():
    """With ``import torch`` made to fail, the NumPy chapters' modules still load (chapters 1-3 need no PyTorch)."""
    code = textwrap.dedent("""
        import sys

        class NoTorch:
            def find_spec(self, name, path=None, target=None):
                if name == "torch" or name.startswith("torch."):
                    raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)")
                return None

        sys.meta_path.insert(0, NoTorch())
        import lessons_src.data, lessons_src.language, lessons_src.rnn, lessons_src.lstm, lessons_src.gru, lessons_src.checks
        import lessons_src.plots, lessons_src.train, lessons_src.generate, lessons_src.gradcheck, lessons_src.counting
        import lessons_src.assignments
        try:
            import lessons_src.torch_models
        except ModuleNotFoundError as error:
            assert "blocked by the test" in str(error), error
        else:
            raise AssertionError("the blocker let torch through")
        assert "torch" not in sys.modules
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=PACKAGE.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
