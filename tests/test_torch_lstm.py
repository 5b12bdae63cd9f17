"""Tests of lessons_src.torch_lstm: the same model as the NumPy LSTM, data, training, bad input."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader

from lessons_src.data import Vocabulary, make_batch, split_dataset
from lessons_src.functional import cross_entropy
from lessons_src.generate import complete, completion_accuracy
from lessons_src.generate import numpy_predictor
from lessons_src.language import generate_dataset
from lessons_src.lstm import PARAMETER_NAMES, init_lstm, lstm_backward, lstm_forward
from lessons_src.timing import time_packing, time_training_step
from lessons_src.torch_data import IGNORE_INDEX, SequenceDataset, pad_collate
from lessons_src.torch_lstm import lstm_from_torch, lstm_grads_from_torch, lstm_to_torch
from lessons_src.torch_models import LSTMLanguageModel
from lessons_src.torch_train import evaluate_torch, torch_predictor, train_torch
from lessons_src.train import evaluate, train

pytestmark = pytest.mark.usefixtures("one_torch_thread")


SEQUENCES = [["a", "b", "a", "EOS"], ["a", "a", "a", "b", "b", "b", "a", "a", "a", "EOS"], ["a", "a", "b", "b", "a", "a", "EOS"]]
VOCAB = Vocabulary.from_sequences(SEQUENCES)


def randomized_params(seed, hidden_size=6):
    """LSTM parameters with non-zero biases, so that no bias gradient is trivially right."""
    params = init_lstm(len(VOCAB), hidden_size, seed=seed)
    rng = np.random.default_rng(seed + 1)
    for name in params:
        params[name] = params[name] + rng.normal(0.0, 0.3, params[name].shape)
    return params


def torch_loss(module, inputs, targets, mask, lengths=None):
    """The mean cross-entropy over real positions, the PyTorch way (padding ignored)."""
    ignored = torch.where(torch.as_tensor(mask) > 0, torch.as_tensor(targets), IGNORE_INDEX)
    logits = module(torch.as_tensor(inputs), lengths=lengths)
    return nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX)(logits.flatten(0, 1), ignored.flatten())


@pytest.mark.parametrize("with_state", [False, True])
def test_logits_equal_the_numpy_lstm_to_1e12(with_state):
    params = randomized_params(seed=0)
    inputs, _, _ = make_batch(SEQUENCES, VOCAB)
    rng = np.random.default_rng(5)
    state = (rng.normal(size=(3, 6)), rng.normal(size=(3, 6))) if with_state else None
    expected, _ = lstm_forward(params, inputs, state)
    module = lstm_to_torch(params)
    torch_state = None if state is None else tuple(torch.from_numpy(s) for s in state)
    received = module(torch.from_numpy(inputs), torch_state).detach().numpy()
    assert module.lstm.weight_ih_l0.dtype == torch.float64
    assert np.max(np.abs(received - expected)) < 1e-12


@pytest.mark.parametrize("packed", [False, True])
def test_every_gradient_of_lstm_backward_equals_autograd_to_1e10(packed):
    params = randomized_params(seed=1)
    inputs, targets, mask = make_batch(SEQUENCES, VOCAB)
    logits, cache = lstm_forward(params, inputs)
    loss, dlogits = cross_entropy(logits, targets, mask)
    grads = lstm_backward(params, cache, dlogits)

    module = lstm_to_torch(params)
    lengths = mask.sum(axis=0).astype(int) if packed else None
    torch_loss_value = torch_loss(module, inputs, targets, mask, lengths)
    torch_loss_value.backward()
    torch_grads = lstm_grads_from_torch(module)

    assert abs(torch_loss_value.item() - loss) < 1e-12
    assert set(torch_grads) == set(grads) == set(PARAMETER_NAMES)
    for name in PARAMETER_NAMES:
        assert torch_grads[name].shape == grads[name].shape, name
        assert np.max(np.abs(torch_grads[name] - grads[name])) < 1e-10, name
        assert np.abs(grads[name]).max() > 1e-6, f"{name}: a zero gradient proves nothing"
    # The two biases of PyTorch enter as a sum: both get the same gradient.
    assert float((module.lstm.bias_ih_l0.grad - module.lstm.bias_hh_l0.grad).abs().max()) < 1e-15


def test_round_trip_numpy_to_torch_to_numpy_is_exact():
    params = randomized_params(seed=2)
    back = lstm_from_torch(lstm_to_torch(params))
    assert set(back) == set(params)
    for name in params:
        assert back[name].dtype == np.float64 and np.array_equal(back[name], params[name]), name
    assert float(lstm_to_torch(params).lstm.bias_hh_l0.detach().abs().max()) == 0.0


def test_a_torch_initialised_module_maps_to_numpy_with_the_two_biases_summed():
    torch.manual_seed(0)
    module = LSTMLanguageModel(len(VOCAB), 5).double()
    assert float(module.lstm.bias_hh_l0.detach().abs().min()) > 0.0  # PyTorch initialises both biases
    params = lstm_from_torch(module)
    inputs, _, _ = make_batch(SEQUENCES, VOCAB)
    expected = module(torch.from_numpy(inputs)).detach().numpy()
    assert np.max(np.abs(lstm_forward(params, inputs)[0] - expected)) < 1e-12
    assert np.max(np.abs(lstm_to_torch(params)(torch.from_numpy(inputs)).detach().numpy() - expected)) < 1e-12
    np.testing.assert_array_equal(
        params["b_f"], (module.lstm.bias_ih_l0 + module.lstm.bias_hh_l0)[5:10].detach().numpy())


def test_packing_changes_no_logit_at_a_real_position():
    torch.manual_seed(1)
    module = LSTMLanguageModel(len(VOCAB), 7)
    inputs, targets, lengths = pad_collate([SequenceDataset(SEQUENCES, VOCAB)[k] for k in range(3)])
    plain, packed = module(inputs), module(inputs, lengths=lengths)
    real = targets != IGNORE_INDEX
    assert torch.allclose(plain[real], packed[real], atol=1e-6)
    # at padded steps the packed model's hidden state is zero: the logits are the output bias
    assert torch.allclose(packed[~real], module.output.bias.expand(int((~real).sum()), -1))


def test_dataset_and_pad_collate_give_a_time_major_padded_batch():
    dataset = SequenceDataset(SEQUENCES, VOCAB)
    assert len(dataset) == 3
    inputs, targets = dataset[0]
    assert inputs.shape == (3, len(VOCAB)) and inputs.dtype == torch.float32
    assert targets.tolist() == VOCAB.encode(["b", "a", "EOS"]).tolist()
    loader = DataLoader(dataset, batch_size=3, collate_fn=pad_collate)
    batch_inputs, batch_targets, lengths = next(iter(loader))
    assert batch_inputs.shape == (9, 3, len(VOCAB)) and batch_targets.shape == (9, 3)
    assert lengths.tolist() == [3, 9, 6]
    expected_inputs, expected_targets, mask = make_batch(SEQUENCES, VOCAB)
    np.testing.assert_array_equal(batch_inputs.numpy(), expected_inputs)
    np.testing.assert_array_equal(batch_targets.numpy(), np.where(mask > 0, expected_targets, IGNORE_INDEX))


def test_evaluate_torch_equals_the_numpy_evaluate_for_the_same_model():
    params = randomized_params(seed=3)
    sequences = generate_dataset(40, seed=3)
    expected = evaluate(lstm_forward, params, sequences, VOCAB)
    assert abs(evaluate_torch(lstm_to_torch(params), sequences, VOCAB, batch_size=7) - expected) < 1e-12


def test_the_predictor_completes_like_the_numpy_model():
    params = randomized_params(seed=4)
    prompt = ["a", "a", "b"]
    expected = complete(numpy_predictor(lstm_forward, params), VOCAB, prompt, max_len=12)
    assert complete(torch_predictor(lstm_to_torch(params)), VOCAB, prompt, max_len=12) == expected
    logits = torch_predictor(lstm_to_torch(params).float())(make_batch(SEQUENCES, VOCAB)[0])
    assert isinstance(logits, np.ndarray) and logits.dtype == np.float64 and logits.shape == (9, 3, len(VOCAB))


def test_training_completes_every_test_sequence():
    train, val, test = split_dataset(generate_dataset())
    vocab = Vocabulary.from_sequences(train)
    torch.manual_seed(0)
    model = LSTMLanguageModel(len(vocab), 50)
    history = train_torch(model, train, val, vocab, epochs=20, lr=0.02, optimizer="adam")
    assert set(history) == {"train_loss", "val_loss"} and len(history["val_loss"]) == 20
    assert history["val_loss"][-1] < 0.5 * history["val_loss"][0]
    assert completion_accuracy(torch_predictor(model), vocab, test) == 1.0


def test_training_is_reproducible_and_sgd_works_too():
    train, val, _ = split_dataset(generate_dataset(64, seed=1))
    vocab = Vocabulary.from_sequences(train)
    histories = []
    for _ in range(2):
        torch.manual_seed(3)
        histories.append(train_torch(LSTMLanguageModel(len(vocab), 8), train, val, vocab, epochs=3, lr=0.5, optimizer="sgd"))
    assert histories[0] == histories[1]
    assert histories[0]["train_loss"][-1] < histories[0]["train_loss"][0]


class TinyRNN(nn.Module):
    """A module with the interface train_torch needs, and no ``lengths`` argument."""

    def __init__(self, vocab_size, hidden_size):
        super().__init__()
        self.rnn = nn.RNN(vocab_size, hidden_size)
        self.output = nn.Linear(hidden_size, vocab_size)

    def forward(self, inputs):
        return self.output(self.rnn(inputs)[0])


def test_train_torch_trains_any_module_with_the_same_interface():
    train, val, _ = split_dataset(generate_dataset(64, seed=2))
    vocab = Vocabulary.from_sequences(train)
    torch.manual_seed(0)
    history = train_torch(TinyRNN(len(vocab), 8).double(), train, val, vocab, epochs=5, lr=0.02)
    assert history["val_loss"][-1] < history["val_loss"][0]


@pytest.mark.parametrize("optimizer, lr", [("adam", 0.01), ("sgd", 0.5)])
def test_in_numpy_batch_order_a_twin_with_one_bias_trains_like_the_numpy_lstm(optimizer, lr):
    """Same weights, one bias (the second frozen at zero), the same batches: the same history to rounding."""
    train_sequences, val_sequences, _ = split_dataset(generate_dataset(96, seed=6))
    vocab = Vocabulary.from_sequences(train_sequences)
    params = init_lstm(len(vocab), 5, seed=2)
    twin = lstm_to_torch(params)
    twin.lstm.bias_hh_l0.requires_grad_(False)
    settings = dict(epochs=4, batch_size=16, lr=lr, optimizer=optimizer, max_norm=5.0, seed=3)
    expected = train(lstm_forward, lstm_backward, params, train_sequences, val_sequences, vocab, **settings)
    received = train_torch(twin, train_sequences, val_sequences, vocab, batch_order="numpy", **settings)
    for key in ("train_loss", "val_loss"):
        assert np.max(np.abs(np.array(received[key]) - expected[key])) < 1e-10, key
    assert torch.all(twin.lstm.bias_hh_l0 == 0)                      # the frozen parameter did not move
    assert np.max(np.abs(lstm_from_torch(twin)["W_hf"] - params["W_hf"])) < 1e-10   # ... the others did, alike
    in_torch_order = train_torch(lstm_to_torch(init_lstm(len(vocab), 5, seed=2)), train_sequences, val_sequences, vocab,
                                 **settings)
    assert in_torch_order["train_loss"] != received["train_loss"]     # another order, another run


def test_a_nan_loss_stops_training_naming_the_epoch():
    train, val, _ = split_dataset(generate_dataset(32, seed=3))
    vocab = Vocabulary.from_sequences(train)
    model = LSTMLanguageModel(len(vocab), 4)
    with torch.no_grad():
        model.output.bias.fill_(float("nan"))
    with pytest.raises(FloatingPointError, match="epoch 1"):
        train_torch(model, train, val, vocab, epochs=2, lr=0.01)


def test_the_step_timer_returns_a_positive_time_for_each_implementation():
    times = time_training_step(batch_size=2, hidden_size=3, steps=2, number=1, repeats=1)
    assert set(times) == {"numpy", "torch float64", "torch float32"} and min(times.values()) > 0


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda p: p.pop("W_hg"), "missing \\['W_hg'\\]"),
        (lambda p: p.update(W_extra=np.zeros(1)), "unexpected \\['W_extra'\\]"),
        (lambda p: p.update(W_hf=np.zeros((6, 5))), "params\\['W_hf'\\]: expected shape \\(6, 6\\)"),
        (lambda p: p.update(b_y=np.zeros(6)), "params\\['b_y'\\]: expected shape \\(4,\\)"),
    ],
)
def test_lstm_to_torch_rejects_missing_unknown_or_misshaped_parameters(change, message):
    params = randomized_params(seed=5)
    change(params)
    with pytest.raises(ValueError, match=message):
        lstm_to_torch(params)


def test_lstm_to_torch_rejects_what_is_not_a_parameter_dict():
    with pytest.raises(TypeError, match="params"):
        lstm_to_torch([np.zeros(3)])


class Wrapped(nn.Module):
    def __init__(self, **lstm_options):
        super().__init__()
        self.lstm = nn.LSTM(4, 6, **lstm_options)
        self.output = nn.Linear(6, 4)


@pytest.mark.parametrize(
    "module, message",
    [
        (Wrapped(num_layers=2), "num_layers=2"),
        (Wrapped(bidirectional=True), "bidirectional=True"),
        (Wrapped(proj_size=3), "proj_size=3"),
        (nn.LSTM(4, 6), "module: expected a one-layer"),
        (TinyRNN(4, 6), "lstm=NoneType"),
    ],
)
def test_lstm_from_torch_says_what_it_supports(module, message):
    with pytest.raises(ValueError, match=message) as error:
        lstm_from_torch(module)
    assert "one-layer, one-direction nn.LSTM" in str(error.value)


def test_lstm_from_torch_rejects_a_mismatched_output_layer_and_non_modules():
    module = Wrapped()
    module.output = nn.Linear(6, 5)
    with pytest.raises(ValueError, match="module.output: expected nn.Linear\\(6, 4\\)"):
        lstm_from_torch(module)
    with pytest.raises(TypeError, match="module"):
        lstm_from_torch(randomized_params(seed=0))


def test_lstm_grads_from_torch_needs_a_backward_pass_first():
    with pytest.raises(ValueError, match="call loss.backward\\(\\) first"):
        lstm_grads_from_torch(LSTMLanguageModel(4, 3))


def test_the_module_rejects_bad_inputs_states_and_lengths():
    model = LSTMLanguageModel(4, 3)
    with pytest.raises(ValueError, match="inputs: expected a tensor of shape \\(T, B, V\\) with V=4; got \\(2, 5\\)"):
        model(torch.zeros(2, 5))
    with pytest.raises(TypeError, match="inputs: .*got ndarray"):
        model(np.zeros((2, 1, 4)))
    with pytest.raises(TypeError, match="state: .*h0 is ndarray"):
        model(torch.zeros(2, 2, 4), (np.zeros((2, 3)), torch.zeros(2, 3)))
    with pytest.raises(ValueError, match="state: .*h0 has shape \\(1, 3\\)"):
        model(torch.zeros(2, 2, 4), (torch.zeros(1, 3), torch.zeros(2, 3)))
    with pytest.raises(ValueError, match="lengths: expected 2 lengths from 1 to 3"):
        model(torch.zeros(3, 2, 4), lengths=[3, 4])
    for bad in (0, 2.5, True):
        with pytest.raises((TypeError, ValueError), match="hidden_size"):
            LSTMLanguageModel(4, bad)


def test_train_torch_rejects_bad_arguments():
    train, val, _ = split_dataset(generate_dataset(20, seed=4))
    vocab = Vocabulary.from_sequences(train)
    model = LSTMLanguageModel(len(vocab), 3)
    with pytest.raises(ValueError, match="optimizer: expected 'adam' or 'sgd'; got 'rmsprop'"):
        train_torch(model, train, val, vocab, epochs=1, lr=0.1, optimizer="rmsprop")
    with pytest.raises(ValueError, match="lr: expected a positive number; got -1"):
        train_torch(model, train, val, vocab, epochs=1, lr=-1)
    with pytest.raises(ValueError, match="epochs"):
        train_torch(model, train, val, vocab, epochs=0, lr=0.1)
    with pytest.raises(ValueError, match="val_sequences: expected at least one sequence"):
        train_torch(model, train, [], vocab, epochs=1, lr=0.1)
    with pytest.raises(TypeError, match="vocab: expected a Vocabulary"):
        train_torch(model, train, val, ["a", "b"], epochs=1, lr=0.1)
    with pytest.raises(TypeError, match="model: expected a torch.nn.Module"):
        train_torch(lstm_forward, train, val, vocab, epochs=1, lr=0.1)
    with pytest.raises(TypeError, match="batch_order: expected 'torch' or 'numpy'; got int"):
        train_torch(model, train, val, vocab, epochs=1, lr=0.1, batch_order=0)
    with pytest.raises(ValueError, match="batch_order: expected 'torch' or 'numpy'; got 'random'"):
        train_torch(model, train, val, vocab, epochs=1, lr=0.1, batch_order="random")
    frozen = LSTMLanguageModel(len(vocab), 3).requires_grad_(False)
    with pytest.raises(ValueError, match="model: expected at least one parameter to train"):
        train_torch(frozen, train, val, vocab, epochs=1, lr=0.1)
    with pytest.raises(ValueError, match="sequences\\[0\\]: expected at least 2 tokens"):
        SequenceDataset([["EOS"]], vocab)
    with pytest.raises(ValueError, match="inputs: expected a NumPy array of shape \\(T, B, V\\); got shape \\(3, 4\\)"):
        torch_predictor(model)(np.zeros((3, 4)))


def test_the_packing_timer_times_both_ways_and_changes_no_parameter():
    model = LSTMLanguageModel(len(VOCAB), 3).double()
    before = [parameter.detach().clone() for parameter in model.parameters()]
    batches = [pad_collate([SequenceDataset(SEQUENCES, VOCAB)[k] for k in range(3)])]
    times = time_packing(model, batches, repeats=1)
    assert set(times) == {"padded", "packed"} and all(seconds > 0 for seconds in times.values())
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    with pytest.raises(TypeError, match="module: expected a language model whose forward takes lengths"):
        time_packing(TinyRNN(len(VOCAB), 3), batches)
    with pytest.raises(ValueError, match="batches: expected a non-empty list"):
        time_packing(model, [])
    with pytest.raises(ValueError, match="repeats"):
        time_packing(model, batches, repeats=0)
