"""Chapter 4's exercise checkers accept right answers and explain wrong ones."""

import numpy as np
import pytest

from helpers.exercises import NO_ANSWER, ch04
from helpers.tensor_product import naive_matrix_product

RIGHT_SHAPES = [(128, 512), (10,), (32, 20, 16), None, (7, 3, 2), (7, 3, 7, 2)]


def test_product_shape_follows_numpy():
    assert ch04.product_shape("matmul", (2, 3), (3, 4)) == (2, 4)
    assert ch04.product_shape("dot", (2, 3, 4), (5, 4, 6)) == (2, 3, 5, 6)
    assert ch04.product_shape("matmul", (2, 3), (2, 3)) is None
    assert [ch04.product_shape(*q) for q in ch04.SHAPE_QUESTIONS] == RIGHT_SHAPES


def test_product_shapes_checker():
    assert ch04.check_product_shapes(...) is NO_ANSWER
    assert ch04.check_product_shapes(RIGHT_SHAPES)
    as_lists = [list(s) if s else s for s in RIGHT_SHAPES]
    as_lists[1] = 10  # a bare int is accepted for a vector's shape
    assert ch04.check_product_shapes(as_lists)

    matmul_for_dot = RIGHT_SHAPES[:5] + [(7, 3, 2)]
    verdict = ch04.check_product_shapes(matmul_for_dot)
    assert not verdict and "5 of 6 right" in verdict.message and "product 6" in verdict.message

    no_error = RIGHT_SHAPES[:3] + [(6, 5)] + RIGHT_SHAPES[4:]
    verdict = ch04.check_product_shapes(no_error)
    assert not verdict and "raises an error" in verdict.message and "(6, 5)" in verdict.message

    assert "list of 6 answers" in ch04.check_product_shapes(RIGHT_SHAPES[:3]).message
    assert "list of 6 answers" in ch04.check_product_shapes((128, 512)).message
    not_shapes = RIGHT_SHAPES[:5] + ["(7, 3, 7, 2)"]
    verdict = ch04.check_product_shapes(not_shapes)
    assert not verdict and "not a shape" in verdict.message
    assert not ch04.check_product_shapes(RIGHT_SHAPES[:5] + [(True, 3, 7, 2)])


def test_batched_matrix_product_checker():
    def right(x, y):
        return np.stack([naive_matrix_product(x[b], y[b]) for b in range(x.shape[0])])

    def all_pairs(x, y):
        return np.dot(x, y)

    def first_only(x, y):
        return np.stack([x[0] @ y[0]] * x.shape[0])

    def in_place(x, y):
        x[...] = 0
        return np.matmul(x, y)

    def crashes(x, y):
        raise RuntimeError("boom")

    assert ch04.check_batched_matrix_product(right)
    assert ch04.check_batched_matrix_product(np.matmul)
    verdict = ch04.check_batched_matrix_product(all_pairs)
    assert not verdict and "np.dot shape" in verdict.message
    assert "wrong numbers" in ch04.check_batched_matrix_product(first_only).message
    assert "changed an input" in ch04.check_batched_matrix_product(in_place).message
    assert "boom" in ch04.check_batched_matrix_product(crashes).message
    assert "No answer" in ch04.check_batched_matrix_product(lambda x, y: None).message
    wrong_shape = ch04.check_batched_matrix_product(lambda x, y: np.zeros(3))
    assert not wrong_shape and "should have shape" in wrong_shape.message


def test_transpose_checker():
    def right(x):
        z = np.zeros((x.shape[1], x.shape[0]), dtype=x.dtype)
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                z[j, i] = x[i, j]
        return z

    assert ch04.check_transpose(right)
    assert ch04.check_transpose(np.transpose)
    reshaped = ch04.check_transpose(lambda x: x.reshape(x.shape[1], x.shape[0]))
    assert not reshaped and "reshape" in reshaped.message
    same = ch04.check_transpose(lambda x: x.copy())
    assert not same and "should become" in same.message
    flipped = ch04.check_transpose(lambda x: x.T[::-1])
    assert not flipped and "wrong entries" in flipped.message
    assert "No answer" in ch04.check_transpose(lambda x: None).message

    def in_place(x):
        x += 1
        return x.T - 1

    assert "changed an input" in ch04.check_transpose(in_place).message


@pytest.mark.parametrize("checker", [ch04.check_batched_matrix_product, ch04.check_transpose])
def test_checkers_do_not_crash_on_a_wrong_signature(checker):
    verdict = checker(lambda: 0)
    assert not verdict and "TypeError" in verdict.message
