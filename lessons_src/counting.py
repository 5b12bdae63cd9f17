"""Do they count? Longer sequences than in training, and the gradient through time.

Chapter 5 trains a simple RNN and an LSTM (both in PyTorch, ``torch_models``)
on the book's language (``language``) with small n and asks how far they
count beyond it.

- ``accuracy_by_n``, ``written_counts``: what the greedy completion of the
  prompt a×n b gets right, for each n.
- ``unroll``: the hidden (and cell) state after every step, for plotting and
  for gradients.
- ``gradient_norms``: how strongly the loss at the last step reaches back to
  the hidden state k steps earlier.
- ``count_like_units``: the hidden units whose state follows the count
  over one sentence (a correlation: it measures the shape, up then down).
- ``count_readout``: how much of the count n a straight line reads from a
  unit over a family of sentences (separates a counter from a switch).

Shapes follow the rest of the book (time first): one-hot inputs ``(T, B, V)``,
logits ``(T, B, V)``, states ``(B, H)``. PyTorch is imported by the functions
that take a module, so the rest works without it.
"""

import copy
from numbers import Integral

import numpy as np

from .data import one_hot, require_vocabulary
from .generate import complete, completion_accuracy
from .language import FIRST, MIDDLE, count_signal, counting_sequence, prompt_of
from .validation import require_positive_int, require_tokens


def accuracy_by_n(model, vocab, ns):
    """For each n in ``ns``: 1.0 if the model completes a×n b exactly, else 0.0.

    model: a function from one-hot inputs (T, B, V) to logits (T, B, V), such
    as ``torch_train.torch_predictor(module)``. Greedy completion has no chance
    in it, so for one model and one n the answer is right or wrong: the
    accuracy at n is ``completion_accuracy`` on the single sentence
    ``counting_sequence(n)``.

    Returns a float array of shape ``(len(ns),)`` holding 0.0 and 1.0.
    """
    ns = _check_ns(ns)
    return np.array([completion_accuracy(model, vocab, [counting_sequence(n)]) for n in ns])


def written_counts(model, vocab, ns):
    """How many ``b`` and then how many ``a`` the model writes after the prompt a×n b.

    The greedy completion (at most 2 (3n + 1) tokens in all) is read from the
    prompt's ``b`` on: the first number is the length of the run of ``b``
    (the prompt's ``b`` included), the second the length of the run of ``a``
    right after it (0 if there is none). A model that counts writes ``(n, n)``.

    Returns an int array of shape ``(len(ns), 2)``.
    """
    ns = _check_ns(ns)
    counts = np.zeros((len(ns), 2), dtype=np.int64)
    for row, n in enumerate(ns):
        written = complete(model, vocab, prompt_of(counting_sequence(n)), max_len=2 * (3 * n + 1))[n:]
        for column, token in enumerate((MIDDLE, FIRST)):
            run = 0
            while written and written[0] == token:
                written.pop(0)
                run += 1
            counts[row, column] = run
    return counts


def unroll(module, inputs):
    """Run the recurrent layer of ``module`` one step at a time and keep every state.

    module: an ``RNNLanguageModel`` or an ``LSTMLanguageModel`` (``torch_models``).
    inputs: (T, B, V) one-hot tensor in the module's dtype.

    Returns ``(hidden, cells)``: two lists of T tensors of shape (B, H),
    ``hidden[t]`` the hidden state after reading ``inputs[t]``, and
    ``cells[t]`` the LSTM's cell state (``cells`` is None for the RNN). The
    tensors stay in the autograd graph: step t + 1 reads ``hidden[t]``
    itself, so a gradient with respect to ``hidden[t]`` counts every path
    from that state to the loss.
    """
    layer = _recurrent_layer(module)
    module.check_inputs(inputs)
    is_lstm = len(module.state_names) == 2
    hidden, cells = [], [] if is_lstm else None
    state = None
    for x in inputs:
        _, state = layer(x.unsqueeze(0), state)                  # state: (1, B, H), or a pair of them
        h = state[0][0] if is_lstm else state[0]
        hidden.append(h)
        if is_lstm:
            cells.append(state[1][0])
            state = (h.unsqueeze(0), state[1])
        else:
            state = h.unsqueeze(0)
    return hidden, cells


def gradient_norms(module, vocab, tokens):
    """How much the loss at the last step depends on each earlier hidden state.

    The module reads ``tokens[:-1]`` (T inputs) and predicts ``tokens[-1]``
    after the last one; L is the cross-entropy of that single prediction.
    With h_1 ... h_T the hidden states after each input, entry k of the
    result is the Euclidean norm of dL/dh_{T-k}, for k = 0 ... T - 1 (k steps
    back from the last state).

    The module is left unchanged: the gradients are taken on a float64 copy.
    Not for range: float32 reaches down to about 1e-38, below any norm
    chapter 5 measures. For precision: every step back then rounds at the
    16th digit instead of the 7th, so a float32 module is measured as
    precisely as chapter 5's float64 models, and what the chapter prints does
    not depend on rounding.
    Returns a float64 array of shape (T,).
    """
    import torch

    _check_gradient_norms_args(module, vocab, tokens)
    model = copy.deepcopy(module).double()      # float64: see above
    ids = vocab.encode(tokens)
    inputs = torch.as_tensor(one_hot(ids[:-1], len(vocab))[:, None, :])              # (T, 1, V)
    hidden, _ = unroll(model, inputs)
    for h in hidden:
        h.retain_grad()
    logits = model.output(hidden[-1])                                                # (1, V)
    loss = torch.nn.functional.cross_entropy(logits, torch.as_tensor(ids[-1:]))
    loss.backward()
    return np.array([h.grad.norm().item() for h in reversed(hidden)])


def count_like_units(states, tokens, k=2):
    """The k hidden units whose state follows ``language.count_signal(tokens)`` most closely.

    states: (T, H) one state per input token, for example the LSTM's cell
    state (from ``unroll``) or the RNN's hidden state after each of the T ``tokens``.
    Closeness is the absolute Pearson correlation over the steps up to the
    last ``b`` (where the counter should rise and fall); a constant unit
    counts as uncorrelated. Returns ``(units, correlations)``: the k unit
    numbers, best first, and their signed correlations, both arrays of shape (k,).
    """
    states, end = _check_count_like_units_args(states, tokens, k)
    signal = count_signal(tokens)[:end] - count_signal(tokens)[:end].mean()
    centred = states[:end] - states[:end].mean(axis=0)
    scale = np.linalg.norm(centred, axis=0) * np.linalg.norm(signal)
    covariance = centred.T @ signal
    correlations = np.divide(covariance, scale, out=np.zeros_like(covariance), where=scale > 0)
    units = np.argsort(-np.abs(correlations), kind="stable")[:k]
    return units, correlations[units]


def count_readout(states, ns):
    """How much of the count n a straight line can read from each unit, over the sentences a×n b×n a×n.

    states: one array per n in ``ns``, of shape (T, H) (or (T,) for one unit):
            the state after each input token of ``counting_sequence(n)``,
            from the first token on; T >= 2n (later rows are not used).
    ns:     the counts of the sentences, at least two different ones.

    A counter holds n after the n-th ``a`` and is back at 0 after the n-th
    ``b``, whatever n is. For each unit, the line count = alpha + beta * state
    is fitted by least squares to these 2 len(ns) points, and its score is
    1 - (sum of squared reading errors) / (sum over ns of (n - mean n)^2):
    1 for a counter; 0 for a switch (a unit that tells the ``a`` block from
    the ``b`` block, and nothing about n); below 0 for a unit that misleads
    the line more than a switch, such as a clock (a state that grows with
    every token). Returns ``(scores, readings)``: scores of shape (H,), and
    readings of shape (H, len(ns), 2), what each unit's line reads after the
    n-th ``a`` and after the n-th ``b``.
    """
    tops, bottoms, ns = _check_count_readout_args(states, ns)     # (N, H), (N, H), (N,)
    points = np.concatenate([tops, bottoms])                        # (2N, H): the unit's state at each point
    counts = np.concatenate([ns, np.zeros_like(ns)])                # (2N,): what a counter holds there
    centred = points - points.mean(axis=0)
    spread = (centred ** 2).sum(axis=0)
    beta = np.divide(centred.T @ (counts - counts.mean()), spread, out=np.zeros(points.shape[1]), where=spread > 0)
    read = counts.mean() + centred * beta                          # (2N, H): what each unit's line reads
    scores = 1.0 - ((read - counts[:, None]) ** 2).sum(axis=0) / ((ns - ns.mean()) ** 2).sum()
    readings = np.stack([read[:len(ns)], read[len(ns):]], axis=-1).transpose(1, 0, 2)
    return scores, readings


def _recurrent_layer(module):
    """The ``nn.RNN`` or ``nn.LSTM`` of an ``RNNLanguageModel`` or an ``LSTMLanguageModel``."""
    from .torch_models import RecurrentLanguageModel

    if not isinstance(module, RecurrentLanguageModel):
        raise TypeError(f"module: expected an RNNLanguageModel or an LSTMLanguageModel; got {type(module).__name__}")
    return module.layer


def _check_ns(ns):
    if isinstance(ns, (str, bytes, dict)) or not hasattr(ns, "__iter__"):
        raise TypeError(f"ns: expected a non-empty list of positive integers; got {type(ns).__name__}")
    values = list(ns)
    if not values or not all(isinstance(n, Integral) and not isinstance(n, bool) and n >= 1 for n in values):
        raise ValueError(f"ns: expected a non-empty list of positive integers; got {ns!r:.80}")
    return [int(n) for n in values]


def _check_gradient_norms_args(module, vocab, tokens):
    _recurrent_layer(module)
    require_vocabulary(vocab)
    require_tokens("tokens", tokens, minimum=2)


def _check_count_like_units_args(states, tokens, k):
    """Return ``states`` as a float (T, H) array and the number of steps up to the last ``b``."""
    require_tokens("tokens", tokens)
    if not isinstance(states, (np.ndarray, list, tuple)) and not hasattr(states, "__array__"):
        raise TypeError(f"states: expected a (T, H) array; got {type(states).__name__}")
    states = np.asarray(states, dtype=np.float64)
    if states.ndim != 2 or states.shape[0] != len(tokens):
        raise ValueError(f"states: expected shape (T, H) with T={len(tokens)} (one row per token); got {states.shape}")
    require_positive_int("k", k)
    if k > states.shape[1]:
        raise ValueError(f"k: expected at most H={states.shape[1]} units; got {k}")
    if MIDDLE not in tokens:
        raise ValueError(f"tokens: expected a sentence with at least one {MIDDLE!r}; got {list(tokens)!r:.80}")
    return states, len(tokens) - list(tokens)[::-1].index(MIDDLE)


def _check_count_readout_args(states, ns):
    """Return the states after the n-th a and after the n-th b, (N, H) each, and ns as floats (N,)."""
    ns = _check_ns(ns)
    if len(set(ns)) < 2:
        raise ValueError(f"ns: expected at least two different counts; got {ns!r:.80}")
    if not isinstance(states, (list, tuple)):
        raise TypeError(f"states: expected a list of (T, H) arrays, one per n; got {type(states).__name__}")
    if len(states) != len(ns):
        raise ValueError(f"states: expected one array per n, {len(ns)} in all; got {len(states)}")
    tops, bottoms = [], []
    for n, state in zip(ns, states):
        state = np.asarray(state, dtype=np.float64)
        state = state[:, None] if state.ndim == 1 else state
        units = tops[0].shape[0] if tops else state.shape[-1] if state.ndim else 0
        if state.ndim != 2 or state.shape[0] < 2 * n or state.shape[1] != units:
            raise ValueError(f"states: expected for n={n} an array (T, H) with T >= {2 * n} (and H={units} like "
                             f"the first); got shape {state.shape}")
        tops.append(state[n - 1])
        bottoms.append(state[2 * n - 1])
    return np.array(tops), np.array(bottoms), np.array(ns, dtype=np.float64)
