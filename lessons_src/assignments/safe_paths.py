"""Writing outside the book only: every target resolved to its real path, links refused, nothing half written.

The student notebooks (and the nbgrader course's copies) are written by
``write_files``. Before anything is written, each target is checked:

- the output folder must not be a symbolic link, and its real path (every
  link on the way followed) must lie outside the book's folder;
- each file to write must not be a symbolic link, nor a hard link (a second
  name of a file that may be a chapter), and its real path must lie outside
  the book's folder.

One refused target refuses them all, with a message that names it, and nothing
is written. Each file is then written to a temporary file beside it and moved
into place, so even a link made after the check is replaced, not followed.
"""

import os
import tempfile
from pathlib import Path

from .convention import as_path


class UnsafeTargetError(ValueError):
    """A target that would write into the book, or through a link (the message names it)."""


def check_targets(out_dir, names, book_dir, what="OUT_DIR"):
    """The paths ``out_dir/name`` for each of ``names``, after checking that writing them cannot touch the book.

    Raises UnsafeTargetError (a ValueError) naming the first refused target;
    ``what`` names the folder in the message.
    """
    out_dir, book_dir = as_path(what, out_dir), as_path("book_dir", book_dir)
    book = Path(os.path.realpath(book_dir))
    if out_dir.is_symlink():
        raise UnsafeTargetError(f"{what}: expected a real folder, not a link; got {out_dir}, a link to "
                                f"{os.readlink(out_dir)} (write into the folder itself, never through a link)")
    real_dir = Path(os.path.realpath(out_dir))
    if _inside(real_dir, book):
        raise UnsafeTargetError(f"{what}: expected a folder outside {book_dir} (the chapters with their "
                                f"solutions); got {out_dir}, which is {real_dir}")
    if out_dir.exists() and not out_dir.is_dir():
        raise UnsafeTargetError(f"{what}: expected a folder; got the file {out_dir}")
    targets = []
    for name in names:
        if Path(name).name != name or name in ("", ".", ".."):
            raise UnsafeTargetError(f"{what}: expected plain file names to write; got {name!r}")
        target = out_dir / name
        if target.is_symlink():
            raise UnsafeTargetError(f"{what}: {target} is a link to {os.readlink(target)}; writing it would "
                                    "change the file it points to. Remove the link first")
        if target.exists():
            if not target.is_file():
                raise UnsafeTargetError(f"{what}: expected {target} to be a file; it is a folder")
            if target.stat().st_nlink > 1:
                raise UnsafeTargetError(f"{what}: {target} is a hard link (the same file as another name, "
                                        "perhaps a chapter's); remove it first")
            if _inside(Path(os.path.realpath(target)), book):
                raise UnsafeTargetError(f"{what}: {target} is inside {book_dir}")
        targets.append(target)
    return targets


def write_files(out_dir, contents, book_dir, what="OUT_DIR"):
    """Write ``contents`` (``{file name: text}``) into ``out_dir`` once every target passed ``check_targets``.

    Creates ``out_dir`` if it is missing; returns the written paths in the order of ``contents``.
    """
    if not isinstance(contents, dict):
        raise TypeError(f"contents: expected a dict {{file name: text}}; got {type(contents).__name__}")
    targets = check_targets(out_dir, list(contents), book_dir, what)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    targets = check_targets(out_dir, list(contents), book_dir, what)  # again: the folder now exists
    for target, text in zip(targets, contents.values()):
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(text)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)   # replaces a directory entry; never writes through a link
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return targets


def _inside(path, folder):
    return path == folder or folder in path.parents
