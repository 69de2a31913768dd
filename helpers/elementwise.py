"""Element-wise operations and broadcasting (chapter 3; classic 2.3.1-2.3.2).

The from-scratch operations of section 3.2 (`naive_relu`, `naive_add`) and
3.3 (`naive_add_matrix_and_vector`) loop over every entry in Python, to show
what NumPy's vectorised operations do in compiled code. The broadcasting tools
(`broadcast_shape`, `explain_broadcast`, `draw_broadcast`, `parse_shape`)
apply and picture NumPy's broadcasting rule for two shapes, and
`draw_memory_strips` pictures the bytes behind a copy and a broadcast view.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "broadcast_shape",
    "draw_broadcast",
    "draw_memory_strips",
    "explain_broadcast",
    "naive_add",
    "naive_add_matrix_and_vector",
    "naive_relu",
    "parse_shape",
]


def _check_numeric_array(function: str, name: str, value) -> None:
    """Raise TypeError unless ``value`` is a NumPy array of integers or floats."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{function} expects NumPy arrays, but {name} is a "
                        f"{type(value).__name__}; convert it with np.asarray({name})")
    if value.dtype.kind not in "iuf":
        raise TypeError(f"{function} works on numbers, but {name} has dtype {value.dtype}; "
                        "expected an integer or floating-point dtype")


# ---------------------------------------------------------------------------
# Section 3.2: element-wise operations, one entry at a time
# ---------------------------------------------------------------------------

def naive_relu(x):
    """Section 3.2: relu, max(entry, 0), for a matrix, with loops.

    Returns a new array and leaves ``x`` unchanged.
    """
    _check_numeric_array("naive_relu", "x", x)
    if x.ndim != 2:
        raise ValueError(f"naive_relu expects a matrix (rank 2), got x "
                         f"of shape {x.shape} (rank {x.ndim})")
    z = x.copy()  # work on a copy: the caller's array stays as it was
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] = max(z[i, j], 0)
    return z


def naive_add(x, y):
    """Section 3.2: x + y for two matrices of the same shape, with loops.

    Returns a new array and leaves ``x`` and ``y`` unchanged.
    """
    _check_numeric_array("naive_add", "x", x)
    _check_numeric_array("naive_add", "y", y)
    if x.ndim != 2 or x.shape != y.shape:
        raise ValueError("naive_add expects two matrices (rank 2) of the "
                         f"same shape, got shapes {x.shape} and {y.shape}")
    z = x.astype(np.result_type(x, y))  # a copy that can hold x + y
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] += y[i, j]
    return z


# ---------------------------------------------------------------------------
# Sections 3.3-3.4: broadcasting
# ---------------------------------------------------------------------------

def naive_add_matrix_and_vector(x, y):
    """Section 3.3: add the vector y to each row of the matrix x.

    Needs x.shape[1] == y.shape[0]. Returns a new array; x and y are
    left unchanged.
    """
    name = "naive_add_matrix_and_vector"
    _check_numeric_array(name, "x", x)
    _check_numeric_array(name, "y", y)
    if x.ndim != 2 or y.ndim != 1 or x.shape[1] != y.shape[0]:
        raise ValueError(f"{name} expects a matrix x and a vector y with "
                         "x.shape[1] == y.shape[0], got shapes "
                         f"{x.shape} and {y.shape}")
    z = x.astype(np.result_type(x, y))  # a copy that can hold x + y
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i, j] += y[j]  # every row i meets the same vector y
    return z


def _as_shape(shape, name: str) -> tuple:
    """A shape given as a tuple or list of non-negative ints, as a tuple."""
    if isinstance(shape, np.ndarray) or not isinstance(shape, (tuple, list)):
        raise TypeError(f"{name} must be a shape, a tuple of ints such as (32, 10), "
                        f"got a {type(shape).__name__}")
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in shape):
        raise TypeError(f"{name} must contain only ints, got {tuple(shape)!r}")
    if any(n < 0 for n in shape):
        raise ValueError(f"{name} cannot have negative lengths, got {tuple(shape)!r}")
    return tuple(int(n) for n in shape)


def _aligned(a: tuple, b: tuple) -> tuple[tuple, tuple]:
    """Step 1 of broadcasting: pad the shorter shape with length-1 axes on the left."""
    rank = max(len(a), len(b))
    return (1,) * (rank - len(a)) + a, (1,) * (rank - len(b)) + b


def broadcast_shape(shape_a, shape_b) -> tuple:
    """Section 3.4: the shape of a + b for arrays of these shapes.

    NumPy's rule: pad the shorter shape with 1s on the left; then, axis
    by axis, the two lengths must be equal or one of them must be 1, and
    the result takes the length that is not 1 (which may be 0).
    """
    a, b = _as_shape(shape_a, "shape_a"), _as_shape(shape_b, "shape_b")
    a_full, b_full = _aligned(a, b)
    result = []
    for axis, (n, m) in enumerate(zip(a_full, b_full),
                                  start=-len(a_full)):
        if n == 1:
            result.append(m)  # a is repeated m times (m may be 0)
        elif m == 1 or m == n:
            result.append(n)  # b is repeated, or nothing is
        else:
            raise ValueError(
                f"shapes {a} and {b} do not broadcast: along axis "
                f"{axis} the lengths {n} and {m} differ and neither is 1")
    return tuple(result)


def explain_broadcast(shape_a, shape_b, names=("a", "b")) -> str:
    """Section 3.4: the two steps of broadcasting ``shape_a`` with ``shape_b``, in words."""
    a, b = _as_shape(shape_a, "shape_a"), _as_shape(shape_b, "shape_b")
    a_full, b_full = _aligned(a, b)
    width, name_width = max(len(str(a)), len(str(b))), max(len(names[0]), len(names[1]))
    lines = [f"{name:<{name_width}}: {str(shape):>{width}}" for name, shape in zip(names, (a, b))]
    try:
        result = broadcast_shape(a, b)
    except ValueError:
        for axis, (n, m) in enumerate(zip(a_full, b_full), start=-len(a_full)):
            if n != m and 1 not in (n, m):
                lines.append(f"axis {axis}: lengths {n} and {m} differ and neither is 1,")
                lines.append("so these shapes do not broadcast (NumPy raises a ValueError).")
                return "\n".join(lines)
    padded = [f"{name} {own} -> {full}" for name, own, full in zip(names, (a, b), (a_full, b_full))
              if own != full]
    lines.append("step 1, add axes: " + ("; ".join(padded) if padded else "none (same rank)"))
    repeats = []
    for name, full in zip(names, (a_full, b_full)):
        axes = [f"axis {k} (x{result[k]})" for k, n in enumerate(full) if n != result[k]]
        if axes:
            repeats.append(f"{name} along " + ", ".join(axes))
    lines.append("step 2, repeat:   " + ("; ".join(repeats) if repeats else "nothing to repeat"))
    lines.append(f"result shape: {result}")
    return "\n".join(lines)


def parse_shape(text: str) -> tuple:
    """A shape typed as text, e.g. ``"64, 3, 32, 10"`` or ``"(10,)"``; ``"()"`` is a scalar."""
    if not isinstance(text, str):
        raise TypeError(f"parse_shape expects a string, got a {type(text).__name__}")
    inner = text.strip().removeprefix("(").removesuffix(")").strip()
    parts = [p.strip() for p in inner.split(",")] if inner else []
    if parts and parts[-1] == "":
        parts.pop()  # a trailing comma, as in "(10,)"
    if not all(p.isdigit() for p in parts):
        raise ValueError(f"cannot read a shape from {text!r}: write lengths separated by "
                         "commas, e.g. 32, 10")
    return tuple(int(p) for p in parts)


def real_cells(shape, target) -> np.ndarray:
    """Which cells of the last two axes of ``target`` hold a stored value of ``shape``.

    Where a length-1 (or missing) axis is stretched, only position 0 is stored;
    the other positions read it again. Used by `draw_broadcast`.
    """
    shape, target = _as_shape(shape, "shape"), _as_shape(target, "target")
    try:
        stretches = broadcast_shape(shape, target) == target
    except ValueError:
        stretches = False
    if not stretches:
        raise ValueError(f"shape {shape} does not broadcast to {target}")
    full, _ = _aligned(shape, target)
    rows, cols = ((1, 1) + target)[-2:]
    own_rows, own_cols = ((1, 1) + full)[-2:]
    mask = np.zeros((rows, cols), dtype=bool)
    mask[: rows if own_rows == rows else 1, : cols if own_cols == cols else 1] = True
    return mask


def _format_value(v) -> str:
    return f"{v:.3g}" if isinstance(v, (float, np.floating)) else str(v)


def draw_broadcast(a, b, names=("x", "y"), op="+", ax=None, max_cells=(6, 8)):
    """Section 3.3: picture ``a op b`` for two arrays or two shapes.

    Each operand is drawn over the result's last two axes: the values it
    stores are solid, the repeats that broadcasting reads instead of
    storing are faded and dashed. Leading axes are drawn as a stack of sheets
    (faded when the operand is repeated along them). Values are written in the
    cells when arrays are given. Shapes that do not broadcast are shown
    aligned, with the axis that fails named. Returns the Axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    shapes = [x.shape if isinstance(x, np.ndarray) else _as_shape(x, name)
              for x, name in zip((a, b), ("a", "b"))]
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 3.6))
    ax.set_axis_off()
    try:
        target = broadcast_shape(*shapes)
    except ValueError:
        ax.text(0.5, 0.45, explain_broadcast(*shapes, names=names), ha="center", va="center",
                family="monospace", fontsize=12, color="darkred", transform=ax.transAxes)
        ax.set_title(f"{names[0]} {op} {names[1]}: shapes {shapes[0]} and {shapes[1]} "
                     "do not broadcast", color="darkred")
        return ax

    rows, cols = ((1, 1) + target)[-2:]
    shown_r, shown_c = min(rows, max_cells[0]), min(cols, max_cells[1])
    sheets = int(np.prod(target[:-2], dtype=np.int64)) if len(target) > 2 else 1
    values = [np.broadcast_to(x, target) if isinstance(x, np.ndarray) else None for x in (a, b)]
    both = values[0] is not None and values[1] is not None
    values.append(_apply(op, values[0], values[1]) if both else None)
    panels = [(names[0], shapes[0]), (names[1], shapes[1]), (f"{names[0]} {op} {names[1]}", target)]
    width, gap = max(shown_c + 2.0, 5.3), 1.2
    for k, ((label, shape), color, vals) in enumerate(
            zip(panels, ("tab:blue", "tab:orange", "tab:green"), values)):
        x0 = k * (width + gap) + (width - shown_c) / 2  # left edge of the grid
        mask = real_cells(shape, target)
        own_full, _ = _aligned(shape, target)
        stacked_real = all(n == t for n, t in zip(own_full[:-2], target[:-2]))
        for s in (2, 1) if sheets > 1 else ():  # the sheets behind: the leading axes
            ax.add_patch(Rectangle((x0 + 0.3 * s, 0.3 * s), shown_c, -shown_r,
                                   facecolor=color, alpha=0.25 if stacked_real else 0.1,
                                   edgecolor="black" if stacked_real else "gray",
                                   linestyle="-" if stacked_real else "--", linewidth=0.8))
        for i in range(shown_r):
            for j in range(shown_c):
                real = mask[i, j]
                ax.add_patch(Rectangle((x0 + j, -i - 1), 1, 1, facecolor=color,
                                       alpha=0.85 if real else 0.15,
                                       edgecolor="black" if real else "gray",
                                       linestyle="-" if real else "--", linewidth=1))
                if vals is not None and shown_r * shown_c <= 48:
                    v = vals[(0,) * (len(target) - 2) + (i, j)[2 - min(len(target), 2):]]
                    ax.text(x0 + j + 0.5, -i - 0.5, _format_value(v), ha="center",
                            va="center", fontsize=9, color="black" if real else "gray")
        stored, seen = (int(np.prod(s, dtype=np.int64)) for s in (shape, target))
        note = f"stores {stored:,} value{'s' * (stored != 1)}"
        if seen != stored:
            note += f"\nreads {seen:,}: {seen - stored:,} repeated"
        ax.text(x0 + shown_c / 2, 1.0 if sheets > 1 else 0.3, f"{label}\nshape {shape}",
                ha="center", va="bottom", fontsize=11)
        ax.text(x0 + shown_c / 2, -shown_r - 0.4, note,
                ha="center", va="top", fontsize=9)
        if k < 2:
            ax.text((k + 1) * (width + gap) - gap / 2, -shown_r / 2, op if k == 0 else "=",
                    fontsize=18, ha="center", va="center")
    footnotes = []
    if sheets > 1:
        footnotes.append(f"The leading axes {target[:-2]} are drawn as a stack: "
                         f"only the front sheet of {sheets:,} is shown.")
    if shown_r < rows or shown_c < cols:
        footnotes.append(f"Only the first {shown_r} x {shown_c} cells of each "
                         f"{rows} x {cols} sheet are drawn.")
    if footnotes:
        ax.text(0.5, 0.0, "\n".join(footnotes), transform=ax.transAxes, ha="center",
                va="bottom", fontsize=9, style="italic")
    ax.set_xlim(-0.3, 3 * width + 2 * gap)
    ax.set_ylim(-shown_r - 2.8 - 0.8 * len(footnotes), 2.4)
    ax.set_aspect("equal")
    return ax


def _apply(op: str, x, y):
    """``x op y`` for the operations `draw_broadcast` can show."""
    ops = {"+": np.add, "-": np.subtract, "*": np.multiply, "max": np.maximum}
    if op not in ops:
        raise ValueError(f"unknown operation {op!r}; use one of {sorted(ops)}")
    return ops[op](x, y)


def draw_memory_strips(n_rows=4, row_length=10, dtype=np.float64, axes=None):
    """Section 3.3 (figure 3.1): the bytes behind a tiled copy and a broadcast view.

    A vector of ``row_length`` values is repeated ``n_rows`` times, once with
    ``np.tile`` (a copy) and once with ``np.broadcast_to`` (a view). Each is
    drawn as a strip of memory on the same byte scale, with an arrow from
    each row to the byte where it starts: ``row * strides[0]``. The strides
    are read from the two NumPy arrays themselves. Returns the two Axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    for name, value in (("n_rows", n_rows), ("row_length", row_length)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if not 1 <= value <= 16:
            raise ValueError(f"{name} must be between 1 and 16 to be drawn, got {value}")
    vector = np.zeros(row_length, dtype=dtype)
    tiled = np.tile(vector, (n_rows, 1))
    view = np.broadcast_to(vector, (n_rows, row_length))
    if axes is None:
        _, axes = plt.subplots(2, 1, figsize=(10, 4.6), sharex=True)
    total = tiled.nbytes
    colors = plt.get_cmap("tab10").colors
    panels = [(tiled, "np.tile (a copy)", total),
              (view, "np.broadcast_to (a view)", vector.nbytes)]
    for ax, (array, title, stored) in zip(axes, panels):
        step = array.strides[0]
        for byte in range(0, stored, array.itemsize):  # one cell per value
            row = byte // vector.nbytes if step else None
            ax.add_patch(Rectangle((byte, 0), array.itemsize, 1, edgecolor="black",
                                   linewidth=0.6,
                                   facecolor=colors[row % 10] if row is not None else "0.75",
                                   alpha=0.55))
        for row in range(n_rows):
            label_x = row * vector.nbytes + vector.nbytes / 2
            ax.annotate(f"row {row}", xy=(row * step, 1.0), xytext=(label_x, 2.1),
                        ha="center", va="bottom", fontsize=10, color=colors[row % 10],
                        arrowprops=dict(arrowstyle="->", color=colors[row % 10], lw=1.4))
        ax.set_title(f"{title}: strides {array.strides}, {stored:,} bytes stored "
                     f"for {array.size} values", fontsize=11, loc="left")
        ax.set_ylim(-0.2, 3.0)
        ax.set_yticks([])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
    axes[-1].set_xlim(-4, total + 4)
    axes[-1].set_xticks(range(0, total + 1, vector.nbytes))
    axes[-1].set_xlabel("byte offset in memory (each cell is one value of "
                        f"{vector.itemsize} bytes)")
    axes[0].tick_params(labelbottom=True)
    return axes
