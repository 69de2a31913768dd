"""The naive tensor products of chapter 4 agree with NumPy and reject bad input clearly."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers.tensor_product import (
    naive_matrix_product,
    naive_matrix_vector_product,
    naive_matrix_vector_product_by_rows,
    naive_vector_product,
)

MATRIX_VECTOR = [naive_matrix_vector_product, naive_matrix_vector_product_by_rows]
ALL = [naive_vector_product, *MATRIX_VECTOR, naive_matrix_product]
SIZES = st.integers(min_value=0, max_value=7)
FLOATS = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)
# Small integers: exact arithmetic, so the loops must give NumPy's answer exactly.
INTS = st.integers(min_value=-1000, max_value=1000)


def arrays(shape, dtype):
    elements = INTS if np.dtype(dtype).kind == "i" else FLOATS
    return hnp.arrays(dtype, shape, elements=elements)


def assert_matches(result, expected, x, y):
    """Exact for integers; for floats within the rounding bound of a sum of k products."""
    result = np.asarray(result)
    assert result.shape == expected.shape
    if expected.dtype.kind == "i":
        assert result.dtype == expected.dtype
        np.testing.assert_array_equal(result, expected)
    else:
        k = x.shape[-1]
        bound = (k + 1) * 1e-15 * (np.abs(x) @ np.abs(y))  # k * eps * sum |x_i * y_i|, roomy
        assert np.all(np.abs(result - expected) <= bound), (result, expected)


@st.composite
def operands(draw, x_rank, y_rank, dtype=None):
    """Two arrays of the given ranks whose inner sizes agree, with random sizes and values."""
    dtype = dtype or draw(st.sampled_from([np.float64, np.int64]))
    n, k, m = draw(SIZES), draw(SIZES), draw(SIZES)
    x_shape = {1: (k,), 2: (n, k)}[x_rank]
    y_shape = {1: (k,), 2: (k, m)}[y_rank]
    return draw(arrays(x_shape, dtype)), draw(arrays(y_shape, dtype))


@settings(max_examples=150, deadline=None)
@given(operands(1, 1))
def test_vector_product_matches_numpy(pair):
    x, y = pair
    before = x.copy(), y.copy()
    result = naive_vector_product(x, y)
    assert np.ndim(result) == 0, "the dot product of two vectors is a scalar"
    assert_matches(result, np.dot(x, y), x, y)
    assert np.array_equal(x, before[0]) and np.array_equal(y, before[1])


@pytest.mark.parametrize("function", MATRIX_VECTOR, ids=lambda f: f.__name__)
@settings(max_examples=100, deadline=None)
@given(pair=operands(2, 1))
def test_matrix_vector_product_matches_numpy(function, pair):
    x, y = pair
    before = x.copy(), y.copy()
    assert_matches(function(x, y), x @ y, x, y)
    assert np.array_equal(x, before[0]) and np.array_equal(y, before[1])


@settings(max_examples=150, deadline=None)
@given(operands(2, 2))
def test_matrix_product_matches_numpy(pair):
    x, y = pair
    before = x.copy(), y.copy()
    assert_matches(naive_matrix_product(x, y), x @ y, x, y)
    assert np.array_equal(x, before[0]) and np.array_equal(y, before[1])


@settings(max_examples=50, deadline=None)
@given(operands(2, 2, dtype=np.float32))
def test_float32_stays_float32(pair):
    x, y = pair
    assert naive_matrix_product(x, y).dtype == (x @ y).dtype == np.float32
    v = np.ones(y.shape[0], dtype=np.float32)
    for function in MATRIX_VECTOR:
        assert function(x, v).dtype == np.float32
    error = np.abs(naive_matrix_product(x, y).astype(np.float64) - (x @ y))
    bound = (x.shape[1] + 1) * 1.2e-7 * (np.abs(x.astype(np.float64)) @ np.abs(y))
    assert np.all(error <= bound)


def test_mixed_dtypes_follow_numpy():
    x = np.arange(6).reshape(2, 3)
    y = np.linspace(0.0, 1.0, 3)
    for function in MATRIX_VECTOR:
        result = function(x, y)
        assert result.dtype == (x @ y).dtype == np.float64
        np.testing.assert_allclose(result, x @ y)


def test_views_and_non_contiguous_inputs():
    base = np.arange(24.0).reshape(4, 6)
    x, y = base[:, ::2], base.T[::2, :3]  # strided views: (4, 3) and (3, 3)
    before = base.copy()
    np.testing.assert_allclose(naive_matrix_product(x, y), x @ y)
    np.testing.assert_allclose(naive_matrix_vector_product_by_rows(x, y[:, 1]), x @ y[:, 1])
    assert np.array_equal(base, before)


def test_result_does_not_share_memory_with_inputs():
    x = np.eye(3)
    for z in (naive_matrix_product(x, x), naive_matrix_vector_product(x, x[0]),
              naive_matrix_vector_product_by_rows(x, x[0])):
        assert not np.shares_memory(z, x)


# ---- bad input: wrong types, wrong ranks, sizes that do not meet ----

@pytest.mark.parametrize("function, x, y, message", [
    (naive_vector_product, np.ones(3), np.ones(4),
     r"shapes \(3,\) and \(4,\) are not compatible: x.shape\[0\] = 3 must equal y.shape\[0\] = 4"),
    (naive_matrix_vector_product, np.ones((2, 3)), np.ones(4),
     r"shapes \(2, 3\) and \(4,\) are not compatible: x.shape\[1\] = 3 must equal y.shape\[0\] = 4"),
    (naive_matrix_vector_product_by_rows, np.ones((2, 3)), np.ones(2),
     r"shapes \(2, 3\) and \(2,\) are not compatible: x.shape\[1\] = 3"),
    (naive_matrix_product, np.ones((2, 3)), np.ones((2, 3)),
     r"shapes \(2, 3\) and \(2, 3\) are not compatible: x.shape\[1\] = 3 must equal y.shape\[0\] = 2"),
])
def test_incompatible_sizes_name_both_shapes(function, x, y, message):
    with pytest.raises(ValueError, match=message):
        function(x, y)


@pytest.mark.parametrize("function, x, y, message", [
    (naive_vector_product, np.ones((3, 1)), np.ones(3), r"x must be rank 1 \(a vector\), got shape \(3, 1\) \(rank 2\)"),
    (naive_vector_product, np.ones(3), np.float64(2.0), r"y must be rank 1 \(a vector\), got shape \(\) \(rank 0\)"),
    (naive_matrix_vector_product, np.ones(3), np.ones(3), r"x must be rank 2 \(a matrix\), got shape \(3,\) \(rank 1\)"),
    (naive_matrix_vector_product, np.ones((3, 3)), np.ones((3, 1)), r"y must be rank 1 \(a vector\), got shape \(3, 1\)"),
    (naive_matrix_vector_product_by_rows, np.ones((2, 2, 2)), np.ones(2), r"x must be rank 2 \(a matrix\), got shape \(2, 2, 2\) \(rank 3\)"),
    (naive_matrix_vector_product_by_rows, np.ones((2, 2)), np.ones((2, 2)), r"y must be rank 1"),
    (naive_matrix_product, np.ones((2, 2)), np.ones(2), r"y must be rank 2 \(a matrix\), got shape \(2,\) \(rank 1\)"),
    (naive_matrix_product, np.ones(2), np.ones((2, 2)), r"x must be rank 2 \(a matrix\), got shape \(2,\)"),
])
def test_wrong_ranks_are_named(function, x, y, message):
    with pytest.raises(ValueError, match=message):
        function(x, y)


def _good_operands(function):
    return {naive_vector_product: (np.ones(2), np.ones(2)),
            naive_matrix_product: (np.ones((2, 2)), np.ones((2, 2)))}.get(
                function, (np.ones((2, 2)), np.ones(2)))


@pytest.mark.parametrize("function", ALL, ids=lambda f: f.__name__)
@pytest.mark.parametrize("position", [0, 1])
@pytest.mark.parametrize("bad, message", [
    ("list", r"must be a NumPy array, got list \(convert it with np.asarray first\)"),
    ("strings", r"must hold numbers, got dtype <U1"),
    ("bools", r"must hold numbers, got dtype bool"),
    ("objects", r"must hold numbers, got dtype object"),
])
def test_non_numeric_inputs_raise_type_error(function, position, bad, message):
    args = list(_good_operands(function))
    good = args[position]
    args[position] = {"list": good.tolist(),
                      "strings": np.full(good.shape, "a"),
                      "bools": good.astype(bool),
                      "objects": good.astype(object)}[bad]
    name = "xy"[position]
    with pytest.raises(TypeError, match=f"^{name} {message}"):
        function(*args)


def test_error_leaves_inputs_untouched():
    x, y = np.arange(6.0).reshape(2, 3), np.arange(4.0)
    with pytest.raises(ValueError):
        naive_matrix_vector_product(x, y)
    assert np.array_equal(x, np.arange(6.0).reshape(2, 3)) and np.array_equal(y, np.arange(4.0))


# ---- the shape rules of np.dot and np.matmul (section 4.6) ----

from helpers.tensor_product import dot_shape, matmul_shape  # noqa: E402

SMALL = st.integers(min_value=0, max_value=3)


@st.composite
def shape_pairs(draw):
    """Two shapes of rank 0-4; often the summed sizes agree, often not."""
    x = tuple(draw(st.lists(SMALL, max_size=4)))
    y = list(draw(st.lists(SMALL, max_size=4)))
    if x and y and draw(st.booleans()):
        y[-1 if len(y) == 1 else -2] = x[-1]  # make the inner sizes meet
    if len(x) > 2 and len(y) > 2 and draw(st.booleans()):
        y[:-2] = [draw(st.sampled_from([1, n])) for n in x[-len(y):-2]]
    return x, tuple(y)


def numpy_shape(function, x, y):
    try:
        return function(np.ones(x), np.ones(y)).shape
    except ValueError:
        return None


def rule_shape(rule, x, y):
    try:
        return rule(x, y)
    except ValueError:
        return None


@settings(max_examples=400, deadline=None)
@given(shape_pairs())
def test_dot_shape_is_numpys_rule(pair):
    x, y = pair
    assert rule_shape(dot_shape, x, y) == numpy_shape(np.dot, x, y)


@settings(max_examples=400, deadline=None)
@given(shape_pairs())
def test_matmul_shape_is_numpys_rule(pair):
    x, y = pair
    assert rule_shape(matmul_shape, x, y) == numpy_shape(np.matmul, x, y)


@pytest.mark.parametrize("x, y, dot, matmul", [
    ((2, 3, 4, 5), (5,), (2, 3, 4), (2, 3, 4)),
    ((2, 3, 4, 5), (5, 6), (2, 3, 4, 6), (2, 3, 4, 6)),
    ((4, 2, 3), (4, 3, 5), (4, 2, 4, 5), (4, 2, 5)),
    ((1, 2, 3), (6, 3, 5), (1, 2, 6, 5), (6, 2, 5)),
    ((4, 2, 3), (5, 3, 5), (4, 2, 5, 5), None),
    ((), (3, 4), (3, 4), None),
    ((3,), (2, 3, 4), (2, 4), (2, 4)),
])
def test_rules_on_the_chapters_examples(x, y, dot, matmul):
    assert rule_shape(dot_shape, x, y) == dot
    assert rule_shape(matmul_shape, x, y) == matmul


def test_shape_rules_explain_errors():
    with pytest.raises(ValueError, match=r"x.shape\[-1\] = 3 must equal "
                                         r"y.shape\[-2\] = 4"):
        dot_shape((2, 3), (4, 5))
    with pytest.raises(ValueError, match=r"a row of x has 3 entries, "
                                         r"a column of y 4"):
        matmul_shape((2, 3), (4, 5))
    with pytest.raises(ValueError, match=r"batch axes .* \(4,\) and \(5,\)"):
        matmul_shape((4, 2, 3), (5, 3, 5))
    with pytest.raises(ValueError, match="scalar"):
        matmul_shape((), (3,))
    for bad in [(2.0, 3), "2, 3", (-1, 3), (True, 3), np.ones(2)]:
        with pytest.raises(TypeError, match="x_shape must be a shape"):
            dot_shape(bad, (3,))
        with pytest.raises(TypeError, match="y_shape must be a shape"):
            matmul_shape((3,), bad)
