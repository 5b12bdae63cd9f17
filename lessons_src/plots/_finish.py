"""What the line plots of the book end with: a light grid, a small legend, the title, a tight layout."""


def finish(fig, axes, title=None, over_figure=False):
    """Grid and legend on each of ``axes``; ``title`` over the first Axes (over the figure if ``over_figure``)."""
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    if title:
        fig.suptitle(title) if over_figure else axes[0].set_title(title)
    fig.tight_layout()
    return fig
