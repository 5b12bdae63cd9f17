"""Activations and the loss, written so that large inputs cannot overflow.

Every function takes NumPy arrays of any shape (float64) and works
elementwise, or along the last axis for ``softmax`` and ``log_softmax``.
"""

import numpy as np

from .validation import as_float_array, require_array


def sigmoid(x):
    """1 / (1 + exp(-x)), computed from exp(-|x|) so that exp never overflows."""
    x = as_float_array("x", x)
    e = np.exp(-np.abs(x))            # in (0, 1]: never overflows
    r = 1.0 / (1.0 + e)               # sigmoid(|x|)
    return np.where(x >= 0, r, e * r)  # sigmoid(-|x|) = e / (1 + e)


def tanh(x):
    """The hyperbolic tangent; NumPy's own ``np.tanh`` is already stable."""
    return np.tanh(as_float_array("x", x))


def softmax(x):
    """exp(x) / sum(exp(x)) along the last axis, after subtracting the maximum."""
    x = as_float_array("x", x)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(x):
    """log(softmax(x)) along the last axis, without ever taking log(0)."""
    x = as_float_array("x", x)
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def cross_entropy(logits, targets, mask=None):
    """Mean cross-entropy of next-token predictions, and its gradient.

    logits:  (T, B, V) unnormalised scores.
    targets: (T, B) integer ids of the right tokens.
    mask:    (T, B) 1.0 where a target is real, 0.0 at padding; None means all real.

    Returns ``(loss, dlogits)``: the mean of -log p(target) over the real
    positions (a float), and its gradient with respect to ``logits``,
    shape (T, B, V), zero at padded positions.
    """
    logits, targets, mask = check_cross_entropy_args(logits, targets, mask)
    count = mask.sum()
    log_probs = log_softmax(logits)
    target_log_probs = np.take_along_axis(log_probs, targets[..., None], axis=-1)[..., 0]
    loss = -(target_log_probs * mask).sum() / count

    dlogits = np.exp(log_probs)
    np.put_along_axis(dlogits, targets[..., None], np.take_along_axis(dlogits, targets[..., None], axis=-1) - 1.0, axis=-1)
    dlogits *= (mask / count)[..., None]
    return float(loss), dlogits


def check_cross_entropy_args(logits, targets, mask):
    """Check the arguments of ``cross_entropy``; return them as arrays (logits and mask float64, mask ones when None)."""
    logits = require_array("logits", logits, (None, None, None), "(T, B, V)")
    targets = require_array("targets", targets, logits.shape[:2], "(T, B) like the logits", dtype=None)
    if not np.issubdtype(targets.dtype, np.integer):
        raise TypeError(f"targets: expected integer token ids; got dtype {targets.dtype}")
    vocab_size = logits.shape[2]
    if targets.size and (targets.min() < 0 or targets.max() >= vocab_size):
        raise ValueError(f"targets: expected ids from 0 to {vocab_size - 1}; got values from {targets.min()} to "
                         f"{targets.max()}")
    if mask is None:
        return logits, targets, np.ones(targets.shape)
    mask = require_array("mask", mask, targets.shape, "(T, B) like the targets")
    if mask.sum() == 0:
        raise ValueError("mask: expected at least one real (non-zero) position; got none")
    return logits, targets, mask
