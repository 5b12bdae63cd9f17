"""The book's toy language, in one place: a×n b×n a×n EOS.

A sentence with count n is n ``a``, then n ``b``, then n ``a`` again, then
``EOS`` (3n + 1 tokens). After the first ``b`` the rest is fixed: a model
that has read the prompt a×n b must write exactly n - 1 more ``b``, n ``a``
and ``EOS``, so it must count. Everything the book knows about the language
lives here: the sentences, the data set, the prompt, the right next token and
the count a counter would hold.
"""

import numpy as np

from .data import EOS
from .validation import require_int, require_positive_int, require_tokens

FIRST, MIDDLE = "a", "b"
"""The token of the first and last blocks, and the token of the middle block."""

PROMPT_END = MIDDLE
"""The prompt of a sentence is its tokens up to and including the first ``b``."""


def counting_sequence(n):
    """The sentence with count n: ``a``×n ``b``×n ``a``×n ``EOS`` (3n + 1 tokens)."""
    require_positive_int("n", n)
    return [FIRST] * n + [MIDDLE] * n + [FIRST] * n + [EOS]


def generate_dataset(num_sequences=256, max_n=5, min_n=1, seed=42):
    """Sample ``num_sequences`` sentences, each with its n drawn uniformly from ``min_n`` to ``max_n``.

    The draws come from a generator seeded with ``seed``, so the same
    arguments always give the same list of token lists.
    """
    _check_dataset_args(num_sequences, max_n, min_n)
    counts = np.random.default_rng(seed).integers(min_n, max_n + 1, size=num_sequences)
    return [counting_sequence(n) for n in counts.tolist()]


def prompt_of(sequence):
    """The tokens of ``sequence`` up to and including its first ``b`` (``PROMPT_END``)."""
    require_tokens("sequence", sequence)
    if PROMPT_END not in sequence:
        raise ValueError(f"sequence: expected a sequence containing {PROMPT_END!r}; got {list(sequence)!r}")
    return list(sequence[:list(sequence).index(PROMPT_END) + 1])


def next_token(prefix):
    """The next token of the shortest sentence that begins with ``prefix``; None if no sentence does.

    After a×k alone the shortest such sentence is a×k b×k a×k EOS, so the
    answer is ``b``; from the first ``b`` on, the count is fixed and so is
    every token up to ``EOS``. A whole sentence, or a prefix of none, gives None.
    """
    require_tokens("prefix", prefix)
    tokens = list(prefix)
    n = tokens.index(PROMPT_END) if PROMPT_END in tokens else len(tokens)
    sentence = counting_sequence(n) if n > 0 else []
    if len(tokens) >= len(sentence) or tokens != sentence[:len(tokens)]:
        return None
    return sentence[len(tokens)]


def count_signal(tokens):
    """The count a counter would hold after each token: +1 per ``a`` of the first block, -1 per ``b``.

    tokens: the input tokens of one sentence. The signal rises through the
    first run of ``a``, falls through the ``b``, and stays where it is after
    them. Returns a float array of shape ``(len(tokens),)``.
    """
    require_tokens("tokens", tokens)
    signal, count, seen_middle = [], 0, False
    for token in tokens:
        if token == MIDDLE:
            count -= 1
            seen_middle = True
        elif token == FIRST and not seen_middle:
            count += 1
        signal.append(count)
    return np.array(signal, dtype=np.float64)


def _check_dataset_args(num_sequences, max_n, min_n):
    require_positive_int("num_sequences", num_sequences)
    require_positive_int("min_n", min_n)
    require_int("max_n", max_n, minimum=min_n)
