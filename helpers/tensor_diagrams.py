"""Diagrams of data tensors (chapter 2, "Tensors", section 2.9).

`weather_days` makes the chapter's timeseries example, a year of synthetic
weather-station readings cut into days, and `draw_timeseries_batch` draws
such a rank-3 tensor as it is: a stack of day slices, one feature curve per
band on the front slice, one day pulled out flat and one entry
``[d, t, f]`` marked on it. Its time and day axes are drawn to one linear
scale, so the proportions of the block are the proportions of the shape.

`draw_rank4` draws a rank-4 image batch as a row of boxes, one per sample,
and `draw_rank3` one rank-3 box; their edges grow with the logarithm of the
axis sizes, so that an axis of 3 and an axis of 256 both fit on the page.
"""

from __future__ import annotations

import math
import numbers

import matplotlib.pyplot as plt
import numpy as np
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


# ------------------------------------------------------------ timeseries

WEATHER_FEATURES = ("temperature (°C)", "humidity (%)", "wind (m/s)")
"""The three features of `weather_days`, in the order of its last axis."""


def weather_days(days=365, steps_per_day=96, seed=0):
    """Synthetic weather-station readings, shape ``(days, steps_per_day, 3)``.

    Made up, but shaped like the real thing: temperature follows the season
    and the hour (coolest before dawn, warmest mid-afternoon), humidity rises
    as the air cools, wind is never negative. ``float32``, deterministic for
    a given ``seed``. The features are `WEATHER_FEATURES`.
    """
    _check_size(days, "days")
    _check_size(steps_per_day, "steps_per_day")
    rng = np.random.default_rng(seed)
    day = np.arange(days)[:, None]
    hour = np.arange(steps_per_day)[None, :] * 24 / steps_per_day
    season = 10 - 8 * np.cos(2 * np.pi * (day - 15) / 365)
    cycle = -np.cos(2 * np.pi * (hour - 3) / 24)
    drift = rng.normal(0, 0.12, (days, steps_per_day)).cumsum(axis=1)
    swing = rng.uniform(2, 6, (days, 1))
    temperature = (season + swing * cycle + rng.normal(0, 2.5, (days, 1))
                   + drift)
    humidity = np.clip(78 - 4 * (temperature - season) - 1.5 * drift
                       + rng.normal(0, 6, (days, 1)), 20, 100)
    gusts = rng.normal(0, 0.15, (days, steps_per_day)).cumsum(axis=1)
    wind = np.abs(rng.gamma(2, 1.5, (days, 1)) + 1.2 * (cycle + 1) + gusts)
    return np.stack([temperature, humidity, wind], axis=-1).astype(np.float32)


def _check_series(series, mark, feature_names):
    series = np.asarray(series)
    if series.ndim != 3:
        raise ValueError("a timeseries batch has rank 3 (samples, timesteps, "
                         f"features), got shape {series.shape}")
    if min(series.shape) < 1:
        raise ValueError("every axis needs at least one entry, got shape "
                         f"{series.shape}")
    if not np.issubdtype(series.dtype, np.number):
        raise TypeError(f"the series must hold numbers, got {series.dtype}")
    try:
        mark = tuple(mark)
    except TypeError as exc:
        raise TypeError(f"mark must be an index (d, t, f), got {mark!r}") \
            from exc
    if len(mark) != 3:
        raise ValueError(f"mark must be an index (d, t, f), got {mark!r}")
    for axis, (index, size) in enumerate(zip(mark, series.shape)):
        if not isinstance(index, numbers.Integral) or isinstance(index, bool):
            raise TypeError(f"mark[{axis}] must be an int, got {index!r}")
        if not 0 <= index < size:
            raise ValueError(f"mark {mark} is outside shape {series.shape} "
                             f"(axis {axis} has {size} entries)")
    if feature_names is None:
        feature_names = [f"feature {f}" for f in range(series.shape[2])]
    feature_names = tuple(feature_names)
    if len(feature_names) != series.shape[2]:
        raise ValueError(f"{series.shape[2]} features but "
                         f"{len(feature_names)} names: {feature_names}")
    return series, tuple(int(i) for i in mark), feature_names


def _band_curves(series, day, band_height):
    """Each feature of ``series[day]`` scaled into its own horizontal band.

    Band 0 (feature 0) is on top; each curve fills its band from its lowest
    to its highest value of that day (a flat curve sits in the middle).
    """
    features = series.shape[2]
    curves = []
    for f in range(features):
        values = series[day, :, f].astype(float)
        span = values.max() - values.min()
        unit = (values - values.min()) / span if span else 0.5 + 0 * values
        bottom = (features - 1 - f) * band_height
        curves.append(bottom + band_height * (0.15 + 0.7 * unit))
    return curves


def draw_timeseries_batch(series, mark, *, feature_names=None,
                          steps_per_hour=None, fig=None, depth_scale=0.3):
    """Draw a ``(days, timesteps, features)`` tensor and one entry in it.

    Left: the tensor as a block of day slices, day 0 in front, the others
    receding behind it. Time runs left to right, one unit per timestep, and
    each day recedes by ``depth_scale`` units (receding edges are shortened,
    as in any oblique drawing), so width and depth are linear in the sizes
    of axes 1 and 0; each feature gets a band on the front
    slice holding its curve, scaled to fill the band. The slice of day
    ``d`` is outlined in red, with a dot at timestep ``t``. Right: day ``d``
    pulled out, one panel per feature in its own units, and the entry
    ``series[d, t, f]`` marked. ``steps_per_hour`` labels time in hours.
    Returns ``(stack_ax, day_axes)``.
    """
    series, (d, t, f), names = _check_series(series, mark, feature_names)
    if not depth_scale > 0:
        raise ValueError(f"depth_scale must be positive, got {depth_scale}")
    days, steps, features = series.shape
    if fig is None:
        fig = plt.figure(figsize=(11, 4.6))
    grid = fig.add_gridspec(features, 2, width_ratios=(1.25, 1), wspace=0.25)
    stack = fig.add_subplot(grid[:, 0])
    height = 0.7 * steps
    band = height / features
    dx, dy = depth_vector(1.0)
    dx, dy = dx / DEPTH_SHRINK * depth_scale, dy / DEPTH_SHRINK * depth_scale
    depth_x, depth_y = dx * (days - 1), dy * (days - 1)
    top = [(0, height), (steps, height), (steps + depth_x, height + depth_y),
           (depth_x, height + depth_y)]
    side = [(steps, 0), (steps + depth_x, depth_y),
            (steps + depth_x, height + depth_y), (steps, height)]
    for corners, shade in ((top, 0.85), (side, 0.7)):
        stack.add_patch(Polygon(corners, closed=True, edgecolor="black",
                                facecolor=_shade("#9ecae1", shade), lw=1))
    every = max(1, days // 12)
    for k in range(every, days, every):  # faint edges of some day slices
        stack.plot([k * dx, steps + k * dx, steps + k * dx],
                   [height + k * dy, height + k * dy, k * dy],
                   color="white", lw=0.6)
    stack.plot([d * dx, steps + d * dx, steps + d * dx],
               [height + d * dy, height + d * dy, d * dy],
               color="tab:red", lw=2)
    stack.plot([t + 0.5 + d * dx], [height + d * dy], "o", color="tab:red")
    stack.add_patch(Polygon([(0, 0), (steps, 0), (steps, height),
                             (0, height)], closed=True, facecolor="white",
                            edgecolor="black", lw=1))
    x = np.arange(steps) + 0.5
    for k, curve in enumerate(_band_curves(series, 0, band)):
        if k:
            stack.plot([0, steps], [(features - k) * band] * 2,
                       color="0.75", lw=0.8)
        stack.plot(x, curve, color=f"C{k}", lw=1.2,
                   label=f"day 0, {names[k]}")
        stack.text(-1.5, (features - 1 - k + 0.5) * band, names[k],
                   ha="right", va="center", color=f"C{k}", fontsize=9)
    stack.text(steps / 2, -3, f"axis 1: {steps:,} timesteps",
               ha="center", va="top")
    stack.text(steps + depth_x / 2 + 3, depth_y / 2 - 3,
               f"axis 0: {days:,} days", ha="left", va="top",
               rotation=DEPTH_ANGLE_DEG, rotation_mode="anchor")
    stack.text(-1.5, height + 2, f"axis 2: {features} features", ha="right",
               va="bottom", fontsize=9)
    stack.text(steps / 2, height + 1, "day 0", ha="center", va="bottom",
               fontsize=9)
    stack.text(d * dx - 2, height + d * dy + 1, f"day {d}",
               ha="right", va="bottom", color="tab:red")
    stack.set_title(f"shape {series.shape}", fontsize=10)
    stack.set_xlim(-0.5 * steps, steps + depth_x + 0.3 * steps)
    stack.set_ylim(-0.25 * steps, height + depth_y + 0.1 * steps)
    stack.set_aspect("equal")
    stack.axis("off")
    day_axes = [fig.add_subplot(grid[0, 1])]
    day_axes += [fig.add_subplot(grid[k, 1], sharex=day_axes[0])
                 for k in range(1, features)]
    ticks = None
    if steps_per_hour:
        ticks = np.arange(0, steps + 1, 6 * steps_per_hour)
    for k, ax in enumerate(day_axes):
        ax.plot(np.arange(steps), series[d, :, k], color=f"C{k}")
        ax.set_ylabel(names[k], fontsize=9)
        ax.tick_params(labelsize=8)
        if ticks is not None:
            ax.set_xticks(ticks)
        if k < features - 1:
            ax.tick_params(labelbottom=False)
    day_axes[0].set_title(f"day {d} pulled out: series[{d}] has shape "
                          f"{series[d].shape}", fontsize=10)
    value = series[d, t, f]
    marked = day_axes[f]
    marked.plot([t], [value], "o", color="tab:red", zorder=3)
    marked.axvline(t, color="tab:red", lw=0.8, ls="--")
    right_half = t > steps / 2  # write the label on the roomier side
    marked.annotate(f"series[{d}, {t}, {f}] = {value:.1f}", (t, value),
                    xytext=(-12 if right_half else 12, -2),
                    textcoords="offset points", va="top", color="tab:red",
                    ha="right" if right_half else "left", fontsize=9)
    if steps_per_hour:
        day_axes[-1].set_xlabel(f"timestep ({steps_per_hour} per hour)")
    else:
        day_axes[-1].set_xlabel("timestep")
    return stack, day_axes
