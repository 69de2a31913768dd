"""Chapter 3's exercise checkers accept right answers and explain wrong ones."""

import numpy as np

from helpers.elementwise import broadcast_shape
from helpers.exercises import NO_ANSWER, Verdict
from helpers.exercises import ch03

RIGHT_SHAPES = [(5, 3, 4), (3, 3), None, (7, 1, 5)]


def test_broadcast_shapes_right_answer():
    good = ch03.check_broadcast_shapes(RIGHT_SHAPES)
    assert isinstance(good, Verdict) and good
    assert "(2, 3) and (2,) fail" in good.message
    assert ch03.check_broadcast_shapes([list(s) if s else s for s in RIGHT_SHAPES])
    assert ch03.check_broadcast_shapes(tuple(RIGHT_SHAPES))


def test_broadcast_shapes_pairs_agree_with_the_helper():
    for (a, b), expected in zip(ch03.SHAPE_PAIRS, RIGHT_SHAPES):
        if expected is None:
            assert ch03._expected_shape(a, b) is None
        else:
            assert broadcast_shape(a, b) == expected


def test_broadcast_shapes_wrong_answers_get_hints():
    assert ch03.check_broadcast_shapes(...) is NO_ANSWER
    assert "list of 4" in ch03.check_broadcast_shapes([(5, 3, 4)]).message
    assert "list of 4" in ch03.check_broadcast_shapes("(5, 3, 4)").message
    says_fails = ch03.check_broadcast_shapes([(5, 3, 4), (3, 3), (2, 3), (7, 1, 5)])
    assert not says_fails and "pair 3" in says_fails.message and "pair 1" not in says_fails.message
    says_none = ch03.check_broadcast_shapes([(5, 3, 4), None, None, (7, 1, 5)])
    assert not says_none and "pair 2" in says_none.message and "do broadcast" in says_none.message
    wrong_shape = ch03.check_broadcast_shapes([(5, 1, 4), (3, 3), None, (7, 1, 5)])
    assert not wrong_shape and "not (5, 1, 4)" in wrong_shape.message
    assert "the length that is not 1" in wrong_shape.message
    garbage = ch03.check_broadcast_shapes(["5, 3, 4", (3, 3), None, (7, 1, 5)])
    assert not garbage and "tuple of ints" in garbage.message
    two_wrong = ch03.check_broadcast_shapes([(5, 4), (3,), None, (7, 1, 5)])
    assert "pair 1" in two_wrong.message and "pair 2" in two_wrong.message


def loop_add(x, y):
    """A right answer, written independently of the notebook's solution."""
    shape = np.broadcast_shapes(x.shape, y.shape)
    xs = np.broadcast_to(x, shape)
    ys = np.broadcast_to(y, shape)
    z = np.empty(shape)
    for index in np.ndindex(*shape):
        z[index] = xs[index] + ys[index]
    return z


def test_broadcast_add_right_answers():
    assert ch03.check_broadcast_add(loop_add)
    assert ch03.check_broadcast_add(np.add)  # it is correct, even if it skips the point


def test_broadcast_add_wrong_answers():
    assert "None" in ch03.check_broadcast_add(lambda x, y: None).message
    assert "Pass your function" in ch03.check_broadcast_add(...).message

    def in_place(x, y):
        x += 0.5
        return loop_add(x - 0.5, y)
    assert "changed one of its inputs" in ch03.check_broadcast_add(in_place).message

    def no_stretch(x, y):
        if x.shape != y.shape:
            raise ValueError("shapes differ")
        return x + y
    message = ch03.check_broadcast_add(no_stretch).message
    assert "raised ValueError: shapes differ" in message and "()" in message

    wrong_shape = ch03.check_broadcast_add(lambda x, y: (x + y).ravel())
    assert "should have shape (2, 3), got (6,)" in wrong_shape.message

    def off_by_one(x, y):
        return x + y + (x.ndim == 3)
    assert "values are not x + y" in ch03.check_broadcast_add(off_by_one).message

    def accepts_everything(x, y):
        try:
            return x + y
        except ValueError:
            return np.zeros(1)
    assert "returned a result" in ch03.check_broadcast_add(accepts_everything).message

    def wrong_error(x, y):
        try:
            return x + y
        except ValueError:
            raise IndexError("oops") from None
    assert "you raised IndexError" in ch03.check_broadcast_add(wrong_error).message


def test_broadcast_strides():
    assert ch03.expected_strides() == (0, 16, 0, 4)
    good = ch03.check_broadcast_strides((0, 16, 0, 4))
    assert good and "80 bytes" in good.message
    assert ch03.check_broadcast_strides([0, 16, 0, 4])
    assert ch03.check_broadcast_strides(...) is NO_ANSWER
    copied = ch03.check_broadcast_strides((480, 96, 16, 4))
    assert not copied and "same stored values" in copied.message
    wrong_itemsize = ch03.check_broadcast_strides((0, 32, 0, 8))
    assert not wrong_itemsize and "4 bytes" in wrong_itemsize.message
    assert "4 strides" in ch03.check_broadcast_strides((16, 4)).message
    assert "4 strides" in ch03.check_broadcast_strides("0, 16, 0, 4").message


def test_standardize_rows_right_answers():
    def with_keepdims(x):
        return (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)

    def with_newaxis(x):
        return (x - x.mean(axis=1)[:, None]) / x.std(axis=1)[:, None]

    def by_transposing(x):
        return ((x.T - x.mean(axis=1)) / x.std(axis=1)).T

    for right in (with_keepdims, with_newaxis, by_transposing):
        good = ch03.check_standardize_rows(right)
        assert good and "square one included" in good.message


def test_standardize_rows_wrong_answers():
    assert "Pass your function" in ch03.check_standardize_rows(...).message
    assert "returns None" in ch03.check_standardize_rows(lambda x: None).message

    def no_keepdims(x):
        return (x - x.mean(axis=1)) / x.std(axis=1)
    square = ch03.check_standardize_rows(no_keepdims)
    assert not square and "runs on this square matrix but gives wrong" in square.message

    def no_keepdims_skipping_the_square(x):
        if x.shape[0] == x.shape[1]:
            return (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)
        return (x - x.mean(axis=1)) / x.std(axis=1)
    raised = ch03.check_standardize_rows(no_keepdims_skipping_the_square)
    assert not raised and "(5, 3) matrix, your function raised ValueError" in raised.message
    assert "keepdims=True" in raised.message

    def columns(x):
        return (x - x.mean(axis=0)) / x.std(axis=0)
    assert "standardised the columns" in ch03.check_standardize_rows(columns).message

    def centred_only(x):
        return x - x.mean(axis=1, keepdims=True)
    assert "not standard deviation 1" in ch03.check_standardize_rows(centred_only).message

    def in_place(x):
        x -= x.mean(axis=1, keepdims=True)
        x /= x.std(axis=1, keepdims=True)
        return x
    assert "changed x" in ch03.check_standardize_rows(in_place).message

    flat = ch03.check_standardize_rows(lambda x: x.ravel())
    assert "should have the same shape, got (16,)" in flat.message

    scaled = ch03.check_standardize_rows(lambda x: 2 * x)
    assert not scaled and "means [" in scaled.message
