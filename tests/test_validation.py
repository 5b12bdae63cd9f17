"""The shared argument checks: each names the argument, what it expected and what it got."""

import numpy as np
import pytest

from lessons_src.data import Vocabulary, require_vocabulary
from lessons_src.lstm import init_lstm, lstm_parameter_shapes
from lessons_src.rnn import init_rnn, rnn_parameter_shapes
from lessons_src.validation import (all_arrays, check_one_hot_inputs, check_params, require_arrays, require_function,
                                    require_int, require_like, require_positive_int, require_positive_number,
                                    require_sequences)


def test_all_arrays_is_the_step_functions_quick_test():
    assert all_arrays(np.zeros(2), np.ones((2, 3)))
    assert not all_arrays(np.zeros(2), [0.0, 0.0]) and not all_arrays(np.zeros(2), None)


def test_good_values_pass_silently():
    require_positive_int("n", 3)
    require_positive_int("n", np.int64(3))
    require_int("max_n", 5, minimum=5)
    require_positive_number("lr", 0.01)
    require_positive_number("lr", np.float32(0.5))
    require_positive_number("max_norm", None, allow_none=True)
    require_function("f", len)
    require_arrays("params", {"W": np.zeros(2)})
    require_like("grads", {"W": np.ones(2)}, "params", {"W": np.zeros(2)})
    require_sequences("sequences", [["a", "b"], ("a",)])
    require_vocabulary(Vocabulary(["a"]))


@pytest.mark.parametrize("call, error, message", [
    (lambda: require_positive_int("hidden_size", 2.5), TypeError,
     r"hidden_size: expected a positive integer; got 2.5 \(float\)"),
    (lambda: require_positive_int("hidden_size", True), TypeError, "hidden_size: expected a positive integer; got True"),
    (lambda: require_positive_int("hidden_size", 0), ValueError, "hidden_size: expected a positive integer; got 0"),
    (lambda: require_int("max_n", 2, minimum=3), ValueError, "max_n: expected an integer >= 3; got 2"),
    (lambda: require_positive_number("lr", "0.1"), TypeError, r"lr: expected a positive number; got '0.1' \(str\)"),
    (lambda: require_positive_number("lr", -1), ValueError, "lr: expected a positive number; got -1"),
    (lambda: require_positive_number("lr", float("inf")), ValueError, "lr: expected a positive number; got inf"),
    (lambda: require_positive_number("max_norm", 0.0, allow_none=True), ValueError,
     "max_norm: expected a positive number or None; got 0.0"),
    (lambda: require_function("loss", "mse", "a function (logits, targets, mask)"), TypeError,
     r"loss: expected a function \(logits, targets, mask\); got str"),
    (lambda: require_arrays("grads", [np.zeros(2)]), TypeError, "grads: expected a dict of NumPy arrays; got list"),
    (lambda: require_arrays("grads", {}), ValueError, "grads: expected a non-empty dict of NumPy arrays; got an empty dict"),
    (lambda: require_arrays("grads", {"W": [1.0]}), TypeError, r"grads\['W'\]: expected a NumPy array; got list"),
    (lambda: require_like("grads", {"b": np.zeros(2)}, "params", {"W": np.zeros(2)}), ValueError,
     r"grads: expected the keys of params \['W'\]; got \['b'\]"),
    (lambda: require_like("grads", {"W": np.zeros(3)}, "params", {"W": np.zeros(2)}), ValueError,
     r"grads\['W'\]: expected shape \(2,\) like params\['W'\]; got \(3,\)"),
    (lambda: require_sequences("train_sequences", "a b a"), TypeError,
     "train_sequences: expected a list of token lists; got str"),
    (lambda: require_sequences("train_sequences", []), ValueError,
     "train_sequences: expected at least one sequence; got an empty list"),
    (lambda: require_sequences("sequences", [["a"], "ab"]), TypeError,
     r"sequences\[1\]: expected a list of token strings; got the string 'ab'"),
    (lambda: require_sequences("sequences", [["a", "b"], ["a"]], with_targets=True), ValueError,
     r"sequences\[1\]: expected at least 2 tokens \(an input and its target\); got \['a'\]"),
    (lambda: require_vocabulary({"a": 0}), TypeError, "vocab: expected a Vocabulary; got dict"),
])
def test_each_check_names_the_argument_the_expectation_and_the_value(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("shapes_for, anchor, init", [
    (rnn_parameter_shapes, "W_xh", init_rnn),
    (lstm_parameter_shapes, "W_xi", init_lstm),
])
def test_check_params_reads_the_sizes_from_the_anchor_and_checks_every_shape(shapes_for, anchor, init):
    params = init(5, 3)
    assert check_params(params, shapes_for, anchor) == (5, 3)
    with pytest.raises(ValueError, match=r"missing \['b_y'\], unexpected \['W_zz'\]"):
        check_params({**{k: v for k, v in params.items() if k != "b_y"}, "W_zz": np.zeros(1)}, shapes_for, anchor)
    with pytest.raises(ValueError, match=rf"params\['{anchor}'\]: expected a 2-D array \(H, V\); got shape \(3,\)"):
        check_params({**params, anchor: np.zeros(3)}, shapes_for, anchor)
    with pytest.raises(ValueError, match=rf"params\['W_hy'\]: expected shape \(5, 3\) \(V=5, H=3 from {anchor}\); got \(4, 3\)"):
        check_params({**params, "W_hy": np.zeros((4, 3))}, shapes_for, anchor)
    with pytest.raises(TypeError, match="params: expected a dict of NumPy arrays; got list"):
        check_params(list(params.values()), shapes_for, anchor)


def test_check_one_hot_inputs():
    inputs = np.eye(4, dtype=np.float32)[np.zeros((3, 2), dtype=int)]
    checked = check_one_hot_inputs(inputs, 4)
    assert checked.dtype == np.float64 and checked.shape == (3, 2, 4)
    with pytest.raises(TypeError, match=r"inputs: expected a NumPy array \(T, B, V\) of shape \(any, any, 4\); got list"):
        check_one_hot_inputs(inputs.tolist(), 4)
    with pytest.raises(ValueError, match=r"inputs: expected a NumPy array \(T, B, V\) of shape \(any, any, 5\); got shape \(3, 2, 4\)"):
        check_one_hot_inputs(inputs, 5)
    with pytest.raises(ValueError, match=r"inputs: expected at least one time step and one sequence .*got \(3, 0, 4\)"):
        check_one_hot_inputs(np.zeros((3, 0, 4)), 4)
