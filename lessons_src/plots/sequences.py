"""Figures of chapter 1: what one-hot encoded sequences look like."""

import matplotlib.pyplot as plt
import numpy as np

from ..validation import as_float_array


def plot_one_hot(encoded, tokens, vocab_tokens, title=None):
    """Draw a one-hot encoded sequence as an image: one row per token, one column per word.

    encoded:      (T, V) one-hot rows.
    tokens:       the T tokens, shown as row labels.
    vocab_tokens: the V words of the vocabulary, shown as column labels.
    """
    encoded = as_float_array("encoded", encoded)
    if encoded.ndim != 2 or encoded.shape != (len(tokens), len(vocab_tokens)):
        raise ValueError(
            f"encoded: expected shape (len(tokens), len(vocab_tokens)) = ({len(tokens)}, {len(vocab_tokens)}); got {encoded.shape}"
        )
    fig, ax = plt.subplots(figsize=(3.2, 0.3 * len(tokens) + 1.2))
    ax.imshow(encoded, cmap="Greys", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(vocab_tokens)), vocab_tokens)
    ax.set_yticks(range(len(tokens)), [f"{t}: {token}" for t, token in enumerate(tokens)])
    ax.xaxis.tick_top()
    ax.set_xlabel("vocabulary (one column per word)")
    ax.xaxis.set_label_position("top")
    ax.set_ylabel("time step: token")
    ax.set_xticks(np.arange(len(vocab_tokens) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(tokens) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="0.75", linewidth=0.8)
    ax.tick_params(which="minor", length=0)
    if title:
        ax.set_title(title, pad=30)
    fig.tight_layout()
    return fig
