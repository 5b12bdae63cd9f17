"""The gradient check itself: exact on known functions, and it catches a wrong gradient."""

import numpy as np
import pytest

from lessons_src.gradcheck import gradient_check, numerical_gradient, relative_error


def test_numerical_gradient_of_a_known_function_and_restores_the_array():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 2))
    original = x.copy()
    grad = numerical_gradient(lambda: float(np.sum(np.sin(x)) + np.sum(x ** 3)), x)
    np.testing.assert_allclose(grad, np.cos(x) + 3 * x ** 2, rtol=1e-8, atol=1e-9)
    np.testing.assert_array_equal(x, original)


def test_numerical_gradient_restores_the_array_when_f_raises():
    x = np.arange(3.0)

    def failing():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numerical_gradient(failing, x)
    np.testing.assert_array_equal(x, np.arange(3.0))


def test_gradient_check_passes_a_right_gradient_and_flags_a_wrong_one():
    rng = np.random.default_rng(1)
    params = {"w": rng.standard_normal(4), "A": rng.standard_normal((2, 4))}

    def loss():
        return float(np.sum(np.tanh(params["A"] @ params["w"]) ** 2))

    pre = np.tanh(params["A"] @ params["w"])
    da = 2 * pre * (1 - pre ** 2)
    right = {"w": params["A"].T @ da, "A": np.outer(da, params["w"])}
    errors = gradient_check(loss, params, right)
    assert set(errors) == {"w", "A"}
    assert max(errors.values()) < 1e-8

    wrong = {"w": -right["w"], "A": right["A"]}
    errors = gradient_check(loss, params, wrong)
    assert errors["w"] > 0.5 and errors["A"] < 1e-8


def test_relative_error_is_robust_near_zero():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # one tiny entry that differs a lot relative to itself does not dominate
    assert relative_error(np.array([1.0, 1e-12]), np.array([1.0, 2e-12])) < 1e-11
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, -2.0])) == pytest.approx(2.0)


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="array"):
        numerical_gradient(lambda: 0.0, np.arange(3))  # integer array cannot be nudged
    with pytest.raises(TypeError, match="f"):
        numerical_gradient(3.0, np.zeros(3))
    with pytest.raises(ValueError, match="grads"):
        gradient_check(lambda: 0.0, {"w": np.zeros(2)}, {"v": np.zeros(2)})
    with pytest.raises(ValueError, match="grads\\['w'\\]"):
        gradient_check(lambda: 0.0, {"w": np.zeros(2)}, {"w": np.zeros(3)})
