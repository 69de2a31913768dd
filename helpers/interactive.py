"""Interactive explorers that also read well as a static page.

`explore(draw, **controls)` shows ipywidgets controls wired to ``draw`` in a
live notebook. When the environment variable ``BOOK_STATIC_WIDGETS`` is set
(the tests and the executions whose outputs are committed set it), it calls
``draw`` once with the default values instead, so the committed notebook --
and therefore the website -- shows a real figure, never an empty widget.
"""

from __future__ import annotations

import os

STATIC_ENV_VAR = "BOOK_STATIC_WIDGETS"


def static_mode() -> bool:
    """True when explorers should draw one static figure instead of widgets."""
    return os.environ.get(STATIC_ENV_VAR, "").strip() not in ("", "0")


def _default(control):
    value = getattr(control, "value", control)
    if isinstance(control, tuple) and len(control) in (2, 3):
        # ipywidgets' abbreviation (min, max[, step]): the default is the midpoint
        low, high = control[0], control[1]
        value = (low + high) / 2 if isinstance(low, float) or isinstance(high, float) else (low + high) // 2
    return value


def explore(draw, **controls):
    """Show ``draw`` with one widget per keyword, or draw it once at the defaults.

    Each keyword is an ipywidgets control (``FloatSlider(value=..., ...)``,
    ``Checkbox(...)``, ...) or any value ``ipywidgets.interact`` accepts.
    Returns the ``ipywidgets.interactive`` object in a live notebook, None in
    static mode.
    """
    if not callable(draw):
        raise TypeError(f"draw must be callable, got {type(draw).__name__}")
    if static_mode():
        draw(**{name: _default(control) for name, control in controls.items()})
        return None
    import ipywidgets
    from IPython.display import display

    panel = ipywidgets.interactive(draw, **controls)
    display(panel)
    return panel
