"""Initial weights shared by the NumPy models: orthogonal matrices and zero biases."""

import numpy as np

from .validation import require_int, require_positive_int, require_type


def orthogonal(rows, cols, rng):
    """A (rows, cols) matrix with orthonormal rows or columns (whichever are fewer).

    Taken from the QR decomposition of a Gaussian matrix, with the signs fixed
    so that the result is uniformly distributed. Multiplying by a square
    orthogonal matrix keeps every vector's length, so a hidden state neither
    grows nor shrinks just from passing through W_hh.
    """
    _check_orthogonal_args(rows, cols, rng)
    gaussian = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(gaussian)
    q *= np.sign(np.diag(r))
    return q if rows >= cols else q.T


def init_parameters(shapes, seed=0):
    """Fresh parameters for ``shapes`` (a dict name -> shape): every matrix orthogonal, every vector zero.

    The matrices are drawn in the order of ``shapes`` from one generator
    seeded with ``seed``, so the same shapes and seed give the same arrays.
    Returns a dict name -> float64 array.
    """
    _check_init_args(shapes, seed)
    rng = np.random.default_rng(seed)
    return {name: orthogonal(*shape, rng) if len(shape) == 2 else np.zeros(shape) for name, shape in shapes.items()}


def _check_orthogonal_args(rows, cols, rng):
    require_positive_int("rows", rows)
    require_positive_int("cols", cols)
    require_type("rng", rng, np.random.Generator, "a NumPy Generator (np.random.default_rng(seed))")


def _check_init_args(shapes, seed):
    require_type("shapes", shapes, dict, "a dict name -> shape")
    require_int("seed", seed, minimum=0)
    for name, shape in shapes.items():
        if not isinstance(shape, tuple) or len(shape) not in (1, 2):
            raise ValueError(f"shapes[{name!r}]: expected a shape of 1 or 2 sizes; got {shape!r}")
