"""Chapter 2's figure: how the error of a gradient check depends on the step of the finite difference."""

import matplotlib.pyplot as plt
import numpy as np

from ..validation import require_dict
from ._finish import finish

MACHINE_EPSILON = np.finfo(np.float64).eps


def plot_gradient_check_errors(eps_values, errors, title=None):
    """The relative error of each parameter's central difference against the step eps, on log-log axes.

    eps_values: the steps, a 1-d sequence of positive numbers.
    errors:     dict parameter name -> relative errors, one per step (as
                ``gradcheck.gradient_check`` returns them for each eps).
    Two guides show the slopes of the two sources of error: eps^2 (truncation,
    through the largest error at the step two thirds of the way up) and machine
    epsilon / eps (rounding, through the largest error at the smallest step).
    Returns the Figure.
    """
    eps_values = _check_plot_gradient_check_errors_args(eps_values, errors)
    fig, ax = plt.subplots(figsize=(7.2, 3.8))
    for name, values in errors.items():
        ax.plot(eps_values, values, "o-", markersize=3, linewidth=1, label=name)
    worst = np.max([np.asarray(values, dtype=float) for values in errors.values()], axis=0)
    order = np.argsort(eps_values)
    middle, smallest = order[(2 * len(order)) // 3], order[0]      # a step where truncation rules; the smallest
    large = eps_values >= eps_values[middle] / 1e2
    ax.plot(eps_values[large], worst[middle] * (eps_values[large] / eps_values[middle]) ** 2, ":", color="black",
            label=r"$\propto \varepsilon^2$ (truncation)")
    small = eps_values <= eps_values[smallest] * 1e8
    ax.plot(eps_values[small], worst[smallest] * eps_values[smallest] / eps_values[small], "--", color="grey",
            label=r"$\propto \varepsilon_{\mathrm{mach}} / \varepsilon$ (rounding)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"step $\varepsilon$ of the central difference")
    ax.set_ylabel("max relative error")
    finish(fig, [ax], title)
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.02, 0.5))
    fig.tight_layout()
    return fig


def _check_plot_gradient_check_errors_args(eps_values, errors):
    if not isinstance(eps_values, (list, tuple, np.ndarray)):
        raise TypeError(f"eps_values: expected a list or array of steps; got {type(eps_values).__name__}")
    eps_values = np.asarray(eps_values, dtype=float)
    if eps_values.ndim != 1 or len(eps_values) < 2 or (eps_values <= 0).any():
        raise ValueError(f"eps_values: expected at least two positive steps; got {eps_values!r:.80}")
    require_dict("errors", errors, "a non-empty dict parameter name -> relative errors")
    for name, values in errors.items():
        values = np.asarray(values, dtype=float)
        if values.shape != eps_values.shape or (values <= 0).any():
            raise ValueError(f"errors[{name!r}]: expected {len(eps_values)} positive errors, one per step; "
                             f"got {values!r:.80}")
    return eps_values
