"""A recurrent neural network (Elman RNN) in NumPy, forward and backward.

At each time step t, with one-hot input x_t (B, V) and hidden state h (B, H)::

    h_t = tanh(x_t W_xh^T + h_{t-1} W_hh^T + b_h)
    y_t = h_t W_hy^T + b_y            (logits; softmax gives next-token probabilities)

Parameters (weights stored ``(out_features, in_features)`` like PyTorch):
``W_xh (H, V)``, ``W_hh (H, H)``, ``b_h (H,)``, ``W_hy (V, H)``, ``b_y (V,)``.

The model is built from one step and its backward: ``rnn_step`` maps
``h_{t-1}`` to ``h_t`` and keeps a cache, ``rnn_step_backward`` takes the
gradient of ``h_t`` back to ``h_{t-1}`` and the step's weights;
``rnn_forward`` and ``rnn_backward`` run them over all T steps.
"""

import numpy as np

from .init import init_parameters
from .validation import (check_backward_args, check_initial_state, check_one_hot_inputs, check_params,
                         check_step_backward_args, require_array, require_sizes)


def rnn_parameter_shapes(vocab_size, hidden_size):
    """The name and shape of every RNN parameter, in a fixed order."""
    require_sizes(vocab_size, hidden_size)
    return {"W_xh": (hidden_size, vocab_size), "W_hh": (hidden_size, hidden_size), "b_h": (hidden_size,),
            "W_hy": (vocab_size, hidden_size), "b_y": (vocab_size,)}


PARAMETER_NAMES = tuple(rnn_parameter_shapes(1, 1))
"""The keys of an RNN parameter dict."""


def init_rnn(vocab_size, hidden_size, seed=0):
    """New RNN parameters: orthogonal weight matrices and zero biases (``init.init_parameters``).

    Returns a dict with ``W_xh (H, V)``, ``W_hh (H, H)``, ``b_h (H,)``,
    ``W_hy (V, H)``, ``b_y (V,)``, float64, the same for the same seed.
    """
    return init_parameters(rnn_parameter_shapes(vocab_size, hidden_size), seed)


def rnn_step(params, x, h_prev):
    """One time step: x (B, V) and h_prev (B, H) -> ``(h, cache)``, h (B, H) and what ``rnn_step_backward`` needs."""
    check_rnn_step_args(params, x, h_prev)
    h = np.tanh(x @ params["W_xh"].T + h_prev @ params["W_hh"].T + params["b_h"])
    return h, {"x": x, "h_prev": h_prev, "h": h}


def rnn_step_backward(params, dh, cache):
    """One step back: the gradient of h (B, H) -> ``(grads, dh_prev)``.

    dh:    dL/dh_t, everything the loss receives through h_t (from y_t and from step t + 1).
    cache: from ``rnn_step``.
    Returns this step's share of the gradients of ``W_xh``, ``W_hh`` and
    ``b_h`` (a dict), and dL/dh_{t-1}, the part that flows on to the step before.
    """
    check_rnn_step_backward_args(params, dh, cache)
    da = dh * (1.0 - cache["h"] ** 2)          # through the tanh: tanh'(a) = 1 - tanh(a)^2 = 1 - h^2
    grads = {"W_xh": da.T @ cache["x"], "W_hh": da.T @ cache["h_prev"], "b_h": da.sum(axis=0)}
    return grads, da @ params["W_hh"]


def rnn_forward(params, inputs, h0=None):
    """Run the RNN over a batch of sequences.

    inputs: (T, B, V) one-hot tokens, time first (all-zero vectors at padding).
    h0:     (B, H) initial hidden state; zeros when None.

    Returns ``(logits, cache)``: logits (T, B, V), and the cache that
    ``rnn_backward`` needs: ``inputs`` (T, B, V) and ``hidden`` (T + 1, B, H),
    where ``hidden[0]`` is h0 and ``hidden[t + 1]`` is the state after step t.
    """
    inputs, h0 = check_rnn_args(params, inputs, h0)
    steps, batch, _ = inputs.shape
    hidden = np.empty((steps + 1, batch, h0.shape[1]))
    hidden[0] = h0
    for t in range(steps):                             # h_t needs h_{t-1}: one step after the other
        hidden[t + 1], _ = rnn_step(params, inputs[t], hidden[t])
    logits = hidden[1:] @ params["W_hy"].T + params["b_y"]
    return logits, {"inputs": inputs, "hidden": hidden}


def rnn_backward(params, cache, dlogits):
    """Backpropagation through time.

    cache:   from ``rnn_forward``.
    dlogits: (T, B, V) gradient of the loss with respect to the logits.

    Returns grads, a dict with the keys and shapes of ``params``.
    """
    dlogits = check_backward_args(params, cache, dlogits, check_rnn_params, "hidden")
    inputs, hidden = cache["inputs"], cache["hidden"]
    grads = {name: np.zeros_like(param) for name, param in params.items()}
    # The output layer sees each h_t once: y_t = h_t W_hy^T + b_y.
    grads["W_hy"] = dlogits.reshape(-1, dlogits.shape[2]).T @ hidden[1:].reshape(-1, hidden.shape[2])
    grads["b_y"] = dlogits.sum(axis=(0, 1))
    dh_from_output = dlogits @ params["W_hy"]          # (T, B, H)

    # h_t feeds y_t and h_{t+1}: walk back in time, adding both contributions.
    dh_next = np.zeros_like(hidden[0])                 # from step t + 1 (none after the last step)
    for t in reversed(range(len(inputs))):
        step = {"x": inputs[t], "h_prev": hidden[t], "h": hidden[t + 1]}     # what rnn_step returned as its cache
        step_grads, dh_next = rnn_step_backward(params, dh_from_output[t] + dh_next, step)
        for name, grad in step_grads.items():          # the weights are shared by all steps: add up
            grads[name] += grad
    return grads


def check_rnn_params(params):
    """Check the names, types and shapes of RNN parameters; return ``(V, H)``."""
    return check_params(params, rnn_parameter_shapes, anchor="W_xh")


def check_rnn_args(params, inputs, h0):
    """Check the arguments of ``rnn_forward``; return ``(inputs, h0)`` as float64, h0 zeros when None."""
    vocab_size, hidden_size = check_rnn_params(params)
    inputs = check_one_hot_inputs(inputs, vocab_size)
    state = check_initial_state("h0", h0, inputs.shape[1], hidden_size)
    h0 = np.zeros((inputs.shape[1], hidden_size)) if state is None else state[0].astype(np.float64)
    return inputs, h0


def check_rnn_step_args(params, x, h_prev):
    """Check the arguments of ``rnn_step``: x (B, V) and h_prev (B, H) that fit ``params``."""
    vocab_size, hidden_size = check_rnn_params(params)
    batch = require_array("x", x, (None, vocab_size), "(B, V)", dtype=None).shape[0]
    require_array("h_prev", h_prev, (batch, hidden_size), "(B, H)", dtype=None)


def check_rnn_step_backward_args(params, dh, cache):
    """Check the arguments of ``rnn_step_backward``."""
    check_rnn_params(params)
    check_step_backward_args(dh, cache, ("x", "h_prev", "h"))
