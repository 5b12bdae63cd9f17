"""Paths and small helpers shared by the tests of lessons_src.assignments."""

import hashlib
import subprocess
import sys
from pathlib import Path

from lessons_src import assignments

ROOT = Path(__file__).resolve().parent.parent.parent
BOOK = ROOT / "book"
CHAPTERS = assignments.find_chapters(BOOK)


def run_command(*args):
    return subprocess.run([sys.executable, "-m", "lessons_src.assignments", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def file_hashes(folder):
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(Path(folder).rglob("*")) if path.is_file()}
