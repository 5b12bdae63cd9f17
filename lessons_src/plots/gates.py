"""Figures of chapter 3: the LSTM's gates and cell state over one sequence."""

import matplotlib.pyplot as plt
import numpy as np

from ._finish import finish

PANELS = (
    ("i", "input gate $i$", "viridis"),
    ("f", "forget gate $f$", "viridis"),
    ("o", "output gate $o$", "viridis"),
    ("c", "cell state $c$", "RdBu_r"),
)


def plot_gates(cache, tokens, sequence_index=0, highlight=(), title=None):
    """Heatmaps of the input, forget and output gates and the cell state of one sequence.

    cache:          from ``lstm.lstm_forward``; its ``"i"``, ``"f"``, ``"o"``
                    and ``"c"`` arrays are (T, B, H).
    tokens:         the T input tokens of the sequence, shown under the columns.
    sequence_index: which sequence of the batch (column b of the arrays) to draw.
    highlight:      hidden units (row numbers) whose labels are drawn in bold red.

    Each panel has one row per hidden unit and one column per time step. The
    gates lie between 0 (closed, dark) and 1 (open, bright); the cell state
    is drawn in blue (negative) to red (positive) on a symmetric scale.
    Returns the Figure.
    """
    if not isinstance(cache, dict) or not all(name in cache for name, _, _ in PANELS):
        raise TypeError("cache: expected the dict returned by lstm_forward (with 'i', 'f', 'o', 'c')")
    steps, batch, hidden_size = cache["c"].shape
    if len(tokens) != steps:
        raise ValueError(f"tokens: expected {steps} tokens (one per time step); got {len(tokens)}")
    if not 0 <= sequence_index < batch:
        raise ValueError(f"sequence_index: expected 0 to {batch - 1}; got {sequence_index}")
    highlight = set(int(unit) for unit in highlight)
    if any(not 0 <= unit < hidden_size for unit in highlight):
        raise ValueError(f"highlight: expected units from 0 to {hidden_size - 1}; got {sorted(highlight)}")

    fig, axes = plt.subplots(1, len(PANELS), figsize=(8, 4.5), sharey=True)
    cell_limit = np.abs(cache["c"][:, sequence_index]).max()
    for ax, (name, label, colour_map) in zip(axes, PANELS):
        values = cache[name][:, sequence_index].T                # (H, T)
        limits = (-cell_limit, cell_limit) if name == "c" else (0.0, 1.0)
        image = ax.imshow(values, cmap=colour_map, vmin=limits[0], vmax=limits[1], aspect="auto")
        ax.set_title(label, fontsize="medium")
        ax.set_xticks(range(steps), tokens)
        ax.set_xlabel("input token")
        fig.colorbar(image, ax=ax, orientation="horizontal", pad=0.14, fraction=0.05)
    axes[0].set_yticks(range(hidden_size))
    axes[0].set_ylabel("hidden unit")
    for unit, tick in enumerate(axes[0].get_yticklabels()):
        if unit in highlight:
            tick.set_color("tab:red")
            tick.set_fontweight("bold")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_counter(cell_states, labels, unit, title=None):
    """One hidden unit's cell state over time, for several sequences on the same axes.

    cell_states: list of (T_k,) arrays, the unit's cell state at each step of sequence k.
    labels:      one legend label per sequence.
    unit:        the unit's number, for the axis label.
    Returns the Figure.
    """
    if not isinstance(cell_states, (list, tuple)):
        raise TypeError(f"cell_states: expected a list of (T_k,) arrays; got {type(cell_states).__name__}")
    if len(cell_states) != len(labels) or not cell_states:
        raise ValueError(f"labels: expected one label per sequence ({len(cell_states)}); got {len(labels)}")
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for values, label in zip(cell_states, labels):
        ax.plot(range(1, len(values) + 1), values, marker="o", markersize=3, label=label)
    ax.axhline(0.0, color="0.6", linewidth=0.8)
    ax.set_xlabel("time step (tokens read)")
    ax.set_ylabel(f"cell state $c$ of unit {unit}")
    return finish(fig, [ax], title)
