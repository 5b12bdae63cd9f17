"""A long short-term memory (LSTM) language model in NumPy: gates, forward pass, backward pass.

At every step t, with x the one-hot input (B, V) and (h, c) the previous
hidden and cell states (B, H), each of the four gates has its own weights:

    i  = sigmoid(x W_xi^T + h W_hi^T + b_i)    input gate: how much to write
    f  = sigmoid(x W_xf^T + h W_hf^T + b_f)    forget gate: how much to keep
    g  = tanh(x W_xg^T + h W_hg^T + b_g)       candidate values to write
    o  = sigmoid(x W_xo^T + h W_ho^T + b_o)    output gate: how much to show
    c' = f * c + i * g                         new cell state
    h' = o * tanh(c')                          new hidden state
    y  = h' W_hy^T + b_y                       logits over the vocabulary

Parameters (weights stored ``(out_features, in_features)`` like PyTorch):
``W_xi, W_xf, W_xg, W_xo`` (H, V), ``W_hi, W_hf, W_hg, W_ho`` (H, H),
``b_i, b_f, b_g, b_o`` (H,), ``W_hy`` (V, H), ``b_y`` (V,).

For speed the four gates are computed together: ``stack_gates`` piles their
weights in PyTorch's order i, f, g, o, which is exactly ``torch.nn.LSTM``'s
layout: ``weight_ih_l0 = W_x`` (4H, V), ``weight_hh_l0 = W_h`` (4H, H),
``bias_ih_l0 + bias_hh_l0 = b`` (4H,).
"""

import numpy as np

from .functional import sigmoid, tanh
from .rnn import orthogonal
from .validation import check_one_hot_inputs, check_params, require_positive_int

GATES = ("i", "f", "g", "o")
"""The gates in PyTorch's order: input, forget, candidate (g), output."""

FORGET_BIAS = 1.0
"""Initial forget-gate bias: sigmoid(1) = 0.73, so a new cell keeps most of its memory."""


def lstm_parameter_shapes(vocab_size, hidden_size):
    """The name and shape of every LSTM parameter, in a fixed order."""
    shapes = {}
    shapes.update({f"W_x{gate}": (hidden_size, vocab_size) for gate in GATES})
    shapes.update({f"W_h{gate}": (hidden_size, hidden_size) for gate in GATES})
    shapes.update({f"b_{gate}": (hidden_size,) for gate in GATES})
    shapes.update({"W_hy": (vocab_size, hidden_size), "b_y": (vocab_size,)})
    return shapes


def init_lstm(vocab_size, hidden_size, seed=0):
    """Fresh LSTM parameters for a vocabulary of ``vocab_size`` tokens.

    Initialised like the RNN of chapter 2: every weight matrix (orthogonal)
    and zero biases, with one exception: the forget gate's bias is
    ``FORGET_BIAS`` = 1, so that f = sigmoid(1) = 0.73 at the start. The cell
    then keeps most of its memory from step to step, and gradients flow back
    through many steps from the first update on; with a zero bias (f = 0.5)
    they would halve at every step.

    Returns a dict of float64 arrays (see ``lstm_parameter_shapes``).
    """
    require_positive_int("vocab_size", vocab_size)
    require_positive_int("hidden_size", hidden_size)
    rng = np.random.default_rng(seed)
    params = {}
    for gate in GATES:
        params[f"W_x{gate}"] = orthogonal(hidden_size, vocab_size, rng)
    for gate in GATES:
        params[f"W_h{gate}"] = orthogonal(hidden_size, hidden_size, rng)
    for gate in GATES:
        params[f"b_{gate}"] = np.full(hidden_size, FORGET_BIAS if gate == "f" else 0.0)
    params["W_hy"] = orthogonal(vocab_size, hidden_size, rng)
    params["b_y"] = np.zeros(vocab_size)
    return params


def stack_gates(params):
    """The four gates' weights piled up in PyTorch's order i, f, g, o.

    Returns ``(W_x (4H, V), W_h (4H, H), b (4H,))``: rows ``0:H`` belong to the
    input gate, ``H:2H`` to the forget gate, ``2H:3H`` to the candidate and
    ``3H:4H`` to the output gate. These are ``torch.nn.LSTM``'s
    ``weight_ih_l0``, ``weight_hh_l0`` and ``bias_ih_l0 + bias_hh_l0``.
    """
    W_x = np.concatenate([params[f"W_x{gate}"] for gate in GATES])
    W_h = np.concatenate([params[f"W_h{gate}"] for gate in GATES])
    b = np.concatenate([params[f"b_{gate}"] for gate in GATES])
    return W_x, W_h, b


def lstm_forward(params, inputs, state=None):
    """Run the LSTM over a batch of sequences.

    inputs: (T, B, V) one-hot tokens, time first (all-zero rows at padding).
    state:  ``(h0, c0)``, each (B, H); zeros when None.

    Returns ``(logits, cache)``: logits (T, B, V), and a dict ``cache`` that
    ``lstm_backward`` needs and that keeps, for plotting, every activation
    over time, each (T, B, H): the gates ``"i"``, ``"f"``, ``"g"``, ``"o"``,
    the cell states ``"c"``, ``"tanh_c"`` = tanh(c) and the hidden states
    ``"h"``; plus ``"inputs"``, ``"h0"``, ``"c0"`` and ``"logits"``.
    """
    vocab_size, hidden_size = check_lstm_params(params)
    inputs = check_one_hot_inputs(inputs, vocab_size)
    steps, batch, _ = inputs.shape
    h0, c0 = _check_state(state, batch, hidden_size)
    W_x, W_h, b = stack_gates(params)
    H = hidden_size

    # The input's share of every gate, for all steps at once: (T, B, 4H).
    x_part = inputs @ W_x.T + b
    cache = {name: np.empty((steps, batch, H)) for name in (*GATES, "c", "tanh_c", "h")}
    h, c = h0, c0
    for t in range(steps):
        a = x_part[t] + h @ W_h.T                 # pre-activations (B, 4H)
        i = sigmoid(a[:, 0:H])
        f = sigmoid(a[:, H:2 * H])
        g = tanh(a[:, 2 * H:3 * H])
        o = sigmoid(a[:, 3 * H:4 * H])
        c = f * c + i * g
        tanh_c = tanh(c)
        h = o * tanh_c
        for name, value in (("i", i), ("f", f), ("g", g), ("o", o), ("c", c), ("tanh_c", tanh_c), ("h", h)):
            cache[name][t] = value
    logits = cache["h"] @ params["W_hy"].T + params["b_y"]
    cache.update(inputs=inputs, h0=h0, c0=c0, logits=logits)
    return logits, cache


def lstm_backward(params, cache, dlogits):
    """Backpropagation through time: the gradient of the loss for every parameter.

    cache:   from ``lstm_forward(params, ...)``.
    dlogits: (T, B, V) gradient of the loss with respect to the logits
             (zero at padded positions, as ``cross_entropy`` returns it).

    Returns a dict with the same keys and shapes as ``params``.
    """
    vocab_size, hidden_size = check_lstm_params(params)
    if not isinstance(cache, dict) or not {"inputs", "h0", "c0", "logits", *GATES, "c", "tanh_c", "h"} <= set(cache):
        raise TypeError("cache: expected the dict returned by lstm_forward; got " + type(cache).__name__)
    dlogits = np.asarray(dlogits, dtype=np.float64)
    if dlogits.shape != cache["logits"].shape:
        raise ValueError(f"dlogits: expected shape {cache['logits'].shape} (the logits' shape); got {dlogits.shape}")
    if cache["h"].shape[2] != hidden_size or cache["inputs"].shape[2] != vocab_size:
        raise ValueError("cache: expected a cache made with these params (same vocab_size and hidden_size)")
    _, W_h, _ = stack_gates(params)
    i, f, g, o, c, tanh_c, h = (cache[name] for name in (*GATES, "c", "tanh_c", "h"))
    steps, batch, H = h.shape

    # Every step's gradient reaches h_t through the output layer ...
    dh_out = dlogits @ params["W_hy"]                         # (T, B, H)
    da = np.empty((steps, batch, 4 * H))                      # d loss / d pre-activations
    dh_next = np.zeros((batch, H))                            # ... and through h_t's use at t + 1
    dc_next = np.zeros((batch, H))                            # d loss / d c_t via c_{t+1}
    for t in reversed(range(steps)):
        c_prev = c[t - 1] if t > 0 else cache["c0"]
        dh = dh_out[t] + dh_next
        dc = dc_next + dh * o[t] * (1.0 - tanh_c[t] ** 2)    # h = o * tanh(c)
        da[t, :, 0:H] = dc * g[t] * i[t] * (1.0 - i[t])       # i = sigmoid(a_i)
        da[t, :, H:2 * H] = dc * c_prev * f[t] * (1.0 - f[t])  # f = sigmoid(a_f)
        da[t, :, 2 * H:3 * H] = dc * i[t] * (1.0 - g[t] ** 2)  # g = tanh(a_g)
        da[t, :, 3 * H:4 * H] = dh * tanh_c[t] * o[t] * (1.0 - o[t])  # o = sigmoid(a_o)
        dc_next = dc * f[t]
        dh_next = da[t] @ W_h

    # The weights are shared by all steps: sum the steps' contributions.
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])      # (T, B, H)
    da_flat = da.reshape(-1, 4 * H)
    dW_x = da_flat.T @ cache["inputs"].reshape(-1, vocab_size)  # (4H, V)
    dW_h = da_flat.T @ h_prev.reshape(-1, H)                  # (4H, H)
    db = da_flat.sum(axis=0)                                   # (4H,)
    grads = {}
    for k, gate in enumerate(GATES):
        rows = slice(k * H, (k + 1) * H)
        grads[f"W_x{gate}"] = dW_x[rows]
        grads[f"W_h{gate}"] = dW_h[rows]
        grads[f"b_{gate}"] = db[rows]
    grads["W_hy"] = dlogits.reshape(-1, vocab_size).T @ h.reshape(-1, H)
    grads["b_y"] = dlogits.sum(axis=(0, 1))
    return {name: grads[name] for name in params}


def check_lstm_params(params):
    """Check the names, types and shapes of LSTM parameters; return ``(vocab_size, hidden_size)``."""
    return check_params(params, lstm_parameter_shapes, anchor="W_xi")


def _check_state(state, batch, hidden_size):
    if state is None:
        return np.zeros((batch, hidden_size)), np.zeros((batch, hidden_size))
    if not isinstance(state, (tuple, list)) or len(state) != 2:
        raise TypeError(f"state: expected None or a pair (h0, c0) of arrays ({batch}, {hidden_size}); got {type(state).__name__}")
    checked = []
    for name, value in zip(("h0", "c0"), state):
        if not isinstance(value, np.ndarray):
            raise TypeError(f"state: expected {name} to be a NumPy array; got {type(value).__name__}")
        if value.shape != (batch, hidden_size):
            raise ValueError(f"state: expected {name} of shape (B, H) = {(batch, hidden_size)}; got {value.shape}")
        checked.append(value.astype(np.float64, copy=False))
    return tuple(checked)
