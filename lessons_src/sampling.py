"""Writing with a language model: greedy choice, sampling from the softmax, and temperature.

A model is seen here as one step function, so that any model can write:
``step(token_id, state) -> (logits, state)``, with ``logits`` a ``(V,)``
array scoring the next token and ``state`` whatever the model carries from
step to step (``None`` before the first step).

Temperature T divides the logits before the softmax,
``p = softmax(logits / T)``: T < 1 sharpens the distribution towards the
most likely token (T -> 0 is the greedy choice), T > 1 flattens it towards
the uniform distribution (T -> infinity).
"""

import numpy as np

from .data import require_vocabulary
from .functional import softmax
from .text import decode_text, require_text
from .validation import as_float_array, require_function, require_positive_int, require_positive_number, require_type


def softmax_with_temperature(logits, temperature):
    """softmax(logits / temperature) along the last axis; ``temperature`` must be above 0."""
    require_positive_number("temperature", temperature)
    return softmax(np.asarray(logits, dtype=np.float64) / temperature)


def entropy(probabilities):
    """The entropy in nats, -sum p log p, along the last axis (with 0 log 0 = 0)."""
    p = as_float_array("probabilities", probabilities)
    if p.ndim == 0 or np.any(p < 0) or not np.allclose(p.sum(axis=-1), 1.0):
        raise ValueError(f"probabilities: expected non-negative numbers that sum to 1 along the last axis; got {p!r:.80}")
    logs = np.log(np.where(p > 0, p, 1.0))
    return -(p * logs).sum(axis=-1)


def draw(probabilities, rng):
    """One id drawn from ``probabilities`` (V,) with the generator ``rng``: the first id whose cumulative
    probability exceeds one uniform number from ``rng``."""
    cumulative = np.cumsum(_check_draw_args(probabilities, rng))
    return int(min(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"), len(cumulative) - 1))


def generate(step, vocab, prompt, length, temperature=1.0, greedy=False, seed=0):
    """The ``prompt`` followed by ``length`` characters written by a model, one at a time.

    step:        ``(token_id, state) -> (logits (V,), state)``; the state starts as None.
    prompt:      a non-empty string of characters of ``vocab``; the model reads it first.
    greedy:      take the most likely character at each step (``temperature`` is then unused);
                 otherwise draw from ``softmax_with_temperature(logits, temperature)``
                 with ``np.random.default_rng(seed)``, so the same seed writes the same text.
    Each character written is fed back as the next input. Returns a string.
    """
    require_function("step", step, "a function (token_id, state) -> (logits, state)")
    require_vocabulary(vocab)
    require_text("prompt", prompt)
    unknown = sorted({character for character in prompt if character not in vocab})
    if unknown:
        raise ValueError(f"prompt: expected characters of the vocabulary; got {unknown} outside it")
    require_positive_int("length", length)
    require_positive_number("temperature", temperature)
    rng = np.random.default_rng(seed)
    ids, state = list(vocab.encode(list(prompt))), None
    for token_id in ids[:-1]:
        _, state = step(token_id, state)
    for _ in range(length):
        logits, state = step(ids[-1], state)
        if greedy:
            ids.append(int(np.argmax(logits)))
        else:
            ids.append(draw(softmax_with_temperature(logits, temperature), rng))
    return decode_text(ids, vocab)


def repetition_period(text, window=100):
    """The smallest p such that the last ``window`` characters of ``text`` repeat every p characters; None if none.

    A greedy writer caught in a loop ends with a period much shorter than the window.
    """
    require_text("text", text)
    require_positive_int("window", window)
    if len(text) < 2 * window:
        raise ValueError(f"window: expected at most half the length of text ({len(text)} characters); got {window}")
    tail = text[-window:]
    for period in range(1, window):
        if tail == text[-window - period:-period]:
            return period
    return None


def _check_draw_args(probabilities, rng):
    require_type("rng", rng, np.random.Generator, "a NumPy Generator (np.random.default_rng)")
    p = as_float_array("probabilities", probabilities)
    if p.ndim != 1 or not p.size or np.any(p < 0) or not np.isclose(p.sum(), 1.0):
        raise ValueError(f"probabilities: expected a (V,) array of non-negative numbers that sum to 1; got {p!r:.80}")
    return p
