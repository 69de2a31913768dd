"""Exercise checkers for chapter 5, "The geometry of tensor operations"."""

from __future__ import annotations

import numpy as np

from helpers.exercises import NO_ANSWER, Verdict, not_answered, verdict
from helpers.geometry import apply_affine, letter_f

# Exercise 5.2: the matrix that lays the F on its back (kept here so the
# checker can test an answer; the exercise asks the reader to find it).
_F_MATRIX = np.array([[0.0, -1.0], [2.0, 0.0]])

# Exercise 5.3: an invertible affine map to undo.
_UNDO_MATRIX = np.array([[1.0, 0.5], [-0.5, 1.5]])
_UNDO_TRANSLATION = np.array([1.0, -0.5])


def _as_matrix(answer, shape, what="a 2x2 matrix"):
    """The answer as a float array of ``shape``, or a Verdict explaining why not."""
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return verdict(False, "", f"Give {what} of numbers, e.g. np.array(...) "
                                  f"(got {type(answer).__name__}).")
    if array.shape != shape:
        return verdict(False, "", f"Give {what}: shape {shape}, got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        return verdict(False, "", "Your answer contains inf or nan.")
    return array


def check_mirror_matrix(answer) -> Verdict:
    """Exercise 5.1: the 2x2 matrix that mirrors the plane across the y-axis."""
    if not_answered(answer):
        return NO_ANSWER
    matrix = _as_matrix(answer, (2, 2))
    if isinstance(matrix, Verdict):
        return matrix
    expected = np.array([[-1.0, 0.0], [0.0, 1.0]])
    if np.allclose(matrix, expected):
        return verdict(True, "x changes sign, y stays. The columns are the images\n"
                             "of (1, 0) and (0, 1): (-1, 0) and (0, 1).", "")
    if np.allclose(matrix, [[1.0, 0.0], [0.0, -1.0]]):
        hint = ("That matrix mirrors across the x-axis (the F turns upside down).\n"
                "Across the y-axis, left and right swap instead.")
    elif np.allclose(matrix, -np.eye(2)):
        hint = ("That matrix turns the plane by 180 degrees;\n"
                "a mirror changes only one coordinate.")
    else:
        hint = ("Ask where (1, 0) and (0, 1) must go:\n"
                "their images are the matrix's first and second columns.")
    return verdict(False, "", hint)


def target_f() -> np.ndarray:
    """Exercise 5.2: the F after an unknown linear map (vertices in the same order as letter_f())."""
    return apply_affine(letter_f(), _F_MATRIX)


def check_f_matrix(answer) -> Verdict:
    """Exercise 5.2: the 2x2 matrix that maps letter_f() onto target_f()."""
    if not_answered(answer):
        return NO_ANSWER
    matrix = _as_matrix(answer, (2, 2))
    if isinstance(matrix, Verdict):
        return matrix
    mapped = apply_affine(letter_f(), matrix)
    if np.allclose(mapped, target_f(), atol=1e-6):
        return verdict(True, "(1, 0) goes to (0, 2) and (0, 1) goes to (-1, 0):\n"
                             "the F is stretched to twice its width, then turned\n"
                             "a quarter turn counterclockwise.", "")
    if np.allclose(matrix.T, _F_MATRIX):
        hint = ("You wrote the images of (1, 0) and (0, 1) as rows;\n"
                "in W @ p they are the columns of W (transpose your answer).")
    else:
        hint = ("Follow two corners: the F's bottom-right corner (0.3, 0)\n"
                "and its top-left corner (0, 1.5). Where do they land in target_f()?\n"
                "Divide to get the images of (1, 0) and (0, 1); use them as columns.")
    return verdict(False, "", hint)


def exercise_affine():
    """Exercise 5.3: the matrix W and translation b of the affine map to undo."""
    return _UNDO_MATRIX.copy(), _UNDO_TRANSLATION.copy()


def check_inverse_affine(answer) -> Verdict:
    """Exercise 5.3: (matrix, translation) such that applying it after (W, b) gives back every point."""
    if not_answered(answer):
        return NO_ANSWER
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return verdict(False, "", "Answer with a pair (matrix, translation), e.g. "
                                  "answer = (M, t).")
    matrix = _as_matrix(answer[0], (2, 2), "a 2x2 matrix as the first item")
    if isinstance(matrix, Verdict):
        return matrix
    translation = _as_matrix(answer[1], (2,), "a translation of 2 numbers as the second item")
    if isinstance(translation, Verdict):
        return translation
    W, b = exercise_affine()
    points = letter_f()
    back = apply_affine(apply_affine(points, W, b), matrix, translation)
    if np.allclose(back, points, atol=1e-6):
        return verdict(True, "The inverse of p -> W @ p + b is\n"
                             "q -> W^-1 @ q - W^-1 @ b: undo the shift, then the matrix.", "")
    inverse = np.linalg.inv(W)
    if np.allclose(matrix, inverse):
        if np.allclose(translation, -b):
            hint = ("The matrix is right. The shift -b would be right if it came\n"
                    "first, but in M @ q + t the matrix acts first, so the shift\n"
                    "must be -W^-1 @ b.")
        else:
            hint = ("The matrix is right; now find the translation\n"
                    "that brings the F home.")
    else:
        hint = ("The matrix must undo W: multiply W by your matrix\n"
                "and you should get the identity.")
    return verdict(False, "", hint)
