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


def test_parameter_count():
    expected = 784 * 256 + 256 + 256 * 64 + 64 + 64 * 10 + 10
    assert ch08.check_parameter_count(expected) and expected == 218_058
    assert ch08.check_parameter_count(784 * 512 + 512 + 5130, layer_sizes=(784, 512, 10))
    assert ch08.check_parameter_count(...) is NO_ANSWER
    kernels = ch08.check_parameter_count(784 * 256 + 256 * 64 + 64 * 10)
    assert not kernels and "bias" in kernels.message
    one_layer = ch08.check_parameter_count(784 * 256 + 256)
    assert not one_layer and "3 layers" in one_layer.message
    assert not ch08.check_parameter_count(expected + 1)
    assert "whole number" in ch08.check_parameter_count("218058").message


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
