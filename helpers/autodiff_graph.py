"""Drawing the computation graph that `helpers.autodiff` recorded (chapter 7).

`draw_graph(loss)` walks the engine's own graph -- the tensors, their parents
and their backward rules -- and draws it with matplotlib, inputs at the top and
the result at the bottom: no hand-made diagrams, no graphviz. Options add the
forward values, the gradients, the local derivative on each backward edge, and
a highlighted path.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from helpers.autodiff import Tensor

_BINARY = {"+", "-", "*", "/", "@"}
_STYLE = {  # fill and edge colours per kind of node
    "weight": ("#fde3c8", "#b5651d"),  # a leaf with requires_grad=True
    "constant": ("#ececec", "#777777"),  # data, labels, numbers
    "operation": ("#dbe9f6", "#3a6ea5"),  # the result of an operation
}
_HIGHLIGHT = "#c0392b"
_CHAR_WIDTH, _LINE_HEIGHT = 0.085, 0.2  # inches, for the 10-point font used


def format_number(value) -> str:
    """A compact form of a scalar: 6, -0.5, 0.1234, 1.2e-05."""
    value = float(np.asarray(value).reshape(-1)[0])
    return f"{value:.4g}" if value != 0 else "0"


def _describe(t: Tensor) -> str:
    """What a tensor is: its name, and the expression that produced it."""
    if t.op is None:
        if t.name:
            return t.name
        return format_number(t.data) if t.data.size == 1 else f"constant {t.shape}"
    if t.op in _BINARY:
        expression = f"{_short(t.parents[0], True)} {t.op} {_short(t.parents[1], True)}"
    elif t.op == "neg" or t.op.startswith("**"):
        argument = _short(t.parents[0], True)
        expression = f"-{argument}" if t.op == "neg" else f"{argument}{t.op}"
    else:  # relu(...), exp(...), sum(...), softmax_cross_entropy(...), your own ops
        expression = f"{t.op}({', '.join(_short(p, False) for p in t.parents)})"
    if not t.name:
        return expression
    return f"{t.name} =\n{expression}" if len(expression) > 24 else f"{t.name} = {expression}"


def _short(t: Tensor, in_operator: bool) -> str:
    """A parent as it appears inside an expression: its name, value or short expression."""
    if t.name:
        return t.name
    expression = _describe(t)
    if t.op is None:
        return expression
    if len(expression) > 20:
        return "..."
    return f"({expression})" if in_operator and t.op in _BINARY else expression


def _text(t: Tensor, values: bool, grads: bool) -> str:
    lines = [_describe(t)]
    if values:
        lines.append(f"value {format_number(t.data)}" if t.data.size == 1 else f"shape {t.shape}")
    if grads and t.grad is not None:
        lines.append(f"grad {format_number(t.grad)}" if t.grad.size == 1
                     else f"grad shape {t.grad.shape}")
    return "\n".join(lines)


def layout(root: Tensor) -> dict:
    """Node positions {id: (column, layer)}: layer 0 at the top, ``root`` at the bottom.

    An operation sits one layer below its deepest parent; a leaf sits just above
    its first use. Within a layer, operations are placed under the tensors that
    use them first, and leaves are moved sideways to the nearest free column.
    """
    order = root.topological_order()
    depth = {}
    for t in order:
        depth[id(t)] = 0 if t.op is None else 1 + max(depth[id(p)] for p in t.parents)
    children = {id(t): [] for t in order}
    for t in order:
        for p in t.parents:
            if t not in children[id(p)]:
                children[id(p)].append(t)
    for t in order:
        if t.op is None and children[id(t)]:
            depth[id(t)] = min(depth[id(c)] for c in children[id(t)]) - 1
    column = {id(root): 0.0}
    rank = {id(t): i for i, t in enumerate(order)}
    for layer in range(depth[id(root)] - 1, -1, -1):
        nodes = [t for t in order if depth[id(t)] == layer]
        wanted = {id(t): float(np.mean([column[id(c)] for c in children[id(t)]])) for t in nodes}
        preferred = {}
        for target in sorted(set(wanted.values())):
            group = [t for t in nodes if wanted[id(t)] == target]
            if any(t.op for t in group):  # the spine goes straight down, leaves to the sides
                group.sort(key=lambda t: (t.op is None, rank[id(t)]))
                offsets = [(j + 1) // 2 * (1 if j % 2 else -1) for j in range(len(group))]
            else:  # only leaves: spread them evenly around the tensor that uses them
                group.sort(key=lambda t: _parent_index(t, children[id(t)][0]))
                offsets = [j - (len(group) - 1) / 2 for j in range(len(group))]
            preferred.update({id(t): target + o for t, o in zip(group, offsets)})
        taken = []
        for t in sorted(nodes, key=lambda t: (t.op is None, abs(preferred[id(t)] - wanted[id(t)]))):
            side = 1 if preferred[id(t)] >= wanted[id(t)] else -1
            candidate = preferred[id(t)]
            while any(abs(candidate - other) < 1 for other in taken):
                candidate += side  # move outwards until the slot is free
            column[id(t)] = candidate
            taken.append(candidate)
    return {id(t): (column[id(t)], depth[id(t)]) for t in order}


def _parent_index(t: Tensor, child: Tensor) -> int:
    return next(i for i, p in enumerate(child.parents) if p is t)


def draw_graph(root: Tensor, *, values: bool = False, grads: bool = False,
               backward_edges: bool = False, highlight=(), title: str | None = None):
    """Draw the graph that produced ``root`` and return the figure.

    values: show each tensor's value (or its shape, when it has many entries).
    grads: show each tensor's ``.grad`` (run ``root.backward()`` first).
    backward_edges: draw the edges from each result back to its parents, labelled
        with the local derivative (scalar graphs); edges to constants, which get
        no gradient, are dashed and unlabelled.
    highlight: tensors to emphasise; edges between two of them are emphasised too.
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"draw_graph needs a Tensor, got {type(root).__name__}")
    positions = layout(root)
    nodes = root.topological_order()
    texts = {id(t): _text(t, values, grads) for t in nodes}
    size = {id(t): (max(map(len, texts[id(t)].splitlines())) * _CHAR_WIDTH + 0.3,
                    texts[id(t)].count("\n") * _LINE_HEIGHT + 0.45) for t in nodes}
    # the narrowest column spacing at which no two boxes of a layer overlap
    col_gap = max([0.8] + [((size[id(a)][0] + size[id(b)][0]) / 2 + 0.35)
                           / abs(positions[id(a)][0] - positions[id(b)][0])
                           for a in nodes for b in nodes
                           if a is not b and positions[id(a)][1] == positions[id(b)][1]])
    row_gap = max(h for _, h in size.values()) + 0.45
    left = min(positions[id(t)][0] * col_gap - size[id(t)][0] / 2 for t in nodes) - 0.15
    right = max(positions[id(t)][0] * col_gap + size[id(t)][0] / 2 for t in nodes) + 0.15
    layers = max(layer for _, layer in positions.values())
    width, height = right - left, layers * row_gap + row_gap - 0.2
    top = 0.45 if title else 0.0
    fig = plt.figure(figsize=(width, height + top))
    ax = fig.add_axes((0, 0, 1, height / (height + top)))  # one data unit = one inch
    ax.set_xlim(left, right)
    ax.set_ylim(-height + row_gap / 2 - 0.1, row_gap / 2 - 0.1)
    ax.axis("off")
    if title:
        fig.suptitle(title, y=1 - 0.1 / (height + top), va="top")
    xy = {id(t): (positions[id(t)][0] * col_gap, -positions[id(t)][1] * row_gap) for t in nodes}
    middle = np.mean([x for x, _ in xy.values()])

    marked = {id(t) for t in highlight}
    boxes = {}
    for t in nodes:
        kind = "operation" if t.op else "weight" if t.requires_grad else "constant"
        fill, edge = _STYLE[kind]
        on = id(t) in marked
        boxes[id(t)] = ax.text(
            *xy[id(t)], texts[id(t)], ha="center", va="center", fontsize=10, zorder=2,
            fontweight="bold" if on else "normal",
            bbox=dict(boxstyle="round,pad=0.35", facecolor="#fff5c2" if on else fill,
                      edgecolor=_HIGHLIGHT if on else edge, linewidth=2.5 if on else 1))
    for t in nodes:
        for i, p in enumerate(t.parents):
            _draw_edge(ax, t, i, xy, boxes, positions, middle, backward_edges,
                       id(t) in marked and id(p) in marked)
    return fig


def _draw_edge(ax, t, i, xy, boxes, positions, middle, backward, emphasised):
    """The arrow between ``t.parents[i]`` and ``t`` (from ``t`` back, for backward edges)."""
    p = t.parents[i]
    start, end = (t, p) if backward else (p, t)
    (x0, y0), (x1, y1) = xy[id(start)], xy[id(end)]
    rad = 0.0
    if positions[id(t)][1] - positions[id(p)][1] > 1:  # skips a layer: bow around it,
        outwards = 1 if (x0 + x1) / 2 >= middle else -1  # away from the middle
        rad = 0.3 * outwards * (1 if y1 > y0 else -1)
    elif sum(q is p for q in t.parents) > 1:  # x * x: two edges between the same nodes
        rad = 0.25 if i == 0 else -0.25
    silent = backward and not p.requires_grad  # the backward pass does not go there
    colour = _HIGHLIGHT if emphasised else "#aaaaaa" if silent else (
        "#d35400" if backward else "#555555")
    ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=3,
                arrowprops=dict(arrowstyle="-|>", color=colour, linewidth=2.6 if emphasised else 1.3,
                                linestyle="--" if silent else "-",
                                connectionstyle=f"arc3,rad={rad}", shrinkA=2, shrinkB=2,
                                patchA=boxes[id(start)].get_bbox_patch(),
                                patchB=boxes[id(end)].get_bbox_patch()))
    if backward and not silent and t.data.size == 1 and p.data.size == 1:
        # the middle of matplotlib's arc3 curve (one data unit is one inch here)
        mx = (x0 + x1) / 2 + rad * (y1 - y0) / 2
        my = (y0 + y1) / 2 - rad * (x1 - x0) / 2
        ax.text(mx, my, format_number(t.local_derivative(i)), ha="center", va="center",
                fontsize=10, color=colour, fontweight="bold", zorder=4,
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor=colour,
                          linewidth=0.8))
