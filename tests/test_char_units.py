"""Tests of lessons_src.char_units and of chapter 7's figures (lessons_src.plots.charlm)."""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lessons_src.char_units import FEATURES, text_features, tracking_units, unit_correlations
from lessons_src.plots import plot_perplexity, plot_temperature_entropy, plot_truncation, plot_unit_text


def test_features_of_a_small_text():
    text = "ab `c d` (e $x$)\n\n(f"
    features = text_features(text)
    assert list(features) == list(FEATURES)
    assert features["position in the line"].tolist() == list(range(1, 17)) + [0, 0, 1, 2]
    assert features["position in the word"].tolist() == [1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 4, 0, 0, 1, 2]
    code = features["inside `code`"]
    assert code[text.index("`")] == 1 and code[text.index("c")] == 1 and code[text.index("d") + 1] == 0
    math = features["inside $math$"]
    assert math[text.index("x")] == 1 and math[text.index("x") + 1] == 0 and math[text.index("e")] == 0
    depth = features["inside (brackets)"]
    assert depth[text.index("e")] == 1 and depth[text.index(")")] == 0
    assert depth[-2] == 1 and depth[text.index("\n") + 1] == 0      # a blank line closes the paragraph


def test_the_unit_that_follows_a_feature_is_found():
    rng = np.random.default_rng(0)
    feature = np.tile([0.0, 1.0, 2.0, 3.0], 25)
    states = rng.normal(size=(100, 6))
    states[:, 4] = -2.0 * feature + 0.1 * rng.normal(size=100)      # unit 4 falls as the feature rises
    states[:, 2] = 0.0                                               # a unit that never changes
    r = unit_correlations(states, feature)
    assert r[2] == 0.0 and r[4] < -0.99
    ranking = tracking_units(states, {"feature": feature, "noise": rng.normal(size=100), "constant": np.ones(100)})
    assert [row[:2] for row in ranking][0] == ("feature", 4) and len(ranking) == 2


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="text: expected a non-empty string"):
        text_features("")
    with pytest.raises(ValueError, match=r"feature: expected shape \(3,\)"):
        unit_correlations(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="feature: expected a feature that changes"):
        unit_correlations(np.ones((3, 2)), np.ones(3))


def test_every_figure_of_chapter_7_draws_without_warnings():
    history = {"step": [0, 10, 20], "train_perplexity": [90.0, 9.0, 5.0], "val_perplexity": [90.0, 10.0, 6.0]}
    text = "one `line`\nand (another)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figures = [
            plot_perplexity(history, {"uniform": 97.0, "bigram": 15.1}),
            plot_truncation([1, 2, 4], {"trained": [0.5, 0.3, 0.1]}, trained_with=2),
            plot_temperature_entropy([0.1, 1.0, 10.0], [0.1, 1.5, 4.0], vocab_size=97),
            plot_unit_text(text, np.linspace(-1, 1, len(text)), title="unit 3"),
        ]
    assert [len(figure.axes) for figure in figures] == [1, 1, 1, 2]   # the coloured text has its colour bar
    for figure in figures:
        plt.close(figure)
    with pytest.raises(ValueError, match="values: expected one value per character"):
        plot_unit_text(text, np.zeros(3))
    with pytest.raises(ValueError, match=r"errors\['x'\]: expected 3 values"):
        plot_truncation([1, 2, 4], {"x": [0.1]})
