"""`explore`: one plotting function, two views.

In JupyterLab the reader gets live ipywidgets sliders. The same output also
carries a kernel-free HTML counterpart: every combination of the listed values
is drawn once at execution time, and a few lines of JavaScript switch between
the saved images. The website shows that counterpart, so it is never an empty box.
A parameter whose values are all strings (a solver, a spacing) gets a menu; numbers
get a slider.
"""

from __future__ import annotations

import base64
import hashlib
import html
import inspect
import itertools
import json
from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt

from utils.plotting import figure_title, figure_to_png
from utils.runtime import fast_mode, in_ipython

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

_SWITCHER_JS = """
(function () {
  var root = document.getElementById("%(uid)s");
  var data = JSON.parse(root.querySelector("script.explorer-frames").textContent);
  var inputs = root.querySelectorAll("[data-param]");
  var img = root.querySelector("img");
  var missing = root.querySelector(".explorer-missing");
  var initial = img.src;  // the default setting's frame, in the page itself (shown without JavaScript)
  function update() {
    var key = [];
    inputs.forEach(function (input, i) {
      var shown = input.parentNode.querySelector("output");
      if (shown) { shown.textContent = data.labels[i][Number(input.value)]; }
      key.push(input.value);
    });
    var name = key.join(",");
    var frame = name === data.initial ? initial : data.frames[name] && "data:image/png;base64," + data.frames[name];
    img.style.display = frame ? "" : "none";
    missing.style.display = frame ? "none" : "";
    if (frame) { img.src = frame; img.alt = data.alts[name]; }
  }
  inputs.forEach(function (input) {
    input.addEventListener("input", update);
    input.addEventListener("change", update);
  });
  update();
})();
"""


def _is_choice(values: list) -> bool:
    """A parameter whose values are all strings is a choice among names: shown as a menu."""
    return all(isinstance(v, str) for v in values)


def _defaults(plot_fn: Callable, params: dict[str, list]) -> dict[str, Any]:
    """The function's own default for each parameter when it is among the values, else the first value."""
    signature = inspect.signature(plot_fn)
    chosen = {}
    for name, values in params.items():
        default = signature.parameters[name].default
        chosen[name] = default if any(default is v or default == v for v in values) else values[0]
    return chosen


def _validate(plot_fn: Callable, params: dict[str, list], max_frames: int) -> None:
    if not callable(plot_fn):
        raise TypeError("plot_fn must be a function that takes the parameters and returns a matplotlib Figure.")
    if not params:
        raise ValueError("explore needs at least one parameter, e.g. explore(plot, n=[1, 2, 4]).")
    accepted = inspect.signature(plot_fn).parameters
    for name, values in params.items():
        if name not in accepted:
            raise ValueError(f"plot_fn has no parameter {name!r}: its parameters are {list(accepted)}.")
        if not isinstance(values, (list, tuple)) or len(values) == 0:
            raise ValueError(f"{name} must be a non-empty list of values to offer, got {values!r}.")
    if not isinstance(max_frames, int) or max_frames < 1:
        raise ValueError(f"max_frames must be a positive integer, got {max_frames!r}.")
    n_frames = 1
    for values in params.values():
        n_frames *= len(values)
    if n_frames > max_frames:
        raise ValueError(
            f"{n_frames} combinations of values would be drawn for the website (limit {max_frames}): "
            "offer fewer values, or raise max_frames if the page may grow that large."
        )


def static_explorer_html(plot_fn: Callable, params: dict[str, list], render_all: bool = True) -> str:
    """Return the kernel-free HTML explorer: saved images of plot_fn and sliders that switch them.

    With render_all=False only the default combination is drawn (fast mode); the
    sliders then say that the other settings need a full-mode run or a kernel.
    """
    names = list(params)
    defaults = _defaults(plot_fn, params)
    default_index = [list(params[n]).index(defaults[n]) for n in names]
    combos = itertools.product(*(range(len(params[n])) for n in names)) if render_all else [tuple(default_index)]
    frames, alts = {}, {}
    for combo in combos:
        kwargs = {n: params[n][i] for n, i in zip(names, combo)}
        fig = plot_fn(**kwargs)
        key = ",".join(map(str, combo))
        setting = ", ".join(f"{n} = {v}" for n, v in kwargs.items())
        png = figure_to_png(fig, close=False, palette=128)  # raises a clear TypeError if fig is no Figure
        alts[key] = f"{figure_title(fig) or plot_fn.__name__} ({setting})"
        plt.close(fig)
        frames[key] = base64.b64encode(png).decode()
    labels = [[str(v) for v in params[n]] for n in names]
    uid = "explorer-" + hashlib.sha1(json.dumps([plot_fn.__name__, labels]).encode()).hexdigest()[:10]
    controls = "".join(_control(n, labels[k], i, _is_choice(params[n])) for k, (n, i) in enumerate(zip(names, default_index)))
    default_key = ",".join(map(str, default_index))
    initial = frames.pop(default_key)  # shown by the img itself, so it also appears without JavaScript
    payload = json.dumps({"labels": labels, "frames": frames, "alts": alts, "initial": default_key})
    payload = payload.replace("</", "<\\/")
    return (
        f'<div class="book-explorer" id="{uid}">'
        f'<div class="explorer-controls">{controls}</div>'
        f'<img src="data:image/png;base64,{initial}" alt="{html.escape(alts[default_key])}">'
        '<p class="explorer-missing" style="display:none">This setting was not pre-drawn (fast-mode run): '
        "open the notebook in JupyterLab to draw it live.</p>"
        f'<script type="application/json" class="explorer-frames">{payload}</script>'
        f"<script>{_SWITCHER_JS % {'uid': uid}}</script>"
        "</div>"
    )


def _control(name: str, labels: list[str], index: int, choice: bool) -> str:
    """Return the HTML of one control: a menu for a choice among names, else a slider."""
    if choice:
        options = "".join(
            f'<option value="{k}"{" selected" if k == index else ""}>{html.escape(label)}</option>'
            for k, label in enumerate(labels)
        )
        return f'<label class="explorer-control">{html.escape(name)} <select data-param="{html.escape(name)}">{options}</select></label> '
    return (
        f'<label class="explorer-control">{html.escape(name)} '
        f'<input type="range" min="0" max="{len(labels) - 1}" step="1" value="{index}" data-param="{html.escape(name)}">'
        f" <output>{html.escape(labels[index])}</output></label> "
    )


def live_widget(plot_fn: Callable, params: dict[str, list]):
    """Return an ipywidgets control that redraws plot_fn; a failing setting prints a message instead of raising."""
    import ipywidgets as widgets
    from IPython.display import display

    defaults = _defaults(plot_fn, params)

    def draw(**kwargs):
        try:
            fig = plot_fn(**kwargs)
        except Exception as err:  # a widget must never crash the notebook
            plt.close("all")
            print(f"This setting could not be drawn ({type(err).__name__}: {err}). Try another value.")
            return
        display(fig)
        plt.close(fig)

    def control(name: str, values: list):
        options = [(str(v), v) for v in values]
        style = {"description_width": "initial"}
        if _is_choice(values):
            return widgets.Dropdown(options=options, value=defaults[name], description=name, style=style)
        return widgets.SelectionSlider(
            options=options, value=defaults[name], description=name, continuous_update=False, style=style
        )

    return widgets.interactive(draw, **{name: control(name, values) for name, values in params.items()})


def explore(plot_fn: Callable, max_frames: int = 36, **params: list) -> None:
    """Show plot_fn with a slider per parameter: live in Jupyter, pre-drawn on the website.

    plot_fn(**kwargs) must return a matplotlib Figure. Each keyword lists the values
    to offer, e.g. explore(plot_error, n_modes=[4, 8, 16], width=[16, 32]).
    In fast mode only the default setting is pre-drawn.
    """
    _validate(plot_fn, params, max_frames)
    if not in_ipython():  # a plain Python run has no widgets to show
        print(f"utils.explore({plot_fn.__name__}): open the notebook in Jupyter for the sliders.")
        return
    from IPython.display import display

    static = static_explorer_html(plot_fn, params, render_all=not fast_mode())
    widget = live_widget(plot_fn, params)
    bundle = widget._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    data = dict(data) | {"text/html": static, "text/plain": f"Explorer for {plot_fn.__name__} ({', '.join(params)})"}
    display(data, raw=True)
