"""Loss curves: how training went, for one model or several side by side."""

import matplotlib.pyplot as plt

from ..validation import require_dict
from ._finish import finish


def plot_losses(histories, title=None, log_scale=False, ax=None):
    """Plot training (solid) and validation (dashed) loss per epoch for each history.

    histories: dict label -> history, a history being a dict with the lists
               ``"train_loss"`` and ``"val_loss"`` (one value per epoch), as
               returned by ``train.train`` or ``torch_train.train_torch``.
    log_scale: draw the loss axis on a logarithmic scale.
    ax:        an Axes to draw into; a new (6.4, 3.6) figure when None.

    Each label gets one colour for both of its curves. Returns the Figure.
    """
    require_dict("histories", histories, "a non-empty dict label -> history")
    for label, history in histories.items():
        if not isinstance(history, dict) or not {"train_loss", "val_loss"} <= set(history):
            raise ValueError(f"histories[{label!r}]: expected a dict with 'train_loss' and 'val_loss'; got {history!r:.80}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
    else:
        fig = ax.figure
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, history) in enumerate(histories.items()):
        colour = colours[i % len(colours)]
        for key, style, kind in (("train_loss", "-", "train"), ("val_loss", "--", "validation")):
            values = history[key]
            ax.plot(range(1, len(values) + 1), values, style, color=colour, label=f"{label} ({kind})")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss")
    if log_scale:
        ax.set_yscale("log")
    return finish(fig, [ax], title)
