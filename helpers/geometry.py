"""Chapter 5, "The geometry of tensor operations" (classic §2.3.5-2.3.6).

Shapes to transform (a letter F, a little house), the matrices of the basic
plane transforms, `apply_affine` (a Dense layer without activation, applied to
a set of points), `compose_affine` (two stacked affine maps are one), and the
plots of the chapter: a shape before and after a transform on one grid, and
the layer-by-layer views of a network pulling two spirals apart.

Points are stored one per row, shape ``(n, 2)``, the way a batch of samples
is stored; a matrix ``W`` acts on each point ``p`` as the column vector
``W @ p``.
"""

from __future__ import annotations

import numpy as np

# --------------------------------------------------------------------------
# Shapes (sections 5.2-5.9): outlines as polygons, vertices in drawing order.
# --------------------------------------------------------------------------

_F_VERTICES = [(0.0, 0.0), (0.3, 0.0), (0.3, 0.6), (0.7, 0.6), (0.7, 0.85), (0.3, 0.85),
               (0.3, 1.2), (0.9, 1.2), (0.9, 1.5), (0.0, 1.5)]

_HOUSE_VERTICES = [(0.0, 0.0), (1.0, 0.0), (1.0, 0.7), (0.5, 1.15), (0.35, 1.015),
                   (0.35, 1.2), (0.2, 1.2), (0.2, 0.88), (0.0, 0.7)]


def letter_f() -> np.ndarray:
    """The outline of a capital F, shape (10, 2): 1.5 tall, its stem on the y-axis.

    An F has no mirror symmetry, so every rotation and reflection of it is visible.
    """
    return np.array(_F_VERTICES, dtype=float)


def house() -> np.ndarray:
    """The outline of a little house with a chimney on its left roof slope, shape (9, 2)."""
    return np.array(_HOUSE_VERTICES, dtype=float)


def _as_points(points, name="points") -> np.ndarray:
    """Check a point set: a real-valued array of shape (n, d) or a single point (d,)."""
    array = np.asarray(points)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == bool):
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must be real, got dtype {array.dtype}")
    if array.ndim not in (1, 2):
        raise ValueError(f"{name} must have shape (n, d) (one point per row) or (d,), "
                         f"got shape {array.shape}")
    return array


def outline(points, per_edge: int = 20) -> np.ndarray:
    """Resample a closed polygon with ``per_edge`` evenly spaced points on each edge.

    A linear or affine map only needs the vertices, but relu bends an edge
    where it crosses an axis: transform the dense outline to see the fold.
    The result has ``len(points) * per_edge + 1`` rows and ends where it starts.
    """
    vertices = _as_points(points)
    if vertices.ndim != 2 or len(vertices) < 2:
        raise ValueError(f"outline needs at least two vertices of shape (n, d), "
                         f"got shape {vertices.shape}")
    if not isinstance(per_edge, (int, np.integer)) or isinstance(per_edge, bool) or per_edge < 1:
        raise ValueError(f"per_edge must be a positive int, got {per_edge!r}")
    closed = np.vstack([vertices, vertices[:1]]).astype(float)
    t = np.arange(per_edge)[:, None] / per_edge
    pieces = [start + t * (end - start) for start, end in zip(closed[:-1], closed[1:])]
    return np.vstack(pieces + [closed[:1]])


# --------------------------------------------------------------------------
# The matrices of sections 5.3-5.9
# --------------------------------------------------------------------------

def rotation_matrix(angle: float) -> np.ndarray:
    """The 2x2 matrix that turns the plane counterclockwise by ``angle``.

    ``angle`` is in radians; the columns are the images of (1, 0), (0, 1).
    """
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def scaling_matrix(sx: float, sy: float) -> np.ndarray:
    """The diagonal matrix that stretches x by ``sx`` and y by ``sy``."""
    return np.array([[sx, 0.0], [0.0, sy]])


def shear_matrix(k: float) -> np.ndarray:
    """The horizontal shear: each point slides right by ``k`` times its y."""
    return np.array([[1.0, k], [0.0, 1.0]])


def apply_affine(points, matrix, translation=None) -> np.ndarray:
    """Map every point p (one per row) to ``matrix @ p + translation``.

    ``points`` has shape (n, d) (or (d,) for one point), ``matrix`` (m, d),
    ``translation`` (m,) or None for a purely linear map. The result has shape
    (n, m). With points as rows this is ``points @ matrix.T + translation``,
    exactly what a Dense layer without activation computes with kernel
    ``matrix.T`` and bias ``translation``.
    """
    points = _as_points(points)
    matrix = _as_points(matrix, "matrix")
    if matrix.ndim != 2:
        raise ValueError(f"matrix must be 2-D with shape (m, d), "
                         f"got shape {matrix.shape}")
    m, d = matrix.shape
    if points.shape[-1] != d:
        raise ValueError(f"matrix of shape {matrix.shape} expects points "
                         f"with {d} coordinates, got points of shape "
                         f"{points.shape}")
    result = points @ matrix.T  # row i is matrix @ points[i]
    if translation is not None:
        translation = _as_points(translation, "translation")
        if translation.shape != (m,):
            raise ValueError(f"translation must have shape ({m},) to match "
                             f"matrix {matrix.shape}, "
                             f"got shape {translation.shape}")
        result = result + translation
    return result


def compose_affine(W1, b1, W2, b2):
    """The single affine map equal to ``x -> W2 @ (W1 @ x + b1) + b2``.

    Expand the brackets: ``W2 @ W1 @ x + (W2 @ b1 + b2)``. Returns the matrix
    ``W2 @ W1`` and the translation ``W2 @ b1 + b2``.
    """
    W1, W2 = _as_points(W1, "W1"), _as_points(W2, "W2")
    b1, b2 = _as_points(b1, "b1"), _as_points(b2, "b2")
    shapes = f"W1 {W1.shape}, b1 {b1.shape}, W2 {W2.shape}, b2 {b2.shape}"
    if (W1.ndim, b1.ndim, W2.ndim, b2.ndim) != (2, 1, 2, 1):
        raise ValueError(f"W1 and W2 must be matrices and b1, b2 vectors, "
                         f"got shapes {shapes}")
    h, m = W1.shape[0], W2.shape[0]
    if b1.shape != (h,) or W2.shape[1] != h or b2.shape != (m,):
        raise ValueError(f"shapes do not chain: {shapes}; "
                         f"need W1 (h, d), b1 (h,), W2 (m, h), b2 (m,)")
    return W2 @ W1, W2 @ b1 + b2


def transform_matrix(angle: float = 0.0, sx: float = 1.0, sy: float = 1.0,
                     shear: float = 0.0) -> np.ndarray:
    """Scale first, then shear, then rotate: ``R(angle) @ H(shear) @ S(sx, sy)``.

    The matrix of the chapter's interactive explorer.
    """
    return rotation_matrix(angle) @ shear_matrix(shear) @ scaling_matrix(sx, sy)


# --------------------------------------------------------------------------
# Plotting a transform
# --------------------------------------------------------------------------

def plane(ax, limits=(-2.0, 2.0), ylimits=None):
    """Style ``ax`` as a coordinate plane: equal scales, a grid, and the two axes drawn."""
    ylimits = limits if ylimits is None else ylimits
    ax.set_xlim(*limits)
    ax.set_ylim(*ylimits)
    ax.set_aspect("equal")
    ax.grid(True, color="0.88", linewidth=0.8)
    ax.axhline(0, color="0.35", linewidth=1.0, zorder=1)
    ax.axvline(0, color="0.35", linewidth=1.0, zorder=1)
    ax.set_axisbelow(True)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return ax


def draw_shape(ax, points, color="tab:blue", label=None, filled=True):
    """Draw a closed outline (one point per row), filled lightly, with a marked first vertex.

    The dot on the first vertex (the F's bottom-left corner) shows where that
    corner went, which makes reflections easy to spot.
    """
    points = _as_points(points)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"draw_shape needs 2-D points of shape (n, 2), got {points.shape}")
    closed = points if np.array_equal(points[0], points[-1]) else np.vstack([points, points[:1]])
    if filled:
        ax.fill(closed[:, 0], closed[:, 1], color=color, alpha=0.25, linewidth=0)
    ax.plot(closed[:, 0], closed[:, 1], color=color, linewidth=2, label=label)
    ax.plot(*points[0], "o", color=color, markersize=5)
    return ax


def plot_before_after(points, matrix=None, translation=None, relu=False, ax=None,
                      limits=(-2.0, 2.0), title=None, labels=("before", "after")):
    """Draw a shape (grey) and its image under ``relu?(matrix @ p + translation)`` on one grid.

    ``matrix`` None means the identity. The outline is resampled densely
    first, so that a relu fold is drawn where it happens. Returns the axes.
    """
    import matplotlib.pyplot as plt

    points = _as_points(points)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"plot_before_after needs points of shape (n, 2), got {points.shape}")
    matrix = np.eye(2) if matrix is None else matrix
    dense = outline(points)
    after = apply_affine(dense, matrix, translation)
    if relu:
        after = np.maximum(after, 0.0)
    if ax is None:
        ax = plt.figure(figsize=(4.5, 4.5)).add_subplot()
    plane(ax, limits)
    draw_shape(ax, dense, color="0.55", label=labels[0])
    draw_shape(ax, after, color="tab:orange", label=labels[1])
    # the first vertex of the dense outline is the shape's first vertex
    ax.legend(loc="lower left", fontsize=9, framealpha=0.9)
    if title:
        ax.set_title(title)
    return ax


def show_matrix(ax, matrix, name="W", decimals=2, corner="lower right"):
    """Write `matrix_label` in a white box in a corner of ``ax`` ("lower right", "upper left", ...)."""
    vertical, horizontal = corner.split()
    if vertical not in ("lower", "upper") or horizontal not in ("left", "right"):
        raise ValueError(f"corner must be like 'lower right' or 'upper left', got {corner!r}")
    x = 0.97 if horizontal == "right" else 0.03
    y = 0.03 if vertical == "lower" else 0.97
    return ax.text(x, y, matrix_label(matrix, name, decimals), transform=ax.transAxes,
                   ha=horizontal, va="bottom" if vertical == "lower" else "top",
                   family="monospace", fontsize=9,
                   bbox=dict(facecolor="white", edgecolor="0.7"))


# --------------------------------------------------------------------------
# Section 5.10: two spirals and a network's layer-by-layer view of them
# --------------------------------------------------------------------------

def two_spirals(n_per_class: int = 500, turns: float = 1.5, noise: float = 0.05,
                seed: int = 0):
    """Two interleaved spiral arms, one per class, in the square [-1, 1]^2 (about).

    Returns ``x`` (float32, shape (2 * n_per_class, 2)) and ``y`` (int64, 0 or 1),
    class 0 first. Arm 1 is arm 0 rotated by half a turn.
    """
    if not isinstance(n_per_class, (int, np.integer)) or n_per_class < 1:
        raise ValueError(f"n_per_class must be a positive int, got {n_per_class!r}")
    if turns <= 0 or noise < 0:
        raise ValueError(f"turns must be > 0 and noise >= 0, got turns={turns}, noise={noise}")
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.uniform(0.02, 1.0, n_per_class))  # sqrt: evenly spread along the arm
    angle = 2 * np.pi * turns * t
    arm = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)
    x = np.vstack([arm, -arm]) + rng.normal(0.0, noise, (2 * n_per_class, 2))
    y = np.repeat(np.array([0, 1], dtype=np.int64), n_per_class)
    return x.astype(np.float32), y


def layer_by_layer(layers, x) -> list:
    """Feed ``x`` through ``layers`` one at a time.

    Returns the input and every layer's output, as NumPy arrays. ``layers``
    is a list of callables, e.g. ``model.layers`` of a Keras Sequential model.
    """
    views = [np.asarray(x)]
    h = x
    for layer in layers:
        if not callable(layer):
            raise TypeError(f"every layer must be callable, "
                            f"got {type(layer).__name__}")
        h = layer(h)
        views.append(np.asarray(h))
    return views


def project_2d(h) -> np.ndarray:
    """Project points (one per row, shape (n, d), d >= 2) onto their first two principal axes.

    Principal component analysis with NumPy's SVD: centre the points, and
    keep the two directions along which they spread the most. Each axis'
    sign is fixed so that its largest loading is positive, so the picture
    does not flip between runs.
    """
    h = _as_points(h, "h")
    if h.ndim != 2 or h.shape[1] < 2 or h.shape[0] < 2:
        raise ValueError(f"project_2d needs at least two points with at least two "
                         f"coordinates, shape (n, d), got shape {h.shape}")
    centred = h - h.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axes = vt[:2]
    signs = np.sign(axes[np.arange(2), np.abs(axes).argmax(axis=1)])
    return centred @ (axes * signs[:, None]).T


def plot_layer_views(views, labels, titles=None, axes=None, size=3.0):
    """Draw each view of the data in its own panel, coloured by class.

    ``views`` is a list of arrays of shape (n, d), e.g. from `layer_by_layer`;
    ``labels`` holds the n classes (0 or 1). A view with more than two
    coordinates is drawn through `project_2d` (its first two principal
    components), and each panel's title says so. Pass ``axes`` (one per view)
    to draw into an existing figure. Returns the figure.
    """
    import matplotlib.pyplot as plt

    labels = np.asarray(labels)
    titles = list(titles) if titles is not None else [f"view {i}" for i in range(len(views))]
    if len(titles) != len(views):
        raise ValueError(f"got {len(views)} views but {len(titles)} titles")
    if axes is None:
        _, axes = plt.subplots(1, len(views), figsize=(size * len(views), size + 0.5))
    axes = np.atleast_1d(axes).ravel()
    if len(axes) != len(views):
        raise ValueError(f"got {len(views)} views but {len(axes)} axes")
    for ax, view, title in zip(axes, views, titles):
        view = np.asarray(view, dtype=float)
        if view.ndim != 2 or len(view) != len(labels):
            raise ValueError(f"each view must have shape ({len(labels)}, d), got {view.shape}")
        if view.shape[1] > 2:
            xy, note = project_2d(view), f"PCA of {view.shape[1]} units"
        elif view.shape[1] == 2:
            xy, note = view, "2 coordinates"
        else:
            xy, note = np.hstack([view, np.zeros_like(view)]), "1 coordinate"
        for cls, color in zip((0, 1), ("tab:blue", "tab:orange")):
            pts = xy[labels == cls]
            ax.scatter(pts[:, 0], pts[:, 1], s=4, color=color, label=f"class {cls}")
        ax.set_title(f"{title}\n({note})", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0].legend(loc="upper right", fontsize=8, markerscale=3)
    return axes[0].figure


def matrix_label(matrix, name="W", decimals=2) -> str:
    """A matrix as monospaced text for a figure, one bracketed row per line.

    >>> print(matrix_label([[1, 0], [0, -1]], "M", 1))
    M = [  1.0   0.0 ]
        [  0.0  -1.0 ]
    """
    matrix = _as_points(matrix, "matrix")
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    cells = [[f"{v + 0.0:.{decimals}f}" for v in row] for row in np.round(matrix, decimals)]
    width = max(len(c) for row in cells for c in row)
    rows = ["[ " + "  ".join(c.rjust(width) for c in row) + " ]" for row in cells]
    prefix = f"{name} = "
    return "\n".join((prefix if i == 0 else " " * len(prefix)) + row for i, row in enumerate(rows))
