"""Checks for the exercises of chapter 6, "The GRU from scratch".

When a backward pass is wrong in a way the check recognises (a typical slip),
the message ends with a hint saying which one.
"""

import copy

import numpy as np

from ..data import one_hot
from ..functional import sigmoid
from ..gru import RECURRENT_NAMES, cho_gru_step, gru_parameter_shapes, gru_step, gru_step_backward, init_gru, stack_gates
from ._core import equal_answers, require_student_function, run_cases


def check_gru_parameter_count(gru_parameter_count):
    """``gru_parameter_count(vocab_size, hidden_size)`` -> the number of numbers in ``init_gru``'s dict."""
    cases = []
    for vocab_size, hidden_size in [(4, 16), (4, 32), (10, 3), (1, 1), (27, 128), (3, 7)]:
        count = sum(int(np.prod(shape)) for shape in gru_parameter_shapes(vocab_size, hidden_size).values())
        cases.append(((vocab_size, hidden_size), count))
    run_cases("gru_parameter_count", gru_parameter_count, cases)


def check_update_gate_steps(update_gate_steps):
    """``update_gate_steps(b_z, fraction)`` -> the first number of steps back after which the gradient through the
    state is at most ``fraction`` of its size, in a GRU whose update gate is sigmoid(b_z) everywhere."""
    run_cases("update_gate_steps", update_gate_steps, _update_gate_steps_cases())


def check_cho_step_backward(student_step_backward):
    """``cho_step_backward(params, dh, cache)`` -> ``(grads, dh_prev)``: the backward of ``gru.cho_gru_step``."""
    cases = []
    for params, x, h_prev, dh in _step_inputs([(4, 3, 1, 0), (4, 5, 3, 1), (3, 2, 4, 2)]):
        _, cache = cho_gru_step(params, x, h_prev)
        cases.append(((params, dh, cache), _cho_step_backward(params, dh, cache)))
    variants = {mistake: (lambda *args, m=mistake: _cho_step_backward(*args, mistake=m)) for mistake in _CHO_HINTS}
    _run_with_hints("cho_step_backward", student_step_backward, cases, variants, _CHO_HINTS)


def check_gru_step_backward(student_step_backward):
    """``gru_step_backward(weights, dh, cache)`` -> ``(grads, dh_prev)``, the backward of ``gru.gru_step``."""
    cases = []
    for params, x, h_prev, dh in _step_inputs([(4, 2, 1, 0), (4, 4, 3, 1), (3, 5, 2, 2), (5, 3, 4, 3)]):
        weights = stack_gates(params)
        _, cache = gru_step(weights, x, h_prev)
        cases.append(((weights, dh, cache), gru_step_backward(weights, dh, cache)))
    variants = {mistake: (lambda *args, m=mistake: _step_backward_variant(*args, mistake=m)) for mistake in _STEP_HINTS}
    _run_with_hints("gru_step_backward", student_step_backward, cases, variants, _STEP_HINTS)


def _step_inputs(sizes):
    """For each ``(V, H, B, seed)``: random GRU parameters, one-hot x (B, V), h_prev (B, H) in (-1, 1) and dh (B, H)."""
    for vocab_size, hidden_size, batch, seed in sizes:
        rng = np.random.default_rng(seed)
        params = {name: value + rng.normal(0.0, 0.5, value.shape)
                  for name, value in init_gru(vocab_size, hidden_size, seed=seed).items()}
        x = one_hot(rng.integers(0, vocab_size, size=batch), vocab_size)
        h_prev, dh = np.tanh(rng.normal(0.0, 1.0, (batch, hidden_size))), rng.normal(0.0, 1.0, (batch, hidden_size))
        yield params, x, h_prev, dh


def _update_gate_steps_cases():
    """``((b_z, fraction), steps)`` pairs: the smallest k with sigmoid(b_z)^k <= fraction.

    Counted by repeated multiplication, and chosen so that no answer sits
    within rounding of a whole number of steps.
    """
    cases = []
    for b_z, fraction in [(0.0, 1e-3), (2.0, 1e-2), (-2.0, 1e-2), (4.0, 0.5), (1.0, 0.1), (5.0, 1e-6)]:
        z, size, k = float(sigmoid(b_z)), 1.0, 0
        while size > fraction:
            size *= z
            k += 1
        cases.append(((b_z, fraction), k))
    return cases


def _step_backward_variant(weights, dh, cache, mistake=None):
    """``gru_step_backward`` (mistake None), or the same with one typical mistake, for the hints."""
    gates, u, h_prev, H = cache["gates"], cache["u"], cache["h_prev"], dh.shape[1]
    r, z, n = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:]
    da_n = dh * (1.0 - z) * (1.0 if mistake == "no tanh derivative" else 1.0 - n * n)
    du = da_n if mistake == "du without r" else da_n * r
    squash = (lambda s: 1.0) if mistake == "no sigmoid derivative" else (lambda s: s * (1.0 - s))
    da_r = da_n * u * squash(r)
    da_z = dh * ((n - h_prev) if mistake == "update sign" else (h_prev - n)) * squash(z)
    first, second = (da_z, da_r) if mistake == "swapped blocks" else (da_r, da_z)
    da_x = np.concatenate([first, second, da_n], axis=1)
    da_h = np.concatenate([first, second, du], axis=1)
    direct = {"no direct path": 0.0, "direct path 1 - z": dh * (1.0 - z)}.get(mistake, dh * z)
    grads = {"W_x": da_x.T @ cache["x"], "W_h": da_h.T @ h_prev, "b_x": da_x.sum(axis=0), "b_hn": du.sum(axis=0)}
    return grads, direct + da_h @ weights.W_h


_STEP_HINTS = {
    "no direct path": "dh_prev misses the direct path: h = (1 - z) * n + z * h_prev uses h_prev itself too, "
                      "so add dh * z to what comes back through the three gates",
    "direct path 1 - z": "the old state is kept with weight z, not 1 - z (h = (1 - z) * n + z * h_prev): "
                         "the direct path is dh * z",
    "no tanh derivative": "the candidate is n = tanh(a_n): multiply by tanh'(a_n) = 1 - n**2",
    "no sigmoid derivative": "r and z are sigmoids: multiply by sigmoid'(a) = r * (1 - r) and z * (1 - z)",
    "du without r": "the candidate reads r * u, so the gradient reaching u (and W_hn, b_hn) is da_n * r",
    "update sign": "h = (1 - z) * n + z * h_prev changes with z by h_prev - n, not n - h_prev",
    "swapped blocks": "the blocks go in PyTorch's order r, z, n: da_r first, then da_z",
}


def _cho_step_backward(params, dh, cache, mistake=None):
    """The backward of ``gru.cho_gru_step`` (mistake None), or with one of the bug hunt's mistakes.

    Returns ``(grads, dh_prev)`` with grads for ``RECURRENT_NAMES``, summed over the batch rows.
    """
    x, h_prev, r, z, n = (cache[name] for name in ("x", "h_prev", "r", "z", "n"))
    da_n = dh * (1.0 - z) * (1.0 - n * n)
    da_z = dh * (h_prev - n) * z * (1.0 - z)
    d_rh = da_n @ params["W_hn"]                        # the gradient reaching r * h_prev
    da_r = d_rh * h_prev * r * (1.0 - r)
    read_by_W_hn = h_prev if mistake == "planted" else r * h_prev
    grads = {"W_xr": da_r.T @ x, "W_xz": da_z.T @ x, "W_xn": da_n.T @ x,
             "W_hr": da_r.T @ h_prev, "W_hz": da_z.T @ h_prev, "W_hn": da_n.T @ read_by_W_hn,
             "b_r": da_r.sum(axis=0), "b_z": da_z.sum(axis=0), "b_xn": da_n.sum(axis=0), "b_hn": da_n.sum(axis=0)}
    through_reset = 0.0 if mistake == "no r in dh_prev" else d_rh * r
    dh_prev = dh * z + through_reset + da_r @ params["W_hr"] + da_z @ params["W_hz"]
    return {name: grads[name] for name in RECURRENT_NAMES}, dh_prev


_CHO_HINTS = {
    "planted": "this is still the planted mistake: which parameter does gradient_check flag, and what does "
               "that weight multiply in Cho's candidate?",
    "no r in dh_prev": "in Cho's candidate W_hn reads r * h_prev: the gradient reaching h_prev that way is "
                       "(da_n @ W_hn) * r",
}


def _run_with_hints(name, student_function, cases, variants, hints):
    """``run_cases``, and if it fails, a hint when the answer matches one of the typical mistakes."""
    require_student_function(name, student_function)      # refused before anything calls it
    try:
        run_cases(name, student_function, cases)
    except AssertionError as error:
        hint = _recognise(student_function, cases, variants, hints)
        if hint is None:
            raise
        raise AssertionError(f"{error}\nHint: {hint}") from error


def _recognise(student_function, cases, variants, hints):
    """The hint of the mistake whose answers equal the student's on every case, or None."""
    for mistake, variant in variants.items():
        try:
            if all(equal_answers(student_function(*copy.deepcopy(args)), variant(*copy.deepcopy(args)))
                   for args, _ in cases):
                return hints[mistake]
        except Exception:  # a function that fails here shows no recognisable mistake
            return None
    return None
