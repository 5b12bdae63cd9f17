"""Tests of lessons_src.data: the toy language, the vocabulary, splits, one-hot batches."""

import numpy as np
import pytest

from lessons_src.data import EOS, UNK, Vocabulary, make_batch, one_hot, split_dataset
from lessons_src.language import generate_dataset


# --- generate_dataset ---------------------------------------------------------------------------

def test_every_sequence_follows_the_rule():
    sequences = generate_dataset(num_sequences=200, max_n=7, min_n=2, seed=1)
    assert len(sequences) == 200
    seen_n = set()
    for sequence in sequences:
        n = (len(sequence) - 1) // 3
        assert sequence == ["a"] * n + ["b"] * n + ["a"] * n + [EOS]
        seen_n.add(n)
    assert seen_n == set(range(2, 8))


def test_same_seed_same_data_other_seed_other_data():
    assert generate_dataset(seed=5) == generate_dataset(seed=5)
    assert generate_dataset(seed=5) != generate_dataset(seed=6)


def test_default_data_set_is_the_one_the_book_shows():
    sequences = generate_dataset()
    assert len(sequences) == 256
    assert {len(s) for s in sequences} == {4, 7, 10, 13, 16}


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"num_sequences": 0}, ValueError, "num_sequences"),
        ({"num_sequences": 2.5}, TypeError, "num_sequences"),
        ({"min_n": 0}, ValueError, "min_n"),
        ({"min_n": 4, "max_n": 3}, ValueError, "max_n"),
    ],
)
def test_generate_dataset_rejects_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        generate_dataset(**kwargs)


# --- Vocabulary ---------------------------------------------------------------------------------

def test_words_are_ordered_by_frequency_then_first_appearance():
    sequences = [["z", "y"], ["y", "x", "x"], ["w", "z"]]  # z 2, y 2, x 2, w 1: ties keep z, y, x
    vocab = Vocabulary.from_sequences(sequences)
    assert vocab.tokens == ["z", "y", "x", "w", UNK]
    assert vocab.unk_index == 4
    assert len(vocab) == 5


def test_frequency_beats_first_appearance():
    vocab = Vocabulary.from_sequences([["rare", "common"], ["common", "common"]])
    assert vocab.tokens == ["common", "rare", UNK]


def test_default_vocabulary():
    vocab = Vocabulary.from_sequences(generate_dataset())
    assert vocab.tokens == ["a", "b", EOS, UNK]


def test_top_k_keeps_the_most_frequent_and_maps_the_rest_to_unk():
    vocab = Vocabulary.from_sequences(generate_dataset(), max_size=2)
    assert vocab.tokens == ["a", "b", UNK]
    assert vocab.encode(["a", "b", EOS]).tolist() == [0, 1, vocab.unk_index]


def test_max_size_larger_than_the_word_count_keeps_every_word():
    assert Vocabulary.from_sequences([["a", "b"]], max_size=10).tokens == ["a", "b", UNK]


def test_encode_decode_round_trip():
    vocab = Vocabulary.from_sequences(generate_dataset())
    for sequence in generate_dataset(num_sequences=10, seed=9):
        ids = vocab.encode(sequence)
        assert ids.dtype == np.int64 and ids.shape == (len(sequence),)
        assert vocab.decode(ids) == sequence


def test_unknown_tokens_become_unk():
    vocab = Vocabulary.from_sequences(generate_dataset())
    ids = vocab.encode(["r", "n", "n", "a"])
    assert ids.tolist() == [vocab.unk_index] * 3 + [0]
    assert vocab.decode(ids) == [UNK, UNK, UNK, "a"]
    assert "r" not in vocab and "a" in vocab


def test_unk_in_the_data_is_not_counted_twice():
    vocab = Vocabulary.from_sequences([["a", UNK, UNK, UNK]])
    assert vocab.tokens == ["a", UNK]


def test_empty_encode_and_decode():
    vocab = Vocabulary(["a"])
    assert vocab.encode([]).shape == (0,)
    assert vocab.decode([]) == []


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: Vocabulary.from_sequences([]), ValueError, "sequences: expected at least one"),
        (lambda: Vocabulary.from_sequences("a b a"), TypeError, "sequences"),
        (lambda: Vocabulary.from_sequences(["ab"]), TypeError, r"sequences\[0\]"),
        (lambda: Vocabulary.from_sequences([["a"]], max_size=0), ValueError, "max_size"),
        (lambda: Vocabulary(["a", "a"]), ValueError, "distinct"),
        (lambda: Vocabulary(["a"]).encode("a"), TypeError, "tokens"),
        (lambda: Vocabulary(["a"]).decode([2]), ValueError, "ids: expected ids from 0 to 1"),
        (lambda: Vocabulary(["a"]).decode([0.5]), TypeError, "ids: expected integer"),
    ],
)
def test_vocabulary_rejects_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()


# --- split_dataset ------------------------------------------------------------------------------

def test_default_split_sizes_add_up_and_keep_order():
    sequences = generate_dataset()
    train, val, test = split_dataset(sequences)
    assert (len(train), len(val), len(test)) == (205, 26, 25)
    assert train + val + test == sequences


@pytest.mark.parametrize(
    "size, shares, expected",
    [
        (10, (0.8, 0.1, 0.1), (8, 1, 1)),
        (3, (0.8, 0.1, 0.1), (3, 0, 0)),
        (1, (0.8, 0.1, 0.1), (1, 0, 0)),
        (2, (0.5, 0.5, 0.0), (1, 1, 0)),
        (7, (1.0, 0.0, 0.0), (7, 0, 0)),
        (5, (0.0, 0.0, 1.0), (0, 0, 5)),
        (9, (1 / 3, 1 / 3, 1 / 3), (3, 3, 3)),
    ],
)
def test_split_sizes_on_tiny_data_sets(size, shares, expected):
    sequences = [["a", EOS]] * size
    parts = split_dataset(sequences, *shares)
    assert tuple(len(part) for part in parts) == expected


@pytest.mark.parametrize(
    "shares, words",
    [
        ((0.8, 0.1, 0.2), "sum to 1"),
        ((0.5, 0.5, 0.5), "sum to 1"),
        ((1.2, -0.1, -0.1), "p_train"),
        ((0.9, -0.1, 0.2), "p_val"),
        ((0.8, 0.1, "0.1"), "p_test: expected a number between 0 and 1; got '0.1' \\(str\\)"),
    ],
)
def test_split_rejects_bad_shares(shares, words):
    with pytest.raises(TypeError if "str" in words else ValueError, match=words):
        split_dataset(generate_dataset(), *shares)


def test_split_rejects_an_empty_data_set():
    with pytest.raises(ValueError, match="sequences"):
        split_dataset([])


# --- one_hot ------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(), (5,), (3, 2), (2, 3, 4)])
def test_one_hot_adds_one_axis_for_any_shape(shape):
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 6, size=shape)
    encoded = one_hot(ids, 6)
    assert encoded.shape == shape + (6,)
    assert encoded.dtype == np.float64
    assert np.all(encoded.sum(axis=-1) == 1.0)
    assert np.array_equal(encoded.argmax(axis=-1), ids)


def test_one_hot_of_a_single_id():
    assert one_hot(2, 4).tolist() == [0.0, 0.0, 1.0, 0.0]


@pytest.mark.parametrize(
    "ids, size, error, words",
    [
        ([0, 4], 4, ValueError, "ids: expected ids from 0 to 3"),
        ([-1], 4, ValueError, "ids: expected ids from 0 to 3"),
        ([0], 0, ValueError, "vocab_size: expected a positive integer; got 0"),
        ([0], 2.0, TypeError, "vocab_size"),
        ([0.0, 1.0], 4, TypeError, "ids: expected integer"),
    ],
)
def test_one_hot_rejects_bad_input(ids, size, error, words):
    with pytest.raises(error, match=words):
        one_hot(np.array(ids), size)


# --- make_batch ---------------------------------------------------------------------------------

def test_make_batch_shifts_pads_and_masks():
    vocab = Vocabulary(["a", "b", EOS])
    batch = [["a", "b", "a", EOS], ["a", "a", "b", "b", "a", "a", EOS]]
    inputs, targets, mask = make_batch(batch, vocab)
    assert inputs.shape == (6, 2, 4) and targets.shape == (6, 2) and mask.shape == (6, 2)
    # first sequence: 3 real steps, then padding
    assert mask[:, 0].tolist() == [1, 1, 1, 0, 0, 0]
    assert mask[:, 1].tolist() == [1] * 6
    assert vocab.decode(inputs[:3, 0].argmax(axis=-1)) == ["a", "b", "a"]
    assert vocab.decode(targets[:3, 0]) == ["b", "a", EOS]
    assert vocab.decode(inputs[:, 1].argmax(axis=-1)) == batch[1][:-1]
    assert vocab.decode(targets[:, 1]) == batch[1][1:]
    # padding: no input token, target 0, mask 0
    assert np.all(inputs[3:, 0] == 0.0)
    assert np.all(targets[3:, 0] == 0)


def test_make_batch_of_equal_lengths_has_no_padding():
    sequences = [["a", "b", "a", EOS]] * 5
    inputs, targets, mask = make_batch(sequences, Vocabulary.from_sequences(sequences))
    assert inputs.shape == (3, 5, 4)
    assert np.all(mask == 1.0)
    assert np.all(inputs.sum(axis=-1) == 1.0)


def test_make_batch_encodes_unknown_words_as_unk():
    vocab = Vocabulary(["a", EOS])
    inputs, targets, _ = make_batch([["a", "zebra", EOS]], vocab)
    assert inputs[1, 0, vocab.unk_index] == 1.0
    assert targets[0, 0] == vocab.unk_index


@pytest.mark.parametrize(
    "sequences, error, words",
    [
        ([], ValueError, "sequences: expected at least one sequence"),
        ([["a", EOS], []], ValueError, r"sequences\[1\]: expected at least 2 tokens"),
        ([["a"]], ValueError, r"sequences\[0\]: expected at least 2 tokens"),
        (["a b"], TypeError, r"sequences\[0\]"),
    ],
)
def test_make_batch_rejects_bad_input(sequences, error, words):
    with pytest.raises(error, match=words):
        make_batch(sequences, Vocabulary(["a", EOS]))


def test_make_batch_needs_a_vocabulary():
    with pytest.raises(TypeError, match="vocab: expected a Vocabulary"):
        make_batch([["a", EOS]], {"a": 0})
