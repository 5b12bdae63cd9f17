"""Tests of lessons_src.perplexity: perplexity and the counting baselines, checked by hand."""

import math

import numpy as np
import pytest

from lessons_src.perplexity import baseline_perplexities, bigram_probabilities, perplexity, unigram_probabilities


def test_perplexity_is_exp_of_the_mean_cross_entropy():
    assert perplexity(0.0) == 1.0
    assert perplexity(math.log(97)) == pytest.approx(97.0, rel=1e-12)
    assert perplexity(np.float64(1.5)) == pytest.approx(math.exp(1.5))


def test_unigram_counts_with_add_one_smoothing():
    ids = np.array([0, 0, 1, 0])
    # counts 3, 1, 0 plus one each: 4, 2, 1 of 7
    assert np.allclose(unigram_probabilities(ids, 3), [4 / 7, 2 / 7, 1 / 7])
    assert np.allclose(unigram_probabilities(ids, 3, smoothing=0.5), [3.5 / 5.5, 1.5 / 5.5, 0.5 / 5.5])


def test_bigram_rows_are_the_smoothed_counts_of_what_follows():
    ids = np.array([0, 1, 0, 1, 1, 2])
    P = bigram_probabilities(ids, 3)
    assert np.allclose(P.sum(axis=1), 1.0)
    # after 0: 1 twice; after 1: 0 once, 1 once, 2 once; after 2: nothing
    assert np.allclose(P[0], [1 / 5, 3 / 5, 1 / 5])
    assert np.allclose(P[1], [2 / 6, 2 / 6, 2 / 6])
    assert np.allclose(P[2], [1 / 3, 1 / 3, 1 / 3])


def test_baselines_predict_the_same_targets_as_the_model():
    train = np.array([0, 1, 0, 1, 1, 2])
    val = np.array([1, 0, 1, 2])
    result = baseline_perplexities(train, val, 3)
    assert result["uniform"] == pytest.approx(3.0)
    unigram = unigram_probabilities(train, 3)
    assert result["unigram"] == pytest.approx(math.exp(-np.mean(np.log(unigram[[0, 1, 2]]))))
    P = bigram_probabilities(train, 3)
    assert result["bigram"] == pytest.approx(math.exp(-np.mean(np.log([P[1, 0], P[0, 1], P[1, 2]]))))


def test_a_text_that_follows_its_bigrams_beats_the_unigram_and_the_uniform_model():
    text = np.tile([0, 1, 2, 3], 50)                    # every character decides the next
    result = baseline_perplexities(text[:150], text[150:], 5)
    assert result["bigram"] < 1.2 < result["unigram"] < result["uniform"] == pytest.approx(5.0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: perplexity(-0.1), ValueError, "mean_cross_entropy: expected a finite number >= 0"),
    (lambda: perplexity(float("inf")), ValueError, "mean_cross_entropy: expected a finite number"),
    (lambda: perplexity("1.0"), TypeError, "mean_cross_entropy: expected a number"),
    (lambda: unigram_probabilities(np.array([0, 3]), 3), ValueError, r"ids: expected ids from 0 to 2"),
    (lambda: unigram_probabilities(np.array([], dtype=int), 3), ValueError, "ids: expected a 1-D array of at least 1"),
    (lambda: unigram_probabilities([0, 1], 3), TypeError, "ids: expected a NumPy array"),
    (lambda: unigram_probabilities(np.array([0.0, 1.0]), 3), TypeError, "ids: expected integer ids"),
    (lambda: unigram_probabilities(np.array([0, 1]), 0), ValueError, "vocab_size: expected a positive integer"),
    (lambda: bigram_probabilities(np.array([0]), 3), ValueError, "ids: expected a 1-D array of at least 2"),
    (lambda: bigram_probabilities(np.array([0, 1]), 3, smoothing=0), ValueError, "smoothing: expected a positive"),
    (lambda: bigram_probabilities(np.array([0, 1]), 3, smoothing=None), TypeError, "smoothing: expected a number"),
    (lambda: baseline_perplexities(np.array([0, 1]), np.array([1]), 3), ValueError, "val_ids: expected a 1-D array"),
])
def test_bad_input_is_refused_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
