"""Checks for the exercises of chapter 7, "A character language model on real text".

PyTorch is imported inside the check that needs it, not at the top.
"""

import numpy as np

from ._core import run_cases


def check_predictions(predictions):
    """``predictions(vocab_size)`` -> ``{"uniform_perplexity", "entropy_hot", "entropy_cold"}``.

    The perplexity of the uniform model over ``vocab_size`` tokens, and the
    entropy in nats of softmax(logits / T) as T grows without bound (hot) and
    as T shrinks to 0 (cold, logits without ties).
    """
    cases = [((size,), {"uniform_perplexity": float(size), "entropy_hot": float(np.log(size)), "entropy_cold": 0.0})
             for size in (2, 10, 97, 1000)]
    run_cases("predictions", predictions, cases, rtol=1e-6, atol=1e-6)


def check_embedding_backward(embedding_backward):
    """``embedding_backward(ids, d_vectors, vocab_size)`` -> the (V, E) gradient of the embedding table."""
    cases = []
    rng = np.random.default_rng(7)
    for ids, vocab_size, embedding_size in [([2], 4, 3), ([0, 1, 2], 3, 2), ([1, 3, 1], 5, 2),
                                             ([4, 4, 4, 0], 6, 3), ([0, 2, 0, 2, 5, 2], 7, 1)]:
        ids = np.array(ids)
        d_vectors = rng.normal(size=(len(ids), embedding_size))
        expected = np.zeros((vocab_size, embedding_size))
        for position, token in enumerate(ids):
            expected[token] += d_vectors[position]
        cases.append(((ids, d_vectors, vocab_size), expected))
    run_cases("embedding_backward", embedding_backward, cases)


def check_trigram_perplexity(trigram_perplexity):
    """``trigram_perplexity(train_ids, val_ids, vocab_size, smoothing)`` -> a float, add-``smoothing`` counts."""
    cases = []
    rng = np.random.default_rng(3)
    for vocab_size, train_length, val_length, smoothing in [(2, 12, 5, 1.0), (3, 40, 9, 1.0), (4, 60, 20, 0.5),
                                                            (5, 30, 12, 0.1)]:
        train_ids = rng.integers(0, vocab_size - 1, train_length)      # the last id never occurs in training
        val_ids = rng.integers(0, vocab_size, val_length)
        cases.append(((train_ids, val_ids, vocab_size, smoothing),
                      _trigram_perplexity(train_ids, val_ids, vocab_size, smoothing)))
    run_cases("trigram_perplexity", trigram_perplexity, cases)


def _trigram_perplexity(train_ids, val_ids, vocab_size, smoothing):
    counts = np.full((vocab_size,) * 3, float(smoothing))
    for a, b, c in zip(train_ids[:-2], train_ids[1:-1], train_ids[2:]):
        counts[a, b, c] += 1.0
    probabilities = counts / counts.sum(axis=2, keepdims=True)
    log_p = [np.log(probabilities[a, b, c]) for a, b, c in zip(val_ids[:-2], val_ids[1:-1], val_ids[2:])]
    return float(np.exp(-np.mean(log_p)))


def check_chunked_loss_and_gradient(chunked_loss_and_gradient):
    """``chunked_loss_and_gradient(model, ids, k)`` -> ``(loss, gradient)`` as ``torch_tbptt.truncated_gradient``.

    ``loss`` a Python float, ``gradient`` a flat float64 NumPy array (``torch_charlm.flat_gradient``).
    """
    from ..torch_charlm import CharLanguageModel
    from ..torch_tbptt import truncated_gradient

    cases = []
    for seed, (vocab_size, hidden_size, length, chunk_lengths) in enumerate([(5, 4, 13, (1, 4, 5, 12, 20)),
                                                                            (3, 2, 9, (3, 8)), (6, 3, 17, (2, 7))]):
        model = CharLanguageModel(vocab_size, 3, hidden_size, seed=seed)
        ids = np.random.default_rng(seed).integers(0, vocab_size, length)
        cases += [((model, ids, k), truncated_gradient(model, ids, k)) for k in chunk_lengths]
    run_cases("chunked_loss_and_gradient", chunked_loss_and_gradient, cases, rtol=1e-7, atol=1e-12)
