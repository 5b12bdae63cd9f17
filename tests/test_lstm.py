"""Tests of lessons_src.lstm: gradients against numerical ones and torch.nn.LSTM, bad input."""

import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from lessons_src import plots
from lessons_src.data import Vocabulary, make_batch, split_dataset
from lessons_src.functional import cross_entropy, sigmoid
from lessons_src.generate import completion_accuracy, numpy_predictor
from lessons_src.language import generate_dataset
from lessons_src.gradcheck import gradient_check, numerical_gradient
from lessons_src.lstm import (GATES, init_lstm, lstm_backward, lstm_forward, lstm_parameter_shapes, lstm_step,
                              lstm_step_backward, stack_gates, unstack_gates)
from lessons_src.train import train

VOCAB_SIZE, HIDDEN_SIZE = 4, 6


def padded_batch():
    """Three sequences of different lengths: the shorter ones have masked positions."""
    sequences = [["a", "b", "a", "EOS"], ["a", "a", "a", "b", "b", "b", "a", "a", "a", "EOS"], ["a", "a", "b", "b", "a", "a", "EOS"]]
    vocab = Vocabulary.from_sequences(sequences)
    inputs, targets, mask = make_batch(sequences, vocab)
    assert len(vocab) == VOCAB_SIZE and mask.min() == 0.0
    return inputs, targets, mask


def random_state(batch, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 0.5, (batch, HIDDEN_SIZE)), rng.normal(0.0, 0.5, (batch, HIDDEN_SIZE))


def loss_and_grads(params, inputs, targets, mask, state=None):
    logits, cache = lstm_forward(params, inputs, state)
    loss, dlogits = cross_entropy(logits, targets, mask)
    return loss, lstm_backward(params, cache, dlogits)


def randomized_params(seed):
    """Parameters with every bias non-zero too, so no gradient is trivially right."""
    params = init_lstm(VOCAB_SIZE, HIDDEN_SIZE, seed=seed)
    rng = np.random.default_rng(seed + 100)
    for name in params:
        if name.startswith("b_"):
            params[name] = params[name] + rng.normal(0.0, 0.3, params[name].shape)
    return params


@pytest.mark.parametrize("with_state", [False, True])
def test_gradients_match_numerical_gradients_on_a_padded_batch(with_state):
    inputs, targets, mask = padded_batch()
    state = random_state(inputs.shape[1], seed=1) if with_state else None
    params = randomized_params(seed=3)
    _, grads = loss_and_grads(params, inputs, targets, mask, state)
    errors = gradient_check(lambda: cross_entropy(lstm_forward(params, inputs, state)[0], targets, mask)[0], params, grads)
    assert set(errors) == set(lstm_parameter_shapes(VOCAB_SIZE, HIDDEN_SIZE))
    worst = max(errors, key=errors.get)
    assert errors[worst] < 1e-6, f"{worst}: relative error {errors[worst]:.2e}"


def torch_lstm_grads(params, inputs, targets, mask, state=None):
    """Logits and gradients of the same model built from torch.nn.LSTM + nn.Linear, float64 autograd."""
    W_x, W_h, b = stack_gates(params)
    lstm = torch.nn.LSTM(VOCAB_SIZE, HIDDEN_SIZE).double()
    output_layer = torch.nn.Linear(HIDDEN_SIZE, VOCAB_SIZE).double()
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(W_x))
        lstm.weight_hh_l0.copy_(torch.from_numpy(W_h))
        lstm.bias_ih_l0.copy_(torch.from_numpy(b))
        lstm.bias_hh_l0.zero_()
        output_layer.weight.copy_(torch.from_numpy(params["W_hy"]))
        output_layer.bias.copy_(torch.from_numpy(params["b_y"]))
    torch_state = None if state is None else tuple(torch.from_numpy(s)[None] for s in state)
    hidden, _ = lstm(torch.from_numpy(inputs), torch_state)
    logits = output_layer(hidden)
    log_probs = torch.log_softmax(logits, dim=-1)
    target_log_probs = log_probs.gather(-1, torch.from_numpy(targets)[..., None])[..., 0]
    weights = torch.from_numpy(mask)
    loss = -(target_log_probs * weights).sum() / weights.sum()
    loss.backward()
    H = HIDDEN_SIZE
    grads = {}
    for k, gate in enumerate(GATES):
        rows = slice(k * H, (k + 1) * H)
        grads[f"W_x{gate}"] = lstm.weight_ih_l0.grad[rows].numpy()
        grads[f"W_h{gate}"] = lstm.weight_hh_l0.grad[rows].numpy()
        grads[f"b_{gate}"] = lstm.bias_ih_l0.grad[rows].numpy()
    # Both biases enter the same sum, so they get the same gradient (up to rounding).
    assert torch.allclose(lstm.bias_ih_l0.grad, lstm.bias_hh_l0.grad, rtol=0, atol=1e-15)
    grads["W_hy"] = output_layer.weight.grad.numpy()
    grads["b_y"] = output_layer.bias.grad.numpy()
    return logits.detach().numpy(), loss.item(), grads


@pytest.mark.parametrize("with_state", [False, True])
def test_forward_and_gradients_match_torch_nn_lstm(with_state):
    inputs, targets, mask = padded_batch()
    state = random_state(inputs.shape[1], seed=2) if with_state else None
    params = randomized_params(seed=4)
    logits, cache = lstm_forward(params, inputs, state)
    loss, dlogits = cross_entropy(logits, targets, mask)
    grads = lstm_backward(params, cache, dlogits)
    torch_logits, torch_loss, torch_grads = torch_lstm_grads(params, inputs, targets, mask, state)
    assert np.max(np.abs(logits - torch_logits)) < 1e-12
    assert abs(loss - torch_loss) < 1e-12
    for name in params:
        assert grads[name].shape == params[name].shape
        difference = np.max(np.abs(grads[name] - torch_grads[name]))
        assert difference < 1e-10, f"{name}: differs from torch autograd by {difference:.2e}"
        assert np.max(np.abs(grads[name])) > 1e-6, f"{name}: gradient is (nearly) zero, the test would prove nothing"


def test_padding_does_not_change_the_real_positions():
    inputs, targets, mask = padded_batch()
    params = randomized_params(seed=5)
    logits, _ = lstm_forward(params, inputs)
    for b in range(inputs.shape[1]):
        length = int(mask[:, b].sum())
        alone, _ = lstm_forward(params, inputs[:length, b:b + 1])
        np.testing.assert_allclose(logits[:length, b:b + 1], alone, rtol=0, atol=1e-14)


def test_cache_keeps_every_gate_and_the_cell_update():
    inputs, _, _ = padded_batch()
    params = randomized_params(seed=6)
    h0, c0 = random_state(inputs.shape[1], seed=7)
    _, cache = lstm_forward(params, inputs, (h0, c0))
    steps, batch, _ = inputs.shape
    for name in (*GATES, "c", "tanh_c", "h"):
        assert cache[name].shape == (steps, batch, HIDDEN_SIZE)
    for name in ("i", "f", "o"):
        assert 0 < cache[name].min() and cache[name].max() < 1
    c_prev = np.concatenate([c0[None], cache["c"][:-1]])
    np.testing.assert_allclose(cache["c"], cache["f"] * c_prev + cache["i"] * cache["g"], atol=1e-15)
    np.testing.assert_allclose(cache["h"], cache["o"] * np.tanh(cache["c"]), atol=1e-15)


def test_init_lstm():
    params = init_lstm(VOCAB_SIZE, HIDDEN_SIZE, seed=0)
    assert {name: value.shape for name, value in params.items()} == lstm_parameter_shapes(VOCAB_SIZE, HIDDEN_SIZE)
    assert all(value.dtype == np.float64 for value in params.values())
    for gate in GATES:
        W_h = params[f"W_h{gate}"]
        np.testing.assert_allclose(W_h @ W_h.T, np.eye(HIDDEN_SIZE), atol=1e-12)
    assert np.all(params["b_f"] == 1.0)
    assert all(np.all(params[name] == 0.0) for name in ("b_i", "b_g", "b_o", "b_y"))
    again, other = init_lstm(VOCAB_SIZE, HIDDEN_SIZE, seed=0), init_lstm(VOCAB_SIZE, HIDDEN_SIZE, seed=1)
    assert all(np.array_equal(params[name], again[name]) for name in params)
    assert not np.array_equal(params["W_hi"], other["W_hi"])
    assert not any(np.array_equal(params["W_hi"], params[f"W_h{gate}"]) for gate in "fgo")


# Bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "vocab_size, hidden_size, error, words",
    [
        (0, 4, ValueError, "vocab_size"),
        (4, 0, ValueError, "hidden_size"),
        (4, -3, ValueError, "hidden_size"),
        (4, 2.5, TypeError, "hidden_size"),
        ("4", 4, TypeError, "vocab_size"),
    ],
)
def test_init_lstm_rejects_bad_sizes(vocab_size, hidden_size, error, words):
    with pytest.raises(error, match=words):
        init_lstm(vocab_size, hidden_size)


def test_forward_rejects_bad_params():
    inputs, _, _ = padded_batch()
    params = init_lstm(VOCAB_SIZE, HIDDEN_SIZE)
    missing = {name: value for name, value in params.items() if name != "W_hf"}
    with pytest.raises(ValueError, match=r"params: expected the keys .*missing \['W_hf'\]"):
        lstm_forward(missing, inputs)
    with pytest.raises(ValueError, match=r"unexpected \['W_xh'\]"):
        lstm_forward({**params, "W_xh": params["W_xi"]}, inputs)
    with pytest.raises(ValueError, match=r"params\['W_ho'\]: expected shape \(6, 6\).*got \(6, 5\)"):
        lstm_forward({**params, "W_ho": params["W_ho"][:, :5]}, inputs)
    with pytest.raises(ValueError, match=r"params\['b_y'\]: expected shape \(4,\)"):
        lstm_forward({**params, "b_y": np.zeros(5)}, inputs)
    with pytest.raises(TypeError, match=r"params\['b_i'\]: expected a NumPy array; got list"):
        lstm_forward({**params, "b_i": [0.0] * HIDDEN_SIZE}, inputs)
    with pytest.raises(TypeError, match="params: expected a dict"):
        lstm_forward([params], inputs)


def test_forward_rejects_bad_inputs_and_state():
    inputs, _, _ = padded_batch()
    params = init_lstm(VOCAB_SIZE, HIDDEN_SIZE)
    with pytest.raises(ValueError, match=r"inputs: expected a NumPy array \(T, B, V\) of shape \(any, any, 4\); got shape \(9, 3\)"):
        lstm_forward(params, inputs[:, :, 0])
    with pytest.raises(ValueError, match=r"inputs: .*\(any, any, 4\); got shape \(9, 3, 5\)"):
        lstm_forward(params, np.zeros((9, 3, 5)))
    with pytest.raises(ValueError, match=r"inputs: .*got \(0, 3, 4\)"):
        lstm_forward(params, np.zeros((0, 3, 4)))
    with pytest.raises(TypeError, match="inputs: expected a NumPy array"):
        lstm_forward(params, inputs.tolist())
    h0, c0 = random_state(inputs.shape[1], seed=0)
    with pytest.raises(ValueError, match=r"state: expected None or \(h0, c0\), each a NumPy array of shape \(B, H\) = \(3, 6\); c0 has shape \(2, 6\)"):
        lstm_forward(params, inputs, (h0, c0[:2]))
    with pytest.raises(ValueError, match=r"state: .*; h0 has shape \(6,\)"):
        lstm_forward(params, inputs, (h0[0], c0))
    with pytest.raises(TypeError, match=r"state: expected None or \(h0, c0\), .*; got ndarray"):
        lstm_forward(params, inputs, h0)
    with pytest.raises(ValueError, match=r"state: expected None or \(h0, c0\), .*; got 3 parts"):
        lstm_forward(params, inputs, (h0, c0, c0))


def test_backward_rejects_bad_arguments():
    inputs, _, _ = padded_batch()
    params = init_lstm(VOCAB_SIZE, HIDDEN_SIZE)
    logits, cache = lstm_forward(params, inputs)
    with pytest.raises(ValueError, match=r"dlogits: expected a NumPy array \(T, B, V\) like the logits of shape \(9, 3, 4\); got shape \(9, 3\)"):
        lstm_backward(params, cache, logits[:, :, 0])
    with pytest.raises(TypeError, match="cache: expected the dict returned by the forward pass; got tuple"):
        lstm_backward(params, (logits, cache), logits)
    bigger = init_lstm(VOCAB_SIZE, HIDDEN_SIZE + 1)
    with pytest.raises(ValueError, match="cache: expected a cache made with these params"):
        lstm_backward(bigger, cache, logits)


# The chapter's figures -----------------------------------------------------


def test_plot_gates_draws_four_panels_and_rejects_bad_arguments():
    inputs, _, _ = padded_batch()
    _, cache = lstm_forward(init_lstm(VOCAB_SIZE, HIDDEN_SIZE), inputs)
    tokens = ["a"] * inputs.shape[0]
    figure = plots.plot_gates(cache, tokens, sequence_index=1, highlight=[2])
    assert [ax.get_title() for ax in figure.axes[:4]] == ["input gate $i$", "forget gate $f$", "output gate $o$", "cell state $c$"]
    image = figure.axes[1].images[0].get_array()
    np.testing.assert_array_equal(image, cache["f"][:, 1].T)
    plt.close(figure)
    with pytest.raises(ValueError, match="tokens: expected 9 tokens"):
        plots.plot_gates(cache, tokens[:-1])
    with pytest.raises(ValueError, match="highlight: expected units from 0 to 5"):
        plots.plot_gates(cache, tokens, highlight=[6])
    with pytest.raises(ValueError, match="sequence_index: expected 0 to 2"):
        plots.plot_gates(cache, tokens, sequence_index=3)
    with pytest.raises(TypeError, match="cache: expected the dict returned by lstm_forward"):
        plots.plot_gates(cache["c"], tokens)


# Chapter 3's result ----------------------------------------------------------------------------


def chapter_settings():
    """HIDDEN_SIZE, EPOCHS, LR as set in the chapter, read from the notebook so the two cannot drift apart."""
    notebook = json.loads((Path(__file__).parent.parent / "book" / "03_lstm_gates.ipynb").read_text())
    source = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    match = re.search(r"^HIDDEN_SIZE, EPOCHS, LR = (\d+), (\d+), ([\d.e-]+)", source, re.MULTILINE)
    assert match, "the chapter no longer sets HIDDEN_SIZE, EPOCHS, LR in one line"
    return int(match[1]), int(match[2]), float(match[3])


def test_trained_with_the_chapters_settings_the_lstm_completes_every_test_sequence():
    hidden_size, epochs, lr = chapter_settings()
    sequences = generate_dataset()
    train_sequences, val_sequences, test_sequences = split_dataset(sequences, p_train=0.8, p_val=0.1, p_test=0.1)
    vocab = Vocabulary.from_sequences(train_sequences)
    params = init_lstm(len(vocab), hidden_size, seed=0)
    history = train(lstm_forward, lstm_backward, params, train_sequences, val_sequences, vocab,
                    epochs=epochs, batch_size=32, lr=lr, optimizer="adam", max_norm=5.0, seed=0)
    assert history["val_loss"][-1] < 0.2
    assert completion_accuracy(numpy_predictor(lstm_forward, params), vocab, test_sequences) == 1.0


def test_step_backward_matches_finite_differences():
    """One step alone: with L = sum(dh * h) + sum(dc * c), lstm_step_backward gives the stacked weights'
    gradients and dL/dh_prev, dL/dc_prev."""
    rng = np.random.default_rng(3)
    params = randomized_params(seed=4)
    weights = stack_gates(params)
    x = np.eye(VOCAB_SIZE)[rng.integers(0, VOCAB_SIZE, 3)]
    h_prev, c_prev, dh, dc = rng.standard_normal((4, 3, HIDDEN_SIZE))

    def loss():
        h, c, _ = lstm_step(weights, x, h_prev, c_prev)
        return float((dh * h).sum() + (dc * c).sum())

    _, _, cache = lstm_step(weights, x, h_prev, c_prev)
    grads, dh_prev, dc_prev = lstm_step_backward(weights, dh, dc, cache)
    for name, grad in grads.items():
        np.testing.assert_allclose(grad, numerical_gradient(loss, getattr(weights, name)), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dh_prev, numerical_gradient(loss, h_prev), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dc_prev, numerical_gradient(loss, c_prev), rtol=1e-6, atol=1e-9)
    unstacked = unstack_gates(stack_gates(params)._asdict())
    assert list(unstacked) == [name for name in params if name not in ("W_hy", "b_y")]
    for name, array in unstacked.items():
        np.testing.assert_array_equal(array, params[name])


def test_forward_is_the_step_run_over_time():
    inputs, _, _ = padded_batch()
    params = randomized_params(seed=5)
    logits, cache = lstm_forward(params, inputs)
    h, c = cache["h0"], cache["c0"]
    for t in range(inputs.shape[0]):
        h, c, _ = lstm_step(stack_gates(params), inputs[t], h, c)
        # the forward's products are laid out differently (all steps' inputs at once): equal up to rounding
        np.testing.assert_allclose(cache["h"][t], h, rtol=0, atol=1e-14)
        np.testing.assert_allclose(cache["c"][t], c, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(np.concatenate([cache[gate] for gate in GATES], axis=2), cache["gates"])


def test_the_steps_sigmoid_is_the_sigmoid_even_for_extreme_inputs():
    """lstm_step computes sigmoid(a) as (1 + tanh(a / 2)) / 2: the same values, no overflow, no warning."""
    import warnings

    H = 3
    weights = stack_gates(init_lstm(VOCAB_SIZE, H))
    a_x = np.array([[-1000.0, -40.0, -3.0, -1e-8, 0.0, 1e-8, 0.5, 2.0, 7.0, 30.0, 700.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, _, cache = lstm_step(weights, np.zeros((1, VOCAB_SIZE)), np.zeros((1, H)), np.zeros((1, H)), a_x)
    expected = sigmoid(a_x)
    expected[:, 2 * H:3 * H] = np.tanh(a_x[:, 2 * H:3 * H])
    np.testing.assert_allclose(cache["gates"], expected, rtol=0, atol=1e-15)
    assert np.all((cache["gates"][:, :2 * H] >= 0) & (cache["gates"][:, :2 * H] <= 1))


def test_the_step_computes_the_input_share_when_it_is_not_given():
    rng = np.random.default_rng(0)
    weights = stack_gates(randomized_params(seed=2))
    x = np.eye(VOCAB_SIZE)[rng.integers(0, VOCAB_SIZE, 3)]
    h_prev, c_prev = rng.standard_normal((2, 3, HIDDEN_SIZE))
    alone = lstm_step(weights, x, h_prev, c_prev)
    given = lstm_step(weights, x, h_prev, c_prev, x @ weights.W_x.T + weights.b)
    for one, other in zip(alone[:2], given[:2]):
        np.testing.assert_allclose(one, other, rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match=r"a_x: expected .*\(B, 4H\)"):
        lstm_step(weights, x, h_prev, c_prev, np.zeros((3, HIDDEN_SIZE)))
