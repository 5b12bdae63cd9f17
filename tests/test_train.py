"""The shared training loop: it learns, it is reproducible, it stops on NaN; and the
chapter's RNN reaches 100% greedy completion accuracy on the test split."""

import numpy as np
import pytest

from lessons_src.data import Vocabulary, make_batch, split_dataset
from lessons_src.functional import cross_entropy
from lessons_src.generate import completion_accuracy, numpy_predictor
from lessons_src.language import generate_dataset
from lessons_src.rnn import init_rnn, rnn_backward, rnn_forward
from lessons_src.train import evaluate, train

# The settings of book/02_recurrent_network.ipynb (keep them in step).
CHAPTER_SETTINGS = dict(hidden_size=16, epochs=60, batch_size=32, lr=0.01, optimizer="adam", max_norm=5.0)


@pytest.fixture(scope="module")
def splits():
    train_set, val_set, test_set = split_dataset(generate_dataset())
    return train_set, val_set, test_set, Vocabulary.from_sequences(train_set)


def test_chapter_settings_complete_every_test_sequence(splits):
    train_set, val_set, test_set, vocab = splits
    settings = dict(CHAPTER_SETTINGS)
    params = init_rnn(len(vocab), settings.pop("hidden_size"), seed=0)
    history = train(rnn_forward, rnn_backward, params, train_set, val_set, vocab, seed=0, **settings)
    assert len(history["train_loss"]) == len(history["val_loss"]) == CHAPTER_SETTINGS["epochs"]
    assert history["val_loss"][-1] < 0.25 < history["val_loss"][0]
    assert completion_accuracy(numpy_predictor(rnn_forward, params), vocab, test_set) == 1.0


def test_sgd_also_lowers_the_loss_and_params_change_in_place(splits):
    train_set, val_set, _, vocab = splits
    params = init_rnn(len(vocab), 8, seed=1)
    before = {k: v.copy() for k, v in params.items()}
    start = evaluate(rnn_forward, params, val_set, vocab)
    history = train(rnn_forward, rnn_backward, params, train_set, val_set, vocab,
                    epochs=5, lr=0.5, optimizer="sgd")
    assert history["val_loss"][-1] < start - 0.3
    assert all(not np.array_equal(params[k], before[k]) for k in params)


def test_training_is_reproducible(splits):
    train_set, val_set, _, vocab = splits
    results = []
    for _ in range(2):
        params = init_rnn(len(vocab), 6, seed=2)
        results.append((train(rnn_forward, rnn_backward, params, train_set, val_set, vocab,
                              epochs=2, lr=0.01, seed=7), params))
    assert results[0][0] == results[1][0]
    for name in results[0][1]:
        np.testing.assert_array_equal(results[0][1][name], results[1][1][name])


def test_evaluate_is_the_mean_over_real_positions_whatever_the_batching(splits):
    _, val_set, _, vocab = splits
    params = init_rnn(len(vocab), 5, seed=3)
    inputs, targets, mask = make_batch(val_set, vocab)
    expected, _ = cross_entropy(rnn_forward(params, inputs)[0], targets, mask)
    assert evaluate(rnn_forward, params, val_set, vocab) == pytest.approx(expected, rel=1e-12)
    assert evaluate(rnn_forward, params, val_set, vocab, batch_size=3) == pytest.approx(expected, rel=1e-12)


def test_a_nan_loss_stops_training_naming_the_epoch(splits):
    train_set, val_set, _, vocab = splits
    calls = []

    def forward_that_breaks(params, inputs):
        calls.append(1)
        logits, cache = rnn_forward(params, inputs)
        if len(calls) > 12:  # 7 training batches + 1 validation batch per epoch: breaks in epoch 2
            logits = logits * np.nan
        return logits, cache

    params = init_rnn(len(vocab), 4)
    with pytest.raises(FloatingPointError, match="epoch 2"):
        train(forward_that_breaks, rnn_backward, params, train_set, val_set, vocab, epochs=3, lr=0.01)


@pytest.mark.parametrize("change, message", [
    (dict(epochs=0), "epochs"),
    (dict(batch_size=0), "batch_size"),
    (dict(lr=0.0), "lr"),
    (dict(lr=-0.1), "lr"),
    (dict(optimizer="rmsprop"), "optimizer"),
    (dict(max_norm=-1.0), "max_norm"),
    (dict(train_sequences=[]), "train_sequences"),
    (dict(val_sequences="a b a"), "val_sequences"),
    (dict(vocab=["a", "b"]), "vocab"),
    (dict(forward=None), "forward"),
])
def test_bad_arguments_are_named(splits, change, message):
    train_set, val_set, _, vocab = splits
    arguments = dict(forward=rnn_forward, backward=rnn_backward, params=init_rnn(len(vocab), 3),
                     train_sequences=train_set, val_sequences=val_set, vocab=vocab, epochs=1, lr=0.01)
    arguments.update(change)
    with pytest.raises((ValueError, TypeError), match=message):
        train(**arguments)


def test_train_minimises_the_loss_it_is_given(splits):
    train_set, val_set, _, vocab = splits
    calls = []

    def counting_cross_entropy(logits, targets, mask):
        calls.append(mask.sum())
        return cross_entropy(logits, targets, mask)

    params = init_rnn(len(vocab), 4)
    train(rnn_forward, rnn_backward, params, train_set, val_set, vocab, epochs=2, lr=0.01, loss=counting_cross_entropy)
    real_positions = sum(len(s) - 1 for s in train_set)
    assert len(calls) == 2 * 7 and sum(calls) == 2 * real_positions
    with pytest.raises(TypeError, match="loss"):
        train(rnn_forward, rnn_backward, params, train_set, val_set, vocab, epochs=1, lr=0.01, loss="mse")


def test_plot_losses_draws_two_curves_per_history():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lessons_src.plots import plot_losses

    histories = {"Adam": {"train_loss": [3.0, 2.0, 1.0], "val_loss": [3.1, 2.1, 1.5]},
                 "SGD": {"train_loss": [3.0, 2.5], "val_loss": [3.0, 2.6]}}
    fig = plot_losses(histories, title="t", log_scale=True)
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["Adam (train)", "Adam (validation)", "SGD (train)", "SGD (validation)"]
    assert list(lines[1].get_ydata()) == [3.1, 2.1, 1.5] and list(lines[3].get_xdata()) == [1, 2]
    assert lines[0].get_color() == lines[1].get_color() != lines[2].get_color()
    plt.close(fig)
    with pytest.raises(ValueError, match="histories\\['x'\\]"):
        plot_losses({"x": {"train_loss": [1.0]}})
