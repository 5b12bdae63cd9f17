"""The checks of chapter 4 accept right answers and reject typical wrong ones, naming the case and the mistake.

Every answer is written as a student writes it: source code run as a notebook cell (``__name__ == "__main__"``).
"""

import textwrap

import pytest
import torch
from torch.nn.utils.rnn import pad_sequence

from lessons_src.checks import (check_collate, check_last_states, check_set_forget_bias,
                                check_stacked_lstm_parameter_count)
from lessons_src.torch_data import IGNORE_INDEX

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def student(source):
    """The one function that ``source`` defines, run as a notebook cell."""
    namespace = {"__name__": "__main__", "torch": torch, "pad_sequence": pad_sequence, "IGNORE_INDEX": IGNORE_INDEX}
    before = set(namespace)
    exec(compile(textwrap.dedent(source), "<answer cell>", "exec"), namespace)
    (name,) = set(namespace) - before - {"__builtins__"}
    return namespace[name]


COUNT = "def stacked_lstm_parameter_count(V, H, L):\n    return {}\n"
FORGET = "def set_forget_bias(module, value):\n    H = module.lstm.hidden_size\n    with torch.no_grad():\n{}\n"
COLLATE = ("def collate(items):\n    inputs = pad_sequence([x for x, _ in items])\n"
           "    targets = pad_sequence([y for _, y in items], padding_value={})\n"
           "    return inputs, targets, torch.tensor([len(y) for _, y in items])\n")
LAST = "def last_states(outputs, lengths):\n    return {}\n"

RIGHT = [
    (check_stacked_lstm_parameter_count, COUNT.format("4 * H * (V + H + 2) + (L - 1) * 4 * H * (2 * H + 2) + H * V + V"),
     "stacked_lstm_parameter_count: 7 of 7 cases correct"),
    (check_set_forget_bias, FORGET.format("        module.lstm.bias_ih_l0[H:2 * H] = value\n"
                                          "        module.lstm.bias_hh_l0[H:2 * H] = 0.0"),
     "set_forget_bias: 4 of 4 cases correct"),
    (check_set_forget_bias, FORGET.format("        half = value / 2\n        module.lstm.bias_ih_l0[H:2 * H] = half\n"
                                          "        module.lstm.bias_hh_l0[H:2 * H] = half"),
     "set_forget_bias: 4 of 4 cases correct"),
    (check_collate, COLLATE.format("IGNORE_INDEX"), "collate: 4 of 4 cases correct"),
    (check_last_states, LAST.format("outputs[lengths - 1, torch.arange(outputs.shape[1])]"),
     "last_states: 5 of 5 cases correct"),
    (check_last_states, LAST.format("torch.stack([outputs[n - 1, b] for b, n in enumerate(lengths)]).numpy()"),
     "last_states: 5 of 5 cases correct"),
]


@pytest.mark.parametrize("check, source, line", RIGHT)
def test_right_answers_pass(check, source, line, capsys):
    check(student(source))
    assert capsys.readouterr().out.strip() == line


WRONG = [
    (check_stacked_lstm_parameter_count, COUNT.format("4 * H * (V + H + 1) + (L - 1) * 4 * H * (2 * H + 1) + H * V + V"),
     r"stacked_lstm_parameter_count\(4, 16, 1\) returned 1412; expected 1476.*two bias vectors"),
    (check_stacked_lstm_parameter_count, COUNT.format("L * 4 * H * (V + H + 2) + H * V + V"),
     r"stacked_lstm_parameter_count\(4, 16, 2\).*only the first layer reads"),
    (check_stacked_lstm_parameter_count, COUNT.format("4 * H * (V + H + 2) + (L - 1) * 4 * H * (2 * H + 2)"),
     r"stacked_lstm_parameter_count\(4, 16, 1\).*nn.Linear\(H, V\)"),
    (check_stacked_lstm_parameter_count, COUNT.format("4 * H * (V + H + 2) + (L - 1) * 4 * H * (2 * H + 2) + L * (H * V + V)"),
     r"stacked_lstm_parameter_count\(4, 16, 2\).*one output layer"),
    (check_set_forget_bias, FORGET.format("        module.lstm.bias_ih_l0[:H] = value\n"
                                          "        module.lstm.bias_hh_l0[:H] = 0.0"),
     r"set_forget_bias\(LSTMLanguageModel.*, 1.0\).*bias_ih_l0 \+ bias_hh_l0.*order i, f, g, o"),
    (check_set_forget_bias, FORGET.format("        module.lstm.bias_ih_l0[H:2 * H] = value\n"
                                          "        module.lstm.bias_hh_l0[H:2 * H] = value"),
     r"set_forget_bias\(.*2 \* value"),
    (check_set_forget_bias, FORGET.format("        module.lstm.bias_ih_l0[H:2 * H] = value"),
     r"set_forget_bias\(.*adds bias_hh_l0 too"),
    (check_set_forget_bias, FORGET.format("        bias = module.lstm.bias_ih_l0.detach().clone()\n"
                                          "        bias[H:2 * H] = value - module.lstm.bias_hh_l0[H:2 * H]\n"
                                          "    module.lstm.bias_ih_l0 = torch.nn.Parameter(bias, requires_grad=False)"),
     r"set_forget_bias\(.*in place"),
    (check_collate, COLLATE.format("0"), r"collate\(\[\(tensor.*IGNORE_INDEX\) would count them"),
    (check_collate, "def collate(items):\n    inputs = pad_sequence([x for x, _ in items], batch_first=True)\n"
                        "    targets = pad_sequence([y for _, y in items], batch_first=True, padding_value=IGNORE_INDEX)\n"
                        "    return inputs, targets, torch.tensor([len(y) for _, y in items])\n",
     r"collate\(.*time first"),
    (check_collate, "def collate(items):\n    inputs = pad_sequence([x for x, _ in items])\n"
                        "    targets = pad_sequence([y for _, y in items], padding_value=IGNORE_INDEX)\n"
                        "    return inputs, targets, torch.full((len(items),), inputs.shape[0])\n",
     r"collate\(.*before padding"),
    (check_collate, "def collate(items):\n    return [x for x, _ in items]\n", r"collate\(.*expected a tuple"),
    (check_last_states, LAST.format("outputs[-1]"), r"last_states\(tensor.*run on over padding"),
    (check_last_states, LAST.format("outputs[lengths - 1]"), r"last_states\(.*pair each length with its own column"),
    (check_last_states, LAST.format("outputs[lengths - 2, torch.arange(outputs.shape[1])]"),
     r"last_states\(.*not lengths\[b\] - 2"),
]


@pytest.mark.parametrize("check, source, message", WRONG)
def test_typical_wrong_answers_are_rejected_naming_the_case_and_the_mistake(check, source, message):
    with pytest.raises(AssertionError, match=message):
        check(student(source))


@pytest.mark.parametrize("check", [check_stacked_lstm_parameter_count, check_set_forget_bias, check_collate,
                                   check_last_states])
def test_an_unfinished_exercise_raises_not_implemented_error(check):
    with pytest.raises(NotImplementedError):
        check(student("def answer(*args):\n    raise NotImplementedError()\n"))


def test_an_answer_that_does_nothing_fails_naming_the_case():
    with pytest.raises(AssertionError, match=r"set_forget_bias\(LSTMLanguageModel"):
        check_set_forget_bias(student("def set_forget_bias(module, value):\n    return None\n"))
