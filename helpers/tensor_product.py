"""The tensor product from scratch: chapter 4 (classic section 2.3.3).

Each function is written with explicit Python loops so that every
multiplication and addition is visible; NumPy's ``@`` (``np.matmul``) and
``np.dot`` compute the same numbers much faster. The functions take NumPy
arrays, never modify them, and reject the wrong ranks or incompatible shapes
with a ``ValueError`` that names the shapes (a ``TypeError`` for anything that
is not a numeric NumPy array).
"""

from __future__ import annotations

import numpy as np

from helpers.elementwise import broadcast_shape

__all__ = [
    "naive_vector_product",
    "naive_matrix_vector_product",
    "naive_matrix_vector_product_by_rows",
    "naive_matrix_product",
    "dot_shape",
    "matmul_shape",
]

_RANK_NAMES = {1: "a vector", 2: "a matrix"}


def check_operand(array, name: str, rank: int) -> None:
    """Raise a clear error unless array is a numeric NumPy array of a rank."""
    # np.generic: a NumPy scalar
    if not isinstance(array, (np.ndarray, np.generic)):
        raise TypeError(f"{name} must be a NumPy array, got "
                        f"{type(array).__name__} "
                        "(convert it with np.asarray first)")
    if not (np.issubdtype(array.dtype, np.number)):
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    if array.ndim != rank:
        raise ValueError(f"{name} must be rank {rank} ({_RANK_NAMES[rank]}), "
                         f"got shape {array.shape} (rank {array.ndim})")


def check_inner_sizes(x, y, x_axis: int) -> None:
    """Raise a ValueError unless x.shape[x_axis] == y.shape[0].

    Those are the two sizes a product sums over.
    """
    if x.shape[x_axis] != y.shape[0]:
        raise ValueError(f"shapes {x.shape} and {y.shape} are not compatible: "
                         f"x.shape[{x_axis}] = {x.shape[x_axis]} must equal "
                         f"y.shape[0] = {y.shape[0]}")


def naive_vector_product(x, y):
    """Dot product of two vectors of the same size, a scalar (section 4.2)."""
    check_operand(x, "x", rank=1)
    check_operand(y, "y", rank=1)
    check_inner_sizes(x, y, x_axis=0)
    z = 0
    for i in range(x.shape[0]):
        z += x[i] * y[i]  # multiply matching entries, add up the products
    return z


def naive_matrix_vector_product(x, y):
    """Matrix (n, k) times vector (k,) with two loops: a vector (n,) (4.3)."""
    check_operand(x, "x", rank=2)
    check_operand(y, "y", rank=1)
    check_inner_sizes(x, y, x_axis=1)
    # the result's dtype is the one NumPy would give
    z = np.zeros(x.shape[0], dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i] += x[i, j] * y[j]
    return z


def naive_matrix_vector_product_by_rows(x, y):
    """The same product, as each row of x dotted with y (section 4.3)."""
    check_operand(x, "x", rank=2)
    check_operand(y, "y", rank=1)
    check_inner_sizes(x, y, x_axis=1)
    z = np.zeros(x.shape[0], dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        z[i] = naive_vector_product(x[i, :], y)
    return z


def naive_matrix_product(x, y):
    """Matrix (n, k) times matrix (k, m): a matrix (n, m) (section 4.4).

    Entry (i, j) of the result is row i of x dotted with column j of y.
    """
    check_operand(x, "x", rank=2)
    check_operand(y, "y", rank=2)
    check_inner_sizes(x, y, x_axis=1)
    z = np.zeros((x.shape[0], y.shape[1]), dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            z[i, j] = naive_vector_product(x[i, :], y[:, j])
    return z


def _shape(shape, name: str) -> tuple:
    """A shape (tuple or list of non-negative ints) as a tuple."""
    if not isinstance(shape, (tuple, list)) or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool)
            and n >= 0 for n in shape):
        raise TypeError(f"{name} must be a shape, a tuple of non-negative "
                        f"ints such as (32, 10), got {shape!r}")
    return tuple(int(n) for n in shape)


def dot_shape(x_shape, y_shape) -> tuple:
    """The shape of np.dot(x, y), or a ValueError naming both shapes (4.6).

    np.dot sums over the last axis of x and, of y, its only axis (a
    vector) or its second-to-last axis; every other axis of x, then of y,
    is kept: each vector of x meets each vector of y.
    """
    x, y = _shape(x_shape, "x_shape"), _shape(y_shape, "y_shape")
    if not x or not y:  # a scalar: np.dot multiplies element-wise
        return x or y
    k = -1 if len(y) == 1 else -2  # the axis of y that is summed over
    if x[-1] != y[k]:
        raise ValueError(f"np.dot: shapes {x} and {y} are not aligned: "
                         f"x.shape[-1] = {x[-1]} must equal "
                         f"y.shape[{k}] = {y[k]}")
    return x[:-1] + y[:k] + (y[-1:] if k == -2 else ())


def matmul_shape(x_shape, y_shape) -> tuple:
    """The shape of x @ y (np.matmul), or a ValueError naming them (4.6).

    x and y are stacks of matrices in their last two axes; the axes
    before those are batch axes and broadcast as in chapter 3. A vector
    x acts as one row, a vector y as one column (that axis is dropped
    from the result). Scalars are not allowed: use * for them.
    """
    x, y = _shape(x_shape, "x_shape"), _shape(y_shape, "y_shape")
    if not x or not y:
        raise ValueError(f"matmul: shapes {x} and {y}: a scalar (rank 0) "
                         "has no rows or columns; use * to scale")
    x2 = (1,) + x if len(x) == 1 else x  # a vector x: one row
    y2 = y + (1,) if len(y) == 1 else y  # a vector y: one column
    if x2[-1] != y2[-2]:
        raise ValueError(f"matmul: shapes {x} and {y} do not fit: a row "
                         f"of x has {x2[-1]} entries, a column of y "
                         f"{y2[-2]}")
    try:
        batch = broadcast_shape(x2[:-2], y2[:-2])
    except ValueError:
        raise ValueError(f"matmul: the batch axes of {x} and {y}, "
                         f"{x2[:-2]} and {y2[:-2]}, do not broadcast"
                         ) from None
    rows = () if len(x) == 1 else (x2[-2],)
    cols = () if len(y) == 1 else (y2[-1],)
    return batch + rows + cols
