"""One plot style for the whole book, and a helper that turns figures into PNG bytes."""

from __future__ import annotations

import io

import matplotlib
import matplotlib.pyplot as plt

BOOK_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "savefig.bbox": "tight",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
}


def use_book_style() -> None:
    """Apply the book's matplotlib style (called by `utils.setup`)."""
    matplotlib.rcParams.update(BOOK_STYLE)


def figure_to_png(fig: matplotlib.figure.Figure, close: bool = True) -> bytes:
    """Return the figure rendered as PNG bytes, closing it unless `close=False`."""
    if not isinstance(fig, matplotlib.figure.Figure):
        raise TypeError(f"expected a matplotlib Figure, got {type(fig).__name__}: return the figure from your plot function.")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    if close:
        plt.close(fig)
    return buffer.getvalue()
