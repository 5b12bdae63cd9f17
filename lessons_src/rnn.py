"""A recurrent neural network (Elman RNN) in NumPy, forward and backward.

At each time step t, with one-hot input x_t (B, V) and hidden state h (B, H)::

    h_t = tanh(x_t W_xh^T + h_{t-1} W_hh^T + b_h)
    y_t = h_t W_hy^T + b_y            (logits; softmax gives next-token probabilities)

Parameters (weights stored ``(out_features, in_features)`` like PyTorch):
``W_xh (H, V)``, ``W_hh (H, H)``, ``b_h (H,)``, ``W_hy (V, H)``, ``b_y (V,)``.
"""

import numpy as np

from .validation import check_one_hot_inputs, check_params, require_positive_int


def rnn_parameter_shapes(vocab_size, hidden_size):
    """The name and shape of every RNN parameter, in a fixed order."""
    return {"W_xh": (hidden_size, vocab_size), "W_hh": (hidden_size, hidden_size), "b_h": (hidden_size,),
            "W_hy": (vocab_size, hidden_size), "b_y": (vocab_size,)}


PARAM_NAMES = tuple(rnn_parameter_shapes(1, 1))


def orthogonal(rows, cols, rng):
    """A (rows, cols) matrix with orthonormal rows or columns (whichever are fewer).

    Taken from the QR decomposition of a Gaussian matrix, with the signs fixed
    so that the result is uniformly distributed. Multiplying by a square
    orthogonal matrix keeps every vector's length, so a hidden state neither
    grows nor shrinks just from passing through W_hh.
    """
    gaussian = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(gaussian)
    q *= np.sign(np.diag(r))
    return q if rows >= cols else q.T


def init_rnn(vocab_size, hidden_size, seed=0):
    """New RNN parameters: orthogonal weight matrices and zero biases.

    Returns a dict with ``W_xh (H, V)``, ``W_hh (H, H)``, ``b_h (H,)``,
    ``W_hy (V, H)``, ``b_y (V,)``, float64, the same for the same seed.
    """
    require_positive_int("vocab_size", vocab_size)
    require_positive_int("hidden_size", hidden_size)
    rng = np.random.default_rng(seed)
    return {
        "W_xh": orthogonal(hidden_size, vocab_size, rng),
        "W_hh": orthogonal(hidden_size, hidden_size, rng),
        "b_h": np.zeros(hidden_size),
        "W_hy": orthogonal(vocab_size, hidden_size, rng),
        "b_y": np.zeros(vocab_size),
    }


def rnn_step(params, x, h_prev):
    """One time step: x (B, V) and h_prev (B, H) -> h (B, H)."""
    return np.tanh(x @ params["W_xh"].T + h_prev @ params["W_hh"].T + params["b_h"])


def rnn_forward(params, inputs, h0=None):
    """Run the RNN over a batch of sequences.

    inputs: (T, B, V) one-hot tokens, time first (all-zero vectors at padding).
    h0:     (B, H) initial hidden state; zeros when None.

    Returns ``(logits, cache)``: logits (T, B, V), and the cache that
    ``rnn_backward`` needs: ``inputs`` (T, B, V) and ``hidden`` (T + 1, B, H),
    where ``hidden[0]`` is h0 and ``hidden[t + 1]`` is the state after step t.
    """
    vocab_size, hidden_size = check_rnn_params(params)
    inputs = check_one_hot_inputs(inputs, vocab_size)
    steps, batch, _ = inputs.shape
    if h0 is None:
        h0 = np.zeros((batch, hidden_size))
    h0 = np.asarray(h0, dtype=np.float64)
    if h0.shape != (batch, hidden_size):
        raise ValueError(f"h0: expected shape (B, H) = {(batch, hidden_size)}; got {h0.shape}")

    hidden = np.empty((steps + 1, batch, hidden_size))
    hidden[0] = h0
    for t in range(steps):
        hidden[t + 1] = rnn_step(params, inputs[t], hidden[t])
    logits = hidden[1:] @ params["W_hy"].T + params["b_y"]
    return logits, {"inputs": inputs, "hidden": hidden}


def rnn_backward(params, cache, dlogits):
    """Backpropagation through time.

    cache:   from ``rnn_forward``.
    dlogits: (T, B, V) gradient of the loss with respect to the logits.

    Returns grads, a dict with the keys and shapes of ``params``.
    """
    vocab_size, hidden_size = check_rnn_params(params)
    inputs, hidden = cache["inputs"], cache["hidden"]
    dlogits = np.asarray(dlogits, dtype=np.float64)
    if dlogits.shape != inputs.shape:
        raise ValueError(f"dlogits: expected shape (T, B, V) = {inputs.shape} like the logits; got {dlogits.shape}")
    steps = inputs.shape[0]

    # The output layer sees each h_t once: y_t = h_t W_hy^T + b_y.
    dW_hy = dlogits.reshape(-1, vocab_size).T @ hidden[1:].reshape(-1, hidden_size)
    db_y = dlogits.sum(axis=(0, 1))
    dh_from_output = dlogits @ params["W_hy"]          # (T, B, H)

    # h_t feeds y_t and h_{t+1}: walk back in time, adding both contributions.
    dpre = np.empty_like(hidden[1:])                   # gradient before the tanh, (T, B, H)
    dh_next = np.zeros_like(hidden[0])                 # from step t + 1 (none after the last step)
    for t in reversed(range(steps)):
        dh = dh_from_output[t] + dh_next
        dpre[t] = dh * (1.0 - hidden[t + 1] ** 2)      # tanh'(a) = 1 - tanh(a)^2 = 1 - h_t^2
        dh_next = dpre[t] @ params["W_hh"]

    flat_dpre = dpre.reshape(-1, hidden_size)
    return {
        "W_xh": flat_dpre.T @ inputs.reshape(-1, vocab_size),
        "W_hh": flat_dpre.T @ hidden[:-1].reshape(-1, hidden_size),
        "b_h": dpre.sum(axis=(0, 1)),
        "W_hy": dW_hy,
        "b_y": db_y,
    }


def check_rnn_params(params):
    """Check the names, types and shapes of RNN parameters; return ``(V, H)``."""
    return check_params(params, rnn_parameter_shapes, anchor="W_xh")
