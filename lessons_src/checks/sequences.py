"""Checks for the exercises of chapter 1, "Representing sequences"."""

from ..data import Vocabulary, make_batch, one_hot
from ..language import generate_dataset
from ._core import run_cases


def check_one_hot_encode(one_hot_encode):
    """``one_hot_encode(index, vocab_size)`` -> float vector of shape ``(vocab_size,)``."""
    cases = [((index, size), one_hot(index, size)) for index, size in [(0, 4), (2, 4), (3, 4), (0, 1), (5, 6), (1, 10)]]
    run_cases("one_hot_encode", one_hot_encode, cases)


def check_shift_by_one(shift_by_one):
    """``shift_by_one(tokens)`` -> ``(inputs, targets)``: all tokens but the last, all but the first."""
    sequences = [
        ["a", "b", "a", "EOS"],
        ["a", "a", "b", "b", "a", "a", "EOS"],
        ["a", "EOS"],
        ["the", "cat", "sat", "EOS"],
    ]
    cases = [((sequence,), (sequence[:-1], sequence[1:])) for sequence in sequences]
    run_cases("shift_by_one", shift_by_one, cases)


def check_top_k_words(top_k_words):
    """``top_k_words(sequences, k)`` -> the k most frequent words, ties by first appearance."""
    toy = generate_dataset(num_sequences=20, seed=3)
    tied = [["x", "y"], ["y", "x", "z"], ["z", "w"]]  # x, y, z twice each; w once
    inputs = [(toy, 1), (toy, 2), (toy, 3), (toy, 10), (tied, 2), (tied, 3), (tied, 4)]
    cases = [((sequences, k), Vocabulary.from_sequences(sequences, max_size=k).tokens[:-1]) for sequences, k in inputs]
    run_cases("top_k_words", top_k_words, cases)


def check_make_mask(make_mask):
    """``make_mask(lengths)`` -> ``(T, B)`` float mask, 1.0 for the first ``lengths[b]`` steps of column b."""
    vocab = Vocabulary(["a"])
    cases = []
    for lengths in [[3], [3, 1, 2], [2, 2], [1, 4, 4, 2], [5, 1]]:
        # make_batch turns a sequence of length + 1 tokens into `length` steps: its mask is the answer.
        _, _, mask = make_batch([["a"] * (length + 1) for length in lengths], vocab)
        cases.append(((lengths,), mask))
    run_cases("make_mask", make_mask, cases)
