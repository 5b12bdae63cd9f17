"""Tests of lessons_src.torch_charlm and lessons_src.torch_tbptt: the model, its states, truncated BPTT."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lessons_src.data import one_hot
from lessons_src.lstm import FORGET_BIAS
from lessons_src.torch_charlm import CharLanguageModel, evaluate_perplexity, flat_gradient, lstm_states, stepper
from lessons_src.torch_tbptt import cosine_similarity, detach, train_tbptt, truncated_gradient

pytestmark = pytest.mark.usefixtures("one_torch_thread")

IDS = np.random.default_rng(0).integers(0, 6, 40)


def model(seed=0, vocab_size=6, embedding_size=3, hidden_size=5):
    return CharLanguageModel(vocab_size, embedding_size, hidden_size, seed=seed)


def full_loss(module, ids):
    logits, _ = module(torch.from_numpy(ids[:-1, None]))
    return F.cross_entropy(logits[:, 0], torch.from_numpy(ids[1:]))


def test_weights_are_float64_drawn_by_numpy_from_the_seed():
    a, b, c = model(0), model(0), model(1)
    for (name, p), q, r in zip(a.named_parameters(), b.parameters(), c.parameters()):
        assert p.dtype == torch.float64, name
        assert torch.equal(p, q), name
        assert "bias" in name or not torch.equal(p, r), name
    forget = a.lstm.bias_ih_l0[5:10]
    assert torch.all(forget == FORGET_BIAS) and a.lstm.bias_ih_l0[:5].abs().sum() == 0 and a.lstm.bias_hh_l0.abs().sum() == 0
    assert a.lstm.weight_hh_l0.abs().max() <= 1 / math.sqrt(5)


def test_the_embedding_is_the_one_hot_product():
    module = model()
    ids = torch.tensor([[0, 5], [3, 3]])
    table = module.embedding.weight.detach().numpy()                # (V, E): one row per character
    assert np.array_equal(module.embedding(ids).detach().numpy(), one_hot(ids.numpy(), 6) @ table)


def test_forward_carries_the_state_exactly():
    module = model()
    ids = torch.from_numpy(IDS[:, None])
    whole, (h, c) = module(ids)
    first, state = module(ids[:15])
    second, state = module(ids[15:], state)
    assert whole.shape == (40, 1, 6) and h.shape == c.shape == (1, 5)
    assert torch.allclose(torch.cat([first, second]), whole, rtol=0, atol=1e-14)
    assert torch.allclose(state[1], c, rtol=0, atol=1e-14)


def test_evaluate_perplexity_is_exp_of_the_mean_loss_whatever_the_chunks():
    module = model()
    expected = math.exp(full_loss(module, IDS).item())
    assert evaluate_perplexity(module, IDS) == pytest.approx(expected, rel=1e-12)
    assert evaluate_perplexity(module, IDS, chunk_length=7) == pytest.approx(expected, rel=1e-12)


def test_lstm_states_give_the_cell_states_of_nn_lstm():
    module = model(seed=2)
    h, c = lstm_states(module, IDS)
    assert h.shape == c.shape == (40, 5)
    for t in (0, 17, 39):
        _, (h_t, c_t) = module(torch.from_numpy(IDS[: t + 1, None]))
        assert np.allclose(h[t], h_t[0].detach().numpy(), atol=1e-13)
        assert np.allclose(c[t], c_t[0].detach().numpy(), atol=1e-13)


def test_stepper_writes_what_the_whole_sequence_gives():
    module = model()
    step, state = stepper(module), None
    for t, token in enumerate(IDS[:5]):
        logits, state = step(token, state)
    whole, _ = module(torch.from_numpy(IDS[:5, None]))
    assert np.allclose(logits, whole[4, 0].detach().numpy(), atol=1e-14)


def test_truncation_keeps_the_loss_and_changes_the_gradient():
    module = model(seed=3)
    loss, full = truncated_gradient(module, IDS, 39)
    module.zero_grad()
    reference = full_loss(module, IDS)
    reference.backward()
    assert loss == pytest.approx(reference.item(), rel=1e-13)
    assert np.allclose(full, flat_gradient(module), rtol=1e-12, atol=1e-15)
    assert np.array_equal(truncated_gradient(module, IDS, 1000)[1], full)
    for k in (1, 5, 20):
        loss_k, gradient_k = truncated_gradient(module, IDS, k)
        assert loss_k == pytest.approx(loss, rel=1e-13)
        assert 0.3 < cosine_similarity(gradient_k, full) < 1 - 1e-6
    errors = [np.linalg.norm(truncated_gradient(module, IDS, k)[1] - full) for k in (1, 2, 4, 8, 16, 39)]
    assert errors[-1] == 0.0 and errors[0] > errors[4] > 0.0     # not always falling in between (a small random model)


def test_detach_keeps_values_and_cuts_the_graph():
    h = torch.ones(2, 3, requires_grad=True) * 2
    cut = detach((h, h))
    assert torch.equal(cut[0], h) and not cut[0].requires_grad and detach(None) is None


def test_train_tbptt_lowers_the_perplexity_and_reports_every_eval():
    text = np.tile(np.array([0, 1, 2, 3, 1, 2, 4]), 60)
    module = CharLanguageModel(5, 4, 16, seed=0)
    calls = []
    history = train_tbptt(module, text[:350], text[350:], steps=60, batch_size=4, chunk_length=8, lr=0.02,
                          eval_every=25, callback=lambda step, m: calls.append(step))
    assert history["step"] == calls == [0, 25, 50, 60]
    assert history["val_perplexity"][-1] < 1.5 < 4.0 < history["val_perplexity"][0]
    assert len(history["train_perplexity"]) == 4


def test_train_tbptt_stops_on_a_nan_naming_the_step():
    def spoil(step, module):                               # after the first measurement, a weight becomes NaN
        with torch.no_grad():
            module.output.bias[0] = float("nan")

    with pytest.raises(FloatingPointError, match="step 1: the training loss is nan"):
        train_tbptt(model(), IDS, IDS, steps=3, batch_size=2, chunk_length=4, lr=0.01, eval_every=10, callback=spoil)


@pytest.mark.parametrize("call, error, message", [
    (lambda: CharLanguageModel(0, 3, 4), ValueError, "vocab_size: expected a positive integer"),
    (lambda: CharLanguageModel(5, 3.0, 4), TypeError, "embedding_size: expected a positive integer"),
    (lambda: model()(torch.tensor([1, 2])), ValueError, r"ids: expected a \(T, B\) int64 tensor"),
    (lambda: evaluate_perplexity(model(), IDS[:1]), ValueError, "ids: expected a 1-D array of at least 2 ids"),
    (lambda: evaluate_perplexity(model(), list(IDS)), TypeError, "ids: expected a NumPy array of integer ids"),
    (lambda: truncated_gradient(model(), IDS, 0), ValueError, "chunk_length: expected a positive integer; got 0"),
    (lambda: truncated_gradient(model(), IDS, 2.5), TypeError, "chunk_length: expected a positive integer"),
    (lambda: truncated_gradient("model", IDS, 2), TypeError, "model: expected an nn.Module"),
    (lambda: train_tbptt(model(), IDS, IDS, steps=2, batch_size=2, chunk_length=0, lr=0.1), ValueError,
     "chunk_length: expected a positive integer"),
    (lambda: train_tbptt(model(), IDS, IDS, steps=0, batch_size=2, chunk_length=4, lr=0.1), ValueError,
     "steps: expected a positive integer"),
    (lambda: train_tbptt(model(), IDS, IDS, steps=2, batch_size=2, chunk_length=4, lr=-0.1), ValueError,
     "lr: expected a positive number"),
    (lambda: train_tbptt(model(), IDS, IDS[:1], steps=2, batch_size=2, chunk_length=4, lr=0.1), ValueError,
     "val_ids: expected a 1-D array of at least 2"),
    (lambda: train_tbptt(model(), IDS, IDS, steps=2, batch_size=2, chunk_length=4, lr=0.1, callback=3), TypeError,
     "callback: expected a function"),
    (lambda: cosine_similarity(np.zeros(3), np.ones(3)), ValueError, "a, b: expected two non-zero vectors"),
    (lambda: cosine_similarity(np.ones(3), np.ones(4)), ValueError, "b: expected a vector of the length of a"),
])
def test_bad_input_is_refused_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
