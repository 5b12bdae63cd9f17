"""The command: ``python -m lessons_src.assignments OUT_DIR`` (see ``--help``)."""

import argparse
import sys
from pathlib import Path

from .convention import BOOK_DIR, CHAPTER_PATTERN, find_chapters
from .edition import _default_out_dir, build_student_edition
from .nbgrader import stamp_notebook_file
from .students import write_student_notebooks
from .table import INSTRUCTORS_PAGE, toc_files, update_exercise_table


def select_chapters(requested, book_dir=BOOK_DIR):
    """The chapter paths named by ``requested`` (``01``, ``1``, ``01_name``, ``[book/]01_name.ipynb``); all if None."""
    chapters = find_chapters(book_dir)
    if not requested:
        return chapters
    selected = []
    for request in requested:
        name = Path(request).name  # a path such as book/01_name.ipynb names its chapter too
        matches = [path for path in chapters
                   if name in (path.name, path.stem) or (name.isdigit() and int(name) == int(path.name[:2]))]
        if len(matches) != 1:
            known = ", ".join(path.stem for path in chapters) or "none"
            raise ValueError(f"--chapters: unknown chapter {request!r}; the chapters are: {known}")
        if matches[0] not in selected:
            selected.append(matches[0])
    return selected


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m lessons_src.assignments",
        description="Write student notebooks (solutions taken out) into OUT_DIR, one per chapter. "
                    "With --stamp-nbgrader or --update-exercise-table, maintain the chapters instead.")
    parser.add_argument("out_dir", metavar="OUT_DIR", nargs="?", help="folder for the student notebooks "
                        "(created if missing; never inside book/, never a link)")
    parser.add_argument("--for-nbgrader", action="store_true",
                        help="keep the solutions between the ### BEGIN/END SOLUTION markers: write the notebooks "
                             "that nbgrader's generate_assignment turns into student notebooks (OUT_DIR is then "
                             "an assignment folder of the course, e.g. source/ch01)")
    parser.add_argument("--chapters", nargs="+", metavar="CHAPTER",
                        help="chapters to convert, e.g. 01 03_lstm_gates (default: every chapter)")
    parser.add_argument("--book-dir", type=Path, default=BOOK_DIR, help=argparse.SUPPRESS)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--stamp-nbgrader", action="store_true",
                      help="add or refresh the nbgrader metadata of the solution and check cells in book/")
    mode.add_argument("--student-edition", action="store_true",
                      help="build the student edition of the site (no solution in any page, search index or "
                           "download) into OUT_DIR/html; OUT_DIR defaults to _build/student")
    mode.add_argument("--update-exercise-table", action="store_true",
                      help=f"regenerate the table of exercises in book/{INSTRUCTORS_PAGE}")
    args = parser.parse_args(argv)
    maintaining = args.stamp_nbgrader or args.update_exercise_table
    if args.student_edition:
        if args.chapters or args.for_nbgrader:
            parser.error("--student-edition: builds every chapter; expected neither --chapters nor --for-nbgrader")
        try:
            html_dir = build_student_edition(args.out_dir or _default_out_dir(args.book_dir), args.book_dir)
        except (ValueError, OSError, RuntimeError) as error:
            parser.exit(2, f"{parser.prog}: error: {error}\n")
        print(f"built the student edition into {html_dir} (open {html_dir / 'index.html'})")
        return 0
    if maintaining and args.for_nbgrader:
        parser.error("--for-nbgrader: expected OUT_DIR, not a maintenance option")
    if maintaining and args.out_dir:
        parser.error("OUT_DIR: expected none with --stamp-nbgrader or --update-exercise-table; "
                     f"got {args.out_dir}")
    if not maintaining and not args.out_dir:
        parser.error("OUT_DIR: expected the folder to write the student notebooks into; got nothing")
    try:
        chapters = select_chapters(args.chapters, args.book_dir)
        if not chapters:
            raise ValueError(f"book: expected chapters {CHAPTER_PATTERN} in {args.book_dir}; found none")
        if args.stamp_nbgrader:
            for path in chapters:
                changed = stamp_notebook_file(path)
                print(f"{'stamped' if changed else 'unchanged'} {path}")
        elif args.update_exercise_table:
            if args.chapters:
                raise ValueError("--chapters: the exercise table always lists every chapter")
            page = args.book_dir / INSTRUCTORS_PAGE
            changed = update_exercise_table(page, chapters, toc_files(args.book_dir.parent))
            print(f"{'updated' if changed else 'unchanged'} {page}")
        else:
            for path in write_student_notebooks(args.out_dir, chapters, args.book_dir,
                                                keep_solutions=args.for_nbgrader):
                print(f"wrote {path}")
    except (ValueError, OSError) as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
