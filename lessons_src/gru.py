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

For speed the three gates are computed together: ``stack_gates`` piles their
weights up in that order (a ``GateWeights``), so that one matrix product
with the old state serves all three. ``gru_step`` and ``gru_step_backward``
take these stacked weights; ``gru_forward`` and ``gru_backward`` run them
over all T steps. ``cho_gru_step`` is the form Cho et al. (2014) published,
for comparison.

This module does not import PyTorch; the way to ``torch.nn.GRU`` and back is
in ``torch_gru``.
"""

from typing import NamedTuple

import numpy as np

from .functional import sigmoid
from .init import init_parameters
from .validation import (all_arrays, check_backward_args, check_initial_state, check_one_hot_inputs, check_params,
                         check_step_backward_args, require_array, require_function, require_sizes,
                         require_type)

GATES = ("r", "z", "n")
"""The gates in PyTorch's order: reset, update, candidate (PyTorch's "new gate")."""


class GateWeights(NamedTuple):
    """The three gates' weights piled up in the order r, z, n: rows ``k H : (k + 1) H`` belong to gate k."""

    W_x: np.ndarray   # (3H, V), torch.nn.GRU's weight_ih_l0
    W_h: np.ndarray   # (3H, H), weight_hh_l0
    b_x: np.ndarray   # (3H,), [b_r, b_z, b_xn]: bias_ih_l0
    b_hn: np.ndarray  # (H,), the candidate's bias inside the reset gate's product: the last H of bias_hh_l0


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
    matrix orthogonal, every bias zero (``init.init_parameters``). The gates
    then start half open (sigmoid(0) = 0.5).

    Returns a dict of float64 arrays (see ``gru_parameter_shapes``), the same
    for the same seed.
    """
    return init_parameters(gru_parameter_shapes(vocab_size, hidden_size), seed)


def stack_gates(params):
    """The three gates' weights piled up in PyTorch's order r, z, n: a ``GateWeights``.

    It unpacks as ``W_x (3H, V), W_h (3H, H), b_x (3H,), b_hn (H,)``: rows
    ``0:H`` belong to the reset gate, ``H:2H`` to the update gate, ``2H:3H``
    to the candidate. ``W_x`` and ``W_h`` are ``torch.nn.GRU``'s
    ``weight_ih_l0`` and ``weight_hh_l0``; ``b_x = [b_r, b_z, b_xn]`` is its
    ``bias_ih_l0`` when ``bias_hh_l0 = [0, 0, b_hn]``.
    """
    check_gru_params(params)
    return GateWeights(np.concatenate([params[f"W_x{gate}"] for gate in GATES]),
                       np.concatenate([params[f"W_h{gate}"] for gate in GATES]),
                       np.concatenate([params["b_r"], params["b_z"], params["b_xn"]]), params["b_hn"])


def unstack_gates(stacked):
    """The inverse of ``stack_gates``: stacked arrays ``W_x``, ``W_h``, ``b_x``, ``b_hn`` -> each gate's arrays.

    stacked: a ``GateWeights`` or a dict with those four keys (such as the
    gradients ``gru_step_backward`` returns). Returns a dict with the keys
    ``RECURRENT_NAMES``.
    """
    stacked = _check_stacked(stacked)
    H = len(stacked["b_hn"])
    rows = [slice(k * H, (k + 1) * H) for k in range(3)]
    parts = {}
    for k, gate in enumerate(GATES):
        parts[f"W_x{gate}"], parts[f"W_h{gate}"] = stacked["W_x"][rows[k]], stacked["W_h"][rows[k]]
    parts["b_r"], parts["b_z"], parts["b_xn"] = (stacked["b_x"][row] for row in rows)
    parts["b_hn"] = stacked["b_hn"]
    return {name: parts[name] for name in RECURRENT_NAMES}


def gru_step(weights, x, h_prev):
    """One time step: x (B, V) and h_prev (B, H) -> ``(h, cache)``.

    weights: the stacked weights of the three gates, ``stack_gates(params)``.
    Returns the new state h (B, H) and the cache that ``gru_step_backward``
    needs: the step's inputs, ``"gates"`` (B, 3H), the values of r, z and n
    side by side, and ``"u"`` (B, H) = h_prev W_hn^T + b_hn.
    """
    check_gru_step_args(weights, x, h_prev)
    H = h_prev.shape[1]
    a_x = x @ weights.W_x.T + weights.b_x             # the input's share of the three gates, (B, 3H)
    a_h = h_prev @ weights.W_h.T                      # the old state's share: one product for all three
    gates = np.empty_like(a_x)
    gates[:, :2 * H] = sigmoid(a_x[:, :2 * H] + a_h[:, :2 * H])      # r and z
    u = a_h[:, 2 * H:] + weights.b_hn                 # what the reset gate scales
    gates[:, 2 * H:] = np.tanh(a_x[:, 2 * H:] + gates[:, :H] * u)     # n
    z, n = gates[:, H:2 * H], gates[:, 2 * H:]
    h = n + z * (h_prev - n)                          # = (1 - z) * n + z * h_prev
    return h, {"x": x, "h_prev": h_prev, "gates": gates, "u": u}


def gru_step_backward(weights, dh, cache):
    """One step back: the gradient of h (B, H) -> ``(grads, dh_prev)``.

    dh:    dL/dh_t, everything the loss receives through h_t (from y_t and from step t + 1).
    cache: from ``gru_step``.
    Returns this step's share of the gradients of the stacked weights, a dict
    ``{"W_x": (3H, V), "W_h": (3H, H), "b_x": (3H,), "b_hn": (H,)}``, and
    dL/dh_{t-1}, which flows on to the step before.
    """
    check_gru_step_backward_args(weights, dh, cache)
    gates, u, h_prev, H = cache["gates"], cache["u"], cache["h_prev"], dh.shape[1]
    r, z, n = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:]
    da_n = dh * (1.0 - z) * (1.0 - n * n)             # h = (1 - z) n + z h_prev, n = tanh(a_n)
    du = da_n * r                                     # a_n = (x W_xn^T + b_xn) + r * u
    da_r = da_n * u * r * (1.0 - r)                   # r = sigmoid(a_r)
    da_z = dh * (h_prev - n) * z * (1.0 - z)          # z = sigmoid(a_z)
    da_x = np.concatenate([da_r, da_z, da_n], axis=1)     # d loss / d(the input's share of the gates)
    da_h = np.concatenate([da_r, da_z, du], axis=1)       # d loss / d(the old state's share)
    grads = {"W_x": da_x.T @ cache["x"], "W_h": da_h.T @ h_prev, "b_x": da_x.sum(axis=0), "b_hn": du.sum(axis=0)}
    return grads, dh * z + da_h @ weights.W_h         # directly through z * h_prev, and through all three gates


def cho_gru_step(params, x, h_prev):
    """One step of the GRU in the form Cho et al. (2014) published: the reset gate acts *before* W_hn.

    The same parameters as ``gru_forward``; only the candidate differs::

        n = tanh(x W_xn^T + b_xn + (r * h_prev) W_hn^T + b_hn)     (torch's: ... + r * (h_prev W_hn^T + b_hn))

    so here the two candidate biases simply add up. Returns ``(h, cache)``:
    the new state (B, H) and ``{"x", "h_prev", "r", "z", "n"}``, each (B, ·).
    """
    vocab_size, hidden_size = check_gru_params(params)
    batch = require_array("x", x, (None, vocab_size), "(B, V)", dtype=None).shape[0]
    require_array("h_prev", h_prev, (batch, hidden_size), "(B, H)", dtype=None)
    r = sigmoid(x @ params["W_xr"].T + h_prev @ params["W_hr"].T + params["b_r"])
    z = sigmoid(x @ params["W_xz"].T + h_prev @ params["W_hz"].T + params["b_z"])
    n = np.tanh(x @ params["W_xn"].T + params["b_xn"] + (r * h_prev) @ params["W_hn"].T + params["b_hn"])
    h = (1.0 - z) * n + z * h_prev
    return h, {"x": x, "h_prev": h_prev, "r": r, "z": z, "n": n}


def gru_forward(params, inputs, h0=None):
    """Run the GRU over a batch of sequences.

    inputs: (T, B, V) one-hot tokens, time first (all-zero rows at padding).
    h0:     (B, H) initial hidden state; zeros when None.

    Returns ``(logits, cache)``: logits (T, B, V), and a dict ``cache`` that
    ``gru_backward`` needs and that keeps every activation over time:
    ``"gates"`` (T, B, 3H), the values of r, z and n side by side, and views
    of them ``"r"``, ``"z"``, ``"n"``, each (T, B, H); ``"u"`` (T, B, H) =
    h_prev W_hn^T + b_hn; the hidden states ``"h"`` (T, B, H); and
    ``"inputs"``, ``"h0"`` and ``"logits"``.
    """
    inputs, h0 = check_gru_args(params, inputs, h0)
    weights, (steps, batch, _), H = stack_gates(params), inputs.shape, h0.shape[1]
    cache = {"gates": np.empty((steps, batch, 3 * H)), "u": np.empty((steps, batch, H)), "h": np.empty((steps, batch, H))}
    h = h0
    for t in range(steps):                            # h_t needs h_{t-1}: one step at a time
        h, step = gru_step(weights, inputs[t], h)
        cache["gates"][t], cache["u"][t], cache["h"][t] = step["gates"], step["u"], h
    logits = cache["h"] @ params["W_hy"].T + params["b_y"]
    cache.update(zip(GATES, np.split(cache["gates"], 3, axis=2)))   # r, z, n: (T, B, H) views
    cache.update(inputs=inputs, h0=h0, logits=logits)
    return logits, cache


def gru_backward(params, cache, dlogits, step_backward=None):
    """Backpropagation through time: the gradient of the loss for every parameter.

    cache:   from ``gru_forward(params, ...)``.
    dlogits: (T, B, V) gradient of the loss with respect to the logits
             (zero at padded positions, as ``cross_entropy`` returns it).
    step_backward: the backward of one step, a function with the signature
             of ``gru_step_backward`` (the default); pass another one (your
             own, or one with a planted mistake) to gradient-check it.

    Returns a dict with the same keys and shapes as ``params``.
    """
    dlogits = check_backward_args(params, cache, dlogits, check_gru_params, "h", ("h0", "gates", "u"))
    step_backward = gru_step_backward if step_backward is None else step_backward
    require_function("step_backward", step_backward, "a function like gru_step_backward")
    weights, inputs, h = stack_gates(params), cache["inputs"], cache["h"]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])        # the states each step started from, (T, B, H)
    dh_from_output = dlogits @ params["W_hy"]                 # every h_t feeds y_t ...
    dh_next = np.zeros_like(h[0])                             # ... and step t + 1 (none after the last)
    stacked = {name: np.zeros_like(weight) for name, weight in weights._asdict().items()}
    for t in reversed(range(len(inputs))):
        step = {"x": inputs[t], "h_prev": h_prev[t], "gates": cache["gates"][t], "u": cache["u"][t]}
        step_grads, dh_next = step_backward(weights, dh_from_output[t] + dh_next, step)
        for name, grad in step_grads.items():                # the weights are shared by all steps: add up
            stacked[name] += grad
    grads = unstack_gates(stacked)
    grads["W_hy"] = dlogits.reshape(-1, dlogits.shape[2]).T @ h.reshape(-1, h.shape[2])
    grads["b_y"] = dlogits.sum(axis=(0, 1))
    return {name: grads[name] for name in params}


def check_gru_params(params):
    """Check the names, types and shapes of GRU parameters; return ``(vocab_size, hidden_size)``."""
    return check_params(params, gru_parameter_shapes, anchor="W_xr")


def check_gru_args(params, inputs, h0):
    """Check the arguments of ``gru_forward``; return ``(inputs, h0)`` as float64, h0 zeros when None."""
    vocab_size, hidden_size = check_gru_params(params)
    inputs = check_one_hot_inputs(inputs, vocab_size)
    state = check_initial_state("h0", h0, inputs.shape[1], hidden_size)
    h0 = np.zeros((inputs.shape[1], hidden_size)) if state is None else state[0].astype(np.float64, copy=False)
    return inputs, h0


def check_gru_step_args(weights, x, h_prev):
    """Check the arguments of ``gru_step``: stacked weights, x (B, V), h_prev (B, H)."""
    if (isinstance(weights, GateWeights) and all_arrays(x, h_prev) and x.ndim == 2
            and x.shape[1] == weights.W_x.shape[1] and h_prev.shape == (len(x), weights.W_h.shape[1])):
        return                                   # the usual case, checked quickly: this runs at every time step
    require_type("weights", weights, GateWeights, "the stacked weights stack_gates(params)")
    three_h, vocab_size = weights.W_x.shape
    batch = require_array("x", x, (None, vocab_size), "(B, V)", dtype=None).shape[0]
    require_array("h_prev", h_prev, (batch, three_h // 3), "(B, H)", dtype=None)


def check_gru_step_backward_args(weights, dh, cache):
    """Check the arguments of ``gru_step_backward``."""
    if (isinstance(weights, GateWeights) and isinstance(cache, dict) and all_arrays(dh, cache.get("h_prev"))
            and dh.shape == cache["h_prev"].shape and {"x", "gates", "u"} <= cache.keys()):
        return                                   # the usual case, checked quickly: this runs at every time step
    require_type("weights", weights, GateWeights, "the stacked weights stack_gates(params)")
    check_step_backward_args(dh, cache, ("x", "h_prev", "gates", "u"))


def _check_stacked(stacked):
    if isinstance(stacked, GateWeights):
        stacked = stacked._asdict()
    require_type("stacked", stacked, dict, 'a dict {"W_x", "W_h", "b_x", "b_hn"} of stacked gate arrays')
    if set(stacked) != {"W_x", "W_h", "b_x", "b_hn"} or len(stacked["b_x"]) != 3 * len(stacked["b_hn"]):
        raise ValueError(f"stacked: expected the keys W_x, W_h, b_x (3H rows each) and b_hn (H); got {sorted(stacked)}")
    return stacked

