"""Time every chapter the way a student's first run goes: top to bottom in a fresh kernel.

    python scripts/time_chapters.py [--repeat 3] [--update-page]

For each chapter ``book/NN_*.ipynb`` (found, not listed), start a fresh kernel
in ``book/``, run every code cell in order and measure the whole run (kernel
start included) and its slowest cell; repeat ``--repeat`` times and keep the
fastest run (the one least disturbed by other work). Prints the machine (CPU,
cores, Python, NumPy, PyTorch), the load average before and after, and a
Markdown table. ``--update-page`` writes the table into book/instructors.md,
between ``<!-- chapter-times:start ... -->`` and ``<!-- chapter-times:end -->``,
keeping the class-time estimate of each chapter already there; the sentence
above the table (machine and load) is rewritten too.

The slowest cell tells which ``c.Execute.timeout`` nbgrader needs (its default
is 30 s per cell).
"""

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lessons_src.assignments import INSTRUCTORS_PAGE, chapter_name, find_chapters, find_exercises  # noqa: E402

START = "<!-- chapter-times:start (measured by python scripts/time_chapters.py --update-page) -->"
END = "<!-- chapter-times:end -->"
NOT_ESTIMATED = "not estimated yet"


def time_chapter(path):
    """``(seconds for the whole run, seconds of the slowest cell)`` of one run in a fresh kernel."""
    notebook = nbformat.read(path, as_version=4)
    slowest = [0.0]
    started = {}

    def on_cell_execute(cell, cell_index):
        started["t"] = time.perf_counter()

    def on_cell_executed(cell, cell_index, execute_reply):
        slowest[0] = max(slowest[0], time.perf_counter() - started["t"])

    client = NotebookClient(notebook, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}},
                            on_cell_execute=on_cell_execute, on_cell_executed=on_cell_executed)
    begin = time.perf_counter()
    client.execute()
    return time.perf_counter() - begin, slowest[0]


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = [f"Python {platform.python_version()}"]
    for module in ("numpy", "torch"):
        try:
            versions.append(f"{module} {__import__(module).__version__}")
        except ImportError:
            pass
    return f"{cpu}, {os.cpu_count()} cores, {', '.join(versions)}"


def load():
    return "{:.1f}, {:.1f}, {:.1f}".format(*os.getloadavg())


def class_times(page_text):
    """``{chapter link: class time}`` from the table already on the page."""
    times = {}
    for line in page_text.split(START, 1)[-1].split(END, 1)[0].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0].startswith("["):
            times[cells[0]] = cells[-1]
    return times


def seconds(value):
    return f"{value:.1f} s" if value < 10 else f"{value:.0f} s"


def table(rows, estimates):
    lines = ["| Chapter | Run time | Slowest cell | Exercises | Class time |", "|---|---|---|---|---|"]
    for link, total, slowest, exercises in rows:
        lines.append(f"| {link} | {seconds(total)} | {seconds(slowest)} | {exercises} | "
                     f"{estimates.get(link, NOT_ESTIMATED)} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per chapter; the fastest is kept (default 3)")
    parser.add_argument("--update-page", action="store_true", help=f"write the table into book/{INSTRUCTORS_PAGE}")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat: expected at least 1; got {args.repeat}")
    before = load()
    rows = []
    for path in find_chapters(ROOT / "book"):
        runs = [time_chapter(path) for _ in range(args.repeat)]
        total, slowest = min(runs)
        notebook = json.loads(path.read_text(encoding="utf-8"))
        rows.append((f"[{chapter_name(path, notebook)}]({path.name})", total, slowest,
                     len(find_exercises(notebook, path.name))))
        print(f"{path.name}: {total:.1f} s (slowest cell {slowest:.1f} s); runs: "
              + ", ".join(f"{run[0]:.1f}" for run in runs), flush=True)
    after = load()
    page_path = ROOT / "book" / INSTRUCTORS_PAGE
    page = page_path.read_text(encoding="utf-8")
    result = table(rows, class_times(page))
    where = (f"Measured by `python scripts/time_chapters.py` (the fastest of {args.repeat} runs of each chapter) on "
             f"{machine()}; load average {before} before and {after} after (1, 5 and 15 minutes).")
    print(f"\n{where}\n\n{result}")
    if args.update_page:
        if START not in page or END not in page:
            parser.error(f"book/{INSTRUCTORS_PAGE}: expected the markers {START!r} and {END!r}")
        head, rest = page.split(START, 1)
        _, tail = rest.split(END, 1)
        page_path.write_text(f"{head}{START}\n{where}\n\n{result}\n{END}{tail}", encoding="utf-8")
        print(f"updated book/{INSTRUCTORS_PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
