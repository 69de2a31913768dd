"""Box diagrams of tensors (chapter 2, "Tensors", section 2.2.8).

A rank-3 tensor is drawn as a box whose three edges are its three axes
(figure 2.3 of the classic layout); a rank-4 tensor as a row of such boxes,
one per sample (figure 2.4). The diagrams are drawn from the actual shape:
each edge is labelled with its axis name and size, and its drawn length grows
with the logarithm of the size, so that an axis of 3 and an axis of 390 both
fit on the page while the longer one still looks longer.
"""

from __future__ import annotations

import math
import numbers

import matplotlib.pyplot as plt
from matplotlib.patches import Polygon

DEPTH_ANGLE_DEG = 35.0
"""Angle of the receding (depth) edges of a box, in degrees from the horizontal."""

DEPTH_SHRINK = 0.6
"""Receding edges are drawn shorter than they are, as in an oblique projection."""

CHANNEL_COLORS = {1: ["#bdbdbd"], 3: ["#e6554d", "#5cb85c", "#4a90d9"]}
"""Face colours of the channel slabs of an image: gray, or red, green and blue."""

_FACE_SHADE = {"front": 1.0, "top": 0.85, "side": 0.7}


def edge_length(size: int) -> float:
    """Drawn length of an axis holding ``size`` entries: ``1 + log10(size)``."""
    _check_size(size, "size")
    return 1.0 + math.log10(size)


def _check_size(size, what) -> None:
    if not isinstance(size, numbers.Integral) or isinstance(size, bool):
        raise TypeError(f"{what} must be an int, got {size!r} ({type(size).__name__})")
    if size < 1:
        raise ValueError(f"{what} must be at least 1, got {size}")


def _check_shape(shape, names, rank: int) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Validate a shape and its axis names for a rank-``rank`` diagram."""
    try:
        shape = tuple(shape)
        names = tuple(names)
    except TypeError as exc:
        raise TypeError(f"shape and names must be sequences, got {shape!r} and {names!r}") from exc
    if len(shape) != rank:
        raise ValueError(f"a rank-{rank} diagram needs a shape of {rank} axes, "
                         f"got shape {shape} with {len(shape)}")
    for axis, size in enumerate(shape):
        _check_size(size, f"axis {axis} of shape {shape}")
    if len(names) != rank:
        raise ValueError(f"shape {shape} has {rank} axes but {len(names)} names were given: {names}")
    if not all(isinstance(name, str) for name in names):
        raise TypeError(f"axis names must be strings, got {names!r}")
    return tuple(int(s) for s in shape), names


def depth_vector(depth: float) -> tuple[float, float]:
    """Where a receding edge of drawn length ``depth`` points, as (dx, dy)."""
    angle = math.radians(DEPTH_ANGLE_DEG)
    return depth * DEPTH_SHRINK * math.cos(angle), depth * DEPTH_SHRINK * math.sin(angle)


def box_faces(width: float, height: float, depth: float, origin=(0.0, 0.0)) -> dict:
    """Corners of the three visible faces of a box: ``front``, ``top`` and ``side``.

    The front face is the rectangle from ``origin`` spanning ``width`` to the
    right and ``height`` up; the depth recedes up and to the right.
    """
    for value, what in ((width, "width"), (height, "height"), (depth, "depth")):
        if not value > 0:
            raise ValueError(f"box {what} must be positive, got {value}")
    x, y = origin
    dx, dy = depth_vector(depth)
    front = [(x, y), (x + width, y), (x + width, y + height), (x, y + height)]
    top = [(x, y + height), (x + width, y + height),
           (x + width + dx, y + height + dy), (x + dx, y + height + dy)]
    side = [(x + width, y), (x + width + dx, y + dy),
            (x + width + dx, y + height + dy), (x + width, y + height)]
    return {"front": front, "top": top, "side": side}


def _shade(color, factor):
    from matplotlib.colors import to_rgb
    return tuple(factor * c for c in to_rgb(color))


def draw_box(ax, width, height, depth, *, origin=(0.0, 0.0), color="#9ecae1",
             labels=("", "", "")) -> dict:
    """Draw one box on ``ax`` and label its width, height and depth edges.

    ``labels`` are written under the bottom edge, left of the left edge and
    along the receding bottom-right edge. Returns the faces (see `box_faces`).
    """
    faces = box_faces(width, height, depth, origin)
    for name, corners in faces.items():
        ax.add_patch(Polygon(corners, closed=True, facecolor=_shade(color, _FACE_SHADE[name]),
                             edgecolor="black", linewidth=1.0))
    width_label, height_label, depth_label = labels
    x, y = origin
    dx, dy = depth_vector(depth)
    if width_label:
        ax.text(x + width / 2, y - 0.15, width_label, ha="center", va="top")
    if height_label:
        ax.text(x - 0.15, y + height / 2, height_label, ha="right", va="center", rotation=90)
    if depth_label:
        ax.text(x + width + dx / 2 + 0.12, y + dy / 2 - 0.12, depth_label,
                ha="left", va="top", rotation=DEPTH_ANGLE_DEG, rotation_mode="anchor")
    return faces


def _finish(ax, points, margin=1.2):
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    ax.set_xlim(min(xs) - margin, max(xs) + margin)
    ax.set_ylim(min(ys) - margin, max(ys) + margin * 0.6)
    ax.set_aspect("equal")
    ax.axis("off")


def _label(name, size):
    return f"{name}: {size:,}"


def draw_rank3(shape, names, *, ax=None, color="#9ecae1"):
    """Draw a rank-3 tensor as a box (the layout of figure 2.3).

    Axis 0 recedes into the page, axis 1 runs left to right, axis 2 bottom to
    top: for a timeseries ``(samples, timesteps, features)`` each sample is a
    slice seen from the front, with time running horizontally. Returns ``ax``.
    """
    shape, names = _check_shape(shape, names, 3)
    if ax is None:
        ax = plt.gca()
    faces = draw_box(ax, edge_length(shape[1]), edge_length(shape[2]), edge_length(shape[0]),
                     color=color, labels=(_label(names[1], shape[1]), _label(names[2], shape[2]),
                                          _label(names[0], shape[0])))
    _finish(ax, [p for corners in faces.values() for p in corners])
    return ax


def draw_rank4(shape, names, *, ax=None, shown=3):
    """Draw a rank-4 tensor as a row of boxes, one per sample (the layout of figure 2.4).

    Axis 0 counts the boxes; in each box axis 1 runs bottom to top, axis 2
    left to right and axis 3 recedes into the page, as a stack of slabs
    coloured red, green and blue for 3 channels (gray for 1). When axis 0 has
    more than ``shown`` entries, the first ``shown - 1`` boxes and the last one
    are drawn, with an ellipsis between them. Returns ``ax``.
    """
    shape, names = _check_shape(shape, names, 4)
    _check_size(shown, "shown")
    if shown < 2:
        raise ValueError(f"shown must be at least 2 (first and last sample), got {shown}")
    if ax is None:
        ax = plt.gca()
    samples, height, width, channels = shape
    indices = list(range(samples)) if samples <= shown else [*range(shown - 1), samples - 1]
    w, h, d = edge_length(width), edge_length(height), edge_length(channels)
    colors = CHANNEL_COLORS.get(channels, ["#9ecae1"] * channels)
    slab = d / channels
    step = w + depth_vector(d)[0] + 1.0
    points, x = [], 0.0
    right = 0.0
    for position, index in enumerate(indices):
        if position and index != indices[position - 1] + 1:
            ax.text(x + 0.1, h / 2, "…", ha="center", va="center", fontsize=20)
            x += 1.2
        for c in reversed(range(channels)):  # back slab first, so the front one covers it
            sx, sy = depth_vector(c * slab)
            first = position == 0 and c == 0
            labels = (_label(names[2], width), _label(names[1], height), "") if first else ("", "", "")
            faces = draw_box(ax, w, h, slab, origin=(x + sx, sy), color=colors[c], labels=labels)
            points += [p for corners in faces.values() for p in corners]
        if position == 0:
            dx, dy = depth_vector(d)
            ax.text(x + w + dx / 2 + 0.12, dy / 2 - 0.12, _label(names[3], channels),
                    ha="left", va="top", rotation=DEPTH_ANGLE_DEG, rotation_mode="anchor")
        ax.text(x + w / 2, h + depth_vector(d)[1] + 0.2, f"{names[0]}[{index}]",
                ha="center", va="bottom")
        right = x + step - 1.0
        x += step + (1.2 if position == 0 else 0.0)  # room for the channels label
    y = -1.1
    ax.annotate("", xy=(right, y), xytext=(0, y),
                arrowprops={"arrowstyle": "<->", "color": "black"})
    ax.text(right / 2, y - 0.1, _label(names[0], samples), ha="center", va="top")
    points += [(0, y - 0.5), (right, y - 0.5)]
    _finish(ax, points)
    return ax
