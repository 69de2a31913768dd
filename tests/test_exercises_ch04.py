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


RIGHT_CHAIN = [((6, 4), "view"), ((4, 6), "view"), ((4, 2, 3), "view"),
               ((24,), "copy"), ((3, 2, 4), "view"), ((3, 8), "copy")]


def test_chain_follows_numpy():
    results = ch04.chain_results()
    assert [(shape, status) for _, _, shape, status in results] == RIGHT_CHAIN
    assert [name for name, *_ in results] == list("bcdefg")


def test_chain_checker():
    assert ch04.check_chain(...) is NO_ANSWER
    assert ch04.check_chain(RIGHT_CHAIN)
    relaxed = [(list(shape), status.upper()) for shape, status in RIGHT_CHAIN]
    relaxed[3] = (24, " copy")  # a bare int for a vector, spaces, capitals
    assert ch04.check_chain(relaxed)

    all_views = [(shape, "view") for shape, _ in RIGHT_CHAIN]
    verdict = ch04.check_chain(all_views)
    assert not verdict and "4 of 6 right" in verdict.message
    assert "e = c.reshape(24) is a copy" in verdict.message
    assert "g = f.reshape(3, 8) is a copy" in verdict.message

    all_copies = [(shape, "copy") for shape, _ in RIGHT_CHAIN]
    verdict = ch04.check_chain(all_copies)
    assert not verdict and "2 of 6 right" in verdict.message
    assert "b = a.reshape(6, 4) is a view" in verdict.message

    wrong_shape = list(RIGHT_CHAIN)
    wrong_shape[1] = ((6, 4), "copy")  # both parts wrong: counted once
    verdict = ch04.check_chain(wrong_shape)
    assert not verdict and "5 of 6 right" in verdict.message
    assert "c = b.T does not have shape (6, 4)" in verdict.message

    assert "list of 6 pairs" in ch04.check_chain(RIGHT_CHAIN[:5]).message
    assert "list of 6 pairs" in ch04.check_chain("view").message
    odd = RIGHT_CHAIN[:5] + ["copy"]
    assert "give a pair" in ch04.check_chain(odd).message
    odd = RIGHT_CHAIN[:5] + [((3, 8), "maybe")]
    assert "say 'view' or 'copy'" in ch04.check_chain(odd).message
    odd = RIGHT_CHAIN[:5] + [("(3, 8)", "copy")]
    assert not ch04.check_chain(odd)


@pytest.mark.parametrize("checker", [ch04.check_batched_matrix_product])
def test_checkers_do_not_crash_on_a_wrong_signature(checker):
    verdict = checker(lambda: 0)
    assert not verdict and "TypeError" in verdict.message
