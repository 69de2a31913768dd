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


# Exercise 4.3: a chain of reshapes and transposes, each from the one before.
CHAIN_START = "a = np.arange(24).reshape(2, 3, 4)"
CHAIN = (
    ("b", "a.reshape(6, 4)"),
    ("c", "b.T"),
    ("d", "c.reshape(4, 2, 3)"),
    ("e", "c.reshape(24)"),
    ("f", "a.transpose(1, 0, 2)"),
    ("g", "f.reshape(3, 8)"),
)


def chain_results():
    """Run CHAIN: one (name, code, shape, "view" or "copy") per step.

    "view" means the result shares memory with ``a`` (np.shares_memory).
    """
    names = {"np": np}
    exec(CHAIN_START, names)
    results = []
    for name, code in CHAIN:
        names[name] = eval(code, names)
        status = "view" if np.shares_memory(names[name], names["a"]) else "copy"
        results.append((name, code, names[name].shape, status))
    return results


_WHY = {
    "copy": "reading it row by row does not walk through a's memory with one "
            "fixed step per axis, so NumPy has to copy the entries into a new "
            "buffer",
    "view": "NumPy only needs new strides for it (the entries are where they "
            "were), so it returns a view",
}


def check_chain(answers) -> Verdict:
    """Exercise 4.3: a (shape, "view" or "copy") pair per step of CHAIN."""
    if not_answered(answers):
        return NO_ANSWER
    if not isinstance(answers, (list, tuple)) or len(answers) != len(CHAIN):
        return verdict(False, "", f"Give a list of {len(CHAIN)} pairs (shape, "
                                  "'view' or 'copy'), one per line of code.")
    wrong, right = [], 0
    for answer, (name, code, shape, status) in zip(answers, chain_results()):
        if not (isinstance(answer, (list, tuple)) and len(answer) == 2):
            wrong.append(f"{name}: give a pair such as ((6, 4), 'view'), "
                         f"not {answer!r}")
            continue
        try:
            given_shape = _as_shape(answer[0])
        except TypeError:
            given_shape = "not a shape"
        given_status = str(answer[1]).strip().lower()
        if given_status not in ("view", "copy"):
            wrong.append(f"{name}: say 'view' or 'copy', not {answer[1]!r}")
            continue
        if given_shape != shape:
            wrong.append(f"{name} = {code} does not have shape {answer[0]!r}")
        if given_status != status:
            wrong.append(f"{name} = {code} is a {status}: {_WHY[status]}")
        right += given_shape == shape and given_status == status
    if wrong:
        return verdict(False, "", f"{right} of {len(CHAIN)} "
                                  "right so far; " + "; ".join(wrong) + ".")
    return verdict(True, "Splitting an axis, or reshaping what is already in "
                         "reading order, costs nothing (a view); merging axes "
                         "that a transpose has put out of order needs a copy.",
                   "")
