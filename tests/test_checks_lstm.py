"""The checks of chapter 3 accept the right answers, reject typical wrong ones with the hint for each, and say which
parameter and which time step is wrong.

Every answer is handed over as a student's (``as_student`` / ``student_function``: defined in ``__main__``, as in a
notebook).
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from student_code import as_student, student_function

from lessons_src import checks
from lessons_src.checks import _lstm_mistakes as mistakes
from lessons_src.checks._lstm_diagnosis import PLANTED_MISTAKE, _sequence_case
from lessons_src.functional import sigmoid
from lessons_src.lstm import GATES, lstm_backward, lstm_step_backward, unstack_gates

CHAPTER = Path(__file__).parent.parent / "book" / "03_lstm_gates.ipynb"


def not_implemented(*args):
    raise NotImplementedError()


def right_steps_to_forget(f, threshold=1e-3):
    return int(np.floor(np.log(threshold) / np.log(f))) + 1


def right_parameter_count(V, H):
    return 4 * (H * V + H * H + H) + V * H + V


def test_steps_to_forget(grade):
    grade(checks.check_steps_to_forget, right_steps_to_forget,
          [lambda f, threshold=1e-3: int(np.floor(np.log(threshold) / np.log(f))),     # the last step, not the first
           lambda f, threshold=1e-3: np.log(threshold) / np.log(f),                      # not rounded
           lambda f, threshold=1e-3: int(np.ceil(np.log10(threshold) / np.log(f)))],     # two bases mixed
          not_implemented, match=r"steps_to_forget\(0\.731.*, 0\.001\) returned .*; expected 23")


@pytest.mark.parametrize("wrong, hint", [
    (lambda f, threshold=1e-3: int(np.log(threshold) / np.log(f)), "the last step at which at least"),
    (lambda f, threshold=1e-3: right_steps_to_forget(f, threshold) + 1, "one step too many"),
    (lambda f, threshold=1e-3: np.log(f) / np.log(threshold), "a count is a whole number"),
    (lambda f, threshold=1e-3: np.log(threshold) / -np.log(f), "their ratio is positive"),
])
def test_steps_to_forget_hints(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        checks.check_steps_to_forget(as_student(wrong, "steps_to_forget"))


def test_a_loop_that_counts_the_steps_passes_too(capsys):
    loop = student_function("""
        def steps_to_forget(f, threshold=1e-3):
            k, left = 1, f
            while left >= threshold:
                k, left = k + 1, left * f
            return k
    """)
    checks.check_steps_to_forget(loop)
    assert capsys.readouterr().out == "steps_to_forget: 6 of 6 cases correct\n"


@pytest.mark.parametrize("wrong, hint", [
    (lambda V, H: right_parameter_count(V, H) + 4 * H, "PyTorch's nn.LSTM has two"),
    (lambda V, H: right_parameter_count(V, H) - V, "b_y"),
    (lambda V, H: 4 * (H * V + H * H + H), "the output layer"),
    (lambda V, H: 4 * (H * V + H * H) + V * H + V, "the gates' biases"),
    (lambda V, H: H * V + H * H + H + V * H + V, "four gates"),
])
def test_parameter_count(wrong, hint, grade):
    grade(checks.check_lstm_parameter_count, right_parameter_count, [wrong], not_implemented,
          match=rf"lstm_parameter_count\(4, 16\) returned \d+; expected 1412. Hint: .*{hint}")


# One step back --------------------------------------------------------------------------------------------------


STEP_EXPECTATIONS = {  # mistake -> what the message must say is wrong (a regular expression)
    "no sigmoid'": r"grads\['W_x'\] in the rows of gates i, f, o",
    "no forget sigmoid'": r"grads\['W_x'\] in the rows of gate f;",
    "sigmoid' of the gate's value": r"rows of gates i, f, o",
    "no tanh' of g": r"grads\['W_x'\] in the rows of gate g;",
    "tanh' of g's value": r"rows of gate g;",
    "i and f swapped": r"dh_prev; dc_prev",
    "c_t for c_prev": r"rows of gate f;.* Right: dc_prev",
    "no h path into c": r"dc_prev",
    "no tanh' of c": r"dc_prev",
    "no forget shortcut": r"wrong: dc_prev\. Right: grads\['W_x'\], grads\['W_h'\], grads\['b'\], dh_prev",
    "dc_prev from the incoming dc": r"wrong: dc_prev\.",
}


def test_every_step_mistake_has_an_expectation():
    assert set(STEP_EXPECTATIONS) == set(mistakes.STEP_MISTAKES)


def with_step_mistake(mistake):
    def lstm_step_backward(weights, dh, dc, cache):
        return mistakes.step_backward_with(weights, dh, dc, cache, mistake)
    return lstm_step_backward


def test_step_backward(grade, capsys):
    grade(checks.check_lstm_step_backward, lstm_step_backward,
          [with_step_mistake("no forget sigmoid'"), with_step_mistake("i and f swapped"),
           lambda weights, dh, dc, cache: lstm_step_backward(weights, dh, dc, cache)[:2]],
          not_implemented, match=r"lstm_step_backward\(weights, dh, dc, cache\) with B = 1, V = 3, H = 2")


@pytest.mark.parametrize("mistake", list(mistakes.STEP_MISTAKES))
def test_step_backward_names_the_wrong_parts_and_the_mistake(mistake):
    with pytest.raises(AssertionError) as failure:
        checks.check_lstm_step_backward(as_student(with_step_mistake(mistake), "lstm_step_backward"))
    message = str(failure.value)
    assert "with B = 1, V = 3, H = 2: wrong: " in message
    assert "largest difference at " in message and "expected " in message and "received " in message
    assert re.search(STEP_EXPECTATIONS[mistake], message), message
    assert f"Hint: your result is that of a step backward in which {mistakes.STEP_MISTAKES[mistake]}." in message
    assert "The gradient check agrees (relative error against finite differences" in message


@pytest.mark.parametrize("wrong, message", [
    (lambda weights, dh, dc, cache: None, r"returned None: expected a tuple \(grads, dh_prev, dc_prev\)"),
    (lambda weights, dh, dc, cache: (unstack_gates(lstm_step_backward(weights, dh, dc, cache)[0]),
                                     *lstm_step_backward(weights, dh, dc, cache)[1:]),
     r"grads: expected a dict with the keys 'W_x', 'W_h', 'b'"),
    (lambda weights, dh, dc, cache: ({key: value.T for key, value in lstm_step_backward(weights, dh, dc, cache)[0].items()},
                                     *lstm_step_backward(weights, dh, dc, cache)[1:]),
     r"grads\['W_x'\]: expected shape \(8, 3\); got \(3, 8\) \(the weights are stored \(out_features, in_features\)"),
])
def test_step_backward_explains_a_wrong_form(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_lstm_step_backward(as_student(wrong, "lstm_step_backward"))


# The whole backward pass ----------------------------------------------------------------------------------------


def with_mistake(mistake):
    def backward(params, cache, dlogits):
        return mistakes.backward_with(params, cache, dlogits, mistake)
    return backward


def test_backward_through_time(grade):
    grade(checks.check_backward_through_time, lstm_backward,
          [with_mistake("nothing from t+1"), with_mistake("no forget sigmoid'"), with_mistake("zero initial state"),
           lambda params, cache, dlogits: {name: grad.T for name, grad in lstm_backward(params, cache, dlogits).items()}],
          not_implemented, match=r"backward_through_time\(params, cache, dlogits\) with T = \d")


@pytest.mark.parametrize("mistake", list(mistakes.LOOP_MISTAKES) + list(mistakes.STEP_MISTAKES))
def test_backward_names_the_parameters_the_time_step_and_the_mistake(mistake):
    with pytest.raises(AssertionError) as failure:
        checks.check_backward_through_time(as_student(with_mistake(mistake), "backward_through_time"))
    message = str(failure.value)
    # in a whole backward pass, a dc_prev made from the incoming dc alone is zero at every step: no dc from t+1
    same_as = {"dc_prev from the incoming dc": "no dc from t+1"}.get(mistake, mistake)
    hint = {**mistakes.LOOP_MISTAKES, **mistakes.STEP_MISTAKES}[same_as]
    assert f"Hint: your gradients are those of a backward pass in which {hint}." in message
    assert "are wrong" in message and "largest difference at " in message
    assert "The gradient check agrees" in message
    if mistake in ("nothing from t+1", "no dh from t+1", "no dc from t+1", "no forget shortcut",
                   "dc_prev from the incoming dc"):
        # right for one step: found on the padded batch, where the loss at step 1 alone is the first to go wrong
        assert "with T = 4" in message
        assert "right when the loss is at step 0 alone and wrong when it is at step 1 alone" in message
    else:
        assert "with T = 1" in message


def test_the_gradient_check_in_the_message_flags_exactly_the_wrong_parameters():
    with pytest.raises(AssertionError) as failure:
        checks.check_backward_through_time(as_student(with_mistake("c_t for c_prev"), "backward_through_time"))
    message = str(failure.value)
    assert "the gradients of W_xf, W_hf, b_f are wrong" in message
    errors = dict(part.split() for part in message.split("below 1e-6): ")[1].rstrip(".").split(", "))
    assert set(errors) == {"W_xf", "W_hf", "b_f"} and all(float(error) > 1e-2 for error in errors.values())


def test_a_mistake_that_shows_only_in_longer_sequences_is_found_there():
    """An answer right for T = 1 and wrong for longer sequences fails on the padded batch (T = 4), and the message
    says where the loss first gives wrong gradients."""
    def forgets_after_padding(params, cache, dlogits):
        grads = lstm_backward(params, cache, dlogits)
        return {**grads, "W_hy": grads["W_hy"] * 1.5} if len(dlogits) > 1 else grads
    with pytest.raises(AssertionError, match="W_hy are wrong.*already wrong when the loss is at step 0 alone"):
        checks.check_backward_through_time(as_student(forgets_after_padding, "backward_through_time"))


def test_the_bug_hunt(grade):
    grade(checks.check_fixed_lstm_backward, lstm_backward, [with_mistake(PLANTED_MISTAKE), with_mistake("no dh from t+1")],
          not_implemented, match=r"fixed_lstm_backward\(params, cache, dlogits\) with T = \d")
    with pytest.raises(AssertionError, match="the planted mistake is still there") as failure:
        checks.check_fixed_lstm_backward(as_student(with_mistake(PLANTED_MISTAKE), "fixed_lstm_backward"))
    assert "c_{t-1}" not in str(failure.value) and "forget" not in str(failure.value)   # the hunt is not given away
    with pytest.raises(AssertionError, match="Hint: your gradients are those of a backward pass in which the hidden"):
        checks.check_fixed_lstm_backward(as_student(with_mistake("no dh from t+1"), "fixed_lstm_backward"))


def chapter_cell(start):
    """The source of the chapter's code cell that starts with ``start``."""
    cells = json.loads(CHAPTER.read_text())["cells"]
    sources = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    found = [source for source in sources if source.startswith(start)]
    assert len(found) == 1, f"expected one code cell of chapter 3 starting with {start!r}; found {len(found)}"
    return found[0]


def test_the_chapters_suspect_backward_makes_the_planted_mistake_and_no_other():
    namespace = {"np": np, "GATES": GATES, "__name__": "__main__"}
    exec(chapter_cell("def suspect_backward("), namespace)
    suspect = namespace["suspect_backward"]
    for seed, sizes in enumerate([(1, 2, 3, 2), (4, 3, 3, 2), (6, 2, 4, 3)]):
        params, cache, dlogits = _sequence_case(seed, *sizes)
        planted, received = mistakes.backward_with(params, cache, dlogits, PLANTED_MISTAKE), suspect(params, cache, dlogits)
        for name in params:
            np.testing.assert_allclose(received[name], planted[name], rtol=1e-10, atol=1e-12, err_msg=name)
    with pytest.raises(AssertionError, match="the planted mistake is still there"):
        checks.check_fixed_lstm_backward(student_function(chapter_cell("def suspect_backward(").replace(
            "def suspect_backward(", "def fixed_lstm_backward("), np=np, GATES=GATES))


def test_the_cases_are_far_from_a_rounding_boundary():
    """steps_to_forget's cases: f**k is not within rounding of the threshold for any k near the answer."""
    for f, threshold in [(float(sigmoid(1.0)), 1e-3), (0.5, 1e-3), (0.9, 1e-3), (0.95, 1e-3), (0.99, 1e-2), (0.3, 0.5)]:
        ratio = np.log(threshold) / np.log(f)
        assert abs(ratio - round(ratio)) > 1e-6, (f, threshold)


def test_planted_mistakes_are_all_different_and_the_reference_is_the_library():
    params, cache, dlogits = _sequence_case(1, 4, 3, 3, 2)
    reference = lstm_backward(params, cache, dlogits)
    results = {None: mistakes.backward_with(params, cache, dlogits)}
    for mistake in [*mistakes.LOOP_MISTAKES, *mistakes.STEP_MISTAKES]:
        if mistake != "dc_prev from the incoming dc":        # the same as "no dc from t+1" over a whole sequence
            results[mistake] = mistakes.backward_with(params, cache, dlogits, mistake)
    for name in params:
        np.testing.assert_allclose(results[None][name], reference[name], rtol=1e-12, atol=1e-14)
    flat = {mistake: np.concatenate([grads[name].ravel() for name in params]) for mistake, grads in results.items()}
    names = list(flat)
    for k, one in enumerate(names):
        for other in names[k + 1:]:
            assert not np.allclose(flat[one], flat[other]), (one, other)
