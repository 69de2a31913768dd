"""Chapter 8's exercise checkers accept right answers and explain wrong ones."""

import numpy as np

from helpers.exercises import NO_ANSWER, Verdict
from helpers.exercises import ch08


def test_update_count():
    assert ch08.check_update_count(2814)  # 3 x ceil(60000 / 64) = 3 x 938
    assert ch08.check_update_count(2345, batch_size=128, epochs=5)
    assert ch08.check_update_count(np.int64(2814))
    assert ch08.check_update_count(...) is NO_ANSWER
    floor = ch08.check_update_count(3 * 937)
    assert not floor and "round" in floor.message
    one_epoch = ch08.check_update_count(938)
    assert not one_epoch and "3 epochs" in one_epoch.message
    assert not ch08.check_update_count(2813)
    assert "whole number" in ch08.check_update_count(2814.0).message
    assert not ch08.check_update_count(True, num_samples=1, batch_size=1, epochs=1)
    assert "2,814" in ch08.check_update_count(2814).message


def right_backward(X, Y, A, H, P, W2):
    n = len(X)
    dZ = (P - Y) / n
    dH = dZ @ W2.T
    dA = dH * (A > 0)
    return {"Z": dZ, "W2": H.T @ dZ, "b2": dZ.sum(axis=0), "H": dH, "A": dA,
            "W1": X.T @ dA, "b1": dA.sum(axis=0)}


def backward_with(**changes):
    def backward(X, Y, A, H, P, W2):
        grads = right_backward(X, Y, A, H, P, W2)
        for name, change in changes.items():
            grads[name] = change(grads, X, Y, A, H, P, W2)
        return grads
    return backward


def line(verdict, name):
    """The verdict's lines about dL/d<name> (a hint may wrap onto more lines)."""
    lines = verdict.message.splitlines()
    start = next(i for i, text in enumerate(lines) if text.startswith(f"dL/d{name} "))
    parts = [lines[start]]
    for text in lines[start + 1:]:
        if not text.startswith(" "):
            break
        parts.append(text.strip())
    return " ".join(parts)


def test_backward_pass_accepts_the_right_gradients():
    verdict = ch08.check_backward_pass(right_backward)
    assert verdict and verdict.message.startswith("Correct! All 7 gradients")
    assert ch08.check_backward_pass(right_backward, n=3, sizes=(2, 6, 3))
    assert all(len(text) <= 79 for text in verdict.message.splitlines())


def test_backward_pass_no_answer_yet():
    assert ch08.check_backward_pass(...) is NO_ANSWER
    empty = ch08.check_backward_pass(lambda *a: {k: ... for k in ("Z", "W2", "b2", "H", "A",
                                                                   "W1", "b1")})
    assert not empty and "No answer yet" in empty.message
    partial = ch08.check_backward_pass(backward_with(A=lambda *a: ..., W1=lambda *a: ...))
    assert not partial and partial.message.startswith("Not yet. 5 of 7")
    assert "not filled in yet" in line(partial, "A") and "right" in line(partial, "b1")
    assert "returns None" in ch08.check_backward_pass(lambda *a: None).message


def test_backward_pass_explains_each_wrong_tensor():
    def forgot_n(X, Y, A, H, P, W2):
        return right_backward(X, Y, A, H, Y + len(X) * (P - Y), W2)  # dZ = P - Y

    too_large = ch08.check_backward_pass(forgot_n)
    assert "8 times too large" in line(too_large, "Z")
    assert "fix dL/dZ first" in line(too_large, "W2") and "fix dL/dZ first" in line(too_large, "H")
    assert "fix dL/dH first" in line(too_large, "A") and "fix dL/dA first" in line(too_large, "W1")
    transposed = ch08.check_backward_pass(backward_with(W2=lambda g, *a: g["Z"].T @ a[3]))
    assert transposed.message.startswith("Not yet. 6 of 7") and "transposed" in line(transposed, "W2")
    unsummed = ch08.check_backward_pass(backward_with(b2=lambda g, *a: g["Z"]))
    assert "sum over" in line(unsummed, "b2") and "right" in line(unsummed, "b1")
    mean = ch08.check_backward_pass(backward_with(b1=lambda g, *a: g["A"].mean(axis=0)))
    assert "too small" in line(mean, "b1") and "not a mean" in line(mean, "b1")
    no_mask = ch08.check_backward_pass(backward_with(A=lambda g, *a: g["H"]))
    assert "mask" in line(no_mask, "A") and "right" in line(no_mask, "W1")
    flipped = ch08.check_backward_pass(backward_with(Z=lambda g, *a: -g["Z"]))
    assert "sign" in line(flipped, "Z")
    other = ch08.check_backward_pass(backward_with(W1=lambda g, *a: g["W1"] + 1))
    assert "differs from the engine's by up to 1" in line(other, "W1")
    words = ch08.check_backward_pass(backward_with(H=lambda *a: "dH"))
    assert "not an array of numbers" in line(words, "H")


def test_backward_pass_reader_mistakes_do_not_crash():
    def crashes(X, Y, A, H, P, W2):
        return {"Z": P - Y @ np.ones((3, 3))}
    assert "raised ValueError" in ch08.check_backward_pass(crashes).message

    def mutates(X, Y, A, H, P, W2):
        P -= Y
        return right_backward(X, Y, A, H, P, W2)
    assert "changed one of its input arrays" in ch08.check_backward_pass(mutates).message
    assert "Return a dict" in ch08.check_backward_pass(lambda *a: [1, 2]).message


def right_momentum(gradients, weights, velocities, learning_rate, momentum):
    for g, w, v in zip(gradients, weights, velocities):
        v.assign(momentum * v - learning_rate * g)
        w.assign(w + v)


def test_momentum_update_accepts_the_right_update():
    verdict = ch08.check_momentum_update(right_momentum)
    assert verdict and "SGD" in verdict.message
    assert ch08.check_momentum_update(right_momentum, learning_rate=0.01, momentum=0.5)
    assert ch08.check_momentum_update(...) is NO_ANSWER


def test_momentum_update_explains_wrong_updates():
    def nothing(gradients, weights, velocities, learning_rate, momentum):
        pass

    def plain_sgd(gradients, weights, velocities, learning_rate, momentum):
        for g, w in zip(gradients, weights):
            w.assign(w - learning_rate * g)

    def nesterov_like(gradients, weights, velocities, learning_rate, momentum):
        for g, w, v in zip(gradients, weights, velocities):
            v.assign(momentum * v - learning_rate * g)
            w.assign(w + momentum * v - learning_rate * g)

    def velocity_not_stored(gradients, weights, velocities, learning_rate, momentum):
        for g, w, v in zip(gradients, weights, velocities):
            w.assign(w + 2 * (momentum * v - learning_rate * g))

    def wrong_sign(gradients, weights, velocities, learning_rate, momentum):
        for g, w, v in zip(gradients, weights, velocities):
            v.assign(momentum * v + learning_rate * g)
            w.assign(w + v)

    def crashes(gradients, weights, velocities, learning_rate, momentum):
        raise RuntimeError("boom")

    def velocities_only(gradients, weights, velocities, learning_rate, momentum):
        for g, v in zip(gradients, velocities):
            v.assign(momentum * v - learning_rate * g)

    placeholder = ch08.check_momentum_update(nothing)
    assert not placeholder and placeholder.message.startswith("No answer yet")
    assert "did not change" in ch08.check_momentum_update(velocities_only).message
    assert "plain SGD" in ch08.check_momentum_update(plain_sgd).message
    assert "Nesterov" in ch08.check_momentum_update(nesterov_like).message
    assert "still zero" in ch08.check_momentum_update(velocity_not_stored).message
    wrong = ch08.check_momentum_update(wrong_sign)
    assert not wrong and "differ" in wrong.message
    assert "boom" in ch08.check_momentum_update(crashes).message


def test_tanh_backward():
    assert ch08.check_tanh_backward(lambda y, g: g * (1 - y**2))
    assert ch08.check_tanh_backward(...) is NO_ANSWER
    assert "None" in ch08.check_tanh_backward(lambda y, g: None).message
    assert "grad_y" in ch08.check_tanh_backward(lambda y, g: 1 - y**2).message
    assert "1 - y**2, not" in ch08.check_tanh_backward(lambda y, g: g * (1 - np.tanh(y) ** 2)).message
    assert not ch08.check_tanh_backward(lambda y, g: g * y)
    assert "shape" in ch08.check_tanh_backward(lambda y, g: (g * (1 - y**2)).T).message

    def in_place(y, g):
        g *= 1 - y**2
        return g

    assert "changed its inputs" in ch08.check_tanh_backward(in_place).message

    def crashes(y, g):
        raise ValueError("nope")

    assert "nope" in ch08.check_tanh_backward(crashes).message


def test_verdict_type():
    assert isinstance(ch08.check_update_count(1), Verdict)
