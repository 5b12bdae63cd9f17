"""The LSTM language model of chapter 3, written with ``torch.nn.LSTM``.

Shapes follow the rest of the book (time first): one-hot inputs ``(T, B, V)``,
logits ``(T, B, V)``, token ids and targets ``(T, B)``, states ``(B, H)``.

- ``LSTMLanguageModel``: ``nn.LSTM`` followed by an output ``nn.Linear`` with a bias;
  its ``forward`` (input checks, initial state, packing) is that of ``RecurrentLanguageModel``,
  which ``counting.RNNLanguageModel`` shares.
- ``lstm_to_torch`` / ``lstm_from_torch``: move the NumPy parameters of
  ``lessons_src.lstm`` into such a module and back; both compute the same logits.
- ``lstm_grads_from_torch``: the gradients autograd left in the module, under the
  NumPy names, to compare with ``lstm_backward``.
- ``SequenceDataset`` and ``pad_collate``: the data the PyTorch way, for a ``DataLoader``.
- ``train_torch`` and ``evaluate_torch``: a training loop for any module whose
  forward maps one-hot ``(T, B, V)`` to logits ``(T, B, V)``.
- ``predictor``: turns such a module into the NumPy function ``generate.complete`` expects.
- ``time_training_step``: how long one training step takes, NumPy against PyTorch.
"""

import inspect
import math
import timeit

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence
from torch.utils.data import DataLoader, Dataset

from .data import one_hot
from .functional import cross_entropy
from .lstm import GATES, check_lstm_params, init_lstm, lstm_backward, lstm_forward, lstm_parameter_shapes, stack_gates
from .validation import check_training_arguments, require_positive_int, require_sequences, require_vocabulary

PARAMETER_NAMES = tuple(lstm_parameter_shapes(1, 1))
"""The keys of an LSTM parameter dict, as ``lessons_src.lstm`` names them."""

IGNORE_INDEX = -100
"""The target id at padded positions; ``nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX)`` skips them."""


class RecurrentLanguageModel(nn.Module):
    """A recurrent layer that reads one-hot tokens, then a linear layer that scores the next token.

    What ``LSTMLanguageModel`` and ``counting.RNNLanguageModel`` share: the
    sizes, the output layer ``self.output = nn.Linear(hidden_size, vocab_size)``
    with a bias (``y_t = W_hy h_t + b_y``), and ``forward``. A subclass names
    its recurrent layer (one layer, time first) in two class attributes,
    ``layer_class`` (such as ``nn.LSTM``) and ``layer_name`` (the attribute
    that holds it, such as ``"lstm"``), and says in ``layer_state`` how a
    caller's initial state becomes the layer's.
    """

    layer_class = None
    layer_name = None

    def __init__(self, vocab_size, hidden_size):
        super().__init__()
        require_positive_int("vocab_size", vocab_size)
        require_positive_int("hidden_size", hidden_size)
        self.vocab_size, self.hidden_size = int(vocab_size), int(hidden_size)
        # The recurrent layer first, then the output layer: the order in which they draw their initial weights.
        setattr(self, self.layer_name, self.layer_class(input_size=self.vocab_size, hidden_size=self.hidden_size))
        self.output = nn.Linear(self.hidden_size, self.vocab_size)

    @property
    def layer(self):
        """The recurrent layer: ``self.lstm`` or ``self.rnn``."""
        return getattr(self, self.layer_name)

    def check_inputs(self, inputs):
        """Raise ValueError unless ``inputs`` is a (T, B, V) tensor with V = ``vocab_size``."""
        if not isinstance(inputs, torch.Tensor) or inputs.dim() != 3 or inputs.shape[2] != self.vocab_size:
            got = tuple(inputs.shape) if isinstance(inputs, torch.Tensor) else type(inputs).__name__
            raise ValueError(f"inputs: expected a tensor of shape (T, B, V) with V={self.vocab_size}; got {got}")

    def layer_state(self, state, batch):
        """The caller's initial state, each tensor (B, H), as the layer takes it, each (1, B, H)."""
        raise NotImplementedError(f"{type(self).__name__} must say how its layer takes a state")

    def forward(self, inputs, state=None, lengths=None):
        """Logits for every step of a batch.

        inputs:  (T, B, V) one-hot float tensor (zeros at padded steps).
        state:   optional initial state (see the subclass); zeros when None.
        lengths: optional (B,) true lengths; when given, the batch is packed
                 with ``pack_padded_sequence`` so the layer stops at each
                 sequence's end, and the logits at padded steps are those of a
                 zero hidden state (the loss must ignore them).
        Returns logits, a (T, B, V) tensor.
        """
        self.check_inputs(inputs)
        steps, batch, _ = inputs.shape
        if state is not None:
            state = self.layer_state(state, batch)
        if lengths is None:
            hidden, _ = self.layer(inputs, state)
        else:
            lengths = torch.as_tensor(lengths, dtype=torch.int64, device="cpu")
            if lengths.shape != (batch,) or lengths.min() < 1 or lengths.max() > steps:
                raise ValueError(f"lengths: expected {batch} lengths from 1 to {steps}; got {lengths.tolist()}")
            packed = pack_padded_sequence(inputs, lengths, enforce_sorted=False)
            packed_hidden, _ = self.layer(packed, state)
            hidden, _ = pad_packed_sequence(packed_hidden, total_length=steps)
        return self.output(hidden)


class LSTMLanguageModel(RecurrentLanguageModel):
    """An LSTM that reads one-hot tokens and scores the next token.

    ``self.lstm`` is ``nn.LSTM(vocab_size, hidden_size)`` (one layer, time
    first) and ``self.output`` is ``nn.Linear(hidden_size, vocab_size)`` with
    a bias, so the model is the one of chapter 3: ``y = W_hy h + b_y``.
    The optional ``state`` of ``forward`` is a pair ``(h0, c0)``, each (B, H).
    """

    layer_class, layer_name = nn.LSTM, "lstm"

    def layer_state(self, state, batch):
        """``(h0, c0)``, each (B, H) -> the pair of (1, B, H) tensors that ``nn.LSTM`` takes."""
        expected = f"(h0, c0), each a tensor of shape (B, H) = {(batch, self.hidden_size)}"
        if not isinstance(state, (tuple, list)) or len(state) != 2:
            raise ValueError(f"state: expected {expected}; got {type(state).__name__}")
        for name, tensor in zip(("h0", "c0"), state):
            if not isinstance(tensor, torch.Tensor) or tuple(tensor.shape) != (batch, self.hidden_size):
                got = tuple(tensor.shape) if isinstance(tensor, torch.Tensor) else type(tensor).__name__
                raise ValueError(f"state: expected {expected}; {name} is {got}")
        return tuple(tensor.unsqueeze(0) for tensor in state)


def lstm_to_torch(params):
    """An ``LSTMLanguageModel`` in float64 holding the NumPy LSTM ``params``.

    params: the dict of ``lessons_src.lstm`` (keys ``PARAMETER_NAMES``):
    ``W_x*`` (H, V), ``W_h*`` (H, H), ``b_*`` (H,), ``W_hy`` (V, H), ``b_y`` (V,).
    The gate blocks are stacked in the order i, f, g, o (``stack_gates``);
    PyTorch's second bias, ``bias_hh_l0``, is set to zero, since only the sum
    of the two biases enters the gates.
    """
    vocab_size, hidden_size = check_lstm_params(params)
    W_x, W_h, b = stack_gates(params)
    module = LSTMLanguageModel(vocab_size, hidden_size).double()
    with torch.no_grad():
        module.lstm.weight_ih_l0.copy_(torch.from_numpy(W_x))
        module.lstm.weight_hh_l0.copy_(torch.from_numpy(W_h))
        module.lstm.bias_ih_l0.copy_(torch.from_numpy(b))
        module.lstm.bias_hh_l0.zero_()
        module.output.weight.copy_(torch.as_tensor(params["W_hy"], dtype=torch.float64))
        module.output.bias.copy_(torch.as_tensor(params["b_y"], dtype=torch.float64))
    return module


def lstm_from_torch(module):
    """The NumPy parameter dict (float64) of a one-layer LSTM language model.

    module: an ``LSTMLanguageModel``, or any ``nn.Module`` with an ``lstm``
    attribute (a one-layer, one-direction ``nn.LSTM`` without projection) and
    an ``output`` attribute (an ``nn.Linear``). Each gate's bias is
    ``bias_ih + bias_hh``. Returns a dict with the keys ``PARAMETER_NAMES``.
    """
    lstm, output = _check_module(module)
    gate_bias = _bias(getattr(lstm, "bias_ih_l0", None), 4 * lstm.hidden_size) + _bias(
        getattr(lstm, "bias_hh_l0", None), 4 * lstm.hidden_size)
    stacked = {"W_x": lstm.weight_ih_l0.detach().double(), "W_h": lstm.weight_hh_l0.detach().double(), "b_": gate_bias}
    params = {}
    for prefix, tensor in stacked.items():
        for gate, block in zip(GATES, tensor.split(lstm.hidden_size)):
            params[f"{prefix}{gate}"] = block.numpy().copy()
    params["W_hy"] = output.weight.detach().double().numpy().copy()
    params["b_y"] = _bias(output.bias, output.out_features).numpy().copy()
    return params


def lstm_grads_from_torch(module):
    """The gradients autograd stored in ``module``, under the NumPy names.

    Call it after ``loss.backward()``. Because a gate's bias is the sum
    ``bias_ih + bias_hh``, the loss has the same gradient with respect to the
    bias and to each of its two parts; this returns the one of ``bias_ih``.
    Returns a dict with the keys ``PARAMETER_NAMES`` (float64 arrays).
    """
    lstm, output = _check_module(module)
    tensors = {"W_x": lstm.weight_ih_l0, "W_h": lstm.weight_hh_l0, "b_": getattr(lstm, "bias_ih_l0", None)}
    named = dict(tensors, W_hy=output.weight, b_y=output.bias)
    missing = [name for name, tensor in named.items() if tensor is None or tensor.grad is None]
    if missing:
        raise ValueError(f"module: expected gradients in every parameter (call loss.backward() first); none for {missing}")
    grads = {}
    for prefix, tensor in tensors.items():
        for gate, block in zip(GATES, tensor.grad.double().split(lstm.hidden_size)):
            grads[f"{prefix}{gate}"] = block.numpy().copy()
    grads["W_hy"] = output.weight.grad.double().numpy().copy()
    grads["b_y"] = output.bias.grad.double().numpy().copy()
    return grads


class SequenceDataset(Dataset):
    """Whole token sequences as (inputs, targets) tensor pairs, one per sequence.

    Item ``k`` of a sequence of L tokens is
    ``inputs``:  (L - 1, V) float32 one-hot vectors of all its tokens but the last;
    ``targets``: (L - 1,) int64 ids of all its tokens but the first.
    """

    def __init__(self, sequences, vocab):
        require_vocabulary(vocab)
        require_sequences("sequences", sequences, with_targets=True)
        self.items = []
        for sequence in sequences:
            ids = vocab.encode(sequence)
            inputs = torch.tensor(one_hot(ids[:-1], len(vocab)), dtype=torch.float32)
            self.items.append((inputs, torch.tensor(ids[1:])))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, k):
        return self.items[k]


def pad_collate(items):
    """Pad a list of ``SequenceDataset`` items into one time-major batch.

    items: B pairs (inputs (L_b, V), targets (L_b,)).
    Returns ``(inputs, targets, lengths)``: inputs (T, B, V) with zero vectors
    at padded steps, targets (T, B) with ``IGNORE_INDEX`` at padded steps,
    and lengths (B,) int64, where T = max L_b.
    """
    inputs = pad_sequence([x for x, _ in items])
    targets = pad_sequence([y for _, y in items], padding_value=IGNORE_INDEX)
    lengths = torch.tensor([len(y) for _, y in items])
    return inputs, targets, lengths


def evaluate_torch(model, sequences, vocab, batch_size=256):
    """Mean cross-entropy of ``model`` over every real position of ``sequences`` (a float)."""
    _check_model(model)
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


def train_torch(model, train_sequences, val_sequences, vocab, *, epochs, batch_size=32, lr, optimizer="adam", max_norm=5.0, seed=0):
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

    Returns ``{"train_loss": [...], "val_loss": [...]}``, one entry per epoch:
    the mean loss over the real positions of the epoch's training batches, and
    ``evaluate_torch`` on ``val_sequences`` after the epoch.
    Raises ``FloatingPointError`` naming the epoch if a loss is NaN or infinite.
    """
    _check_model(model)
    check_training_arguments(vocab, train_sequences, val_sequences, epochs, batch_size, lr, max_norm)
    optimizers = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}
    if optimizer not in optimizers:
        raise ValueError(f"optimizer: expected 'adam' or 'sgd'; got {optimizer!r}")
    train_set = SequenceDataset(train_sequences, vocab)
    loader = DataLoader(train_set, batch_size=int(batch_size), shuffle=True, collate_fn=pad_collate,
                        generator=torch.Generator().manual_seed(seed))
    step = optimizers[optimizer](model.parameters(), lr=lr)
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
                nn.utils.clip_grad_norm_(model.parameters(), max_norm)
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


def predictor(module):
    """A NumPy view of ``module`` for ``lessons_src.generate.complete``.

    Returns a function mapping one-hot inputs, a (T, B, V) NumPy array, to
    the module's logits as a (T, B, V) float64 NumPy array (no gradients).
    """
    _check_model(module)

    def model(inputs):
        inputs = np.asarray(inputs)
        if inputs.ndim != 3:
            raise ValueError(f"inputs: expected shape (T, B, V); got {inputs.shape}")
        with torch.no_grad():
            logits = module(torch.as_tensor(inputs, dtype=_dtype_of(module)))
        return logits.double().numpy()

    return model


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
    for name, value in (("batch_size", batch_size), ("hidden_size", hidden_size), ("steps", steps),
                        ("vocab_size", vocab_size), ("number", number), ("repeats", repeats)):
        require_positive_int(name, value)
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, vocab_size, size=(steps + 1, batch_size))
    inputs, targets = one_hot(ids[:-1], vocab_size), ids[1:]
    params = init_lstm(vocab_size, hidden_size, seed=seed)

    def numpy_step():
        logits, cache = lstm_forward(params, inputs)
        _, dlogits = cross_entropy(logits, targets)
        lstm_backward(params, cache, dlogits)

    times = {"numpy": _best_time(numpy_step, number, repeats)}
    loss_function = nn.CrossEntropyLoss()
    for dtype in (torch.float64, torch.float32):
        module = lstm_to_torch(params).to(dtype)
        torch_inputs, torch_targets = torch.as_tensor(inputs, dtype=dtype), torch.as_tensor(targets).flatten()

        def torch_step():
            module.zero_grad()
            loss_function(module(torch_inputs).flatten(0, 1), torch_targets).backward()

        times[f"torch {str(dtype).removeprefix('torch.')}"] = _best_time(torch_step, number, repeats)
    return times


def _best_time(step, number, repeats):
    timeit.timeit(step, number=number)  # warm up: the first steps of a process are slower
    return min(timeit.timeit(step, number=number) for _ in range(repeats)) / number


def _call(model, inputs, lengths):
    """``model(inputs)``, passing ``lengths`` when its forward takes them."""
    if "lengths" in inspect.signature(model.forward).parameters:
        return model(inputs, lengths=lengths)
    return model(inputs)


def _dtype_of(model):
    return next(model.parameters()).dtype


def _check_model(model):
    if not isinstance(model, nn.Module):
        raise TypeError(f"model: expected a torch.nn.Module; got {type(model).__name__}")
    if next(model.parameters(), None) is None:
        raise ValueError(f"model: expected a module with parameters; {type(model).__name__} has none")


def _check_module(module):
    """Check that ``module`` is a one-layer LSTM language model; return ``(lstm, output)``."""
    supported = ("a one-layer, one-direction nn.LSTM without projection as module.lstm, "
                 "followed by an nn.Linear as module.output (like LSTMLanguageModel)")
    if not isinstance(module, nn.Module):
        raise TypeError(f"module: expected an nn.Module with {supported}; got {type(module).__name__}")
    lstm, output = getattr(module, "lstm", None), getattr(module, "output", None)
    if not isinstance(lstm, nn.LSTM) or not isinstance(output, nn.Linear):
        raise ValueError(f"module: expected {supported}; got {type(module).__name__} with lstm={type(lstm).__name__}, "
                         f"output={type(output).__name__}")
    if lstm.num_layers != 1:
        raise ValueError(f"module.lstm: only {supported} can be mapped; got num_layers={lstm.num_layers}")
    if lstm.bidirectional:
        raise ValueError(f"module.lstm: only {supported} can be mapped; got bidirectional=True")
    if lstm.proj_size:
        raise ValueError(f"module.lstm: only {supported} can be mapped; got proj_size={lstm.proj_size}")
    if output.in_features != lstm.hidden_size or output.out_features != lstm.input_size:
        raise ValueError(f"module.output: expected nn.Linear({lstm.hidden_size}, {lstm.input_size}) to map the hidden "
                         f"state back to the vocabulary; got nn.Linear({output.in_features}, {output.out_features})")
    return lstm, output


def _bias(tensor, size):
    """A bias as a float64 tensor; zeros for a layer built with ``bias=False``."""
    return torch.zeros(size, dtype=torch.float64) if tensor is None else tensor.detach().double()
