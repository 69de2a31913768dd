"""The chapter 8 network in JAX: a pure loss function, ``jax.grad``,
``jax.jit`` (chapters 7 and 8).

TensorFlow's ``GradientTape`` records the operations as they run and
walks the record backwards. JAX instead *transforms functions*:
``jax.grad(loss_fn)`` is a new Python function that returns the gradient
of ``loss_fn`` with respect to its first argument, and ``jax.jit(f)``
compiles ``f`` into one XLA program. Both need ``loss_fn`` to be pure: its
result depends only on its arguments (no hidden state, no in-place
updates), so the parameters are passed in as a *pytree*, here a list of
``(W, b)`` pairs, and an update returns new parameters.

The weights start as in `helpers.numpy_net` and `helpers.engine_net` with
the same seed (Glorot uniform, zero biases), and `fit` shuffles like them.
Needs ``jax`` (``pip install jax``; Colab has it). The book's small
networks run on the CPU: unless ``JAX_PLATFORMS`` is already set, this
module sets it to ``"cpu"`` before importing JAX (no accelerator search,
no warnings about a missing GPU).
"""

from __future__ import annotations

import math
import os
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402  (after JAX_PLATFORMS)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from helpers.engine_net import (  # noqa: E402  (the same checks)
    _check_images, _check_int, _check_labels, _check_number)


def init_params(layer_sizes=(784, 512, 10), seed=0) -> list:
    """``[(W1, b1), (W2, b2), ...]``: float32 Glorot-uniform weights drawn
    like `helpers.numpy_net` (same seed, same numbers), zero biases."""
    sizes = [_check_int("a layer size", s) for s in layer_sizes]
    if len(sizes) < 2:
        raise ValueError("layer_sizes needs an input and an output size, "
                         f"got {list(layer_sizes)}")
    rng = np.random.default_rng(seed)
    arrays = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        limit = math.sqrt(6 / (n_in + n_out))
        arrays += [rng.uniform(-limit, limit, (n_in, n_out)),
                   np.zeros(n_out)]
    return params_from_arrays(arrays)


def params_from_arrays(arrays) -> list:
    """``[W1, b1, W2, b2, ...]`` (NumPy arrays, e.g. another framework's
    weights) as the pytree ``[(W1, b1), (W2, b2), ...]`` of float32."""
    arrays = [np.asarray(a) for a in arrays]
    if not arrays or len(arrays) % 2:
        raise ValueError("expected [W1, b1, W2, b2, ...]: an even, nonzero "
                         f"number of arrays, got {len(arrays)}")
    params = []
    for i in range(0, len(arrays), 2):
        W, b = arrays[i], arrays[i + 1]
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"layer {i // 2 + 1}: W must be a matrix and b "
                             "a vector with one entry per column of W, got "
                             f"shapes {W.shape} and {b.shape}")
        if params and params[-1][0].shape[1] != W.shape[0]:
            raise ValueError(f"layer {i // 2 + 1}: W has {W.shape[0]} rows "
                             "but the previous layer has "
                             f"{params[-1][0].shape[1]} outputs")
        params.append((jnp.asarray(W, jnp.float32),
                       jnp.asarray(b, jnp.float32)))
    return params


def forward(params, x):
    """The logits: ``relu(x @ W + b)`` layer after layer, none at the end."""
    for W, b in params[:-1]:
        x = jax.nn.relu(x @ W + b)
    W, b = params[-1]
    return x @ W + b


def loss_fn(params, images, labels):
    """Mean softmax cross-entropy: a pure function of its arguments."""
    log_probs = jax.nn.log_softmax(forward(params, images))  # stable
    picked = jnp.take_along_axis(log_probs, labels[:, None], axis=1)
    return -jnp.mean(picked)  # mean of -log p(correct class)


@jax.jit
def _sgd_step(params, velocities, images, labels, rate, momentum):
    """One compiled update: gradients, then SGD with momentum (chapter 6)."""
    loss, grads = jax.value_and_grad(loss_fn)(params, images, labels)
    velocities = jax.tree.map(lambda v, g: momentum * v - rate * g,
                              velocities, grads)
    params = jax.tree.map(lambda p, v: p + v, params, velocities)
    return params, velocities, loss


def _layer_sizes(params):
    return params[0][0].shape[0], params[-1][0].shape[1]


def fit(params, images, labels, epochs=5, batch_size=128, learning_rate=0.2,
        momentum=0.9, seed=0, decay=True, verbose=False):
    """Train with shuffled mini-batches and a jit-compiled step.

    SGD with momentum; with ``decay`` the learning rate falls linearly over
    the run, as in chapter 8. Returns ``(params, {"loss": [...]})``, the
    new parameters and the mean loss of each epoch.
    """
    inputs, classes = _layer_sizes(params)
    images = _check_images(images, inputs, np.float32)
    labels = _check_labels(labels, len(images), classes)
    epochs = _check_int("epochs", epochs)
    batch_size = _check_int("batch_size", batch_size)
    learning_rate = _check_number("learning_rate", learning_rate, 0, math.inf)
    momentum = _check_number("momentum", momentum, 0, 1, low_ok=True)
    total = epochs * math.ceil(len(images) / batch_size)
    velocities = jax.tree.map(jnp.zeros_like, params)
    rng = np.random.default_rng(seed)
    history, step = {"loss": []}, 0
    for epoch in range(epochs):
        start, losses = time.perf_counter(), []
        order = rng.permutation(len(images))
        for first in range(0, len(images), batch_size):
            rows = order[first:first + batch_size]
            rate = learning_rate * (1 - step / total if decay else 1)
            params, velocities, loss = _sgd_step(
                params, velocities, images[rows], labels[rows], rate,
                momentum)
            losses.append(loss)
            step += 1
        history["loss"].append(float(jnp.mean(jnp.stack(losses))))
        if not math.isfinite(history["loss"][-1]):
            raise ValueError(f"the loss became {history['loss'][-1]} in "
                             f"epoch {epoch + 1}: training diverged; try a "
                             "smaller learning rate")
        if verbose:
            print(f"epoch {epoch + 1}: loss {history['loss'][-1]:.4f} "
                  f"({time.perf_counter() - start:.1f} s)")
    return params, history


_forward_jit = jax.jit(forward)


def predict(params, images, batch_size=1000) -> np.ndarray:
    """The most probable class of each image (int class ids)."""
    images = _check_images(images, _layer_sizes(params)[0], np.float32)
    batch_size = _check_int("batch_size", batch_size)
    return np.concatenate(
        [np.asarray(_forward_jit(params, images[i:i + batch_size]))
         .argmax(axis=1) for i in range(0, len(images), batch_size)]
        or [np.zeros(0, int)])


def evaluate(params, images, labels) -> float:
    """Accuracy: the fraction of images whose predicted class is the label."""
    inputs, classes = _layer_sizes(params)
    images = _check_images(images, inputs, np.float32)
    labels = _check_labels(labels, len(images), classes)
    if len(images) == 0:
        raise ValueError("cannot evaluate on zero images")
    return float(np.mean(predict(params, images) == labels))
