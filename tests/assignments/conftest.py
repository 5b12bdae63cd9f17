"""Fixtures of the tests of lessons_src.assignments (student notebooks, nbgrader, the exercise table)."""

import nbformat
import pytest
from assignment_helpers import BOOK
from synthetic import synthetic_chapter

from lessons_src import assignments


@pytest.fixture
def synthetic_book(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    nbformat.write(synthetic_chapter(), book / "01_doubling.ipynb")
    return book


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("student_notebooks")


@pytest.fixture
def chapter_pair(request, student_dir):
    """(instructor notebook, student notebook written by write_student_notebooks, the student file)."""
    chapter = request.param
    (student_path,) = assignments.write_student_notebooks(student_dir, [chapter], BOOK)
    return (nbformat.read(chapter, as_version=4), nbformat.read(student_path, as_version=4), student_path)
