"""Chapter 7's exercise checkers accept right answers and explain wrong ones."""

import numpy as np

from helpers.autodiff import Tensor
from helpers.exercises import NO_ANSWER, Verdict
from helpers.exercises import ch07


def sigmoid_with_rule(rule_for):
    """A sigmoid op whose backward rule is ``rule_for(s)`` (s = the forward value)."""
    def sigmoid(t):
        s = 1 / (1 + np.exp(-t.data))
        return Tensor.from_operation(s, "sigmoid", [t], [rule_for(s)])
    return sigmoid


def test_sigmoid_right_answers():
    assert ch07.check_sigmoid(sigmoid_with_rule(lambda s: lambda g: g * s * (1 - s)))
    composed = ch07.check_sigmoid(lambda t: 1 / (1 + (-t).exp()))  # built from engine ops
    assert composed and isinstance(composed, Verdict)


def test_sigmoid_wrong_answers():
    def message(fn):
        result = ch07.check_sigmoid(fn)
        assert not result
        return result.message

    assert "No answer" in message(lambda t: None)
    assert "No answer" in message(sigmoid_with_rule(lambda s: lambda g: None))
    assert "No answer" in message(sigmoid_with_rule(lambda s: lambda g: ...))
    assert "s * (1 - s), not s alone" in message(sigmoid_with_rule(lambda s: lambda g: g * s))
    assert "ds/dx = s * (1 - s)" in message(sigmoid_with_rule(lambda s: lambda g: g * s * s))
    assert "multiply it by the gradient g" in message(
        sigmoid_with_rule(lambda s: lambda g: s * (1 - s)))
    assert "Return a Tensor" in message(lambda t: 1 / (1 + np.exp(-t.data)))
    assert "not connected" in message(lambda t: Tensor(1 / (1 + np.exp(-t.data))))
    assert "1 / (1 + exp(-x))" in message(lambda t: t.relu())
    assert "ZeroDivisionError" in message(lambda t: 1 / 0)

    def in_place(t):
        t.data[...] = 0
        return t

    assert "changed its input" in message(in_place)

    def crashing_rule(s):
        def rule(g):
            raise RuntimeError("boom")
        return rule

    assert "boom" in message(sigmoid_with_rule(crashing_rule))


def test_new_target_gradient():
    assert ch07.worked_example_gradient(4.0) == 2.0  # the chapter's example
    assert ch07.worked_example_gradient(10.0) == -2.0
    assert ch07.check_new_target_gradient(-2)
    assert ch07.check_new_target_gradient(np.float64(-2.0))
    assert ch07.check_new_target_gradient(...) is NO_ANSWER
    sign = ch07.check_new_target_gradient(2)
    assert not sign and "sign" in sign.message
    assert not ch07.check_new_target_gradient(3)
    assert "number" in ch07.check_new_target_gradient("minus two").message


def test_cube_gradient():
    import helpers
    helpers.import_keras()
    import tensorflow as tf

    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x ** 3
    assert ch07.check_cube_gradient(tape.gradient(y, x))
    assert ch07.check_cube_gradient(12.0)
    assert ch07.check_cube_gradient(...) is NO_ANSWER
    unwatched = ch07.check_cube_gradient(None)
    assert not unwatched and "tape.watch" in unwatched.message
    assert "3 * x ** 2" in ch07.check_cube_gradient(tf.constant(8.0)).message
    assert not ch07.check_cube_gradient(4.0)
    assert "Pass the gradient" in ch07.check_cube_gradient("twelve").message


def dense_example():
    rng = np.random.default_rng(4)
    return rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(4, 2))


def test_dense_backward_matches_numpy_and_finite_differences():
    from helpers.optim import numeric_gradient

    x, W, G = dense_example()
    grad_W, grad_b, grad_x = ch07.dense_backward(x, W, G)
    assert np.allclose(grad_W, x.T @ G) and np.allclose(grad_x, G @ W.T)
    assert np.allclose(grad_b, G.sum(axis=0))
    numeric_W = numeric_gradient(lambda w: np.sum(G * (x @ w)), W)
    assert np.allclose(grad_W, numeric_W, atol=1e-8)


def test_dense_backward_checker():
    x, W, G = dense_example()
    right = (x.T @ G, G.sum(axis=0), G @ W.T)
    assert ch07.check_dense_backward(x, W, G, *right)
    assert ch07.check_dense_backward(x, W, G, right[0].tolist(), *right[1:])
    assert ch07.check_dense_backward(x, W, G, ..., *right[1:]) is NO_ANSWER
    assert ch07.check_dense_backward(x, W, G, *right[:2], None) is NO_ANSWER

    def message(*answers):
        result = ch07.check_dense_backward(x, W, G, *answers)
        assert not result
        return result.message

    assert "transpose" in message(G.T @ x, *right[1:])
    assert "sum" in message(right[0], G.mean(axis=0), right[2])
    assert "axis=0" in message(right[0], G.sum(axis=1), right[2])
    assert "transpose" in message(*right[:2], W @ G.T)
    assert "shape (3, 2)" in message(np.zeros((2, 2)), *right[1:])
    assert "right shape" in message(2 * right[0], *right[1:])
    assert "NumPy array" in message("x.T @ G", *right[1:])
