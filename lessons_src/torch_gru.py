"""The GRU of ``lessons_src.gru`` in PyTorch, and the way between the two.

- ``GRULanguageModel`` (from ``torch_models``): ``nn.GRU`` followed by an output
  ``nn.Linear`` with a bias, a ``RecurrentLanguageModel`` like the LSTM and RNN models.
- ``gru_to_torch`` / ``gru_from_torch``: move the NumPy parameters into such a
  module and back; both compute the same logits.
- ``gru_grads_from_torch``: the gradients autograd left in the module, under the
  NumPy names, to compare with ``gru_backward``.

How the names map (PyTorch's gate order is r, z, n)::

    weight_ih_l0 = [W_xr; W_xz; W_xn]   bias_ih_l0 = [b_r; b_z; b_xn]
    weight_hh_l0 = [W_hr; W_hz; W_hn]   bias_hh_l0 = [0;   0;   b_hn]

For the reset and update gates only the sum of PyTorch's two biases enters,
so ``gru_from_torch`` adds them; for the candidate they enter at different
places (``b_hn`` inside the reset gate's product), so both are kept.
"""

import numpy as np
import torch
from torch import nn

from .gru import GATES, PARAMETER_NAMES, check_gru_params, stack_gates
from .torch_models import GRULanguageModel, check_language_module, float64_bias

__all__ = ["GRULanguageModel", "PARAMETER_NAMES", "gru_to_torch", "gru_from_torch", "gru_grads_from_torch"]


def gru_to_torch(params):
    """A float64 ``GRULanguageModel`` holding the NumPy GRU ``params``.

    params: the dict of ``lessons_src.gru`` (keys ``PARAMETER_NAMES``). The
    gate blocks are stacked in the order r, z, n (``gru.stack_gates``);
    ``bias_ih_l0 = [b_r, b_z, b_xn]`` and ``bias_hh_l0 = [0, 0, b_hn]``.
    """
    vocab_size, hidden_size = check_gru_params(params)
    W_x, W_h, b_x, b_hn = stack_gates(params)
    b_h = np.concatenate([np.zeros(2 * hidden_size), b_hn])
    module = GRULanguageModel(vocab_size, hidden_size).double()
    with torch.no_grad():
        module.gru.weight_ih_l0.copy_(torch.from_numpy(W_x))
        module.gru.weight_hh_l0.copy_(torch.from_numpy(W_h))
        module.gru.bias_ih_l0.copy_(torch.from_numpy(b_x))
        module.gru.bias_hh_l0.copy_(torch.from_numpy(b_h))
        module.output.weight.copy_(torch.as_tensor(params["W_hy"], dtype=torch.float64))
        module.output.bias.copy_(torch.as_tensor(params["b_y"], dtype=torch.float64))
    return module


def gru_from_torch(module):
    """The NumPy parameter dict (float64) of a one-layer GRU language model.

    module: a ``GRULanguageModel``, or any ``nn.Module`` with a ``gru``
    attribute (a one-layer, one-direction ``nn.GRU``) and an ``output``
    attribute (an ``nn.Linear`` from H back to V). ``b_r`` and ``b_z`` are
    the sums ``bias_ih + bias_hh`` of their gate; ``b_xn`` and ``b_hn`` are
    the candidate's ``bias_ih`` and ``bias_hh``. A layer built without
    biases gives zeros. Returns a dict with the keys ``PARAMETER_NAMES``.
    """
    gru, output = check_language_module(module, "gru", nn.GRU)
    H = gru.hidden_size
    W_x = gru.weight_ih_l0.detach().double().split(H)
    W_h = gru.weight_hh_l0.detach().double().split(H)
    b_ih = float64_bias(getattr(gru, "bias_ih_l0", None), 3 * H).split(H)
    b_hh = float64_bias(getattr(gru, "bias_hh_l0", None), 3 * H).split(H)
    tensors = {}
    for k, gate in enumerate(GATES):
        tensors[f"W_x{gate}"], tensors[f"W_h{gate}"] = W_x[k], W_h[k]
    tensors.update(b_r=b_ih[0] + b_hh[0], b_z=b_ih[1] + b_hh[1], b_xn=b_ih[2], b_hn=b_hh[2],
                   W_hy=output.weight.detach().double(), b_y=float64_bias(output.bias, output.out_features))
    return {name: tensors[name].numpy().copy() for name in PARAMETER_NAMES}


def gru_grads_from_torch(module):
    """The gradients autograd stored in ``module``, under the NumPy names.

    Call it after ``loss.backward()``. The loss depends on the reset and
    update gates' two biases only through their sum, so both have the
    gradient of that sum; this returns the one of ``bias_ih``. Returns a dict
    with the keys ``PARAMETER_NAMES`` (float64 arrays).
    """
    gru, output = check_language_module(module, "gru", nn.GRU)
    named = {"weight_ih_l0": gru.weight_ih_l0, "weight_hh_l0": gru.weight_hh_l0,
             "bias_ih_l0": getattr(gru, "bias_ih_l0", None), "bias_hh_l0": getattr(gru, "bias_hh_l0", None),
             "output.weight": output.weight, "output.bias": output.bias}
    missing = [name for name, tensor in named.items() if tensor is None or tensor.grad is None]
    if missing:
        raise ValueError(f"module: expected a gradient in every parameter (built with biases; call loss.backward() "
                         f"first); none for {missing}")
    H = gru.hidden_size
    W_x, W_h, b_ih, b_hh = (named[name].grad.double().split(H)
                            for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"))
    tensors = {}
    for k, gate in enumerate(GATES):
        tensors[f"W_x{gate}"], tensors[f"W_h{gate}"] = W_x[k], W_h[k]
    tensors.update(b_r=b_ih[0], b_z=b_ih[1], b_xn=b_ih[2], b_hn=b_hh[2],
                   W_hy=output.weight.grad.double(), b_y=output.bias.grad.double())
    return {name: tensors[name].numpy().copy() for name in PARAMETER_NAMES}
