"""Fixtures shared by several test files."""

import re

import pytest
from student_code import as_student


@pytest.fixture
def one_torch_thread():
    """Run the test with PyTorch on one thread: small models train many times faster so on two busy cores."""
    import torch  # here, not at the top: most test files never need torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def grade(capsys):
    """``grade(check, right, wrongs, unfinished, match=None)``: what every exercise check must do.

    Each answer is handed to the check as a student's (``as_student``: defined
    in ``__main__``, as a notebook defines it). The check prints its line of
    success for the ``right`` answer, raises AssertionError (whose message
    matches ``match``, if given) for each of the ``wrongs``, and stops the
    ``unfinished`` one with a NotImplementedError that says what to do. Given
    ``right`` itself, which was not defined in a notebook (the library's
    function, or one of the test module), the check refuses to grade it.
    """
    def grade_check(check, right, wrongs, unfinished, match=None):
        with pytest.raises(AssertionError, match="not written in this notebook|the book's own"):
            check(right)
        check(as_student(right))
        assert " cases correct" in capsys.readouterr().out
        for wrong in wrongs:
            with pytest.raises(AssertionError, match=match):
                check(as_student(wrong))
        with pytest.raises(NotImplementedError, match="not written yet: replace `raise NotImplementedError\\(\\)`"):
            check(as_student(unfinished))

    return grade_check


@pytest.hookimpl(optionalhook=True)   # pytest -p no:xdist runs the tests in one process
def pytest_xdist_make_scheduler(config, log):
    """With ``--dist loadfile``, one work unit per chapter for tests parametrised by chapter, and the long units first.

    A test whose parameter id starts with a chapter's stem (``[01_representing_sequences]``,
    ``[01_representing_sequences:ex-one-hot]``) is scheduled with the other tests of that file and chapter:
    they share the chapter's one kernel run (tests/assignments/test_working_through.py), and the chapters
    spread over the workers. Every other test is grouped by file, as loadfile does (nbval needs it).

    The units that take longest go out first, so that no worker is left with one while the other idles:
    the browser tests, then the chapters (nbval's run of each notebook, and its student notebook worked
    through), later chapters first (they train larger models), then everything else.
    """
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class ChapterScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid):
            match = CHAPTER_PARAMETER.match(nodeid)
            return f"{match['file']}[{match['chapter']}]" if match else super()._split_scope(nodeid)

        def _assign_work_unit(self, node):
            if not getattr(self, "_longest_first", False):
                units = sorted(self.workqueue.items(), key=lambda unit: expected_length(unit[0]))
                self.workqueue.clear()
                self.workqueue.update(units)
                self._longest_first = True
            super()._assign_work_unit(node)

    return ChapterScheduling(config, log)


CHAPTER_PARAMETER = re.compile(r"^(?P<file>[^:]+\.py)::[^\[]+\[(?P<chapter>\d\d_\w+)")
CHAPTER_UNIT = re.compile(r"^(book/(?P<notebook>\d\d)_\w+\.ipynb|[^\[]+\[(?P<chapter>\d\d)_\w+\])$")


def expected_length(scope):
    """A sort key for a work unit: the browser tests first, then the chapters, the last chapter first, then the rest."""
    if scope.startswith("tests/browser/"):
        return (0, 0)
    chapter = CHAPTER_UNIT.match(scope)
    if chapter:
        return (1, -int(chapter["notebook"] or chapter["chapter"]))
    return (2, 0)
