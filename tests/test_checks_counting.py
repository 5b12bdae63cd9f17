"""The checks of chapter 5 accept the right answer, reject typical wrong ones with a hint, and stop an unfinished one."""

import math

import numpy as np
import pytest
import torch
from rnn_twin import rnn_module_from_numpy
from student_code import as_student

from lessons_src.checks import (check_accuracy_by_n, check_readout_score, check_rnn_gradient_norms,
                                check_steps_to_shrink, counting_model)
from lessons_src.counting import count_readout, gradient_norms
from lessons_src.data import EOS, Vocabulary, one_hot
from lessons_src.functional import softmax
from lessons_src.generate import complete
from lessons_src.init import init_parameters
from lessons_src.language import counting_sequence
from lessons_src.rnn import rnn_forward, rnn_parameter_shapes, rnn_step_backward

VOCAB = Vocabulary(["a", "b", EOS])


def unfinished(*args):
    raise NotImplementedError()


# Exercise 1: predict how many steps a gradient survives through forget gates f

def steps_to_shrink(f, factor):
    return math.ceil(math.log(factor) / math.log(f))


def test_check_steps_to_shrink(grade):
    grade(check_steps_to_shrink, steps_to_shrink,
          [lambda f, factor: math.floor(math.log(factor) / math.log(f)),      # rounded down
           lambda f, factor: round(math.log(f) / math.log(factor)),           # the ratio upside down
           lambda f, factor: math.log(factor) / math.log(f)],                 # not a whole number
          unfinished)


@pytest.mark.parametrize("wrong, hint", [
    (lambda f, factor: math.floor(math.log(factor) / math.log(f)), r"round k up \(math.ceil\)"),
    (lambda f, factor: math.log(f) / math.log(factor), r"not ln\(f\) / ln\(factor\)"),
    (lambda f, factor: math.ceil(math.log(f) / math.log(factor)), r"not ln\(f\) / ln\(factor\)"),
    (lambda f, factor: float(steps_to_shrink(f, factor)), "expected a whole number of steps"),
])
def test_check_steps_to_shrink_names_the_case_and_gives_a_hint(wrong, hint):
    with pytest.raises(AssertionError, match=r"steps_to_shrink\(0\.5, 0\.001\).*" + hint):
        check_steps_to_shrink(as_student(wrong))


def test_steps_to_shrink_is_what_an_lstm_cell_does():
    """The prediction holds for a one-unit nn.LSTM whose forget gate is f at every step and nothing else moves c."""
    for f, factor in [(0.5, 1e-3), (0.731, 1e-3), (0.9, 0.01)]:
        cell = torch.nn.LSTM(1, 1, dtype=torch.float64)
        with torch.no_grad():
            for parameter in cell.parameters():
                parameter.zero_()
            cell.bias_ih_l0[1] = math.log(f / (1 - f))                    # sigmoid(bias) = f
        c0 = torch.ones(1, 1, 1, dtype=torch.float64, requires_grad=True)
        steps = steps_to_shrink(f, factor)
        ratios = []
        for k in (steps - 1, steps):
            _, (_, c) = cell(torch.zeros(k, 1, 1, dtype=torch.float64), (torch.zeros(1, 1, 1, dtype=torch.float64), c0))
            (gradient,) = torch.autograd.grad(c.sum(), c0)
            ratios.append(gradient.item())
        assert ratios[0] > factor >= ratios[1], (f, factor, ratios)


# Exercise 2 (bug hunt): accuracy_by_n must require EOS

def right_accuracy_by_n(model, vocab, ns):
    result = []
    for n in ns:
        sentence = counting_sequence(n)
        result.append(float(complete(model, vocab, sentence[:n + 1], max_len=len(sentence)) == sentence))
    return np.array(result)


def buggy_accuracy_by_n(model, vocab, ns):
    """The chapter's planted mistake: a sentence has 3n tokens, so EOS is never asked for."""
    result = []
    for n in ns:
        sentence = counting_sequence(n)
        result.append(float(complete(model, vocab, sentence[:n + 1], max_len=3 * n) == sentence[:3 * n]))
    return np.array(result)


def test_check_accuracy_by_n(grade):
    grade(check_accuracy_by_n, right_accuracy_by_n,
          [buggy_accuracy_by_n,
           lambda model, vocab, ns: np.ones(len(ns)),
           lambda model, vocab, ns: np.array([float(complete(model, vocab, ["a"] * n + ["b"], max_len=3 * n + 1)[:2 * n]
                                                    == counting_sequence(n)[:2 * n]) for n in ns])],   # only the b
          unfinished)


def test_check_accuracy_by_n_recognises_the_planted_mistake():
    with pytest.raises(AssertionError, match=r"never writes EOS.*Hint: a completion is right only if it ends with EOS"):
        check_accuracy_by_n(as_student(buggy_accuracy_by_n))

    def too_short(model, vocab, ns):
        return np.array([float(complete(model, vocab, ["a"] * n + ["b"], max_len=3 * n) == counting_sequence(n))
                         for n in ns])

    with pytest.raises(AssertionError, match=r"a model that counts.*Hint: complete stops when the sequence holds"):
        check_accuracy_by_n(as_student(too_short))


def test_check_accuracy_by_n_refuses_the_books_own():
    from lessons_src.counting import accuracy_by_n

    with pytest.raises(AssertionError, match="the book's own accuracy_by_n from lessons_src.counting, not yours"):
        check_accuracy_by_n(accuracy_by_n)


def test_counting_model_writes_what_it_is_told():
    model = counting_model("two b too many", b_count=lambda n: n + 2)
    assert repr(model) == "two b too many"
    assert complete(model, VOCAB, ["a", "a", "b"], max_len=20) == ["a"] * 2 + ["b"] * 4 + ["a"] * 2 + [EOS]
    endless = counting_model("endless", ends=False)
    assert complete(endless, VOCAB, ["a", "b"], max_len=6) == ["a", "b", "a", "a", "a", "a"]
    with pytest.raises(TypeError, match="b_count: expected a function"):
        counting_model("x", b_count=3)


# Exercise 3: the counter measure for one unit

def right_readout_score(after_a, after_b, ns):
    ns = np.asarray(ns, dtype=float)
    points = np.concatenate([after_a, after_b])
    counts = np.concatenate([ns, np.zeros(len(ns))])
    slope, intercept = np.polyfit(points, counts, 1)
    return 1 - ((intercept + slope * points - counts) ** 2).sum() / ((ns - ns.mean()) ** 2).sum()


def over_all_counts(after_a, after_b, ns):
    ns = np.asarray(ns, dtype=float)
    points, counts = np.concatenate([after_a, after_b]), np.concatenate([ns, np.zeros(len(ns))])
    slope, intercept = np.polyfit(points, counts, 1)
    return 1 - ((intercept + slope * points - counts) ** 2).sum() / ((counts - counts.mean()) ** 2).sum()


def a_points_only(after_a, after_b, ns):
    ns = np.asarray(ns, dtype=float)
    slope, intercept = np.polyfit(after_a, ns, 1)
    return 1 - ((intercept + slope * np.asarray(after_a) - ns) ** 2).sum() / ((ns - ns.mean()) ** 2).sum()


@pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::numpy.exceptions.RankWarning")
def test_check_readout_score(grade):
    grade(check_readout_score, right_readout_score,
          [over_all_counts, a_points_only, lambda after_a, after_b, ns: np.corrcoef(after_a, ns)[0, 1] ** 2],
          unfinished)


@pytest.mark.parametrize("wrong, hint", [(over_all_counts, "divide by the spread of n alone"),
                                         (a_points_only, "fit the line to both kinds of point")])
@pytest.mark.filterwarnings("ignore::numpy.exceptions.RankWarning")
def test_check_readout_score_gives_a_hint(wrong, hint):
    with pytest.raises(AssertionError, match=r"readout_score\(.*Hint: " + hint):
        check_readout_score(as_student(wrong))


def test_the_readout_of_one_unit_is_count_readout():
    rng = np.random.default_rng(0)
    ns = [1, 2, 4, 7]
    states = [rng.standard_normal((3 * n, 3)) for n in ns]
    scores, _ = count_readout(states, ns)
    for unit in range(3):
        after_a = np.array([state[n - 1, unit] for state, n in zip(states, ns)])
        after_b = np.array([state[2 * n - 1, unit] for state, n in zip(states, ns)])
        assert right_readout_score(after_a, after_b, ns) == pytest.approx(scores[unit], rel=1e-10)


# Exercise 4: the gradient through time, by hand, for chapter 2's NumPy RNN

def right_rnn_gradient_norms(params, vocab, tokens):
    ids = vocab.encode(tokens)
    logits, cache = rnn_forward(params, one_hot(ids[:-1], len(vocab))[:, None, :])
    dlogits = softmax(logits[-1]) - one_hot(ids[-1:], len(vocab))
    dh = dlogits @ params["W_hy"]
    norms = [np.linalg.norm(dh)]
    for t in range(len(ids) - 2, 0, -1):
        step = {"x": cache["inputs"][t], "h_prev": cache["hidden"][t], "h": cache["hidden"][t + 1]}
        _, dh = rnn_step_backward(params, dh, step)
        norms.append(np.linalg.norm(dh))
    return np.array(norms)


@pytest.mark.parametrize("tokens", [counting_sequence(3), ["a", "b"], ["a", "a", "b", "b", "a"]])
def test_the_numpy_gradient_norms_are_autograds(tokens, one_torch_thread):
    params = {name: 1.3 * value for name, value in init_parameters(rnn_parameter_shapes(4, 5), seed=2).items()}
    params["b_h"] = np.linspace(-0.4, 0.4, 5)
    np.testing.assert_allclose(right_rnn_gradient_norms(params, VOCAB, tokens),
                               gradient_norms(rnn_module_from_numpy(params), VOCAB, tokens), rtol=1e-10)


def test_check_rnn_gradient_norms(grade):
    def without_tanh(params, vocab, tokens):
        ids = vocab.encode(tokens)
        logits, _ = rnn_forward(params, one_hot(ids[:-1], len(vocab))[:, None, :])
        dh = (softmax(logits[-1]) - one_hot(ids[-1:], len(vocab))) @ params["W_hy"]
        norms = [np.linalg.norm(dh)]
        for _ in range(len(ids) - 2):
            dh = dh @ params["W_hh"]
            norms.append(np.linalg.norm(dh))
        return np.array(norms)

    grade(check_rnn_gradient_norms, right_rnn_gradient_norms,
          [lambda *args: right_rnn_gradient_norms(*args)[::-1], without_tanh,
           lambda *args: right_rnn_gradient_norms(*args)[1:]],
          unfinished)


@pytest.mark.parametrize("flag, hint", [("reversed", "reverse your list"), ("tanh", "through the tanh of step t"),
                                        ("every", "no gradient enters from the outputs of earlier steps"),
                                        ("softmax", "softmax")])
def test_check_rnn_gradient_norms_gives_a_hint(flag, hint):
    from lessons_src.checks.counting import _rnn_gradient_norms

    def wrong(params, vocab, tokens):
        if flag == "reversed":
            return _rnn_gradient_norms(params, vocab, tokens)[::-1]
        return _rnn_gradient_norms(params, vocab, tokens, through_tanh=flag != "tanh", every_step=flag == "every",
                                   with_softmax=flag != "softmax")

    with pytest.raises(AssertionError, match=r"rnn_gradient_norms\(.*Hint: .*" + hint):
        check_rnn_gradient_norms(as_student(wrong))
