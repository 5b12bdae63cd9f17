"""Tests of lessons_src.counting (chapter 5): the RNN module, accuracy by n, gradients through time, the counter measure.

The chapter's result itself (which n each trained model gets right) is asserted in chapter 5's cells, which nbval runs.
"""

import matplotlib
import numpy as np
import pytest
import torch
from rnn_twin import rnn_module_from_numpy
from torch import nn

from lessons_src.counting import (accuracy_by_n, count_like_units, count_readout, gradient_norms, unroll,
                                  written_counts)
from lessons_src.data import EOS, Vocabulary, make_batch, one_hot
from lessons_src.language import count_signal, counting_sequence, generate_dataset
from lessons_src.generate import complete, completion_accuracy
from lessons_src.rnn import init_rnn, rnn_forward
from lessons_src.torch_models import LSTMLanguageModel, RNNLanguageModel
from lessons_src.torch_train import torch_predictor, train_torch

matplotlib.use("Agg")
VOCAB = Vocabulary(["a", "b", EOS])

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def random_rnn_params(seed, vocab_size=4, hidden_size=6):
    rng = np.random.default_rng(seed)
    return {name: 0.8 * rng.standard_normal(p.shape) for name, p in init_rnn(vocab_size, hidden_size).items()}


def test_rnn_module_is_the_numpy_rnn_of_chapter_2():
    params = random_rnn_params(0)
    module = rnn_module_from_numpy(params)
    sequences = [counting_sequence(3), counting_sequence(1), ["a", "b", "b", "a", EOS]]
    inputs, _, mask = make_batch(sequences, VOCAB)
    expected, _ = rnn_forward(params, inputs)
    with torch.no_grad():
        logits = module(torch.from_numpy(inputs)).numpy()
        packed = module(torch.from_numpy(inputs), lengths=mask.sum(axis=0).astype(int)).numpy()
        h0 = np.random.default_rng(1).standard_normal((3, 6))
        with_state = module(torch.from_numpy(inputs), state=torch.from_numpy(h0)).numpy()
    np.testing.assert_allclose(logits, expected, rtol=0, atol=1e-12)
    real = mask.astype(bool)
    np.testing.assert_allclose(packed[real], expected[real], rtol=0, atol=1e-12)
    np.testing.assert_allclose(with_state, rnn_forward(params, inputs, h0=h0)[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("model_class, layer_class", [(RNNLanguageModel, nn.RNN), (LSTMLanguageModel, nn.LSTM)])
def test_a_seed_draws_the_weights_of_the_recurrent_layer_then_of_the_output_layer(model_class, layer_class):
    torch.manual_seed(3)
    module = model_class(np.int64(4), 5)                    # NumPy integers are sizes too
    torch.manual_seed(3)
    layer, output = layer_class(4, 5), nn.Linear(5, 4)
    expected = [(f"{module.layer_name}.{name}", p) for name, p in layer.named_parameters()]
    expected += [(f"output.{name}", p) for name, p in output.named_parameters()]
    assert [name for name, _ in module.named_parameters()] == [name for name, _ in expected]
    for (_, parameter), (_, reference) in zip(module.named_parameters(), expected):
        assert torch.equal(parameter, reference)
    assert module.layer is getattr(module, module.layer_name) and module.vocab_size == 4


def test_rnn_module_rejects_bad_input():
    module = RNNLanguageModel(4, 3)
    with pytest.raises(ValueError, match=r"inputs: expected .*\(T, B, V\) with V=4; got \(2, 4\)"):
        module(torch.zeros(2, 4))
    with pytest.raises(ValueError, match=r"state: expected None or a Tensor of shape \(B, H\) = \(2, 3\); got shape \(2, 5\)"):
        module(torch.zeros(3, 2, 4), state=torch.zeros(2, 5))
    with pytest.raises(ValueError, match="lengths"):
        module(torch.zeros(3, 2, 4), lengths=[4, 1])
    with pytest.raises(TypeError, match="hidden_size: expected a positive integer"):
        RNNLanguageModel(4, 2.5)
    with pytest.raises(ValueError, match="vocab_size: expected a positive integer; got 0"):
        RNNLanguageModel(0, 3)


def test_train_torch_trains_the_rnn_module():
    sequences = generate_dataset(64, max_n=3, seed=1)
    torch.manual_seed(0)
    module = RNNLanguageModel(len(VOCAB), 8)
    history = train_torch(module, sequences, sequences[:8], VOCAB, epochs=8, batch_size=16, lr=0.02, seed=0)
    assert history["train_loss"][-1] < 0.7 * history["train_loss"][0]


class RuleModel:
    """Writes ``b_count(n)`` b in all after a^n b, then ``a_count(n)`` a, then EOS."""

    def __init__(self, b_count=lambda n: n, a_count=lambda n: n):
        self.b_count, self.a_count = b_count, a_count

    def __call__(self, inputs):
        ids = np.argmax(inputs[:, 0], axis=-1).tolist()
        n = ids.index(1) if 1 in ids else len(ids)
        written = ["a"] * n + ["b"] * self.b_count(n) + ["a"] * self.a_count(n) + [EOS]
        next_token = written[len(ids)] if len(ids) < len(written) else "b"
        logits = np.zeros(inputs.shape)
        logits[-1, 0, VOCAB.index[next_token]] = 1.0
        return logits


def test_counting_sequence():
    assert counting_sequence(2) == ["a", "a", "b", "b", "a", "a", EOS]
    assert len(counting_sequence(30)) == 91
    with pytest.raises(ValueError, match="n: expected a positive integer; got 0"):
        counting_sequence(0)


def test_accuracy_by_n_and_written_counts_of_rule_models():
    ns = [1, 2, 3, 4, 5, 9]
    perfect = RuleModel()
    capped = RuleModel(lambda n: min(n, 4), lambda n: min(n, 4))
    np.testing.assert_array_equal(accuracy_by_n(perfect, VOCAB, ns), np.ones(6))
    np.testing.assert_array_equal(accuracy_by_n(capped, VOCAB, np.array(ns)), [1, 1, 1, 1, 0, 0])
    np.testing.assert_array_equal(written_counts(perfect, VOCAB, ns), np.column_stack([ns, ns]))
    np.testing.assert_array_equal(written_counts(capped, VOCAB, ns)[:, 0], [1, 2, 3, 4, 4, 4])
    # too many b: the run is cut by the length limit 2 (3n + 1), the a run is then empty
    np.testing.assert_array_equal(written_counts(RuleModel(lambda n: 10 * n), VOCAB, [2]), [[12, 0]])
    with pytest.raises(ValueError, match="ns: expected a non-empty list of positive integers"):
        accuracy_by_n(perfect, VOCAB, [])
    with pytest.raises(ValueError, match="ns: expected a non-empty list of positive integers"):
        written_counts(perfect, VOCAB, [0, 1])


def test_accuracy_by_n_agrees_with_completion_accuracy_on_a_torch_model():
    torch.manual_seed(3)
    model = torch_predictor(LSTMLanguageModel(len(VOCAB), 5))
    ns = list(range(1, 6))
    expected = [completion_accuracy(model, VOCAB, [counting_sequence(n)]) for n in ns]
    np.testing.assert_array_equal(accuracy_by_n(model, VOCAB, ns), expected)
    counts = written_counts(model, VOCAB, ns)
    for n, (b_run, a_run) in zip(ns, counts):
        written = complete(model, VOCAB, ["a"] * n + ["b"], max_len=6 * n + 2)[n:]
        assert written[:b_run] == ["b"] * b_run and written[b_run:b_run + a_run] == ["a"] * a_run
        assert written[b_run + a_run:b_run + a_run + 1] != ["a"]


@pytest.mark.parametrize("model_class", [RNNLanguageModel, LSTMLanguageModel])
def test_unroll_gives_the_states_of_the_module(model_class):
    torch.manual_seed(0)
    module = model_class(len(VOCAB), 5).double()
    inputs, _, _ = make_batch([counting_sequence(3), counting_sequence(3)[::-1]], VOCAB)
    inputs = torch.from_numpy(inputs)
    hidden, cells = unroll(module, inputs)
    assert len(hidden) == inputs.shape[0] and hidden[0].shape == (2, 5)
    assert (cells is None) == (model_class is RNNLanguageModel)
    with torch.no_grad():
        np.testing.assert_allclose(module.output(torch.stack(hidden)).numpy(), module(inputs).numpy(), rtol=0, atol=1e-12)
    if cells is not None:  # h_t = o_t * tanh(c_t) with o_t in (0, 1): |h_t| < |tanh(c_t)|
        assert (torch.stack(hidden).abs() < torch.stack(cells).tanh().abs() + 1e-15).all()
    with pytest.raises(ValueError, match=r"inputs: expected .*V=4; got \(3, 4\)"):
        unroll(module, torch.zeros(3, 4))
    with pytest.raises(TypeError, match="module: expected an RNNLanguageModel"):
        unroll(nn.Linear(4, 4), inputs)


@pytest.mark.parametrize("model_class", [RNNLanguageModel, LSTMLanguageModel])
def test_gradient_norms_match_gradients_taken_from_each_state(model_class):
    """dL/dh_{T-k} is the gradient of the loss of the module restarted from h_{T-k} on the remaining inputs."""
    torch.manual_seed(1)
    module = model_class(len(VOCAB), 4)
    tokens = counting_sequence(4)
    norms = gradient_norms(module, VOCAB, tokens)
    assert norms.shape == (len(tokens) - 1,) and norms.dtype == np.float64
    assert next(module.parameters()).dtype == torch.float32       # the module is left as it was
    assert all(p.grad is None for p in module.parameters())

    reference = module.double()
    ids = VOCAB.encode(tokens)
    inputs = torch.from_numpy(one_hot(ids[:-1], len(VOCAB))[:, None, :])
    target = torch.as_tensor(ids[-1:])
    steps = len(tokens) - 1
    with torch.no_grad():
        hidden, cells = unroll(reference, inputs)
    for k in (0, 1, 4, steps - 1):
        start = steps - k                                   # h_{T-k} is hidden[start - 1]
        h = hidden[start - 1].clone().requires_grad_(True)
        state = h if cells is None else (h, cells[start - 1])
        if k == 0:
            logits = reference.output(h)[None]
        else:
            logits = reference(inputs[start:], state=state)
        loss = nn.functional.cross_entropy(logits[-1], target)
        (gradient,) = torch.autograd.grad(loss, h)
        np.testing.assert_allclose(norms[k], gradient.norm().item(), rtol=1e-10)


def test_gradient_norms_rejects_bad_input():
    module = RNNLanguageModel(4, 3)
    with pytest.raises(ValueError, match="tokens: expected at least 2 tokens"):
        gradient_norms(module, VOCAB, ["a"])
    with pytest.raises(TypeError, match="vocab: expected a Vocabulary"):
        gradient_norms(module, ["a", "b"], ["a", "b"])
    with pytest.raises(TypeError, match="module: expected an RNNLanguageModel"):
        gradient_norms(nn.GRU(4, 3), VOCAB, ["a", "b"])


def test_count_signal_and_count_like_units():
    tokens = counting_sequence(3)[:-1]                      # a a a b b b a a a
    np.testing.assert_array_equal(count_signal(tokens), [1, 2, 3, 2, 1, 0, 0, 0, 0])
    rng = np.random.default_rng(0)
    states = rng.standard_normal((9, 5)) * 0.1
    states[:, 3] += 2.0 * count_signal(tokens)              # a counter
    states[:, 1] -= count_signal(tokens)                    # a counter with the opposite sign
    states[:, 4] = 0.5                                      # a constant unit: correlation 0, not NaN
    units, correlations = count_like_units(states, tokens, k=3)
    assert units[:2].tolist() == [3, 1]
    assert correlations[0] > 0.99 and correlations[1] < -0.98
    assert np.isfinite(correlations).all()
    with pytest.raises(ValueError, match=r"states: expected shape \(T, H\) with T=9"):
        count_like_units(states[:5], tokens)
    with pytest.raises(ValueError, match="k: expected at most H=5 units; got 6"):
        count_like_units(states, tokens, k=6)


def family(unit, ns):
    """The states of one unit over the sentences a^n b^n a^n, n in ns: ``unit(counts, steps)`` -> states."""
    states = []
    for n in ns:
        tokens = counting_sequence(n)[:-1]
        states.append(unit(count_signal(tokens), np.arange(1, len(tokens) + 1)))
    return states


COUNTER = lambda count, step: 0.3 - 0.7 * count                    # noqa: E731  any scale and offset
SWITCH = lambda count, step: np.tanh(3.0 * (count - 5.5))           # noqa: E731  flips when the count passes 5.5
SATURATED = lambda count, step: np.tanh(2.0 * count)                # noqa: E731  a counter saturated after 2
CLOCK = lambda count, step: 0.5 * step                              # noqa: E731  grows with every token


def test_count_readout_scores_a_counter_1_and_a_switch_or_a_clock_far_lower():
    ns = list(range(1, 13))
    rng = np.random.default_rng(0)
    noisy = family(lambda count, step: COUNTER(count, step) + 0.05 * rng.standard_normal(count.shape), ns)
    scores, readings = count_readout(family(COUNTER, ns), ns)
    assert scores.shape == (1,) and readings.shape == (1, 12, 2)
    np.testing.assert_allclose(scores, [1.0], atol=1e-12)
    np.testing.assert_allclose(readings[0], np.column_stack([ns, np.zeros(12)]), atol=1e-12)   # n, then 0
    assert count_readout(noisy, ns)[0][0] > 0.99
    switch, saturated, clock = (count_readout(family(unit, ns), ns)[0][0] for unit in (SWITCH, SATURATED, CLOCK))
    assert switch < 0.75 and saturated < 0.05 and clock < 0.0, (switch, saturated, clock)
    # a switch that only tells the a block from the b block scores 0, and reads the mean of ns after every a^n
    ab_switch = family(lambda count, step: np.where(np.arange(len(count)) < len(count) // 3, 1.0, -1.0), ns)
    scores, readings = count_readout(ab_switch, ns)
    np.testing.assert_allclose(scores, [0.0], atol=1e-12)
    np.testing.assert_allclose(readings[0, :, 0], np.full(12, 6.5))


def test_count_readout_scores_each_unit_of_a_state_and_uses_only_the_first_2n_steps():
    ns = [2, 3, 5, 8]
    units = (COUNTER, SWITCH, CLOCK, lambda count, step: np.zeros_like(count))
    states = [np.column_stack(columns) for columns in zip(*(family(unit, ns) for unit in units))]   # (3n, 4) each
    scores, _ = count_readout(states, ns)
    for column, unit in enumerate(units):
        np.testing.assert_allclose(scores[column], count_readout(family(unit, ns), ns)[0][0], atol=1e-12)
    assert scores[0] == scores.max() and scores[3] < 0.0        # a constant unit tells nothing: below a switch
    cut = [state[:2 * n] for state, n in zip(states, ns)]       # the a and b blocks are enough
    np.testing.assert_array_equal(count_readout(cut, ns)[0], scores)


def test_a_switch_correlates_with_the_count_over_one_sentence_but_reads_no_count():
    """Correlation over one sentence measures the shape, up then down: a switch has that shape too."""
    n, ns = 12, list(range(1, 13))
    tokens = counting_sequence(n)[:-1]
    states = np.column_stack([unit(count_signal(tokens), np.arange(1, 3 * n + 1)) for unit in (COUNTER, SWITCH)])
    _, correlations = count_like_units(states, tokens, k=2)
    assert abs(correlations[0]) > 0.99 and abs(correlations[1]) > 0.85
    scores = [count_readout(family(unit, ns), ns)[0][0] for unit in (COUNTER, SWITCH)]
    assert scores[0] > 0.99 > 0.75 > scores[1]


def test_count_readout_rejects_bad_input():
    states = [np.zeros((3, 2)), np.zeros((6, 2))]
    with pytest.raises(TypeError, match="states: expected a list of"):
        count_readout(np.zeros((6, 2)), [1, 2])
    with pytest.raises(ValueError, match="states: expected one array per n, 3 in all; got 2"):
        count_readout(states, [1, 2, 3])
    with pytest.raises(ValueError, match=r"states: expected for n=2 an array \(T, H\) with T >= 4"):
        count_readout([np.zeros((3, 2)), np.zeros((3, 2))], [1, 2])
    with pytest.raises(ValueError, match=r"H=2 like the first\); got shape \(6, 3\)"):
        count_readout([np.zeros((3, 2)), np.zeros((6, 3))], [1, 2])
    with pytest.raises(ValueError, match="ns: expected at least two different counts"):
        count_readout(states, [2, 2])
    with pytest.raises(ValueError, match="ns: expected a non-empty list of positive integers"):
        count_readout(states, [0, 1])

