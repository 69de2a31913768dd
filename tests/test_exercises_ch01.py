"""Chapter 1's exercise checkers accept right answers and explain wrong ones."""

import numpy as np
import pytest

from helpers.exercises import NO_ANSWER, Verdict, verdict
from helpers.exercises import ch01


def test_verdict_displays_as_its_message():
    good = verdict(True, "well done", "hint")
    assert good and repr(good) == "Correct! well done"
    bad = verdict(False, "well done", "try again")
    assert not bad and repr(bad) == "Not yet. try again"


def test_parameter_count():
    assert ch01.dense_parameter_count([784, 512, 10]) == 407_050
    assert ch01.check_parameter_count(203_530, hidden_units=256)
    assert ch01.check_parameter_count(...) is NO_ANSWER
    forgot_biases = ch01.check_parameter_count(784 * 256 + 256 * 10, hidden_units=256)
    assert not forgot_biases and "bias" in forgot_biases.message
    only_first = ch01.check_parameter_count(784 * 256 + 256, hidden_units=256)
    assert not only_first and "output layer" in only_first.message
    assert not ch01.check_parameter_count("203530")


def test_preprocess_checker():
    def right(images):
        return images.reshape(len(images), 784).astype(np.float32) / 255

    def wrong_dtype(images):
        return images.reshape(len(images), 784) / 255

    def in_place(images):
        images[...] = 0
        return images.reshape(len(images), 784).astype(np.float32)

    def crashes(images):
        raise RuntimeError("boom")

    assert ch01.check_preprocess(right)
    assert "float32" in ch01.check_preprocess(wrong_dtype).message
    assert "changed its input" in ch01.check_preprocess(in_place).message
    assert "boom" in ch01.check_preprocess(crashes).message
    assert "No answer" in ch01.check_preprocess(lambda images: None).message
    transposed = ch01.check_preprocess(lambda im: right(im.transpose(0, 2, 1)))
    assert not transposed and "order" in transposed.message


def _test_set(seed=0):
    """Labels of 10,000 'test images' and predictions that miss some of them."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=10_000)
    predicted = labels.copy()
    wrong = rng.random(10_000) < 0.03 * (1 + labels) / 5  # digit 9 worst
    predicted[wrong] = (labels[wrong] + rng.integers(1, 10, wrong.sum())) % 10
    probabilities = np.eye(10)[predicted] * 0.9 + 0.01
    return labels, predicted, probabilities


def _reader_solution(labels, predicted):
    """What a reader computes: a loop over (true, predicted) pairs."""
    confusion = np.zeros((10, 10), dtype=int)
    for t, p in zip(labels, predicted):
        confusion[t, p] += 1
    rates = 1 - np.diag(confusion) / confusion.sum(axis=1)
    return confusion, rates, int(rates.argmax())


def test_most_missed_digit_accepts_a_right_computation():
    labels, predicted, probabilities = _test_set()
    confusion, rates, answer = _reader_solution(labels, predicted)
    assert answer == 9
    ok = ch01.check_most_missed_digit(answer, rates, confusion, probabilities, labels)
    assert ok and "Digit 9" in ok.message
    # predicted digits work as well as probabilities; so do NumPy integers and lists
    assert ch01.check_most_missed_digit(np.int64(9), rates.tolist(), confusion.tolist(),
                                        predicted, labels)
    # the checker recomputes: it agrees with an independent count
    wrong = predicted != labels
    counts = np.bincount(labels[wrong], minlength=10) / np.bincount(labels, minlength=10)
    assert np.allclose(counts, rates)


def test_most_missed_digit_recomputes_instead_of_trusting_the_reader():
    labels, predicted, probabilities = _test_set()
    # a self-consistent computation on the first 1,000 images only is not accepted
    confusion, rates, answer = _reader_solution(labels[:1000], predicted[:1000])
    verdict = ch01.check_most_missed_digit(answer, rates, confusion, probabilities, labels)
    assert not verdict and "10,000" in verdict.message
    short = ch01.check_most_missed_digit(9, rates, confusion, probabilities[:1000],
                                         labels)
    assert not short and "Use all 10,000" in short.message
    # one count off
    confusion, rates, answer = _reader_solution(labels, predicted)
    off = confusion.copy()
    off[3, 5] += 1
    off[3, 3] -= 1
    verdict = ch01.check_most_missed_digit(answer, rates, off, probabilities, labels)
    assert not verdict and "entry [3, " in verdict.message
    # one rate off
    bad_rates = rates.copy()
    bad_rates[4] += 0.01
    verdict = ch01.check_most_missed_digit(answer, bad_rates, confusion, probabilities,
                                           labels)
    assert not verdict and "digit 4" in verdict.message


@pytest.mark.parametrize("mistake, words", [
    ("transposed", "swapped"),
    ("counts", "counts of mistakes"),
    ("over_all", "not by all 10,000"),
    ("accuracy", "read correctly"),
    ("percent", "not percentages"),
    ("by_column", "true digit (rows)"),
])
def test_most_missed_digit_explains_common_mistakes(mistake, words):
    labels, predicted, probabilities = _test_set()
    confusion, rates, answer = _reader_solution(labels, predicted)
    errors = confusion.sum(axis=1) - np.diag(confusion)
    columns = (confusion.sum(axis=0) - np.diag(confusion)) / confusion.sum(axis=0)
    given = {"transposed": (confusion.T, rates), "counts": (confusion, errors),
             "over_all": (confusion, errors / 10_000), "accuracy": (confusion, 1 - rates),
             "percent": (confusion, 100 * rates), "by_column": (confusion, columns)}
    c, r = given[mistake]
    verdict = ch01.check_most_missed_digit(answer, r, c, probabilities, labels)
    assert not verdict and words in verdict.message


def test_most_missed_digit_answer():
    labels, predicted, probabilities = _test_set()
    confusion, rates, _ = _reader_solution(labels, predicted)
    assert not ch01.check_most_missed_digit(2, rates, confusion, probabilities, labels)
    for bad in ("nine", 9.0, True, 10, -1):
        verdict = ch01.check_most_missed_digit(bad, rates, confusion, probabilities, labels)
        assert not verdict and "digit 0-9" in verdict.message
    assert ch01.check_most_missed_digit(..., rates, confusion, probabilities,
                                        labels) is NO_ANSWER
    assert ch01.check_most_missed_digit(9, ..., confusion, probabilities,
                                        labels) is NO_ANSWER
    assert ch01.check_most_missed_digit(9, rates, None, probabilities,
                                        labels) is NO_ANSWER


def test_most_missed_digit_rate_is_not_count():
    """Digit 1 has the most mistakes but, being common, not the highest rate."""
    labels = np.repeat(np.arange(10), [1000, 2000, 500] + [1000] * 6 + [500])
    predicted = labels.copy()
    ones = np.flatnonzero(labels == 1)[:40]
    twos = np.flatnonzero(labels == 2)[:30]
    predicted[ones], predicted[twos] = 7, 3
    confusion, rates, answer = _reader_solution(labels, predicted)
    assert answer == 2
    verdict = ch01.check_most_missed_digit(1, rates, confusion, predicted, labels)
    assert not verdict and "not the highest rate" in verdict.message
    assert ch01.check_most_missed_digit(2, rates, confusion, predicted, labels)


def test_most_missed_digit_ties_accept_either_digit():
    labels = np.arange(10_000) % 10
    predicted = labels.copy()
    predicted[[3, 13, 5, 15]] = 0  # two 3s and two 5s wrong: a tie
    confusion, rates, _ = _reader_solution(labels, predicted)
    assert ch01.check_most_missed_digit(3, rates, confusion, predicted, labels)
    assert ch01.check_most_missed_digit(5, rates, confusion, predicted, labels)


def test_most_missed_digit_rejects_bad_inputs():
    labels, predicted, probabilities = _test_set()
    confusion, rates, answer = _reader_solution(labels, predicted)
    with pytest.raises(ValueError, match="probabilities, shape"):
        ch01.check_most_missed_digit(answer, rates, confusion, probabilities[:, :5],
                                     labels)
    with pytest.raises(ValueError, match="10,000 integer test labels"):
        ch01.check_most_missed_digit(answer, rates, confusion, probabilities,
                                     labels[:10])
    verdict = ch01.check_most_missed_digit(answer, rates[:5], confusion, probabilities,
                                           labels)
    assert not verdict and "ten numbers" in verdict.message
    verdict = ch01.check_most_missed_digit(answer, rates, confusion[:5], probabilities,
                                           labels)
    assert not verdict and "10 x 10" in verdict.message


def test_verdict_type():
    assert isinstance(ch01.check_parameter_count(1), Verdict)


def test_run_reader_function_reports_each_kind_of_mistake():
    from helpers.exercises import NONE_RETURNED, run_reader_function

    data = np.arange(4.0)
    assert run_reader_function(lambda a, k: a * k, data, 2)[1] is None
    assert run_reader_function(lambda a: None, data) == (None, NONE_RETURNED)
    _, crashed = run_reader_function(lambda a: a[9], data, context="For shape (4,)")
    assert not crashed and crashed.message.startswith("Not yet. For shape (4,), your function raised IndexError")

    def in_place(a):
        a += 1
        return a

    _, changed = run_reader_function(in_place, data, changed="You changed it.")
    assert not changed and changed.message == "Not yet. You changed it."
