"""The checks of chapter 1 accept right answers and reject typical wrong ones with a helpful message.

Every answer is handed over as a student's (``as_student``: defined in ``__main__``, as in a notebook).
"""

from collections import Counter

import numpy as np
import pytest

from student_code import as_student

from lessons_src.checks import check_make_mask, check_one_hot_encode, check_shift_by_one, check_top_k_words


def right_one_hot(index, vocab_size):
    return np.eye(vocab_size)[index]


def right_top_k(sequences, k):
    return [word for word, _ in Counter(t for s in sequences for t in s).most_common(k)]


def right_mask(lengths):
    return (np.arange(max(lengths))[:, None] < np.array(lengths)[None, :]).astype(float)


def test_right_answers_pass(capsys):
    check_one_hot_encode(as_student(right_one_hot))
    check_shift_by_one(as_student(lambda tokens: (tokens[:-1], tokens[1:])))
    check_top_k_words(as_student(right_top_k))
    check_make_mask(as_student(right_mask))
    assert capsys.readouterr().out.splitlines() == [
        "one_hot_encode: 6 of 6 cases correct",
        "shift_by_one: 4 of 4 cases correct",
        "top_k_words: 7 of 7 cases correct",
        "make_mask: 5 of 5 cases correct",
    ]


@pytest.mark.parametrize(
    "check, wrong, message",
    [
        (check_one_hot_encode, lambda i, v: np.zeros(v), r"one_hot_encode\(0, 4\) returned \[0., 0., 0., 0.\]; expected \[1., 0., 0., 0.\]"),
        (check_one_hot_encode, lambda i, v: np.eye(v + 1)[i], r"shape \(5,\) instead of \(4,\)"),
        (check_one_hot_encode, lambda i, v: np.eye(v)[i - 1], r"one_hot_encode\(0, 4\)"),
        (check_shift_by_one, lambda t: (t[1:], t[:-1]), r"shift_by_one\(\['a', 'b', 'a', 'EOS'\]\)"),
        (check_shift_by_one, lambda t: (t[:-1], t[:-1]), "at position 1"),
        (check_top_k_words, lambda s, k: right_top_k(s, k) + ["UNK"], r"top_k_words\("),
        (check_top_k_words, lambda s, k: sorted(set(t for x in s for t in x))[:k], r"top_k_words\("),
        (check_top_k_words, lambda s, k: right_top_k(s, k - 1), r"top_k_words\("),
        (check_make_mask, lambda lengths: right_mask(lengths).T, r"make_mask\(\[3\]\).*shape \(1, 3\) instead of \(3, 1\)"),
        (check_make_mask, lambda lengths: (np.arange(max(lengths))[:, None] <= np.array(lengths)).astype(float), r"make_mask\(\[3, 1, 2\]\)"),
    ],
)
def test_wrong_answers_are_rejected_with_the_failing_case(check, wrong, message):
    with pytest.raises(AssertionError, match=message):
        check(as_student(wrong))


def test_an_unfinished_exercise_raises_not_implemented_error():
    def unfinished(index, vocab_size):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match="one_hot_encode is not written yet"):
        check_one_hot_encode(as_student(unfinished))


def test_a_crash_is_reported_with_its_case():
    with pytest.raises(AssertionError, match=r"one_hot_encode\(0, 4\) raised ZeroDivisionError"):
        check_one_hot_encode(as_student(lambda i, v: 1 / 0))
