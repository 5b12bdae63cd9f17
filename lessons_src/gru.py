"""A gated recurrent unit (GRU) language model in NumPy: the variant ``torch.nn.GRU`` computes.

At every step t, with x the one-hot input (B, V) and h the previous hidden
state (B, H)::

    r  = sigmoid(x W_xr^T + h W_hr^T + b_r)        reset gate: how much of u the candidate reads
    z  = sigmoid(x W_xz^T + h W_hz^T + b_z)        update gate: how much of the old state to keep
    u  = h W_hn^T + b_hn                           the old state's share of the candidate
    n  = tanh(x W_xn^T + b_xn + r * u)             candidate state
    h' = (1 - z) * n + z * h                       new hidden state
    y  = h' W_hy^T + b_y                           logits over the vocabulary

Parameters (weights stored ``(out_features, in_features)`` like PyTorch):
``W_xr, W_xz, W_xn`` (H, V), ``W_hr, W_hz, W_hn`` (H, H),
``b_r, b_z, b_xn, b_hn`` (H,), ``W_hy`` (V, H), ``b_y`` (V,).

The biases are named so that the transfer to ``torch.nn.GRU`` is exact.
PyTorch gives every gate two biases, ``bias_ih`` (added to the input's part)
and ``bias_hh`` (added to the state's part). For r and z only their sum
enters, so we keep one bias each, ``b_r`` and ``b_z``. For the candidate the
two differ: ``b_hn`` is added *before* the reset gate multiplies, ``b_xn``
after, so we keep both. In PyTorch's layout (gate order r, z, n)::

    weight_ih_l0 = [W_xr; W_xz; W_xn]  (3H, V)     bias_ih_l0 = [b_r; b_z; b_xn]
    weight_hh_l0 = [W_hr; W_hz; W_hn]  (3H, H)     bias_hh_l0 = [0;   0;   b_hn]

For speed the three gates are computed together, one matrix product with
the input for all steps and one with the state per step (``stack_gates``,
``gru_cell``, ``gru_cell_backward``); ``gru_step`` and ``gru_step_backward``
are the same step for one time step with the parameter dict.

This module does not import PyTorch; ``gru_to_torch``, ``gru_from_torch`` and
``gru_grads_from_torch`` (in ``torch_gru``) can be imported from here too and
load it only when first used.
"""

import numpy as np

from .functional import sigmoid
from .init import init_parameters
from .validation import (check_initial_state, check_one_hot_inputs, check_params, require_function,
                         require_sizes)

GATES = ("r", "z", "n")
"""The gates in PyTorch's order: reset, update, candidate (PyTorch's "new gate")."""


def gru_parameter_shapes(vocab_size, hidden_size):
    """The name and shape of every GRU parameter, in a fixed order."""
    require_sizes(vocab_size, hidden_size)
    shapes = {}
    shapes.update({f"W_x{gate}": (hidden_size, vocab_size) for gate in GATES})
    shapes.update({f"W_h{gate}": (hidden_size, hidden_size) for gate in GATES})
    shapes.update({name: (hidden_size,) for name in ("b_r", "b_z", "b_xn", "b_hn")})
    shapes.update({"W_hy": (vocab_size, hidden_size), "b_y": (vocab_size,)})
    return shapes


PARAMETER_NAMES = tuple(gru_parameter_shapes(1, 1))
"""The keys of a GRU parameter dict."""

RECURRENT_NAMES = PARAMETER_NAMES[:-2]
"""The keys of the recurrent layer's parameters (all but the output layer's ``W_hy`` and ``b_y``)."""


def init_gru(vocab_size, hidden_size, seed=0):
    """Fresh GRU parameters for a vocabulary of ``vocab_size`` tokens.

    Initialised like the RNN and the LSTM of chapters 2 and 3: every weight
    matrix orthogonal (``init.init_parameters``), every bias zero. The gates then
    start half open (sigmoid(0) = 0.5).

    Returns a dict of float64 arrays (see ``gru_parameter_shapes``), the same
    for the same seed.
    """
    return init_parameters(gru_parameter_shapes(vocab_size, hidden_size), seed)


def stack_gates(params):
    """The three gates' weights piled up in PyTorch's order r, z, n.

    Returns ``(W_x (3H, V), W_h (3H, H), b_x (3H,))``: rows ``0:H`` belong to
    the reset gate, ``H:2H`` to the update gate, ``2H:3H`` to the candidate.
    ``W_x`` and ``W_h`` are ``torch.nn.GRU``'s ``weight_ih_l0`` and
    ``weight_hh_l0``; ``b_x = [b_r, b_z, b_xn]`` is its ``bias_ih_l0`` when
    ``bias_hh_l0 = [0, 0, b_hn]``.
    """
    check_gru_params(params)
    W_x = np.concatenate([params[f"W_x{gate}"] for gate in GATES])
    W_h = np.concatenate([params[f"W_h{gate}"] for gate in GATES])
    b_x = np.concatenate([params["b_r"], params["b_z"], params["b_xn"]])
    return W_x, W_h, b_x


def gru_cell(a_x, h_prev, W_h, b_hn):
    """One GRU step with the gates stacked: one matrix product with the state for all three.

    a_x:    (B, 3H) the input's share of the gates, ``x W_x^T + b_x`` (``stack_gates``).
    h_prev: (B, H) the previous hidden state.
    W_h:    (3H, H) the stacked recurrent weights; b_hn: (H,).

    Returns ``(h, gates)``: the new state (B, H) and ``gates = (r, z, n, u)``,
    each (B, H), which ``gru_cell_backward`` needs.
    """
    H = _check_cell(a_x, h_prev, W_h, b_hn)
    a_h = h_prev @ W_h.T                           # the state's share of all three gates: (B, 3H)
    rz = sigmoid(a_x[:, :2 * H] + a_h[:, :2 * H])  # reset and update gate together
    r, z = rz[:, :H], rz[:, H:]
    u = a_h[:, 2 * H:] + b_hn                      # W_hn h + b_hn, before the reset gate scales it
    n = np.tanh(a_x[:, 2 * H:] + r * u)
    h = n + z * (h_prev - n)                       # = (1 - z) * n + z * h_prev
    return h, (r, z, n, u)


def gru_cell_backward(dh, h_prev, gates, W_h):
    """Back through one step of ``gru_cell``.

    dh:     (B, H) the whole gradient of the loss with respect to the step's new state h.
    h_prev: (B, H) the step's previous state; gates: ``(r, z, n, u)`` from ``gru_cell``.
    W_h:    (3H, H) the stacked recurrent weights.

    Returns ``(dh_prev, da_x, da_h)``: the gradient with respect to h_prev
    (B, H); with respect to the input's share ``a_x`` (B, 3H), blocks
    ``[da_r, da_z, da_n]``; and with respect to the state's share
    ``a_h = h_prev W_h^T`` (B, 3H), blocks ``[da_r, da_z, du]``.
    """
    r, z, n, u = _check_cell_backward(dh, h_prev, gates, W_h)
    da_n = dh * (1.0 - z) * (1.0 - n * n)          # h = (1 - z) n + z h_prev, n = tanh(a_n)
    du = da_n * r                                  # a_n = a_x[n] + r * u
    da_r = da_n * u * r * (1.0 - r)                # r = sigmoid(a_r)
    da_z = dh * (h_prev - n) * z * (1.0 - z)       # z = sigmoid(a_z)
    da_h = np.concatenate([da_r, da_z, du], axis=1)
    da_x = np.concatenate([da_r, da_z, da_n], axis=1)
    dh_prev = dh * z + da_h @ W_h                  # directly through z * h_prev, and through all three gates
    return dh_prev, da_x, da_h


def gru_step(params, x, h_prev):
    """One time step: x (B, V) and h_prev (B, H) -> ``(h, gates)``.

    h is the new state (B, H); ``gates = (r, z, n, u)``, each (B, H), are the
    reset and update gates, the candidate and ``u = h_prev W_hn^T + b_hn``,
    what ``gru_step_backward`` needs. ``gru_forward`` runs the same step.
    """
    x, h_prev = _check_step(params, x, h_prev)
    W_x, W_h, b_x = stack_gates(params)
    return gru_cell(x @ W_x.T + b_x, h_prev, W_h, params["b_hn"])


def gru_step_backward(params, dh, x, h_prev, gates):
    """Back through one ``gru_step``: the gradients of one step.

    dh: (B, H) the whole gradient of the loss with respect to the step's new
    state; x, h_prev, gates: the step's input, previous state and the gates
    ``gru_step`` returned.

    Returns ``(dh_prev, grads)``: the gradient with respect to h_prev (B, H),
    and this step's share of the gradient of every recurrent parameter (a
    dict with the keys ``RECURRENT_NAMES``, summed over the batch rows).
    """
    x, h_prev = _check_step(params, x, h_prev)
    _, W_h, _ = stack_gates(params)
    dh_prev, da_x, da_h = gru_cell_backward(dh, h_prev, gates, W_h)
    H = h_prev.shape[1]
    grads = {}
    for k, gate in enumerate(GATES):
        rows = slice(k * H, (k + 1) * H)
        grads[f"W_x{gate}"] = da_x[:, rows].T @ x
        grads[f"W_h{gate}"] = da_h[:, rows].T @ h_prev
    db_x = da_x.sum(axis=0)
    grads["b_r"], grads["b_z"], grads["b_xn"] = db_x[:H], db_x[H:2 * H], db_x[2 * H:]
    grads["b_hn"] = da_h[:, 2 * H:].sum(axis=0)
    return dh_prev, {name: grads[name] for name in RECURRENT_NAMES}


def gru_forward(params, inputs, h0=None):
    """Run the GRU over a batch of sequences.

    inputs: (T, B, V) one-hot tokens, time first (all-zero rows at padding).
    h0:     (B, H) initial hidden state; zeros when None.

    Returns ``(logits, cache)``: logits (T, B, V), and a dict ``cache`` that
    ``gru_backward`` needs and that keeps every activation over time, each
    (T, B, H): the gates ``"r"``, ``"z"``, the candidate ``"n"``,
    ``"u"`` = h_prev W_hn^T + b_hn and the hidden states ``"h"``; plus
    ``"inputs"``, ``"h0"`` and ``"logits"``.
    """
    vocab_size, hidden_size = check_gru_params(params)
    inputs = check_one_hot_inputs(inputs, vocab_size)
    steps, batch, _ = inputs.shape
    h0 = _check_h0(h0, batch, hidden_size)
    W_x, W_h, b_x = stack_gates(params)

    a_x = inputs @ W_x.T + b_x                     # the input's share of every gate, all steps at once: (T, B, 3H)
    cache = {name: np.empty((steps, batch, hidden_size)) for name in ("r", "z", "n", "u", "h")}
    h = h0
    for t in range(steps):
        h, (r, z, n, u) = gru_cell(a_x[t], h, W_h, params["b_hn"])
        cache["r"][t], cache["z"][t], cache["n"][t], cache["u"][t], cache["h"][t] = r, z, n, u, h
    logits = cache["h"] @ params["W_hy"].T + params["b_y"]
    cache.update(inputs=inputs, h0=h0, logits=logits)
    return logits, cache


def gru_backward(params, cache, dlogits, cell_backward=None):
    """Backpropagation through time: the gradient of the loss for every parameter.

    cache:   from ``gru_forward(params, ...)``.
    dlogits: (T, B, V) gradient of the loss with respect to the logits
             (zero at padded positions, as ``cross_entropy`` returns it).
    cell_backward: the backward of one step, a function with the signature
             of ``gru_cell_backward`` (the default); pass another one (your
             own, or one with a planted mistake) to gradient-check it.

    Returns a dict with the same keys and shapes as ``params``.
    """
    vocab_size, hidden_size = check_gru_params(params)
    dlogits = _check_cache(cache, dlogits, vocab_size, hidden_size)
    cell_backward = gru_cell_backward if cell_backward is None else cell_backward
    require_function("cell_backward", cell_backward, "a function like gru_cell_backward")
    _, W_h, _ = stack_gates(params)
    h = cache["h"]
    steps, batch, H = h.shape
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])       # (T, B, H): the state each step started from

    dh_out = dlogits @ params["W_hy"]                          # every step's gradient reaches h_t through y_t ...
    da_x = np.empty((steps, batch, 3 * H))                     # d loss / d (input's share of the gates)
    da_h = np.empty((steps, batch, 3 * H))                     # d loss / d (state's share of the gates)
    dh_next = np.zeros((batch, H))                             # ... and through h_t's use at step t + 1
    for t in reversed(range(steps)):
        gates = (cache["r"][t], cache["z"][t], cache["n"][t], cache["u"][t])
        dh_next, da_x[t], da_h[t] = cell_backward(dh_out[t] + dh_next, h_prev[t], gates, W_h)

    # The weights are shared by all steps: sum the steps' (and batch rows') contributions.
    da_x, da_h = da_x.reshape(-1, 3 * H), da_h.reshape(-1, 3 * H)
    dW_x = da_x.T @ cache["inputs"].reshape(-1, vocab_size)   # (3H, V)
    dW_h = da_h.T @ h_prev.reshape(-1, H)                      # (3H, H)
    db_x = da_x.sum(axis=0)                                    # (3H,)
    grads = {}
    for k, gate in enumerate(GATES):
        rows = slice(k * H, (k + 1) * H)
        grads[f"W_x{gate}"] = dW_x[rows]
        grads[f"W_h{gate}"] = dW_h[rows]
    grads["b_r"], grads["b_z"], grads["b_xn"] = db_x[:H], db_x[H:2 * H], db_x[2 * H:]
    grads["b_hn"] = da_h[:, 2 * H:].sum(axis=0)
    grads["W_hy"] = dlogits.reshape(-1, vocab_size).T @ h.reshape(-1, H)
    grads["b_y"] = dlogits.sum(axis=(0, 1))
    return {name: grads[name] for name in params}


def check_gru_params(params):
    """Check the names, types and shapes of GRU parameters; return ``(vocab_size, hidden_size)``."""
    return check_params(params, gru_parameter_shapes, anchor="W_xr")


def _check_step(params, x, h_prev):
    """Check the arguments of ``gru_step``; return x and h_prev as float64 arrays."""
    vocab_size, hidden_size = check_gru_params(params)
    for name, value, columns in (("x", x, vocab_size), ("h_prev", h_prev, hidden_size)):
        if not isinstance(value, np.ndarray):
            raise TypeError(f"{name}: expected a NumPy array (B, {columns}); got {type(value).__name__}")
        if value.ndim != 2 or value.shape[1] != columns:
            raise ValueError(f"{name}: expected shape (B, {columns}) for V={vocab_size}, H={hidden_size}; "
                             f"got {value.shape}")
    if x.shape[0] != h_prev.shape[0]:
        raise ValueError(f"h_prev: expected {x.shape[0]} rows like x (B); got {h_prev.shape[0]}")
    return x.astype(np.float64, copy=False), h_prev.astype(np.float64, copy=False)


def _check_cell(a_x, h_prev, W_h, b_hn):
    """Check the arrays of one stacked step (``gru_cell``); return H."""
    for name, value in (("a_x", a_x), ("h_prev", h_prev), ("W_h", W_h), ("b_hn", b_hn)):
        if not isinstance(value, np.ndarray):
            raise TypeError(f"{name}: expected a NumPy array; got {type(value).__name__}")
    if h_prev.ndim != 2:
        raise ValueError(f"h_prev: expected shape (B, H); got {h_prev.shape}")
    batch, H = h_prev.shape
    for name, value, shape in (("a_x", a_x, (batch, 3 * H)), ("W_h", W_h, (3 * H, H)), ("b_hn", b_hn, (H,))):
        if value.shape != shape:
            raise ValueError(f"{name}: expected shape {shape} (B={batch}, H={H} from h_prev); got {value.shape}")
    return H


def _check_cell_backward(dh, h_prev, gates, W_h):
    """Check the arguments of ``gru_cell_backward``; return the gates ``(r, z, n, u)``."""
    if not isinstance(gates, (tuple, list)) or len(gates) != 4:
        raise TypeError(f"gates: expected the tuple (r, z, n, u) that gru_cell returns; got {type(gates).__name__}")
    for name, value in (("dh", dh), ("h_prev", h_prev), ("W_h", W_h), *zip(("r", "z", "n", "u"), gates)):
        if not isinstance(value, np.ndarray):
            raise TypeError(f"{name}: expected a NumPy array; got {type(value).__name__}")
        if name != "W_h" and value.shape != h_prev.shape:
            raise ValueError(f"{name}: expected shape {h_prev.shape} like h_prev (B, H); got {value.shape}")
    if h_prev.ndim != 2 or W_h.shape != (3 * h_prev.shape[1], h_prev.shape[1]):
        raise ValueError(f"W_h: expected shape (3H, H) with H={h_prev.shape[-1]} from h_prev; got {W_h.shape}")
    return gates


def _check_h0(h0, batch, hidden_size):
    state = check_initial_state("h0", h0, batch, hidden_size)
    return np.zeros((batch, hidden_size)) if state is None else state[0].astype(np.float64, copy=False)


def _check_cache(cache, dlogits, vocab_size, hidden_size):
    """Check that ``cache`` came from ``gru_forward`` with these sizes; return ``dlogits`` as float64."""
    needed = {"inputs", "h0", "logits", "r", "z", "n", "u", "h"}
    if not isinstance(cache, dict) or not needed <= set(cache):
        raise TypeError("cache: expected the dict returned by gru_forward; got " + type(cache).__name__)
    if not isinstance(dlogits, np.ndarray):
        raise TypeError(f"dlogits: expected a NumPy array (T, B, V); got {type(dlogits).__name__}")
    if dlogits.shape != cache["logits"].shape:
        raise ValueError(f"dlogits: expected shape {cache['logits'].shape} (the logits' shape); got {dlogits.shape}")
    if cache["h"].shape[2] != hidden_size or cache["inputs"].shape[2] != vocab_size:
        raise ValueError(f"cache: expected a cache made with these params (V={vocab_size}, H={hidden_size}); "
                         f"got one with V={cache['inputs'].shape[2]}, H={cache['h'].shape[2]}")
    return dlogits.astype(np.float64, copy=False)


_TORCH_BRIDGE = ("gru_to_torch", "gru_from_torch", "gru_grads_from_torch")


def __getattr__(name):
    """``from lessons_src.gru import gru_to_torch`` works, and loads PyTorch only then."""
    if name in _TORCH_BRIDGE:
        from . import torch_gru

        return getattr(torch_gru, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_TORCH_BRIDGE))
