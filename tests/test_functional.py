"""Stable activations and the masked cross-entropy (checked against torch)."""

import warnings

import numpy as np
import pytest
import torch

from lessons_src.functional import cross_entropy, log_softmax, sigmoid, softmax, tanh
from lessons_src.gradcheck import numerical_gradient

LARGE = np.array([[-1e4, 0.0, 1e4], [1e4, 1e4 - 1.0, -3.0], [-1e4, -1e4, -1e4]])


@pytest.mark.parametrize("function", [sigmoid, tanh, softmax, log_softmax])
def test_large_inputs_give_finite_values_without_warnings(function):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            values = function(LARGE)
    assert np.isfinite(values).all()


def test_values_match_torch():
    x = np.random.default_rng(0).standard_normal((4, 5)) * 30
    t = torch.tensor(x)
    np.testing.assert_allclose(sigmoid(x), torch.sigmoid(t).numpy(), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(tanh(x), torch.tanh(t).numpy(), rtol=1e-14)
    np.testing.assert_allclose(softmax(x), torch.softmax(t, -1).numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(log_softmax(x), torch.log_softmax(t, -1).numpy(), rtol=1e-12)
    np.testing.assert_allclose(softmax(LARGE), torch.softmax(torch.tensor(LARGE), -1).numpy(), atol=1e-300)
    assert sigmoid(np.array([-1e4, 1e4])).tolist() == [0.0, 1.0]


def test_the_naive_softmax_overflows_where_ours_does_not():
    with np.errstate(all="ignore"):
        naive = np.exp(LARGE[0]) / np.exp(LARGE[0]).sum()
    assert np.isnan(naive).any()
    np.testing.assert_allclose(softmax(LARGE[0]), [0.0, 0.0, 1.0])


def masked_case(seed=1):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((4, 3, 5)) * 3
    targets = rng.integers(0, 5, size=(4, 3))
    mask = np.ones((4, 3))
    mask[2:, 0] = 0
    mask[3, 1] = 0
    return logits, targets, mask


def test_cross_entropy_matches_torch_and_ignores_padding():
    logits, targets, mask = masked_case()
    loss, dlogits = cross_entropy(logits, targets, mask)
    t_logits = torch.tensor(logits, requires_grad=True)
    real = torch.tensor(mask.reshape(-1) > 0)
    t_loss = torch.nn.functional.cross_entropy(t_logits.reshape(-1, 5)[real], torch.tensor(targets).reshape(-1)[real])
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-13)
    np.testing.assert_allclose(dlogits, t_logits.grad.numpy(), rtol=0, atol=1e-14)
    assert not dlogits[mask == 0].any()
    changed = targets.copy()
    changed[mask == 0] = (changed[mask == 0] + 1) % 5  # targets at padding do not matter
    assert cross_entropy(logits, changed, mask)[0] == loss


def test_cross_entropy_gradient_is_the_numerical_one():
    logits, targets, mask = masked_case(2)
    _, dlogits = cross_entropy(logits, targets, mask)
    numerical = numerical_gradient(lambda: cross_entropy(logits, targets, mask)[0], logits)
    np.testing.assert_allclose(dlogits, numerical, atol=1e-9)


def test_cross_entropy_without_mask_is_the_plain_mean():
    logits, targets, _ = masked_case(3)
    loss, _ = cross_entropy(logits, targets)
    picked = np.take_along_axis(log_softmax(logits), targets[..., None], -1)
    assert loss == pytest.approx(-picked.mean())


@pytest.mark.parametrize("args, message", [
    ((np.zeros((3, 4)), np.zeros((3,), dtype=int)), "logits"),
    ((np.zeros((2, 3, 4)), np.zeros((3, 2), dtype=int)), "targets"),
    ((np.zeros((2, 3, 4)), np.zeros((2, 3))), "targets"),
    ((np.zeros((2, 3, 4)), np.full((2, 3), 4)), "targets"),
    ((np.zeros((2, 3, 4)), np.zeros((2, 3), dtype=int), np.zeros((2, 2))), "mask"),
    ((np.zeros((2, 3, 4)), np.zeros((2, 3), dtype=int), np.zeros((2, 3))), "mask"),
])
def test_cross_entropy_bad_input_is_named(args, message):
    with pytest.raises((ValueError, TypeError), match=message):
        cross_entropy(*args)
