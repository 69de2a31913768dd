"""Exercise checkers for chapter 3, "Element-wise operations and broadcasting"."""

from __future__ import annotations

import numpy as np

from helpers.exercises import NO_ANSWER, Verdict, not_answered, run_reader_function, verdict

# Exercise 3.1: predict the shape of a + b for these pairs (None: they do not broadcast).
SHAPE_PAIRS = [
    ((5, 1, 4), (3, 1)),
    ((3,), (3, 1)),
    ((2, 3), (2,)),
    ((7, 1, 5), ()),
]


def _expected_shape(shape_a, shape_b):
    try:
        return tuple(np.broadcast_shapes(shape_a, shape_b))
    except ValueError:
        return None


def _as_shape_answer(item):
    """The reader's answer for one pair as a tuple of ints, None, or the string 'bad'."""
    if item is None:
        return None
    if isinstance(item, (tuple, list)) and all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in item):
        return tuple(int(n) for n in item)
    return "bad"


def check_broadcast_shapes(answer) -> Verdict:
    """Exercise 3.1: the result shape of each pair in SHAPE_PAIRS, or None if it fails."""
    if not_answered(answer):
        return NO_ANSWER
    if not isinstance(answer, (list, tuple)) or len(answer) != len(SHAPE_PAIRS):
        return verdict(False, "", f"Give a list of {len(SHAPE_PAIRS)} answers, one per pair, "
                                  "each a shape tuple or None.")
    problems = []
    for k, ((a, b), item) in enumerate(zip(SHAPE_PAIRS, answer), start=1):
        expected, given = _expected_shape(a, b), _as_shape_answer(item)
        if given == "bad":
            problems.append(f"pair {k}: write a shape as a tuple of ints, e.g. (4, 3), "
                            f"or None (got {item!r}).")
        elif given == expected:
            continue
        elif expected is None:
            problems.append(f"pair {k}, {a} and {b}: line the shapes up on the right and "
                            "compare each axis: is every pair of lengths equal or 1?")
        elif given is None:
            problems.append(f"pair {k}, {a} and {b}: these do broadcast; remember that a "
                            "missing axis counts as length 1.")
        else:
            problems.append(f"pair {k}, {a} and {b}: not {given}. The result has as many "
                            "axes as the longer shape, and on each axis the length that "
                            "is not 1.")
    shown = "; ".join(f"{a} and {b} -> {_expected_shape(a, b)}" for a, b in SHAPE_PAIRS)
    return verdict(not problems, shown.replace("-> None", "fail"), " ".join(problems))


# Exercise 3.2: a naive broadcasting add for arrays of any ranks.
ADD_CASES = [
    ((), (3,)),
    ((4,), ()),
    ((2, 3), (3,)),
    ((4, 1), (3,)),
    ((2, 1, 3), (4, 1)),
    ((3, 1, 2, 1), (5, 1, 1)),
    ((2, 3), (2, 3)),
]
BAD_CASE = ((3, 4), (3,))


def check_broadcast_add(broadcast_add) -> Verdict:
    """Exercise 3.2: ``broadcast_add(x, y)`` equals ``x + y`` for broadcastable shapes,
    leaves its inputs alone, and raises ValueError when the shapes do not broadcast."""
    if not callable(broadcast_add):
        return verdict(False, "", "Pass your function itself, e.g. check_broadcast_add(broadcast_add).")
    rng = np.random.default_rng(3)
    for shape_a, shape_b in ADD_CASES:
        x = np.asarray(rng.integers(-50, 50, size=shape_a), dtype=np.float64)
        y = np.asarray(rng.integers(-50, 50, size=shape_b), dtype=np.float64)
        result, problem = run_reader_function(
            broadcast_add, x, y, context=f"For shapes {shape_a} and {shape_b}",
            changed="Your function changed one of its inputs; work on a new array.")
        if problem is not None:
            return problem
        expected = x + y
        result = np.asarray(result)
        if result.shape != expected.shape:
            return verdict(False, "", f"For shapes {shape_a} and {shape_b} the result should "
                                      f"have shape {expected.shape}, got {result.shape}.")
        if not np.array_equal(result, expected):
            return verdict(False, "", f"For shapes {shape_a} and {shape_b} the shape is right "
                                      "but some values are not x + y: along a length-1 axis, "
                                      "read position 0.")
    x, y = np.ones(BAD_CASE[0]), np.ones(BAD_CASE[1])
    try:
        broadcast_add(x, y)
    except ValueError:
        pass
    except Exception as exc:
        return verdict(False, "", f"For shapes {BAD_CASE[0]} and {BAD_CASE[1]}, which do not "
                                  f"broadcast, raise a ValueError (you raised {type(exc).__name__}).")
    else:
        return verdict(False, "", f"Shapes {BAD_CASE[0]} and {BAD_CASE[1]} do not broadcast, "
                                  "but your function returned a result; raise a ValueError.")
    return verdict(True, f"It agrees with NumPy on {len(ADD_CASES)} pairs of shapes, from "
                         "a scalar to rank 4, and rejects shapes that do not broadcast.", "")


# Exercise 3.3: the strides of a broadcast view.
STRIDES_SOURCE = ((5, 1, 4), np.float32)
STRIDES_TARGET = (3, 5, 6, 4)


def expected_strides() -> tuple:
    """Strides of ``np.broadcast_to(x, STRIDES_TARGET)`` for a C-ordered float32 x of shape (5, 1, 4)."""
    shape, dtype = STRIDES_SOURCE
    return np.broadcast_to(np.zeros(shape, dtype=dtype), STRIDES_TARGET).strides


def check_broadcast_strides(answer) -> Verdict:
    """Exercise 3.3: predict the strides (in bytes) of the broadcast view."""
    if not_answered(answer):
        return NO_ANSWER
    expected = expected_strides()
    given = _as_shape_answer(answer)
    if given == "bad" or given is None or len(given) != len(expected):
        return verdict(False, "", f"Give {len(expected)} strides, one per axis of the view "
                                  f"{STRIDES_TARGET}, as a tuple of ints in bytes.")
    if given == expected:
        return verdict(True, f"The strides are {expected}: 0 bytes along the new axis 0 and the "
                             "stretched axis 2, so 360 values are read from x's 80 bytes.", "")
    virtual = [k for k, n in enumerate(STRIDES_TARGET) if expected[k] == 0]
    if any(given[k] != 0 for k in virtual):
        hint = ("Along an axis that broadcasting adds or stretches, every step reads the same "
                "stored values. How many bytes does that step move?")
    else:
        hint = ("The axes that are not stretched keep the strides x has for them; x is "
                "float32 (4 bytes per value) and C-ordered.")
    return verdict(False, "", hint)


# Exercise 3.4: standardise each row with reductions along axis 1 and keepdims.
ROW_SHAPES = [(4, 4), (5, 3), (2, 7)]  # the square one first: no error hides there


def _standardized(x, axis, keepdims=True):
    mean = x.mean(axis=axis, keepdims=keepdims)
    std = x.std(axis=axis, keepdims=keepdims)
    return (x - mean) / std


def check_standardize_rows(standardize_rows) -> Verdict:
    """Exercise 3.4: ``standardize_rows(x)`` gives every row of x mean 0 and standard
    deviation 1 (np.std's default), and leaves x unchanged."""
    if not callable(standardize_rows):
        return verdict(False, "", "Pass your function itself, e.g. "
                                  "check_standardize_rows(standardize_rows).")
    rng = np.random.default_rng(34)
    for shape in ROW_SHAPES:
        x = rng.normal(5.0, 3.0, size=shape)
        result, problem = run_reader_function(
            standardize_rows, x, context=f"For a {shape} matrix",
            changed="Your function changed x; compute a new array instead.")
        if problem is not None:
            if "broadcast" in problem.message:
                return verdict(False, "", problem.message.removeprefix("Not yet. ")
                               + " The row statistics have shape (rows,), which lines "
                                 "up with the columns; keep them as a (rows, 1) column "
                                 "with keepdims=True.")
            return problem
        result = np.asarray(result)
        if result.shape != shape:
            return verdict(False, "", f"For a {shape} matrix the result should have the "
                                      f"same shape, got {result.shape}.")
        if np.allclose(result, _standardized(x, axis=1)):
            continue
        if np.allclose(result, _standardized(x, axis=0)):
            hint = ("you standardised the columns (axis=0); here each row (axis=1) "
                    "should get mean 0 and standard deviation 1.")
        elif shape[0] == shape[1] and np.allclose(result, _standardized(x, 1, False)):
            hint = ("your function runs on this square matrix but gives wrong numbers: "
                    "without keepdims=True the (rows,) statistics line up with the "
                    "columns, so column j is shifted by row j's mean. Keep them as a "
                    "(rows, 1) column.")
        elif np.allclose(result.mean(axis=1), 0.0):
            hint = ("each row has mean 0, but not standard deviation 1: divide by the "
                    "row's standard deviation too.")
        else:
            hint = (f"the rows should have mean 0 and standard deviation 1; yours have "
                    f"means {np.round(result.mean(axis=1), 3)} and standard deviations "
                    f"{np.round(result.std(axis=1), 3)}.")
        return verdict(False, "", f"For a {shape} matrix {hint}")
    shapes = ", ".join(str(s) for s in ROW_SHAPES)
    return verdict(True, f"Every row of the {shapes} matrices has mean 0 and standard "
                         "deviation 1, the square one included, where a missing "
                         "keepdims raises no error and gives wrong numbers.", "")
