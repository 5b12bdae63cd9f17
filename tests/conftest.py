"""Fixtures shared by several test files."""

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
