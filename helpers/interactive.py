"""Interactive explorers: live widgets in a notebook, playable on the website.

`explore(draw, **controls)` shows ipywidgets controls wired to ``draw`` in a
live notebook (JupyterLab, Colab): every control, over its full range.

When the environment variable ``BOOK_STATIC_WIDGETS`` is set (``make
execute`` and the tests set it, so the committed outputs and the website
come from it), there is no kernel to redraw the figure. ``explore`` then
draws the figure at execution time for a few positions of its *playable*
controls (a handful of positions of a slider, including its default; both
states of a checkbox; every option of a dropdown) and emits one output: the
default frame as an image, the controls as HTML (``<input type=range>``,
``<input type=checkbox>``, ``<select>``, each with a ``<label>``) and a few
lines of inline JavaScript that show the frame of the chosen position. No
kernel, no network: everything is in the page. The other controls stay at
their defaults there. A control it cannot make playable, or more frames than
the size budget allows, is an error at execution time.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import inspect
import io
import itertools
import json
import math
import os

STATIC_ENV_VAR = "BOOK_STATIC_WIDGETS"

MAX_FRAMES = 64                 # per explorer, checked before drawing
MAX_EXPLORER_BYTES = 1_500_000  # the explorer's output in the page
SLIDER_POSITIONS = 5            # spread over a slider (and its default)
DPI = 100                       # the book's figure.dpi (seed_everything)


def static_mode() -> bool:
    """True when explorers are drawn at execution time for a static page."""
    return os.environ.get(STATIC_ENV_VAR, "").strip() not in ("", "0")


def _default(control):
    """The default value of a control or of an ipywidgets abbreviation."""
    value = getattr(control, "value", control)
    if isinstance(control, tuple) and len(control) in (2, 3):
        # ipywidgets' abbreviation (min, max[, step]): its middle
        low, high = control[0], control[1]
        if isinstance(low, float) or isinstance(high, float):
            value = (low + high) / 2
        else:
            value = (low + high) // 2
    return value


def _check_playable(playable, controls):
    """Normalise ``playable`` to {name: None or list of values}."""
    if playable is None:
        return {name: None for name in controls}
    if isinstance(playable, str):
        playable = [playable]
    if isinstance(playable, dict):
        chosen = dict(playable)
    elif isinstance(playable, (list, tuple)):
        chosen = {name: None for name in playable}
    else:
        raise TypeError("playable must be a list of control names or a dict "
                        "{name: values or None}, got "
                        f"{type(playable).__name__}")
    unknown = [name for name in chosen if name not in controls]
    if unknown:
        raise ValueError(f"playable names {unknown}, which are not controls "
                         f"of this explorer (its controls: {list(controls)})")
    for name, values in chosen.items():
        if values is not None and (isinstance(values, (str, bytes))
                                   or not hasattr(values, "__iter__")
                                   or len(list(values)) == 0):
            raise ValueError(f"playable[{name!r}] must be None or a non-empty "
                             f"list of values, got {values!r}")
    return chosen


def explore(draw, *, playable=None, alt=None, **controls):
    """Show ``draw`` with a control per keyword: live, or playable on the site.

    Each keyword is an ipywidgets control (``FloatSlider(value=..., ...)``,
    ``Checkbox(...)``, ``Dropdown(...)``, ...) or any value
    ``ipywidgets.interact`` accepts (``(0, 10)``, ``True``, a list).

    playable: which controls the static page lets the reader move (static
        mode only; a live notebook always has every control). None (the
        default) means all of them; a list of names; or a dict mapping a name
        to None (a few positions chosen here) or to the list of values to
        offer. A control with no automatic positions (a text box, a range
        slider) is playable only with its values listed.
    alt: what the figure shows, in words; each frame's alt text adds the
        values of the playable controls.

    Returns the ``ipywidgets.interactive`` object in a live notebook, None in
    static mode.
    """
    if not callable(draw):
        raise TypeError(f"draw must be callable, got {type(draw).__name__}")
    chosen = _check_playable(playable, controls)
    if alt is not None and not (isinstance(alt, str) and alt.strip()):
        raise TypeError(f"alt must be a non-empty string, got {alt!r}")
    if static_mode():
        _static_explorer(draw, controls, chosen, alt)
        return None
    import ipywidgets
    from IPython.display import display

    panel = ipywidgets.interactive(draw, **controls)
    display(panel)
    return panel


# ---------------------------------------------------------------- static mode

class _Control:
    """One control as the static page shows it."""

    def __init__(self, name, widget, label, kind, values, labels, default):
        self.name, self.widget, self.label = name, widget, label
        self.kind, self.values, self.labels = kind, values, labels
        self.default = default  # index into values


def _widget(name, control, draw):
    """The ipywidgets control a live explorer would make for ``control``."""
    import ipywidgets

    if isinstance(control, ipywidgets.Widget) or isinstance(
            control, ipywidgets.fixed):
        return control
    try:
        parameter = inspect.signature(draw).parameters.get(name)
    except (TypeError, ValueError):
        parameter = None
    default = parameter.default if parameter is not None else inspect._empty
    widget = ipywidgets.interactive.widget_from_abbrev(control, default)
    if widget is None:
        raise ValueError(
            f"explore: cannot make a control for {name}={control!r}")
    return widget


def _readout(widget, value):
    fmt = getattr(widget, "readout_format", None)
    if isinstance(value, tuple) and len(value) == 2 and "Range" in type(
            widget).__name__:
        return f"{value[0]}:{value[1]}"  # a range slider's (low, high)
    if isinstance(value, bool):
        return "on" if value else "off"
    if fmt and isinstance(value, (int, float)):
        try:
            return format(value, fmt)
        except (TypeError, ValueError):
            pass
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _snap(value, low, step):
    return low + round((value - low) / step) * step


def _slider_values(widget):
    """A handful of positions over a slider's range, and its default."""
    import ipywidgets

    n = SLIDER_POSITIONS
    if isinstance(widget, ipywidgets.FloatLogSlider):
        low, high, step = widget.min, widget.max, widget.step or 0.1
        exps = [_snap(low + (high - low) * k / (n - 1), low, step)
                for k in range(n)]
        values = [round(widget.base ** min(e, high), 12) for e in exps]
    else:
        low, high, step = widget.min, widget.max, widget.step or 1
        values = [min(_snap(low + (high - low) * k / (n - 1), low, step),
                      high) for k in range(n)]
        if isinstance(widget, ipywidgets.IntSlider):
            values = [int(v) for v in values]
        else:
            values = [round(float(v), 10) for v in values]
    return sorted(set(values) | {widget.value})


def _playable_control(name, widget, values):
    """A _Control for ``widget``, or a ValueError naming it."""
    import ipywidgets

    label = (getattr(widget, "description", "") or name).strip()
    kind_name = type(widget).__name__
    sliders = (ipywidgets.IntSlider, ipywidgets.FloatSlider,
               ipywidgets.FloatLogSlider)
    choices = (ipywidgets.Dropdown, ipywidgets.RadioButtons,
               ipywidgets.ToggleButtons, ipywidgets.Select,
               ipywidgets.SelectionSlider)
    toggles = (ipywidgets.Checkbox, ipywidgets.ToggleButton)
    default = widget.value
    if isinstance(widget, toggles):
        if values is not None and sorted(map(bool, values)) != [False, True]:
            raise ValueError(f"explore: control {name!r} ({label}) is a "
                             "checkbox: its playable values are both states")
        return _Control(name, widget, label, "checkbox", [False, True],
                        ["off", "on"], int(bool(default)))
    if isinstance(widget, choices):
        options = list(zip(widget._options_labels, widget._options_values))
        if values is not None:
            options = [(lab, val) for lab, val in options if val in values]
            missing = [v for v in values if v not in [o[1] for o in options]]
            if missing:
                raise ValueError(f"explore: control {name!r} ({label}) has "
                                 f"no option {missing[0]!r}")
        if default not in [val for _, val in options]:
            options.insert(0, (widget.label, default))
        return _Control(name, widget, label, "select",
                        [val for _, val in options],
                        [str(lab) for lab, _ in options],
                        [val for _, val in options].index(default))
    if isinstance(widget, sliders):
        if values is None:
            values = _slider_values(widget)
        else:
            values = sorted(set(values) | {default})
            log = isinstance(widget, ipywidgets.FloatLogSlider)
            outside = [v for v in values if not widget.min - 1e-9 <= (
                math.log(v, widget.base) if log and v > 0 else v)
                <= widget.max + 1e-9 or (log and v <= 0)]
            if outside:
                raise ValueError(f"explore: control {name!r} ({label}): "
                                 f"{outside[0]!r} is outside its range")
        return _Control(name, widget, label, "range", values,
                        [_readout(widget, v) for v in values],
                        values.index(default))
    if values is None:
        raise ValueError(
            f"explore: control {name!r} ({label}, a {kind_name}) cannot be "
            "made playable on the static page by itself: list the values to "
            f"offer, playable={{{name!r}: [...]}}, or leave it out of "
            "playable= (it then stays at its default there; a live notebook "
            "still has it)")
    values = list(values)
    if default not in values:
        values.insert(0, default)
    return _Control(name, widget, label, "select", values,
                    [_readout(widget, v) for v in values],
                    values.index(default))


def _figure_png(fig) -> bytes:
    """The figure as PNG bytes: fixed dpi, no metadata (the same bytes on
    every run), reduced to a 256-colour palette to keep the page light."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight",
                metadata={"Software": None})
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib
        return buffer.getvalue()
    buffer.seek(0)
    image = Image.open(buffer).convert("RGB")
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                           dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _draw_frame(draw, kwargs):
    """Call ``draw`` and capture what it prints and the figure it shows."""
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    shown = []

    def capture(*args, **kw):
        for number in plt.get_fignums():
            if number not in before:
                fig = plt.figure(number)
                shown.append(_figure_png(fig))
                plt.close(fig)

    printed = io.StringIO()
    original = plt.show
    plt.show = capture
    try:
        with contextlib.redirect_stdout(printed):
            draw(**kwargs)
            capture()
    finally:
        plt.show = original
    if len(shown) > 1:
        raise ValueError(f"explore: {getattr(draw, '__name__', 'draw')} drew "
                         f"{len(shown)} figures; an explorer shows one")
    return (shown[0] if shown else None), printed.getvalue()


_SCRIPT = """(function () {
  var root = document.currentScript.parentElement;
  var data = JSON.parse(root.querySelector(".book-explorer-data").textContent);
  var img = root.querySelector("img"), text = root.querySelector("pre");
  var first = img.getAttribute("src");
  var inputs = root.querySelectorAll("[data-control]");
  function show() {
    var key = [];
    inputs.forEach(function (el, i) {
      var k = el.type === "checkbox" ? (el.checked ? 1 : 0) : +el.value;
      var label = data.labels[i][k];
      key.push(k);
      var out = root.querySelector("output[for='" + el.id + "']");
      if (out) out.textContent = label;
      if (el.type === "range") el.setAttribute("aria-valuetext", label);
    });
    var f = data.frames[key.join(",")];
    var src = f[0] < 0 ? "" : (data.images[f[0]] || first);
    img.hidden = !src;
    if (src) img.src = src;
    img.alt = f[1];
    text.textContent = f[2];
    text.hidden = !f[2];
    root.dataset.frame = key.join(",");
  }
  inputs.forEach(function (el) {
    el.addEventListener("input", show);
    el.addEventListener("change", show);
  });
})();"""


def _static_explorer(draw, controls, chosen, alt):
    from IPython.display import display

    name = getattr(draw, "__name__", "draw")
    widgets = {key: _widget(key, control, draw)
               for key, control in controls.items()}
    import ipywidgets

    fixed = {key: w.value for key, w in widgets.items()}
    playable = [_playable_control(key, widgets[key], chosen[key])
                for key in controls if key in chosen
                and not isinstance(widgets[key], ipywidgets.fixed)]
    count = 1
    for control in playable:
        count *= len(control.values)
    if count > MAX_FRAMES:
        sizes = " x ".join(f"{c.name} {len(c.values)}" for c in playable)
        raise ValueError(
            f"explore: {name} would need {count} frames ({sizes}), more than "
            f"the budget of {MAX_FRAMES}: make fewer controls playable or "
            "list fewer values with playable={name: [...]}")
    description = alt or f"The figure of {name}"
    images, index, frames = [], {}, {}
    default_key = ",".join(str(c.default) for c in playable)
    default_frame = None
    for combo in itertools.product(*[range(len(c.values)) for c in playable]):
        kwargs = dict(fixed)
        for control, k in zip(playable, combo):
            kwargs[control.name] = control.values[k]
        png, printed = _draw_frame(draw, kwargs)
        key = ",".join(map(str, combo))
        words = ", ".join(f"{c.label} = {c.labels[k]}"
                          for c, k in zip(playable, combo))
        frame_alt = f"{description} ({words})." if words else description
        if png is None:
            image = -1
        elif png in index:
            image = index[png]
        else:
            image = index[png] = len(images)
            images.append(png)
        frames[key] = [image, frame_alt, printed.rstrip("\n")]
        if key == default_key:
            default_frame = (png, frame_alt, printed.rstrip("\n"))
    png, frame_alt, printed = default_frame
    encoded = ["data:image/png;base64," + base64.b64encode(p).decode("ascii")
               for p in images]
    # the same id on every run and machine (not from the PNG bytes)
    digest = hashlib.sha1(json.dumps(
        [name, [c.labels for c in playable]]).encode()).hexdigest()[:8]
    uid = f"explore-{name}-{digest}".replace("_", "-")
    first = encoded[index[png]] if png is not None else ""
    if png is not None:
        encoded[index[png]] = ""  # the <img> holds it already
    data = {"images": encoded, "frames": frames,
            "labels": [c.labels for c in playable]}
    page = _html(uid, playable, first, frame_alt, printed, data,
                 others=[(k, widgets[k]) for k in controls
                         if all(c.name != k for c in playable)])
    if len(page) > MAX_EXPLORER_BYTES:
        raise ValueError(
            f"explore: {name}'s {len(frames)} frames take "
            f"{len(page) / 1e6:.2f} MB, over the budget of "
            f"{MAX_EXPLORER_BYTES / 1e6:.2f} MB per explorer: make fewer "
            "controls playable or list fewer values with playable=")
    values = "; ".join(f"{c.label} = {c.labels[c.default]}" for c in playable)
    plain = (f"Explorer {name}" + (f" at {values}" if values else "")
             + ": playable on the book's website; run the notebook to "
             "move every control.")
    if printed:
        plain = printed + "\n" + plain
    display({"text/html": page, "text/plain": plain}, raw=True)


def _html(uid, playable, src, alt, printed, data, others):
    esc = html.escape
    rows = []
    for i, c in enumerate(playable):
        cid = f"{uid}-{c.name}".replace("_", "-")
        if c.kind == "range":
            rows.append(
                f'<label for="{cid}">{esc(c.label)}</label>'
                f'<input type="range" id="{cid}" data-control="{i}" min="0" '
                f'max="{len(c.values) - 1}" step="1" value="{c.default}" '
                f'aria-valuetext="{esc(c.labels[c.default])}">'
                f'<output for="{cid}">{esc(c.labels[c.default])}</output>')
        elif c.kind == "checkbox":
            checked = " checked" if c.default else ""
            rows.append(
                f'<label for="{cid}">{esc(c.label)}</label>'
                f'<input type="checkbox" id="{cid}" data-control="{i}"'
                f'{checked}><span></span>')
        else:
            options = "".join(
                f'<option value="{k}"{" selected" if k == c.default else ""}>'
                f'{esc(lab)}</option>' for k, lab in enumerate(c.labels))
            rows.append(
                f'<label for="{cid}">{esc(c.label)}</label>'
                f'<select id="{cid}" data-control="{i}">{options}</select>'
                '<span></span>')
    note = ("Move the controls: the figure was drawn for each position "
            "when the book was built.")
    if others:
        fixed = ", ".join(esc((getattr(w, "description", "") or "").strip()
                              or key) for key, w in others)
        note += (f" The other controls ({fixed}) stay at their defaults "
                 "here; run the notebook to move them all.")
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    hidden_img = "" if src else " hidden"
    hidden_pre = "" if printed else " hidden"
    return (
        f'<div class="book-explorer" id="{uid}">'
        f'<pre class="book-explorer-text"{hidden_pre}>{esc(printed)}</pre>'
        f'<img class="book-explorer-figure" src="{src}" alt="{esc(alt)}"'
        f'{hidden_img}>'
        f'<div class="book-explorer-controls" role="group" '
        f'aria-label="Explorer controls">{"".join(rows)}</div>'
        f'<p class="book-explorer-note">{note}</p>'
        f'<script type="application/json" class="book-explorer-data">'
        f'{payload}</script>'
        f'<script>{_SCRIPT}</script></div>')
