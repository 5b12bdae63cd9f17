"""Checks for the exercises of chapter 2, "A recurrent network in NumPy"."""

import numpy as np

from ..data import EOS, Vocabulary, one_hot
from ..functional import softmax
from ..generate import complete, numpy_predictor
from ..language import next_token
from ..optim import clip_grad_norm
from ..rnn import init_rnn, rnn_forward, rnn_step
from ._core import RuleModel, run_cases


def check_stable_softmax(stable_softmax):
    """``stable_softmax(x)`` -> softmax along the last axis, finite even for inputs near 1e4."""
    rng = np.random.default_rng(0)
    inputs = [
        np.array([1.0, 2.0, 3.0]),
        rng.standard_normal((2, 5)),
        np.array([1e4, 0.0, -1e4]),
        np.array([[1000.0, 1001.0], [-1e4, -1e4]]),
        rng.standard_normal((3, 2, 4)) * 50,
    ]
    run_cases("stable_softmax", stable_softmax, [((x,), softmax(x)) for x in inputs])


def check_rnn_step(rnn_step_function):
    """``rnn_step(params, x, h_prev)`` -> h, shape (B, H), for one time step (the library's step also returns a cache)."""
    cases = []
    for vocab_size, hidden_size, batch, seed in [(4, 3, 1, 0), (4, 3, 2, 1), (5, 6, 3, 2), (3, 7, 4, 3)]:
        rng = np.random.default_rng(seed)
        params = {name: rng.standard_normal(p.shape) for name, p in init_rnn(vocab_size, hidden_size).items()}
        x = one_hot(rng.integers(0, vocab_size, size=batch), vocab_size)
        h_prev = np.tanh(rng.standard_normal((batch, hidden_size)))
        cases.append(((params, x, h_prev), rnn_step(params, x, h_prev)[0]))
    run_cases("rnn_step", rnn_step_function, cases)


def check_tanh_backward(tanh_backward):
    """``tanh_backward(dh, h)`` -> the gradient before the tanh, given h = tanh(a) and dL/dh."""
    cases = []
    for shape, seed in [((1, 3), 0), ((2, 4), 1), ((3, 5), 2), ((4,), 3)]:
        rng = np.random.default_rng(seed)
        h = np.tanh(2 * rng.standard_normal(shape))
        dh = rng.standard_normal(shape)
        cases.append(((dh, h), dh * (1 - h ** 2)))
    run_cases("tanh_backward", tanh_backward, cases)


def check_clip_by_global_norm(clip_by_global_norm):
    """``clip_by_global_norm(grads, max_norm)`` -> the norm before clipping; scales ``grads`` in place."""
    rng = np.random.default_rng(0)
    cases = []
    for grads, max_norm in [
        ({"W": np.array([[3.0, 0.0], [0.0, 0.0]]), "b": np.array([4.0, 0.0])}, 1.0),   # norm 5: clipped
        ({"W": np.array([[0.3, 0.0]]), "b": np.array([0.4])}, 1.0),                   # norm 0.5: unchanged
        ({"W": 10 * rng.standard_normal((3, 2)), "b": 0.1 * rng.standard_normal(3)}, 5.0),
        ({"W_xh": rng.standard_normal((4, 3)), "W_hh": rng.standard_normal((4, 4)),
          "b_h": rng.standard_normal(4)}, 2.0),
    ]:
        expected = {name: g.copy() for name, g in grads.items()}
        norm = clip_grad_norm(expected, max_norm)
        cases.append(((grads, max_norm), (norm, expected)))
    # what is compared: the return value and the grads as the function left them
    run_cases("clip_by_global_norm", clip_by_global_norm, cases,
              call=lambda clip, grads, max_norm: (clip(grads, max_norm), grads))


class _NamedRNN:
    def __init__(self, vocab_size, hidden_size, seed):
        self.model = numpy_predictor(rnn_forward, init_rnn(vocab_size, hidden_size, seed=seed))
        self.name = f"an untrained RNN (seed {seed})"

    def __call__(self, inputs):
        return self.model(inputs)

    def __repr__(self):
        return self.name


def _language_rule(vocab):
    """The model's rule: the id of ``language.next_token`` after the tokens read so far (``a`` where there is none)."""
    def next_id(ids):
        return vocab.index[next_token([vocab.tokens[i] for i in ids]) or "a"]

    return next_id


def check_greedy_complete(greedy_complete):
    """``greedy_complete(model, vocab, prefix_tokens, max_len)`` -> prefix + greedily generated tokens."""
    vocab = Vocabulary(["a", "b", EOS])  # a=0, b=1, EOS=2, UNK=3
    successor = RuleModel("successor model (a->b->EOS, UNK->a)", lambda ids: (ids[-1] + 1) % 4)
    always_a = RuleModel("always-a model", lambda ids: 0)
    rule = RuleModel("model that knows the language", _language_rule(vocab))
    rnn = _NamedRNN(len(vocab), 8, seed=3)
    arguments = [
        (successor, ["a"], 10),
        (successor, ["b", "b"], 10),
        (successor, ["x"], 10),                  # unknown word: read as UNK, kept as written
        (always_a, ["b"], 4),                    # never says EOS: stops at max_len tokens
        (always_a, ["a", "b", EOS], 10),         # already finished
        (rule, ["a", "a", "a", "b"], 20),        # needs the whole prefix, not only the last token
        (rule, ["a", "a", "b"], 5),
        (rnn, ["a", "b", "a"], 9),
    ]
    cases = [((model, vocab, prefix, max_len), complete(model, vocab, prefix, max_len))
             for model, prefix, max_len in arguments]
    run_cases("greedy_complete", greedy_complete, cases)
