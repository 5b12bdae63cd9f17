"""Checking a backward pass against finite differences.

An analytic gradient is easy to get subtly wrong (a sign, an index off by
one). The central difference (f(x + eps) - f(x - eps)) / (2 eps) needs
nothing but the forward pass, so comparing the two catches such bugs.
"""

import numpy as np

from .validation import as_float_array, require_function, require_like, require_positive_number, require_type


def numerical_gradient(f, array, eps=1e-6):
    """The gradient of ``f()`` with respect to ``array`` by central differences.

    f:     a function of no arguments returning a float that depends on ``array``.
    array: a float64 NumPy array of any shape; each entry is nudged by
           ``+eps`` and ``-eps`` in place and then restored exactly.

    Returns an array of the same shape as ``array``. It costs 2 calls of
    ``f`` per entry, so use it on small models only.
    """
    _check_numerical_gradient_args(f, array, eps)
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        original = array[index]
        try:
            array[index] = original + eps
            plus = f()
            array[index] = original - eps
            minus = f()
        finally:
            array[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def relative_error(analytic, numerical):
    """The largest entrywise difference, relative to the largest entry of either array.

    max |analytic - numerical| / max(max |analytic|, max |numerical|). Dividing
    by the array's largest entry rather than entry by entry keeps the measure
    meaningful where single entries are close to zero (there the finite
    difference is mostly rounding noise). Two all-zero arrays give 0.
    """
    analytic, numerical = _check_relative_error_args(analytic, numerical)
    scale = max(np.abs(analytic).max(initial=0.0), np.abs(numerical).max(initial=0.0))
    if scale == 0.0:
        return 0.0
    return float(np.abs(analytic - numerical).max() / scale)


def gradient_check(forward_loss, params, grads, eps=1e-6):
    """Compare analytic gradients with numerical ones, parameter by parameter.

    forward_loss: a function of no arguments returning the loss (a float)
                  computed from the current contents of ``params``.
    params:       dict name -> float64 array; perturbed in place, then restored.
    grads:        dict with the same keys and shapes: the analytic gradients.

    Returns a dict name -> max relative error (see ``relative_error``):
    below about 1e-6 in float64 means the backward pass is right; a bug
    typically gives an error near 1.
    """
    _check_gradient_check_args(forward_loss, params, grads)
    return {name: relative_error(grads[name], numerical_gradient(forward_loss, param, eps))
            for name, param in params.items()}


def _check_numerical_gradient_args(f, array, eps):
    require_function("f", f, "a function of no arguments")
    require_type("array", array, np.ndarray, "a float64 NumPy array")
    if array.dtype != np.float64:
        raise TypeError(f"array: expected a float64 NumPy array (it is nudged in place); got dtype {array.dtype}")
    require_positive_number("eps", eps)


def _check_relative_error_args(analytic, numerical):
    analytic, numerical = as_float_array("analytic", analytic), as_float_array("numerical", numerical)
    if analytic.shape != numerical.shape:
        raise ValueError(f"numerical: expected shape {analytic.shape} like analytic; got {numerical.shape}")
    return analytic, numerical


def _check_gradient_check_args(forward_loss, params, grads):
    require_function("forward_loss", forward_loss, "a function of no arguments")
    require_like("grads", grads, "params", params)
