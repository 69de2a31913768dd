"""A two-layer network trained with backpropagation written by hand in NumPy
(chapter 8, "Training a network from scratch", section 8.7).

No framework does the calculus here. Each piece has a forward pass and a
backward pass derived with the chain rule (chapter 7):

- `Dense`: ``y = x @ W + b``; given ``g = dloss/dy``:
  ``dloss/dW = x.T @ g``, ``dloss/db = g summed over the batch``, ``dloss/dx = g @ W.T``;
- `ReLU`: ``y = max(x, 0)``; ``dloss/dx = g * (x > 0)``;
- `softmax_cross_entropy`: the mean of ``-log softmax(logits)[label]``, whose
  gradient with respect to the logits is ``(softmax(logits) - one_hot(labels)) / n``;

and an optimizer updates the weights from those gradients: `SGD` (with
momentum, chapter 6) or `Adam` (chapter 1's choice). Everything is float32 and
updated in place, so that the time goes into matrix products.
"""

from __future__ import annotations

import math
import time

import numpy as np


def _check_int(name, value, minimum=1):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_images_and_labels(images, labels, input_size=None, num_classes=None):
    """Raise a clear error unless ``images`` (n, features) and ``labels`` (n,) fit together.

    ``input_size`` and ``num_classes``, when given, must match the model:
    each image must have ``input_size`` values and each label must be an
    integer in ``[0, num_classes)``.
    """
    images_shape = tuple(np.shape(images))
    labels_shape = tuple(np.shape(labels))
    if len(images_shape) != 2:
        raise ValueError(f"images must be a rank-2 array (samples, features), got shape "
                         f"{images_shape}; flatten each image first, e.g. "
                         "images.reshape(len(images), -1)")
    if len(labels_shape) != 1:
        raise ValueError(f"labels must be a rank-1 array of class ids, got shape {labels_shape}")
    if images_shape[0] != labels_shape[0]:
        raise ValueError(f"images and labels have different lengths: {images_shape[0]} images "
                         f"(shape {images_shape}) but {labels_shape[0]} labels "
                         f"(shape {labels_shape})")
    if input_size is not None and images_shape[1] != input_size:
        raise ValueError(f"the model expects {input_size} values per image, but images have shape "
                         f"{images_shape} ({images_shape[1]} per image)")
    if np.issubdtype(np.asarray(images).dtype, np.floating) and not np.isfinite(images).all():
        bad = int(np.flatnonzero(~np.isfinite(images).all(axis=1))[0])
        raise ValueError(f"images must be finite numbers, but image {bad} holds NaN or inf")
    labels_dtype = np.asarray(labels).dtype
    if not np.issubdtype(labels_dtype, np.integer):
        raise TypeError(f"labels must be integer class ids, got dtype {labels_dtype}")
    if num_classes is not None and labels_shape[0]:
        low, high = int(np.min(labels)), int(np.max(labels))
        if low < 0 or high >= num_classes:
            raise ValueError(f"labels must be class ids in [0, {num_classes - 1}] for a model with "
                             f"{num_classes} outputs, got values from {low} to {high}")


class Dense:
    """``x @ W + b`` and its backward pass; Glorot-uniform W, zero b."""

    def __init__(self, input_size, output_size, rng, dtype=np.float32):
        self.input_size = _check_int("input_size", input_size)
        self.output_size = _check_int("output_size", output_size)
        limit = math.sqrt(6 / (self.input_size + self.output_size))
        shape = (self.input_size, self.output_size)
        self.W = rng.uniform(-limit, limit, shape).astype(dtype)
        self.b = np.zeros(self.output_size, dtype=dtype)
        self.dW, self.db = np.zeros_like(self.W), np.zeros_like(self.b)

    def forward(self, x):
        self.x = x                      # kept for the backward pass
        y = x @ self.W
        y += self.b
        return y

    def backward(self, grad_y, need_grad_x=True):
        np.matmul(self.x.T, grad_y, out=self.dW)  # dloss/dW = x.T @ g
        np.sum(grad_y, axis=0, out=self.db)  # dloss/db = g summed over rows
        if need_grad_x:
            return grad_y @ self.W.T  # dloss/dx = g @ W.T
        return None

    @property
    def params(self):
        return [self.W, self.b]

    @property
    def grads(self):
        return [self.dW, self.db]


class ReLU:
    """``max(x, 0)``; backward, the gradient passes where ``x > 0``."""

    def forward(self, x):
        self.y = np.maximum(x, 0)  # kept for the backward pass
        return self.y

    def backward(self, grad_y):
        return grad_y * (self.y > 0)  # dloss/dx = g where x > 0, else 0

    params = grads = ()


def softmax(logits):
    """Probabilities from logits, row by row (shifted by the row maximum for safety)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    return exps / exps.sum(axis=1, keepdims=True)


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of softmax(logits) against integer labels.

    Returns ``(loss, grad)``, where
    ``grad = (softmax(logits) - one_hot(labels)) / n``
    is the derivative of the mean loss with respect to ``logits``.
    """
    logits = np.asarray(logits)
    if logits.ndim != 2 or np.shape(labels) != (logits.shape[0],):
        raise ValueError(f"logits must be (n, classes) and labels (n,), "
                         f"got {logits.shape} and {np.shape(labels)}")
    n = logits.shape[0]
    if n and (np.min(labels) < 0 or np.max(labels) >= logits.shape[1]):
        raise ValueError(f"labels must be class ids in "
                         f"[0, {logits.shape[1] - 1}], got values from "
                         f"{np.min(labels)} to {np.max(labels)}")
    rows = np.arange(n)
    shifted = logits - logits.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    sums = exps.sum(axis=1, keepdims=True)
    log_p = shifted[rows, labels] - np.log(sums[:, 0])  # log p[label]
    loss = float(-np.mean(log_p))
    grad = exps
    grad /= sums                 # softmax probabilities
    grad[rows, labels] -= 1      # minus the one-hot targets
    grad /= n                    # the mean over the batch
    return loss, grad


class Network:
    """Dense -> ReLU -> ... -> Dense, logits out: Network([784, 512, 10])."""

    def __init__(self, layer_sizes=(784, 512, 10), seed=0, dtype=np.float32):
        sizes = [_check_int("layer size", s) for s in layer_sizes]
        if len(sizes) < 2:
            raise ValueError("layer_sizes needs an input and an output size, "
                             f"got {list(layer_sizes)}")
        self.dtype = np.dtype(dtype)
        rng = np.random.default_rng(seed)
        self.layers = []
        for n_in, n_out in zip(sizes, sizes[1:]):
            self.layers += [Dense(n_in, n_out, rng, self.dtype), ReLU()]
        self.layers.pop()  # no ReLU after the last Dense: it outputs logits
        self.input_size, self.num_classes = sizes[0], sizes[-1]

    def forward(self, x):
        """Logits for a batch ``x`` of shape (n, input_size)."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(f"the network expects inputs of shape "
                             f"(batch, {self.input_size}), got {x.shape}")
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def loss_and_gradients(self, x, labels):
        """Forward pass, loss, backward pass; returns ``(loss, grads)``.

        ``grads[i]`` is dloss/d``params[i]`` (arrays reused from step to step).
        """
        logits = self.forward(x)
        loss, grad = softmax_cross_entropy(logits, labels)  # dloss/dlogits
        for layer in reversed(self.layers[1:]):  # the chain rule, backwards
            grad = layer.backward(grad)
        # the first layer: nothing needs dloss/dimages
        self.layers[0].backward(grad, need_grad_x=False)
        return loss, self.grads

    @property
    def params(self):
        return [p for layer in self.layers for p in layer.params]

    @property
    def grads(self):
        return [g for layer in self.layers for g in layer.grads]

    def predict(self, x, batch_size=1000):
        """The most probable class of each row of ``x``."""
        batch_size = _check_int("batch_size", batch_size)
        return np.concatenate([self.forward(x[i:i + batch_size]).argmax(axis=1)
                               for i in range(0, len(x), batch_size)])


class _Optimizer:
    """What both optimizers share: the parameters and a learning rate that can decay.

    With ``decay_steps=T`` the learning rate shrinks linearly, from
    ``learning_rate`` at the first step to ``learning_rate / T`` at step T
    (like Keras' ``PolynomialDecay(learning_rate, T, 0)``), so that the last
    steps are small and the weights settle.
    """

    def __init__(self, params, learning_rate, decay_steps=None):
        self.params = list(params)
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {learning_rate}")
        if decay_steps is not None:
            decay_steps = _check_int("decay_steps", decay_steps)
        self.learning_rate, self.decay_steps = learning_rate, decay_steps
        self.t = 0  # steps taken so far

    def current_learning_rate(self):
        """The learning rate of the next step (constant, or decaying linearly)."""
        if self.decay_steps is None:
            return self.learning_rate
        return self.learning_rate * max(0.0, 1 - self.t / self.decay_steps)

    def _check(self, grads):
        grads = list(grads)
        if len(grads) != len(self.params):
            raise ValueError(f"got {len(grads)} gradients for {len(self.params)} parameters")
        for p, g in zip(self.params, grads):
            if g.shape != p.shape:
                raise ValueError(f"gradient of shape {g.shape} for a parameter of shape {p.shape}")
        return grads


class SGD(_Optimizer):
    """Gradient descent with momentum (chapter 6), written out.

    Every weight has a velocity ``v``, zero at first. Each step:
    ``v <- momentum * v - learning_rate * g``, then ``w <- w + v``: the same
    update as ``keras.optimizers.SGD(learning_rate, momentum)``. With
    ``momentum=0`` it is plain gradient descent. Four passes over the weights
    per step, each writing into an existing array.
    """

    def __init__(self, params, learning_rate=0.01, momentum=0.9,
                 decay_steps=None):
        super().__init__(params, learning_rate, decay_steps)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum = momentum
        self.velocities = [np.zeros_like(p) for p in self.params]
        self._scratch = [np.empty_like(p) for p in self.params]

    def step(self, grads):
        """Update every parameter in place from its gradient."""
        grads = self._check(grads)
        learning_rate = self.current_learning_rate()
        self.t += 1
        for p, g, v, s in zip(self.params, grads, self.velocities,
                              self._scratch):
            v *= self.momentum
            np.multiply(g, learning_rate, out=s)
            v -= s  # v <- momentum v - learning_rate g
            p += v  # w <- w + v


class Adam(_Optimizer):
    """Adam, written out: decaying sums of the gradients and of their squares.

    The same update as ``keras.optimizers.Adam`` (same defaults). For step t:
    ``m <- b1 m + g`` and ``v <- b2 v + g**2`` (so ``(1 - b1) m`` and
    ``(1 - b2) v`` are the running means of the textbook form), then
    ``w <- w - lr * c_t * m / (sqrt(v) + eps / sqrt(1 - b2))``, where the single
    number ``c_t = sqrt(1 - b2**t) / (1 - b1**t) * (1 - b1) / sqrt(1 - b2)``
    gathers the bias corrections and the means' constant factors. Keeping
    those constants out of the per-weight arithmetic saves two passes over
    the weights at every step (ten remain); every pass writes into an
    existing array.
    """

    def __init__(self, params, learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 decay_steps=None):
        super().__init__(params, learning_rate, decay_steps)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self._scratch = [np.empty_like(p) for p in self.params]

    def step(self, grads):
        """Update every parameter in place from its gradient."""
        grads = self._check(grads)
        step_size = self.current_learning_rate()
        self.t += 1
        b1, b2, t = self.beta_1, self.beta_2, self.t
        step_size *= math.sqrt(1 - b2**t) / (1 - b1**t) * (1 - b1) / math.sqrt(1 - b2)
        epsilon = self.epsilon / math.sqrt(1 - b2)
        for p, g, m, v, s in zip(self.params, grads, self.m, self.v, self._scratch):
            m *= b1
            m += g                               # m <- b1 m + g
            v *= b2
            np.multiply(g, g, out=s)
            v += s                               # v <- b2 v + g**2
            np.sqrt(v, out=s)
            s += epsilon
            np.divide(m, s, out=s)
            s *= step_size
            p -= s                               # w <- w - step * m / (sqrt(v) + eps)


def fit(network, optimizer, images, labels, epochs=5, batch_size=128,
        seed=0, print_every=100):
    """Train with shuffled mini-batches; returns every batch's mean loss.

    Prints the loss every ``print_every`` batches (0: silent) and the time
    of each epoch; stops with an error if the loss is no longer finite.
    """
    check_images_and_labels(images, labels, network.input_size,
                            network.num_classes)
    epochs = _check_int("epochs", epochs)
    batch_size = _check_int("batch_size", batch_size)
    rng = np.random.default_rng(seed)
    num_batches = math.ceil(len(images) / batch_size)
    losses = []
    for epoch in range(epochs):
        start = time.perf_counter()
        order = rng.permutation(len(images))
        for batch_index in range(num_batches):
            first = batch_index * batch_size
            rows = order[first:first + batch_size]
            with np.errstate(over="ignore", invalid="ignore"):
                loss, grads = network.loss_and_gradients(images[rows],
                                                         labels[rows])
            if not math.isfinite(loss):
                raise FloatingPointError(
                    f"the loss became {loss} at epoch {epoch + 1}, batch "
                    f"{batch_index}: the weights diverged; try a smaller "
                    "learning rate")
            optimizer.step(grads)
            losses.append(loss)
            if print_every and batch_index % print_every == 0:
                print(f"epoch {epoch + 1}, batch {batch_index:3d}: "
                      f"loss {loss:.3f}")
        if print_every:
            seconds = time.perf_counter() - start
            print(f"epoch {epoch + 1} done in {seconds:.1f} s")
    return losses


def evaluate(network, images, labels, batch_size=1000):
    """Test accuracy: the fraction of images whose predicted class equals the label."""
    check_images_and_labels(images, labels, network.input_size, network.num_classes)
    return float(np.mean(network.predict(images, batch_size) == labels))
