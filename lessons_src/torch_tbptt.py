"""Truncated backpropagation through time: training on a long text, and what truncation does to the gradient.

A text too long to backpropagate through in one piece is read in chunks of
k characters. The state at the end of a chunk is carried into the next one,
so the forward pass reads the text as one sequence, but it is *detached*
first: the gradient stops at the chunk's start, and no prediction sends its
error back more than k steps.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F

from .text import chunks, text_streams
from .torch_charlm import evaluate_perplexity, flat_gradient, ids_tensor
from .validation import as_float_array, require_function, require_positive_int, require_positive_number


def detach(state):
    """The state ``(h, c)`` cut from its history: the same values, no gradient flowing back through them."""
    _check_state(state)
    return None if state is None else tuple(tensor.detach() for tensor in state)


def train_tbptt(model, train_ids, val_ids, *, steps, batch_size, chunk_length, lr, eps=1e-4, max_norm=1.0,
                eval_every=50, callback=None):
    """Train ``model`` (a ``CharLanguageModel``) in place with truncated BPTT; return its perplexity history.

    The training ids are cut into ``batch_size`` streams (``text.text_streams``)
    and the streams into chunks of ``chunk_length`` steps (``text.chunks``);
    each of the ``steps`` optimizer steps takes the next chunk, starting
    again from the first chunk and a zero state when the streams are used up
    (an epoch). The state is carried from chunk to chunk and detached.
    Adam with ``eps`` (1e-4: a gradient entry far below it moves its weight
    less, instead of a full step of size lr), the learning rate falling
    linearly from ``lr`` to 0 over the steps, the gradient norm clipped to
    ``max_norm``.

    Every ``eval_every`` steps (and before the first) it measures the
    perplexity on ``val_ids`` and on as many ids from the start of
    ``train_ids`` (``evaluate_perplexity``), then calls ``callback(step, model)``
    if given. Returns ``{"step": [...], "train_perplexity": [...],
    "val_perplexity": [...]}``. Raises ``FloatingPointError`` naming the step
    if a loss is not finite.
    """
    _check_training(model, train_ids, val_ids, steps, lr, eps, max_norm, eval_every, callback)
    pieces = [(torch.from_numpy(inputs), torch.from_numpy(targets))
              for inputs, targets in chunks(text_streams(train_ids, batch_size), chunk_length)]
    train_sample = train_ids[: len(val_ids)]
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, eps=eps)
    history = {"step": [], "train_perplexity": [], "val_perplexity": []}

    def measure(step):
        history["step"].append(step)
        history["train_perplexity"].append(evaluate_perplexity(model, train_sample))
        history["val_perplexity"].append(evaluate_perplexity(model, val_ids))
        if callback is not None:
            callback(step, model)

    measure(0)
    state = None
    for step in range(1, steps + 1):
        position = (step - 1) % len(pieces)
        if position == 0:
            state = None                                         # a new epoch: back to the top of the streams
        inputs, targets = pieces[position]
        logits, state = model(inputs, detach(state))            # carried, but cut from its history
        loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
        if not math.isfinite(loss.item()):
            raise FloatingPointError(f"step {step}: the training loss is {loss.item()}; try a smaller lr")
        for group in optimizer.param_groups:
            group["lr"] = lr * (1 - (step - 1) / steps)          # linear decay to 0
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
        if step % eval_every == 0 or step == steps:
            measure(step)
    return history


def truncated_gradient(model, ids, chunk_length):
    """The mean loss on the text ``ids`` (N,) and its gradient, backpropagated at most ``chunk_length`` steps.

    The loss is the mean cross-entropy of the N - 1 predictions of ``ids[1:]``,
    reading the text from a zero state. It is read in chunks of
    ``chunk_length`` characters with the state carried and detached between
    them, and each chunk's share of the loss is backpropagated at once: the
    loss is the same for every chunk length, the gradient is not. A chunk
    length of N - 1 or more gives the full gradient.
    Returns ``(loss, gradient)``: a float and ``flat_gradient(model)``.
    """
    _check_model(model)
    ids = ids_tensor(ids)
    require_positive_int("chunk_length", chunk_length)
    model.zero_grad()
    count, total, state = len(ids) - 1, 0.0, None
    for start in range(0, count, chunk_length):
        inputs, targets = ids[start:start + chunk_length], ids[start + 1:start + chunk_length + 1]
        logits, state = model(inputs[: len(targets), None], detach(state))
        loss = F.cross_entropy(logits[:, 0], targets, reduction="sum") / count
        loss.backward()
        total += loss.item()
    return total, flat_gradient(model)


def cosine_similarity(a, b):
    """a . b / (|a| |b|) of two vectors: 1 when they point the same way."""
    a, b = as_float_array("a", a).ravel(), as_float_array("b", b).ravel()
    if a.shape != b.shape:
        raise ValueError(f"b: expected a vector of the length of a ({a.size}); got {b.size}")
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    if norms == 0:
        raise ValueError("a, b: expected two non-zero vectors")
    return float(a @ b / norms)


def _check_state(state):
    if state is None:
        return
    if not isinstance(state, (tuple, list)) or not all(isinstance(tensor, torch.Tensor) for tensor in state):
        raise TypeError(f"state: expected None or a pair of tensors (h, c); got {type(state).__name__}")
    if len(state) != 2:
        raise ValueError(f"state: expected a pair of tensors (h, c); got {len(state)} tensors")


def _check_model(model):
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model: expected an nn.Module such as CharLanguageModel; got {type(model).__name__}")


def _check_training(model, train_ids, val_ids, steps, lr, eps, max_norm, eval_every, callback):
    _check_model(model)
    ids_tensor(train_ids, "train_ids")
    ids_tensor(val_ids, "val_ids")
    for name, value in (("steps", steps), ("eval_every", eval_every)):
        require_positive_int(name, value)
    for name, value in (("lr", lr), ("eps", eps), ("max_norm", max_norm)):
        require_positive_number(name, value)
    if callback is not None:
        require_function("callback", callback, "a function (step, model)")
