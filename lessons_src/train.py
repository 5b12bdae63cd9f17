"""One training loop for every NumPy model of the book.

A model is a pair of functions with the signatures of ``rnn_forward`` and
``rnn_backward`` (or their LSTM counterparts)::

    forward(params, inputs (T, B, V)) -> (logits (T, B, V), cache)
    backward(params, cache, dlogits (T, B, V)) -> grads

Sequences are lists of token strings (whole sequences ending in ``EOS``);
``data.make_batch`` turns a batch of them into inputs, targets and a mask.
"""

import numpy as np

from .data import make_batch, require_training_sequences
from .functional import cross_entropy
from .optim import Adam, clip_grad_norm, sgd_step
from .validation import require_arrays, require_function, require_positive_int, require_positive_number

OPTIMIZERS = ("adam", "sgd")


def evaluate(forward, params, sequences, vocab, batch_size=256):
    """Mean cross-entropy of ``params`` on ``sequences``, over all real target positions.

    Padding does not count, and every real position weighs the same whatever
    batch it falls in. Nothing is changed.
    """
    _check_evaluate_args(forward, params, sequences, vocab, batch_size)
    total, count = 0.0, 0.0
    for start in range(0, len(sequences), batch_size):
        inputs, targets, mask = make_batch(sequences[start:start + batch_size], vocab)
        logits, _ = forward(params, inputs)
        loss, _ = cross_entropy(logits, targets, mask)
        total += loss * mask.sum()
        count += mask.sum()
    return float(total / count)


def train(forward, backward, params, train_sequences, val_sequences, vocab, *,
          epochs, batch_size=32, lr, optimizer="adam", max_norm=5.0, seed=0, loss=cross_entropy):
    """Train ``params`` in place with mini-batches; return the loss history.

    Each epoch visits the training sequences once in an order shuffled by a
    generator seeded with ``seed``, ``batch_size`` at a time: forward,
    cross-entropy over the real positions, backward, clipping of the global
    gradient norm to ``max_norm`` (None: no clipping), and one step of
    ``optimizer`` ("adam" or "sgd") with learning rate ``lr``. ``loss`` is
    the function ``(logits, targets, mask) -> (loss, dlogits)`` to minimise;
    the default, ``cross_entropy``, is the one every model of the book uses.

    Returns ``{"train_loss": [...], "val_loss": [...]}``, one entry per epoch:
    the mean training loss over the epoch's batches (weighted by their real
    positions, measured before each step) and ``evaluate`` on
    ``val_sequences`` after the epoch. A NaN or infinite loss raises
    ``FloatingPointError`` naming the epoch.
    """
    _check_train_args(forward, backward, loss, params, vocab, train_sequences, val_sequences, epochs, batch_size, lr,
                      optimizer, max_norm)

    rng = np.random.default_rng(seed)
    adam = Adam(params, lr=lr) if optimizer == "adam" else None
    history = {"train_loss": [], "val_loss": []}
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(train_sequences))
        total, count = 0.0, 0.0
        for start in range(0, len(order), batch_size):
            batch = [train_sequences[i] for i in order[start:start + batch_size]]
            inputs, targets, mask = make_batch(batch, vocab)
            logits, cache = forward(params, inputs)
            batch_loss, dlogits = loss(logits, targets, mask)
            if not np.isfinite(batch_loss):
                raise FloatingPointError(f"epoch {epoch}: the training loss became {batch_loss}; "
                                         f"try a smaller lr (got {lr}) or a smaller max_norm (got {max_norm})")
            grads = backward(params, cache, dlogits)
            if max_norm is not None:
                clip_grad_norm(grads, max_norm)
            if adam is not None:
                adam.step(params, grads)
            else:
                sgd_step(params, grads, lr)
            total += batch_loss * mask.sum()
            count += mask.sum()
        val_loss = evaluate(forward, params, val_sequences, vocab)
        if not np.isfinite(val_loss):
            raise FloatingPointError(f"epoch {epoch}: the validation loss became {val_loss}")
        history["train_loss"].append(float(total / count))
        history["val_loss"].append(val_loss)
    return history


def check_training_arguments(vocab, train_sequences, val_sequences, epochs, batch_size, lr, optimizer, max_norm):
    """Check the arguments that both training loops, ``train.train`` and ``torch_train.train_torch``, take."""
    require_training_sequences("train_sequences", train_sequences, vocab)
    require_training_sequences("val_sequences", val_sequences, vocab)
    require_positive_int("epochs", epochs)
    require_positive_int("batch_size", batch_size)
    require_positive_number("lr", lr)
    if not isinstance(optimizer, str):
        raise TypeError(f"optimizer: expected 'adam' or 'sgd'; got {type(optimizer).__name__}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer: expected 'adam' or 'sgd'; got {optimizer!r}")
    require_positive_number("max_norm", max_norm, allow_none=True)


def _check_evaluate_args(forward, params, sequences, vocab, batch_size):
    require_function("forward", forward)
    require_arrays("params", params)
    require_training_sequences("sequences", sequences, vocab)
    require_positive_int("batch_size", batch_size)


def _check_train_args(forward, backward, loss, params, vocab, train_sequences, val_sequences, epochs, batch_size, lr,
                      optimizer, max_norm):
    require_function("forward", forward)
    require_function("backward", backward)
    require_function("loss", loss, "a function (logits, targets, mask) -> (loss, dlogits)")
    require_arrays("params", params)
    check_training_arguments(vocab, train_sequences, val_sequences, epochs, batch_size, lr, optimizer, max_norm)
