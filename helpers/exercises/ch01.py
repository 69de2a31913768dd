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


TEST_SET_SIZE = 10_000


def _test_set_predictions(predictions, labels):
    """The predicted digits and the labels of the whole MNIST test set, or a hint."""
    predictions = np.asarray(predictions)
    labels = np.asarray(labels)
    if labels.shape != (TEST_SET_SIZE,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be the {TEST_SET_SIZE:,} integer test labels, "
                         f"got shape {labels.shape} and dtype {labels.dtype}")
    if predictions.ndim == 2 and predictions.shape[1] == 10:
        predicted = predictions.argmax(axis=1)
    elif predictions.ndim == 1 and np.issubdtype(predictions.dtype, np.integer):
        predicted = predictions
    else:
        raise ValueError("predictions must be the model's probabilities, shape (n, 10), "
                         f"or its predicted digits, shape (n,); got {predictions.shape}")
    if len(predicted) != TEST_SET_SIZE:
        return None, verdict(False, "", f"Use all {TEST_SET_SIZE:,} test images: the "
                                        f"predictions cover {len(predicted):,}.")
    return predicted, None


def _confusion_matrix(predicted, labels) -> np.ndarray:
    """10 x 10 counts: entry [i, j] counts the samples of digit i predicted as j."""
    counts = np.zeros((10, 10), dtype=np.int64)
    np.add.at(counts, (np.asarray(labels), np.asarray(predicted)), 1)
    return counts


def _check_confusion(confusion, expected):
    confusion = np.asarray(confusion)
    if confusion.shape != (10, 10):
        return verdict(False, "", "confusion should be a 10 x 10 array (one row per true "
                                  f"digit, one column per answer), got shape {confusion.shape}.")
    if np.array_equal(confusion, expected):
        return None
    if np.array_equal(confusion, expected.T):
        return verdict(False, "", "Rows and columns are swapped: row i should be the true "
                                  "digit i, column j the digit the model answered.")
    total = confusion.sum()
    if total != TEST_SET_SIZE:
        return verdict(False, "", f"Your confusion matrix counts {total:,} images; each of "
                                  f"the {TEST_SET_SIZE:,} test images belongs in exactly one "
                                  "cell.")
    i, j = np.argwhere(confusion != expected)[0]
    return verdict(False, "", f"Some counts differ from the model's predictions: entry "
                              f"[{i}, {j}] (true {i}, answered {j}) is {confusion[i, j]} in "
                              f"yours and {expected[i, j]} in mine.")


def _check_rates(error_rates, expected):
    errors = expected.sum(axis=1) - np.diag(expected)
    rates = errors / expected.sum(axis=1)
    error_rates = np.asarray(error_rates, dtype=float)
    if error_rates.shape != (10,):
        return verdict(False, "", "error_rates should hold ten numbers, one per true digit, "
                                  f"got shape {error_rates.shape}.")
    if np.allclose(error_rates, rates, rtol=1e-6, atol=1e-9):
        return None
    by_column = (expected.sum(axis=0) - np.diag(expected)) / expected.sum(axis=0)
    wrong_turns = [
        (errors, "These are counts of mistakes; divide each by the number of test "
                 "images of that digit (the row's sum) to get a rate."),
        (errors / TEST_SET_SIZE, "Divide each digit's mistakes by the number of images "
                                 "of that digit (its row's sum), not by all 10,000."),
        (1 - rates, "These are the fractions read correctly; the error rate is one minus "
                    "them."),
        (100 * rates, "Give the rates as fractions between 0 and 1, not percentages."),
        (by_column, "These rates go by the digit the model answered (columns); use the "
                    "true digit (rows)."),
    ]
    for candidate, hint in wrong_turns:
        if np.allclose(error_rates, candidate, rtol=1e-6, atol=1e-9):
            return verdict(False, "", hint)
    d = int(np.argmax(np.abs(error_rates - rates)))
    return verdict(False, "", f"The rate for digit {d} should be {rates[d]:.4f} (its "
                              f"{errors[d]} mistakes out of {expected[d].sum()} images); "
                              f"you have {error_rates[d]:.4f}.")


def check_most_missed_digit(answer, error_rates, confusion, predictions,
                            labels) -> Verdict:
    """Exercise 1.3: confusion matrix, per-digit error rates, most-missed digit.

    Recomputes all three from the model's ``predictions`` (probabilities of
    shape (10000, 10), or predicted digits) and the test ``labels``, and checks
    the reader's ``confusion``, ``error_rates`` and ``answer`` against them.
    """
    if any(not_answered(x) for x in (confusion, error_rates, answer)):
        return NO_ANSWER
    predicted, problem = _test_set_predictions(predictions, labels)
    if problem is not None:
        return problem
    expected = _confusion_matrix(predicted, labels)
    for problem in (_check_confusion(confusion, expected),
                    _check_rates(error_rates, expected)):
        if problem is not None:  # a Verdict is falsy when wrong: test for None
            return problem
    errors = expected.sum(axis=1) - np.diag(expected)
    rates = errors / expected.sum(axis=1)
    worst = set(np.flatnonzero(rates == rates.max()).tolist())
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)) \
            or not 0 <= answer <= 9:
        return verdict(False, "", f"Answer with a digit 0-9 (got {answer!r}).")
    d = int(answer)
    if d not in worst:
        if errors[d] == errors.max():
            hint = (f"Digit {d} has the most mistakes ({errors[d]}), but not the highest "
                    "rate: some digits have fewer test images.")
        else:
            hint = f"Digit {d}'s error rate is {rates[d]:.2%}; another digit's is higher."
        return verdict(False, "", hint)
    return verdict(True, f"Digit {d} is misread most often: {errors[d]} of its "
                         f"{expected[d].sum()} test images, a rate of {rates[d]:.2%}.", "")
