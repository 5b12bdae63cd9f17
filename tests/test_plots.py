"""Every figure function draws: a Figure with the expected number of Axes, and no warning on the way."""

import inspect
import warnings

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from lessons_src import plots  # noqa: E402
from lessons_src.language import counting_sequence  # noqa: E402
from lessons_src.lstm import init_lstm, lstm_forward  # noqa: E402

RNG = np.random.default_rng(0)
TOKENS = counting_sequence(2)[:-1]          # a a b b a a
HISTORY = {"train_loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.7, 0.5]}


def lstm_cache():
    _, cache = lstm_forward(init_lstm(4, 3), np.eye(4)[RNG.integers(0, 4, (len(TOKENS), 2))])
    return cache


def lstm_module():
    torch = pytest.importorskip("torch")
    from lessons_src.torch_models import LSTMLanguageModel

    torch.manual_seed(0)
    return LSTMLanguageModel(4, 3)


STEP_TIMES = [{"numpy": 2e-3, "torch float64": 3e-3, "torch float32": 1e-3}] * 2
# function name -> (a function returning the arguments, the number of Axes of the figure: panels and colour bars)
CASES = {
    "plot_one_hot": (lambda: (np.eye(3)[[0, 1, 2, 0]], ["a", "b", "EOS", "a"], ["a", "b", "EOS"]), 1),
    "plot_losses": (lambda: ({"RNN": HISTORY, "LSTM": HISTORY},), 1),
    "plot_gradient_check_errors": (lambda: ([1e-2, 1e-4, 1e-6, 1e-8], {"W_hh": [1e-4, 1e-8, 1e-9, 1e-7],
                                                                     "b_y": [1e-5, 1e-9, 1e-9, 1e-8]}), 1),
    "plot_gates": (lambda: (lstm_cache(), TOKENS), 8),
    "plot_counter": (lambda: ([np.arange(4.0), np.arange(6.0)], ["n = 1", "n = 2"], 0), 1),
    "plot_lstm_layout": (lambda: (lstm_module(),), 5),
    "plot_step_times": (lambda: ({"batch size": ([8, 32], STEP_TIMES), "hidden size": ([20, 50], STEP_TIMES)},), 2),
    "plot_accuracy_by_n": (lambda: ([1, 2, 3], {"RNN": np.array([[1, 1, 0], [1, 0, 0]])},
                                    {"RNN": np.array([[1, 2, 2], [1, 2, 4]])}, 2), 2),
    "plot_count_units": (lambda: ([("RNN", RNG.standard_normal((6, 2)), [0, 3], "h"),
                                   ("LSTM", RNG.standard_normal((6, 2)), [1, 2], "c")], TOKENS), 2),
    "plot_count_readout": (lambda: ([1, 2, 3], [("RNN", RNG.standard_normal((2, 3, 2)), ["unit 0", "unit 4"]),
                                                ("LSTM", RNG.standard_normal((1, 3, 2)), ["unit 1"])], 2), 2),
    "plot_gradient_norms": (lambda: ({"untrained": {"RNN": RNG.uniform(0.1, 1, (3, 5))},
                                      "trained": {"RNN": RNG.uniform(0.1, 1, (3, 5))}},), 2),
    "plot_perplexity": (lambda: ({"step": [1, 2], "train_perplexity": [9.0, 5.0], "val_perplexity": [9.5, 6.0]},
                                 {"unigram": 8.0}), 1),
    "plot_truncation": (lambda: ([1, 4, 16], {"untrained": [0.9, 0.5, 0.1]}, 4), 1),
    "plot_temperature_entropy": (lambda: ([0.5, 1.0, 2.0], [0.5, 1.0, 1.5], 4), 1),
    "plot_unit_text": (lambda: ("ab\nc", RNG.standard_normal(4)), 2),
}


def test_every_plot_function_has_a_case():
    functions = {name for name, _ in inspect.getmembers(plots, inspect.isfunction) if name.startswith("plot_")}
    assert functions == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_plot_draws_its_axes_without_warning(name):
    make_args, axes = CASES[name]
    args = make_args()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = getattr(plots, name)(*args)
    assert isinstance(figure, matplotlib.figure.Figure)
    assert len(figure.axes) == axes
    plt.close(figure)
