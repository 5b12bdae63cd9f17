"""Tests of lessons_src.sampling: temperature, entropy, drawing, and writing with any step function."""

import numpy as np
import pytest

from lessons_src.functional import softmax
from lessons_src.sampling import draw, entropy, generate, repetition_period, softmax_with_temperature
from lessons_src.text import char_vocabulary

VOCAB = char_vocabulary("abcab")        # a, b, c, UNK


def cycle_step(token_id, state):
    """A model that is sure the next character follows a -> b -> c -> a, and counts its steps."""
    logits = np.full(len(VOCAB), -5.0)
    logits[(token_id + 1) % 3] = 5.0
    return logits, (0 if state is None else state) + 1


def test_temperature_one_is_the_softmax_and_the_limits_are_sure_and_uniform():
    logits = np.array([2.0, 1.0, 0.5, -1.0])
    assert np.allclose(softmax_with_temperature(logits, 1.0), softmax(logits))
    assert np.allclose(softmax_with_temperature(logits, 1e-3), [1, 0, 0, 0])
    assert np.allclose(softmax_with_temperature(logits, 1e6), 0.25, atol=1e-6)
    assert np.allclose(softmax_with_temperature(logits, 0.5), softmax(2 * logits))


def test_entropy_falls_with_the_temperature():
    logits = np.random.default_rng(0).normal(size=(3, 10))
    entropies = [entropy(softmax_with_temperature(logits, t)).mean() for t in (0.1, 0.5, 1.0, 2.0, 10.0)]
    assert np.all(np.diff(entropies) > 0)
    assert entropy(np.full(10, 0.1)) == pytest.approx(np.log(10))
    assert entropy(np.array([0.0, 1.0, 0.0])) == 0.0
    assert entropy(np.array([[0.5, 0.5], [1.0, 0.0]])).tolist() == pytest.approx([np.log(2), 0.0])


def test_draw_follows_the_probabilities():
    rng = np.random.default_rng(0)
    p = np.array([0.1, 0.0, 0.6, 0.3])
    counts = np.bincount([draw(p, rng) for _ in range(20_000)], minlength=4) / 20_000
    assert counts[1] == 0.0
    assert np.allclose(counts, p, atol=0.01)


def test_generate_greedy_and_sampled():
    assert generate(cycle_step, VOCAB, "ab", 5, greedy=True) == "abcabca"
    sure = generate(cycle_step, VOCAB, "c", 6, temperature=1.0, seed=3)
    assert sure == "cabcabc"                               # p(next) = 1 - 5e-5: the same text
    hot = [generate(cycle_step, VOCAB, "a", 30, temperature=100.0, seed=seed) for seed in (0, 0, 1)]
    assert hot[0] == hot[1] != hot[2]                        # a seed writes the same text every time
    assert set(hot[0]) <= set("abc" + "\N{REPLACEMENT CHARACTER}")


def test_the_state_is_carried_through_the_prompt_and_the_text():
    seen = []

    def step(token_id, state):
        seen.append(state)
        return cycle_step(token_id, state)

    generate(step, VOCAB, "abc", 2, greedy=True)
    assert seen == [None, 1, 2, 3]                           # two prompt steps, then two writing steps


def test_repetition_period_finds_a_loop_and_only_a_loop():
    assert repetition_period("Once upon a time " + "the same " * 30, window=100) == 9
    assert repetition_period("x" * 250, window=100) == 1
    assert repetition_period("abcdefghijklmnopqrstuvwxyz" * 8 + "!", window=100) is None


@pytest.mark.parametrize("call, error, message", [
    (lambda: softmax_with_temperature([1.0, 2.0], 0.0), ValueError, "temperature: expected a positive number; got 0.0"),
    (lambda: softmax_with_temperature([1.0, 2.0], -1), ValueError, "temperature: expected a positive number"),
    (lambda: softmax_with_temperature([1.0, 2.0], float("nan")), ValueError, "temperature: expected a positive number"),
    (lambda: softmax_with_temperature([1.0, 2.0], "hot"), TypeError, "temperature: expected a positive number"),
    (lambda: entropy([0.5, 0.6]), ValueError, "probabilities: expected non-negative numbers that sum to 1"),
    (lambda: generate(cycle_step, VOCAB, "", 5), ValueError, "prompt: expected a non-empty string"),
    (lambda: generate(cycle_step, VOCAB, "abx", 5), ValueError, r"prompt: expected characters of the vocabulary; got \['x'\]"),
    (lambda: generate(cycle_step, VOCAB, ["a"], 5), TypeError, "prompt: expected a string"),
    (lambda: generate(cycle_step, VOCAB, "a", 0), ValueError, "length: expected a positive integer"),
    (lambda: generate(cycle_step, VOCAB, "a", 5, temperature=0), ValueError, "temperature: expected a positive number"),
    (lambda: generate("model", VOCAB, "a", 5), TypeError, "step: expected a function"),
    (lambda: generate(cycle_step, "abc", "a", 5), TypeError, "vocab: expected a Vocabulary"),
    (lambda: repetition_period("", 10), ValueError, "text: expected a non-empty string"),
    (lambda: repetition_period("abc" * 10, 20), ValueError, "window: expected at most half the length of text"),
    (lambda: repetition_period("abc" * 10, 0), ValueError, "window: expected a positive integer"),
])
def test_bad_input_is_refused_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
