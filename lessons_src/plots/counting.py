"""Figures of chapter 5: counting beyond the training range, count-like units, gradients through time."""

import matplotlib.pyplot as plt
import numpy as np

from ..validation import require_dict
from ._finish import finish


def plot_accuracy_by_n(ns, accuracies, b_counts, train_max, title=None):
    """Accuracy and the number of ``b`` written, against n, for several models trained with several seeds.

    ns:         the N values of n, increasing.
    accuracies: dict label -> (S, N) array, one row of 0/1 accuracies per seed.
    b_counts:   dict label -> (S, N) array, the number of ``b`` each seed's
                model writes after the prompt ``a``×n ``b`` (prompt's ``b`` included).
    train_max:  the largest n seen in training; n up to it is shaded.

    Left panel: mean accuracy over seeds (line) and the range from the worst
    to the best seed (band). Right panel: the same for the number of ``b``,
    with the line ``n`` that a perfect counter follows. Returns the Figure.
    """
    ns = np.asarray(ns)
    for name, data in (("accuracies", accuracies), ("b_counts", b_counts)):
        require_dict(name, data, "a non-empty dict label -> (S, N) array")
        for label, values in data.items():
            if np.ndim(values) != 2 or np.shape(values)[1] != len(ns):
                raise ValueError(f"{name}[{label!r}]: expected shape (S, N) with N={len(ns)}; got {np.shape(values)}")
    if set(accuracies) != set(b_counts):
        raise ValueError(f"b_counts: expected the labels of accuracies {sorted(accuracies)}; got {sorted(b_counts)}")

    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.6))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, label in enumerate(accuracies):
        for ax, values in ((left, np.asarray(accuracies[label], dtype=float)), (right, np.asarray(b_counts[label], dtype=float))):
            seeds = values.shape[0]
            ax.fill_between(ns, values.min(axis=0), values.max(axis=0), color=colours[i], alpha=0.2, linewidth=0)
            ax.plot(ns, values.mean(axis=0), "o-", color=colours[i], markersize=3,
                    label=f"{label} (mean of {seeds} seeds)")
    right.plot(ns, ns, ":", color="0.3", label="a perfect counter")
    for ax in (left, right):
        ax.axvspan(ns.min() - 0.5, train_max + 0.5, color="0.85", zorder=0)
        ax.set_xlabel("n (the sentence is a$^n$ b$^n$ a$^n$)")
        ax.grid(alpha=0.3)
    left.text(train_max / 2 + 0.5, 0.5, "training\nrange", ha="center", va="center", color="0.35", fontsize="small")
    left.set_ylim(-0.05, 1.05)
    left.set_ylabel("greedy completion exactly right")
    left.legend(fontsize="small", loc="upper right")
    right.set_ylabel("number of b written")
    right.legend(fontsize="small", loc="upper left")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_count_units(panels, tokens, title=None):
    """The states of a few hidden units over one sentence, one panel per model.

    panels: list of ``(panel title, states (T, k), unit numbers (k,), state name)``
            where states holds the k chosen units' values after each token.
    tokens: the T input tokens; the ``b`` steps are shaded.
    Returns the Figure.
    """
    if not isinstance(panels, (list, tuple)):
        raise TypeError(f"panels: expected a list of (title, states, units, state name); got {type(panels).__name__}")
    if not panels:
        raise ValueError("panels: expected at least one (title, states, units, state name)")
    steps = np.arange(1, len(tokens) + 1)
    b_steps = steps[np.asarray(tokens) == "b"]
    fig, axes = plt.subplots(1, len(panels), figsize=(8, 3.4), squeeze=False)
    for ax, (panel_title, states, units, state_name) in zip(axes[0], panels):
        states = np.asarray(states)
        if states.shape != (len(tokens), len(units)):
            raise ValueError(f"panels: expected states of shape (T, k) = ({len(tokens)}, {len(units)}) for "
                             f"{panel_title!r}; got {states.shape}")
        if len(b_steps):
            ax.axvspan(b_steps.min() - 0.5, b_steps.max() + 0.5, color="0.9", zorder=0)
        for column, unit in enumerate(units):
            ax.plot(steps, states[:, column], label=f"unit {unit}")
        ax.axhline(0.0, color="0.6", linewidth=0.8)
        ax.set_title(panel_title, fontsize="medium")
        ax.set_xlabel("tokens read (b steps shaded)")
        ax.set_ylabel(state_name)
    return finish(fig, list(axes[0]), title, over_figure=True)


def plot_gradient_norms(panels, title=None):
    """The norm of dL/dh_{T-k} against k, on a log scale, one panel per stage of training.

    panels: dict panel title -> dict label -> (S, T) array of norms, one row
            per seed (entry k of a row: k steps back from the last state).
    Each seed is a thin line, the geometric mean over seeds a thick one.
    Returns the Figure.
    """
    require_dict("panels", panels, "a non-empty dict title -> {label: (S, T) array}")
    fig, axes = plt.subplots(1, len(panels), figsize=(8, 3.6), sharey=True, squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, (panel_title, curves) in zip(axes[0], panels.items()):
        for i, (label, norms) in enumerate(curves.items()):
            norms = np.asarray(norms, dtype=float)
            if norms.ndim != 2 or (norms <= 0).any():
                raise ValueError(f"panels[{panel_title!r}][{label!r}]: expected an (S, T) array of positive norms; "
                                 f"got shape {norms.shape}")
            k = np.arange(norms.shape[1])
            ax.plot(k, norms.T, color=colours[i], linewidth=0.6, alpha=0.5)
            ax.plot(k, np.exp(np.log(norms).mean(axis=0)), color=colours[i], linewidth=2, label=label)
        ax.set_yscale("log")
        ax.set_title(panel_title, fontsize="medium")
        ax.set_xlabel("k (steps back from the last step)")
        ax.grid(alpha=0.3, which="major")
        ax.legend(fontsize="small")
    axes[0][0].set_ylabel(r"$\|\partial L / \partial h_{T-k}\|$")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_count_readout(ns, panels, train_max=None, title=None):
    """What the straight line of ``counting.count_readout`` reads from a few units, against n.

    ns:        the N counts of the family of sentences, increasing.
    panels:    list of ``(panel title, readings (k, N, 2), labels (k,))``, the readings of k units
               (``count_readout(...)[1][units]``): after the n-th ``a`` (solid) and after the n-th ``b`` (dashed).
    train_max: the largest n seen in training (shaded), or None.
    A counter's line reads n after the ``a`` and 0 after the ``b`` (dotted). Returns the Figure.
    """
    if not isinstance(panels, (list, tuple)):
        raise TypeError(f"panels: expected a list of (title, readings, labels); got {type(panels).__name__}")
    if not panels:
        raise ValueError("panels: expected at least one (title, readings, labels)")
    ns = np.asarray(ns, dtype=float)
    fig, axes = plt.subplots(1, len(panels), figsize=(8, 3.4), sharey=True, squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, (panel_title, readings, labels) in zip(axes[0], panels):
        readings = np.asarray(readings, dtype=float)
        if readings.shape != (len(labels), len(ns), 2):
            raise ValueError(f"panels: expected readings of shape (k, N, 2) = ({len(labels)}, {len(ns)}, 2) for "
                             f"{panel_title!r}; got {readings.shape}")
        if train_max is not None:
            ax.axvspan(ns.min() - 0.5, train_max + 0.5, color="0.9", zorder=0)
        ax.plot(ns, ns, ":", color="0.3", label="a counter")
        ax.plot(ns, 0 * ns, ":", color="0.3")
        for i, (unit_readings, label) in enumerate(zip(readings, labels)):
            colour = colours[i % len(colours)]
            ax.plot(ns, unit_readings[:, 0], "o-", color=colour, markersize=3, label=f"{label}, after a$^n$")
            ax.plot(ns, unit_readings[:, 1], "s--", color=colour, markersize=3, label=f"{label}, after a$^n$ b$^n$")
        ax.set_title(panel_title, fontsize="medium")
        ax.set_xlabel("n (the sentence is a$^n$ b$^n$ a$^n$)")
    axes[0][0].set_ylabel("count read by a straight line")
    return finish(fig, list(axes[0]), title, over_figure=True)
