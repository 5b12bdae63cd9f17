"""Do they count? Longer sequences than in training, and the gradient through time.

Chapter 5 trains a simple RNN and an LSTM (both in PyTorch) on ``a``×n ``b``×n
``a``×n ``EOS`` with small n and asks how far they count beyond it.

- ``RNNLanguageModel``: ``nn.RNN`` (tanh) followed by an output ``nn.Linear``,
  with the interface of ``torch_lstm.LSTMLanguageModel``.
- ``counting_sequence``, ``accuracy_by_n``, ``written_counts``: what the greedy
  completion of the prompt ``a``×n ``b`` gets right, for each n.
- ``unroll``: the hidden (and cell) state after every step, for plotting and
  for gradients.
- ``gradient_norms``: how strongly the loss at the last step reaches back to
  the hidden state k steps earlier.
- ``count_like_units``: the hidden units whose cell state follows the count.

Shapes follow the rest of the book (time first): one-hot inputs ``(T, B, V)``,
logits ``(T, B, V)``, states ``(B, H)``.
"""

import copy
from numbers import Integral

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .data import EOS, Vocabulary, one_hot
from .generate import complete, completion_accuracy


class RNNLanguageModel(nn.Module):
    """A simple (Elman) RNN that reads one-hot tokens and scores the next token.

    ``self.rnn`` is ``nn.RNN(vocab_size, hidden_size)`` (one layer, tanh, time
    first) and ``self.output`` is ``nn.Linear(hidden_size, vocab_size)`` with a
    bias: the model of chapter 2, ``h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)``
    and ``y_t = W_hy h_t + b_y`` (PyTorch's ``b_h`` is the sum of its
    ``bias_ih_l0`` and ``bias_hh_l0``).
    """

    def __init__(self, vocab_size, hidden_size):
        super().__init__()
        _require_positive_int("vocab_size", vocab_size)
        _require_positive_int("hidden_size", hidden_size)
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.rnn = nn.RNN(input_size=vocab_size, hidden_size=hidden_size, nonlinearity="tanh")
        self.output = nn.Linear(hidden_size, vocab_size)

    def forward(self, inputs, state=None, lengths=None):
        """Logits for every step of a batch.

        inputs:  (T, B, V) one-hot float tensor (zeros at padded steps).
        state:   optional h0, (B, H); zeros when None.
        lengths: optional (B,) true lengths; when given, the batch is packed
                 with ``pack_padded_sequence`` so the RNN stops at each
                 sequence's end, and the logits at padded steps are those of a
                 zero hidden state (the loss must ignore them).
        Returns logits, a (T, B, V) tensor.
        """
        if not isinstance(inputs, torch.Tensor) or inputs.dim() != 3 or inputs.shape[2] != self.vocab_size:
            got = tuple(inputs.shape) if isinstance(inputs, torch.Tensor) else type(inputs).__name__
            raise ValueError(f"inputs: expected a tensor of shape (T, B, V) with V={self.vocab_size}; got {got}")
        steps, batch, _ = inputs.shape
        if state is not None:
            if not isinstance(state, torch.Tensor) or tuple(state.shape) != (batch, self.hidden_size):
                got = tuple(state.shape) if isinstance(state, torch.Tensor) else type(state).__name__
                raise ValueError(f"state: expected h0, a tensor of shape (B, H) = {(batch, self.hidden_size)}; got {got}")
            state = state.unsqueeze(0)
        if lengths is None:
            hidden, _ = self.rnn(inputs, state)
        else:
            lengths = torch.as_tensor(lengths, dtype=torch.int64, device="cpu")
            if lengths.shape != (batch,) or lengths.min() < 1 or lengths.max() > steps:
                raise ValueError(f"lengths: expected {batch} lengths from 1 to {steps}; got {lengths.tolist()}")
            packed = pack_padded_sequence(inputs, lengths, enforce_sorted=False)
            packed_hidden, _ = self.rnn(packed, state)
            hidden, _ = pad_packed_sequence(packed_hidden, total_length=steps)
        return self.output(hidden)


def counting_sequence(n):
    """The sentence of the language with count n: ``a``×n ``b``×n ``a``×n ``EOS`` (3n + 1 tokens)."""
    _require_positive_int("n", n)
    return ["a"] * n + ["b"] * n + ["a"] * n + [EOS]


def accuracy_by_n(model, vocab, ns):
    """For each n in ``ns``: 1.0 if the model completes ``a``×n ``b`` exactly, else 0.0.

    model: a function from one-hot inputs (T, B, V) to logits (T, B, V), such
    as ``torch_lstm.predictor(module)``. Greedy completion has no chance in it,
    so for one model and one n the answer is right or wrong: the accuracy at n
    is ``completion_accuracy`` on the single sentence ``counting_sequence(n)``.

    Returns a float array of shape ``(len(ns),)`` holding 0.0 and 1.0.
    """
    ns = _check_ns(ns)
    return np.array([completion_accuracy(model, vocab, [counting_sequence(n)]) for n in ns])


def written_counts(model, vocab, ns):
    """How many ``b`` and then how many ``a`` the model writes after the prompt ``a``×n ``b``.

    The greedy completion (at most 2 (3n + 1) tokens in all) is read from the
    prompt's ``b`` on: the first number is the length of the run of ``b``
    (the prompt's ``b`` included), the second the length of the run of ``a``
    right after it. A model that counts writes ``(n, n)``.

    Returns an int array of shape ``(len(ns), 2)``.
    """
    ns = _check_ns(ns)
    counts = np.zeros((len(ns), 2), dtype=np.int64)
    for row, n in enumerate(ns):
        written = complete(model, vocab, ["a"] * n + ["b"], max_len=2 * (3 * n + 1))[n:]
        for column, token in enumerate(("b", "a")):
            run = 0
            while written and written[0] == token:
                written.pop(0)
                run += 1
            counts[row, column] = run
    return counts


def unroll(module, inputs):
    """Run the recurrent layer of ``module`` one step at a time and keep every state.

    module: an ``RNNLanguageModel`` or a ``torch_lstm.LSTMLanguageModel``.
    inputs: (T, B, V) one-hot tensor in the module's dtype.

    Returns ``(hidden, cells)``: two lists of T tensors of shape (B, H),
    ``hidden[t]`` the hidden state after reading ``inputs[t]``, and
    ``cells[t]`` the LSTM's cell state (``cells`` is None for the RNN). The
    tensors stay in the autograd graph: step t + 1 reads ``hidden[t]``
    itself, so a gradient with respect to ``hidden[t]`` counts every path
    from that state to the loss.
    """
    layer = _recurrent_layer(module)
    if not isinstance(inputs, torch.Tensor) or inputs.dim() != 3 or inputs.shape[2] != layer.input_size:
        got = tuple(inputs.shape) if isinstance(inputs, torch.Tensor) else type(inputs).__name__
        raise ValueError(f"inputs: expected a tensor of shape (T, B, V) with V={layer.input_size}; got {got}")
    is_lstm = isinstance(layer, nn.LSTM)
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
    Returns a float64 array of shape (T,).
    """
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab: expected a Vocabulary; got {type(vocab).__name__}")
    if isinstance(tokens, str) or not isinstance(tokens, (list, tuple)) or len(tokens) < 2:
        raise ValueError(f"tokens: expected a list of at least 2 tokens; got {tokens!r:.80}")
    _recurrent_layer(module)
    model = copy.deepcopy(module).double()      # float64: norms far below float32's range stay exact
    ids = vocab.encode(tokens)
    inputs = torch.as_tensor(one_hot(ids[:-1], len(vocab))[:, None, :])              # (T, 1, V)
    hidden, _ = unroll(model, inputs)
    for h in hidden:
        h.retain_grad()
    logits = model.output(hidden[-1])                                                # (1, V)
    loss = nn.functional.cross_entropy(logits, torch.as_tensor(ids[-1:]))
    loss.backward()
    return np.array([h.grad.norm().item() for h in reversed(hidden)])


def count_signal(tokens):
    """The count a counter would hold after each token: +1 per ``a`` of the first block, -1 per ``b``.

    tokens: the input tokens of one sentence. The signal rises through the
    first run of ``a``, falls through the ``b``, and stays where it is after
    them. Returns a float array of shape ``(len(tokens),)``.
    """
    signal, count, seen_b = [], 0, False
    for token in tokens:
        if token == "b":
            count -= 1
            seen_b = True
        elif token == "a" and not seen_b:
            count += 1
        signal.append(count)
    return np.array(signal, dtype=np.float64)


def count_like_units(states, tokens, k=2):
    """The k hidden units whose state follows ``count_signal(tokens)`` most closely.

    states: (T, H) one state per input token, for example the LSTM's cell
    state (from ``unroll``) or the RNN's hidden state after each of the T ``tokens``.
    Closeness is the absolute Pearson correlation over the steps up to the
    last ``b`` (where the counter should rise and fall); a constant unit
    counts as uncorrelated. Returns ``(units, correlations)``: the k unit
    numbers, best first, and their signed correlations, both arrays of shape (k,).
    """
    states = np.asarray(states, dtype=np.float64)
    if states.ndim != 2 or states.shape[0] != len(tokens):
        raise ValueError(f"states: expected shape (T, H) with T={len(tokens)} (one row per token); got {states.shape}")
    _require_positive_int("k", k)
    if k > states.shape[1]:
        raise ValueError(f"k: expected at most H={states.shape[1]} units; got {k}")
    if "b" not in tokens:
        raise ValueError(f"tokens: expected a sentence with at least one 'b'; got {list(tokens)!r:.80}")
    end = len(tokens) - list(tokens)[::-1].index("b")
    signal = count_signal(tokens)[:end] - count_signal(tokens)[:end].mean()
    centred = states[:end] - states[:end].mean(axis=0)
    scale = np.linalg.norm(centred, axis=0) * np.linalg.norm(signal)
    covariance = centred.T @ signal
    correlations = np.divide(covariance, scale, out=np.zeros_like(covariance), where=scale > 0)
    units = np.argsort(-np.abs(correlations), kind="stable")[:k]
    return units, correlations[units]


def _recurrent_layer(module):
    """The ``nn.RNN`` or ``nn.LSTM`` of a language model (``module.rnn`` or ``module.lstm``)."""
    supported = "an RNNLanguageModel (module.rnn) or an LSTMLanguageModel (module.lstm), with module.output"
    if not isinstance(module, nn.Module):
        raise TypeError(f"module: expected {supported}; got {type(module).__name__}")
    layer = getattr(module, "rnn", None)
    if layer is None:
        layer = getattr(module, "lstm", None)
    if not isinstance(layer, (nn.RNN, nn.LSTM)) or not isinstance(getattr(module, "output", None), nn.Linear):
        raise TypeError(f"module: expected {supported}; got {type(module).__name__}")
    if layer.num_layers != 1 or layer.bidirectional or getattr(layer, "proj_size", 0):
        raise ValueError(f"module: expected a one-layer, one-direction recurrent layer; got {layer}")
    return layer


def _check_ns(ns):
    values = list(ns) if not isinstance(ns, (str, bytes)) and hasattr(ns, "__iter__") else []
    if not values or not all(isinstance(n, Integral) and not isinstance(n, bool) and n >= 1 for n in values):
        raise ValueError(f"ns: expected a non-empty list of positive integers; got {ns!r:.80}")
    return [int(n) for n in values]


def _require_positive_int(name, value):
    if not isinstance(value, Integral) or isinstance(value, bool):
        raise TypeError(f"{name}: expected a positive integer; got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{name}: expected a positive integer; got {value}")
