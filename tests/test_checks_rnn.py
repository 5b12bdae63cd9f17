"""Chapter 2's exercise checks: the right answers pass, typical wrong answers fail with a message that names the case,
the wrong part (which gradient, which time step) and, where the check recognises the mistake, a hint.

Every answer is written the way a notebook defines it (``student_code``: code run in ``__main__``): the right answer is
the chapter's solution, each wrong answer the same source with one typical mistake made in it.
"""

from collections import Counter

import numpy as np
import pytest
from student_code import student_function

import lessons_src.rnn
from lessons_src import checks
from lessons_src.data import one_hot

NAMES = {"np": np, "lessons_src": lessons_src, "one_hot": one_hot, "Counter": Counter}

RIGHT = {
    "stable_log_softmax": '''
def stable_log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
''',
    "context_free_loss": '''
def context_free_loss(sequences):
    counts = Counter(token for sequence in sequences for token in sequence[1:])
    shares = np.array(list(counts.values())) / sum(counts.values())
    return float(-(shares * np.log(shares)).sum())
''',
    "gradient_ratio": '''
def gradient_ratio(s, k, h):
    return (s * (1 - h ** 2)) ** k
''',
    "complete_with_state": '''
def complete_with_state(params, vocab, prefix_tokens, max_len):
    tokens = list(prefix_tokens)
    h = np.zeros((1, params["W_hh"].shape[0]))
    for x in one_hot(vocab.encode(tokens), len(vocab)):
        h, _ = lessons_src.rnn.rnn_step(params, x[None, :], h)
    while len(tokens) < max_len and tokens[-1] != "EOS":
        logits = h @ params["W_hy"].T + params["b_y"]
        tokens.append(vocab.tokens[int(np.argmax(logits[0]))])
        x = one_hot(vocab.encode(tokens[-1:]), len(vocab))
        h, _ = lessons_src.rnn.rnn_step(params, x, h)
    return tokens
''',
    "rnn_step_backward": '''
def rnn_step_backward(params, dh, cache):
    da = dh * (1.0 - cache["h"] ** 2)
    grads = {"W_xh": da.T @ cache["x"], "W_hh": da.T @ cache["h_prev"], "b_h": da.sum(axis=0)}
    return grads, da @ params["W_hh"]
''',
    "backprop_through_time": '''
def backprop_through_time(params, cache, dlogits):
    inputs, hidden = cache["inputs"], cache["hidden"]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    grads["W_hy"] = np.einsum("tbv,tbh->vh", dlogits, hidden[1:])
    grads["b_y"] = dlogits.sum(axis=(0, 1))
    dh_next = np.zeros_like(hidden[0])
    for t in reversed(range(len(inputs))):
        dh = dlogits[t] @ params["W_hy"] + dh_next
        step = {"x": inputs[t], "h_prev": hidden[t], "h": hidden[t + 1]}
        step_grads, dh_next = lessons_src.rnn.rnn_step_backward(params, dh, step)
        for name, grad in step_grads.items():
            grads[name] += grad
    return grads
''',
    "fixed_backward": '''
def fixed_backward(params, xs, hs, dys):
    W_hh, W_hy = params["W_hh"], params["W_hy"]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    da_next = np.zeros_like(hs[0])
    for t in reversed(range(len(xs))):
        dh = W_hy.T @ dys[t] + W_hh.T @ da_next
        da = dh * (1 - hs[t] ** 2)
        h_prev = hs[t - 1] if t > 0 else np.zeros_like(hs[0])
        grads["W_hy"] += dys[t] @ hs[t].T
        grads["b_y"] += dys[t][:, 0]
        grads["W_xh"] += da @ xs[t].T
        grads["W_hh"] += da @ h_prev.T
        grads["b_h"] += da[:, 0]
        da_next = da
    return grads
''',
}
CHECKS = {name: getattr(checks, f"check_{name}") for name in RIGHT}


def answer(name, old=None, new=None, in_notebook=True):
    """The chapter's answer to exercise ``name``, defined as a notebook does, with ``old`` replaced by ``new``.

    ``in_notebook=False``: the same function defined in a module (as this test file's own functions are).
    """
    source = RIGHT[name]
    if old is not None:
        assert old in source, old
        source = source.replace(old, new)
    if in_notebook:
        return student_function(source, name, **NAMES)
    namespace = {"__name__": __name__, **NAMES}
    exec(source, namespace)
    return namespace[name]


UNFINISHED = student_function("def unfinished(*args):\n    raise NotImplementedError()\n")

# (exercise, the text of the mistake, what replaces it, what the message must say)
WRONG = [
    ("stable_log_softmax", "shifted = x - x.max(axis=-1, keepdims=True)\n    return shifted - np.log(np.exp(shifted)"
     ".sum(axis=-1, keepdims=True))", "e = np.exp(x - x.max(axis=-1, keepdims=True))\n    return np.log(e / e.sum("
     "axis=-1, keepdims=True))", r"stable_log_softmax\(\[ 0., -10000.\]\) returned \[ 0., -inf\].*Hint: np.log\("),
    ("stable_log_softmax", "x - x.max(axis=-1, keepdims=True)", "x - x.max()", r"Hint: subtract each row's own maximum"),
    ("stable_log_softmax", "x - x.max(axis=-1, keepdims=True)", "x", r"Hint: subtract the maximum before exp"),
    ("context_free_loss", "sequence[1:])", "sequence)", r"context_free_loss\(\[\['a', 'b', 'EOS'\]\]\) returned 1.09.*"
     r"expected 0.69.*Hint: the first token of a sequence is never a target"),
    ("context_free_loss", "np.log(shares)", "np.log2(shares)", r"Hint: use the natural logarithm"),
    ("context_free_loss", "sequence[1:])", "sequence[:-1])", r"Hint: the targets are sequence\[1:\], EOS included"),
    ("gradient_ratio", "(s * (1 - h ** 2)) ** k", "s ** k", r"gradient_ratio\(1.0, 20, 0.5\) returned 1.0.*"
     r"Hint: each step back also multiplies by tanh'"),
    ("gradient_ratio", "(s * (1 - h ** 2)) ** k", "(s * (1 - np.tanh(h) ** 2)) ** k", r"Hint: h is already tanh\(a\)"),
    ("gradient_ratio", "(s * (1 - h ** 2)) ** k", "s ** k * (1 - h ** 2)", r"Hint: every one of the k steps"),
    ("complete_with_state", "x = one_hot(vocab.encode(tokens[-1:]), len(vocab))",
     "x = np.exp(logits) / np.exp(logits).sum()", r"complete_with_state\(<an RNN trained on the book's language.*"
     r"Hint: feed the chosen word back as a one-hot vector"),
    ("complete_with_state", "h, _ = lessons_src.rnn.rnn_step(params, x, h)\n    return",
     "h, _ = lessons_src.rnn.rnn_step(params, x, 0 * h)\n    return", r"Hint: keep the hidden state from step to step"),
    ("complete_with_state", 'tokens[-1] != "EOS"', "True", r"Hint: stop after appending EOS"),
    ("rnn_step_backward", 'da = dh * (1.0 - cache["h"] ** 2)', 'da = dh * (1.0 - np.tanh(cache["h"]) ** 2)',
     r"rnn_step_backward\(<random RNN parameters, V = 4, H = 3>.*grads\['W_xh'\] is wrong.*Hint: the stored h is "
     r"already tanh\(a\)"),
    ("rnn_step_backward", 'da = dh * (1.0 - cache["h"] ** 2)', "da = dh", r"Hint: go back through the tanh first"),
    ("rnn_step_backward", '"W_hh": da.T @ cache["h_prev"]', '"W_hh": da.T @ cache["h"]',
     r"grads\['W_hh'\] is wrong.*Hint: a_t = W_xh x_t \+ W_hh h_\{t-1\} \+ b_h"),
    ("rnn_step_backward", 'return grads, da @ params["W_hh"]', 'return grads, dh @ params["W_hh"]',
     r"dh_prev is wrong.*the gradient reaches h_\{t-1\} through a_t"),
    ("rnn_step_backward", 'return grads, da @ params["W_hh"]', 'return grads, da @ params["W_hh"].T',
     r"dh_prev is wrong.*without a transpose"),
    ("rnn_step_backward", '"b_h": da.sum(axis=0)', '"b_h": da', r"grads\['b_h'\] is wrong \(shape \(1, 3\) instead of "
     r"\(3,\)\).*Hint: b_h is shared"),
    ("backprop_through_time", 'dh = dlogits[t] @ params["W_hy"] + dh_next', 'dh = dlogits[t] @ params["W_hy"]',
     r"grads\['W_xh'\] is wrong.*right for the first step alone, wrong once step 2 is included.*Hint: h_t also feeds "
     r"step t \+ 1"),
    ("backprop_through_time", "for t in reversed(range(len(inputs))):", "for t in range(len(inputs)):",
     r"wrong once step 2 is included.*Hint: walk backwards in time"),
    ("backprop_through_time", '"h_prev": hidden[t],', '"h_prev": hidden[1:][t - 1],',
     r"grads\['W_hh'\] is wrong.*wrong already for the first step alone.*at the first step the previous state is h_0"),
    ("backprop_through_time", "dlogits, hidden[1:])", "dlogits, hidden[:-1])",
     r"grads\['W_hy'\] is wrong.*Hint: y_t = W_hy h_t \+ b_y reads the state AFTER step t"),
    ("fixed_backward", "h_prev = hs[t - 1] if t > 0 else np.zeros_like(hs[0])", "h_prev = hs[t - 1]",
     r"fixed_backward\(<random RNN parameters.*grads\['W_hh'\] is wrong.*Hint: W_hh is still wrong at t = 0"),
    ("fixed_backward", "h_prev = hs[t - 1] if t > 0 else np.zeros_like(hs[0])", "h_prev = hs[t]",
     r"grads\['W_hh'\] is wrong.*Hint: .*W_hh multiplies the previous state"),
    ("fixed_backward", 'grads["b_y"] += dys[t][:, 0]', 'grads["b_y"] += dys[t][:, 0] / len(xs)',
     r"grads\['b_y'\] is wrong"),
]


def test_the_right_answers_pass(capsys):
    for name, check in CHECKS.items():
        check(answer(name))
    printed = capsys.readouterr().out
    for name in RIGHT:
        assert f"{name}: " in printed and " cases correct" in printed, printed
    assert printed.count("gradient_check agrees") == 2, printed


@pytest.mark.parametrize("name, old, new, message", WRONG, ids=[f"{w[0]}-{i}" for i, w in enumerate(WRONG)])
def test_a_typical_wrong_answer_fails_naming_the_case_the_part_and_the_mistake(name, old, new, message):
    with pytest.raises(AssertionError, match=message):
        CHECKS[name](answer(name, old, new))


@pytest.mark.parametrize("name", RIGHT)
def test_every_check_grades_only_the_students_function_and_rejects_two_wrong_answers(name, grade):
    wrongs = [answer(name, old, new) for exercise, old, new, _ in WRONG if exercise == name][:2]
    grade(CHECKS[name], answer(name, in_notebook=False), wrongs, UNFINISHED)


@pytest.mark.parametrize("name, library", [("rnn_step_backward", lessons_src.rnn.rnn_step_backward),
                                           ("backprop_through_time", lessons_src.rnn.rnn_backward)])
def test_the_books_own_function_is_refused(name, library):
    with pytest.raises(AssertionError, match="the book's own"):
        CHECKS[name](library)


def test_a_backward_pass_wrong_only_at_a_later_step_is_located():
    """Adding the carried gradient only from the third step back on: right for up to 2 steps, wrong from 3."""
    late = answer("backprop_through_time", 'dh = dlogits[t] @ params["W_hy"] + dh_next',
                  'dh = dlogits[t] @ params["W_hy"] + (dh_next if t != 1 else 0 * dh_next)')
    with pytest.raises(AssertionError, match=r"right for the first 2 steps alone, wrong once step 3 is included: look "
                                             r"at what step 3 sends back to step 2"):
        checks.check_backprop_through_time(late)


def test_the_predictions_are_compared_with_measurements(capsys):
    checks.check_gradient_ratio(answer("gradient_ratio"))
    checks.check_context_free_loss(answer("context_free_loss"))
    printed = capsys.readouterr().out
    assert "each expected ratio was measured" in printed and "each expected value was measured" in printed
