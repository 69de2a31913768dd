"""Chapter 5's exercise checkers accept right answers and explain wrong ones."""

import numpy as np
import pytest

from helpers.exercises import NO_ANSWER, Verdict
from helpers.exercises import ch05
from helpers.geometry import apply_affine, letter_f, rotation_matrix, scaling_matrix


def test_mirror_across_the_y_axis():
    assert ch05.check_mirror_matrix(...) is NO_ANSWER
    assert ch05.check_mirror_matrix(None) is NO_ANSWER
    right = ch05.check_mirror_matrix(np.array([[-1, 0], [0, 1]]))
    assert right and isinstance(right, Verdict) and right.message.startswith("Correct!")
    assert ch05.check_mirror_matrix([[-1.0, 0.0], [0.0, 1.0]])  # a nested list is fine
    x_axis = ch05.check_mirror_matrix(np.diag([1.0, -1.0]))
    assert not x_axis and "x-axis" in x_axis.message
    half_turn = ch05.check_mirror_matrix(-np.eye(2))
    assert not half_turn and "180" in half_turn.message
    other = ch05.check_mirror_matrix(np.eye(2))
    assert not other and "columns" in other.message


@pytest.mark.parametrize("bad, words", [
    (np.eye(3), "shape (2, 2), got shape (3, 3)"),
    ([1, 2, 3, 4], "shape (2, 2), got shape (4,)"),
    ("mirror", "of numbers"),
    ([[np.nan, 0], [0, 1]], "inf or nan"),
])
def test_checkers_explain_malformed_matrices(bad, words):
    for check in (ch05.check_mirror_matrix, ch05.check_f_matrix):
        result = check(bad)
        assert not result and words in result.message, result.message


def test_target_f_and_its_matrix():
    target = ch05.target_f()
    assert target.shape == letter_f().shape
    solution = np.linalg.lstsq(letter_f(), target, rcond=None)[0].T
    assert ch05.check_f_matrix(solution)
    assert ch05.check_f_matrix(rotation_matrix(np.pi / 2) @ scaling_matrix(2, 1))
    assert ch05.check_f_matrix(...) is NO_ANSWER
    transposed = ch05.check_f_matrix(solution.T)
    assert not transposed and "transpose" in transposed.message
    wrong = ch05.check_f_matrix(rotation_matrix(np.pi / 2))
    assert not wrong and "(0.3, 0)" in wrong.message
    target[0, 0] = 99.0  # the reader cannot break the exercise by editing the target
    assert ch05.check_f_matrix(solution)


def test_undo_an_affine_map():
    W, b = ch05.exercise_affine()
    W_inv = np.linalg.inv(W)
    assert ch05.check_inverse_affine((W_inv, -W_inv @ b))
    assert ch05.check_inverse_affine([W_inv.tolist(), list(-W_inv @ b)])
    back = apply_affine(apply_affine(letter_f(), W, b), W_inv, -W_inv @ b)
    np.testing.assert_allclose(back, letter_f(), atol=1e-12)
    assert ch05.check_inverse_affine(...) is NO_ANSWER
    minus_b = ch05.check_inverse_affine((W_inv, -b))
    assert not minus_b and "-W^-1 @ b" in minus_b.message
    shift_wrong = ch05.check_inverse_affine((W_inv, np.zeros(2)))
    assert not shift_wrong and "matrix is right" in shift_wrong.message
    matrix_wrong = ch05.check_inverse_affine((W, -b))
    assert not matrix_wrong and "identity" in matrix_wrong.message
    not_pair = ch05.check_inverse_affine(W_inv)
    assert not not_pair and "pair" in not_pair.message
    bad_translation = ch05.check_inverse_affine((W_inv, np.zeros(3)))
    assert not bad_translation and "translation of 2 numbers" in bad_translation.message
    bad_matrix = ch05.check_inverse_affine((np.zeros(2), b))
    assert not bad_matrix and "first item" in bad_matrix.message
    W[0, 0] = 99.0  # exercise_affine hands out copies
    assert ch05.check_inverse_affine((W_inv, -W_inv @ b))
