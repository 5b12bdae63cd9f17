"""Chapter 3's backward pass written gate by gate, with the usual mistakes planted one at a time.

``step_backward_with(weights, dh, dc, cache, mistake=None)`` computes what
``lstm.lstm_step_backward`` computes; ``backward_with(params, cache, dlogits,
mistake=None)`` what ``lstm.lstm_backward`` computes. Given the name of a
mistake (a key of ``STEP_MISTAKES`` or ``LOOP_MISTAKES``) they make that
mistake, so that a check can tell a student which one their answer makes:
their result equals the result with the mistake planted.
"""

import numpy as np

from ..functional import sigmoid
from ..lstm import GATES, stack_gates, unstack_gates

STEP_MISTAKES = {
    "no sigmoid'": "the sigmoid gates' gradients lack the derivative sigma'(a) = s (1 - s), where s is the gate's "
                   "value",
    "no forget sigmoid'": "the forget gate's gradient lacks its sigmoid derivative f (1 - f) (the slip of the DTU "
                          "notebook)",
    "sigmoid' of the gate's value": "sigma' is taken of the gate's value s, which is already sigma(a): "
                                    "sigma(s)(1 - sigma(s)) instead of s (1 - s)",
    "no tanh' of g": "the candidate's gradient lacks tanh'(a) = 1 - g^2",
    "tanh' of g's value": "tanh' is taken of g, which is already tanh(a): 1 - tanh(g)^2 instead of 1 - g^2",
    "i and f swapped": "the input and the forget gate are swapped: the rows 0:H of the stacked arrays belong to the "
                       "input gate i, the rows H:2H to the forget gate f (the order is i, f, g, o)",
    "c_t for c_prev": "the forget gate's gradient uses the new cell c_t; it multiplies the previous cell c_{t-1} "
                      "(cache['c_prev'])",
    "no h path into c": "dc misses the path through h_t = o * tanh(c_t): add dh * o * (1 - tanh(c_t)^2) to the dc "
                        "that comes from the next step",
    "no tanh' of c": "the path through h_t = o * tanh(c_t) lacks tanh'(c_t) = 1 - tanh(c_t)^2",
    "no forget shortcut": "dc_prev lacks the factor f: c_t = f * c_{t-1} + i * g, so dL/dc_{t-1} = dc * f (the "
                          "cell's shortcut through time)",
    "dc_prev from the incoming dc": "dc_prev = dc * f must use the whole dc (the dc from the next step plus the "
                                    "path through h_t), not only the dc that came in",
}

LOOP_MISTAKES = {
    "nothing from t+1": "no gradient flows from step t + 1 back to step t: dh_prev and dc_prev are computed but not "
                        "passed on (the slip of the DTU notebook)",
    "no dh from t+1": "the hidden state's gradient from step t + 1 (the dh_prev of the later step) is not added to "
                      "the gradient from the output layer",
    "no dc from t+1": "the cell's gradient from step t + 1 (the dc_prev of the later step) is not carried back, "
                      "or it is computed from the incoming dc alone (then it stays zero): dc_prev = dc * f with dc "
                      "including the path through h_t",
    "h_t for h_prev": "W_h's gradient uses h_t; each step read h_{t-1} (for the first step, the initial state h0)",
    "zero initial state": "the first step started from the initial state cache['h0'], cache['c0'], not from zeros",
    "wrapped initial state": "for t = 0 the 'previous' state is taken as h[t - 1] = h[-1], the last step's state; "
                             "it is the initial state cache['h0'] (and cache['c0'])",
}


def step_backward_with(weights, dh, dc, cache, mistake=None):
    """``lstm_step_backward`` gate by gate; with ``mistake`` (a key of STEP_MISTAKES) it makes that mistake."""
    H = dh.shape[1]
    gates = cache["gates"]
    i, f, g, o = (gates[:, k * H:(k + 1) * H] for k in range(4))
    c_t = f * cache["c_prev"] + i * g
    if mistake == "i and f swapped":
        i, f = f, i
    tanh_c = cache["tanh_c"]
    tanh_c_prime = {"no tanh' of c": 1.0}.get(mistake, 1.0 - tanh_c ** 2)
    dc_all = dc if mistake == "no h path into c" else dc + dh * o * tanh_c_prime

    def sigmoid_prime(s, forget=False):
        if mistake == "no sigmoid'" or (mistake == "no forget sigmoid'" and forget):
            return 1.0
        return sigmoid(s) * (1.0 - sigmoid(s)) if mistake == "sigmoid' of the gate's value" else s * (1.0 - s)

    tanh_prime = {"no tanh' of g": 1.0, "tanh' of g's value": 1.0 - np.tanh(g) ** 2}.get(mistake, 1.0 - g ** 2)
    c_for_f = c_t if mistake == "c_t for c_prev" else cache["c_prev"]
    da = np.concatenate([dc_all * g * sigmoid_prime(i), dc_all * c_for_f * sigmoid_prime(f, forget=True),
                         dc_all * i * tanh_prime, dh * tanh_c * sigmoid_prime(o)], axis=1)
    grads = {"W_x": da.T @ cache["x"], "W_h": da.T @ cache["h_prev"], "b": da.sum(axis=0)}
    dc_prev = {"no forget shortcut": dc_all, "dc_prev from the incoming dc": dc * f}.get(mistake, dc_all * f)
    return grads, da @ weights.W_h, dc_prev


def backward_with(params, cache, dlogits, mistake=None):
    """``lstm_backward`` built on ``step_backward_with``; ``mistake``: a key of STEP_MISTAKES or LOOP_MISTAKES."""
    step_mistake = mistake if mistake in STEP_MISTAKES else None
    weights, h, c = stack_gates(params), cache["h"], cache["c"]
    h0, c0 = cache["h0"], cache["c0"]
    if mistake == "zero initial state":
        h0, c0 = np.zeros_like(h0), np.zeros_like(c0)
    elif mistake == "wrapped initial state":
        h0, c0 = h[-1], c[-1]
    h_prev = h if mistake == "h_t for h_prev" else np.concatenate([h0[None], h[:-1]])
    c_prev = np.concatenate([c0[None], c[:-1]])
    stacked = {name: np.zeros_like(weight) for name, weight in weights._asdict().items()}
    dh_next, dc_next = np.zeros_like(h[0]), np.zeros_like(h[0])
    for t in reversed(range(len(h))):
        step = {"x": cache["inputs"][t], "h_prev": h_prev[t], "c_prev": c_prev[t], "gates": cache["gates"][t],
                "tanh_c": cache["tanh_c"][t]}
        step_grads, dh_prev, dc_prev = step_backward_with(weights, dlogits[t] @ params["W_hy"] + dh_next, dc_next, step,
                                                     step_mistake)
        for name, grad in step_grads.items():
            stacked[name] += grad
        if mistake not in ("nothing from t+1", "no dh from t+1"):
            dh_next = dh_prev
        if mistake not in ("nothing from t+1", "no dc from t+1"):
            dc_next = dc_prev
    grads = unstack_gates(stacked)
    grads["W_hy"] = np.einsum("tbv,tbh->vh", dlogits, h)
    grads["b_y"] = dlogits.sum(axis=(0, 1))
    return {name: grads[name] for name in params}

