"""Sequences as numbers: a vocabulary, splits, one-hot batches (for any language; the book's own is in language.py).

Shapes used throughout the book (time first, like ``torch.nn.LSTM``):

- token ids of one sequence: ``(T,)``; of a batch: ``(T, B)``
- one-hot inputs of a batch: ``(T, B, V)`` with ``V = len(vocab)``
- mask of a batch: ``(T, B)``, 1.0 at real positions and 0.0 at padding
"""

from collections import Counter

import numpy as np

from .validation import require_positive_int, require_sequences, require_share, require_tokens

EOS = "EOS"
UNK = "UNK"


class Vocabulary:
    """A mapping between tokens and integer ids, with ``UNK`` for the rest.

    Ids are given to words by descending frequency (ties: first appearance
    first); ``UNK`` comes last. Any token the vocabulary does not hold is
    encoded as ``unk_index``.
    """

    def __init__(self, tokens):
        require_tokens("tokens", tokens, minimum=0)
        tokens = list(tokens)
        if UNK in tokens:
            raise ValueError(f"tokens: expected words without {UNK!r} (it is added last); got {tokens!r}")
        if len(set(tokens)) != len(tokens):
            raise ValueError(f"tokens: expected distinct words; got {tokens!r}")
        self.tokens = tokens + [UNK]
        self.index = {token: i for i, token in enumerate(self.tokens)}
        self.unk_index = len(self.tokens) - 1

    @classmethod
    def from_sequences(cls, sequences, max_size=None):
        """Count the words of ``sequences`` and keep the ``max_size`` most frequent.

        ``max_size`` counts the kept words, not ``UNK``; ``None`` keeps all.
        The result holds ``min(max_size, number of distinct words) + 1`` tokens.
        """
        _check_from_sequences_args(sequences, max_size)
        counts = Counter(token for sequence in sequences for token in sequence)
        counts.pop(UNK, None)
        # Counter.most_common keeps first-appearance order among equal counts.
        words = [word for word, _ in counts.most_common(max_size)]
        return cls(words)

    def __len__(self):
        return len(self.tokens)

    def __contains__(self, token):
        return token in self.index

    def __repr__(self):
        return f"Vocabulary({self.tokens!r})"

    def encode(self, tokens):
        """Token strings -> ids, shape ``(len(tokens),)``; unknown tokens -> ``unk_index``."""
        require_tokens("tokens", tokens, minimum=0)
        return np.array([self.index.get(token, self.unk_index) for token in tokens], dtype=np.int64)

    def decode(self, ids):
        """Ids (any iterable of integers) -> list of token strings."""
        ids = _as_ids("ids", ids, len(self))
        if ids.ndim != 1:
            raise ValueError(f"ids: expected a 1-D sequence of ids; got shape {ids.shape}")
        return [self.tokens[i] for i in ids.tolist()]


def split_dataset(sequences, p_train=0.8, p_val=0.1, p_test=0.1):
    """Split ``sequences`` in order into training, validation and test lists.

    The shares must be non-negative and sum to 1. Sizes are the shares of
    ``len(sequences)`` rounded down, and the few sequences left over go to
    the parts with the largest remainders, so the sizes always add up and a
    share of 0 always gets an empty list.

    Returns ``(train, val, test)``.
    """
    require_sequences("sequences", sequences)
    shares = {"p_train": p_train, "p_val": p_val, "p_test": p_test}
    for name, share in shares.items():
        require_share(name, share)
    if abs(sum(shares.values()) - 1) > 1e-9:
        raise ValueError(
            f"p_train, p_val, p_test: expected shares that sum to 1; got {p_train} + {p_val} + {p_test} = {sum(shares.values())}"
        )
    exact = np.array([p_train, p_val, p_test]) * len(sequences)
    sizes = np.floor(exact + 1e-9).astype(int)
    leftover = len(sequences) - sizes.sum()
    by_remainder = np.argsort(-(exact - sizes), kind="stable")
    sizes[by_remainder[:leftover]] += 1
    n_train, n_val = sizes[0], sizes[1]
    sequences = list(sequences)
    return sequences[:n_train], sequences[n_train:n_train + n_val], sequences[n_train + n_val:]


def one_hot(ids, vocab_size):
    """One-hot vectors of ``ids``: an array of any shape -> shape + ``(vocab_size,)``, float64."""
    require_positive_int("vocab_size", vocab_size)
    return np.eye(vocab_size)[_as_ids("ids", ids, vocab_size)]


def make_batch(sequences, vocab):
    """Turn whole sequences into one padded, time-major batch.

    Each sequence of L tokens gives L - 1 inputs (all its tokens but the last)
    and L - 1 targets (all its tokens but the first): at every step the target
    is the next token. With T the longest such length and B = len(sequences):

    - inputs:  ``(T, B, V)`` one-hot, all-zero vectors at padded steps;
    - targets: ``(T, B)`` token ids, 0 at padded steps (masked out);
    - mask:    ``(T, B)`` float, 1.0 at real steps and 0.0 at padded steps.
    """
    require_training_sequences("sequences", sequences, vocab)
    lengths = [len(sequence) - 1 for sequence in sequences]
    steps, batch = max(lengths), len(sequences)
    ids = np.zeros((steps + 1, batch), dtype=np.int64)
    mask = np.zeros((steps, batch))
    for b, sequence in enumerate(sequences):
        ids[:len(sequence), b] = vocab.encode(sequence)
        mask[:lengths[b], b] = 1.0
    inputs = one_hot(ids[:-1], len(vocab)) * mask[:, :, None]
    targets = ids[1:] * mask.astype(np.int64)
    return inputs, targets, mask


def require_vocabulary(vocab):
    """Check that ``vocab`` is a ``Vocabulary``."""
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab: expected a Vocabulary; got {type(vocab).__name__}")


def require_training_sequences(name, sequences, vocab):
    """Check sequences to learn from: a ``Vocabulary``, and a list of sequences of at least 2 tokens each."""
    require_vocabulary(vocab)
    require_sequences(name, sequences, with_targets=True)


def _as_ids(name, ids, vocab_size):
    """``ids`` (an integer, or an array or list of them) as an integer array, each from 0 to vocab_size - 1."""
    if isinstance(ids, (str, dict)):
        raise TypeError(f"{name}: expected integer token ids; got {type(ids).__name__}")
    ids = np.asarray(ids)
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"{name}: expected integer token ids; got dtype {ids.dtype}")
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        bad = ids[(ids < 0) | (ids >= vocab_size)].flat[0]
        raise ValueError(f"{name}: expected ids from 0 to {vocab_size - 1} (vocab_size={vocab_size}); got {bad}")
    return ids


def _check_from_sequences_args(sequences, max_size):
    require_sequences("sequences", sequences)
    if max_size is not None:
        require_positive_int("max_size", max_size)
