"""Greedy completion and completion accuracy, with models whose answers are known."""

import numpy as np
import pytest

from lessons_src.data import EOS, Vocabulary
from lessons_src.generate import complete, completion_accuracy, numpy_predictor
from lessons_src.language import generate_dataset, prompt_of
from lessons_src.rnn import init_rnn, rnn_forward

VOCAB = Vocabulary(["a", "b", EOS])  # ids: a=0, b=1, EOS=2, UNK=3


def decode_inputs(inputs):
    """One-hot (T, 1, V) -> the token strings the model was shown."""
    return VOCAB.decode(np.argmax(inputs[:, 0], axis=-1))


def logits_for(next_token, steps):
    logits = np.zeros((steps, 1, len(VOCAB)))
    logits[-1, 0, VOCAB.index[next_token]] = 1.0
    return logits


def oracle(inputs):
    """Knows the language a^n b^n a^n EOS: predicts the right next token from the prefix."""
    tokens = decode_inputs(inputs)
    n = tokens.index("b") if "b" in tokens else len(tokens)
    whole = ["a"] * n + ["b"] * n + ["a"] * n + [EOS]
    following = whole[len(tokens)] if len(tokens) < len(whole) and tokens == whole[:len(tokens)] else "a"
    return logits_for(following, len(tokens))


def test_complete_with_a_model_that_knows_the_language():
    assert complete(oracle, VOCAB, ["a", "a", "b"]) == ["a", "a", "b", "b", "a", "a", EOS]
    assert complete(oracle, VOCAB, ["a", "b"]) == ["a", "b", "a", EOS]


def test_complete_stops_at_max_len_and_after_eos():
    always_a = lambda inputs: logits_for("a", inputs.shape[0])
    assert complete(always_a, VOCAB, ["b"], max_len=4) == ["b", "a", "a", "a"]
    assert complete(always_a, VOCAB, ["a", "b", EOS], max_len=10) == ["a", "b", EOS]
    assert complete(always_a, VOCAB, ["a", "a", "b"], max_len=2) == ["a", "a", "b"]


def test_complete_keeps_unknown_prefix_tokens_and_shows_the_model_unk():
    seen = []

    def recording(inputs):
        seen.append(decode_inputs(inputs))
        return logits_for(EOS, inputs.shape[0])

    assert complete(recording, VOCAB, ["r", "n", "n"]) == ["r", "n", "n", EOS]
    assert seen == [["UNK", "UNK", "UNK"]]


def test_numpy_predictor_runs_a_numpy_model():
    params = init_rnn(len(VOCAB), 4, seed=0)
    inputs = np.eye(len(VOCAB))[[0, 1, 2]][:, None, :]
    np.testing.assert_array_equal(numpy_predictor(rnn_forward, params)(inputs), rnn_forward(params, inputs)[0])
    generated = complete(numpy_predictor(rnn_forward, params), VOCAB, ["a"], max_len=6)
    assert 1 < len(generated) <= 6 and generated[0] == "a"


def test_completion_accuracy_counts_exact_completions():
    sequences = generate_dataset(40, max_n=4, seed=3)
    assert completion_accuracy(oracle, VOCAB, sequences) == 1.0
    always_eos = lambda inputs: logits_for(EOS, inputs.shape[0])
    assert completion_accuracy(always_eos, VOCAB, sequences) == 0.0

    def short_only(inputs):  # right for n <= 2 only: for longer ones it stops after the first a that follows b
        tokens = decode_inputs(inputs)
        n = tokens.index("b") if "b" in tokens else 0
        return always_eos(inputs) if n > 2 and tokens[-1] == "a" else oracle(inputs)

    share = sum(seq.count("b") <= 2 for seq in sequences) / len(sequences)
    assert 0 < share < 1
    assert completion_accuracy(short_only, VOCAB, sequences) == pytest.approx(share)


def test_prompt_is_everything_up_to_the_first_b():
    assert prompt_of(["a", "a", "b", "b", "a", "a", EOS]) == ["a", "a", "b"]


@pytest.mark.parametrize("call, message", [
    (lambda: complete(oracle, VOCAB, "a a b"), "prefix_tokens"),
    (lambda: complete(oracle, VOCAB, []), "prefix_tokens"),
    (lambda: complete(oracle, VOCAB, ["a"], max_len=0), "max_len"),
    (lambda: complete("model", VOCAB, ["a"]), "model"),
    (lambda: complete(oracle, ["a", "b"], ["a"]), "vocab"),
    (lambda: complete(lambda x: np.zeros((1, 1, 2)), VOCAB, ["a"]), "model"),
    (lambda: completion_accuracy(oracle, VOCAB, [["a", "a", EOS]]), "sequence: expected a sequence containing 'b'"),
    (lambda: completion_accuracy(oracle, VOCAB, []), "sequences"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
