"""Chapter 2's NumPy RNN as a PyTorch module, for tests that compare the two."""

import torch

from lessons_src.torch_models import RNNLanguageModel


def rnn_module_from_numpy(params):
    """An RNNLanguageModel in float64 holding the NumPy RNN ``params`` of chapter 2."""
    hidden_size, vocab_size = params["W_xh"].shape
    module = RNNLanguageModel(vocab_size, hidden_size).double()
    with torch.no_grad():
        module.rnn.weight_ih_l0.copy_(torch.from_numpy(params["W_xh"]))
        module.rnn.weight_hh_l0.copy_(torch.from_numpy(params["W_hh"]))
        module.rnn.bias_ih_l0.copy_(torch.from_numpy(params["b_h"]))
        module.rnn.bias_hh_l0.zero_()
        module.output.weight.copy_(torch.from_numpy(params["W_hy"]))
        module.output.bias.copy_(torch.from_numpy(params["b_y"]))
    return module
