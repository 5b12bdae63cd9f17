"""Fixtures shared by several test files."""

import pytest


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

    The check prints its line of success for the ``right`` answer, raises
    AssertionError (whose message matches ``match``, if given) for each of the
    ``wrongs``, and lets the NotImplementedError of ``unfinished`` through.
    """
    def grade_check(check, right, wrongs, unfinished, match=None):
        check(right)
        assert " cases correct" in capsys.readouterr().out
        for wrong in wrongs:
            with pytest.raises(AssertionError, match=match):
                check(wrong)
        with pytest.raises(NotImplementedError):
            check(unfinished)

    return grade_check
