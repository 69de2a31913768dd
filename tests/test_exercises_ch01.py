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


def test_most_confused_digit():
    labels = np.array([0, 1, 1, 2, 2, 2])
    predictions = np.eye(10)[[0, 0, 1, 0, 0, 2]]  # wrong: one 1 and two 2s
    assert ch01.check_most_confused_digit(2, predictions, labels)
    assert not ch01.check_most_confused_digit(1, predictions, labels)
    assert not ch01.check_most_confused_digit("two", predictions, labels)
    with pytest.raises(ValueError, match=r"shape \(n, 10\)"):
        ch01.check_most_confused_digit(2, predictions[:, :5], labels)


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
