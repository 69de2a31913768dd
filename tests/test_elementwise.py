"""helpers.elementwise (chapter 3) against NumPy: values, shapes, untouched inputs, bad inputs."""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from helpers.elementwise import (  # noqa: E402
    broadcast_shape,
    draw_broadcast,
    draw_memory_strips,
    explain_broadcast,
    naive_add,
    naive_add_matrix_and_vector,
    naive_relu,
    parse_shape,
    real_cells,
)

# Values small enough that no dtype overflows when two are added.
DTYPES = st.sampled_from([np.float64, np.float32, np.int64, np.int32, np.int16, np.uint8])
MATRIX_SHAPES = hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=7)


def numbers(dtype, shape):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        elements = st.floats(-1e6, 1e6, width=dtype.itemsize * 8, allow_subnormal=False)
    else:
        info = np.iinfo(dtype)
        elements = st.integers(max(info.min, -100), min(info.max // 2, 100))
    return hnp.arrays(dtype, shape, elements=elements)


@st.composite
def matrices(draw, shape=MATRIX_SHAPES):
    return draw(numbers(draw(DTYPES), draw(shape)))


@st.composite
def same_shape_pairs(draw):
    shape = draw(MATRIX_SHAPES)
    return draw(numbers(draw(DTYPES), shape)), draw(numbers(draw(DTYPES), shape))


@st.composite
def matrix_vector_pairs(draw):
    rows, cols = draw(st.integers(0, 7)), draw(st.integers(0, 7))
    return draw(numbers(draw(DTYPES), (rows, cols))), draw(numbers(draw(DTYPES), (cols,)))


# --- naive_relu -------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(matrices())
def test_naive_relu_matches_numpy_and_leaves_input_alone(x):
    before = x.copy()
    result = naive_relu(x)
    np.testing.assert_array_equal(result, np.maximum(x, 0))
    assert result.shape == x.shape and result.dtype == x.dtype
    np.testing.assert_array_equal(x, before)
    assert not np.shares_memory(result, x)


def test_naive_relu_special_floats():
    x = np.array([[np.nan, -np.inf, np.inf], [-0.5, 0.0, 2.5]])
    np.testing.assert_array_equal(naive_relu(x), np.maximum(x, 0))


@pytest.mark.parametrize("bad, error, message", [
    (np.zeros(3), ValueError, r"matrix \(rank 2\), got x of shape \(3,\) \(rank 1\)"),
    (np.zeros((2, 3, 4)), ValueError, r"shape \(2, 3, 4\) \(rank 3\)"),
    (np.float64(1.0), TypeError, "expects NumPy arrays, but x is a float64"),
    ([[1.0, -1.0]], TypeError, r"x is a list; convert it with np.asarray\(x\)"),
    (np.array([[True, False]]), TypeError, "dtype bool"),
    (np.array([["a", "b"]]), TypeError, "dtype <U1"),
    (np.array([[1 + 1j]]), TypeError, "dtype complex128"),
])
def test_naive_relu_rejects_bad_input(bad, error, message):
    with pytest.raises(error, match=message):
        naive_relu(bad)


# --- naive_add --------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(same_shape_pairs())
def test_naive_add_matches_numpy_and_leaves_inputs_alone(pair):
    x, y = pair
    x_before, y_before = x.copy(), y.copy()
    result = naive_add(x, y)
    expected = x + y
    np.testing.assert_array_equal(result, expected)
    assert result.dtype == expected.dtype and result.shape == expected.shape
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(y, y_before)
    assert not np.shares_memory(result, x) and not np.shares_memory(result, y)


def test_naive_add_keeps_fractions_of_a_float_y_added_to_an_int_x():
    x = np.array([[1, 2]], dtype=np.int64)
    y = np.array([[0.5, 0.25]])
    np.testing.assert_array_equal(naive_add(x, y), [[1.5, 2.25]])


@pytest.mark.parametrize("x, y, error, message", [
    (np.zeros((2, 3)), np.zeros((3, 2)), ValueError, r"same shape, got shapes \(2, 3\) and \(3, 2\)"),
    (np.zeros((2, 3)), np.zeros(3), ValueError, r"got shapes \(2, 3\) and \(3,\)"),
    (np.zeros(3), np.zeros(3), ValueError, r"got shapes \(3,\) and \(3,\)"),
    (np.zeros((1, 2, 3)), np.zeros((1, 2, 3)), ValueError, r"\(1, 2, 3\) and \(1, 2, 3\)"),
    (np.zeros((2, 2)), [[1, 2], [3, 4]], TypeError, "y is a list"),
    ((1, 2), np.zeros((2, 2)), TypeError, "x is a tuple"),
    (np.zeros((2, 2)), np.zeros((2, 2), dtype=bool), TypeError, "y has dtype bool"),
    (np.zeros((1, 1), dtype=object), np.zeros((1, 1)), TypeError, "x has dtype object"),
])
def test_naive_add_rejects_bad_input(x, y, error, message):
    with pytest.raises(error, match=message):
        naive_add(x, y)


# --- naive_add_matrix_and_vector --------------------------------------------

@settings(max_examples=150, deadline=None)
@given(matrix_vector_pairs())
def test_naive_add_matrix_and_vector_matches_numpy_broadcasting(pair):
    x, y = pair
    x_before, y_before = x.copy(), y.copy()
    result = naive_add_matrix_and_vector(x, y)
    expected = x + y
    np.testing.assert_array_equal(result, expected)
    assert result.dtype == expected.dtype
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(y, y_before)


@pytest.mark.parametrize("x, y, error, message", [
    (np.zeros((32, 10)), np.zeros(32), ValueError, r"x.shape\[1\] == y.shape\[0\], got shapes \(32, 10\) and \(32,\)"),
    (np.zeros((3, 2)), np.zeros((1, 2)), ValueError, r"got shapes \(3, 2\) and \(1, 2\)"),
    (np.zeros(2), np.zeros(2), ValueError, r"got shapes \(2,\) and \(2,\)"),
    (np.zeros((2, 2)), [1.0, 2.0], TypeError, "y is a list"),
    (np.zeros((2, 2), dtype=np.str_), np.zeros(2), TypeError, "x has dtype <U1"),
])
def test_naive_add_matrix_and_vector_rejects_bad_input(x, y, error, message):
    with pytest.raises(error, match=message):
        naive_add_matrix_and_vector(x, y)


# --- broadcast_shape and explain_broadcast ----------------------------------

@settings(max_examples=300, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=5, min_side=0, max_side=5))
def test_broadcast_shape_agrees_with_numpy_when_shapes_broadcast(shapes):
    a, b = shapes.input_shapes
    assert broadcast_shape(a, b) == np.broadcast_shapes(a, b) == shapes.result_shape
    assert broadcast_shape(list(a), list(b)) == shapes.result_shape
    assert f"result shape: {shapes.result_shape}" in explain_broadcast(a, b)


@settings(max_examples=300, deadline=None)
@given(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4),
       hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4))
def test_broadcast_shape_fails_exactly_when_numpy_fails(a, b):
    try:
        expected = np.broadcast_shapes(a, b)
    except ValueError:
        with pytest.raises(ValueError, match=rf"shapes {re.escape(str(a))} and {re.escape(str(b))} do not broadcast"):
            broadcast_shape(a, b)
        assert "do not broadcast" in explain_broadcast(a, b)
    else:
        assert broadcast_shape(a, b) == expected


@pytest.mark.parametrize("a, b, expected", [
    ((0,), (1,), (0,)), ((1,), (0,), (0,)), ((0,), (), (0,)), ((0,), (0,), (0,)),
    ((0, 3), (1, 1), (0, 3)), ((2, 1), (0,), (2, 0)), ((1, 0), (5, 1), (5, 0)),
])
def test_a_length_1_axis_stretches_to_length_0(a, b, expected):
    # "the larger of the two lengths" would say 1; NumPy takes the length that is not 1
    assert broadcast_shape(a, b) == expected == np.broadcast_shapes(a, b)
    assert (np.ones(a) + np.ones(b)).shape == expected


@pytest.mark.parametrize("a, b", [((0,), (2,)), ((3, 0), (2,)), ((0, 2), (3, 2))])
def test_a_length_0_axis_does_not_stretch_to_other_lengths(a, b):
    with pytest.raises(ValueError, match="differ and neither is 1"):
        broadcast_shape(a, b)
    with pytest.raises(ValueError):
        np.broadcast_shapes(a, b)


@st.composite
def shapes_with_zeros(draw):
    """Two shapes that share a 0 somewhere: one lists the lengths, the other replaces
    some of them by 1 (or by another length, which must then fail) and may drop
    leading axes."""
    a = draw(st.lists(st.integers(0, 3), min_size=1, max_size=5))
    a[draw(st.integers(0, len(a) - 1))] = 0  # at least one zero length
    b = [draw(st.sampled_from([n, 1, n, 2])) for n in a]
    b = b[draw(st.integers(0, len(b))):]
    return (tuple(a), tuple(b)) if draw(st.booleans()) else (tuple(b), tuple(a))


@settings(max_examples=300, deadline=None)
@given(shapes_with_zeros())
def test_broadcast_shape_agrees_with_numpy_on_zero_lengths(pair):
    a, b = pair
    try:
        expected = np.broadcast_shapes(a, b)
    except ValueError:
        with pytest.raises(ValueError, match="do not broadcast"):
            broadcast_shape(a, b)
    else:
        assert broadcast_shape(a, b) == expected
        assert 0 in expected  # the zero survives: nothing repeats it away
        assert (np.zeros(a) + np.zeros(b)).shape == expected


def test_broadcast_shape_names_the_failing_axis():
    with pytest.raises(ValueError, match=r"along axis -1 the lengths 10 and 32 differ and neither is 1"):
        broadcast_shape((32, 10), (32,))
    with pytest.raises(ValueError, match=r"axis -2 the lengths 3 and 4"):
        broadcast_shape((2, 3, 5), (4, 1))


@pytest.mark.parametrize("bad, error", [
    ((32.0, 10), TypeError), ("32, 10", TypeError), (np.array([3, 2]), TypeError),
    ((True, 2), TypeError), (7, TypeError), ((3, -1), ValueError),
])
def test_broadcast_shape_rejects_things_that_are_not_shapes(bad, error):
    with pytest.raises(error, match="shape_a"):
        broadcast_shape(bad, (2,))
    with pytest.raises(error, match="shape_b"):
        broadcast_shape((2,), bad)


def test_explain_broadcast_spells_out_both_steps():
    text = explain_broadcast((64, 3, 32, 10), (32, 10), names=("x", "y"))
    assert text.splitlines() == [
        "x: (64, 3, 32, 10)",
        "y:        (32, 10)",
        "step 1, add axes: y (32, 10) -> (1, 1, 32, 10)",
        "step 2, repeat:   y along axis 0 (x64), axis 1 (x3)",
        "result shape: (64, 3, 32, 10)",
    ]
    both = explain_broadcast((4, 1), (3,))
    assert "a along axis 1 (x3); b along axis 0 (x4)" in both
    same = explain_broadcast((2, 3), (2, 3))
    assert "none (same rank)" in same and "nothing to repeat" in same
    failing = explain_broadcast((32, 10), (32,))
    assert "axis -1: lengths 10 and 32 differ and neither is 1" in failing


# --- parse_shape ------------------------------------------------------------

@pytest.mark.parametrize("text, shape", [
    ("64, 3, 32, 10", (64, 3, 32, 10)), ("(10,)", (10,)), ("10", (10,)), (" ( 4 , 1 ) ", (4, 1)),
    ("()", ()), ("", ()), ("0, 3", (0, 3)),
])
def test_parse_shape(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize("text", ["3 x 4", "3,,4", "-1, 2", "a", "3.5"])
def test_parse_shape_rejects_nonsense(text):
    with pytest.raises(ValueError, match="cannot read a shape"):
        parse_shape(text)
    with pytest.raises(TypeError):
        parse_shape((3, 4))


# --- the picture ------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=1, max_side=6))
def test_real_cells_marks_what_broadcast_to_actually_stores(shapes):
    target = shapes.result_shape
    for shape in shapes.input_shapes:
        # Index each stored value by its flat position; a virtual cell repeats an
        # index already seen on the same sheet at a smaller row or column.
        view = np.broadcast_to(np.arange(int(np.prod(shape))).reshape(shape), target)
        sheet = view[(0,) * max(len(target) - 2, 0)].reshape(real_cells(shape, target).shape)
        first = np.zeros(sheet.shape, dtype=bool)
        seen = set()
        for index in np.ndindex(*sheet.shape):
            first[index] = sheet[index] not in seen
            seen.add(sheet[index])
        np.testing.assert_array_equal(real_cells(shape, target), first)


def test_real_cells_rejects_a_shape_that_does_not_stretch_to_the_target():
    with pytest.raises(ValueError, match=r"\(3,\) does not broadcast to \(4, 2\)"):
        real_cells((3,), (4, 2))


@pytest.mark.parametrize("a, b", [
    (np.arange(12).reshape(4, 3), np.array([10, 20, 30])),
    ((64, 3, 32, 10), (32, 10)), ((), (5,)), ((4, 1), (3,)), ((32, 10), (32,)),
    ((0, 3), (3,)), ((2, 3, 1, 2, 3), (1,)),
])
def test_draw_broadcast_draws_every_case(a, b):
    ax = draw_broadcast(a, b)
    texts = " ".join(t.get_text() for t in ax.texts) + ax.get_title()
    if isinstance(a, tuple) and a == (32, 10):
        assert "do not broadcast" in texts
    else:
        shape_b = b.shape if isinstance(b, np.ndarray) else b
        assert f"shape {shape_b}" in texts
    plt.close("all")


def test_draw_broadcast_writes_the_values_and_fades_the_copies():
    ax = draw_broadcast(np.arange(12).reshape(4, 3), np.array([10, 20, 30]))
    texts = [t.get_text() for t in ax.texts]
    virtual = [t.get_text() for t in ax.texts if t.get_color() == "gray"]
    assert virtual == ["10", "20", "30"] * 3  # y's three values, read again on rows 1-3
    assert "41" in texts  # x[3, 2] + y[2] = 11 + 30 in the result
    assert any("reads 12: 9 repeated" in t for t in texts)
    faded = [p for p in ax.patches if p.get_linestyle() == "--"]
    assert len(faded) == 9
    plt.close("all")


def test_draw_broadcast_rejects_an_unknown_operation():
    with pytest.raises(ValueError, match="unknown operation"):
        draw_broadcast(np.ones(2), np.ones(2), op="@")
    plt.close("all")



# --- the memory picture -------------------------------------------------------

def test_draw_memory_strips_shows_the_real_strides_and_bytes():
    top, bottom = draw_memory_strips()
    assert "strides (80, 8), 320 bytes stored for 40 values" in top.get_title(loc="left")
    assert "strides (0, 8), 80 bytes stored for 40 values" in bottom.get_title(loc="left")
    assert len(top.patches) == 40 and len(bottom.patches) == 10  # one cell per value
    starts = [t.xy[0] for t in top.texts]
    assert starts == [0, 80, 160, 240]  # row i starts at i * 80 bytes
    assert [t.xy[0] for t in bottom.texts] == [0, 0, 0, 0]  # every row at byte 0
    assert [t.get_text() for t in bottom.texts] == ["row 0", "row 1", "row 2", "row 3"]
    assert "byte offset" in bottom.get_xlabel()
    plt.close("all")


def test_draw_memory_strips_follows_the_dtype_and_sizes():
    top, bottom = draw_memory_strips(n_rows=3, row_length=5, dtype=np.float32)
    assert "strides (20, 4), 60 bytes" in top.get_title(loc="left")
    assert "strides (0, 4), 20 bytes" in bottom.get_title(loc="left")
    assert [t.xy[0] for t in top.texts] == [0, 20, 40]
    plt.close("all")


@pytest.mark.parametrize("kwargs, error", [
    ({"n_rows": 0}, ValueError), ({"row_length": 17}, ValueError),
    ({"n_rows": 2.0}, TypeError), ({"row_length": True}, TypeError),
])
def test_draw_memory_strips_rejects_sizes_it_cannot_draw(kwargs, error):
    with pytest.raises(error, match="n_rows|row_length"):
        draw_memory_strips(**kwargs)
    plt.close("all")
