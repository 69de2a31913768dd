"""The tensor product from scratch: chapter 4, section 2.3.3.

Each function is written with explicit Python loops so that every
multiplication and addition is visible; NumPy's ``@`` (``np.matmul``) and
``np.dot`` compute the same numbers much faster. The functions take NumPy
arrays, never modify them, and reject the wrong ranks or incompatible shapes
with a ``ValueError`` that names the shapes (a ``TypeError`` for anything that
is not a numeric NumPy array).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "naive_vector_product",
    "naive_matrix_vector_product",
    "naive_matrix_vector_product_by_rows",
    "naive_matrix_product",
]

_RANK_NAMES = {1: "a vector", 2: "a matrix"}


def check_operand(array, name: str, rank: int) -> None:
    """Raise a clear error unless ``array`` is a numeric NumPy array of the given rank."""
    if not isinstance(array, (np.ndarray, np.generic)):  # np.generic: a NumPy scalar
        raise TypeError(f"{name} must be a NumPy array, got {type(array).__name__} "
                        "(convert it with np.asarray first)")
    if not (np.issubdtype(array.dtype, np.number)):
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    if array.ndim != rank:
        raise ValueError(f"{name} must be rank {rank} ({_RANK_NAMES[rank]}), "
                         f"got shape {array.shape} (rank {array.ndim})")


def check_inner_sizes(x, y, x_axis: int) -> None:
    """Raise a ValueError unless x.shape[x_axis] == y.shape[0], the sizes a product sums over."""
    if x.shape[x_axis] != y.shape[0]:
        raise ValueError(f"shapes {x.shape} and {y.shape} are not compatible: "
                         f"x.shape[{x_axis}] = {x.shape[x_axis]} must equal "
                         f"y.shape[0] = {y.shape[0]}")


def naive_vector_product(x, y):
    """Dot product of two vectors of the same size, a scalar (chapter 4, 2.3.3)."""
    check_operand(x, "x", rank=1)
    check_operand(y, "y", rank=1)
    check_inner_sizes(x, y, x_axis=0)
    z = 0
    for i in range(x.shape[0]):
        z += x[i] * y[i]  # multiply matching entries, add up the products
    return z


def naive_matrix_vector_product(x, y):
    """Matrix (n, k) times vector (k,) with two loops, a vector (n,) (chapter 4, 2.3.3)."""
    check_operand(x, "x", rank=2)
    check_operand(y, "y", rank=1)
    check_inner_sizes(x, y, x_axis=1)
    z = np.zeros(x.shape[0], dtype=np.result_type(x, y))  # the dtype NumPy would give
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i] += x[i, j] * y[j]
    return z


def naive_matrix_vector_product_by_rows(x, y):
    """The same product, seen as each row of x dotted with y (chapter 4, 2.3.3)."""
    check_operand(x, "x", rank=2)
    check_operand(y, "y", rank=1)
    check_inner_sizes(x, y, x_axis=1)
    z = np.zeros(x.shape[0], dtype=np.result_type(x, y))
    for i in range(x.shape[0]):
        z[i] = naive_vector_product(x[i, :], y)
    return z


def naive_matrix_product(x, y):
    """Matrix (n, k) times matrix (k, m), a matrix (n, m) (chapter 4, 2.3.3).

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
