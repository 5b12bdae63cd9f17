"""Checks for the exercises of chapter 3, "LSTM gates in NumPy".

The backward-pass checks compare the student's gradients with the library's,
say which parameter (for the stacked arrays: which gate's rows) and, where they
can, which time step is wrong, run the chapter's gradient check on the
student's values, and recognise the usual mistakes: each is planted in a copy
of the backward pass (``_lstm_mistakes``), and an answer that gives the same
numbers as one of these copies gets its hint.
"""

import numbers

import numpy as np

from ..functional import sigmoid
from ..lstm import lstm_parameter_shapes
from ._core import _short, call_student, require_student_function
from ._lstm_diagnosis import PLANTED_MISTAKE, check_backward, check_step_backward


def check_steps_to_forget(steps_to_forget):
    """``steps_to_forget(f, threshold)`` -> the first whole k >= 1 with f**k < threshold."""
    cases = []
    for f, threshold in [(float(sigmoid(1.0)), 1e-3), (0.5, 1e-3), (0.9, 1e-3), (0.95, 1e-3), (0.99, 1e-2),
                         (0.3, 0.5)]:
        k = 1
        while f ** k >= threshold:
            k += 1
        cases.append(((f, threshold), k))
    hints = [(lambda f, threshold, k: k - 1, "that is the last step at which at least `threshold` is left; the "
                                             "question asks for the first step at which less is left"),
             (lambda f, threshold, k: k + 1, "one step too many: f**k is already below the threshold one step "
                                             "earlier"),
             (lambda f, threshold, k: -np.log(threshold) / np.log(f), "ln(threshold) and ln(f) are both negative: "
                                                                         "their ratio is positive")]
    _check_numbers("steps_to_forget", steps_to_forget, cases, hints, whole=True)


def check_lstm_parameter_count(lstm_parameter_count):
    """``lstm_parameter_count(vocab_size, hidden_size)`` -> the number of trainable numbers."""
    cases = []
    for vocab_size, hidden_size in [(4, 16), (4, 50), (10, 3), (1, 1), (27, 128), (3, 7)]:
        count = sum(int(np.prod(shape)) for shape in lstm_parameter_shapes(vocab_size, hidden_size).values())
        cases.append(((vocab_size, hidden_size), count))
    hints = [(lambda V, H, n: n + 4 * H, "one bias vector per gate: PyTorch's nn.LSTM has two (bias_ih and bias_hh), "
                                         "this chapter's model one"),
             (lambda V, H, n: n - V, "the output layer's bias b_y (V numbers) is missing"),
             (lambda V, H, n: n - V * H - V, "the output layer (W_hy, V x H, and b_y, V) is missing"),
             (lambda V, H, n: n - 4 * H, "the gates' biases (H numbers for each of the four) are missing"),
             (lambda V, H, n: (n - V * H - V) // 4 + V * H + V, "there are four gates, each with its own W_x, W_h "
                                                                "and b")]
    _check_numbers("lstm_parameter_count", lstm_parameter_count, cases, hints, whole=True)


def check_lstm_step_backward(lstm_step_backward):
    """``lstm_step_backward(weights, dh, dc, cache)`` -> ``(grads, dh_prev, dc_prev)``, the step contract."""
    check_step_backward("lstm_step_backward", lstm_step_backward)


def check_backward_through_time(backward_through_time):
    """``backward_through_time(params, cache, dlogits)`` -> the gradient of every parameter, like lstm_backward."""
    check_backward("backward_through_time", backward_through_time)


def check_fixed_lstm_backward(fixed_lstm_backward):
    """The bug hunt: ``fixed_lstm_backward(params, cache, dlogits)`` is ``suspect_backward`` with its mistake fixed."""
    check_backward("fixed_lstm_backward", fixed_lstm_backward, planted=PLANTED_MISTAKE)


def _check_numbers(name, function, cases, hints, whole=False):
    """Check a function that returns a number on ``(args, expected)`` cases; ``hints``: ``(wrong(*args,
    expected), message)`` pairs, a hint for an answer that equals ``wrong``."""
    require_student_function(name, function)
    for args, expected in cases:
        call = f"{name}({', '.join(_short(arg) for arg in args)})"
        received = call_student(call, function, *args)
        if isinstance(received, (bool, np.bool_)) or not isinstance(received, (numbers.Real, np.number)):
            raise AssertionError(f"{call} returned {_short(received)}; expected the number {expected}")
        if not np.isclose(float(received), expected, rtol=1e-12, atol=0):
            hint = next((message for wrong, message in hints if np.isclose(float(received), wrong(*args, expected))),
                        "")
            if whole and not hint and float(received) != round(float(received)):
                hint = "a count is a whole number: think about rounding up or down"
            raise AssertionError(f"{call} returned {received!r}; expected {expected}" + (f". Hint: {hint}" if hint
                                                                                          else ""))
    print(f"{name}: {len(cases)} of {len(cases)} cases correct")
