"""Exercise checkers for chapter 4, "The tensor product and reshaping"."""

from __future__ import annotations

import numpy as np

from helpers.exercises import NO_ANSWER, Verdict, not_answered, run_reader_function, verdict

# Exercise 4.1: (operation, shape of x, shape of y) -- predict the result's shape.
SHAPE_QUESTIONS = (
    ("matmul", (128, 784), (784, 512)),
    ("matmul", (512,), (512, 10)),
    ("matmul", (32, 20, 64), (64, 16)),
    ("matmul", (6, 5), (6, 5)),
    ("matmul", (7, 3, 4), (7, 4, 2)),
    ("dot", (7, 3, 4), (7, 4, 2)),
)


def product_shape(operation: str, x_shape, y_shape):
    """The shape NumPy gives ``np.<operation>(x, y)``, or None if it raises an error."""
    function = {"matmul": np.matmul, "dot": np.dot}[operation]
    try:
        return function(np.ones(x_shape), np.ones(y_shape)).shape
    except ValueError:
        return None


def _as_shape(value):
    """A reader's answer as a tuple of ints, None for "incompatible", or raise TypeError."""
    if value is None:
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),)
    if isinstance(value, (tuple, list)) and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        return tuple(int(v) for v in value)
    raise TypeError(value)


def check_product_shapes(answers) -> Verdict:
    """Exercise 4.1: one predicted shape (or None for an error) per entry of SHAPE_QUESTIONS."""
    if not_answered(answers):
        return NO_ANSWER
    if not isinstance(answers, (list, tuple)) or len(answers) != len(SHAPE_QUESTIONS):
        return verdict(False, "", f"Give a list of {len(SHAPE_QUESTIONS)} answers, one per "
                                  "product, in the order of the questions.")
    wrong = []
    for number, (answer, (operation, x_shape, y_shape)) in enumerate(
            zip(answers, SHAPE_QUESTIONS), start=1):
        expected = product_shape(operation, x_shape, y_shape)
        try:
            given = _as_shape(answer)
        except TypeError:
            wrong.append(f"answer {number} ({answer!r}) is not a shape: use a tuple of "
                         "ints, or None for an error")
            continue
        if given != expected:
            hint = (f"np.{operation} of {x_shape} and {y_shape} raises an error"
                    if expected is None else f"product {number} is not {given}")
            wrong.append(hint)
    if wrong:
        return verdict(False, "", f"{len(SHAPE_QUESTIONS) - len(wrong)} of "
                                  f"{len(SHAPE_QUESTIONS)} right; " + "; ".join(wrong) + ".")
    return verdict(True, "All shapes right: the inner sizes meet and vanish, matmul keeps "
                         "batch axes in step, np.dot pairs every batch with every other.", "")


def _run(function, *arrays):
    """Call the reader's function; return (result, None) or (None, a Verdict saying why not)."""
    result, problem = run_reader_function(
        function, *arrays, changed="Your function changed an input array; build a new array instead.")
    return (None, problem) if problem is not None else (np.asarray(result), None)


def check_batched_matrix_product(function) -> Verdict:
    """Exercise 4.2: a batch of matrix products, (b, n, k) and (b, k, m) -> (b, n, m)."""
    rng = np.random.default_rng(4)
    for shapes in [((3, 2, 4), (3, 4, 5)), ((1, 3, 3), (1, 3, 1)), ((4, 1, 2), (4, 2, 3))]:
        x, y = (rng.integers(-5, 6, size=s).astype(np.float64) for s in shapes)
        result, problem = _run(function, x, y)
        if problem is not None:
            return problem
        expected = np.matmul(x, y)
        if result.shape != expected.shape:
            if result.shape == np.dot(x, y).shape:
                return verdict(False, "", f"For shapes {shapes[0]} and {shapes[1]} you return "
                                          f"{result.shape}, the np.dot shape (every pair of "
                                          f"batches); a batch product has shape {expected.shape}.")
            return verdict(False, "", f"For shapes {shapes[0]} and {shapes[1]} the result "
                                      f"should have shape {expected.shape}, got {result.shape}.")
        if not np.allclose(result, expected):
            return verdict(False, "", f"Right shape {expected.shape}, wrong numbers: entry "
                                      "[b] should be the matrix product of x[b] and y[b].")
    return verdict(True, "Each batch entry is one matrix product, as in np.matmul.", "")


def check_transpose(function) -> Verdict:
    """Exercise 4.3: a naive transpose of a matrix, (n, m) -> (m, n) with z[j, i] = x[i, j]."""
    for shape in [(3, 2), (2, 5), (1, 4), (4, 4)]:
        x = np.arange(np.prod(shape), dtype=np.int64).reshape(shape)
        result, problem = _run(function, x)
        if problem is not None:
            return problem
        expected = x.T
        if result.shape != expected.shape:
            return verdict(False, "", f"A {shape} matrix should become {expected.shape}, "
                                      f"got {result.shape}.")
        if not np.array_equal(result, expected):
            if np.array_equal(result, x.reshape(expected.shape)):
                return verdict(False, "", f"For {shape} you returned the reshape: same shape, "
                                          "elements still in reading order. A transpose "
                                          "turns rows into columns.")
            return verdict(False, "", f"Right shape for {shape}, wrong entries: "
                                      "z[j, i] should be x[i, j].")
    return verdict(True, "Rows became columns: z[j, i] == x[i, j] for every i and j.", "")
