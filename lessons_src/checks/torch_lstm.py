"""Checks for the exercises of chapter 4, "The LSTM in PyTorch".

PyTorch is imported inside each check, not at the top: every chapter imports
``lessons_src.checks``, and the others should not wait for PyTorch to load.
Expected answers come from PyTorch itself (its modules' parameters, a packed
``nn.LSTM``'s final state) or from the book's bridge ``lstm_from_torch``.
"""

import numpy as np

from ..data import Vocabulary
from ._hints import run_cases_with_hints

_SEQUENCES = [["a", "b", "a", "EOS"], ["a", "a", "a", "b", "b", "b", "a", "a", "a", "EOS"],
              ["a", "a", "b", "b", "a", "a", "EOS"], ["a", "a", "b", "b", "a", "a", "EOS"], ["a", "b", "UNK", "EOS"]]


def check_stacked_lstm_parameter_count(stacked_lstm_parameter_count):
    """``stacked_lstm_parameter_count(vocab_size, hidden_size, num_layers)``: parameters of nn.LSTM + nn.Linear."""
    from torch import nn

    cases = []
    for vocab_size, hidden_size, num_layers in [(4, 16, 1), (4, 16, 2), (4, 16, 3), (10, 3, 1), (1, 1, 1),
                                                (27, 128, 2), (5, 7, 4)]:
        layers = [nn.LSTM(vocab_size, hidden_size, num_layers=num_layers), nn.Linear(hidden_size, vocab_size)]
        count = sum(parameter.numel() for layer in layers for parameter in layer.parameters())
        cases.append(((vocab_size, hidden_size, num_layers), count))

    def layer(inputs, H, biases=2):
        return 4 * H * (inputs + H + biases)

    def one_bias(V, H, L):
        return layer(V, H, 1) + (L - 1) * layer(H, H, 1) + H * V + V

    def every_layer_reads_the_words(V, H, L):
        return L * layer(V, H) + H * V + V

    def no_output_layer(V, H, L):
        return layer(V, H) + (L - 1) * layer(H, H)

    def output_layer_per_layer(V, H, L):
        return layer(V, H) + (L - 1) * layer(H, H) + L * (H * V + V)

    def three_gates(V, H, L):
        return 3 * (layer(V, H) + (L - 1) * layer(H, H)) // 4 + H * V + V

    run_cases_with_hints("stacked_lstm_parameter_count", stacked_lstm_parameter_count, cases, [
        ("nn.LSTM keeps two bias vectors per layer, bias_ih and bias_hh, each of 4H numbers", one_bias),
        ("only the first layer reads the one-hot words (V inputs); every layer above "
         "reads the hidden state of the layer below (H inputs)", every_layer_reads_the_words),
        ("the model ends with nn.Linear(H, V): its weight (V x H) and its bias (V) count too", no_output_layer),
        ("there is one output layer, on top of the last LSTM layer", output_layer_per_layer),
        ("an LSTM layer has four blocks of rows (i, f, g, o), not three", three_gates),
    ])


def check_set_forget_bias(set_forget_bias):
    """``set_forget_bias(module, value)`` makes the forget gate's bias of ``module.lstm`` equal ``value``, in place."""
    import torch

    from ..torch_models import LSTMLanguageModel

    cases = []
    for seed, (vocab_size, hidden_size, dtype, value) in enumerate(
            [(4, 3, torch.float32, 1.0), (5, 2, torch.float64, 1.0), (3, 6, torch.float64, 0.0),
             (4, 4, torch.float32, -2.5)]):
        torch.manual_seed(seed)
        module = LSTMLanguageModel(vocab_size, hidden_size).to(dtype)  # PyTorch's initialisation: both biases drawn
        H = hidden_size
        expected = {name: parameter.detach().double().numpy().copy() for name, parameter in module.named_parameters()}
        biases = expected["lstm.bias_ih_l0"] + expected["lstm.bias_hh_l0"]
        biases[H:2 * H] = value
        expected = {"the other parameters (unchanged)": _without_biases(expected),
                    "bias_ih_l0 + bias_hh_l0": biases, "changed in place, still trainable": True}
        cases.append(((module, value), expected))

    def effect(function, module, value):  # what is compared: the module's parameters after the call
        parameters = dict(module.named_parameters())
        result = function(module, value)
        if result is not None and result is not module:
            raise AssertionError(f"expected the module to be changed in place (and None returned); "
                                 f"got a {type(result).__name__}")
        after = {name: parameter.detach().double().numpy().copy() for name, parameter in module.named_parameters()}
        in_place = all(parameter is parameters[name] and parameter.requires_grad
                       for name, parameter in module.named_parameters())
        return {"the other parameters (unchanged)": _without_biases(after),
                "bias_ih_l0 + bias_hh_l0": after["lstm.bias_ih_l0"] + after["lstm.bias_hh_l0"],
                "changed in place, still trainable": in_place}

    def rows(gate):
        def wrong(module, value):
            H = module.lstm.hidden_size
            with torch.no_grad():
                module.lstm.bias_ih_l0[gate * H:(gate + 1) * H] = value
                module.lstm.bias_hh_l0[gate * H:(gate + 1) * H] = 0.0
        return wrong

    def both_biases(module, value):
        H = module.lstm.hidden_size
        with torch.no_grad():
            module.lstm.bias_ih_l0[H:2 * H] = value
            module.lstm.bias_hh_l0[H:2 * H] = value

    def one_bias_only(module, value):
        H = module.lstm.hidden_size
        with torch.no_grad():
            module.lstm.bias_ih_l0[H:2 * H] = value

    def new_parameter(module, value):
        H = module.lstm.hidden_size
        bias = module.lstm.bias_ih_l0.detach().clone()
        bias[H:2 * H] = value - module.lstm.bias_hh_l0.detach()[H:2 * H]
        module.lstm.bias_ih_l0 = torch.nn.Parameter(bias, requires_grad=False)

    run_cases_with_hints("set_forget_bias", set_forget_bias, cases, [
        ("PyTorch stacks the gates in the order i, f, g, o: the forget gate is rows H to 2H, not 0 to H", rows(0)),
        ("PyTorch stacks the gates in the order i, f, g, o: the forget gate is the second block, rows H to 2H", rows(2)),
        ("the gate adds both biases, so with value in each it gets 2 * value: set bias_ih_l0's rows to "
         "value and bias_hh_l0's to 0", both_biases),
        ("the gate adds bias_hh_l0 too, and PyTorch drew it at random: set its forget rows to 0", one_bias_only),
        ("change the existing parameters' values in place (inside torch.no_grad()), so that they stay "
         "the module's trainable parameters", new_parameter),
    ], rtol=1e-6, atol=1e-6, call=effect)


def _without_biases(parameters):
    return {name: array for name, array in parameters.items() if not name.startswith("lstm.bias_")}


def check_collate(student_collate):
    """``collate(items)`` -> ``(inputs (T, B, V) float32, targets (T, B) int64 with IGNORE_INDEX, lengths (B,))``."""
    import torch
    from torch.nn.utils.rnn import pad_sequence

    from ..torch_data import IGNORE_INDEX, SequenceDataset, pad_collate

    vocab = Vocabulary.from_sequences(_SEQUENCES)
    dataset = SequenceDataset(_SEQUENCES, vocab)
    cases = []
    for batch in [[0], [1, 0, 2], [2, 3], [0, 4, 1, 3]]:
        items = [dataset[k] for k in batch]
        cases.append(((items,), tuple(tensor.numpy() for tensor in pad_collate(items))))

    def as_arrays(collate, items):  # what is compared: the three tensors as arrays, after their types are checked
        result = collate(items)
        if not isinstance(result, tuple) or len(result) != 3:
            raise AssertionError(f"expected a tuple (inputs, targets, lengths); got {type(result).__name__}"
                                 f"{' of length ' + str(len(result)) if isinstance(result, tuple) else ''}")
        for name, tensor, dtypes in (("inputs", result[0], (torch.float32,)), ("targets", result[1], (torch.int64,)),
                                     ("lengths", result[2], (torch.int64, torch.int32))):
            if not isinstance(tensor, torch.Tensor):
                raise AssertionError(f"{name}: expected a torch tensor; got {type(tensor).__name__}")
            if tensor.dtype not in dtypes:
                raise AssertionError(f"{name}: expected dtype {dtypes[0]}; got {tensor.dtype}")
        return tuple(tensor.numpy() for tensor in result)

    def targets_padded_with(value, batch_first=False):
        def wrong(items):
            inputs = pad_sequence([x for x, _ in items], batch_first=batch_first)
            targets = pad_sequence([y for _, y in items], padding_value=value, batch_first=batch_first)
            return inputs, targets, torch.tensor([len(y) for _, y in items])
        return wrong

    def lengths_of_the_padded_batch(items):
        inputs, targets, _ = pad_collate(items)
        return inputs, targets, torch.full((len(items),), inputs.shape[0], dtype=torch.int64)

    run_cases_with_hints("collate", student_collate, cases, [
        ("the padded targets are 0, the id of 'a': nn.CrossEntropyLoss(ignore_index="
         "IGNORE_INDEX) would count them as real targets. Pad the targets with IGNORE_INDEX", targets_padded_with(0)),
        ("the model reads time first: pad to (T, B, ...), "
         "not (B, T, ...)", targets_padded_with(IGNORE_INDEX, batch_first=True)),
        ("lengths are each sequence's own number of steps, before padding", lengths_of_the_padded_batch),
    ], call=as_arrays)


def check_last_states(last_states):
    """``last_states(outputs, lengths)`` -> ``(B, H)``: each sequence's hidden state at its last real step."""
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence

    cases = []
    for seed, (vocab_size, hidden_size, lengths) in enumerate(
            [(4, 3, [3, 5, 1]), (4, 5, [4, 4]), (3, 2, [2, 6, 6, 1]), (5, 4, [1]), (4, 3, [5, 2, 4, 3])]):
        torch.manual_seed(seed)
        lstm = nn.LSTM(vocab_size, hidden_size).double()
        lengths = torch.tensor(lengths)
        inputs = torch.eye(vocab_size, dtype=torch.float64)[torch.randint(0, vocab_size, (int(lengths.max()), len(lengths)))]
        inputs[torch.arange(inputs.shape[0])[:, None] >= lengths[None, :]] = 0.0  # padding: zero vectors
        with torch.no_grad():
            outputs, _ = lstm(inputs)                                               # the padded batch, not packed
            _, (h_n, _) = lstm(pack_padded_sequence(inputs, lengths, enforce_sorted=False))
        cases.append(((outputs, lengths), h_n[0].numpy()))

    def as_array(function, outputs, lengths):
        result = function(outputs, lengths)
        return result.detach().numpy() if isinstance(result, torch.Tensor) else result

    def last_padded_step(outputs, lengths):
        return outputs[-1]

    def one_step_late(outputs, lengths):
        return outputs[torch.clamp(lengths, max=outputs.shape[0] - 1), torch.arange(outputs.shape[1])]

    def one_step_early(outputs, lengths):
        return outputs[lengths - 2, torch.arange(outputs.shape[1])]

    def every_sequence_at_every_length(outputs, lengths):
        return outputs[lengths - 1]

    run_cases_with_hints("last_states", last_states, cases, [
        ("outputs[-1] is the state after the last step of the batch; for a shorter sequence the "
         "LSTM has run on over padding by then. Take step lengths[b] - 1 of sequence b", last_padded_step),
        ("steps count from 0: the last real step of sequence b is lengths[b] - 1", one_step_late),
        ("steps count from 0: the last real step of sequence b is lengths[b] - 1, not lengths[b] - 2", one_step_early),
        ("outputs[lengths - 1] takes, for each length, the states of all B sequences: "
         "pair each length with its own column, outputs[lengths - 1, torch.arange(B)]", every_sequence_at_every_length),
    ], rtol=1e-9, atol=1e-12, call=as_array)
