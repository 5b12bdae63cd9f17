"""The checks of chapter 1 accept right answers and reject typical wrong ones, naming the case and the mistake.

Every answer is written as a student writes it: source code run as a notebook cell (``__name__ == "__main__"``).
"""

import itertools
import linecache
import textwrap

import numpy as np
import pytest

from lessons_src.checks import (check_batch_shape, check_decode_batch, check_make_mask, check_time_major_ids,
                                check_unknown_share)
from lessons_src.data import Vocabulary


_CELLS = itertools.count()


def student(source, **names):
    """The one function that ``source`` defines, run as a notebook cell with ``names`` (and np) as globals.

    Like IPython, it puts the cell's source into ``linecache``, where ``inspect.getsource`` finds it.
    """
    namespace = {"__name__": "__main__", "np": np, "Vocabulary": Vocabulary, **names}
    before = set(namespace)
    source = textwrap.dedent(source)
    filename = f"<answer cell {next(_CELLS)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), namespace)
    (name,) = set(namespace) - before - {"__builtins__"}
    return namespace[name]


RIGHT = {
    check_batch_shape: """
        def batch_shape(counts, vocab_size):
            return (3 * max(counts), len(counts), vocab_size), 3 * sum(counts)
        """,
    check_unknown_share: """
        def unknown_share(train_sequences, new_sequences, k):
            vocab = Vocabulary.from_sequences(train_sequences, max_size=k)
            tokens = [token for sequence in new_sequences for token in sequence]
            return sum(token not in vocab for token in tokens) / len(tokens)
        """,
    check_make_mask: """
        def make_mask(lengths):
            return (np.arange(max(lengths))[:, None] < np.array(lengths)[None, :]).astype(float)
        """,
    check_decode_batch: """
        def decode_batch(inputs, mask, vocab):
            ids = inputs.argmax(axis=-1)
            return [vocab.decode(ids[:int(mask[:, b].sum()), b]) for b in range(ids.shape[1])]
        """,
    check_time_major_ids: """
        def time_major_ids(sequences, vocab, pad=-1):
            ids = np.full((max(map(len, sequences)), len(sequences)), pad)
            for b, sequence in enumerate(sequences):
                ids[:len(sequence), b] = vocab.encode(sequence)
            return ids
        """,
}


def test_right_answers_pass(capsys):
    for check, source in RIGHT.items():
        check(student(source))
    assert capsys.readouterr().out.splitlines() == [
        "batch_shape: 6 of 6 cases correct",
        "unknown_share: 7 of 7 cases correct",
        "make_mask: 5 of 5 cases correct",
        "decode_batch: 5 of 5 cases correct",
        "time_major_ids: 6 of 6 cases correct",
    ]


WRONG = [
    (check_batch_shape, "return (3 * max(counts) + 1, len(counts), vocab_size), sum(3 * n + 1 for n in counts)",
     r"batch_shape\(\(1, 3, 2\), 4\) returned \(\(10, 3, 4\), 21\); expected \(\(9, 3, 4\), 18\).*3n \+ 1 tokens"),
    (check_batch_shape, "return (3 * max(counts), len(counts), vocab_size), 3 * max(counts) * len(counts)",
     r"batch_shape\(\(1, 3, 2\), 4\).*padded positions"),
    (check_batch_shape, "return (len(counts), 3 * max(counts), vocab_size), 3 * sum(counts)",
     r"batch_shape\(\(1, 3, 2\), 4\).*time-major"),
    (check_unknown_share, "return float(np.mean(np.concatenate([Vocabulary.from_sequences(new_sequences, "
                          "max_size=k).encode(s) == k for s in new_sequences])))",
     r"unknown_share\(\[\['the'.*from the training sequences"),
    (check_unknown_share, "vocab = Vocabulary.from_sequences(train_sequences, max_size=k)\n"
                          "            return float(np.mean([any(t not in vocab for t in s) for s in new_sequences]))",
     r"unknown_share\(.*count tokens, not sequences"),
    (check_unknown_share, "vocab = Vocabulary.from_sequences(train_sequences, max_size=k)\n"
                          "            words = {t for s in new_sequences for t in s}\n"
                          "            return sum(w not in vocab for w in words) / len(words)",
     r"unknown_share\(.*not the distinct words"),
    (check_make_mask, "return (np.arange(max(lengths))[:, None] < np.array(lengths)).astype(float).T",
     r"make_mask\(\[3, 1, 2\]\).*shape \(3, 3\)|make_mask\(\[3\]\).*shape \(1, 3\) instead of \(3, 1\).*time-major"),
    (check_make_mask, "return (np.arange(max(lengths))[:, None] <= np.array(lengths)).astype(float)",
     r"make_mask\(\[3, 1, 2\]\).*counted from 0"),
    (check_decode_batch, "return [vocab.decode(column) for column in inputs.argmax(axis=-1).T]",
     r"decode_batch\(.*argmax of zeros is 0"),
    (check_decode_batch, "return [vocab.decode(row) for row in inputs.argmax(axis=-1)]",
     r"decode_batch\(.*the column inputs\[:, b\]"),
    (check_time_major_ids, "length = max(map(len, sequences))\n"
                           "            rows = [np.concatenate([vocab.encode(s), np.full(length - len(s), pad)]) "
                           "for s in sequences]\n"
                           "            return np.array(rows).reshape(length, len(sequences))",
     r"time_major_ids\(\[\['a', 'b', 'a', 'EOS'\].*reshape\(L, B\)"),
    (check_time_major_ids, "length = max(map(len, sequences))\n"
                           "            return np.array([np.concatenate([vocab.encode(s), np.zeros(length - len(s), "
                           "int)]) for s in sequences]).T",
     r"time_major_ids\(.*0 is the id of a word"),
]


@pytest.mark.parametrize("check, body, message", WRONG, ids=[f"{check.__name__}-{n}" for n, (check, _, _) in
                                                             enumerate(WRONG)])
def test_typical_wrong_answers_are_rejected_naming_the_case_and_the_mistake(check, body, message):
    name = check.__name__.removeprefix("check_")
    arguments = {"batch_shape": "counts, vocab_size", "unknown_share": "train_sequences, new_sequences, k",
                 "make_mask": "lengths", "decode_batch": "inputs, mask, vocab",
                 "time_major_ids": "sequences, vocab, pad=-1"}[name]
    with pytest.raises(AssertionError, match=message):
        check(student(f"def {name}({arguments}):\n    {body}\n".replace("\n            ", "\n    ")))


@pytest.mark.parametrize("body, kind", [
    ("mask = np.zeros((max(lengths), len(lengths)))\n    for b, n in enumerate(lengths):\n"
     "        mask[:n, b] = 1.0\n    return mask", "for"),
    ("return np.array([[float(t < n) for n in lengths] for t in range(max(lengths))])", "a list comprehension"),
])
def test_make_mask_refuses_a_python_loop(body, kind):
    with pytest.raises(AssertionError, match=rf"make_mask uses a Python loop \({kind}\).*np.arange"):
        check_make_mask(student(f"def make_mask(lengths):\n    {body}\n"))


def test_make_mask_without_its_source_is_graded_by_its_cases(capsys):
    namespace = {"__name__": "__main__", "np": np}
    exec(compile("def make_mask(lengths):\n    mask = np.zeros((max(lengths), len(lengths)))\n"
                 "    for b, n in enumerate(lengths):\n        mask[:n, b] = 1.0\n    return mask\n",
                 "<no source>", "exec"), namespace)
    check_make_mask(namespace["make_mask"])
    assert capsys.readouterr().out.strip() == "make_mask: 5 of 5 cases correct"


@pytest.mark.parametrize("check", list(RIGHT))
def test_an_unfinished_exercise_raises_not_implemented_error(check):
    with pytest.raises(NotImplementedError):
        check(student("def answer(*args):\n    raise NotImplementedError()\n"))


def test_a_crash_is_reported_with_its_case():
    with pytest.raises(AssertionError, match=r"make_mask\(\[3\]\) raised ZeroDivisionError"):
        check_make_mask(student("def make_mask(lengths):\n    return 1 / 0\n"))
