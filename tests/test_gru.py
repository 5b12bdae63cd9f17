"""Tests of lessons_src.gru and lessons_src.torch_gru: the NumPy GRU against finite differences and
torch.nn.GRU (float64), the transfer both ways, training on the book's task, and every bad input."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from student_code import as_student
from torch import nn

from lessons_src import checks
from lessons_src.data import Vocabulary, make_batch, one_hot, split_dataset
from lessons_src.functional import cross_entropy, sigmoid
from lessons_src.generate import completion_accuracy, numpy_predictor
from lessons_src.language import generate_dataset
from lessons_src.gradcheck import gradient_check
from lessons_src.gru import (GATES, PARAMETER_NAMES, RECURRENT_NAMES, GateWeights, cho_gru_step, gru_backward,
                             gru_forward, gru_parameter_shapes, gru_step, gru_step_backward, init_gru, stack_gates,
                             unstack_gates)
from lessons_src.timing import time_gru_training_step
from lessons_src.torch_data import IGNORE_INDEX
from lessons_src.torch_gru import GRULanguageModel, gru_from_torch, gru_grads_from_torch, gru_to_torch
from lessons_src.torch_train import torch_predictor, train_torch
from lessons_src.train import train

pytestmark = pytest.mark.usefixtures("one_torch_thread")

VOCAB_SIZE, HIDDEN_SIZE = 4, 6
SEQUENCES = [["a", "b", "a", "EOS"], ["a", "a", "a", "b", "b", "b", "a", "a", "a", "EOS"],
             ["a", "a", "b", "b", "a", "a", "EOS"]]
VOCAB = Vocabulary.from_sequences(SEQUENCES)


def padded_batch():
    """Three sequences of different lengths: the shorter ones have masked positions."""
    inputs, targets, mask = make_batch(SEQUENCES, VOCAB)
    assert len(VOCAB) == VOCAB_SIZE and mask.min() == 0.0
    return inputs, targets, mask


def randomized_params(seed, hidden_size=HIDDEN_SIZE):
    """Parameters with every entry moved, biases included, so that no gradient is trivially right."""
    params = init_gru(VOCAB_SIZE, hidden_size, seed=seed)
    rng = np.random.default_rng(seed + 100)
    return {name: value + rng.normal(0.0, 0.4, value.shape) for name, value in params.items()}


def random_h0(batch, seed, hidden_size=HIDDEN_SIZE):
    return np.random.default_rng(seed).normal(0.0, 0.7, (batch, hidden_size))


def loss_and_grads(params, inputs, targets, mask, h0=None):
    logits, cache = gru_forward(params, inputs, h0)
    loss, dlogits = cross_entropy(logits, targets, mask)
    return loss, gru_backward(params, cache, dlogits)


# Gradients ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("with_h0", [False, True])
def test_gradients_match_numerical_gradients_on_a_padded_batch(with_h0):
    inputs, targets, mask = padded_batch()
    h0 = random_h0(inputs.shape[1], seed=1) if with_h0 else None
    params = randomized_params(seed=3)
    _, grads = loss_and_grads(params, inputs, targets, mask, h0)
    errors = gradient_check(lambda: cross_entropy(gru_forward(params, inputs, h0)[0], targets, mask)[0], params, grads)
    assert set(errors) == set(PARAMETER_NAMES)
    worst = max(errors, key=errors.get)
    assert errors[worst] < 1e-6, f"{worst}: relative error {errors[worst]:.2e}"


def independent_torch_gru(params, inputs, targets, mask, h0=None):
    """Logits, loss and gradients of the same model built here from nn.GRU + nn.Linear (float64 autograd).

    Written from PyTorch's documented layout (gates r, z, n; the candidate's two biases apart), without
    gru_to_torch, so that a mistake in the mapping cannot hide a mistake in the model.
    """
    H = params["W_hr"].shape[0]
    gru, output = nn.GRU(VOCAB_SIZE, H).double(), nn.Linear(H, VOCAB_SIZE).double()
    with torch.no_grad():
        gru.weight_ih_l0.copy_(torch.from_numpy(np.concatenate([params["W_xr"], params["W_xz"], params["W_xn"]])))
        gru.weight_hh_l0.copy_(torch.from_numpy(np.concatenate([params["W_hr"], params["W_hz"], params["W_hn"]])))
        # Split each summed bias over PyTorch's two, unevenly, to show that only the sum matters.
        gru.bias_ih_l0.copy_(torch.from_numpy(np.concatenate([0.3 * params["b_r"], 0.6 * params["b_z"], params["b_xn"]])))
        gru.bias_hh_l0.copy_(torch.from_numpy(np.concatenate([0.7 * params["b_r"], 0.4 * params["b_z"], params["b_hn"]])))
        output.weight.copy_(torch.from_numpy(params["W_hy"]))
        output.bias.copy_(torch.from_numpy(params["b_y"]))
    hidden, _ = gru(torch.from_numpy(inputs), None if h0 is None else torch.from_numpy(h0)[None])
    logits = output(hidden)
    log_probs = torch.log_softmax(logits, dim=-1)
    target_log_probs = log_probs.gather(-1, torch.from_numpy(targets)[..., None])[..., 0]
    weights = torch.from_numpy(mask)
    loss = -(target_log_probs * weights).sum() / weights.sum()
    loss.backward()
    blocks = {name: tensor.grad.split(H) for name, tensor in
              (("W_x", gru.weight_ih_l0), ("W_h", gru.weight_hh_l0), ("b_ih", gru.bias_ih_l0), ("b_hh", gru.bias_hh_l0))}
    grads = {}
    for k, gate in enumerate(GATES):
        grads[f"W_x{gate}"], grads[f"W_h{gate}"] = blocks["W_x"][k].numpy(), blocks["W_h"][k].numpy()
    for k, name in enumerate(("b_r", "b_z")):  # both halves of a summed bias get the sum's gradient
        np.testing.assert_allclose(blocks["b_ih"][k].numpy(), blocks["b_hh"][k].numpy(), rtol=0, atol=1e-15)
        grads[name] = blocks["b_ih"][k].numpy()
    grads["b_xn"], grads["b_hn"] = blocks["b_ih"][2].numpy(), blocks["b_hh"][2].numpy()
    grads["W_hy"], grads["b_y"] = output.weight.grad.numpy(), output.bias.grad.numpy()
    return logits.detach().numpy(), loss.item(), grads


@pytest.mark.parametrize("with_h0", [False, True])
def test_forward_and_gradients_match_torch_nn_gru_in_float64(with_h0):
    inputs, targets, mask = padded_batch()
    h0 = random_h0(inputs.shape[1], seed=2) if with_h0 else None
    params = randomized_params(seed=4)
    logits, cache = gru_forward(params, inputs, h0)
    loss, dlogits = cross_entropy(logits, targets, mask)
    grads = gru_backward(params, cache, dlogits)
    torch_logits, torch_loss, torch_grads = independent_torch_gru(params, inputs, targets, mask, h0)
    assert np.max(np.abs(logits - torch_logits)) < 1e-12
    assert abs(loss - torch_loss) < 1e-12
    assert list(grads) == list(params)
    for name in params:
        assert grads[name].shape == params[name].shape
        difference = np.max(np.abs(grads[name] - torch_grads[name]))
        assert difference < 1e-10, f"{name}: differs from torch autograd by {difference:.2e}"
        assert np.max(np.abs(grads[name])) > 1e-6, f"{name}: gradient is (nearly) zero, the test would prove nothing"


@pytest.mark.parametrize("packed", [False, True])
def test_gru_grads_from_torch_equal_gru_backward_through_gru_to_torch(packed):
    inputs, targets, mask = padded_batch()
    params = randomized_params(seed=5)
    h0 = random_h0(inputs.shape[1], seed=6)
    loss, grads = loss_and_grads(params, inputs, targets, mask, h0)
    module = gru_to_torch(params)
    lengths = torch.as_tensor(mask.sum(axis=0).astype(int)) if packed else None
    logits = module(torch.from_numpy(inputs), torch.from_numpy(h0), lengths=lengths)
    ignored = torch.where(torch.from_numpy(mask) > 0, torch.from_numpy(targets), IGNORE_INDEX)
    torch_loss = nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX)(logits.flatten(0, 1), ignored.flatten())
    torch_loss.backward()
    torch_grads = gru_grads_from_torch(module)
    assert abs(torch_loss.item() - loss) < 1e-12
    assert list(torch_grads) == list(PARAMETER_NAMES)
    for name in PARAMETER_NAMES:
        assert torch_grads[name].dtype == np.float64
        assert np.max(np.abs(torch_grads[name] - grads[name])) < 1e-10, name


def test_the_step_functions_are_the_steps_of_the_forward_and_backward_passes():
    inputs, targets, mask = padded_batch()
    params = randomized_params(seed=7)
    h0 = random_h0(inputs.shape[1], seed=8)
    logits, cache = gru_forward(params, inputs, h0)
    _, dlogits = cross_entropy(logits, targets, mask)
    grads = gru_backward(params, cache, dlogits)

    weights = stack_gates(params)
    states, steps = [h0], []
    for t in range(inputs.shape[0]):
        h, step = gru_step(weights, inputs[t], states[-1])
        np.testing.assert_array_equal(step["gates"], cache["gates"][t])
        np.testing.assert_array_equal(step["u"], cache["u"][t])
        np.testing.assert_array_equal(h, cache["h"][t])
        states.append(h)
        steps.append(step)
    summed = {name: np.zeros_like(value) for name, value in weights._asdict().items()}
    dh_next = np.zeros_like(h0)
    for t in reversed(range(inputs.shape[0])):
        step_grads, dh_next = gru_step_backward(weights, dlogits[t] @ params["W_hy"] + dh_next, steps[t])
        assert set(step_grads) == {"W_x", "W_h", "b_x", "b_hn"}
        for name in summed:
            summed[name] += step_grads[name]
    for name, value in unstack_gates(summed).items():
        np.testing.assert_allclose(value, grads[name], rtol=0, atol=1e-15)


def test_the_step_backward_against_finite_differences_of_the_step():
    rng = np.random.default_rng(9)
    batch, H = 3, 4
    params = {name: rng.normal(0.0, 0.6, value.shape) for name, value in init_gru(VOCAB_SIZE, H).items()}
    x, h_prev = one_hot(np.array([0, 2, 1]), VOCAB_SIZE), rng.normal(size=(batch, H))
    G = rng.normal(size=(batch, H))                              # L = sum(G * h): dh = G
    arrays = {"h_prev": h_prev, **{name: params[name] for name in RECURRENT_NAMES}}

    def loss():
        return float(np.sum(G * gru_step(stack_gates(params), x, h_prev)[0]))

    _, step = gru_step(stack_gates(params), x, h_prev)
    step_grads, dh_prev = gru_step_backward(stack_gates(params), G, step)
    errors = gradient_check(loss, arrays, {"h_prev": dh_prev, **unstack_gates(step_grads)})
    assert max(errors.values()) < 1e-7, errors


def test_a_backward_step_without_the_direct_path_fails_the_gradient_check():
    """The planted mistake the chapter shows: h_prev's direct path z * dh left out."""
    inputs, targets, mask = padded_batch()
    params = randomized_params(seed=10)

    def no_direct_path(weights, dh, cache):
        grads, dh_prev = gru_step_backward(weights, dh, cache)
        H = dh.shape[1]
        return grads, dh_prev - dh * cache["gates"][:, H:2 * H]

    logits, cache = gru_forward(params, inputs)
    _, dlogits = cross_entropy(logits, targets, mask)
    wrong = gru_backward(params, cache, dlogits, step_backward=no_direct_path)
    errors = gradient_check(lambda: cross_entropy(gru_forward(params, inputs)[0], targets, mask)[0], params, wrong)
    assert errors["W_hy"] < 1e-6 and errors["b_y"] < 1e-6           # the output layer does not see it
    assert min(errors[name] for name in RECURRENT_NAMES) > 1e-2       # every recurrent parameter does


def test_padding_does_not_change_the_real_positions():
    inputs, _, mask = padded_batch()
    params = randomized_params(seed=11)
    h0 = random_h0(inputs.shape[1], seed=12)
    logits, _ = gru_forward(params, inputs, h0)
    for b in range(inputs.shape[1]):
        length = int(mask[:, b].sum())
        alone, _ = gru_forward(params, inputs[:length, b:b + 1], h0[b:b + 1])
        np.testing.assert_allclose(logits[:length, b:b + 1], alone, rtol=0, atol=1e-14)


def test_the_cache_keeps_the_gates_and_the_update():
    inputs, _, _ = padded_batch()
    params = randomized_params(seed=13)
    h0 = random_h0(inputs.shape[1], seed=14)
    _, cache = gru_forward(params, inputs, h0)
    steps, batch, _ = inputs.shape
    for name in ("r", "z", "n", "u", "h"):
        assert cache[name].shape == (steps, batch, HIDDEN_SIZE)
    assert 0 < cache["r"].min() and cache["z"].max() < 1
    h_prev = np.concatenate([h0[None], cache["h"][:-1]])
    W = params
    r = sigmoid(inputs @ W["W_xr"].T + h_prev @ W["W_hr"].T + W["b_r"])
    z = sigmoid(inputs @ W["W_xz"].T + h_prev @ W["W_hz"].T + W["b_z"])
    u = h_prev @ W["W_hn"].T + W["b_hn"]
    n = np.tanh(inputs @ W["W_xn"].T + W["b_xn"] + r * u)
    for name, value in (("r", r), ("z", z), ("u", u), ("n", n), ("h", (1 - z) * n + z * h_prev)):
        np.testing.assert_allclose(cache[name], value, rtol=0, atol=1e-14)


def test_init_gru():
    params = init_gru(VOCAB_SIZE, HIDDEN_SIZE, seed=0)
    assert list(params) == list(PARAMETER_NAMES)
    assert {name: value.shape for name, value in params.items()} == gru_parameter_shapes(VOCAB_SIZE, HIDDEN_SIZE)
    assert all(value.dtype == np.float64 for value in params.values())
    for gate in GATES:
        W_h = params[f"W_h{gate}"]
        np.testing.assert_allclose(W_h @ W_h.T, np.eye(HIDDEN_SIZE), atol=1e-12)
    assert all(np.all(params[name] == 0.0) for name in ("b_r", "b_z", "b_xn", "b_hn", "b_y"))
    again, other = init_gru(VOCAB_SIZE, HIDDEN_SIZE, seed=0), init_gru(VOCAB_SIZE, HIDDEN_SIZE, seed=1)
    assert all(np.array_equal(params[name], again[name]) for name in params)
    assert not np.array_equal(params["W_hr"], other["W_hr"])
    assert not any(np.array_equal(params["W_hr"], params[f"W_h{gate}"]) for gate in "zn")
    weights = stack_gates(params)
    assert isinstance(weights, GateWeights)
    W_x, W_h, b_x, b_hn = weights
    assert W_x.shape == (3 * HIDDEN_SIZE, VOCAB_SIZE) and W_h.shape == (3 * HIDDEN_SIZE, HIDDEN_SIZE)
    assert b_x.shape == (3 * HIDDEN_SIZE,) and b_hn.shape == (HIDDEN_SIZE,)
    np.testing.assert_array_equal(W_h[HIDDEN_SIZE:2 * HIDDEN_SIZE], params["W_hz"])
    assert all(np.array_equal(value, params[name]) for name, value in unstack_gates(weights).items())


def test_the_parameter_count_lies_between_the_rnns_and_the_lstms():
    from lessons_src.lstm import lstm_parameter_shapes
    from lessons_src.rnn import rnn_parameter_shapes

    def count(shapes):
        return sum(int(np.prod(shape)) for shape in shapes.values())

    V, H = 4, 32
    assert count(gru_parameter_shapes(V, H)) == 3 * (H * V + H * H) + 4 * H + V * H + V
    assert count(rnn_parameter_shapes(V, H)) < count(gru_parameter_shapes(V, H)) < count(lstm_parameter_shapes(V, H))
    # nn.GRU has 2H biases more: the two biases of the reset and update gates that we keep as one each
    torch_count = sum(p.numel() for p in GRULanguageModel(V, H).parameters())
    assert torch_count == count(gru_parameter_shapes(V, H)) + 2 * H


# The bridge to PyTorch -------------------------------------------------------------------------


def test_round_trip_numpy_to_torch_to_numpy_is_exact():
    params = randomized_params(seed=15)
    module = gru_to_torch(params)
    assert isinstance(module, GRULanguageModel) and module.gru.weight_ih_l0.dtype == torch.float64
    back = gru_from_torch(module)
    assert list(back) == list(params)
    for name in params:
        assert back[name].dtype == np.float64 and np.array_equal(back[name], params[name]), name
    np.testing.assert_array_equal(module.gru.bias_hh_l0.detach().numpy()[:2 * HIDDEN_SIZE], 0.0)


def test_a_torch_initialised_module_maps_to_numpy_and_back_with_the_same_logits():
    torch.manual_seed(0)
    module = GRULanguageModel(VOCAB_SIZE, 5).double()
    assert float(module.gru.bias_hh_l0.detach().abs().min()) > 0.0  # PyTorch initialises both biases
    params = gru_from_torch(module)
    inputs, _, _ = padded_batch()
    h0 = random_h0(inputs.shape[1], seed=16, hidden_size=5)
    expected = module(torch.from_numpy(inputs), torch.from_numpy(h0)).detach().numpy()
    assert np.max(np.abs(gru_forward(params, inputs, h0)[0] - expected)) < 1e-12
    again = gru_to_torch(params)(torch.from_numpy(inputs), torch.from_numpy(h0)).detach().numpy()
    assert np.max(np.abs(again - expected)) < 1e-12
    bias_ih, bias_hh = module.gru.bias_ih_l0.detach().numpy(), module.gru.bias_hh_l0.detach().numpy()
    np.testing.assert_array_equal(params["b_z"], bias_ih[5:10] + bias_hh[5:10])
    np.testing.assert_array_equal(params["b_xn"], bias_ih[10:])
    np.testing.assert_array_equal(params["b_hn"], bias_hh[10:])


def test_a_module_without_biases_maps_to_zero_biases():
    class NoBias(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru, self.output = nn.GRU(VOCAB_SIZE, 3, bias=False), nn.Linear(3, VOCAB_SIZE, bias=False)

    params = gru_from_torch(NoBias())
    assert all(np.all(params[name] == 0.0) for name in ("b_r", "b_z", "b_xn", "b_hn", "b_y"))
    module = NoBias()
    module.output(module.gru(torch.zeros(2, 1, VOCAB_SIZE))[0]).sum().backward()
    with pytest.raises(ValueError, match=r"module: expected a gradient in every parameter.*bias_ih_l0"):
        gru_grads_from_torch(module)


def test_the_step_timer_returns_a_positive_time_for_each_implementation():
    times = time_gru_training_step(batch_size=2, hidden_size=3, steps=2, number=1, repeats=1)
    assert set(times) == {"numpy", "torch float64", "torch float32"} and min(times.values()) > 0


# Training on the book's task -------------------------------------------------------------------


def test_the_numpy_gru_trained_with_the_settings_of_chapters_2_and_3_completes_every_test_sequence():
    train_sequences, val_sequences, test_sequences = split_dataset(generate_dataset(), p_train=0.8, p_val=0.1, p_test=0.1)
    vocab = Vocabulary.from_sequences(train_sequences)
    params = init_gru(len(vocab), 16, seed=0)
    history = train(gru_forward, gru_backward, params, train_sequences, val_sequences, vocab,
                    epochs=60, batch_size=32, lr=0.01, optimizer="adam", max_norm=5.0, seed=0)
    assert history["val_loss"][-1] < 0.2
    assert completion_accuracy(numpy_predictor(gru_forward, params), vocab, test_sequences) == 1.0


def test_the_torch_gru_language_model_trains_to_every_test_sequence_and_agrees_with_numpy():
    train_sequences, val_sequences, test_sequences = split_dataset(generate_dataset())
    vocab = Vocabulary.from_sequences(train_sequences)
    torch.manual_seed(0)
    model = GRULanguageModel(len(vocab), 16).double()
    history = train_torch(model, train_sequences, val_sequences, vocab, epochs=30, lr=0.02)
    assert history["val_loss"][-1] < 0.5 * history["val_loss"][0]
    assert completion_accuracy(torch_predictor(model), vocab, test_sequences) == 1.0
    params = gru_from_torch(model)
    assert completion_accuracy(numpy_predictor(gru_forward, params), vocab, test_sequences) == 1.0


# Bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "vocab_size, hidden_size, error, words",
    [(0, 4, ValueError, "vocab_size"), (4, 0, ValueError, "hidden_size"), (4, -3, ValueError, "hidden_size"),
     (4, 2.5, TypeError, "hidden_size"), ("4", 4, TypeError, "vocab_size"), (4, True, TypeError, "hidden_size")],
)
def test_init_gru_rejects_bad_sizes(vocab_size, hidden_size, error, words):
    with pytest.raises(error, match=words):
        init_gru(vocab_size, hidden_size)


BAD_PARAMS = [
    (lambda p: p.pop("W_hn"), ValueError, r"params: expected the keys .*missing \['W_hn'\]"),
    (lambda p: p.update(W_xh=np.zeros((6, 4))), ValueError, r"unexpected \['W_xh'\]"),
    (lambda p: p.update(W_hz=np.zeros((6, 5))), ValueError, r"params\['W_hz'\]: expected shape \(6, 6\).*got \(6, 5\)"),
    (lambda p: p.update(b_hn=np.zeros(5)), ValueError, r"params\['b_hn'\]: expected shape \(6,\)"),
    (lambda p: p.update(b_y=np.zeros(5)), ValueError, r"params\['b_y'\]: expected shape \(4,\)"),
    (lambda p: p.update(W_xr=np.zeros(6)), ValueError, r"params\['W_xr'\]: expected a 2-D array"),
    (lambda p: p.update(b_r=[0.0] * 6), TypeError, r"params\['b_r'\]: expected a NumPy array; got list"),
]


@pytest.mark.parametrize("change, error, message", BAD_PARAMS)
@pytest.mark.parametrize("function", ["gru_forward", "gru_backward", "gru_to_torch", "stack_gates", "cho_gru_step"])
def test_every_function_taking_params_rejects_bad_ones(function, change, error, message):
    inputs, _, _ = padded_batch()
    good = init_gru(VOCAB_SIZE, HIDDEN_SIZE)
    logits, cache = gru_forward(good, inputs)
    h_prev = np.zeros((3, HIDDEN_SIZE))
    params = dict(good)
    change(params)
    calls = {"gru_forward": lambda: gru_forward(params, inputs), "gru_backward": lambda: gru_backward(params, cache, logits),
             "gru_to_torch": lambda: gru_to_torch(params), "stack_gates": lambda: stack_gates(params),
             "cho_gru_step": lambda: cho_gru_step(params, inputs[0], h_prev)}
    with pytest.raises(error, match=message):
        calls[function]()


@pytest.mark.parametrize("params", [[np.zeros(3)], None, {}])
def test_params_that_are_no_dict_of_arrays_are_refused(params):
    with pytest.raises((TypeError, ValueError), match="params: expected a (non-empty )?dict"):
        gru_forward(params, np.zeros((2, 1, 4)))
    with pytest.raises((TypeError, ValueError), match="params: expected a (non-empty )?dict"):
        gru_to_torch(params)


def test_forward_rejects_bad_inputs_and_h0():
    inputs, _, _ = padded_batch()
    params = init_gru(VOCAB_SIZE, HIDDEN_SIZE)
    with pytest.raises(ValueError, match=r"inputs: expected a NumPy array \(T, B, V\) of shape \(any, any, 4\); got shape \(9, 3\)"):
        gru_forward(params, inputs[:, :, 0])
    with pytest.raises(ValueError, match=r"inputs: .*\(any, any, 4\); got shape \(9, 3, 5\)"):
        gru_forward(params, np.zeros((9, 3, 5)))
    with pytest.raises(ValueError, match=r"inputs: .*got \(0, 3, 4\)"):
        gru_forward(params, np.zeros((0, 3, 4)))
    with pytest.raises(TypeError, match="inputs: expected a NumPy array"):
        gru_forward(params, inputs.tolist())
    with pytest.raises(ValueError, match=r"h0: expected None or a NumPy array of shape \(B, H\) = \(3, 6\); got shape \(2, 6\)"):
        gru_forward(params, inputs, np.zeros((2, 6)))
    with pytest.raises(ValueError, match=r"h0: .*; got shape \(6,\)"):
        gru_forward(params, inputs, np.zeros(6))
    with pytest.raises(TypeError, match=r"h0: expected None or a NumPy array"):
        gru_forward(params, inputs, (np.zeros((3, 6)),))


def test_backward_rejects_bad_arguments():
    inputs, _, _ = padded_batch()
    params = init_gru(VOCAB_SIZE, HIDDEN_SIZE)
    logits, cache = gru_forward(params, inputs)
    with pytest.raises(ValueError, match=r"dlogits: expected .*of shape \(9, 3, 4\); got shape \(9, 3\)"):
        gru_backward(params, cache, logits[:, :, 0])
    with pytest.raises(TypeError, match="dlogits: expected a NumPy array"):
        gru_backward(params, cache, logits.tolist())
    with pytest.raises(TypeError, match="cache: expected the dict returned by the forward pass"):
        gru_backward(params, (logits, cache), logits)
    with pytest.raises(ValueError, match=r"cache: expected the cache of the forward pass; \['inputs', 'h0', 'gates', 'u'\] missing"):
        gru_backward(params, {"h": cache["h"]}, logits)
    with pytest.raises(ValueError, match=r"cache: expected a cache made with these params \(V=4, H=7\)"):
        gru_backward(init_gru(VOCAB_SIZE, HIDDEN_SIZE + 1), cache, logits)
    with pytest.raises(TypeError, match="step_backward: expected a function like gru_step_backward"):
        gru_backward(params, cache, logits, step_backward="gru_step_backward")


def test_the_step_functions_reject_bad_arguments():
    params = init_gru(VOCAB_SIZE, HIDDEN_SIZE)
    weights = stack_gates(params)
    x, h_prev = one_hot(np.array([0, 1, 2]), VOCAB_SIZE), np.zeros((3, HIDDEN_SIZE))
    with pytest.raises(TypeError, match=r"weights: expected the stacked weights stack_gates\(params\); got dict"):
        gru_step(params, x, h_prev)
    with pytest.raises(TypeError, match=r"x: expected a NumPy array \(B, V\) of shape \(any, 4\); got list"):
        gru_step(weights, x.tolist(), h_prev)
    with pytest.raises(ValueError, match=r"x: expected .*\(any, 4\); got shape \(3, 5\)"):
        gru_step(weights, np.zeros((3, 5)), h_prev)
    with pytest.raises(ValueError, match=r"h_prev: expected .*\(3, 6\); got shape \(3, 5\)"):
        gru_step(weights, x, np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"h_prev: expected .*\(3, 6\); got shape \(2, 6\)"):
        gru_step(weights, x, np.zeros((2, HIDDEN_SIZE)))
    h, cache = gru_step(weights, x, h_prev)
    with pytest.raises(TypeError, match=r"weights: expected the stacked weights"):
        gru_step_backward(params, h, cache)
    with pytest.raises(TypeError, match=r"cache: expected the dict returned by the step function"):
        gru_step_backward(weights, h, (cache["gates"], cache["u"]))
    with pytest.raises(ValueError, match=r"cache: expected the step's cache with .*\['u'\] missing"):
        gru_step_backward(weights, h, {name: value for name, value in cache.items() if name != "u"})
    with pytest.raises(ValueError, match=r"dh: expected .*\(3, 6\); got shape \(2, 6\)"):
        gru_step_backward(weights, h[:2], cache)
    with pytest.raises(TypeError, match="dh: expected a NumPy array"):
        gru_step_backward(weights, h.tolist(), cache)
    with pytest.raises(ValueError, match=r"stacked: expected the keys W_x, W_h, b_x \(3H rows each\) and b_hn"):
        unstack_gates({"W_x": weights.W_x, "W_h": weights.W_h, "b": weights.b_x})
    with pytest.raises(TypeError, match=r"stacked: expected a dict"):
        unstack_gates([weights.W_x])
    with pytest.raises(ValueError, match=r"h_prev: expected .*\(3, 6\); got shape \(3, 5\)"):
        cho_gru_step(params, x, np.zeros((3, 5)))


def test_gru_to_torch_and_back_reject_what_they_cannot_map():
    class Wrapped(nn.Module):
        def __init__(self, output_size=VOCAB_SIZE, **options):
            super().__init__()
            self.gru = nn.GRU(VOCAB_SIZE, HIDDEN_SIZE, **options)
            self.output = nn.Linear(HIDDEN_SIZE, output_size)

    class LSTMInstead(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm, self.output = nn.LSTM(VOCAB_SIZE, HIDDEN_SIZE), nn.Linear(HIDDEN_SIZE, VOCAB_SIZE)

    cases = [
        (Wrapped(num_layers=2), ValueError, "num_layers=2"),
        (Wrapped(bidirectional=True), ValueError, "bidirectional=True"),
        (Wrapped(output_size=5), ValueError, r"module.output: expected nn.Linear\(6, 4\).*got nn.Linear\(6, 5\)"),
        (nn.GRU(VOCAB_SIZE, HIDDEN_SIZE), ValueError, "module: expected a one-layer, one-direction nn.GRU"),
        (LSTMInstead(), ValueError, "gru=NoneType, output=Linear"),
        (init_gru(VOCAB_SIZE, HIDDEN_SIZE), TypeError, "module: expected an nn.Module .*; got dict"),
        ("GRU", TypeError, "module: expected an nn.Module .*; got str"),
    ]
    for module, error, message in cases:
        for function in (gru_from_torch, gru_grads_from_torch):
            with pytest.raises(error, match=message):
                function(module)


def test_gru_grads_from_torch_needs_a_backward_pass_first():
    with pytest.raises(ValueError, match=r"call loss.backward\(\) first\); none for \['weight_ih_l0'"):
        gru_grads_from_torch(gru_to_torch(init_gru(VOCAB_SIZE, HIDDEN_SIZE)))


def test_the_torch_model_rejects_bad_inputs_and_states():
    model = GRULanguageModel(VOCAB_SIZE, HIDDEN_SIZE)
    with pytest.raises(ValueError, match=r"inputs: expected a tensor of shape \(T, B, V\) with V=4; got \(5, 2, 3\)"):
        model(torch.zeros(5, 2, 3))
    with pytest.raises(ValueError, match=r"state: expected None or a Tensor of shape \(B, H\) = \(2, 6\); got shape \(1, 2, 6\)"):
        model(torch.zeros(5, 2, VOCAB_SIZE), torch.zeros(1, 2, HIDDEN_SIZE))
    with pytest.raises(TypeError, match=r"state: expected None or a Tensor.*got tuple"):
        model(torch.zeros(5, 2, VOCAB_SIZE), (torch.zeros(2, HIDDEN_SIZE),))
    with pytest.raises(ValueError, match="hidden_size: expected a positive integer; got 0"):
        GRULanguageModel(VOCAB_SIZE, 0)


@pytest.mark.parametrize("name, value, error", [("batch_size", 0, ValueError), ("hidden_size", 2.0, TypeError),
                                                ("repeats", -1, ValueError)])
def test_the_step_timer_rejects_bad_sizes(name, value, error):
    with pytest.raises(error, match=name):
        time_gru_training_step(**{name: value})



# The chapter's exercise checks -----------------------------------------------------------------


def step_backward(weights, dh, cache, tanh_derivative=True, swap_r_and_z=False):
    """The GRU's step backward, written again for these tests; the two flags plant a mistake a student might make."""
    gates, u, h_prev, H = cache["gates"], cache["u"], cache["h_prev"], dh.shape[1]
    r, z, n = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:]
    da_n = dh * (1 - z) * (1 - n ** 2 if tanh_derivative else 1)
    da_r, da_z, du = da_n * u * r * (1 - r), dh * (h_prev - n) * z * (1 - z), da_n * r
    first, second = (da_z, da_r) if swap_r_and_z else (da_r, da_z)
    da_x, da_h = np.concatenate([first, second, da_n], axis=1), np.concatenate([first, second, du], axis=1)
    grads = {"W_x": da_x.T @ cache["x"], "W_h": da_h.T @ h_prev, "b_x": da_x.sum(axis=0), "b_hn": du.sum(axis=0)}
    return grads, dh * z + da_h @ weights.W_h


def right_step_backward(weights, dh, cache):
    return step_backward(weights, dh, cache)


def step_backward_without_direct_path(weights, dh, cache):
    grads, dh_prev = right_step_backward(weights, dh, cache)
    return grads, dh_prev - dh * cache["gates"][:, dh.shape[1]:2 * dh.shape[1]]


def step_backward_without_tanh_derivative(weights, dh, cache):
    """n's tanh' forgotten: as if n were 0 in 1 - n**2 (the forward values themselves stay right)."""
    return step_backward(weights, dh, cache, tanh_derivative=False)


def step_backward_with_swapped_gates(weights, dh, cache):
    """The blocks of r and z stacked in the wrong order (and used so for dh_prev)."""
    return step_backward(weights, dh, cache, swap_r_and_z=True)


def right_cho_step_backward(params, dh, cache):
    from lessons_src.checks.gru import _cho_step_backward

    return _cho_step_backward(params, dh, cache)


def planted_cho_step_backward(params, dh, cache):
    from lessons_src.checks.gru import _cho_step_backward

    return _cho_step_backward(params, dh, cache, mistake="planted")


def cho_step_backward_like_pytorchs(params, dh, cache):
    """The PyTorch variant's backward applied to Cho's form: a wrong answer that looks plausible."""
    weights = stack_gates(params)
    _, step = gru_step(weights, cache["x"], cache["h_prev"])
    grads, dh_prev = gru_step_backward(weights, dh, step)
    return unstack_gates(grads), dh_prev


def not_implemented(*args):
    raise NotImplementedError()


@pytest.mark.parametrize(
    "check, right, wrongs",
    [
        (checks.check_gru_parameter_count, lambda V, H: 3 * (H * V + H * H) + 4 * H + V * H + V,
         [lambda V, H: 3 * (H * V + H * H + 2 * H) + V * H + V,          # nn.GRU's count: two biases per gate
          lambda V, H: 3 * (H * V + H * H + H) + V * H + V,              # b_hn forgotten
          lambda V, H: 3 * (H * V + H * H) + 4 * H,                      # the output layer forgotten
          lambda V, H: 4 * (H * V + H * H + H) + V * H + V]),            # the LSTM's count
        (checks.check_update_gate_steps, lambda b_z, fraction: int(np.ceil(np.log(fraction) / np.log(sigmoid(b_z)))),
         [lambda b_z, fraction: int(np.ceil(np.log(fraction) / np.log(1 - sigmoid(b_z)))),   # 1 - z keeps the state
          lambda b_z, fraction: int(np.floor(np.log(fraction) / np.log(sigmoid(b_z)))),     # one step short
          lambda b_z, fraction: int(np.ceil(np.log(fraction) / np.log(abs(b_z) + 1e-3)))]),  # b_z taken for z
        (checks.check_gru_step_backward, right_step_backward,
         [step_backward_without_direct_path, step_backward_without_tanh_derivative, step_backward_with_swapped_gates]),
        (checks.check_cho_step_backward, right_cho_step_backward,
         [planted_cho_step_backward, cho_step_backward_like_pytorchs]),
    ],
)
def test_checks_accept_the_right_answer_and_reject_typical_wrong_ones(check, right, wrongs, grade):
    grade(check, right, wrongs, not_implemented, match=r"returned|raised")


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (step_backward_without_direct_path, "misses the direct path"),
        (step_backward_without_tanh_derivative, "1 - n\\*\\*2"),
        (step_backward_with_swapped_gates, "PyTorch's order r, z, n"),
    ],
)
def test_the_step_backward_check_names_the_typical_mistake(wrong, hint):
    with pytest.raises(AssertionError, match=f"(?s)gru_step_backward.*returned.*Hint: .*{hint}"):
        checks.check_gru_step_backward(as_student(wrong))


def test_the_bug_hunt_check_recognises_the_planted_mistake_and_the_cases_sit_on_no_boundary():
    with pytest.raises(AssertionError, match="(?s)Hint: this is still the planted mistake"):
        checks.check_cho_step_backward(as_student(planted_cho_step_backward))
    from lessons_src.checks.gru import _update_gate_steps_cases

    for (b_z, fraction), steps in _update_gate_steps_cases():
        exact = np.log(fraction) / np.log(sigmoid(b_z))
        assert steps == int(np.ceil(exact)) and min(exact - np.floor(exact), np.ceil(exact) - exact) > 1e-3


def test_cho_s_form_differs_from_pytorch_s_only_in_the_candidate():
    params = randomized_params(seed=20)
    x, h_prev = one_hot(np.array([0, 1, 3]), VOCAB_SIZE), random_h0(3, seed=21)
    h, step = gru_step(stack_gates(params), x, h_prev)
    h_cho, cho = cho_gru_step(params, x, h_prev)
    H = HIDDEN_SIZE
    np.testing.assert_allclose(step["gates"][:, :2 * H], np.concatenate([cho["r"], cho["z"]], axis=1), rtol=0, atol=1e-15)
    assert np.abs(step["gates"][:, 2 * H:] - cho["n"]).max() > 1e-2
    same = dict(params, b_hn=np.zeros(H), W_xr=np.zeros((H, VOCAB_SIZE)), W_hr=np.zeros((H, H)),
                b_r=np.full(H, 50.0))                                      # r = 1 and no b_hn: one model
    np.testing.assert_allclose(gru_step(stack_gates(same), x, h_prev)[0], cho_gru_step(same, x, h_prev)[0], rtol=0, atol=1e-15)


# Chapter 6 against chapter 5 ---------------------------------------------------------------------

BOOK = Path(__file__).resolve().parent.parent / "book"


def notebook(name):
    """The code and the stored text outputs of a chapter, cell by cell: [(source, output text)]."""
    cells = json.loads((BOOK / name).read_text())["cells"]
    return [("".join(cell["source"]), "".join("".join(out.get("text", "")) for out in cell.get("outputs", [])))
            for cell in cells if cell["cell_type"] == "code"]


def test_chapter_6_runs_chapter_5_s_experiment_with_its_settings():
    ch5 = "\n".join(source for source, _ in notebook("05_do_they_count.ipynb"))
    ch6 = "\n".join(source for source, _ in notebook("06_gru.ipynb"))
    train_max = re.search(r"^TRAIN_MAX = (\d+)", ch5, re.M)[1]
    hidden = re.search(r"^HIDDEN_SIZE = (\d+)", ch5, re.M)[1]
    seeds = re.search(r"^SEEDS = (\(.*?\))", ch5, re.M)[1]
    data = re.search(r"generate_dataset\((num_sequences=\d+, max_n=TRAIN_MAX, seed=\d+)\)", ch5)[1]
    split = re.search(r"split_dataset\(sequences, (p_train=[\d.]+, p_val=[\d.]+, p_test=[\d.]+)\)", ch5)[1]
    epochs, batch_size, lr = re.search(r"^EPOCHS, BATCH_SIZE, LEARNING_RATE = (\d+), (\d+), ([\d.]+)$", ch5, re.M).groups()
    training = f"epochs={epochs}, batch_size={batch_size}, lr={lr}, seed=seed)"
    assert ".double()" in ch5 and ".double()" in ch6
    assert f"TRAIN_MAX, COUNT_HIDDEN, SEEDS = {train_max}, {hidden}, {seeds}" in ch6
    assert f"generate_dataset({data})" in ch6 and f"split_dataset(count_sequences, {split})" in ch6
    assert training in ch6


def test_what_chapter_6_says_of_chapter_5_s_results_is_what_chapter_5_shows():
    outputs = "\n".join(output for _, output in notebook("05_do_they_count.ipynb"))
    beyond = {name: re.findall(rf"^\s*{name}, seed \d: right for n = 1 \.\.\. 6: True; right beyond it: (\[.*?\])", outputs, re.M)
              for name in ("RNN", "LSTM")}
    assert beyond["RNN"] == ["[]"] * 3                          # "the RNN was never right beyond it"
    assert sorted(beyond["LSTM"]) == ["[7]", "[7]", "[]"]       # "two of its seeds were right at n = 7"
    assert re.search(r"^LSTM writes .*\n(?:.*\n){3}\s*for n = 7 \.\.\. 18 the seeds write between \d+ and 8 b", outputs, re.M)
    pattern = r"after training, (RNN|LSTM)\s*: .*?between 1e([+-]\d+) and .*?between 1e([+-]\d+) and"
    trained = {name: (int(short), int(long)) for name, short, long in re.findall(pattern, outputs)}
    assert trained["RNN"][0] - trained["RNN"][1] == 4           # "the trained RNN lost four more orders of magnitude"
    assert trained["LSTM"][0] == trained["LSTM"][1]             # "the trained LSTM none"
