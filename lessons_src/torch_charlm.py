"""The character language model of chapter 7: an embedding, an LSTM and an output layer, in float64.

Shapes are time first: character ids ``(T, B)`` int64, logits ``(T, B, V)``,
states ``(h, c)`` each ``(B, H)``.

- ``CharLanguageModel``: ``nn.Embedding`` -> ``nn.LSTM`` -> ``nn.Linear``, with
  weights drawn by NumPy in float64, so that they are the same on every CPU.
- ``evaluate_perplexity``: the perplexity of a model on one text, read in order.
- ``stepper``: the model as the step function that ``sampling.generate`` writes with.
- ``lstm_states``: the hidden and cell states after each character of a text.
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .functional import sigmoid
from .lstm import FORGET_BIAS
from .perplexity import perplexity
from .validation import require_positive_int


class CharLanguageModel(nn.Module):
    """Reads character ids, scores the next character: an embedding, an LSTM, a linear output layer.

    ``embedding``: ``nn.Embedding(vocab_size, embedding_size)``, the lookup
    of one learned vector per character; ``lstm``: ``nn.LSTM(embedding_size,
    hidden_size)`` (one layer, time first); ``output``: ``nn.Linear(hidden_size,
    vocab_size)``. All parameters are float64, drawn from
    ``np.random.default_rng(seed)``: embeddings from N(0, 1), weight matrices
    uniformly from [-1/sqrt(H), 1/sqrt(H)] (PyTorch's own ranges), biases 0
    but the forget gate's, ``FORGET_BIAS`` (chapter 3).
    """

    def __init__(self, vocab_size, embedding_size, hidden_size, seed=0):
        super().__init__()
        _check_sizes(vocab_size=vocab_size, embedding_size=embedding_size, hidden_size=hidden_size)
        self.vocab_size, self.hidden_size = vocab_size, hidden_size
        self.embedding = nn.Embedding(vocab_size, embedding_size, dtype=torch.float64)
        self.lstm = nn.LSTM(embedding_size, hidden_size, dtype=torch.float64)
        self.output = nn.Linear(hidden_size, vocab_size, dtype=torch.float64)
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(hidden_size)
        with torch.no_grad():
            for name, parameter in self.named_parameters():
                if name == "embedding.weight":
                    values = rng.standard_normal(parameter.shape)
                elif "bias" in name:
                    values = np.zeros(parameter.shape)
                else:
                    values = rng.uniform(-bound, bound, parameter.shape)
                parameter.copy_(torch.from_numpy(values))
            self.lstm.bias_ih_l0[hidden_size:2 * hidden_size] = FORGET_BIAS  # rows i, f, g, o: f is the second block

    def forward(self, ids, state=None):
        """Logits for every step, and the state after the last one.

        ids:   (T, B) int64 tensor of character ids.
        state: ``(h, c)``, each (B, H), carried over from a previous call; zeros when None.
        Returns ``(logits (T, B, V), (h, c))``.
        """
        if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.dtype != torch.int64:
            got = f"{tuple(ids.shape)} {ids.dtype}" if isinstance(ids, torch.Tensor) else type(ids).__name__
            raise ValueError(f"ids: expected a (T, B) int64 tensor of character ids; got {got}")
        if state is not None:
            state = tuple(tensor.unsqueeze(0) for tensor in state)
        hidden, (h, c) = self.lstm(self.embedding(ids), state)
        return self.output(hidden), (h[0], c[0])


def evaluate_perplexity(model, ids, chunk_length=1000):
    """The perplexity of ``model`` on the text ``ids`` (N,), read in order from a zero state.

    Every id but the first is a target, predicted from all the ids before it
    (the state is carried through the whole text; ``chunk_length`` only
    bounds the memory used). Returns exp of the mean cross-entropy, a float.
    """
    ids = ids_tensor(ids)
    require_positive_int("chunk_length", chunk_length)
    total, state = 0.0, None
    with torch.no_grad():
        for start in range(0, len(ids) - 1, chunk_length):
            inputs, targets = ids[start:start + chunk_length], ids[start + 1:start + chunk_length + 1]
            logits, state = model(inputs[: len(targets), None], state)
            total += F.cross_entropy(logits[:, 0], targets, reduction="sum").item()
    return perplexity(total / (len(ids) - 1))


def stepper(model):
    """``step(token_id, state) -> (logits (V,) NumPy array, state)``: one character at a time, for ``generate``.

    model: a module whose ``forward(ids (T, B), state)`` returns ``(logits (T, B, V), state)``, such as
    ``CharLanguageModel``; it is tried once on one id.
    """
    _require_module(model)
    try:
        with torch.no_grad():
            logits, _ = model(torch.zeros((1, 1), dtype=torch.int64), None)
        assert logits.dim() == 3
    except Exception as error:
        raise ValueError(f"model: expected a module whose forward(ids (T, B), state) returns (logits (T, B, V), state); "
                         f"{type(model).__name__} failed on one id ({type(error).__name__}: {error})") from None

    def step(token_id, state):
        with torch.no_grad():
            logits, state = model(torch.tensor([[int(token_id)]]), state)
        return logits[0, 0].numpy(), state

    return step


def lstm_states(model, ids):
    """The hidden and cell states of ``model`` after each character of ``ids`` (N,), from a zero state.

    The hidden states come from ``nn.LSTM`` itself; the cell states, which it
    keeps to itself, are recomputed from them with chapter 3's equations
    (``c_t = f_t * c_{t-1} + i_t * g_t``, gates in PyTorch's order i, f, g, o).
    Returns ``(h, c)``, two (N, H) float64 NumPy arrays.
    """
    ids = ids_tensor(ids)
    lstm, H = model.lstm, model.hidden_size
    with torch.no_grad():
        embedded = model.embedding(ids[:, None])
        h, _ = lstm(embedded)
        h_prev = torch.cat([torch.zeros(1, 1, H, dtype=h.dtype), h[:-1]])
        pre = (embedded @ lstm.weight_ih_l0.T + h_prev @ lstm.weight_hh_l0.T
               + lstm.bias_ih_l0 + lstm.bias_hh_l0)[:, 0].numpy()
    i, f, o = sigmoid(pre[:, :H]), sigmoid(pre[:, H:2 * H]), sigmoid(pre[:, 3 * H:])
    g = np.tanh(pre[:, 2 * H:3 * H])
    c = np.zeros_like(g)
    previous = np.zeros(H)
    for t in range(len(g)):
        previous = c[t] = f[t] * previous + i[t] * g[t]
    h = h[:, 0].numpy()
    if not np.allclose(o * np.tanh(c), h, atol=1e-10):
        raise RuntimeError("lstm_states: the recomputed cell states do not give nn.LSTM's hidden states")
    return h, c


def flat_gradient(model):
    """Every parameter's ``.grad`` of ``model``, concatenated into one float64 NumPy vector."""
    _require_module(model)
    missing = [name for name, parameter in model.named_parameters() if parameter.grad is None]
    if missing:
        raise ValueError(f"model: expected gradients in every parameter (call loss.backward() first); none for {missing}")
    return torch.cat([parameter.grad.flatten() for parameter in model.parameters()]).double().numpy()


def _require_module(model):
    if not isinstance(model, nn.Module):
        raise TypeError(f"model: expected an nn.Module such as CharLanguageModel; got {type(model).__name__}")


def _check_sizes(**sizes):
    for name, value in sizes.items():
        require_positive_int(name, value)


def ids_tensor(ids, name="ids"):
    """The ids of a text, a 1-D NumPy integer array of at least 2, as an int64 tensor (checked)."""
    if not isinstance(ids, np.ndarray) or not np.issubdtype(ids.dtype, np.integer):
        got = f"dtype {ids.dtype}" if isinstance(ids, np.ndarray) else type(ids).__name__
        raise TypeError(f"{name}: expected a NumPy array of integer ids; got {got}")
    if ids.ndim != 1 or len(ids) < 2:
        raise ValueError(f"{name}: expected a 1-D array of at least 2 ids; got shape {ids.shape}")
    return torch.from_numpy(ids.astype(np.int64))
