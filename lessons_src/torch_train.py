"""Training and evaluating any PyTorch language model of the book, and using it where NumPy models go.

A model here is an ``nn.Module`` whose forward maps one-hot inputs (T, B, V)
to logits (T, B, V), in the dtype of its parameters (``torch_models``).
"""

import inspect
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from .data import require_training_sequences
from .torch_data import IGNORE_INDEX, SequenceDataset, pad_collate
from .train import check_training_arguments
from .validation import require_positive_int, require_type

_TORCH_OPTIMIZERS = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}
BATCH_ORDERS = ("torch", "numpy")


def evaluate_torch(model, sequences, vocab, batch_size=256):
    """Mean cross-entropy of ``model`` over every real position of ``sequences`` (a float)."""
    _check_evaluate_args(model, sequences, vocab, batch_size)
    loader = DataLoader(SequenceDataset(sequences, vocab), batch_size=batch_size, collate_fn=pad_collate)
    loss_function = nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX, reduction="sum")
    dtype = _dtype_of(model)
    total, count = 0.0, 0
    with torch.no_grad():
        for inputs, targets, lengths in loader:
            logits = _call(model, inputs.to(dtype), lengths)
            total += loss_function(logits.flatten(0, 1), targets.flatten()).item()
            count += int(lengths.sum())
    return total / count


def train_torch(model, train_sequences, val_sequences, vocab, *, epochs, batch_size=32, lr, optimizer="adam", max_norm=5.0, seed=0,
                batch_order="torch"):
    """Train ``model`` in place with mini-batches and return its loss history.

    model: an ``nn.Module`` whose forward maps one-hot inputs (T, B, V) to
    logits (T, B, V), in the dtype of its parameters; if its forward accepts a
    ``lengths`` keyword, each batch's true lengths are passed (so an
    ``LSTMLanguageModel`` packs its batches).
    Each epoch shuffles ``train_sequences`` (a generator seeded with ``seed``),
    takes an optimizer step per batch (``"adam"`` or ``"sgd"``, learning rate
    ``lr``) after clipping the gradient norm to ``max_norm`` (``None``: no
    clipping), and then measures the validation loss. Padded positions never
    count (``CrossEntropyLoss(ignore_index=IGNORE_INDEX)``).

    batch_order: ``"torch"`` shuffles with the ``DataLoader`` and a
    ``torch.Generator``; ``"numpy"`` takes the batches in the order in which
    ``train.train`` takes them with the same ``seed``, so that a module holding
    a NumPy model's weights sees the same batches as that model.
    Parameters with ``requires_grad=False`` are left as they are.

    Returns ``{"train_loss": [...], "val_loss": [...]}``, one entry per epoch:
    the mean loss over the real positions of the epoch's training batches, and
    ``evaluate_torch`` on ``val_sequences`` after the epoch.
    Raises ``FloatingPointError`` naming the epoch if a loss is NaN or infinite.
    """
    _check_train_args(model, vocab, train_sequences, val_sequences, epochs, batch_size, lr, optimizer, max_norm,
                      batch_order)
    train_set = SequenceDataset(train_sequences, vocab)
    if batch_order == "numpy":
        loader = DataLoader(train_set, batch_sampler=_NumpyOrder(len(train_set), int(batch_size), seed),
                            collate_fn=pad_collate)
    else:
        loader = DataLoader(train_set, batch_size=int(batch_size), shuffle=True, collate_fn=pad_collate,
                            generator=torch.Generator().manual_seed(seed))
    parameters = [parameter for parameter in model.parameters() if parameter.requires_grad]
    step = _TORCH_OPTIMIZERS[optimizer](parameters, lr=lr)
    loss_function = nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX)
    dtype = _dtype_of(model)
    history = {"train_loss": [], "val_loss": []}
    for epoch in range(1, epochs + 1):
        model.train()
        total, count = 0.0, 0
        for inputs, targets, lengths in loader:
            logits = _call(model, inputs.to(dtype), lengths)
            loss = loss_function(logits.flatten(0, 1), targets.flatten())
            if not torch.isfinite(loss):
                raise FloatingPointError(f"epoch {epoch}: the training loss is {loss.item()}; try a smaller lr")
            step.zero_grad()
            loss.backward()
            if max_norm is not None:
                nn.utils.clip_grad_norm_(parameters, max_norm)
            step.step()
            real = int(lengths.sum())
            total += loss.item() * real
            count += real
        model.eval()
        val_loss = evaluate_torch(model, val_sequences, vocab)
        if not math.isfinite(val_loss):
            raise FloatingPointError(f"epoch {epoch}: the validation loss is {val_loss}; try a smaller lr")
        history["train_loss"].append(total / count)
        history["val_loss"].append(val_loss)
    return history


def torch_predictor(module):
    """A NumPy view of ``module`` for ``lessons_src.generate.complete``.

    Returns a function mapping one-hot inputs, a (T, B, V) NumPy array, to
    the module's logits as a (T, B, V) float64 NumPy array (no gradients).
    """
    _check_model(module, "module")

    def model(inputs):
        require_type("inputs", inputs, np.ndarray, "a NumPy array (T, B, V)")
        if inputs.ndim != 3:
            raise ValueError(f"inputs: expected a NumPy array of shape (T, B, V); got shape {inputs.shape}")
        with torch.no_grad():
            logits = module(torch.as_tensor(inputs, dtype=_dtype_of(module)))
        return logits.double().numpy()

    return model


class _NumpyOrder:
    """Batches of indices in the order of ``train.train``: each epoch, ``rng.permutation(size)`` cut into batches."""

    def __init__(self, size, batch_size, seed):
        self.size, self.batch_size, self.rng = size, batch_size, np.random.default_rng(seed)

    def __iter__(self):
        order = self.rng.permutation(self.size)
        return iter([order[start:start + self.batch_size].tolist() for start in range(0, self.size, self.batch_size)])

    def __len__(self):
        return -(-self.size // self.batch_size)


def _call(model, inputs, lengths):
    """``model(inputs)``, passing ``lengths`` when its forward takes them."""
    if "lengths" in inspect.signature(model.forward).parameters:
        return model(inputs, lengths=lengths)
    return model(inputs)


def _dtype_of(model):
    return next(model.parameters()).dtype


def _check_model(model, name="model"):
    if not isinstance(model, nn.Module):
        raise TypeError(f"{name}: expected a torch.nn.Module; got {type(model).__name__}")
    if next(model.parameters(), None) is None:
        raise ValueError(f"{name}: expected a module with parameters; {type(model).__name__} has none")


def _check_evaluate_args(model, sequences, vocab, batch_size):
    _check_model(model)
    require_training_sequences("sequences", sequences, vocab)
    require_positive_int("batch_size", batch_size)


def _check_train_args(model, vocab, train_sequences, val_sequences, epochs, batch_size, lr, optimizer, max_norm,
                      batch_order):
    _check_model(model)
    check_training_arguments(vocab, train_sequences, val_sequences, epochs, batch_size, lr, optimizer, max_norm)
    if not isinstance(batch_order, str):
        raise TypeError(f"batch_order: expected 'torch' or 'numpy'; got {type(batch_order).__name__}")
    if batch_order not in BATCH_ORDERS:
        raise ValueError(f"batch_order: expected 'torch' or 'numpy'; got {batch_order!r}")
    if not any(parameter.requires_grad for parameter in model.parameters()):
        raise ValueError(f"model: expected at least one parameter to train; every parameter of "
                         f"{type(model).__name__} has requires_grad=False")
