"""One plot style for the whole book, and helpers that turn figures into PNG bytes and alt text.

Figures are at most FIGURE_MAX_WIDTH inches wide at 100 dpi, so the website shows them at their
natural size (its text column is about 690 px) and their text is as large as the page's small
text. Lay out multi-panel figures in rows of at most two or three panels, never wider.
"""

from __future__ import annotations

import io

import matplotlib
import matplotlib.pyplot as plt
from PIL import Image

FIGURE_MAX_WIDTH = 6.8  # inches at 100 dpi: the width of the website's text column

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


def figure_to_png(fig: matplotlib.figure.Figure, close: bool = True, palette: int = 0) -> bytes:
    """Return the figure rendered as PNG bytes, closing it unless `close=False`.

    palette=N (e.g. 128) stores it with at most N colours: about a third of the size, and plots lose
    nothing visible. It keeps the stored notebooks and the explorers' pre-drawn frames small.
    """
    if not isinstance(fig, matplotlib.figure.Figure):
        raise TypeError(f"expected a matplotlib Figure, got {type(fig).__name__}: return the figure from your plot function.")
    if isinstance(palette, bool) or not isinstance(palette, int) or not (palette == 0 or 2 <= palette <= 256):
        raise ValueError(f"palette must be 0 (full colour) or a colour count from 2 to 256, got {palette!r}.")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    if close:
        plt.close(fig)
    if not palette:
        return buffer.getvalue()
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    small = io.BytesIO()
    image.quantize(colors=palette, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        small, "PNG", optimize=True
    )
    return small.getvalue()


def figure_title(fig: matplotlib.figure.Figure) -> str:
    """Return the figure's title (its suptitle, else its axes' titles joined), or '' when it has none."""
    if fig._suptitle is not None and fig._suptitle.get_text().strip():
        return fig._suptitle.get_text().strip()
    titles = [ax.get_title().strip() for ax in fig.axes if ax.get_title().strip()]
    return "; ".join(titles)


def install_figure_formatter() -> None:
    """In IPython, show figures as compact PNGs (256 colours) with their title as alt text.

    The PNG output carries {"alt": title} in its metadata; the book's Sphinx extension copies it
    into the page's <img alt>. Outside IPython it does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return

    plt.close(plt.figure())  # the inline backend sets its own formatters when it draws a first figure

    def compact_png_with_alt(fig):
        png = figure_to_png(fig, close=False, palette=256)
        title = figure_title(fig)
        return (png, {"alt": title}) if title else png

    shell.display_formatter.formatters["image/png"].for_type(matplotlib.figure.Figure, compact_png_with_alt)
