"""Figures of chapter 7: perplexity during training, truncated gradients, temperature, a unit over a text."""

import matplotlib.pyplot as plt
import numpy as np

from ..validation import as_float_array, require_dict, require_type


def plot_perplexity(history, baselines, title=None):
    """Training and validation perplexity against the optimizer step, with the count baselines as lines.

    history:   a dict with the lists ``"step"``, ``"train_perplexity"`` and
               ``"val_perplexity"``, as ``torch_tbptt.train_tbptt`` returns.
    baselines: dict label -> perplexity of a baseline on the validation text.
    The perplexity axis is logarithmic. Returns the Figure.
    """
    require_dict("history", history, "a dict with 'step', 'train_perplexity' and 'val_perplexity'")
    if not {"step", "train_perplexity", "val_perplexity"} <= set(history):
        raise ValueError(f"history: expected a dict with 'step', 'train_perplexity' and 'val_perplexity'; got the keys "
                         f"{sorted(history)}")
    require_type("baselines", baselines, dict, "a dict label -> perplexity")
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(history["step"], history["train_perplexity"], "o-", markersize=3, label="training text")
    ax.plot(history["step"], history["val_perplexity"], "s--", markersize=3, label="validation text")
    for (label, value), style in zip(baselines.items(), (":", "-.", (0, (1, 4)))):
        ax.axhline(value, color="0.4", linestyle=style, linewidth=1)
        ax.annotate(f"{label} {value:.1f}", (history["step"][-1], value), textcoords="offset points", xytext=(0, 3),
                    ha="right", va="bottom", fontsize="small", color="0.3")
    ax.set_yscale("log")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("perplexity")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small", loc="upper center")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_truncation(chunk_lengths, errors, trained_with=None):
    """How far the truncated gradient is from the full one, against the chunk length k.

    chunk_lengths: the K values of k (x axis, logarithmic).
    errors:        dict label -> K relative errors |g_k - g| / |g|.
    trained_with:  a chunk length to mark with a vertical line.
    Returns the Figure.
    """
    chunk_lengths = as_float_array("chunk_lengths", chunk_lengths)
    require_dict("errors", errors, "a dict label -> relative errors")
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for label, values in errors.items():
        if np.shape(values) != chunk_lengths.shape:
            raise ValueError(f"errors[{label!r}]: expected {len(chunk_lengths)} values; got shape {np.shape(values)}")
        ax.plot(chunk_lengths, values, "o-", markersize=4, label=label)
    if trained_with is not None:
        ax.axvline(trained_with, color="0.5", linestyle=":", linewidth=1)
        ax.annotate(f"k = {trained_with}, used in training", (trained_with, ax.get_ylim()[1]), textcoords="offset points",
                    xytext=(4, -12), fontsize="small", color="0.3")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("chunk length k (steps the gradient may travel back)")
    ax.set_ylabel(r"$\|g_k - g\| \,/\, \|g\|$")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def plot_temperature_entropy(temperatures, entropies, vocab_size):
    """The mean entropy of softmax(logits / T) against the temperature T, between its two limits.

    temperatures: the T values (x axis, logarithmic); entropies: the mean
    entropy in nats at each. Dotted lines: ln V (the uniform distribution,
    T -> infinity) and 0 (one sure token, T -> 0). Returns the Figure.
    """
    temperatures, entropies = as_float_array("temperatures", temperatures), as_float_array("entropies", entropies)
    if temperatures.shape != entropies.shape or temperatures.ndim != 1:
        raise ValueError(f"entropies: expected one value per temperature {temperatures.shape}; got {entropies.shape}")
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    ax.plot(temperatures, entropies, "-", linewidth=2, label="mean entropy over the validation text")
    ax.axhline(np.log(vocab_size), color="0.4", linestyle=":", linewidth=1)
    ax.annotate(f"ln V = ln {vocab_size}: uniform", (temperatures[0], np.log(vocab_size)), textcoords="offset points",
                xytext=(2, -12), fontsize="small", color="0.3")
    ax.axhline(0.0, color="0.4", linestyle=":", linewidth=1)
    ax.axvline(1.0, color="0.6", linestyle="--", linewidth=1)
    ax.annotate("T = 1: the model as trained", (1.0, 0.3), textcoords="offset points", xytext=(4, 0),
                fontsize="small", color="0.3")
    ax.set_xscale("log")
    ax.set_xlabel("temperature T")
    ax.set_ylabel("entropy (nats)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="lower right")
    fig.tight_layout()
    return fig


def plot_unit_text(text, values, title=None, columns=60):
    """A text drawn character by character, each on a background coloured by one unit's value.

    text:    the characters, with newlines; each line starts a new row, and a
             line longer than ``columns`` characters continues on the next rows.
    values:  (len(text),) the unit's value after each character; the colour
             scale runs from blue (the 2nd percentile of the values, or below)
             through white to red (the 98th percentile, or above).
    Returns the Figure.
    """
    require_type("text", text, str, "a string")
    values = as_float_array("values", values)
    if values.shape != (len(text),):
        raise ValueError(f"values: expected one value per character of text ({len(text)}); got shape {values.shape}")
    rows, start = [], 0
    for line in text.split("\n"):
        for offset in range(0, max(len(line), 1), columns):
            piece = line[offset:offset + columns]
            rows.append((piece, values[start + offset:start + offset + len(piece)]))
        start += len(line) + 1
    grid = np.full((len(rows), columns), np.nan)
    for row, (piece, piece_values) in enumerate(rows):
        grid[row, : len(piece)] = piece_values
    low, high = np.percentile(values, [2, 98])
    if high <= low:
        low, high = low - 1.0, high + 1.0
    fig, ax = plt.subplots(figsize=(0.11 * columns + 1.0, 0.3 * len(rows) + 0.7))
    image = ax.imshow(grid, cmap="coolwarm", vmin=low, vmax=high, aspect="auto", interpolation="nearest")
    for row, (piece, _) in enumerate(rows):
        for column, character in enumerate(piece):
            if not character.isspace():
                ax.text(column, row, character, ha="center", va="center", fontsize=9, family="monospace")
    ax.set_xticks([])
    ax.set_yticks([])
    fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01)
    if title:
        ax.set_title(title, fontsize="medium")
    fig.tight_layout()
    return fig
