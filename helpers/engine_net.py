"""Training networks with the chapter 7 autodiff engine (chapters 7 and 8).

`helpers.autodiff` computes gradients of any expression built from
tensors. This module adds the little that training needs on top: a
multilayer perceptron whose weights are tensors (`MLP`), gradient descent
with momentum that updates them in place (`SGD`), and a training loop
(`train_step`, `fit`) that is nothing but forward pass, loss, ``backward()``
and update, over shuffled mini-batches. No TensorFlow anywhere.

The network starts from the same weights as `helpers.numpy_net.Network`
with the same seed (Glorot-uniform weights drawn in the same order, zero
biases), and `fit` shuffles like `helpers.numpy_net.fit`, so the two train
on identical batches from identical weights.
"""

from __future__ import annotations

import math
import numbers
import time

import numpy as np

from helpers.autodiff import Tensor, softmax_cross_entropy


class NonFiniteLossError(ValueError, FloatingPointError):
    """The loss became NaN or infinite: training stopped."""


def _check_int(name, value, minimum=1):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _check_number(name, value, low, high, low_ok=False):
    """A real number in (low, high), or in [low, high) when low_ok."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number, got "
                        f"{type(value).__name__} ({value!r})")
    above = value >= low if low_ok else value > low
    if not (above and value < high):  # also False for NaN
        where = f"[{low}, {high})" if low_ok else f"greater than {low}"
        raise ValueError(f"{name} must be {where}, got {value}")
    return float(value)


class MLP:
    """Dense layers with ReLU between them and logits out, e.g.
    ``MLP((784, 512, 10))``. Weights: Glorot uniform; biases: zero."""

    def __init__(self, layer_sizes=(784, 512, 10), seed=0,
                 dtype=np.float32):
        sizes = [_check_int("a layer size", s) for s in layer_sizes]
        if len(sizes) < 2:
            raise ValueError("layer_sizes needs an input and an output "
                             f"size, got {list(layer_sizes)}")
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise TypeError("dtype must be float32 or float64, got "
                            f"{self.dtype}")
        self.layer_sizes = tuple(sizes)
        rng = np.random.default_rng(seed)
        self.layers = []  # [(W, b), ...]
        for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]), start=1):
            limit = math.sqrt(6 / (n_in + n_out))  # Glorot uniform
            W = rng.uniform(-limit, limit, (n_in, n_out)).astype(self.dtype)
            b = np.zeros(n_out, self.dtype)
            self.layers.append((Tensor(W, requires_grad=True, name=f"W{i}"),
                                Tensor(b, requires_grad=True, name=f"b{i}")))

    def __call__(self, x) -> Tensor:
        """Logits for a batch ``x`` of shape (n, layer_sizes[0])."""
        h = Tensor(_check_images(x, self.layer_sizes[0], self.dtype))
        for i, (W, b) in enumerate(self.layers):
            h = h @ W + b
            if i < len(self.layers) - 1:  # no ReLU on the logits
                h = h.relu()
        return h

    def parameters(self) -> list:
        """``[W1, b1, W2, b2, ...]``: the tensors that training changes."""
        return [p for layer in self.layers for p in layer]

    def predict(self, x, batch_size=1000) -> np.ndarray:
        """The most probable class of each row of ``x`` (int class ids)."""
        batch_size = _check_int("batch_size", batch_size)
        x = _check_images(x, self.layer_sizes[0], self.dtype)
        return np.concatenate(
            [self(x[i:i + batch_size]).data.argmax(axis=1)
             for i in range(0, len(x), batch_size)] or [np.zeros(0, int)])

    def __repr__(self) -> str:
        return f"MLP({self.layer_sizes}, dtype={self.dtype.name})"


def _check_images(images, input_size, dtype):
    """``images`` as an array of ``dtype``, shape (n, input_size)."""
    array = np.asarray(images)
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(
            f"images must be floating-point numbers, got dtype {array.dtype}"
            "; convert them first, e.g. images.astype('float32') / 255")
    if array.ndim != 2 or array.shape[1] != input_size:
        raise ValueError(
            f"the network expects images of shape (n, {input_size}), got "
            f"{array.shape}; flatten each image first, e.g. "
            "images.reshape(len(images), -1)")
    return array.astype(dtype, copy=False)


def _check_labels(labels, n, num_classes):
    """``labels`` as n integer class ids in [0, num_classes)."""
    array = np.asarray(labels)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"labels must be integer class ids, got dtype "
                        f"{array.dtype}")
    if array.shape != (n,):
        raise ValueError(f"there are {n} images, so labels must have shape "
                         f"({n},), got {array.shape}")
    if n and (array.min() < 0 or array.max() >= num_classes):
        raise ValueError(
            f"labels must be class ids in 0..{num_classes - 1} (the network "
            f"has {num_classes} outputs), got values from {array.min()} "
            f"to {array.max()}")
    return array


class SGD:
    """Gradient descent with momentum (chapter 6) on a list of tensors.

    Each parameter ``w`` has a velocity ``v``, zero at first; every step
    does ``v <- momentum * v - learning_rate * w.grad`` and then
    ``w <- w + v`` (with ``nesterov=True``: ``w <- w + momentum * v -
    learning_rate * w.grad``), the same update as ``keras.optimizers.SGD``.
    With ``decay_steps=T`` the learning rate shrinks linearly from
    ``learning_rate`` at the first step to ``learning_rate / T`` at step T.
    """

    def __init__(self, parameters, learning_rate=0.1, momentum=0.0,
                 nesterov=False, decay_steps=None):
        self.parameters = list(parameters)
        if not self.parameters:
            raise ValueError("SGD needs a non-empty list of parameters")
        for i, p in enumerate(self.parameters):
            if not isinstance(p, Tensor):
                raise TypeError(f"parameter {i} is a {type(p).__name__}, "
                                "not a Tensor")
            if not p.requires_grad:
                raise ValueError(
                    f"parameter {i} ({p!r}) does not require a gradient, "
                    "so backward() never gives it one; create it with "
                    "Tensor(..., requires_grad=True)")
        self.learning_rate = _check_number("learning_rate", learning_rate,
                                           0, math.inf)
        self.momentum = _check_number("momentum", momentum, 0, 1, True)
        if not isinstance(nesterov, bool):
            raise TypeError(f"nesterov must be True or False, got "
                            f"{nesterov!r}")
        self.nesterov = nesterov
        self.decay_steps = (None if decay_steps is None
                            else _check_int("decay_steps", decay_steps))
        self.steps = 0  # updates done so far
        self.velocities = [np.zeros_like(p.data) for p in self.parameters]
        # reused for ``rate * grad``: no new large array at every step
        self._scratch = [np.empty_like(p.data) for p in self.parameters]

    def current_learning_rate(self) -> float:
        """The learning rate of the next step."""
        if self.decay_steps is None:
            return self.learning_rate
        return self.learning_rate * max(0.0, 1 - self.steps / self.decay_steps)

    def step(self) -> None:
        """Update every parameter in place from its ``.grad``."""
        rate = self.current_learning_rate()
        for i, (p, v, s) in enumerate(zip(self.parameters, self.velocities,
                                          self._scratch)):
            if p.grad is None:
                raise ValueError(f"parameter {i} ({p!r}) has no gradient:"
                                 " call loss.backward() before step()")
            np.multiply(p.grad, rate, out=s)  # s = rate g
            v *= self.momentum
            v -= s  # v <- momentum v - rate g
            if self.nesterov:  # w <- w + momentum v - rate g
                p.data -= s
                np.multiply(v, self.momentum, out=s)
                p.data += s
            else:
                p.data += v  # w <- w + v
        self.steps += 1


def train_step(model, optimizer, images, labels) -> float:
    """One update: forward pass, loss, backward pass, step. The loss."""
    with np.errstate(over="ignore", invalid="ignore"):  # checked below
        loss = softmax_cross_entropy(model(images), labels)
        if not np.isfinite(loss.data):
            raise NonFiniteLossError(
                f"the loss became {float(loss.data)} at step "
                f"{optimizer.steps + 1}: training diverged; try a smaller "
                "learning rate")
        loss.backward()
    optimizer.step()
    return float(loss.data)


def fit(model, images, labels, epochs=5, batch_size=128, optimizer=None,
        seed=0, verbose=False) -> dict:
    """Train on shuffled mini-batches; returns {"loss": [mean per epoch]}.

    Without an ``optimizer``: SGD with momentum 0.9 and a learning rate of
    0.2 that decays linearly over the whole run (chapter 8's recipe).
    """
    images = _check_images(images, model.layer_sizes[0], model.dtype)
    labels = _check_labels(labels, len(images), model.layer_sizes[-1])
    epochs = _check_int("epochs", epochs)
    batch_size = _check_int("batch_size", batch_size)
    if optimizer is None:
        steps = epochs * math.ceil(len(images) / batch_size)
        optimizer = SGD(model.parameters(), learning_rate=0.2,
                        momentum=0.9, decay_steps=steps)
    rng = np.random.default_rng(seed)
    history = {"loss": []}
    for epoch in range(epochs):
        start, losses = time.perf_counter(), []
        order = rng.permutation(len(images))  # a new shuffle every epoch
        for first in range(0, len(images), batch_size):
            rows = order[first:first + batch_size]
            losses.append(train_step(model, optimizer, images[rows],
                                     labels[rows]))
        history["loss"].append(float(np.mean(losses)))
        if verbose:
            print(f"epoch {epoch + 1}: loss {history['loss'][-1]:.4f} "
                  f"({time.perf_counter() - start:.1f} s)")
    return history


def evaluate(model, images, labels) -> float:
    """Accuracy: the fraction of images whose predicted class is the label."""
    images = _check_images(images, model.layer_sizes[0], model.dtype)
    labels = _check_labels(labels, len(images), model.layer_sizes[-1])
    if len(images) == 0:
        raise ValueError("cannot evaluate on zero images")
    return float(np.mean(model.predict(images) == labels))
