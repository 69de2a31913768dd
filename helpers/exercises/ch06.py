"""Exercise checkers for chapter 6, "Derivatives, gradients and stochastic gradient descent"."""

from __future__ import annotations

import inspect
from numbers import Real

import numpy as np

from helpers.exercises import NO_ANSWER, Verdict, not_answered, run_reader_function, verdict
from helpers.optim import descend, linear_mse, linear_mse_gradient, momentum_step


def _gradient_cases():
    """(name, f, x, exact gradient) for exercise 6.1, on arrays of rank 1, 2 and 3."""
    rng = np.random.default_rng(6)
    cube_at = np.array([0.5, -1.2, 2.0])
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    W = rng.normal(size=(3, 2))
    scale = rng.normal(size=(2, 2, 2))
    T = rng.normal(size=(2, 2, 2))
    return [
        ("sum(x ** 3) on a vector", lambda v: np.sum(v ** 3), cube_at, 3 * cube_at ** 2),
        ("the linear model's loss on a (3, 2) matrix", lambda w: linear_mse(w, x, y), W,
         linear_mse_gradient(W, x, y)),
        ("sum(c * sin(T)) on a (2, 2, 2) tensor", lambda t: np.sum(scale * np.sin(t)), T,
         scale * np.cos(T)),
    ]


def check_numeric_gradient(gradient_fn) -> Verdict:
    """Exercise 6.1: central finite differences, any shape, input untouched."""
    if not callable(gradient_fn):
        return verdict(False, "", f"Pass your function itself (got {type(gradient_fn).__name__}).")
    for name, f, x, exact in _gradient_cases():
        result, problem = run_reader_function(
            gradient_fn, f, x, context=f"On {name}",
            changed="Your function changed the array x it was given; nudge copies of it instead.")
        if problem is not None:
            return problem
        try:
            result = np.asarray(result, dtype=float)
        except (TypeError, ValueError):
            return verdict(False, "", f"On {name}, return an array of numbers "
                                      f"(got {type(result).__name__}).")
        if result.shape != x.shape:
            return verdict(False, "", f"On {name}, the gradient should have x's shape {x.shape}, "
                                      f"got {result.shape}.")
        if np.allclose(result, exact, rtol=1e-4, atol=1e-6):
            continue
        if np.allclose(result, -exact, rtol=1e-4, atol=1e-6):
            hint = "The sign is flipped: subtract f(x - eps) from f(x + eps), not the other way."
        elif np.allclose(result, 2 * exact, rtol=1e-3, atol=1e-6):
            hint = "Twice too large: the two points are 2 * eps apart, so divide by 2 * eps."
        elif np.allclose(result, exact / 2, rtol=1e-3, atol=1e-6):
            hint = "Half the right size: divide the difference by 2 * eps, not by 4 * eps."
        else:
            hint = (f"On {name} the values are off (largest error "
                    f"{np.abs(result - exact).max():.2g}). Nudge one entry at a time, "
                    "by +eps and -eps, and leave the others as they are.")
        return verdict(False, "", hint)
    return verdict(True, "Your finite differences match the exact gradients on a vector, "
                         "a matrix and a rank-3 tensor.", "")


def _real(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and np.isfinite(float(value))


def check_diverging_learning_rate(learning_rate, threshold) -> Verdict:
    """Exercise 6.2: on loss(w) = 3 w**2 from w = 1, a diverging rate and the threshold 1/3."""
    if not_answered(learning_rate) or not_answered(threshold):
        return NO_ANSWER
    if not (_real(learning_rate) and _real(threshold)):
        return verdict(False, "", f"Give two numbers (got {learning_rate!r} and {threshold!r}).")
    if learning_rate <= 0:
        return verdict(False, "", "A learning rate must be positive: a step along the "
                                  "gradient goes uphill.")
    factor = 1 - 6 * learning_rate   # one step maps w to (1 - 6 lr) * w
    run = descend(lambda w: 3 * w ** 2, 1.0, learning_rate=float(learning_rate), steps=30,
                  gradient=lambda w: 6 * w)
    diverges = run.diverged or run.losses[-1] > 1e3 * run.losses[0]
    if np.isclose(learning_rate, 1 / 3, rtol=1e-9):
        return verdict(False, "", "Right on the edge: at exactly 1/3 each step maps w to -w, "
                                  "so the descent bounces between +1 and -1 forever. "
                                  "Go a little higher.")
    if not diverges:
        return verdict(False, "", f"With learning rate {learning_rate} each step multiplies w "
                                  f"by {factor:.3g}, which is less than 1 in size, so w shrinks "
                                  "towards the minimum. Try a larger rate.")
    if not np.isclose(threshold, 1 / 3, rtol=0.01):
        hint = ("Your learning rate does diverge. For the threshold: one step maps w to "
                "(1 - 6 * lr) * w; find where |1 - 6 * lr| becomes larger than 1.")
        return verdict(False, "", hint)
    return verdict(True, f"With learning rate {learning_rate}, each step multiplies w by "
                         f"{factor:.3g}: the descent jumps over the minimum and lands further "
                         "out every time. That happens whenever |1 - 6 lr| > 1, that is for "
                         "every learning rate above 1/3.", "")


def _accepts_nesterov(step_fn) -> bool:
    """True when ``step_fn`` can take a sixth positional argument (nesterov)."""
    try:
        signature = inspect.signature(step_fn)
    except (TypeError, ValueError):  # builtins without a signature: just try it
        return True
    try:
        signature.bind(*range(6))
    except TypeError:
        return False
    return True


def check_momentum_step(step_fn) -> Verdict:
    """Exercise 6.3: plain momentum by default, Nesterov's variant with nesterov=True.

    Plain:    velocity = mu * velocity - lr * gradient;  w = w + velocity
    Nesterov: the same velocity;  w = w + mu * velocity - lr * gradient
    Both are valid optimizers (Keras' SGD has both); the checker asks for each
    behind its flag, and recognises either one when it is behind the wrong flag.
    """
    if not callable(step_fn):
        return verdict(False, "", f"Pass your function itself (got {type(step_fn).__name__}).")
    both = _accepts_nesterov(step_fn)
    flags = (False, True) if both else (False,)
    rng = np.random.default_rng(63)
    for shape, lr, mu in [((3,), 0.1, 0.9), ((2, 2), 0.05, 0.5), ((4,), 0.2, 0.0)]:
        w, velocity, gradient = (rng.normal(size=shape) for _ in range(3))
        for nesterov in flags:
            args = (w, velocity, gradient, lr, mu) + ((nesterov,) if both else ())
            result, problem = run_reader_function(
                step_fn, *args,
                changed="Your function changed an array it was given; "
                        "return new arrays instead (avoid +=, -= on the inputs).")
            if problem is not None:
                return problem
            hint = _momentum_hint(result, w, velocity, gradient, lr, mu, nesterov)
            if hint:
                return verdict(False, "", hint)
    if not both:
        return verdict(False, "", "Plain momentum is right. Now give your function a sixth "
                                  "argument, nesterov=False, and return Nesterov's variant "
                                  "when it is True.")
    return verdict(True, "Velocity first, then w moves by it (plain momentum), or by one "
                         "more velocity step (Nesterov's variant). With momentum 0 both are "
                         "plain SGD.", "")


def _momentum_hint(result, w, velocity, gradient, lr, mu, nesterov) -> str:
    """What is wrong with one result of the reader's step, or "" when it is right."""
    if not (isinstance(result, tuple) and len(result) == 2):
        return "Return a pair: (new w, new velocity)."
    try:
        new_w, new_velocity = (np.asarray(r, dtype=float) for r in result)
    except (TypeError, ValueError):
        return "Return two arrays of numbers: (new w, new velocity)."
    expected_velocity = mu * velocity - lr * gradient
    plain_w = w + expected_velocity
    nesterov_w = w + mu * expected_velocity - lr * gradient
    if new_w.shape != w.shape or new_velocity.shape != w.shape:
        return (f"Both results should have w's shape {w.shape}, got "
                f"{new_w.shape} and {new_velocity.shape}.")
    if not np.allclose(new_velocity, expected_velocity):
        if np.allclose(new_velocity, mu * velocity + lr * gradient):
            return "The velocity points uphill: subtract learning_rate * gradient."
        return ("The new velocity is off: it is momentum * velocity "
                "- learning_rate * gradient, in both variants.")
    expected_w = nesterov_w if nesterov else plain_w
    if np.allclose(new_w, expected_w):
        return ""
    if mu > 0 and not nesterov and np.allclose(new_w, nesterov_w):
        return ("That is Nesterov's variant, w + momentum * velocity - learning_rate "
                "* gradient: a valid optimizer (Keras' SGD(nesterov=True)), but with "
                "nesterov=False return plain momentum, which moves w by the new "
                "velocity: w + velocity.")
    if mu > 0 and nesterov and np.allclose(new_w, plain_w):
        return ("With nesterov=True you returned plain momentum, w + velocity. "
                "Nesterov's variant moves w by momentum * velocity - learning_rate "
                "* gradient, with the new velocity.")
    if nesterov:
        return ("The velocity is right, but with nesterov=True w should move by "
                "momentum * velocity - learning_rate * gradient.")
    return "The velocity is right, but w should move by exactly the new velocity: w + velocity."
