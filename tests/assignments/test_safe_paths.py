"""No tool writes into the book by any path: links and paths that lead into book/ are refused, book/ unchanged.

The scenario of issue 17: an output folder holding a link named like a chapter, pointing to the book's chapter
(instructors often link chapters into an nbgrader ``source/`` folder). Each refusal leaves every file of book/
byte-identical and writes nothing at all.
"""

import os

import pytest
from assignment_helpers import BOOK, CHAPTERS, ROOT, file_hashes, run_main

from lessons_src import assignments
from lessons_src.assignments import UnsafeTargetError

CHAPTER = CHAPTERS[0]


@pytest.fixture(scope="module")
def book_before():
    return file_hashes(BOOK)


@pytest.fixture
def unchanged_book(book_before):
    yield
    assert file_hashes(BOOK) == book_before, "a refused command changed book/"


def refused(*args, message):
    result = run_main(*args, "--chapters", CHAPTER.name[:2])
    assert result.returncode == 2, (args, result.stdout)
    assert message in result.stderr, result.stderr
    assert result.stdout == "", "something was written before the refusal"
    return result


@pytest.mark.parametrize("for_nbgrader", [[], ["--for-nbgrader"]], ids=["students", "nbgrader-source"])
def test_a_link_named_like_a_chapter_inside_the_output_folder(tmp_path, unchanged_book, for_nbgrader):
    out = tmp_path / "source" / "ch01"
    out.mkdir(parents=True)
    (out / CHAPTER.name).symlink_to(CHAPTER)
    refused(str(out), *for_nbgrader, message=f"{out / CHAPTER.name} is a link to {CHAPTER}")
    assert (out / CHAPTER.name).is_symlink() and sorted(os.listdir(out)) == [CHAPTER.name]


def test_a_linked_output_folder_is_refused_wherever_it_points(tmp_path, unchanged_book):
    to_book, elsewhere = tmp_path / "to_book", tmp_path / "elsewhere"
    to_book.symlink_to(BOOK, target_is_directory=True)
    (tmp_path / "real").mkdir()
    elsewhere.symlink_to(tmp_path / "real", target_is_directory=True)
    refused(str(to_book), message="expected a real folder, not a link")
    refused(str(elsewhere), message="expected a real folder, not a link")
    assert os.listdir(tmp_path / "real") == []


def test_a_folder_inside_a_linked_folder_that_leads_into_the_book(tmp_path, unchanged_book):
    (tmp_path / "to_book").symlink_to(BOOK, target_is_directory=True)
    refused(str(tmp_path / "to_book" / "student"), message="expected a folder outside")
    assert not (BOOK / "student").exists()


def test_a_relative_path_that_climbs_into_the_book(tmp_path, unchanged_book, monkeypatch):
    monkeypatch.chdir(tmp_path)
    climbing = os.path.join(os.path.relpath(ROOT, tmp_path), "student_notebooks", "..", "book", "student")
    assert climbing.startswith("..")
    refused(climbing, message="expected a folder outside")
    assert not (BOOK / "student").exists()


def test_a_hard_link_to_a_chapter_is_refused(tmp_path, unchanged_book):
    out = tmp_path / "out"
    out.mkdir()
    try:
        os.link(CHAPTER, out / CHAPTER.name)
    except OSError as error:  # another file system
        pytest.skip(f"no hard link here: {error}")
    refused(str(out), message="is a hard link")


def test_a_link_among_several_targets_refuses_them_all_before_writing_any(tmp_path, unchanged_book):
    out = tmp_path / "out"
    out.mkdir()
    last = CHAPTERS[-1]
    (out / last.name).symlink_to(tmp_path / "anywhere.ipynb")
    with pytest.raises(UnsafeTargetError, match="is a link to"):
        assignments.write_student_notebooks(out, CHAPTERS, BOOK)
    assert sorted(os.listdir(out)) == [last.name]


def test_a_file_replaced_by_a_link_after_the_check_is_replaced_not_followed(tmp_path, unchanged_book, monkeypatch):
    """write_files moves a finished temporary file into place: a link that appears meanwhile is replaced."""
    from lessons_src.assignments import safe_paths

    out = tmp_path / "out"
    out.mkdir()
    checked, calls = safe_paths.check_targets, []

    def check_then_link(*args, **kwargs):
        targets = checked(*args, **kwargs)
        calls.append(args)
        if len(calls) == 2:                               # the last check before writing
            (out / "a.ipynb").symlink_to(CHAPTER)        # made between the check and the write
        return targets

    monkeypatch.setattr(safe_paths, "check_targets", check_then_link)
    (written,) = safe_paths.write_files(out, {"a.ipynb": "new text"}, BOOK)
    assert not written.is_symlink() and written.read_text() == "new text"
