"""How long one training step takes: the NumPy LSTM and GRU against their PyTorch twins, packed batches against padded."""

import inspect
import timeit

import numpy as np
import torch
from torch import nn

from .data import one_hot
from .functional import cross_entropy
from .gru import gru_backward, gru_forward, init_gru
from .lstm import init_lstm, lstm_backward, lstm_forward
from .torch_data import IGNORE_INDEX
from .torch_gru import gru_to_torch
from .torch_lstm import lstm_to_torch
from .validation import require_positive_int


def time_training_step(batch_size=32, hidden_size=50, steps=16, vocab_size=4, number=10, repeats=5, seed=0):
    """Seconds per training step of the NumPy LSTM and of ``torch.nn.LSTM``, on the same batch.

    A step is the forward pass, the cross-entropy and the backward pass (no
    parameter update) on one random batch of ``steps`` x ``batch_size``
    tokens from ``vocab_size``. The torch model is ``lstm_to_torch`` of the
    NumPy parameters, timed in float64 (the same arithmetic) and float32
    (what one trains with). Each time is the best over ``repeats`` runs of the
    mean over ``number`` steps; the number of threads is the caller's choice
    (``torch.set_num_threads``, ``OPENBLAS_NUM_THREADS``).

    Returns ``{"numpy": s, "torch float64": s, "torch float32": s}``.
    """
    _check_sizes(batch_size=batch_size, hidden_size=hidden_size, steps=steps, vocab_size=vocab_size, number=number,
                 repeats=repeats)
    model = (init_lstm, lstm_forward, lstm_backward, lstm_to_torch)
    return time_model_step(model, batch_size, hidden_size, steps, vocab_size, number, repeats, seed)


def time_gru_training_step(batch_size=32, hidden_size=50, steps=16, vocab_size=4, number=10, repeats=5, seed=0):
    """The same as ``time_training_step`` for the NumPy GRU and ``torch.nn.GRU`` (``gru_to_torch``)."""
    _check_sizes(batch_size=batch_size, hidden_size=hidden_size, steps=steps, vocab_size=vocab_size, number=number,
                 repeats=repeats)
    model = (init_gru, gru_forward, gru_backward, gru_to_torch)
    return time_model_step(model, batch_size, hidden_size, steps, vocab_size, number, repeats, seed)


def time_model_step(model, batch_size, hidden_size, steps, vocab_size, number, repeats, seed):
    """Seconds per training step of a NumPy model and of its PyTorch twin, on one random batch.

    model: ``(init, forward, backward, to_torch)``, such as
    ``(init_lstm, lstm_forward, lstm_backward, lstm_to_torch)``.
    """
    init, forward, backward, to_torch = _check_model(model)
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, vocab_size, size=(steps + 1, batch_size))
    inputs, targets = one_hot(ids[:-1], vocab_size), ids[1:]
    params = init(vocab_size, hidden_size, seed=seed)

    def numpy_step():
        logits, cache = forward(params, inputs)
        _, dlogits = cross_entropy(logits, targets)
        backward(params, cache, dlogits)

    times = {"numpy": _best_time(numpy_step, number, repeats)}
    loss_function = nn.CrossEntropyLoss()
    for dtype in (torch.float64, torch.float32):
        module = to_torch(params).to(dtype)
        torch_inputs, torch_targets = torch.as_tensor(inputs, dtype=dtype), torch.as_tensor(targets).flatten()

        def torch_step():
            module.zero_grad()
            loss_function(module(torch_inputs).flatten(0, 1), torch_targets).backward()

        times[f"torch {str(dtype).removeprefix('torch.')}"] = _best_time(torch_step, number, repeats)
    return times


def time_packing(module, batches, repeats=5):
    """Seconds per training step of ``module`` on ``batches``, with the batch packed and without.

    module: a language model whose forward takes ``lengths`` (``LSTMLanguageModel``).
    batches: a list of ``(inputs (T, B, V), targets (T, B), lengths (B,))``
    from ``pad_collate``. A step is the forward pass (packed: with the
    lengths), the cross-entropy over real positions and the backward pass.
    Each time is the best over ``repeats`` passes over all the batches.

    Returns ``{"padded": s, "packed": s}``, seconds per batch.
    """
    _check_packing_args(module, batches, repeats)
    dtype = next(module.parameters()).dtype
    loss_function = nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX)
    batches = [(inputs.to(dtype), targets.flatten(), lengths) for inputs, targets, lengths in batches]

    def epoch(packed):
        for inputs, targets, lengths in batches:
            module.zero_grad()
            logits = module(inputs, lengths=lengths) if packed else module(inputs)
            loss_function(logits.flatten(0, 1), targets).backward()

    return {kind: _best_time(lambda: epoch(kind == "packed"), 1, repeats) / len(batches) for kind in ("padded", "packed")}


def _best_time(step, number, repeats):
    timeit.timeit(step, number=number)  # warm up: the first steps of a process are slower
    return min(timeit.timeit(step, number=number) for _ in range(repeats)) / number


def _check_sizes(**sizes):
    for name, value in sizes.items():
        require_positive_int(name, value)


def _check_packing_args(module, batches, repeats):
    if not isinstance(module, nn.Module) or "lengths" not in inspect.signature(module.forward).parameters:
        raise TypeError(f"module: expected a language model whose forward takes lengths (LSTMLanguageModel); "
                        f"got {type(module).__name__}")
    if not isinstance(batches, list):
        raise TypeError(f"batches: expected a list of (inputs, targets, lengths) from pad_collate; "
                        f"got {type(batches).__name__}")
    if not batches or any(not isinstance(batch, tuple) or len(batch) != 3 for batch in batches):
        raise ValueError(f"batches: expected a non-empty list of (inputs, targets, lengths); got {batches!r:.80}")
    require_positive_int("repeats", repeats)


def _check_model(model):
    if not isinstance(model, tuple) or not all(callable(function) for function in model):
        raise TypeError(f"model: expected a tuple (init, forward, backward, to_torch) of functions; got {model!r:.80}")
    if len(model) != 4:
        raise ValueError(f"model: expected 4 functions (init, forward, backward, to_torch); got {len(model)}")
    return model
