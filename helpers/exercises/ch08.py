"""Exercise checkers for chapter 8, "Training a network from scratch"."""

from __future__ import annotations

import math
import textwrap

import numpy as np

from helpers.exercises import NO_ANSWER, Verdict, not_answered, run_reader_function, verdict


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


# The backward pass of exercise 8.2, tensor by tensor: which gradient each
# one is computed from, and the rule that turns that one into this one.
_BACKWARD_ORDER = ("Z", "W2", "b2", "H", "A", "W1", "b1")
_UPSTREAM = {"W2": "Z", "b2": "Z", "H": "Z", "A": "H", "W1": "A", "b1": "A"}


def _engine_gradients(X, labels, W1, b1, W2, b2):
    """d(mean loss)/d(every tensor) of the two-layer network, by helpers.autodiff."""
    from helpers import autodiff

    params = {name: autodiff.Tensor(value, requires_grad=True, name=name)
              for name, value in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2))}
    A = autodiff.Tensor(X) @ params["W1"] + params["b1"]
    H = A.relu()
    Z = H @ params["W2"] + params["b2"]
    autodiff.softmax_cross_entropy(Z, labels).backward()
    tensors = dict(params, A=A, H=H, Z=Z)
    return {name: tensors[name].grad for name in _BACKWARD_ORDER}


def _rule_from(name, upstream, cache):
    """The correct local rule applied to the reader's own upstream gradient."""
    X, A, H, W2 = cache["X"], cache["A"], cache["H"], cache["W2"]
    rules = {"W2": lambda g: H.T @ g, "b2": lambda g: g.sum(axis=0),
             "H": lambda g: g @ W2.T, "A": lambda g: g * (A > 0),
             "W1": lambda g: X.T @ g, "b1": lambda g: g.sum(axis=0)}
    try:
        return rules[name](np.asarray(upstream, dtype=float))
    except (ValueError, TypeError):
        return None


def _as_array(value):
    try:
        return None if not_answered(value) else np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def _same(a, b):
    return a is not None and a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-9)


def _judge_one(name, ours, expected, answers, ok, cache, n):
    """One line of the verdict: is d(loss)/d(name) right, and if not, a hint."""
    target = f"dL/d{name}"
    if not_answered(ours):
        return f"{target:7s} not filled in yet"
    try:
        ours = np.asarray(ours, dtype=float)
    except (TypeError, ValueError):
        return f"{target:7s} not an array of numbers (got {type(ours).__name__})"
    shape = expected.shape
    if ours.shape != shape:
        if name in ("b1", "b2") and ours.shape == (n,) + shape:
            hint = ("one row per image: the bias was broadcast over the batch, so its "
                    "gradient adds up the rows (sum over axis 0)")
        elif ours.shape == shape[::-1] and len(shape) == 2:
            hint = "that is the transposed shape: check the order of the factors"
        else:
            hint = "every gradient has the shape of its tensor"
        return f"{target:7s} not yet: shape {ours.shape}, expected {shape}; {hint}"
    if _same(ours, expected):
        return f"{target:7s} right: agrees with chapter 7's engine"
    up = _UPSTREAM.get(name)
    if up and not ok[up] and _same(ours, _rule_from(name, answers.get(up), cache)):
        return (f"{target:7s} the right rule, applied to your dL/d{up}, which is "
                f"not right yet: fix dL/d{up} first")
    if np.allclose(ours, expected * n, rtol=1e-6, atol=1e-9):
        hint = (f"{n} times too large (n = {n}): the loss is the MEAN over the batch, so "
                "divide by n once, in dL/dZ")
    elif np.allclose(ours, expected / n, rtol=1e-6, atol=1e-9):
        hint = (f"{n} times too small: divide by n only once, in dL/dZ"
                + ("; a bias gradient is a sum over the batch, not a mean"
                   if name in ("b1", "b2") else ""))
    elif np.allclose(ours, -expected, rtol=1e-6, atol=1e-9):
        hint = "the sign is flipped"
    elif name == "A" and _same(ours, _as_array(answers.get("H"))):
        hint = "the relu's mask is missing: the gradient passes only where A is positive"
    else:
        difference = np.abs(ours - expected).max()
        hint = f"differs from the engine's by up to {difference:.3g}"
    return f"{target:7s} not yet: {hint}"


def check_backward_pass(backward_pass, n=8, sizes=(7, 5, 4)) -> Verdict:
    """Exercise 8.2: ``backward_pass(X, Y, A, H, P, W2)`` returns the gradients of
    the mean loss with respect to Z, W2, b2, H, A, W1 and b1 (a dict), checked
    one by one against chapter 7's autodiff engine.

    The network: ``A = X @ W1 + b1``, ``H = relu(A)``, ``Z = H @ W2 + b2``,
    ``P = softmax(Z)``, loss = mean cross-entropy; ``Y`` is one-hot.
    """
    if not_answered(backward_pass):
        return NO_ANSWER
    rng = np.random.default_rng(82)
    d, h, k = sizes
    X = rng.normal(0, 1, (n, d))
    labels = rng.integers(0, k, n)
    W1, b1 = rng.normal(0, 0.5, (d, h)), rng.normal(0, 0.5, h)
    W2, b2 = rng.normal(0, 0.5, (h, k)), rng.normal(0, 0.5, k)
    A = X @ W1 + b1
    H = np.maximum(A, 0)
    Z = H @ W2 + b2
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    Y = np.eye(k)[labels]
    cache = {"X": X, "A": A, "H": H, "W2": W2}
    inputs = [X.copy(), Y.copy(), A.copy(), H.copy(), P.copy(), W2.copy()]
    answers, problem = run_reader_function(
        backward_pass, *inputs,
        changed="Your function changed one of its input arrays; compute new arrays instead.")
    if problem is not None:
        return problem
    if not isinstance(answers, dict):
        return verdict(False, "", "Return a dict of gradients, {\"Z\": dZ, \"W2\": dW2, ...}, "
                                  f"not a {type(answers).__name__}.")
    if all(not_answered(answers.get(name)) for name in _BACKWARD_ORDER):
        return Verdict(False, "No answer yet: replace the ... placeholders with your "
                              "gradients and run the cell again.")
    expected = _engine_gradients(X, labels, W1, b1, W2, b2)
    ok, lines = {}, []
    for name in _BACKWARD_ORDER:
        ours = answers.get(name)
        ok[name] = _same(_as_array(ours), expected[name])
        lines.append(_judge_one(name, ours, expected[name], answers, ok, cache, n))
    done = sum(ok.values())
    summary = (f"All {len(ok)} gradients agree with chapter 7's engine"
               if done == len(ok) else
               f"{done} of {len(ok)} gradients agree with chapter 7's engine")
    summary += f"\n(on a batch of {n}, layer sizes {d} -> {h} -> {k}):"
    head = ("Correct! " if done == len(ok) else "Not yet. ") + summary
    text = [head]
    text += [textwrap.fill(line, 79, subsequent_indent=" " * 8) for line in lines]
    return Verdict(done == len(ok), "\n".join(text))


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
