"""The NumPy RNN: gradient check on a padded batch, and equality with PyTorch autograd."""

import numpy as np
import pytest
import torch

from lessons_src.data import Vocabulary, make_batch
from lessons_src.language import generate_dataset
from lessons_src.functional import cross_entropy
from lessons_src.gradcheck import gradient_check
from lessons_src.init import orthogonal
from lessons_src.gradcheck import numerical_gradient
from lessons_src.rnn import PARAMETER_NAMES, init_rnn, rnn_backward, rnn_forward, rnn_step, rnn_step_backward


@pytest.fixture(scope="module")
def padded_batch():
    sequences = generate_dataset(6, max_n=3, seed=5)
    vocab = Vocabulary.from_sequences(sequences)
    inputs, targets, mask = make_batch(sequences, vocab)
    assert (mask == 0).any() and (mask == 1).any()  # some padding to mask out
    return inputs, targets, mask


def random_params(vocab_size, hidden_size, seed):
    """Random (not orthogonal) parameters with non-zero biases, so every term matters."""
    rng = np.random.default_rng(seed)
    params = init_rnn(vocab_size, hidden_size, seed=seed)
    return {name: 0.5 * rng.standard_normal(p.shape) for name, p in params.items()}


def test_init_is_orthogonal_with_zero_biases():
    params = init_rnn(4, 16, seed=0)
    assert {k: v.shape for k, v in params.items()} == {
        "W_xh": (16, 4), "W_hh": (16, 16), "b_h": (16,), "W_hy": (4, 16), "b_y": (4,)}
    np.testing.assert_allclose(params["W_hh"] @ params["W_hh"].T, np.eye(16), atol=1e-12)
    np.testing.assert_allclose(params["W_xh"].T @ params["W_xh"], np.eye(4), atol=1e-12)
    np.testing.assert_allclose(params["W_hy"] @ params["W_hy"].T, np.eye(4), atol=1e-12)
    assert not params["b_h"].any() and not params["b_y"].any()
    assert all(np.array_equal(params[k], init_rnn(4, 16, seed=0)[k]) for k in params)
    assert not np.array_equal(params["W_hh"], init_rnn(4, 16, seed=1)["W_hh"])
    x = np.random.default_rng(0).standard_normal(16)
    assert np.linalg.norm(params["W_hh"] @ x) == pytest.approx(np.linalg.norm(x))
    assert orthogonal(3, 5, np.random.default_rng(0)).shape == (3, 5)


def test_forward_shapes_and_the_step_function(padded_batch):
    inputs, _, _ = padded_batch
    steps, batch, vocab_size = inputs.shape
    params = random_params(vocab_size, 7, seed=0)
    h0 = np.random.default_rng(1).standard_normal((batch, 7))
    logits, cache = rnn_forward(params, inputs, h0)
    assert logits.shape == inputs.shape and cache["hidden"].shape == (steps + 1, batch, 7)
    np.testing.assert_array_equal(cache["hidden"][0], h0)
    h1 = np.tanh(inputs[0] @ params["W_xh"].T + h0 @ params["W_hh"].T + params["b_h"])
    np.testing.assert_allclose(cache["hidden"][1], h1)
    np.testing.assert_allclose(rnn_step(params, inputs[0], h0)[0], h1)
    np.testing.assert_allclose(logits[0], h1 @ params["W_hy"].T + params["b_y"])


def test_each_sequence_is_independent_of_the_others_in_the_batch(padded_batch):
    inputs, _, _ = padded_batch
    params = random_params(inputs.shape[2], 5, seed=2)
    logits, _ = rnn_forward(params, inputs)
    alone, _ = rnn_forward(params, inputs[:, 2:3])
    np.testing.assert_allclose(logits[:, 2:3], alone, rtol=0, atol=1e-14)


def test_gradient_check_on_a_padded_batch(padded_batch):
    inputs, targets, mask = padded_batch
    params = random_params(inputs.shape[2], 5, seed=3)
    h0 = np.random.default_rng(4).standard_normal((inputs.shape[1], 5))

    def forward_loss():
        return cross_entropy(rnn_forward(params, inputs, h0)[0], targets, mask)[0]

    logits, cache = rnn_forward(params, inputs, h0)
    _, dlogits = cross_entropy(logits, targets, mask)
    errors = gradient_check(forward_loss, params, rnn_backward(params, cache, dlogits))
    assert set(errors) == set(PARAMETER_NAMES)
    assert max(errors.values()) < 1e-6, errors


def test_backward_equals_torch_autograd(padded_batch):
    inputs, targets, mask = padded_batch
    params = random_params(inputs.shape[2], 6, seed=5)
    h0 = np.random.default_rng(6).standard_normal((inputs.shape[1], 6))
    logits, cache = rnn_forward(params, inputs, h0)
    loss, dlogits = cross_entropy(logits, targets, mask)
    grads = rnn_backward(params, cache, dlogits)

    # The same computation written with torch, float64, differentiated by autograd.
    p = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    x, h = torch.tensor(inputs), torch.tensor(h0)
    outputs = []
    for t in range(x.shape[0]):
        h = torch.tanh(x[t] @ p["W_xh"].T + h @ p["W_hh"].T + p["b_h"])
        outputs.append(h @ p["W_hy"].T + p["b_y"])
    torch_logits = torch.stack(outputs)
    per_position = torch.nn.functional.cross_entropy(
        torch_logits.reshape(-1, x.shape[2]), torch.tensor(targets).reshape(-1), reduction="none")
    m = torch.tensor(mask).reshape(-1)
    torch_loss = (per_position * m).sum() / m.sum()
    torch_loss.backward()

    np.testing.assert_allclose(logits, torch_logits.detach().numpy(), rtol=0, atol=1e-12)
    assert loss == pytest.approx(torch_loss.item(), rel=1e-12)
    for name in PARAMETER_NAMES:
        np.testing.assert_allclose(grads[name], p[name].grad.numpy(), rtol=0, atol=1e-10, err_msg=name)


def test_a_sign_error_in_the_output_gradient_is_caught(padded_batch):
    inputs, targets, mask = padded_batch
    params = random_params(inputs.shape[2], 4, seed=7)
    logits, cache = rnn_forward(params, inputs)
    _, dlogits = cross_entropy(logits, targets, mask)
    broken = dlogits.copy()
    one_hot_targets = np.eye(inputs.shape[2])[targets] * (mask / mask.sum())[..., None]
    broken += 2 * one_hot_targets  # +1 instead of -1 at the target, as in the source article
    errors = gradient_check(lambda: cross_entropy(rnn_forward(params, inputs)[0], targets, mask)[0],
                            params, rnn_backward(params, cache, broken))
    assert min(errors.values()) > 0.1, errors


@pytest.mark.parametrize("make_call, message", [
    (lambda p: rnn_forward(p, np.zeros((3, 4))), r"inputs: expected a NumPy array \(T, B, V\) of shape \(any, any, 4\); got shape \(3, 4\)"),
    (lambda p: rnn_forward(p, np.zeros((3, 2, 5))), "inputs"),
    (lambda p: rnn_forward(p, np.zeros((0, 2, 4))), "inputs"),
    (lambda p: rnn_forward(p, np.zeros((3, 2, 4)), h0=np.zeros((2, 5))), "h0"),
    (lambda p: rnn_forward({k: v for k, v in p.items() if k != "b_h"}, np.zeros((3, 2, 4))), r"missing \['b_h'\]"),
    (lambda p: rnn_forward({**p, "W_xx": np.zeros(2)}, np.zeros((3, 2, 4))), r"unexpected \['W_xx'\]"),
    (lambda p: rnn_forward({**p, "W_hh": np.zeros((2, 2))}, np.zeros((3, 2, 4))), r"params\['W_hh'\]"),
    (lambda p: rnn_forward([1, 2], np.zeros((3, 2, 4))), "params"),
    (lambda p: rnn_backward(p, rnn_forward(p, np.zeros((3, 2, 4)))[1], np.zeros((3, 2, 5))), "dlogits"),
    (lambda p: init_rnn(4, 0), "hidden_size"),
    (lambda p: init_rnn(4, 2.5), "hidden_size"),
    (lambda p: init_rnn(0, 3), "vocab_size"),
])
def test_bad_input_is_named(make_call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make_call(init_rnn(4, 3))


def test_step_backward_matches_finite_differences():
    """One step alone: with L = sum(dh * h), rnn_step_backward gives dL/dW_xh, dL/dW_hh, dL/db_h and dL/dh_prev."""
    rng = np.random.default_rng(7)
    params = random_params(4, 5, seed=8)
    x, h_prev, dh = np.eye(4)[rng.integers(0, 4, 3)], rng.standard_normal((3, 5)), rng.standard_normal((3, 5))

    def loss():
        return float((dh * rnn_step(params, x, h_prev)[0]).sum())

    _, cache = rnn_step(params, x, h_prev)
    grads, dh_prev = rnn_step_backward(params, dh, cache)
    assert set(grads) == {"W_xh", "W_hh", "b_h"}
    for name, grad in grads.items():
        np.testing.assert_allclose(grad, numerical_gradient(loss, params[name]), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dh_prev, numerical_gradient(loss, h_prev), rtol=1e-6, atol=1e-9)
