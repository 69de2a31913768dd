"""Exercise checkers for chapter 1, "A first look at a neural network"."""

from __future__ import annotations

import numpy as np

from helpers.exercises import NO_ANSWER, Verdict, not_answered, run_reader_function, verdict


def dense_parameter_count(layer_sizes) -> int:
    """Weights of a stack of Dense layers: inputs x units plus one bias per unit."""
    sizes = list(layer_sizes)
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:]))


def check_parameter_count(answer, hidden_units: int = 256) -> Verdict:
    """Exercise 1.1: weights of a 784 -> hidden_units -> 10 Dense network."""
    if not_answered(answer):
        return NO_ANSWER
    expected = dense_parameter_count([784, hidden_units, 10])
    if not isinstance(answer, (int, np.integer)) or isinstance(answer, bool):
        return verdict(False, "", f"Give a whole number (got {answer!r}).")
    first = 784 * hidden_units + hidden_units
    if answer == expected - hidden_units - 10:
        hint = "Close: you counted the connections but forgot one bias per unit."
    elif answer == first:
        hint = "That is only the first layer; add the output layer's weights."
    else:
        hint = ("Count each layer as (inputs x units) + units, and add the two layers "
                f"(you gave {answer:,}).")
    return verdict(answer == expected,
                   f"{expected:,} weights: {first:,} in the hidden layer and "
                   f"{expected - first:,} in the output layer.", hint)


def check_preprocess(preprocess) -> Verdict:
    """Exercise 1.2: uint8 (n, 28, 28) -> float32 (n, 784) in [0, 1], input untouched."""
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    original = images.copy()
    result, problem = run_reader_function(
        preprocess, images, changed="Your function changed its input array; work on a copy.")
    if problem is not None:
        return problem
    result = np.asarray(result)
    if result.shape != (7, 784):
        return verdict(False, "", f"For 7 images the shape should be (7, 784), got {result.shape}.")
    if result.dtype != np.float32:
        return verdict(False, "", f"The dtype should be float32, got {result.dtype}.")
    expected = original.reshape(7, 784).astype(np.float32) / 255
    if not np.allclose(result, expected):
        return verdict(False, "", "Shape and dtype are right, but the values are not "
                                  "pixel / 255 in the original pixel order.")
    return verdict(True, "Shape (n, 784), float32, values from 0.0 to 1.0.", "")


def check_most_confused_digit(answer, predictions, labels) -> Verdict:
    """Exercise 1.3: the true digit with the most misclassified samples."""
    if not_answered(answer):
        return NO_ANSWER
    predictions = np.asarray(predictions)
    labels = np.asarray(labels)
    if predictions.ndim != 2 or predictions.shape != (len(labels), 10):
        raise ValueError(
            f"predictions must have shape (n, 10) matching labels of length {len(labels)}, "
            f"got {predictions.shape}")
    wrong = predictions.argmax(axis=1) != labels
    errors = np.bincount(labels[wrong], minlength=10)
    worst = set(np.flatnonzero(errors == errors.max()).tolist())
    try:
        ok = int(answer) in worst
    except (TypeError, ValueError):
        return verdict(False, "", f"Answer with a digit 0-9 (got {answer!r}).")
    return verdict(ok, f"Digit {int(answer)} has the most errors ({errors.max()}).",
                   f"Your model gets digit {int(answer)} wrong {errors[int(answer)]} time(s); "
                   "another digit has more errors.")
