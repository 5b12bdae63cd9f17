"""Checks for the exercises of chapter 3, "LSTM gates in NumPy"."""

import numpy as np

from ..functional import sigmoid
from ..lstm import init_lstm, lstm_parameter_shapes, lstm_step, stack_gates
from ._core import run_cases


def _random_arrays(seed, *shapes, low=-2.0, high=2.0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, shape) for shape in shapes]


def _gate_values(seed, shape):
    """Values strictly between 0 and 1, as a sigmoid gate gives them."""
    return _random_arrays(seed, shape, low=0.02, high=0.98)[0]


def check_cell_update(cell_update):
    """``cell_update(f, i, g, c_prev)`` -> the new cell state ``f * c_prev + i * g``."""
    cases = []
    for seed, shape in enumerate([(1, 1), (2, 3), (4, 5), (5,), (3, 1, 4)]):
        f, i = _gate_values(seed, shape), _gate_values(seed + 50, shape)
        g, c_prev = _random_arrays(seed + 100, shape, shape)
        cases.append(((f, i, g, c_prev), f * c_prev + i * g))
    run_cases("cell_update", cell_update, cases)


def check_output_and_hidden(output_and_hidden):
    """``output_and_hidden(x, h_prev, c, W_xo, W_ho, b_o)`` -> ``(o, h)`` with h = o * tanh(c)."""
    cases = []
    for seed, (batch, vocab_size, hidden_size) in enumerate([(1, 2, 3), (3, 4, 5), (2, 5, 2), (4, 4, 4)]):
        x, h_prev, c, W_xo, W_ho, b_o = _random_arrays(
            seed, (batch, vocab_size), (batch, hidden_size), (batch, hidden_size),
            (hidden_size, vocab_size), (hidden_size, hidden_size), (hidden_size,))
        o = sigmoid(x @ W_xo.T + h_prev @ W_ho.T + b_o)
        cases.append(((x, h_prev, c, W_xo, W_ho, b_o), (o, o * np.tanh(c))))
    run_cases("output_and_hidden", output_and_hidden, cases)


def check_lstm_step(student_lstm_step):
    """``lstm_step(params, x, h_prev, c_prev)`` -> ``(h, c)``, one step (the library's takes the stacked gates)."""
    cases = []
    for seed, (batch, vocab_size, hidden_size) in enumerate([(1, 3, 2), (3, 4, 5), (2, 6, 3)]):
        params = init_lstm(vocab_size, hidden_size, seed=seed)
        rng = np.random.default_rng(seed + 10)
        for name in params:  # random biases too, so that a forgotten bias is noticed
            params[name] = params[name] + rng.normal(0.0, 0.5, params[name].shape)
        x = np.eye(vocab_size)[rng.integers(0, vocab_size, batch)]
        h_prev, c_prev = rng.normal(0.0, 1.0, (2, batch, hidden_size))
        h, c, _ = lstm_step(stack_gates(params), x, h_prev, c_prev)
        cases.append(((params, x, h_prev, c_prev), (h, c)))
    run_cases("lstm_step", student_lstm_step, cases)


def check_forget_gate_backward(forget_gate_backward):
    """``forget_gate_backward(dc, c_prev, f)`` -> the gradient of the forget gate's pre-activation."""
    cases = []
    for seed, shape in enumerate([(1, 1), (2, 3), (4, 5), (6,)]):
        dc, c_prev = _random_arrays(seed, shape, shape)
        f = _gate_values(seed + 100, shape)
        cases.append(((dc, c_prev, f), dc * c_prev * f * (1.0 - f)))
    run_cases("forget_gate_backward", forget_gate_backward, cases)


def check_lstm_parameter_count(lstm_parameter_count):
    """``lstm_parameter_count(vocab_size, hidden_size)`` -> the number of trainable numbers."""
    cases = []
    for vocab_size, hidden_size in [(4, 16), (4, 50), (10, 3), (1, 1), (27, 128), (3, 7)]:
        count = sum(int(np.prod(shape)) for shape in lstm_parameter_shapes(vocab_size, hidden_size).values())
        cases.append(((vocab_size, hidden_size), count))
    run_cases("lstm_parameter_count", lstm_parameter_count, cases)
