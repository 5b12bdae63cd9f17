"""Checks for the exercises of chapter 5, "Do they count?", easiest first.

- ``check_steps_to_shrink``: predict how many steps a gradient survives through forget gates f.
- ``check_accuracy_by_n``: the bug hunt, an ``accuracy_by_n`` that must not count a model right without ``EOS``.
- ``check_readout_score``: the counter measure ``counting.count_readout`` for one unit.
- ``check_rnn_gradient_norms``: the chapter's gradient measurement by hand, for chapter 2's NumPy RNN.

Each check recognises the usual mistakes and then adds a hint. None needs PyTorch.
"""

import math

import numpy as np

from ..counting import accuracy_by_n, count_readout
from ..data import EOS, Vocabulary, one_hot
from ..functional import softmax
from ..generate import complete
from ..init import init_parameters
from ..language import FIRST, MIDDLE, counting_sequence
from ..rnn import rnn_forward, rnn_parameter_shapes, rnn_step_backward
from ..validation import require_type
from ._core import RuleModel, assert_same, run_cases

_VOCAB = Vocabulary([FIRST, MIDDLE, EOS])     # a=0, b=1, EOS=2, UNK=3


def counting_model(name, b_count=lambda n: n, a_count=lambda n: n, ends=True):
    """A rule model that completes a×n b its own way: for testing ``accuracy_by_n`` and ``complete``.

    name:    how the model is called in messages (its repr).
    b_count: n -> how many ``b`` it writes in all (the prompt's one included).
    a_count: n -> how many ``a`` it writes after them.
    ends:    whether ``EOS`` follows (else more ``a``, for ever).
    Returns a model ``inputs (T, B, V) -> logits (T, B, V)`` over the vocabulary
    ``a, b, EOS, UNK`` (the one of ``Vocabulary(["a", "b", "EOS"])``).
    """
    require_type("name", name, str, "the model's name (a non-empty string)")
    if not name:
        raise ValueError("name: expected the model's name (a non-empty string); got ''")
    for argument, value in (("b_count", b_count), ("a_count", a_count)):
        if not callable(value):
            raise TypeError(f"{argument}: expected a function n -> a count; got {type(value).__name__}")

    def next_id(ids):
        middle = _VOCAB.index[MIDDLE]
        n = ids.index(middle) if middle in ids else len(ids)
        written = [FIRST] * n + [MIDDLE] * b_count(n) + [FIRST] * a_count(n) + ([EOS] if ends else [])
        return _VOCAB.index[written[len(ids)]] if len(ids) < len(written) else _VOCAB.index[FIRST]

    return RuleModel(name, next_id)


def check_steps_to_shrink(student_steps_to_shrink):
    """``steps_to_shrink(f, factor)`` -> the fewest steps k with f**k <= factor (an int)."""
    cases = [(0.5, 1e-3), (0.5, 0.01), (0.731, 1e-3), (0.9, 0.01), (0.99, 1e-3), (0.999, 0.5), (0.3, 0.1)]
    mistakes = [
        (lambda f, factor: math.floor(math.log(factor) / math.log(f)),
         "f**k must be at or below factor: round k up (math.ceil), not down"),
        (lambda f, factor: math.log(f) / math.log(factor),
         "solve f**k = factor for k: k = ln(factor) / ln(f), not ln(f) / ln(factor)"),
        (lambda f, factor: math.ceil(math.log(f) / math.log(factor)),
         "solve f**k = factor for k: k = ln(factor) / ln(f), not ln(f) / ln(factor)"),
    ]
    _run_recognising(student_steps_to_shrink, "steps_to_shrink", _steps_to_shrink, cases, mistakes, integer=True)


def check_accuracy_by_n(student_accuracy_by_n):
    """``accuracy_by_n(model, vocab, ns)`` -> array of 1.0 (exact greedy completion, EOS included) or 0.0, one per n."""
    models = [
        (counting_model("a model that counts"), [1, 2, 3, 7]),
        (counting_model("a model that counts up to 4", lambda n: min(n, 4), lambda n: min(n, 4)), [1, 2, 3, 4, 5, 6, 8]),
        (counting_model("a model that never writes EOS", ends=False), [1, 2, 5]),
        (counting_model("a model that writes one a too many", a_count=lambda n: n + 1), [1, 3, 4]),
        (counting_model("a model that writes one b too few", b_count=lambda n: n - 1 if n > 2 else n), [1, 2, 3, 6]),
    ]
    cases = [(model, _VOCAB, ns) for model, ns in models]
    mistakes = [
        (_without_eos, "a completion is right only if it ends with EOS after exactly n a: compare all 3n + 1 tokens, "
                       "and let complete write that many"),
        (lambda model, vocab, ns: np.zeros(len(ns)),
         "complete stops when the sequence holds max_len tokens, the prompt included: a sentence has 3n + 1"),
    ]
    _run_recognising(student_accuracy_by_n, "accuracy_by_n", accuracy_by_n, cases, mistakes)


def check_readout_score(student_readout_score):
    """``readout_score(after_a, after_b, ns)`` -> the score of ``counting.count_readout`` for one unit."""
    rng = np.random.default_rng(5)
    ns = np.arange(1, 9)
    units = {"a counter": 0.4 * ns, "a counter with an offset": 1.0 - 0.3 * ns,
             "a switch": np.ones(8), "a unit that flips once": np.where(ns > 4, 1.0, -1.0),
             "a clock": 0.5 * ns, "a noisy counter": ns + 0.3 * rng.standard_normal(8)}
    bottoms = {"a counter": np.zeros(8), "a counter with an offset": np.ones(8), "a switch": -np.ones(8),
               "a unit that flips once": -np.ones(8), "a clock": 1.0 * ns, "a noisy counter": 0.3 * rng.standard_normal(8)}
    cases = [(after_a, bottoms[label], [int(n) for n in ns]) for label, after_a in units.items()]
    cases.append((np.array([0.5, 2.0, 2.6]), np.array([0.1, -0.2, 0.4]), [1, 3, 4]))
    mistakes = [
        (_score_over_all_counts, "divide by the spread of n alone, sum over ns of (n - mean n)**2: measured "
                                 "against all 2N counts, a switch would score above 0"),
        (_score_without_intercept, "fit count = alpha + beta * state, with alpha: a counter may start anywhere"),
        (_score_of_the_a_points_only, "fit the line to both kinds of point: n after the n-th a, and 0 after the "
                                      "n-th b"),
    ]
    _run_recognising(student_readout_score, "readout_score", _readout_score, cases, mistakes, rtol=1e-6, atol=1e-9)


def check_rnn_gradient_norms(student_rnn_gradient_norms):
    """``rnn_gradient_norms(params, vocab, tokens)`` -> |dL/dh_{T-k}| for k = 0 ... T - 1, chapter 2's NumPy RNN."""
    cases = []
    for hidden_size, seed, scale, tokens in [(5, 0, 1.0, counting_sequence(3)), (3, 1, 2.0, ["a", "b", "a", EOS]),
                                             (4, 2, 1.5, counting_sequence(2)), (6, 3, 1.0, ["a", "a", "b", "b"])]:
        params = {name: scale * value for name, value in
                  init_parameters(rnn_parameter_shapes(len(_VOCAB), hidden_size), seed).items()}
        params["b_h"] = np.linspace(-0.5, 0.5, hidden_size)        # not zero, so that a missing bias shows
        cases.append((params, _VOCAB, tokens))
    mistakes = [
        (lambda *args: _rnn_gradient_norms(*args)[::-1],
         "entry 0 is the last state h_T and entry k is k steps back: reverse your list"),
        (lambda *args: _rnn_gradient_norms(*args, through_tanh=False),
         "the gradient reaches h_{t-1} through the tanh of step t: rnn_step_backward multiplies by 1 - h_t**2"),
        (lambda *args: _rnn_gradient_norms(*args, every_step=True),
         "L is the loss of the last prediction only: no gradient enters from the outputs of earlier steps"),
        (lambda *args: _rnn_gradient_norms(*args, with_softmax=False),
         "dL/dy_T is softmax(y_T) minus the one-hot target, not minus the target alone"),
    ]
    _run_recognising(student_rnn_gradient_norms, "rnn_gradient_norms", _rnn_gradient_norms, cases, mistakes,
                     rtol=1e-7, atol=1e-12)


def _steps_to_shrink(f, factor):
    return math.ceil(math.log(factor) / math.log(f))


def _without_eos(model, vocab, ns):
    return np.array([float(complete(model, vocab, [FIRST] * n + [MIDDLE], max_len=3 * n) == counting_sequence(n)[:-1])
                     for n in ns])


def _readout_parts(after_a, after_b, ns):
    points = np.concatenate([after_a, after_b]).astype(float)
    counts = np.concatenate([np.asarray(ns, dtype=float), np.zeros(len(ns))])
    return points, counts, np.asarray(ns, dtype=float)


def _line_errors(points, counts, intercept=True):
    design = np.column_stack([np.ones_like(points), points]) if intercept else points[:, None]
    coefficients, *_ = np.linalg.lstsq(design, counts, rcond=None)
    return design @ coefficients - counts


def _readout_score(after_a, after_b, ns):
    states = [np.concatenate([np.zeros(n - 1), [a], np.zeros(n - 1), [b]]) for a, b, n in zip(after_a, after_b, ns)]
    return float(count_readout(states, [int(n) for n in ns])[0][0])


def _score_over_all_counts(after_a, after_b, ns):
    points, counts, _ = _readout_parts(after_a, after_b, ns)
    return float(1 - (_line_errors(points, counts) ** 2).sum() / ((counts - counts.mean()) ** 2).sum())


def _score_without_intercept(after_a, after_b, ns):
    points, counts, ns = _readout_parts(after_a, after_b, ns)
    return float(1 - (_line_errors(points, counts, intercept=False) ** 2).sum() / ((ns - ns.mean()) ** 2).sum())


def _score_of_the_a_points_only(after_a, after_b, ns):
    ns = np.asarray(ns, dtype=float)
    return float(1 - (_line_errors(np.asarray(after_a, dtype=float), ns) ** 2).sum() / ((ns - ns.mean()) ** 2).sum())


def _rnn_gradient_norms(params, vocab, tokens, through_tanh=True, every_step=False, with_softmax=True):
    """The reference, and (with a flag turned) the usual mistakes."""
    ids = vocab.encode(tokens)
    logits, cache = rnn_forward(params, one_hot(ids[:-1], len(vocab))[:, None, :])
    targets = one_hot(ids[1:], len(vocab))[:, None, :]
    dlogits = (softmax(logits) if with_softmax else 0.0) - targets        # (T, 1, V)
    dh = dlogits[-1] @ params["W_hy"]
    norms = [np.linalg.norm(dh)]
    for t in reversed(range(1, len(ids) - 1)):                           # from h_{t+1} to h_t
        step = {"x": cache["inputs"][t], "h_prev": cache["hidden"][t], "h": cache["hidden"][t + 1]}
        dh = rnn_step_backward(params, dh, step)[1] if through_tanh else dh @ params["W_hh"]
        if every_step:
            dh = dh + dlogits[t - 1] @ params["W_hy"]
        norms.append(np.linalg.norm(dh))
    return np.array(norms)


def _run_recognising(student_function, name, reference, cases, mistakes, rtol=1e-7, atol=1e-9, integer=False):
    """``run_cases`` on ``(args, reference(*args))``, with a hint when an answer is one of the usual ``mistakes``.

    mistakes: ``(wrong_function, hint)`` pairs; an answer that agrees with ``wrong_function`` on a case (where it
    differs from the reference) fails with the hint.
    """
    def call(function, *args):
        received = function(*args)
        for mistake, hint in mistakes:
            if _agrees(received, mistake(*args), rtol, atol) and not _agrees(received, reference(*args), rtol, atol):
                raise AssertionError(f"returned {_brief(received)}; expected {_brief(reference(*args))}. Hint: {hint}")
        if integer and (not isinstance(received, (int, np.integer)) or isinstance(received, bool)):
            raise AssertionError(f"returned {received!r} ({type(received).__name__}); expected a whole number "
                                 "of steps (an int)")
        return received

    run_cases(name, student_function, [(args, reference(*args)) for args in cases], rtol=rtol, atol=atol, call=call)


def _agrees(received, expected, rtol, atol):
    try:
        assert_same("", received, expected, rtol=rtol, atol=atol)
    except (AssertionError, TypeError, ValueError):
        return False
    return True


def _brief(value):
    return np.array2string(np.asarray(value), precision=4, threshold=12) if np.ndim(value) else repr(value)
