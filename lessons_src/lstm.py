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
``bias_ih_l0 + bias_hh_l0 = b`` (4H,). ``lstm_step`` and
``lstm_step_backward`` take these stacked weights (a ``GateWeights``); ``lstm_forward`` and
``lstm_backward`` run them over all T steps. For speed, the forward pass
computes the inputs' share of the gates for all steps with one product
before its loop, and the backward pass keeps every step's gate gradients
and forms each weight's gradient with one product after its loop
(``_gate_gradients`` holds the maths that both backward functions share).
The step computes its sigmoids as sigmoid(a) = (1 + tanh(a / 2)) / 2, the
same function, which NumPy evaluates in fewer passes than
``functional.sigmoid``'s overflow-proof form (and tanh cannot overflow).
"""

from typing import NamedTuple

import numpy as np

from .functional import tanh
from .init import init_parameters
from .validation import (all_arrays, check_backward_args, check_initial_state, check_one_hot_inputs,
                         check_params, check_step_backward_args, require_array, require_sizes, require_type)

GATES = ("i", "f", "g", "o")
"""The gates in PyTorch's order: input, forget, candidate (g), output."""

FORGET_BIAS = 1.0
"""Initial forget-gate bias: sigmoid(1) = 0.73, so a new cell keeps most of its memory."""


class GateWeights(NamedTuple):
    """The four gates' weights piled up in the order i, f, g, o: rows ``k H : (k + 1) H`` belong to gate k."""

    W_x: np.ndarray  # (4H, V), torch.nn.LSTM's weight_ih_l0
    W_h: np.ndarray  # (4H, H), weight_hh_l0
    b: np.ndarray    # (4H,), bias_ih_l0 + bias_hh_l0


def lstm_parameter_shapes(vocab_size, hidden_size):
    """The name and shape of every LSTM parameter, in a fixed order."""
    require_sizes(vocab_size, hidden_size)
    shapes = {}
    shapes.update({f"W_x{gate}": (hidden_size, vocab_size) for gate in GATES})
    shapes.update({f"W_h{gate}": (hidden_size, hidden_size) for gate in GATES})
    shapes.update({f"b_{gate}": (hidden_size,) for gate in GATES})
    shapes.update({"W_hy": (vocab_size, hidden_size), "b_y": (vocab_size,)})
    return shapes


PARAMETER_NAMES = tuple(lstm_parameter_shapes(1, 1))
"""The keys of an LSTM parameter dict."""


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
    params = init_parameters(lstm_parameter_shapes(vocab_size, hidden_size), seed)
    params["b_f"][:] = FORGET_BIAS
    return params


def stack_gates(params):
    """The four gates' weights piled up in PyTorch's order i, f, g, o: a ``GateWeights``.

    It unpacks as ``W_x (4H, V), W_h (4H, H), b (4H,)``: rows ``0:H`` belong
    to the input gate, ``H:2H`` to the forget gate, ``2H:3H`` to the candidate
    and ``3H:4H`` to the output gate. These are ``torch.nn.LSTM``'s
    ``weight_ih_l0``, ``weight_hh_l0`` and ``bias_ih_l0 + bias_hh_l0``.
    """
    check_lstm_params(params)
    return GateWeights(*(np.concatenate([params[f"{prefix}{gate}"] for gate in GATES])
                         for prefix in ("W_x", "W_h", "b_")))


def unstack_gates(stacked):
    """The inverse of ``stack_gates``: ``{"W_x": (4H, V), "W_h": (4H, H), "b": (4H,)}`` -> each gate's arrays.

    Returns a dict with the keys ``W_xi ... W_xo``, ``W_hi ... W_ho``, ``b_i ... b_o``.
    """
    stacked = _check_stacked(stacked)
    H = len(stacked["b"]) // 4
    return {f"{prefix}{gate}": stacked[key][k * H:(k + 1) * H] for prefix, key in (("W_x", "W_x"), ("W_h", "W_h"), ("b_", "b"))
            for k, gate in enumerate(GATES)}


def lstm_step(weights, x, h_prev, c_prev, a_x=None):
    """One time step: x (B, V), h_prev and c_prev (B, H) -> ``(h, c, cache)``.

    weights: the stacked weights of the four gates, ``stack_gates(params)``.
    a_x:     the input's share of the pre-activations, ``x @ W_x.T + b``
             (B, 4H), when the caller has it already (``lstm_forward``
             computes it for all steps with one product); None: computed here.
    Returns the new hidden and cell states (B, H) and the cache that
    ``lstm_step_backward`` needs: the step's inputs, ``"gates"`` (B, 4H),
    the values of i, f, g, o side by side, and ``"tanh_c"``.
    """
    check_lstm_step_args(weights, x, h_prev, c_prev, a_x)
    H = h_prev.shape[1]
    if a_x is None:
        a_x = x @ weights.W_x.T + weights.b
    a = a_x + h_prev @ weights.W_h.T                          # the four pre-activations, (B, 4H)
    gates = 0.5 + 0.5 * tanh(0.5 * a)                         # i, f and o: sigmoid(a) = (1 + tanh(a / 2)) / 2 ...
    gates[:, 2 * H:3 * H] = tanh(a[:, 2 * H:3 * H])           # ... the candidate g: tanh(a)
    i, f, g, o = gates[:, 0:H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:4 * H]
    c = f * c_prev + i * g
    tanh_c = tanh(c)
    h = o * tanh_c
    return h, c, {"x": x, "h_prev": h_prev, "c_prev": c_prev, "gates": gates, "tanh_c": tanh_c}


def lstm_step_backward(weights, dh, dc, cache):
    """One step back: the gradients of h and c (B, H) -> ``(grads, dh_prev, dc_prev)``.

    dh, dc: dL/dh_t and dL/dc_t from everything after this step (the output
            layer and step t + 1).
    cache:  from ``lstm_step``.
    Returns this step's share of the gradients of the stacked weights, a dict
    ``{"W_x": (4H, V), "W_h": (4H, H), "b": (4H,)}``, and dL/dh_{t-1},
    dL/dc_{t-1}, which flow on to the step before.
    """
    check_lstm_step_backward_args(weights, dh, dc, cache)
    da, dc_prev = _gate_gradients(dh, dc, cache["gates"], cache["tanh_c"], cache["c_prev"])
    grads = {"W_x": da.T @ cache["x"], "W_h": da.T @ cache["h_prev"], "b": da.sum(axis=0)}
    return grads, da @ weights.W_h, dc_prev


def _gate_gradients(dh, dc, gates, tanh_c, c_prev):
    """The maths of one step back: ``(da, dc_prev)``, shared by ``lstm_step_backward`` and ``lstm_backward``.

    dh, dc: dL/dh_t and dL/dc_t (B, H) from everything after this step;
    gates, tanh_c, c_prev: the step's i, f, g, o (B, 4H), tanh(c_t) and c_{t-1}.
    Returns dL/d(pre-activations) of the four gates, da (B, 4H), and dL/dc_{t-1} (B, H).
    """
    H = dh.shape[1]
    i, f, g, o = gates[:, 0:H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:4 * H]
    dc = dc + dh * o * (1.0 - tanh_c ** 2)                    # h = o * tanh(c): the cell's second path
    dgates = np.concatenate([dc * g, dc * c_prev, dc * i, dh * tanh_c], axis=1)   # dL/d(i, f, g, o)
    squash = gates * (1.0 - gates)                            # each gate's derivative: sigmoid' = s (1 - s) ...
    squash[:, 2 * H:3 * H] = 1.0 - g ** 2                     # ... and tanh' = 1 - g^2 for the candidate
    return dgates * squash, dc * f                            # c_t = f * c_{t-1} + ...: the shortcut back


def lstm_forward(params, inputs, state=None):
    """Run the LSTM over a batch of sequences.

    inputs: (T, B, V) one-hot tokens, time first (all-zero rows at padding).
    state:  ``(h0, c0)``, each (B, H); zeros when None.

    Returns ``(logits, cache)``: logits (T, B, V), and a dict ``cache`` that
    ``lstm_backward`` needs and that keeps, for plotting, every activation
    over time: the gates ``"i"``, ``"f"``, ``"g"``, ``"o"``, the cell states
    ``"c"``, ``"tanh_c"`` = tanh(c) and the hidden states ``"h"``, each
    (T, B, H); ``"gates"``, the four gates side by side (T, B, 4H); and
    ``"inputs"``, ``"h0"``, ``"c0"`` and ``"logits"``.
    """
    inputs, (h0, c0) = check_lstm_args(params, inputs, state)
    weights, (steps, batch, _), H = stack_gates(params), inputs.shape, h0.shape[1]
    a_x = inputs @ weights.W_x.T + weights.b                  # the inputs' share of every step at once, (T, B, 4H)
    weights = weights._replace(W_h=np.asfortranarray(weights.W_h))   # same values; W_h.T is then contiguous (faster)
    cache = {"gates": np.empty((steps, batch, 4 * H)), "c": np.empty((steps, batch, H)),
             "tanh_c": np.empty((steps, batch, H)), "h": np.empty((steps, batch, H))}
    h, c = h0, c0
    for t in range(steps):                                    # (h_t, c_t) need (h_{t-1}, c_{t-1}): one step at a time
        h, c, step = lstm_step(weights, inputs[t], h, c, a_x[t])
        cache["gates"][t], cache["tanh_c"][t], cache["c"][t], cache["h"][t] = step["gates"], step["tanh_c"], c, h
    logits = cache["h"] @ params["W_hy"].T + params["b_y"]
    cache.update(zip(GATES, np.split(cache["gates"], 4, axis=2)))   # i, f, g, o: (T, B, H) views for plotting
    cache.update(inputs=inputs, h0=h0, c0=c0, logits=logits)
    return logits, cache


def lstm_backward(params, cache, dlogits):
    """Backpropagation through time: the gradient of the loss for every parameter.

    cache:   from ``lstm_forward(params, ...)``.
    dlogits: (T, B, V) gradient of the loss with respect to the logits
             (zero at padded positions, as ``cross_entropy`` returns it).

    Returns a dict with the same keys and shapes as ``params``.
    """
    dlogits = check_backward_args(params, cache, dlogits, check_lstm_params, "h", ("h0", "c0", "gates", "tanh_c", "c"))
    weights, inputs, h, c = stack_gates(params), cache["inputs"], cache["h"], cache["c"]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])        # the states each step started from, (T, B, H)
    c_prev = np.concatenate([cache["c0"][None], c[:-1]])
    dh_from_output = dlogits @ params["W_hy"]                 # every h_t feeds y_t ...
    dh_next, dc_next = np.zeros_like(h[0]), np.zeros_like(h[0])   # ... and step t + 1 (none after the last)
    da = np.empty(cache["gates"].shape)                       # every step's dL/d(pre-activations), (T, B, 4H)
    for t in reversed(range(len(inputs))):                    # lstm_step_backward's maths, weights left for later
        da[t], dc_next = _gate_gradients(dh_from_output[t] + dh_next, dc_next, cache["gates"][t], cache["tanh_c"][t],
                                        c_prev[t])
        dh_next = da[t] @ weights.W_h
    da, flat = da.reshape(-1, da.shape[2]), lambda array: array.reshape(-1, array.shape[2])
    # The weights are shared by all steps: their gradients add up over steps and batch rows, one product each.
    grads = unstack_gates({"W_x": da.T @ flat(inputs), "W_h": da.T @ flat(h_prev), "b": da.sum(axis=0)})
    grads["W_hy"] = flat(dlogits).T @ flat(h)
    grads["b_y"] = dlogits.sum(axis=(0, 1))
    return {name: grads[name] for name in params}


def check_lstm_params(params):
    """Check the names, types and shapes of LSTM parameters; return ``(vocab_size, hidden_size)``."""
    return check_params(params, lstm_parameter_shapes, anchor="W_xi")


def check_lstm_args(params, inputs, state):
    """Check the arguments of ``lstm_forward``; return ``(inputs, (h0, c0))`` as float64, zeros when None."""
    vocab_size, hidden_size = check_lstm_params(params)
    inputs = check_one_hot_inputs(inputs, vocab_size)
    state = check_initial_state("state", state, inputs.shape[1], hidden_size, parts=("h0", "c0"))
    if state is None:
        return inputs, (np.zeros((inputs.shape[1], hidden_size)), np.zeros((inputs.shape[1], hidden_size)))
    return inputs, tuple(part.astype(np.float64, copy=False) for part in state)


def check_lstm_step_args(weights, x, h_prev, c_prev, a_x=None):
    """Check the arguments of ``lstm_step``: stacked weights, x (B, V), h_prev and c_prev (B, H), a_x (B, 4H) or None."""
    if (isinstance(weights, GateWeights) and all_arrays(x, h_prev, c_prev) and x.ndim == 2
            and x.shape[1] == weights.W_x.shape[1] and h_prev.shape == c_prev.shape == (len(x), weights.W_h.shape[1])
            and (a_x is None or (isinstance(a_x, np.ndarray) and a_x.shape == (len(x), weights.W_h.shape[0])))):
        return                                   # the usual case, checked quickly: this runs at every time step
    require_type("weights", weights, GateWeights, "the stacked weights stack_gates(params)")
    four_h, vocab_size = weights.W_x.shape
    batch = require_array("x", x, (None, vocab_size), "(B, V)", dtype=None).shape[0]
    require_array("h_prev", h_prev, (batch, four_h // 4), "(B, H)", dtype=None)
    require_array("c_prev", c_prev, (batch, four_h // 4), "(B, H)", dtype=None)
    if a_x is not None:
        require_array("a_x", a_x, (batch, four_h), "(B, 4H), x @ W_x.T + b", dtype=None)


def check_lstm_step_backward_args(weights, dh, dc, cache):
    """Check the arguments of ``lstm_step_backward``."""
    if (isinstance(weights, GateWeights) and isinstance(cache, dict) and all_arrays(dh, dc, cache.get("h_prev"))
            and dh.shape == dc.shape == cache["h_prev"].shape and {"x", "c_prev", "gates", "tanh_c"} <= cache.keys()):
        return                                   # the usual case, checked quickly: this runs at every time step
    require_type("weights", weights, GateWeights, "the stacked weights stack_gates(params)")
    check_step_backward_args(dh, cache, ("x", "h_prev", "c_prev", "gates", "tanh_c"))
    require_array("dc", dc, dh.shape, "(B, H) like dh", dtype=None)


def _check_stacked(stacked):
    if isinstance(stacked, GateWeights):
        stacked = stacked._asdict()
    require_type("stacked", stacked, dict, 'a dict {"W_x", "W_h", "b"} of stacked gate arrays')
    if set(stacked) != {"W_x", "W_h", "b"} or any(len(array) % 4 for array in stacked.values()):
        raise ValueError(f"stacked: expected the keys W_x, W_h, b, each with 4H rows; got {sorted(stacked)}")
    return stacked
