"""Perplexity, and the models that only count: uniform, unigram and bigram baselines.

Perplexity is exp of the mean cross-entropy in nats. A model that spreads its
probability evenly over V tokens has perplexity V at every position, so a
perplexity reads as "as unsure as a fair choice among this many tokens".

Every baseline here predicts the same targets as the recurrent model does on
a validation text of N ids: ``ids[1:]``, each from what comes before it (the
bigram from the one id before it). Counts come from the training ids only and
are smoothed by adding ``smoothing`` to every count (add-one, or Laplace,
smoothing for 1.0), so a token or a pair never seen in training still gets a
small probability instead of 0, whose log would be minus infinity.
"""

import numpy as np

from .validation import require_positive_int


def perplexity(mean_cross_entropy):
    """exp(mean cross-entropy in nats): the perplexity of a model whose mean loss is ``mean_cross_entropy``."""
    value = _require_number("mean_cross_entropy", mean_cross_entropy)
    if not 0.0 <= value < np.inf:
        raise ValueError(f"mean_cross_entropy: expected a finite number >= 0 (a mean of -log p); got {value}")
    return float(np.exp(value))


def unigram_probabilities(ids, vocab_size, smoothing=1.0):
    """p(token), shape ``(V,)``: the smoothed frequency of each id in ``ids``."""
    ids = _require_ids("ids", ids, vocab_size)
    counts = np.bincount(ids, minlength=vocab_size) + _require_smoothing(smoothing)
    return counts / counts.sum()


def bigram_probabilities(ids, vocab_size, smoothing=1.0):
    """p(next | previous), shape ``(V, V)``: row a holds the smoothed counts of what follows id a, normalised.

    ``P[a, b]`` is the probability that ``b`` comes next after ``a``; every row
    sums to 1.
    """
    ids = _require_ids("ids", ids, vocab_size, minimum_length=2)
    counts = np.full((vocab_size, vocab_size), _require_smoothing(smoothing))
    np.add.at(counts, (ids[:-1], ids[1:]), 1.0)
    return counts / counts.sum(axis=1, keepdims=True)


def baseline_perplexities(train_ids, val_ids, vocab_size, smoothing=1.0):
    """The perplexity on the targets ``val_ids[1:]`` of three models fitted on ``train_ids``.

    Returns ``{"uniform": V, "unigram": ..., "bigram": ...}`` (floats): the
    uniform model gives every id 1 / V; the unigram model ``unigram_probabilities``;
    the bigram model ``bigram_probabilities``, predicting each id from the one before.
    """
    _require_ids("train_ids", train_ids, vocab_size, minimum_length=2)
    val_ids = _require_ids("val_ids", val_ids, vocab_size, minimum_length=2)
    unigram = unigram_probabilities(train_ids, vocab_size, smoothing)
    bigram = bigram_probabilities(train_ids, vocab_size, smoothing)
    previous, targets = val_ids[:-1], val_ids[1:]
    return {
        "uniform": perplexity(np.log(vocab_size)),
        "unigram": perplexity(-np.log(unigram[targets]).mean()),
        "bigram": perplexity(-np.log(bigram[previous, targets]).mean()),
    }


def _require_number(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a number; got {value!r} ({type(value).__name__})")
    return float(value)


def _require_smoothing(smoothing):
    value = _require_number("smoothing", smoothing)
    if not 0.0 < value < np.inf:
        raise ValueError(f"smoothing: expected a positive number (added to every count); got {value}")
    return value


def _require_ids(name, ids, vocab_size, minimum_length=1):
    require_positive_int("vocab_size", vocab_size)
    if not isinstance(ids, np.ndarray):
        raise TypeError(f"{name}: expected a NumPy array of integer ids; got {type(ids).__name__}")
    if not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"{name}: expected integer ids; got dtype {ids.dtype}")
    if ids.ndim != 1 or len(ids) < minimum_length:
        raise ValueError(f"{name}: expected a 1-D array of at least {minimum_length} ids; got shape {ids.shape}")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(f"{name}: expected ids from 0 to {vocab_size - 1} (vocab_size={vocab_size}); "
                         f"got values from {ids.min()} to {ids.max()}")
    return ids
