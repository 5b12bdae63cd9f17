"""Checks for the backward-pass exercises of chapter 2: one step back, through time, and the bug hunt.

Each compares the student's gradients with the book's (``rnn.rnn_step_backward``,
``rnn.rnn_backward``), names the first wrong gradient and, for a whole
backward pass, the first time step at which it goes wrong, and recognises the
usual mistakes by making them: ``_variant_backward`` is backpropagation through
time with a switch for each. Passing, the check also runs the chapter's
gradient check on the student's function.
"""

import numpy as np

from ..data import Vocabulary, make_batch
from ..functional import cross_entropy
from ..gradcheck import gradient_check
from ..language import generate_dataset
from ..rnn import PARAMETER_NAMES, init_rnn, rnn_backward, rnn_forward, rnn_step, rnn_step_backward
from ._core import call_student
from ._hints import Named, run_cases_with_hints, wrong_part

STEP_NAMES = ("W_xh", "W_hh", "b_h")
HINTS = {
    "no tanh'": "go back through the tanh first: da = dh * (1 - h**2), with h the stored state",
    "tanh twice": "the stored h is already tanh(a): tanh'(a) is 1 - h**2, not 1 - np.tanh(h)**2",
    "h_t for W_hh": "a_t = W_xh x_t + W_hh h_{t-1} + b_h: W_hh multiplies the PREVIOUS state, so its gradient is "
                    "da.T @ h_prev",
    "no carry": "h_t also feeds step t + 1: add the gradient that the step after sent back (dh = dlogits[t] @ W_hy "
                "+ dh_next)",
    "forward order": "walk backwards in time, from the last step to the first: dh_next comes from step t + 1, which "
                     "must be done before step t",
    "wrap around": "at the first step the previous state is h_0 (cache['hidden'][0]); hidden[1:][t - 1] with t = 0 "
                   "wraps around to the LAST state",
    "h_{t-1} for W_hy": "y_t = W_hy h_t + b_y reads the state AFTER step t: hidden[1:], not hidden[:-1]",
}


def _step_parts(answer):
    grads, dh_prev = answer
    return {**{f"grads[{name!r}]": grads[name] for name in STEP_NAMES}, "dh_prev": dh_prev}


def _grads_parts(grads):
    return {f"grads[{name!r}]": grads[name] for name in PARAMETER_NAMES}


def check_rnn_step_backward(rnn_step_backward_function):
    """``rnn_step_backward(params, dh, cache)`` -> (grads of W_xh, W_hh, b_h; dh_prev) for one time step."""
    cases = []
    for vocab_size, hidden_size, batch, seed in [(4, 3, 1, 0), (4, 5, 2, 1), (6, 4, 3, 2), (3, 7, 4, 3)]:
        rng = np.random.default_rng(seed)
        params = _random_params(vocab_size, hidden_size, rng)
        x = np.eye(vocab_size)[rng.integers(0, vocab_size, batch)]
        h_prev = np.tanh(rng.standard_normal((batch, hidden_size)))
        _, cache = rnn_step(params, x, h_prev)
        cache = Named(f"<the cache of rnn_step: x {x.shape}, h_prev and h {h_prev.shape}>", cache)
        dh = rng.standard_normal((batch, hidden_size))
        cases.append(((params, dh, cache), rnn_step_backward(params, dh, cache)))

    def with_cache(**changes):
        return lambda params, dh, cache: rnn_step_backward(params, dh, {**cache, **changes_of(cache, changes)})

    def changes_of(cache, changes):
        return {key: change(cache) for key, change in changes.items()}

    def da_of(dh, cache):
        return dh * (1 - cache["h"] ** 2)

    mistakes = [
        (HINTS["no tanh'"], with_cache(h=lambda cache: np.zeros_like(cache["h"]))),
        (HINTS["tanh twice"], with_cache(h=lambda cache: np.tanh(cache["h"]))),
        (HINTS["h_t for W_hh"], with_cache(h_prev=lambda cache: cache["h"])),
        ("the gradient reaches h_{t-1} through a_t, so through the tanh too: dh_prev = da @ W_hh",
         lambda params, dh, cache: ({}, dh @ params["W_hh"])),
        ("the code computes a = h_prev @ W_hh.T for rows, so dh_prev = da @ W_hh, without a transpose",
         lambda params, dh, cache: ({}, da_of(dh, cache) @ params["W_hh"].T)),
        ("weights are stored (out_features, in_features): dW_hh = da.T @ h_prev, not h_prev.T @ da",
         lambda params, dh, cache: ({"W_hh": cache["h_prev"].T @ da_of(dh, cache)}, None)),
        ("b_h is shared by every sequence of the batch: sum da over the batch axis",
         lambda params, dh, cache: ({"b_h": da_of(dh, cache)}, None)),
    ]
    run_cases_with_hints("rnn_step_backward", rnn_step_backward_function, cases, _partial(mistakes),
                         parts=_step_parts)


def _variant_backward(params, cache, dlogits, mistake=None):
    """Backpropagation through time, right (``mistake=None``) or with one of the usual mistakes (keys of HINTS)."""
    inputs, hidden = cache["inputs"], cache["hidden"]
    steps = len(inputs)
    output_states = hidden[:-1] if mistake == "h_{t-1} for W_hy" else hidden[1:]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["W_hy"] = np.einsum("tbv,tbh->vh", dlogits, output_states)
    grads["b_y"] = dlogits.sum(axis=(0, 1))
    dh_next = np.zeros_like(hidden[0])
    order = range(steps) if mistake == "forward order" else reversed(range(steps))
    for t in order:
        h_prev = {"h_t for W_hh": hidden[t + 1], "wrap around": hidden[1:][t - 1]}.get(mistake, hidden[t])
        h = {"no tanh'": np.zeros_like(hidden[t + 1]), "tanh twice": np.tanh(hidden[t + 1])}.get(mistake, hidden[t + 1])
        dh = dlogits[t] @ params["W_hy"] + (0 if mistake == "no carry" else dh_next)
        step_grads, dh_next = rnn_step_backward(params, dh, {"x": inputs[t], "h_prev": h_prev, "h": h})
        for name, grad in step_grads.items():
            grads[name] += grad
    return grads


def check_backprop_through_time(backprop_through_time):
    """``backprop_through_time(params, cache, dlogits)`` -> the gradients of all five parameters."""
    cases = [_bptt_case(*sizes) for sizes in [(4, 3, 1, 1, 0), (4, 3, 2, 1, 1), (4, 5, 4, 2, 2), (5, 6, 6, 3, 4)]]
    cases.insert(3, _language_case())
    mistakes = [(HINTS[key], lambda params, cache, dlogits, key=key: _variant_backward(params, cache, dlogits, key))
                for key in HINTS]
    run_cases_with_hints("backprop_through_time", backprop_through_time, cases, mistakes, parts=_grads_parts,
                         locate=_first_wrong_step)
    _print_gradient_check("backprop_through_time", backprop_through_time)


def _bptt_case(vocab_size, hidden_size, steps, batch, seed):
    rng = np.random.default_rng(seed)
    params = _random_params(vocab_size, hidden_size, rng)
    inputs = np.eye(vocab_size)[rng.integers(0, vocab_size, (steps, batch))]
    h0 = np.tanh(rng.standard_normal((batch, hidden_size))) if seed % 2 == 0 else None
    _, cache = rnn_forward(params, inputs, h0)
    cache = Named(f"<the cache of rnn_forward: T = {steps}, B = {batch}, h0 {'random' if h0 is not None else 'zero'}>",
                  cache)
    dlogits = rng.standard_normal((steps, batch, vocab_size)) / (steps * batch)
    return (params, cache, dlogits), rnn_backward(params, cache, dlogits)


def _language_case():
    """A padded batch of the book's sequences: dlogits from cross_entropy, zero at padding."""
    sequences = generate_dataset(num_sequences=3, max_n=3, seed=5)
    vocab = Vocabulary.from_sequences(sequences)
    params = _random_params(len(vocab), 6, np.random.default_rng(5))
    inputs, targets, mask = make_batch(sequences, vocab)
    logits, cache = rnn_forward(params, inputs)
    _, dlogits = cross_entropy(logits, targets, mask)
    cache = Named(f"<the cache of rnn_forward: a padded batch of {len(sequences)} of the book's sequences, "
                  f"T = {len(inputs)}>", cache)
    return (params, cache, dlogits), rnn_backward(params, cache, dlogits)


def _first_wrong_step(function, args):
    """The first number of steps T' at which the answer for the first T' steps alone goes wrong, as a sentence."""
    params, cache, dlogits = args
    for steps in range(1, len(dlogits) + 1):
        short = Named(f"<the first {steps} steps>", inputs=cache["inputs"][:steps], hidden=cache["hidden"][:steps + 1])
        expected = rnn_backward(params, short, dlogits[:steps])
        try:
            received = call_student("backprop_through_time", function, params, short, dlogits[:steps].copy())
        except AssertionError:
            received = None
        if wrong_part(received, expected, _grads_parts) is not None:
            if steps == 1:
                return "wrong already for the first step alone (T = 1), before anything flows back in time"
            first = "the first step" if steps == 2 else f"the first {steps - 1} steps"
            return (f"right for {first} alone, wrong once step {steps} is included: look at what step {steps} sends "
                    f"back to step {steps - 1}")
    return ""


def _column_backward(params, xs, hs, dys):
    """The book's gradients for ONE sequence given as column vectors (the bug hunt's signature), via rnn_backward.

    xs: T inputs (V, 1); hs: the T states h_1 ... h_T, (H, 1), after h_0 = 0;
    dys: T gradients of the loss with respect to y_t, (V, 1).
    """
    cache = {"inputs": np.stack(xs)[:, :, 0][:, None, :],
             "hidden": np.concatenate([np.zeros((1, 1, len(hs[0]))), np.stack(hs)[:, :, 0][:, None, :]])}
    return rnn_backward(params, cache, np.stack(dys)[:, :, 0][:, None, :])


def check_fixed_backward(fixed_backward):
    """``fixed_backward(params, xs, hs, dys)``: the bug hunt's backward pass, repaired."""
    cases = []
    for vocab_size, hidden_size, steps, seed in [(4, 3, 1, 0), (4, 5, 3, 1), (4, 5, 9, 2), (6, 4, 6, 3)]:
        rng = np.random.default_rng(seed)
        params = _random_params(vocab_size, hidden_size, rng)
        xs, hs, dys = _column_sequence(params, rng.integers(0, vocab_size, steps), rng)
        cases.append(((params, xs, hs, dys), _column_backward(params, xs, hs, dys)))

    def as_batch(mistake):
        def wrong(params, xs, hs, dys):
            hidden = np.concatenate([np.zeros((1, 1, len(hs[0]))), np.stack(hs)[:, :, 0][:, None, :]])
            cache = {"inputs": np.stack(xs)[:, :, 0][:, None, :], "hidden": hidden}
            return _variant_backward(params, cache, np.stack(dys)[:, :, 0][:, None, :], mistake)
        return wrong

    mistakes = [("W_hh is still wrong at t = 0: hs[t - 1] is then hs[-1], the LAST state; the state before the "
                 "first step is h_0 = 0", as_batch("wrap around")),
                ("W_hh multiplies the previous state h_{t-1}: at step t that is hs[t - 1], and h_0 = 0 before the "
                 "first", as_batch("h_t for W_hh"))]
    run_cases_with_hints("fixed_backward", fixed_backward, cases, mistakes, parts=_grads_parts)
    _print_gradient_check("fixed_backward", fixed_backward, columns=True)


def _column_sequence(params, ids, rng):
    """xs, hs, dys for one sequence of token ``ids``: inputs, the states h_1 ... h_T from h_0 = 0, random dL/dy."""
    vocab_size = params["W_xh"].shape[1]
    inputs = np.eye(vocab_size)[ids][:, None, :]
    _, cache = rnn_forward(params, inputs)
    dlogits = rng.standard_normal(inputs.shape) / len(ids)
    return list(inputs[:, 0, :, None]), list(cache["hidden"][1:, 0, :, None]), list(dlogits[:, 0, :, None])


def _print_gradient_check(name, function, columns=False, bound=1e-6):
    """Run the chapter's gradient check on the student's backward pass and print its bound (it passed the cases)."""
    rng = np.random.default_rng(11)
    sequences = generate_dataset(num_sequences=1 if columns else 4, max_n=3, seed=11)
    vocab = Vocabulary.from_sequences(generate_dataset(num_sequences=8, max_n=3, seed=0))
    params = _random_params(len(vocab), 4, rng)
    inputs, targets, mask = make_batch(sequences, vocab)

    def forward_loss():
        return cross_entropy(rnn_forward(params, inputs)[0], targets, mask)[0]

    logits, cache = rnn_forward(params, inputs)
    _, dlogits = cross_entropy(logits, targets, mask)
    if columns:
        grads = function(params, list(inputs[:, 0, :, None]), list(cache["hidden"][1:, 0, :, None]),
                         list(dlogits[:, 0, :, None]))
    else:
        grads = function(params, cache, dlogits)
    errors = gradient_check(forward_loss, params, grads)
    worst = max(errors, key=errors.get)
    if errors[worst] >= bound:
        raise AssertionError(f"{name}: gradient_check finds grads[{worst!r}] wrong (relative error "
                             f"{errors[worst]:.0e}) on a batch of the book's sequences")
    print(f"gradient_check agrees on a batch of the book's sequences: every relative error below {bound:.0e}")


def _random_params(vocab_size, hidden_size, rng):
    """Random weights and biases (no zero to hide a term behind), of the shapes of an RNN."""
    return Named(f"<random RNN parameters, V = {vocab_size}, H = {hidden_size}>",
                 {name: 0.5 * rng.standard_normal(value.shape)
                  for name, value in init_rnn(vocab_size, hidden_size).items()})


def _partial(mistakes):
    """Mistakes that give only some parts (the rest None or absent) are completed with the right values."""
    def complete_with_right(wrong):
        def full(params, dh, cache):
            grads, dh_prev = wrong(params, dh, cache)
            right_grads, right_dh_prev = rnn_step_backward(params, dh, cache)
            return {**right_grads, **grads}, right_dh_prev if dh_prev is None else dh_prev
        return full
    return [(hint, complete_with_right(wrong)) for hint, wrong in mistakes]
