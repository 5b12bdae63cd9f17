"""Checks for the exercises of chapter 4, "The LSTM in PyTorch".

PyTorch is imported inside each check, not at the top: every chapter imports
``lessons_src.checks``, and the others should not wait for PyTorch to load.
"""

from ..data import Vocabulary, split_dataset
from ..language import generate_dataset
from ..lstm import GATES
from ._core import assert_same, call_student, require_student_class, run_cases

_SEQUENCES = [["a", "b", "a", "EOS"], ["a", "a", "a", "b", "b", "b", "a", "a", "a", "EOS"],
              ["a", "a", "b", "b", "a", "a", "EOS"], ["a", "a", "b", "b", "a", "a", "EOS"], ["a", "b", "UNK", "EOS"]]


def check_pad_collate(student_collate):
    """``collate(items)`` -> ``(inputs (T, B, V) float32, targets (T, B) int64 with IGNORE_INDEX, lengths (B,))``."""
    import torch

    from ..torch_data import SequenceDataset, pad_collate

    vocab = Vocabulary.from_sequences(_SEQUENCES)
    dataset = SequenceDataset(_SEQUENCES, vocab)
    batches = [[0], [1, 0, 2], [2, 3], [0, 4, 1, 3]]

    def as_arrays(collate, items):  # what is compared: the three tensors as arrays, after their types are checked
        result = collate(items)
        if not isinstance(result, tuple) or len(result) != 3:
            raise AssertionError(f"expected a tuple (inputs, targets, lengths); got {type(result).__name__}"
                                 f"{' of length ' + str(len(result)) if isinstance(result, tuple) else ''}")
        inputs, targets, lengths = result
        for name, tensor, dtypes in (("inputs", inputs, (torch.float32,)), ("targets", targets, (torch.int64,)),
                                     ("lengths", lengths, (torch.int64, torch.int32))):
            if not isinstance(tensor, torch.Tensor):
                raise AssertionError(f"{name}: expected a torch tensor; got {type(tensor).__name__}")
            if tensor.dtype not in dtypes:
                raise AssertionError(f"{name}: expected dtype {dtypes[0]}; got {tensor.dtype}")
        return inputs.numpy(), targets.numpy(), lengths.numpy()

    cases = []
    for batch in batches:
        items = [dataset[k] for k in batch]
        expected = tuple(tensor.numpy() for tensor in pad_collate(items))
        cases.append(((items,), expected))
    run_cases("pad_collate", student_collate, cases, call=as_arrays)


def check_gate_weights(gate_weights):
    """``gate_weights(module, gate)`` -> ``(W_x (H, V), W_h (H, H), b (H,))`` of one gate, as NumPy arrays."""
    import torch

    from ..torch_lstm import lstm_from_torch
    from ..torch_models import LSTMLanguageModel

    cases = []
    for seed, (vocab_size, hidden_size) in enumerate([(4, 3), (5, 2), (3, 6)]):
        torch.manual_seed(seed)
        module = LSTMLanguageModel(vocab_size, hidden_size)  # PyTorch's initialisation: both biases non-zero
        params = lstm_from_torch(module)
        for gate in GATES:
            cases.append(((module, gate), (params[f"W_x{gate}"], params[f"W_h{gate}"], params[f"b_{gate}"])))
    run_cases("gate_weights", gate_weights, cases, rtol=1e-6, atol=1e-7)


def check_gru_language_model(model_class):
    """``model_class(vocab_size, hidden_size)``: an ``nn.GRU`` then an ``nn.Linear`` with a bias; logits (T, B, V)."""
    import torch
    from torch import nn

    from ..torch_train import train_torch

    name = "GRULanguageModel"
    require_student_class(name, model_class)
    sizes = [(4, 8), (5, 3), (3, 1)]
    for vocab_size, hidden_size in sizes:
        call = f"{name}({vocab_size}, {hidden_size})"
        torch.manual_seed(0)
        model = call_student(call, model_class, vocab_size, hidden_size)
        if not isinstance(model, nn.Module):
            raise AssertionError(f"{call}: expected an nn.Module; got {type(model).__name__}")
        grus = [m for m in model.modules() if isinstance(m, nn.GRU)]
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        if len(grus) != 1 or len(linears) != 1:
            raise AssertionError(f"{call}: expected one nn.GRU and one nn.Linear as attributes of the module; "
                                 f"found {len(grus)} and {len(linears)}")
        gru, linear = grus[0], linears[0]
        layout = (gru.input_size, gru.hidden_size, gru.num_layers, gru.bidirectional, gru.batch_first)
        assert_same(f"{call}: the GRU's (input_size, hidden_size, num_layers, bidirectional, batch_first)",
                    layout, (vocab_size, hidden_size, 1, False, False))
        assert_same(f"{call}: the output layer's (in_features, out_features, has a bias)",
                    (linear.in_features, linear.out_features, linear.bias is not None), (hidden_size, vocab_size, True))
        count = sum(p.numel() for p in model.parameters())
        expected_count = 3 * (hidden_size * vocab_size + hidden_size * hidden_size + 2 * hidden_size) + vocab_size * hidden_size + vocab_size
        assert_same(f"{call}: the number of parameters", count, expected_count)
        inputs = torch.eye(vocab_size)[torch.randint(0, vocab_size, (5, 3))]  # (T, B, V) one-hot
        with torch.no_grad():
            logits = call_student(f"{call}.forward(inputs of shape (5, 3, {vocab_size}))", model, inputs)
            expected = linear(gru(inputs)[0])
        if not isinstance(logits, torch.Tensor):
            raise AssertionError(f"{call}.forward: expected a tensor of logits; got {type(logits).__name__}")
        assert_same(f"{call}.forward(inputs (5, 3, {vocab_size})): logits = output layer of every GRU state, no softmax",
                    logits.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)
    train, val, _ = split_dataset(generate_dataset(64, seed=5))
    vocab = Vocabulary.from_sequences(train)
    torch.manual_seed(0)
    history = train_torch(model_class(len(vocab), 8), train, val, vocab, epochs=8, lr=0.02)
    if not history["val_loss"][-1] < history["val_loss"][0]:
        raise AssertionError(f"{name}: train_torch for 8 epochs did not lower the validation loss "
                             f"({history['val_loss'][0]:.3f} -> {history['val_loss'][-1]:.3f})")
    print(f"{name}: {len(sizes) + 1} of {len(sizes) + 1} cases correct")
