"""Updating parameters from gradients: clipping by global norm, SGD and Adam.

Parameters and gradients are ``dict[str, np.ndarray]`` with the same keys;
every function here changes the arrays in place and returns nothing else
than what its docstring says.
"""

import numpy as np

from .validation import require_arrays, require_like, require_positive_number, require_share


def clip_grad_norm(grads, max_norm):
    """Scale all gradients together so that their global norm is at most ``max_norm``.

    The global norm is sqrt(sum of the squares of every entry of every
    gradient). If it exceeds ``max_norm``, every array is multiplied in place
    by ``max_norm / norm``, which keeps the direction of the whole gradient.

    Returns the global norm measured before clipping (a float).
    """
    _check_clip_args(grads, max_norm)
    total_norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    if total_norm > max_norm:
        scale = max_norm / total_norm
        for g in grads.values():
            g *= scale
    return total_norm


def sgd_step(params, grads, lr):
    """Plain gradient descent, in place: ``param -= lr * grad`` for every key."""
    _check_sgd_args(params, grads, lr)
    for name, param in params.items():
        param -= lr * grads[name]


class Adam:
    """Adam (Kingma and Ba, 2015), the same update as ``torch.optim.Adam``.

    For each parameter it keeps a running mean of the gradient (``m``) and of
    its square (``v``), corrects both for starting at zero, and steps by
    ``lr * m_hat / (sqrt(v_hat) + eps)``: each entry gets its own step size.
    """

    def __init__(self, params, lr=1e-2, betas=(0.9, 0.999), eps=1e-8):
        _check_adam_args(params, lr, betas, eps)
        self.lr, self.betas, self.eps = lr, tuple(betas), eps
        self.m = {name: np.zeros_like(p) for name, p in params.items()}
        self.v = {name: np.zeros_like(p) for name, p in params.items()}
        self.steps = 0

    def step(self, params, grads):
        """Update ``params`` in place from ``grads`` (both with the keys given at construction)."""
        _check_adam_step_args(self, params, grads)
        beta1, beta2 = self.betas
        self.steps += 1
        for name, param in params.items():
            g = grads[name]
            self.m[name] = beta1 * self.m[name] + (1 - beta1) * g
            self.v[name] = beta2 * self.v[name] + (1 - beta2) * g * g
            m_hat = self.m[name] / (1 - beta1 ** self.steps)
            v_hat = self.v[name] / (1 - beta2 ** self.steps)
            param -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def _check_clip_args(grads, max_norm):
    require_arrays("grads", grads)
    require_positive_number("max_norm", max_norm)


def _check_sgd_args(params, grads, lr):
    require_like("grads", grads, "params", params)
    require_positive_number("lr", lr)


def _check_adam_args(params, lr, betas, eps):
    require_arrays("params", params)
    require_positive_number("lr", lr)
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas: expected a pair of numbers in [0, 1); got {betas!r}")
    for beta in betas:
        require_share("betas", beta)
        if beta == 1:
            raise ValueError(f"betas: expected two numbers in [0, 1); got {betas!r}")
    require_positive_number("eps", eps)


def _check_adam_step_args(adam, params, grads):
    require_like("grads", grads, "params", params)
    if set(params) != set(adam.m):
        raise ValueError(f"params: expected the keys this Adam was made with {sorted(adam.m)}; got {sorted(params)}")
