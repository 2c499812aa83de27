import json
import re

import matplotlib.pyplot as plt
import pytest

from utils import widgets
from utils.plotting import figure_to_png
from utils.widgets import WIDGET_MIME, explore, live_widget, static_explorer_html


def plot_line(slope: float = 1.0, label: str = "a"):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, slope])
    ax.set_title(label)
    return fig


def frames_of(html: str) -> dict:
    """Return the explorer's data, with the default frame (kept in the img's src) put back among the frames."""
    payload = re.search(r'<script type="application/json" class="explorer-frames">(.*?)</script>', html).group(1)
    data = json.loads(payload.replace("<\\/", "</"))
    initial = re.search(r'<img src="data:image/png;base64,([^"]+)"', html).group(1)
    data["frames"][data["initial"]] = initial
    return data


def test_static_explorer_draws_every_combination():
    html = static_explorer_html(plot_line, {"slope": [0.5, 1.0, 2.0], "label": ["a", "b"]})
    data = frames_of(html)
    assert len(data["frames"]) == 6 and data["labels"] == [["0.5", "1.0", "2.0"], ["a", "b"]]
    # sliders start at the function's defaults: slope=1.0 is index 1, label="a" index 0
    assert 'value="1" data-param="slope"' in html and '<option value="0" selected>a</option>' in html
    assert len(set(data["frames"].values())) == 6


def test_static_explorer_in_fast_mode_draws_only_the_default():
    data = frames_of(static_explorer_html(plot_line, {"slope": [0.5, 1.0, 2.0]}, render_all=False))
    assert list(data["frames"]) == ["1"]


def test_static_explorer_id_is_stable_across_runs():
    first = static_explorer_html(plot_line, {"slope": [1.0]})
    assert first == static_explorer_html(plot_line, {"slope": [1.0]})


def test_live_widget_never_raises_on_a_failing_setting(capsys):
    def fragile(n: int = 1):
        if n == 0:
            raise ZeroDivisionError("n must be positive")
        return plot_line(slope=1 / n)

    widget = live_widget(fragile, {"n": [0, 1, 2]})
    widget.children[0].value = 0  # the slider: drawing fails, a message is printed instead
    widget.update()
    assert "could not be drawn" in capsys.readouterr().out


def test_explore_displays_live_widget_and_website_twin(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    monkeypatch.setenv("BOOK_FAST", "0")
    monkeypatch.setattr("utils.widgets.in_ipython", lambda: True)
    explore(plot_line, slope=[0.5, 1.0])
    (bundle,) = [b for b in shown if isinstance(b, dict)]
    assert WIDGET_MIME in bundle and "book-explorer" in bundle["text/html"]


def test_explore_outside_ipython_only_says_where_the_sliders_are(capsys):
    explore(plot_line, slope=[0.5, 1.0])
    assert "open the notebook in Jupyter" in capsys.readouterr().out


@pytest.mark.parametrize(
    "params, match",
    [
        ({}, "at least one parameter"),
        ({"steep": [1]}, "no parameter 'steep'"),
        ({"slope": []}, "non-empty list"),
        ({"slope": 3}, "non-empty list"),
        ({"slope": list(range(10)), "label": list("abcd")}, "40 combinations"),
    ],
)
def test_explore_validates_its_arguments(params, match):
    with pytest.raises(ValueError, match=match):
        widgets._validate(plot_line, params, max_frames=36)


def test_explore_wants_a_function_returning_a_figure():
    with pytest.raises(TypeError):
        widgets._validate("not a function", {"x": [1]}, 36)
    with pytest.raises(TypeError, match="return the figure"):
        static_explorer_html(lambda x=1: None, {"x": [1]})


def test_string_values_get_a_menu_and_numbers_a_slider():
    html = static_explorer_html(plot_line, {"slope": [0.5, 1.0], "label": ["a", "b"]})
    assert '<select data-param="label">' in html and 'type="range"' in html and 'data-param="slope"' in html
    widget = live_widget(plot_line, {"slope": [0.5, 1.0], "label": ["a", "b"]})
    kinds = {type(child).__name__ for child in widget.children}
    assert {"Dropdown", "SelectionSlider"} <= kinds


def test_frames_are_compact_and_carry_the_figure_title_as_alt_text():
    html = static_explorer_html(plot_line, {"label": ["first", "second"]})
    data = frames_of(html)
    assert data["alts"]["1"].startswith("second") and 'alt="first (label = first)"' in html
    import base64
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(data["frames"]["0"])))
    assert image.mode == "P", "explorer frames are stored as palette PNGs"


def test_figures_show_as_compact_pngs_with_their_title_as_alt_text():
    import base64
    import io

    from IPython.core.interactiveshell import InteractiveShell
    from PIL import Image

    from utils.plotting import install_figure_formatter

    shell = InteractiveShell.instance()
    install_figure_formatter()
    fig = plot_line(label="a title")
    data, metadata = shell.display_formatter.format(fig)
    plt.close(fig)
    png = data["image/png"]
    image = Image.open(io.BytesIO(png if isinstance(png, bytes) else base64.b64decode(png)))
    assert image.mode == "P" and metadata["image/png"]["alt"] == "a title"


@pytest.mark.parametrize("palette", [True, 1, 300, 12.5])
def test_a_bad_palette_gets_a_clear_error(palette):
    fig = plot_line(label="x")
    with pytest.raises(ValueError, match="palette must be 0"):
        figure_to_png(fig, palette=palette)
