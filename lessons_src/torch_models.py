"""The PyTorch language models of the book: one base class, and the LSTM and the RNN built on it.

Shapes follow the rest of the book (time first): one-hot inputs ``(T, B, V)``,
logits ``(T, B, V)``, states ``(B, H)``. Each model is a recurrent layer of
``torch.nn`` (one layer, time first) followed by an output ``nn.Linear`` with
a bias: the models of chapters 2 and 3, written with PyTorch.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .validation import check_initial_state, require_positive_int, require_sizes


class RecurrentLanguageModel(nn.Module):
    """A recurrent layer that reads one-hot tokens, then a linear layer that scores the next token.

    What ``LSTMLanguageModel`` and ``RNNLanguageModel`` share: the sizes, the
    output layer ``self.output = nn.Linear(hidden_size, vocab_size)`` with a
    bias (``y_t = W_hy h_t + b_y``), and ``forward``. A subclass names its
    recurrent layer (one layer, time first) in three class attributes:
    ``layer_class`` (such as ``nn.LSTM``), ``layer_name`` (the attribute that
    holds it, such as ``"lstm"``) and ``state_names`` (the parts of its
    initial state, such as ``("h0", "c0")``).
    """

    layer_class = None
    layer_name = None
    state_names = ("h0",)

    def __init__(self, vocab_size, hidden_size):
        super().__init__()
        require_sizes(vocab_size, hidden_size)
        self.vocab_size, self.hidden_size = int(vocab_size), int(hidden_size)
        # The recurrent layer first, then the output layer: the order in which they draw their initial weights.
        setattr(self, self.layer_name, self.layer_class(input_size=self.vocab_size, hidden_size=self.hidden_size))
        self.output = nn.Linear(self.hidden_size, self.vocab_size)

    @property
    def layer(self):
        """The recurrent layer: ``self.lstm`` or ``self.rnn``."""
        return getattr(self, self.layer_name)

    def check_inputs(self, inputs):
        """Check that ``inputs`` is a (T, B, V) tensor with V = ``vocab_size``."""
        if not isinstance(inputs, torch.Tensor):
            raise TypeError(f"inputs: expected a tensor of shape (T, B, V) with V={self.vocab_size}; "
                            f"got {type(inputs).__name__}")
        if inputs.dim() != 3 or inputs.shape[2] != self.vocab_size:
            raise ValueError(f"inputs: expected a tensor of shape (T, B, V) with V={self.vocab_size}; "
                             f"got {tuple(inputs.shape)}")

    def layer_state(self, state, batch):
        """The caller's initial state (see ``state_names``), each (B, H), as the layer takes it, each (1, B, H)."""
        parts = check_initial_state("state", state, batch, self.hidden_size, self.state_names, torch.Tensor)
        if parts is None:
            return None
        parts = tuple(part.unsqueeze(0) for part in parts)
        return parts if len(parts) > 1 else parts[0]

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
        state = self.layer_state(state, batch)
        if lengths is None:
            hidden, _ = self.layer(inputs, state)
        else:
            packed = pack_padded_sequence(inputs, _check_lengths(lengths, batch, steps), enforce_sorted=False)
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

    layer_class, layer_name, state_names = nn.LSTM, "lstm", ("h0", "c0")


class RNNLanguageModel(RecurrentLanguageModel):
    """A simple (Elman) RNN that reads one-hot tokens and scores the next token.

    ``self.rnn`` is ``nn.RNN(vocab_size, hidden_size)`` (one layer, tanh, time
    first) and ``self.output`` is ``nn.Linear(hidden_size, vocab_size)`` with a
    bias: the model of chapter 2, ``h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)``
    and ``y_t = W_hy h_t + b_y`` (PyTorch's ``b_h`` is the sum of its
    ``bias_ih_l0`` and ``bias_hh_l0``). The optional ``state`` of ``forward``
    is h0, (B, H).
    """

    layer_class, layer_name, state_names = nn.RNN, "rnn", ("h0",)


class GRULanguageModel(RecurrentLanguageModel):
    """A GRU that reads one-hot tokens and scores the next token.

    ``self.gru`` is ``nn.GRU(vocab_size, hidden_size)`` (one layer, time
    first) and ``self.output`` is ``nn.Linear(hidden_size, vocab_size)`` with
    a bias: the model of ``lessons_src.gru``. The optional ``state`` of
    ``forward`` is h0, (B, H).
    """

    layer_class, layer_name, state_names = nn.GRU, "gru", ("h0",)


def check_language_module(module, layer_name, layer_class):
    """Check that ``module`` is a one-layer language model like ours; return ``(layer, output)``.

    ``module.<layer_name>`` must be a one-layer, one-direction ``layer_class``
    (such as ``nn.LSTM``) without projection, and ``module.output`` an
    ``nn.Linear`` from its hidden state back to the vocabulary: what
    ``torch_lstm`` and ``torch_gru`` can map to the NumPy parameters.
    """
    kind = layer_class.__name__
    supported = (f"a one-layer, one-direction nn.{kind} without projection as module.{layer_name}, "
                 f"followed by an nn.Linear as module.output (like {kind}LanguageModel)")
    if not isinstance(module, nn.Module):
        raise TypeError(f"module: expected an nn.Module with {supported}; got {type(module).__name__}")
    layer, output = getattr(module, layer_name, None), getattr(module, "output", None)
    if not isinstance(layer, layer_class) or not isinstance(output, nn.Linear):
        raise ValueError(f"module: expected {supported}; got {type(module).__name__} with "
                         f"{layer_name}={type(layer).__name__}, output={type(output).__name__}")
    for setting, wanted in (("num_layers", 1), ("bidirectional", False), ("proj_size", 0)):
        if getattr(layer, setting, wanted) != wanted:
            raise ValueError(f"module.{layer_name}: only {supported} can be mapped; "
                             f"got {setting}={getattr(layer, setting)}")
    if output.in_features != layer.hidden_size or output.out_features != layer.input_size:
        raise ValueError(f"module.output: expected nn.Linear({layer.hidden_size}, {layer.input_size}) to map the "
                         f"hidden state back to the vocabulary; got nn.Linear({output.in_features}, "
                         f"{output.out_features})")
    return layer, output


def float64_bias(tensor, size):
    """A layer's bias as a float64 tensor, detached; zeros of ``size`` for a layer built with ``bias=False``."""
    if tensor is not None and not isinstance(tensor, torch.Tensor):
        raise TypeError(f"tensor: expected a bias tensor or None; got {type(tensor).__name__}")
    require_positive_int("size", size)
    return torch.zeros(size, dtype=torch.float64) if tensor is None else tensor.detach().double()


def _check_lengths(lengths, batch, steps):
    """``lengths`` as an int64 tensor of B lengths from 1 to T."""
    if isinstance(lengths, (str, dict)) or not hasattr(lengths, "__len__"):
        raise TypeError(f"lengths: expected {batch} lengths from 1 to {steps}; got {type(lengths).__name__}")
    lengths = torch.as_tensor(lengths, dtype=torch.int64, device="cpu")
    if lengths.shape != (batch,) or lengths.min() < 1 or lengths.max() > steps:
        raise ValueError(f"lengths: expected {batch} lengths from 1 to {steps}; got {lengths.tolist()}")
    return lengths
