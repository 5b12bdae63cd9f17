"""Clipping, SGD and Adam: checked by hand and against PyTorch in float64."""

import numpy as np
import pytest
import torch

from lessons_src.optim import Adam, clip_grad_norm, sgd_step


def make_arrays(seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return {"W": scale * rng.standard_normal((3, 4)), "b": scale * rng.standard_normal(3)}


def global_norm(arrays):
    return np.sqrt(sum(np.sum(a ** 2) for a in arrays.values()))


def test_clip_grad_norm_scales_all_arrays_together_in_place():
    grads = make_arrays(scale=10.0)
    before = {k: v.copy() for k, v in grads.items()}
    expected_norm = global_norm(before)
    returned = clip_grad_norm(grads, max_norm=1.0)
    assert returned == pytest.approx(expected_norm)
    assert global_norm(grads) == pytest.approx(1.0)
    for name in grads:  # same direction: one common factor
        np.testing.assert_allclose(grads[name], before[name] / expected_norm)


def test_clip_grad_norm_leaves_small_gradients_alone():
    grads = make_arrays(scale=0.01)
    before = {k: v.copy() for k, v in grads.items()}
    norm = clip_grad_norm(grads, max_norm=5.0)
    assert norm == pytest.approx(global_norm(before))
    for name in grads:
        np.testing.assert_array_equal(grads[name], before[name])


def test_clip_grad_norm_matches_torch():
    grads = make_arrays(seed=3, scale=4.0)
    tensors = [torch.tensor(g, requires_grad=True) for g in grads.values()]
    for tensor, g in zip(tensors, grads.values()):
        tensor.grad = torch.tensor(g.copy())
    torch_norm = torch.nn.utils.clip_grad_norm_(tensors, max_norm=2.0)
    norm = clip_grad_norm(grads, 2.0)
    assert norm == pytest.approx(torch_norm.item(), rel=1e-12)
    for tensor, g in zip(tensors, grads.values()):
        np.testing.assert_allclose(g, tensor.grad.numpy(), rtol=1e-5)  # torch divides by norm + 1e-6


def test_sgd_step():
    params, grads = make_arrays(1), make_arrays(2)
    expected = {k: params[k] - 0.1 * grads[k] for k in params}
    sgd_step(params, grads, lr=0.1)
    for name in params:
        np.testing.assert_allclose(params[name], expected[name])


def test_adam_matches_torch_over_several_steps():
    params = make_arrays(4)
    tensors = {k: torch.tensor(v.copy(), requires_grad=True) for k, v in params.items()}
    torch_adam = torch.optim.Adam(list(tensors.values()), lr=0.05, betas=(0.8, 0.99), eps=1e-8)
    adam = Adam(params, lr=0.05, betas=(0.8, 0.99), eps=1e-8)
    for step in range(5):
        grads = make_arrays(10 + step)
        for name, tensor in tensors.items():
            tensor.grad = torch.tensor(grads[name])
        torch_adam.step()
        adam.step(params, grads)
    for name in params:
        np.testing.assert_allclose(params[name], tensors[name].detach().numpy(), rtol=0, atol=1e-13)


def test_adam_first_step_moves_each_entry_by_lr():
    params = make_arrays(5)
    before = {k: v.copy() for k, v in params.items()}
    grads = make_arrays(6)
    Adam(params, lr=0.01).step(params, grads)
    for name in params:  # m_hat / sqrt(v_hat) = sign(g) on the first step
        np.testing.assert_allclose(params[name], before[name] - 0.01 * np.sign(grads[name]), atol=1e-9)


@pytest.mark.parametrize("call, message", [
    (lambda: clip_grad_norm(make_arrays(), 0.0), "max_norm"),
    (lambda: clip_grad_norm([np.ones(3)], 1.0), "grads"),
    (lambda: sgd_step(make_arrays(), make_arrays(), lr=-1.0), "lr"),
    (lambda: sgd_step(make_arrays(), {"W": np.ones((3, 4))}, lr=0.1), "grads"),
    (lambda: sgd_step(make_arrays(), {"W": np.ones((4, 3)), "b": np.ones(3)}, lr=0.1), "grads['W']"),
    (lambda: Adam(make_arrays(), lr=0), "lr"),
    (lambda: Adam(make_arrays(), betas=(0.9, 1.0)), "betas"),
    (lambda: Adam(make_arrays()).step({"W": np.ones((3, 4))}, {"W": np.ones((3, 4))}), "params"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises((ValueError, TypeError), match=message.replace("[", r"\[").replace("]", r"\]")):
        call()
