"""Paths and small helpers shared by the tests of lessons_src.assignments."""

import contextlib
import hashlib
import io
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from lessons_src import assignments
from lessons_src.assignments.__main__ import main

ROOT = Path(__file__).resolve().parent.parent.parent
BOOK = ROOT / "book"
CHAPTERS = assignments.find_chapters(BOOK)


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def run_command(*args):
    """``python -m lessons_src.assignments ARGS`` in a new process, from the repository's folder."""
    return subprocess.run([sys.executable, "-m", "lessons_src.assignments", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def run_main(*args):
    """The same command in this process (much faster: no new interpreter, nbformat already loaded)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as stop:
            code = stop.code
    return Result(code, out.getvalue(), err.getvalue())


def file_hashes(folder):
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(Path(folder).rglob("*")) if path.is_file()}
