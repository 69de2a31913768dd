"""Exercise checkers for chapter 7, "Backpropagation and automatic differentiation"."""

from __future__ import annotations

import numpy as np

from helpers.autodiff import Tensor
from helpers.exercises import NO_ANSWER, Verdict, not_answered, verdict


def check_sigmoid(sigmoid) -> Verdict:
    """Exercise 7.1: ``sigmoid(t)`` returns a Tensor with the right values and gradients."""
    rng = np.random.default_rng(7)
    data = rng.uniform(-4, 4, size=(3, 4))
    weights = rng.normal(size=(3, 4))
    t = Tensor(data, requires_grad=True)
    try:
        out = sigmoid(t)
    except Exception as exc:  # show the reader what went wrong, do not crash the notebook
        return verdict(False, "", f"Your function raised {type(exc).__name__}: {exc}")
    if out is None or out is Ellipsis:
        return Verdict(False, "No answer yet: your function returns nothing; "
                              "fill it in and run the cell again.")
    if not isinstance(out, Tensor):
        return verdict(False, "", f"Return a Tensor (got {type(out).__name__}), for example "
                                  "with Tensor.from_operation(...).")
    if not np.array_equal(t.data, data):
        return verdict(False, "", "Your function changed its input's data; build a new array.")
    s = 1 / (1 + np.exp(-data))
    if out.shape != data.shape or not np.allclose(out.data, s):
        return verdict(False, "", "The values are not 1 / (1 + exp(-x)) for every entry "
                                  f"(shape {out.shape}, expected {data.shape}).")
    if not out.requires_grad:
        return verdict(False, "", "The result is not connected to its input: pass the input "
                                  "Tensor as a parent, so that backward() can reach it.")
    try:
        (out * weights).sum().backward()
    except Exception as exc:
        if "returned None" in str(exc) or "returned Ellipsis" in str(exc):
            return Verdict(False, "No answer yet: your backward rule returns nothing; make "
                                  "it return the gradient for the input.")
        return verdict(False, "", f"backward() failed with {type(exc).__name__}: {exc}")
    expected = weights * s * (1 - s)
    if t.grad is None or not np.allclose(t.grad, expected):
        if t.grad is not None and np.allclose(t.grad, weights * s):
            hint = "Close: the derivative of the sigmoid is s * (1 - s), not s alone."
        elif t.grad is not None and np.allclose(t.grad, s * (1 - s)):
            hint = ("The local derivative is right, but multiply it by the gradient g that "
                    "arrives at the result (the chain rule).")
        else:
            hint = ("The gradient is wrong. With s = sigmoid(x), ds/dx = s * (1 - s); the rule "
                    "multiplies the incoming gradient g by it.")
        return verdict(False, "", hint)
    return verdict(True, "Values and gradients match sigmoid(x) and s * (1 - s).", "")


def worked_example_gradient(y_true: float) -> float:
    """grad(loss_val, w) for the chapter's example x = 2, w = 3, b = 1 and this y_true."""
    w = Tensor(3.0, requires_grad=True)
    loss_val = (y_true - (2.0 * w + 1.0)).abs()
    loss_val.backward()
    return float(w.grad)


def check_new_target_gradient(answer, y_true: float = 10.0) -> Verdict:
    """Exercise 7.2: grad(loss_val, w) when y_true changes (the sign of y_true - x2 flips)."""
    if not_answered(answer):
        return NO_ANSWER
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return verdict(False, "", f"Answer with a number (got {answer!r}).")
    expected = worked_example_gradient(y_true)
    if np.isclose(value, -expected) and expected != 0:
        hint = ("Check the sign: with y_true = {:g}, y_true - x2 is positive, so the derivative "
                "of abs is +1 and the derivative of y_true - x2 with respect to x2 is -1."
                ).format(y_true)
    else:
        hint = "Multiply the derivatives along the path loss_val -> y_true - x2 -> x2 -> x1 -> w."
    return verdict(np.isclose(value, expected),
                   f"grad(loss_val, w) = {expected:g}: now making w larger makes the loss "
                   "smaller.", hint)


def check_cube_gradient(answer) -> Verdict:
    """Exercise 7.3: the gradient of x ** 3 at x = 2 from a GradientTape (12)."""
    if answer is Ellipsis:
        return NO_ANSWER
    if answer is None:
        return verdict(False, "", "tape.gradient returned None: the tape did not watch x. "
                                  "Call tape.watch(x) inside the block, or make x a tf.Variable.")
    try:
        value = float(np.asarray(answer))
    except (TypeError, ValueError):
        return verdict(False, "", f"Pass the gradient the tape returned (got {answer!r}).")
    if np.isclose(value, 8.0):
        return verdict(False, "", "8 is x ** 3 itself; pass the gradient, 3 * x ** 2.")
    return verdict(np.isclose(value, 12.0), "d(x ** 3)/dx = 3 * x ** 2 = 12 at x = 2.",
                   f"Expected 3 * x ** 2 at x = 2, got {value:g}.")


def dense_backward(x, W, G):
    """The engine's gradients for ``y = x @ W + b`` when ``G`` arrives at y:
    ``(grad_W, grad_b, grad_x)``, from ``backward()`` on sum(G * y)."""
    xt = Tensor(x, requires_grad=True)
    Wt = Tensor(W, requires_grad=True)
    bt = Tensor(np.zeros(np.shape(W)[1]), requires_grad=True)
    ((xt @ Wt + bt) * G).sum().backward()
    return Wt.grad, bt.grad, xt.grad


def _as_array(answer):
    try:
        return np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def check_dense_backward(x, W, G, grad_W, grad_b, grad_x) -> Verdict:
    """Exercise 7.4: the three gradients a Dense layer ``y = x @ W + b``
    sends back when ``G`` arrives at ``y``, checked against the engine."""
    if any(not_answered(a) for a in (grad_W, grad_b, grad_x)):
        return NO_ANSWER
    x, W, G = (np.asarray(a, dtype=np.float64) for a in (x, W, G))
    expected = dense_backward(x, W, G)
    answers = {"grad_W": grad_W, "grad_b": grad_b, "grad_x": grad_x}
    wrong_forms = {  # right numbers, arranged a way that is easy to slip into
        "grad_W": [(G.T @ x, "that is G.T @ x, the transpose; which product "
                             "has W's shape (in, out)?")],
        "grad_b": [(G.mean(axis=0), "that is the mean over the batch; each "
                                    "row used b once, and paths add up: sum"),
                   (G.sum(axis=1), "that sums each row of G; sum over the "
                                   "batch axis, axis=0, instead")],
        "grad_x": [(W @ G.T, "that is W @ G.T, the transpose; which product "
                             "has x's shape (batch, in)?")],
    }
    for (name, answer), right in zip(answers.items(), expected):
        array = _as_array(answer)
        if array is None:
            return verdict(False, "", f"{name} should be a NumPy array, got "
                                      f"{type(answer).__name__}.")
        if array.shape != right.shape:
            for form, hint in wrong_forms[name]:
                if array.shape == form.shape and np.allclose(array, form):
                    return verdict(False, "", f"{name}: {hint}")
            return verdict(False, "", f"{name} has shape {array.shape}, but "
                                      f"it must have shape {right.shape}, "
                                      "the shape of what it is the gradient "
                                      "of.")
        if not np.allclose(array, right):
            for form, hint in wrong_forms[name]:
                if array.shape == form.shape and np.allclose(array, form):
                    return verdict(False, "", f"{name}: {hint}")
            return verdict(False, "", f"{name} has the right shape but not "
                                      "the right values; see section 7.7's "
                                      "rules G @ B.T and A.T @ G.")
    return verdict(True, "grad_W = x.T @ G, grad_b = G summed over the batch "
                         "and grad_x = G @ W.T, as the engine computes them.",
                   "")
