"""The data the PyTorch way: a ``Dataset`` of whole sequences and a collate function that pads them."""

import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import Dataset

from .data import one_hot, require_training_sequences

IGNORE_INDEX = -100
"""The target id at padded positions; ``nn.CrossEntropyLoss(ignore_index=IGNORE_INDEX)`` skips them."""


class SequenceDataset(Dataset):
    """Whole token sequences as (inputs, targets) tensor pairs, one per sequence.

    Item ``k`` of a sequence of L tokens is
    ``inputs``:  (L - 1, V) float32 one-hot vectors of all its tokens but the last;
    ``targets``: (L - 1,) int64 ids of all its tokens but the first.
    """

    def __init__(self, sequences, vocab):
        require_training_sequences("sequences", sequences, vocab)
        self.items = []
        for sequence in sequences:
            ids = vocab.encode(sequence)
            inputs = torch.tensor(one_hot(ids[:-1], len(vocab)), dtype=torch.float32)
            self.items.append((inputs, torch.tensor(ids[1:])))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, k):
        return self.items[k]


def pad_collate(items):
    """Pad a list of ``SequenceDataset`` items into one time-major batch.

    items: B pairs (inputs (L_b, V), targets (L_b,)).
    Returns ``(inputs, targets, lengths)``: inputs (T, B, V) with zero vectors
    at padded steps, targets (T, B) with ``IGNORE_INDEX`` at padded steps,
    and lengths (B,) int64, where T = max L_b.
    """
    _check_items(items)
    inputs = pad_sequence([x for x, _ in items])
    targets = pad_sequence([y for _, y in items], padding_value=IGNORE_INDEX)
    lengths = torch.tensor([len(y) for _, y in items])
    return inputs, targets, lengths


def _check_items(items):
    if not isinstance(items, (list, tuple)):
        raise TypeError(f"items: expected a list of (inputs, targets) tensor pairs; got {type(items).__name__}")
    if not items or any(not isinstance(item, (list, tuple)) or len(item) != 2 for item in items):
        raise ValueError(f"items: expected a non-empty list of (inputs, targets) tensor pairs; got {items!r:.80}")
