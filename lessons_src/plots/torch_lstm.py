"""Figures of chapter 4: where our gate weights sit inside nn.LSTM, and how fast each implementation steps."""

import matplotlib.pyplot as plt
import numpy as np

from ..lstm import GATES
from ..validation import require_dict

_GATE_NAMES = {"i": "input", "f": "forget", "g": "candidate", "o": "output"}


def plot_lstm_layout(module):
    """Draw the four parameters of ``module.lstm`` (an ``nn.LSTM``) with one band per gate.

    Panels: ``weight_ih_l0`` (4H, V), ``weight_hh_l0`` (4H, H), ``bias_ih_l0``
    and ``bias_hh_l0`` (4H,), as heatmaps sharing one colour scale, with the
    rows of the gates i, f, g, o marked and named after the NumPy arrays
    they hold. Returns the Figure.
    """
    lstm = _check_lstm_module(module)
    hidden_size = lstm.hidden_size
    panels = [
        ("weight_ih_l0", lstm.weight_ih_l0, "W_x"),
        ("weight_hh_l0", lstm.weight_hh_l0, "W_h"),
        ("bias_ih_l0", lstm.bias_ih_l0[:, None], "b_"),
        ("bias_hh_l0", lstm.bias_hh_l0[:, None], None),
    ]
    arrays = [tensor.detach().double().numpy() for _, tensor, _ in panels]
    limit = max(np.abs(a).max() for a in arrays) or 1.0
    widths = [max(a.shape[1], 4) for a in arrays]
    fig, axes = plt.subplots(1, 4, figsize=(8, 4.5), gridspec_kw={"width_ratios": widths})
    for ax, (name, _, prefix), array in zip(axes, panels, arrays):
        image = ax.imshow(array, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto", interpolation="nearest")
        shape = tuple(array.shape) if array.shape[1] > 1 else (array.shape[0],)
        ax.set_title(f"{name}\n{shape}", fontsize="small")
        ax.set_xticks([])
        ax.set_yticks([])
        for k, gate in enumerate(GATES):
            if k:
                ax.axhline(k * hidden_size - 0.5, color="black", linewidth=1.5)
            if prefix:
                ax.text((array.shape[1] - 1) / 2, (k + 0.5) * hidden_size - 0.5, f"{prefix}{gate}", ha="center",
                        va="center", fontsize="small", bbox={"facecolor": "white", "alpha": 0.8, "linewidth": 0})
    centres = [(k + 0.5) * hidden_size - 0.5 for k in range(len(GATES))]
    axes[0].set_yticks(centres)
    axes[0].set_yticklabels([f"{_GATE_NAMES[gate]} ({gate})" for gate in GATES], fontsize="small")
    axes[0].tick_params(axis="y", length=0)
    if not arrays[3].any():
        axes[3].text(0, 2 * hidden_size - 0.5, "all zero", rotation=90, ha="center", va="center", fontsize="small")
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="weight")
    return fig


def plot_step_times(panels, title=None):
    """Seconds per training step against a size, one line per implementation, log-log.

    panels: dict x-axis label -> ``(sizes, times)``, ``times`` being one dict
            per size as ``timing.time_training_step`` returns it
            (implementation name -> seconds).
    Returns the Figure (one Axes per panel, side by side).
    """
    require_dict("panels", panels, "a non-empty dict label -> (sizes, times)")
    styles = {"numpy": ("o-", "ours, NumPy float64"), "torch float64": ("s--", "nn.LSTM float64"),
              "torch float32": ("^:", "nn.LSTM float32")}
    for label, (sizes, times) in panels.items():
        if len(sizes) != len(times) or not all(isinstance(t, dict) and set(styles) <= set(t) for t in times):
            raise ValueError(f"panels[{label!r}]: expected (sizes, times) with one dict of {sorted(styles)} per size")
    fig, axes = plt.subplots(1, len(panels), figsize=(8, 3.6), sharey=True, squeeze=False)
    for ax, (label, (sizes, times)) in zip(axes[0], panels.items()):
        for key, (style, name) in styles.items():
            ax.plot(sizes, [1e3 * t[key] for t in times], style, label=name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(sizes)
        ax.set_xticklabels([str(s) for s in sizes])
        ax.xaxis.set_minor_locator(plt.NullLocator())
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("ms per training step")
    axes[0, 0].legend(fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _check_lstm_module(module):
    """``module.lstm``, the ``nn.LSTM`` of an ``LSTMLanguageModel`` (checked without importing PyTorch here)."""
    if not callable(getattr(module, "parameters", None)):
        raise TypeError(f"module: expected an LSTMLanguageModel (an nn.Module); got {type(module).__name__}")
    lstm = getattr(module, "lstm", None)
    if lstm is None or not hasattr(lstm, "weight_ih_l0") or not hasattr(lstm, "bias_hh_l0"):
        raise ValueError(f"module: expected an LSTMLanguageModel, whose .lstm is an nn.LSTM with biases; "
                         f"got {type(module).__name__}")
    return lstm
