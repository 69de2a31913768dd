"""Chapter 6's exercise checkers accept right answers and explain wrong ones."""

import numpy as np
import pytest

from helpers.exercises import NO_ANSWER, Verdict
from helpers.exercises import ch06
from helpers.optim import momentum_step, numeric_gradient


# --- exercise 6.1: a numeric gradient -------------------------------------------

def central(f, x, eps=1e-5):
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += eps
        down[index] -= eps
        grad[index] = (f(up) - f(down)) / (2 * eps)
    return grad


def test_numeric_gradient_checker_accepts_right_answers():
    assert ch06.check_numeric_gradient(central)
    assert ch06.check_numeric_gradient(numeric_gradient)
    assert isinstance(ch06.check_numeric_gradient(central), Verdict)


@pytest.mark.parametrize("wrong, words", [
    (lambda f, x, eps=1e-5: -central(f, x, eps), "sign is flipped"),
    (lambda f, x, eps=1e-5: 2 * central(f, x, eps), "divide by 2 * eps"),
    (lambda f, x, eps=1e-5: central(f, x, eps) / 2, "Half the right size"),
    (lambda f, x, eps=1e-5: central(f, x, eps).ravel() if x.ndim > 1 else central(f, x, eps),
     "x's shape"),
    (lambda f, x, eps=1e-5: central(f, x, eps) + 0.1, "values are off"),
    (lambda f, x, eps=1e-5: None, "No answer yet"),
    (lambda f, x, eps=1e-5: 1 / 0, "ZeroDivisionError"),
    (lambda f, x, eps=1e-5: "gradient", "array of numbers"),
])
def test_numeric_gradient_checker_explains_wrong_answers(wrong, words):
    result = ch06.check_numeric_gradient(wrong)
    assert not result and words in result.message


def test_numeric_gradient_checker_catches_changed_inputs_and_bad_arguments():
    def in_place(f, x, eps=1e-5):
        grad = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            x[index] += eps
            up = f(x)
            x[index] -= 2 * eps
            grad[index] = (up - f(x)) / (2 * eps)
            # forgets to restore x[index]
        return grad

    result = ch06.check_numeric_gradient(in_place)
    assert not result and "changed the array" in result.message
    assert "Pass your function" in ch06.check_numeric_gradient(...).message


# --- exercise 6.2: a diverging learning rate ------------------------------------

def test_diverging_rate_checker():
    assert ch06.check_diverging_learning_rate(0.4, 1 / 3)
    assert ch06.check_diverging_learning_rate(5.0, 0.333)
    assert ch06.check_diverging_learning_rate(1e300, 0.3334)  # overflows, still diverges
    assert ch06.check_diverging_learning_rate(..., 1 / 3) is NO_ANSWER
    assert ch06.check_diverging_learning_rate(0.4, ...) is NO_ANSWER
    cases = {
        (0.1, 1 / 3): "shrinks towards the minimum",
        (0.3, 1 / 3): "shrinks towards the minimum",
        (1 / 3, 1 / 3): "on the edge",
        (-1.0, 1 / 3): "must be positive",
        (0.4, 0.5): "|1 - 6 * lr|",
        (0.4, 1 / 6): "|1 - 6 * lr|",
        ("0.4", 1 / 3): "two numbers",
        (0.4, True): "two numbers",
        (float("nan"), 1 / 3): "two numbers",
    }
    for (rate, threshold), words in cases.items():
        result = ch06.check_diverging_learning_rate(rate, threshold)
        assert not result and words in result.message, (rate, threshold, result.message)


# --- exercise 6.3: one momentum step, plain or Nesterov ---------------------------

def right(w, velocity, gradient, learning_rate, momentum, nesterov=False):
    velocity = momentum * velocity - learning_rate * gradient
    if nesterov:
        return w + momentum * velocity - learning_rate * gradient, velocity
    return w + velocity, velocity


def test_momentum_checker_accepts_both_variants_behind_their_flag():
    assert ch06.check_momentum_step(right)
    assert ch06.check_momentum_step(momentum_step)
    assert "Nesterov" in ch06.check_momentum_step(right).message


def plain_only(w, velocity, gradient, learning_rate, momentum):
    velocity = momentum * velocity - learning_rate * gradient
    return w + velocity, velocity


def nesterov_only(w, velocity, gradient, learning_rate, momentum):
    velocity = momentum * velocity - learning_rate * gradient
    return w + momentum * velocity - learning_rate * gradient, velocity


def always_plain(w, velocity, gradient, learning_rate, momentum, nesterov=False):
    return plain_only(w, velocity, gradient, learning_rate, momentum)


def always_nesterov(w, velocity, gradient, learning_rate, momentum, nesterov=False):
    return nesterov_only(w, velocity, gradient, learning_rate, momentum)


def flags_swapped(w, velocity, gradient, learning_rate, momentum, nesterov=False):
    return right(w, velocity, gradient, learning_rate, momentum, not nesterov)


def uphill(w, velocity, gradient, learning_rate, momentum, nesterov=False):
    velocity = momentum * velocity + learning_rate * gradient
    return w + velocity, velocity


def old_velocity(w, velocity, gradient, learning_rate, momentum, nesterov=False):
    return w + momentum * velocity - learning_rate * gradient, velocity


def sgd_only(w, velocity, gradient, learning_rate, momentum, nesterov=False):
    new_velocity = momentum * velocity - learning_rate * gradient
    return w - learning_rate * gradient, new_velocity


def mutates(w, velocity, gradient, learning_rate, momentum, nesterov=False):
    velocity *= momentum
    velocity -= learning_rate * gradient
    return w + velocity, velocity


@pytest.mark.parametrize("wrong, words", [
    (plain_only, "Plain momentum is right. Now give your function a sixth argument"),
    (nesterov_only, "That is Nesterov's variant"),
    (always_nesterov, "a valid optimizer"),
    (always_plain, "With nesterov=True you returned plain momentum"),
    (flags_swapped, "That is Nesterov's variant"),
    (uphill, "points uphill"),
    (old_velocity, "new velocity is off"),
    (sgd_only, "move by exactly the new velocity"),
    (mutates, "changed an array"),
    (lambda *args: None, "No answer yet"),
    (lambda *args: args[0], "Return a pair"),
    (lambda *args: ("w", "v"), "two arrays of numbers"),
    (lambda *args: [][1], "IndexError"),
    (lambda w, *rest: (w.ravel(), w.ravel()) if w.ndim > 1 else momentum_step(w, *rest),
     "w's shape"),
])
def test_momentum_checker_explains_wrong_answers(wrong, words):
    result = ch06.check_momentum_step(wrong)
    assert not result and words in result.message, result.message


def test_momentum_checker_with_a_wrong_nesterov_position():
    def nesterov_wrong(w, velocity, gradient, learning_rate, momentum, nesterov=False):
        velocity = momentum * velocity - learning_rate * gradient
        return (w + 2 * velocity if nesterov else w + velocity), velocity

    result = ch06.check_momentum_step(nesterov_wrong)
    assert not result and "with nesterov=True w should move" in result.message
    assert "Pass your function" in ch06.check_momentum_step(3).message
