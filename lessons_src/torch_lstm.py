"""The NumPy LSTM of chapter 3 inside ``torch.nn.LSTM``, and back.

- ``lstm_to_torch`` / ``lstm_from_torch``: move the NumPy parameters of
  ``lessons_src.lstm`` into an ``LSTMLanguageModel`` and back; both compute the same logits.
- ``lstm_grads_from_torch``: the gradients autograd left in the module, under the
  NumPy names, to compare with ``lstm_backward``.
"""

import torch
from torch import nn

from .lstm import GATES, check_lstm_params, stack_gates
from .torch_models import LSTMLanguageModel, check_language_module, float64_bias


def lstm_to_torch(params):
    """An ``LSTMLanguageModel`` in float64 holding the NumPy LSTM ``params``.

    params: the dict of ``lessons_src.lstm`` (keys ``lstm.PARAMETER_NAMES``):
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
    ``bias_ih + bias_hh``. Returns a dict with the keys ``lstm.PARAMETER_NAMES``.
    """
    lstm, output = check_language_module(module, "lstm", nn.LSTM)
    gate_bias = float64_bias(getattr(lstm, "bias_ih_l0", None), 4 * lstm.hidden_size) + float64_bias(
        getattr(lstm, "bias_hh_l0", None), 4 * lstm.hidden_size)
    stacked = {"W_x": lstm.weight_ih_l0.detach().double(), "W_h": lstm.weight_hh_l0.detach().double(), "b_": gate_bias}
    params = {}
    for prefix, tensor in stacked.items():
        for gate, block in zip(GATES, tensor.split(lstm.hidden_size)):
            params[f"{prefix}{gate}"] = block.numpy().copy()
    params["W_hy"] = output.weight.detach().double().numpy().copy()
    params["b_y"] = float64_bias(output.bias, output.out_features).numpy().copy()
    return params


def lstm_grads_from_torch(module):
    """The gradients autograd stored in ``module``, under the NumPy names.

    Call it after ``loss.backward()``. Because a gate's bias is the sum
    ``bias_ih + bias_hh``, the loss has the same gradient with respect to the
    bias and to each of its two parts; this returns the one of ``bias_ih``.
    Returns a dict with the keys ``lstm.PARAMETER_NAMES`` (float64 arrays).
    """
    lstm, output = check_language_module(module, "lstm", nn.LSTM)
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
