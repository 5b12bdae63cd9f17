"""Checks for the exercises of chapter 2, "A recurrent network in NumPy": the forward side.

``check_stable_log_softmax``, ``check_context_free_loss`` and
``check_gradient_ratio`` (two "predict, then run" exercises: the expected
values are measured by running the book's code), ``check_complete_with_state``.
The backward-pass exercises are in ``rnn_backward``.
"""

import functools
from collections import Counter

import numpy as np

from ..data import EOS, Vocabulary, make_batch, one_hot
from ..functional import cross_entropy, log_softmax, softmax
from ..generate import complete, numpy_predictor
from ..language import generate_dataset
from ..rnn import init_rnn, rnn_backward, rnn_forward, rnn_step, rnn_step_backward
from ..train import train
from ._hints import Named, run_cases_with_hints

ABSENT_LOGIT = -50.0   # the output bias of a word that is never a target: probability e^-50, about 2e-22


def check_stable_log_softmax(stable_log_softmax):
    """``stable_log_softmax(x)`` -> log(softmax(x)) along the last axis, finite for entries as large as 1e4."""
    rng = np.random.default_rng(0)
    inputs = [
        np.array([1.0, 2.0, 3.0]),
        rng.standard_normal((2, 5)),
        np.array([0.0, -1e4]),                          # softmax underflows to 0 here: log(0) = -inf
        np.array([1e4, 0.0, -1e4]),
        np.array([[1000.0, 1001.0], [-1e4, -1e4]]),
        rng.standard_normal((3, 2, 4)) * 50,
    ]
    mistakes = [
        ("np.log(softmax(x)) takes the log of a probability that has already rounded to 0 (e^-10000 is 0 in "
         "float64), which gives -inf; stay in logs: (x - m) - log(sum(exp(x - m))) with m the maximum",
         lambda x: _quiet(lambda: np.log(softmax(x)))),
        ("subtract the maximum before exp, or exp(1e4) overflows to inf",
         lambda x: _quiet(lambda: x - np.log(np.exp(x).sum(axis=-1, keepdims=True)))),
        ("take the maximum and the sum along the last axis only (axis=-1, keepdims=True), one row at a time",
         lambda x: (x - x.max()) - np.log(np.exp(x - x.max()).sum())),
        ("subtract each row's own maximum (axis=-1, keepdims=True): below the maximum of the whole array, a row's "
         "exponentials can all round to 0", lambda x: _quiet(lambda: (x - x.max()) - np.log(
             np.exp(x - x.max()).sum(axis=-1, keepdims=True)))),
    ]
    run_cases_with_hints("stable_log_softmax", stable_log_softmax, [((x,), log_softmax(x)) for x in inputs],
                         mistakes)


def _context_free_network_loss(sequences):
    """The loss of an RNN whose output ignores its state: W_hy = 0 and b_y = the log of each target word's share.

    Run through ``rnn_forward`` and ``cross_entropy`` on ``sequences``, the
    targets of which are every token but the first of each sequence.
    """
    vocab = Vocabulary.from_sequences(sequences)
    counts = Counter(token for sequence in sequences for token in sequence[1:])
    total = sum(counts.values())
    params = init_rnn(len(vocab), 2)
    params["W_hy"][:] = 0.0                                   # the state no longer reaches the output
    params["b_y"] = np.array([np.log(counts[token] / total) if counts[token] else ABSENT_LOGIT
                              for token in vocab.tokens])
    inputs, targets, mask = make_batch(sequences, vocab)
    logits, _ = rnn_forward(params, inputs)
    return cross_entropy(logits, targets, mask)[0]


def check_context_free_loss(context_free_loss):
    """``context_free_loss(sequences)`` -> the lowest loss a model that ignores its input can reach on them."""
    cases = [[["a", "b", EOS]], [["a", "b", "a", EOS]],
             [["a", "a", "b", "b", "a", "a", EOS], ["a", "b", "a", EOS]],
             generate_dataset(num_sequences=20, max_n=5, seed=1), generate_dataset(num_sequences=30, max_n=2, seed=2)]
    mistakes = [
        ("the first token of a sequence is never a target (the model predicts tokens 2 to the end): count "
         "sequence[1:]", lambda sequences: _entropy(token for s in sequences for token in s)),
        ("the targets are sequence[1:], EOS included, not the inputs sequence[:-1]",
         lambda sequences: _entropy(token for s in sequences for token in s[:-1])),
        ("use the natural logarithm (np.log), as cross_entropy does; log base 2 counts bits",
         lambda sequences: _entropy((token for s in sequences for token in s[1:]), np.log2)),
        ("ln V is the loss of uniform outputs; a model that ignores its input can still predict how often "
         "each word is the target, and that does better",
         lambda sequences: float(np.log(len(Vocabulary.from_sequences(sequences))))),
        ("count the targets of all sequences together: the loss is a mean over all target positions, so a long "
         "sequence weighs more than a short one",
         lambda sequences: float(np.mean([_entropy(s[1:]) for s in sequences]))),
    ]
    run_cases_with_hints("context_free_loss", context_free_loss,
                         [((sequences,), _context_free_network_loss(sequences)) for sequences in cases], mistakes,
                         rtol=1e-9, atol=1e-12)
    print("(each expected value was measured: the loss of an RNN with W_hy = 0 and b_y = log of the target "
          "frequencies, through rnn_forward and cross_entropy)")


def _measured_gradient_ratio(s, k, h, hidden_size=8, seed=0):
    """||dh_{t-k}|| / ||dh_t|| for a random dh_t sent back k steps by ``rnn_step_backward``.

    W_hh is orthogonal times ``s``; every unit of every state on the way is
    ``h`` (so tanh' = 1 - h^2 everywhere); no loss at the steps in between.
    """
    params = init_rnn(3, hidden_size, seed=seed)        # W_hh orthogonal
    params["W_hh"] *= s
    state = np.full((1, hidden_size), float(h))
    cache = {"x": np.zeros((1, 3)), "h_prev": state, "h": state}
    dh = np.random.default_rng(seed).standard_normal((1, hidden_size))
    start = np.linalg.norm(dh)
    for _ in range(k):
        _, dh = rnn_step_backward(params, dh, cache)
    return float(np.linalg.norm(dh) / start)


def check_gradient_ratio(gradient_ratio):
    """``gradient_ratio(s, k, h)`` -> how much a gradient shrinks (or grows) over k steps back, predicted."""
    arguments = [(0.5, 10, 0.0), (2.0, 10, 0.0), (1.0, 20, 0.5), (4.0, 5, 0.9), (0.9, 30, 0.2), (1.5, 0, 0.7)]
    mistakes = [
        ("each step back also multiplies by tanh'(a) = 1 - h^2, the derivative of the tanh at the stored state",
         lambda s, k, h: s ** k),
        ("the derivative of tanh is 1 - tanh(a)^2 = 1 - h^2 (squared), not 1 - h", lambda s, k, h: (s * (1 - h)) ** k),
        ("every one of the k steps multiplies by its own 1 - h^2, not only one of them",
         lambda s, k, h: s ** k * (1 - h ** 2)),
        ("h is already tanh(a): tanh' is 1 - h^2, not 1 - tanh(h)^2", lambda s, k, h: (s * (1 - np.tanh(h) ** 2)) ** k),
        ("the factors of the k steps multiply; they do not add up", lambda s, k, h: s * (1 - h ** 2) * k),
    ]
    cases = [(args, _measured_gradient_ratio(*args)) for args in arguments]
    run_cases_with_hints("gradient_ratio", gradient_ratio, cases, mistakes, rtol=1e-9, atol=1e-300)
    print("(each expected ratio was measured: a random gradient sent k steps back through rnn_step_backward, "
          "with W_hh orthogonal times s and every state at h)")


def check_complete_with_state(complete_with_state):
    """``complete_with_state(params, vocab, prefix_tokens, max_len)``: greedy completion, one RNN step per token."""
    vocab = Vocabulary(["a", "b", EOS])                 # a, b, EOS, UNK
    counter, bold = _counting_rnn(vocab), _bold_rnn(len(vocab), 6, seed=2)
    arguments = [(counter, ["a"], 12), (counter, ["a", "a", "a", "b"], 12), (counter, ["a", "a", "b"], 5),
                 (bold, ["b", "x", "a"], 10), (counter, ["a", "b", EOS], 10), (bold, ["a"], 1)]
    mistakes = [
        ("feed the chosen word back as a one-hot vector; the predicted probabilities are no input the network was "
         "trained on", lambda params, vocab, prefix, max_len: _stepping(params, vocab, prefix, max_len, "softmax")),
        ("keep the hidden state from step to step: starting again from zeros at each new word forgets the prefix",
         lambda params, vocab, prefix, max_len: _stepping(params, vocab, prefix, max_len, "restart")),
        ("stop after appending EOS", lambda params, vocab, prefix, max_len: _stepping(params, vocab, prefix, max_len,
                                                                                     "no-eos")),
        ("stop when the list holds max_len tokens (prefix included); a prefix that already ends with EOS or holds "
         "max_len tokens comes back unchanged",
         lambda params, vocab, prefix, max_len: complete(numpy_predictor(rnn_forward, params), vocab, prefix,
                                                         max_len + 1)),
    ]
    cases = [((params, vocab, prefix, max_len), complete(numpy_predictor(rnn_forward, params), vocab, prefix, max_len))
             for params, prefix, max_len in arguments]
    run_cases_with_hints("complete_with_state", complete_with_state, cases, mistakes)


@functools.cache
def _counting_rnn(vocab):
    """A small RNN trained on the book's language (0.2 s): what it writes depends on the a's it has counted."""
    sequences = generate_dataset(num_sequences=64, max_n=4, seed=3)
    params = init_rnn(len(vocab), 8, seed=0)
    train(rnn_forward, rnn_backward, params, sequences, sequences[:8], vocab, epochs=40, lr=0.02, batch_size=16)
    return Named("<an RNN trained on the book's language, H = 8>", params)


def _bold_rnn(vocab_size, hidden_size, seed):
    """Untrained RNN parameters scaled up, so that what it writes depends on everything it has read."""
    params = init_rnn(vocab_size, hidden_size, seed=seed)
    rng = np.random.default_rng(seed)
    return Named(f"<an untrained RNN with large weights, H = {hidden_size}>",
                 {name: 2.0 * value + 0.5 * rng.standard_normal(value.shape) for name, value in params.items()})


def _stepping(params, vocab, prefix, max_len, mistake):
    """Greedy completion with the hidden state carried step by step, with one of the usual mistakes."""
    tokens, size = list(prefix), len(vocab)
    h = np.zeros((1, params["W_hh"].shape[0]))
    for x in one_hot(vocab.encode(tokens), size):
        h, _ = rnn_step(params, x[None], h)
    while len(tokens) < max_len and (tokens[-1] != EOS or mistake == "no-eos"):
        logits = h @ params["W_hy"].T + params["b_y"]
        tokens.append(vocab.tokens[int(np.argmax(logits[0]))])
        x = softmax(logits) if mistake == "softmax" else one_hot(vocab.encode(tokens[-1:]), size)
        h, _ = rnn_step(params, x, np.zeros_like(h) if mistake == "restart" else h)
    return tokens


def _entropy(tokens, log=np.log):
    counts = np.array(list(Counter(tokens).values()), dtype=float)
    shares = counts / counts.sum()
    return float(-(shares * log(shares)).sum())


def _quiet(compute):
    with np.errstate(all="ignore"):
        return compute()
