"""Exercise checkers for chapter 8, "Training a network from scratch"."""

from __future__ import annotations

import math

import numpy as np

from helpers.exercises import NO_ANSWER, Verdict, not_answered, verdict
from helpers.exercises.ch01 import dense_parameter_count


def _whole_number(answer) -> bool:
    return isinstance(answer, (int, np.integer)) and not isinstance(answer, bool)


def check_update_count(answer, num_samples=60_000, batch_size=64, epochs=3) -> Verdict:
    """Exercise 8.1: gradient updates in ``epochs`` epochs of ``ceil(num_samples / batch_size)`` batches."""
    if not_answered(answer):
        return NO_ANSWER
    per_epoch = math.ceil(num_samples / batch_size)
    expected = epochs * per_epoch
    if not _whole_number(answer):
        return verdict(False, "", f"Give a whole number of updates (got {answer!r}); "
                                  "a batch is either used or not.")
    if answer == epochs * (num_samples // batch_size):
        hint = ("Close: that drops the last, smaller batch. The leftover samples still form a "
                "batch, so round the number of batches per epoch up.")
    elif answer == per_epoch:
        hint = f"That is one epoch ({per_epoch} batches); there are {epochs} epochs."
    else:
        hint = ("One update per batch: count the batches in an epoch (rounding up), then multiply "
                "by the number of epochs.")
    return verdict(answer == expected,
                   f"{epochs} x ceil({num_samples:,} / {batch_size}) = {epochs} x {per_epoch} = "
                   f"{expected:,} updates.", hint)


def check_parameter_count(answer, layer_sizes=(784, 256, 64, 10)) -> Verdict:
    """Exercise 8.2: how many numbers ``model.weights`` holds for a stack of NaiveDense layers."""
    if not_answered(answer):
        return NO_ANSWER
    sizes = list(layer_sizes)
    expected = dense_parameter_count(sizes)
    if not _whole_number(answer):
        return verdict(False, "", f"Give a whole number (got {answer!r}).")
    pairs = list(zip(sizes, sizes[1:]))
    kernels_only = sum(a * b for a, b in pairs)
    if answer == kernels_only:
        hint = "Close: you counted the W matrices; each layer also has one bias per unit."
    elif answer in {a * b + b for a, b in pairs}:
        hint = f"That is one layer's count; the model has {len(pairs)} layers: add them all."
    else:
        hint = "Each NaiveDense layer holds W (inputs x units) and b (units): add them over the layers."
    layers = " + ".join(f"({a} x {b} + {b})" for a, b in pairs)
    return verdict(answer == expected, f"{layers} = {expected:,} numbers.", hint)


def _reference_momentum(weights, grads_per_step, learning_rate, momentum):
    """Keras' SGD with momentum: v <- momentum * v - lr * g; w <- w + v."""
    weights = [w.copy() for w in weights]
    velocities = [np.zeros_like(w) for w in weights]
    for grads in grads_per_step:
        for w, v, g in zip(weights, velocities, grads):
            v *= momentum
            v -= learning_rate * g
            w += v
    return weights


def check_momentum_update(update_weights_with_momentum, learning_rate=0.1, momentum=0.9) -> Verdict:
    """Exercise 8.3: ``update_weights_with_momentum(gradients, weights, velocities, learning_rate,
    momentum)`` must give the same weights as ``keras.optimizers.SGD(learning_rate, momentum)``."""
    if not_answered(update_weights_with_momentum):
        return NO_ANSWER
    from helpers.notebook import import_keras

    keras = import_keras()
    rng = np.random.default_rng(8)
    start = [rng.normal(0, 1, (3, 2)).astype(np.float32), rng.normal(0, 1, 2).astype(np.float32)]
    grads_per_step = [[rng.normal(0, 1, w.shape).astype(np.float32) for w in start] for _ in range(3)]
    weights = [keras.Variable(w.copy()) for w in start]
    velocities = [keras.Variable(np.zeros_like(w)) for w in start]
    try:
        for grads in grads_per_step:
            update_weights_with_momentum([keras.ops.convert_to_tensor(g) for g in grads], weights,
                                         velocities, learning_rate, momentum)
    except Exception as exc:  # show the reader what went wrong, do not crash the notebook
        return verdict(False, "", f"Your function raised {type(exc).__name__}: {exc}")
    ours = [w.numpy() for w in weights]
    keras_weights = [keras.Variable(w.copy()) for w in start]
    optimizer = keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum)
    for grads in grads_per_step:
        optimizer.apply([keras.ops.convert_to_tensor(g) for g in grads], keras_weights)
    expected = [w.numpy() for w in keras_weights]

    def close(a, b):
        return all(np.allclose(x, y, rtol=1e-5, atol=1e-6) for x, y in zip(a, b))

    if close(ours, expected):
        return verdict(True, "Three steps give exactly the weights of "
                             f"keras.optimizers.SGD(learning_rate={learning_rate}, momentum={momentum}).", "")
    velocities_zero = all(np.allclose(v.numpy(), 0) for v in velocities)
    if close(ours, start):
        if velocities_zero:
            return Verdict(False, "No answer yet: your function changed no weight and no velocity; "
                                  "fill in its body and run the cell again.")
        return verdict(False, "", "The weights did not change: update them with w.assign(...).")
    if close(ours, _reference_momentum(start, grads_per_step, learning_rate, 0.0)):
        return verdict(False, "", "That is plain SGD: the velocities are never used (or never "
                                  "stored with v.assign(...)), so there is no momentum.")
    if velocities_zero:
        return verdict(False, "", "The velocities are still zero: store each new velocity with "
                                  "v.assign(...) so that the next step remembers it.")
    nesterov = keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum, nesterov=True)
    nesterov_weights = [keras.Variable(w.copy()) for w in start]
    for grads in grads_per_step:
        nesterov.apply([keras.ops.convert_to_tensor(g) for g in grads], nesterov_weights)
    if close(ours, [w.numpy() for w in nesterov_weights]):
        return verdict(False, "", "That is the Nesterov variant (it adds momentum * velocity - "
                                  "learning_rate * gradient to the weights). Use plain momentum: "
                                  "v <- momentum * v - learning_rate * g, then w <- w + v.")
    return verdict(False, "", "The weights differ from Keras' SGD with momentum. For each weight: "
                              "v <- momentum * v - learning_rate * g, then w <- w + v.")


def check_tanh_backward(tanh_backward) -> Verdict:
    """Exercise 8.4: ``tanh_backward(y, grad_y)``, with ``y = tanh(x)``, must return dloss/dx."""
    if not_answered(tanh_backward):
        return NO_ANSWER
    rng = np.random.default_rng(4)
    x = rng.normal(0, 1.5, (5, 4))
    y, grad_y = np.tanh(x), rng.normal(0, 1, (5, 4))
    y_before, grad_before = y.copy(), grad_y.copy()
    try:
        result = tanh_backward(y, grad_y)
    except Exception as exc:  # show the reader what went wrong, do not crash the notebook
        return verdict(False, "", f"Your function raised {type(exc).__name__}: {exc}")
    if result is None:
        return Verdict(False, "No answer yet: your function returns None; "
                              "fill in its body and run the cell again.")
    result = np.asarray(result, dtype=float)
    if not (np.array_equal(y, y_before) and np.array_equal(grad_y, grad_before)):
        return verdict(False, "", "Your function changed its inputs; compute a new array instead.")
    if result.shape != x.shape:
        return verdict(False, "", f"The gradient must have the input's shape {x.shape}, "
                                  f"got {result.shape}.")
    eps = 1e-6  # finite differences of sum(tanh(x) * grad_y), the loss seen from this layer
    numeric = (np.tanh(x + eps) - np.tanh(x - eps)) / (2 * eps) * grad_y
    if np.allclose(result, numeric, atol=1e-6):
        return verdict(True, "dloss/dx = grad_y * (1 - y**2), checked against finite differences.", "")
    if np.allclose(result, 1 - y**2):
        return verdict(False, "", "That is the local derivative 1 - y**2; the chain rule also "
                                  "multiplies it by the incoming gradient grad_y.")
    if np.allclose(result, grad_y * (1 - np.tanh(y) ** 2)):
        return verdict(False, "", "y is already tanh(x): use 1 - y**2, not 1 - tanh(y)**2.")
    return verdict(False, "", "Use the derivative of tanh written with its output: "
                              "d tanh(x)/dx = 1 - tanh(x)**2 = 1 - y**2, times grad_y.")
