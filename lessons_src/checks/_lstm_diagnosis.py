"""Chapter 3's backward-pass checks: compare with the library, say which parameter and which step is wrong.

``check_step_backward`` grades an ``lstm_step_backward`` (the step contract),
``check_backward`` a whole backward pass through time. On a wrong answer they
name the wrong parts (for the stacked arrays: which gate's rows), the time step
where it can be told (the loss put at one step at a time), the usual mistake
the answer makes if it makes one of those planted in ``_lstm_mistakes``, and the
relative errors of the chapter's gradient check on the student's values.
"""

import copy

import numpy as np

from ..gradcheck import numerical_gradient, relative_error
from ..lstm import GATES, init_lstm, lstm_backward, lstm_forward, lstm_step, lstm_step_backward, stack_gates
from ._lstm_mistakes import LOOP_MISTAKES, STEP_MISTAKES, backward_with, step_backward_with
from ._core import _short, call_student, equal_answers, require_student_function

GRADIENT_CHECK_BOUND = 1e-6
"""A right gradient's relative error against finite differences stays below this (float64)."""

_BOUND = "1e-6"  # GRADIENT_CHECK_BOUND as the messages write it

PLANTED_MISTAKE = "c_t for c_prev"
"""The mistake planted in the chapter's bug hunt (``suspect_backward``)."""


def check_step_backward(name, function):
    """Grade ``function(weights, dh, dc, cache) -> (grads, dh_prev, dc_prev)`` against ``lstm_step_backward``."""
    require_student_function(name, function)
    sizes = [(1, 3, 2), (3, 4, 5), (2, 5, 3)]
    for seed, (batch, vocab_size, hidden_size) in enumerate(sizes):
        weights, dh, dc, cache = _step_case(seed, batch, vocab_size, hidden_size)
        call = f"{name}(weights, dh, dc, cache) with B = {batch}, V = {vocab_size}, H = {hidden_size}"
        received = call_student(call, function, *copy.deepcopy((weights, dh, dc, cache)))
        wrong, right = _step_differences(received, lstm_step_backward(weights, dh, dc, cache), hidden_size)
        if wrong:
            raise AssertionError(_step_report(call, received, wrong, right, weights, dh, dc, cache))
        if seed == 1:
            errors = _step_gradient_check(weights, dh, dc, cache, received)
            assert max(errors.values()) < GRADIENT_CHECK_BOUND, f"{call}: gradient check failed: {errors}"
    print(f"{name}: {len(sizes)} of {len(sizes)} cases correct; the gradient check agrees "
          f"(relative errors below {_BOUND})")


def check_backward(name, function, planted=None):
    """Grade ``function(params, cache, dlogits) -> grads`` against ``lstm_backward``; ``planted``: the bug hunt's
    mistake, which gets its own message."""
    require_student_function(name, function)
    sizes = [(1, 2, 3, 2), (4, 3, 3, 2), (6, 2, 4, 3)]             # (T, B, V, H); the last two padded
    for seed, (steps, batch, vocab_size, hidden_size) in enumerate(sizes):
        params, cache, dlogits = _sequence_case(seed, steps, batch, vocab_size, hidden_size)
        call = f"{name}(params, cache, dlogits) with T = {steps}, B = {batch}, V = {vocab_size}, H = {hidden_size}"

        def run(dlogits):
            return call_student(call, function, *copy.deepcopy((params, cache, dlogits)))

        received = run(dlogits)
        wrong = _named_differences(received, lstm_backward(params, cache, dlogits), params)
        if wrong:
            raise AssertionError(_backward_report(call, received, wrong, params, cache, dlogits, run, planted))
        if seed == 1:
            errors = _gradient_check_errors(params, cache, dlogits, received)
            assert max(errors.values()) < GRADIENT_CHECK_BOUND, f"{call}: gradient check failed: {errors}"
    print(f"{name}: {len(sizes)} of {len(sizes)} cases correct; the gradient check agrees "
          f"(relative errors below {_BOUND})")


def _backward_report(call, received, wrong, params, cache, dlogits, run, planted):
    if isinstance(wrong, str):                                   # not even a dict of the right arrays
        return f"{call} returned {_short(received)}: {wrong}"
    right = [name for name in params if name not in wrong]
    expected = lstm_backward(params, cache, dlogits)
    lines = [f"{call}: the gradients of {', '.join(wrong)} are wrong"
             + (f"; those of {', '.join(right)} are right" if right else "")
             + f" ({_worst(wrong[0], received[wrong[0]], expected[wrong[0]])})."]
    matched = _matching_mistake(received, lambda mistake: backward_with(params, cache, dlogits, mistake),
                                [*LOOP_MISTAKES, *STEP_MISTAKES])
    if planted is not None and matched == planted:
        return (f"{call}: it gives the same gradients as suspect_backward: the planted mistake is still there. Run "
                f"the gradient check on suspect_backward with a single step (T = 1): which gate's parameters are "
                f"wrong? Then compare that gate's line with its equation.")
    lines.append(_time_step_note(received, params, cache, dlogits, run))
    if matched is not None:
        lines.append(f"Hint: your gradients are those of a backward pass in which "
                     f"{({**LOOP_MISTAKES, **STEP_MISTAKES})[matched]}.")
    errors = _gradient_check_errors(params, cache, dlogits, received)
    lines.append("The gradient check agrees (relative error against finite differences; a right gradient is below "
                 f"{_BOUND}): " + ", ".join(f"{name} {errors[name]:.1e}" for name in wrong) + ".")
    return " ".join(line for line in lines if line)


def _time_step_note(received, params, cache, dlogits, run):
    """Which step's loss first gives wrong gradients, when the loss sits at one step only."""
    steps = len(dlogits)
    if steps == 1:
        return ""
    for step in range(steps):
        alone = np.zeros_like(dlogits)
        alone[step] = dlogits[step]
        if _named_differences(run(alone), lstm_backward(params, cache, alone), params):
            if step == 0:
                return ("They are already wrong when the loss is at step 0 alone, where nothing comes back from "
                        "later steps: the maths of one step is wrong, or the state the first step started from "
                        "(cache['h0'], cache['c0']).")
            return (f"They are right when the loss is at step 0 alone and wrong when it is at step {step} alone: "
                    f"what is carried back from step {step} to the steps before it (dh and dc from step t + 1 to "
                    f"step t) is wrong.")
    return ""


def _gradient_check_errors(params, cache, dlogits, grads):
    """The chapter's gradient check of ``grads`` for the loss sum(dlogits * logits), whose gradient they are."""
    params = copy.deepcopy(params)
    state = (cache["h0"], cache["c0"])

    def loss():
        return float((dlogits * lstm_forward(params, cache["inputs"], state)[0]).sum())

    return {name: relative_error(np.asarray(grads[name], dtype=np.float64), numerical_gradient(loss, params[name]))
            for name in params}


def _named_differences(received, expected, params):
    """The names whose gradients differ, or a string saying what is wrong with the returned value's form."""
    if not isinstance(received, dict) or set(received) != set(expected):
        keys = sorted(received) if isinstance(received, dict) else type(received).__name__
        return f"expected a dict with the keys {list(params)} (the gradient of each parameter); got {keys}"
    for name in params:
        problem = _array_problem(f"grads[{name!r}]", received[name], expected[name])
        if problem and "differ" not in problem:
            return problem
    return [name for name in params if _array_problem(name, received[name], expected[name])]


# One step back ---------------------------------------------------------------------------------------------------


def _step_differences(received, expected, hidden_size):
    """``(wrong, right)``: the parts of the result that differ and those that agree; ``wrong`` a string if the
    result does not have the form ``(grads, dh_prev, dc_prev)``."""
    if not isinstance(received, (tuple, list)) or len(received) != 3:
        return "expected a tuple (grads, dh_prev, dc_prev)", []
    grads, dh_prev, dc_prev = received
    if not isinstance(grads, dict) or set(grads) != {"W_x", "W_h", "b"}:
        keys = sorted(grads) if isinstance(grads, dict) else type(grads).__name__
        return (f"grads: expected a dict with the keys 'W_x', 'W_h', 'b' (the gradients of the stacked weights, "
                f"shaped like them); got {keys}"), []
    parts = {**{f"grads[{key!r}]": (grads[key], expected[0][key]) for key in ("W_x", "W_h", "b")},
             "dh_prev": (dh_prev, expected[1]), "dc_prev": (dc_prev, expected[2])}
    wrong, right = [], []
    for part, (got, want) in parts.items():
        problem = _array_problem(part, got, want)
        if problem and "differ" not in problem:
            return problem, []
        if not problem:
            right.append(part)
        elif part.startswith("grads"):                          # which gates' rows are wrong
            rows = [gate for k, gate in enumerate(GATES)
                    if not np.allclose(got[k * hidden_size:(k + 1) * hidden_size],
                                       want[k * hidden_size:(k + 1) * hidden_size], rtol=1e-7, atol=1e-9)]
            wrong.append(f"{part} in the rows of gate{'s' if len(rows) > 1 else ''} {', '.join(rows)}")
        else:
            wrong.append(part)
    return wrong, right


def _step_report(call, received, wrong, right, weights, dh, dc, cache):
    if isinstance(wrong, str):
        return f"{call} returned {_short(received)}: {wrong}"
    grads, dh_prev, dc_prev = lstm_step_backward(weights, dh, dc, cache)
    expected = {**{f"grads[{key!r}]": grads[key] for key in grads}, "dh_prev": dh_prev, "dc_prev": dc_prev}
    got = {**{f"grads[{key!r}]": received[0][key] for key in grads}, "dh_prev": received[1], "dc_prev": received[2]}
    first = wrong[0].split(" in the rows")[0]
    lines = [f"{call}: wrong: {'; '.join(wrong)}" + (f". Right: {', '.join(right)}" if right else "")
             + f" ({_worst(first, got[first], expected[first])})."]
    matched = _matching_mistake(received, lambda mistake: step_backward_with(weights, dh, dc, cache, mistake),
                                list(STEP_MISTAKES))
    if matched is not None:
        lines.append(f"Hint: your result is that of a step backward in which {STEP_MISTAKES[matched]}.")
    errors = _step_gradient_check(weights, dh, dc, cache, received)
    lines.append("The gradient check agrees (relative error against finite differences; a right gradient is below "
                 f"{_BOUND}): " + ", ".join(f"{part} {error:.1e}" for part, error in errors.items())
                 + ".")
    return " ".join(lines)


def _step_gradient_check(weights, dh, dc, cache, received):
    """Finite differences of L = sum(dh * h) + sum(dc * c) for one step, against the student's values."""
    weights = type(weights)(*(array.copy() for array in weights))
    x, h_prev, c_prev = cache["x"], cache["h_prev"].copy(), cache["c_prev"].copy()

    def loss():
        h, c, _ = lstm_step(weights, x, h_prev, c_prev)
        return float((dh * h).sum() + (dc * c).sum())

    grads, dh_prev, dc_prev = received
    numerical = {**{f"grads[{key!r}]": numerical_gradient(loss, getattr(weights, key)) for key in ("W_x", "W_h", "b")},
                 "dh_prev": numerical_gradient(loss, h_prev), "dc_prev": numerical_gradient(loss, c_prev)}
    got = {"grads['W_x']": grads["W_x"], "grads['W_h']": grads["W_h"], "grads['b']": grads["b"],
           "dh_prev": dh_prev, "dc_prev": dc_prev}
    return {part: relative_error(np.asarray(got[part], dtype=np.float64), numerical[part]) for part in numerical}


# Shared helpers ----------------------------------------------------------------------------------------------------


def _matching_mistake(received, with_mistake, names):
    """The first of ``names`` whose planted copy gives ``received`` (every array equal to rounding), or None."""
    for name in names:
        if equal_answers(received, with_mistake(name)):
            return name
    return None


def _worst(part, received, expected):
    """Where ``received`` differs most from ``expected``, with both values."""
    index = np.unravel_index(np.argmax(np.abs(np.asarray(received) - expected)), expected.shape)
    where = f"[{', '.join(str(int(i)) for i in index)}]"
    return f"largest difference at {part}{where}: expected {expected[index]:.6g}, received {received[index]:.6g}"


def _array_problem(part, received, expected):
    """'' if ``received`` equals ``expected``; otherwise what is wrong ('... differ ...' for wrong values)."""
    if not isinstance(received, np.ndarray) or not np.issubdtype(received.dtype, np.number):
        return f"{part}: expected a NumPy array of shape {expected.shape}; got {_short(received)}"
    if received.shape != expected.shape:
        hint = (" (the weights are stored (out_features, in_features), so their gradients are too: da.T @ x, not "
                "x.T @ da)" if received.shape == expected.shape[::-1] and len(expected.shape) == 2 else "")
        return f"{part}: expected shape {expected.shape}; got {received.shape}{hint}"
    if not np.allclose(received, expected, rtol=1e-7, atol=1e-9):
        return f"{part}: values differ"
    return ""


def _random_params(seed, vocab_size, hidden_size):
    """LSTM parameters with every entry nudged at random (biases too), so that no gradient is trivially right."""
    rng = np.random.default_rng(seed + 1000)
    return {name: value + rng.normal(0.0, 0.5, value.shape)
            for name, value in init_lstm(vocab_size, hidden_size, seed=seed).items()}


def _step_case(seed, batch, vocab_size, hidden_size):
    rng = np.random.default_rng(seed)
    weights = stack_gates(_random_params(seed, vocab_size, hidden_size))
    x = np.eye(vocab_size)[rng.integers(0, vocab_size, batch)]
    h_prev, c_prev, dh, dc = rng.normal(0.0, 1.0, (4, batch, hidden_size))
    _, _, cache = lstm_step(weights, x, h_prev, c_prev)
    return weights, dh, dc, cache


def _sequence_case(seed, steps, batch, vocab_size, hidden_size):
    """Parameters, a forward cache from a random initial state, and dlogits zero at padding (the last sequence of
    the batch is shorter when T > 1)."""
    rng = np.random.default_rng(seed + 2000)
    params = _random_params(seed, vocab_size, hidden_size)
    inputs = np.eye(vocab_size)[rng.integers(0, vocab_size, (steps, batch))]
    mask = np.ones((steps, batch))
    if steps > 1:
        mask[steps // 2 + 1:, -1] = 0.0                                 # padding: zero inputs, zero gradient
        inputs[mask == 0] = 0.0
    state = tuple(rng.normal(0.0, 0.5, (2, batch, hidden_size)))
    _, cache = lstm_forward(params, inputs, state)
    dlogits = rng.normal(0.0, 1.0, (steps, batch, vocab_size)) * mask[..., None]
    return params, cache, dlogits
