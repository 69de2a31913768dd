"""The classic reimplementation of a Keras model with Keras/TensorFlow
primitives (chapter 8, "Training a network from scratch").

Keras still stores the weights (`keras.Variable`) and TensorFlow still does
the calculus (`tf.GradientTape`), but the layer, the model, the batching, the
training step, the training loop and the evaluation are written out here, a
few lines each. The chapter shows these functions with ``show_source``.

Import it only where Keras is wanted: it imports Keras and TensorFlow.
"""

from __future__ import annotations

import math

import numpy as np

from helpers.notebook import import_keras
from helpers.numpy_net import _check_int, check_images_and_labels

keras = import_keras()
import tensorflow as tf  # noqa: E402  (after import_keras: no log)

ops = keras.ops


# A seeded Keras initializer for each name NaiveDense accepts. "uniform" is
# what the classic listing asks Keras for: RandomUniform(-0.05, 0.05).
INITIALIZERS = {
    "uniform": lambda seed: keras.initializers.RandomUniform(
        minval=-0.05, maxval=0.05, seed=seed),
    "glorot_uniform": lambda seed: keras.initializers.GlorotUniform(
        seed=seed),
}


class NaiveDense:
    """A Dense layer: ``activation(inputs @ W + b)`` (chapter 8).

    ``W`` starts random: ``initializer="uniform"`` is the classic listing's
    choice, Keras' ``RandomUniform(-0.05, 0.05)``; ``"glorot_uniform"`` is
    the default of Keras' ``Dense``. An int ``seed`` makes the draw the same
    on every run, whatever else used Keras' global random state before.
    ``b`` starts at zero.
    """

    def __init__(self, input_size, output_size, activation,
                 initializer="uniform", seed=None):
        self.input_size = _check_int("input_size", input_size)
        self.output_size = _check_int("output_size", output_size)
        if not callable(activation):
            raise TypeError("activation must be callable, got "
                            f"{type(activation).__name__}")
        if initializer not in INITIALIZERS:
            raise ValueError(f"initializer must be one of "
                             f"{sorted(INITIALIZERS)}, got {initializer!r}")
        if seed is not None:
            seed = _check_int("seed", seed, minimum=0)
        self.activation = activation
        draw = INITIALIZERS[initializer](seed)
        self.W = keras.Variable(draw((self.input_size, self.output_size)),
                                name="W")
        self.b = keras.Variable(ops.zeros((self.output_size,)), name="b")

    def __call__(self, inputs):
        return self.activation(ops.matmul(inputs, self.W) + self.b)

    @property
    def weights(self):
        return [self.W, self.b]


class NaiveSequential:
    """Layers applied one after the other (chapter 8)."""

    def __init__(self, layers):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("a NaiveSequential needs at least one layer")
        for before, after in zip(self.layers, self.layers[1:]):
            if before.output_size != after.input_size:
                raise ValueError(
                    f"layer sizes do not chain: a layer with "
                    f"{before.output_size} outputs is followed by one "
                    f"expecting {after.input_size} inputs")

    def __call__(self, inputs):
        if len(inputs.shape) != 2 or inputs.shape[1] != self.input_size:
            raise ValueError(f"the model expects inputs of shape (batch, "
                             f"{self.input_size}), got {tuple(inputs.shape)}")
        x = inputs
        for layer in self.layers:
            x = layer(x)
        return x

    @property
    def input_size(self):
        return self.layers[0].input_size

    @property
    def num_classes(self):
        return self.layers[-1].output_size

    @property
    def weights(self):
        return [w for layer in self.layers for w in layer.weights]


def classic_model(hidden_size=512, initializer="uniform", seed=0):
    """Chapter 1's network of NaiveDense layers: 784 -> relu -> 10 softmax.

    The two layers draw their weights with the seeds ``seed`` and
    ``seed + 1``.
    """
    return NaiveSequential([
        NaiveDense(28 * 28, hidden_size, activation=ops.relu,
                   initializer=initializer, seed=seed),
        NaiveDense(hidden_size, 10, activation=ops.softmax,
                   initializer=initializer, seed=seed + 1),
    ])


class BatchGenerator:
    """Cut ``images`` and ``labels`` into ceil(N / batch_size) batches.

    The last batch holds what is left over, so no sample is dropped. One
    generator serves the whole run: iterating over it starts a new epoch
    (``reset()``, with a new order when ``shuffle=True``), and asking for a
    batch past the end raises an error instead of returning empty arrays.
    """

    def __init__(self, images, labels, batch_size=128, shuffle=False,
                 seed=0):
        check_images_and_labels(images, labels)
        self.batch_size = _check_int("batch_size", batch_size)
        self.images, self.labels = images, labels
        self.shuffle = bool(shuffle)
        self._rng = np.random.default_rng(seed)
        self.num_batches = math.ceil(len(images) / self.batch_size)
        self.reset()

    def reset(self):
        """Go back to the first batch (call it at the start of every epoch)."""
        self.index = 0
        self._order = (self._rng.permutation(len(self.images))
                       if self.shuffle else None)

    def next(self):
        """Return the next ``(images, labels)`` batch of this epoch."""
        if self.index >= self.num_batches:
            raise IndexError(f"all {self.num_batches} batches of this "
                             "epoch have been used; call reset() to start "
                             "the next epoch")
        start = self.index * self.batch_size
        stop = start + self.batch_size
        self.index += 1
        if self._order is None:
            return self.images[start:stop], self.labels[start:stop]
        rows = self._order[start:stop]
        return self.images[rows], self.labels[rows]

    def __len__(self):
        return self.num_batches

    def __iter__(self):
        """One epoch: ``for x, y in batches`` resets, then yields all."""
        self.reset()
        for _ in range(self.num_batches):
            yield self.next()


def update_weights(gradients, weights, learning_rate=1e-3):
    """Plain gradient descent by hand: ``w <- w - learning_rate * g``."""
    for g, w in zip(gradients, weights, strict=True):
        w.assign(w - g * learning_rate)


def one_training_step(model, images_batch, labels_batch,
                      learning_rate=1e-3, optimizer=None):
    """Forward pass, loss, gradients, update; returns the MEAN loss.

    Without an ``optimizer`` the update is `update_weights` (plain SGD at
    ``learning_rate``); with one (e.g. ``keras.optimizers.SGD``) the
    optimizer applies the gradients.
    """
    with tf.GradientTape() as tape:
        predictions = model(images_batch)
        per_sample_losses = keras.losses.sparse_categorical_crossentropy(
            labels_batch, predictions)
        average_loss = ops.mean(per_sample_losses)
    gradients = tape.gradient(average_loss, model.weights)
    if optimizer is None:
        update_weights(gradients, model.weights, learning_rate)
    else:
        optimizer.apply(gradients, model.weights)
    return average_loss


def fit(model, images, labels, epochs, batch_size=128, learning_rate=1e-3,
        optimizer=None, shuffle=False, print_every=100, seed=0,
        compiled=True):
    """The training loop: epochs x batches of `one_training_step`.

    Returns every batch's mean loss, printing one every ``print_every``
    batches (0: none). Stops with an error if the loss or a weight stops
    being a finite number. ``compiled=True`` runs the step as a TensorFlow
    graph (`tf.function`): the same arithmetic, less Python overhead.
    """
    check_images_and_labels(images, labels, model.input_size,
                            model.num_classes)
    epochs = _check_int("epochs", epochs)
    batches = BatchGenerator(images, labels, batch_size, shuffle, seed)
    if optimizer is not None:
        optimizer.build(model.weights)  # its variables, outside any graph

    def checked_step(x, y):  # one step; then, are all weights finite?
        loss = one_training_step(model, x, y, learning_rate, optimizer)
        finite = [ops.all(ops.isfinite(w)) for w in model.weights]
        return loss, ops.all(ops.stack(finite))

    step = tf.function(checked_step) if compiled else checked_step
    losses = []
    for epoch in range(1, epochs + 1):
        for index, (x, y) in enumerate(batches):  # a new epoch each time
            loss, weights_finite = step(x, y)
            loss = float(loss)
            if not (math.isfinite(loss) and bool(weights_finite)):
                what = (f"the loss became {loss}" if not math.isfinite(loss)
                        else "weights became NaN or inf")
                raise FloatingPointError(
                    f"{what} at epoch {epoch}, batch {index}: training "
                    "diverged; try a smaller learning rate")
            losses.append(loss)
            if print_every and index % print_every == 0:
                print(f"epoch {epoch}, batch {index:3d}: loss {loss:.2f}")
    return losses


def predict_classes(model, images, batch_size=1000):
    """The most probable class of each image: argmax of the outputs."""
    check_images_and_labels(images, np.zeros(len(images), dtype=int),
                            model.input_size)
    batch_size = _check_int("batch_size", batch_size)
    chunks = [ops.argmax(model(images[i:i + batch_size]), axis=1)
              for i in range(0, len(images), batch_size)]
    return ops.convert_to_numpy(ops.concatenate(chunks))


def evaluate(model, images, labels, batch_size=1000):
    """Accuracy: the fraction of images whose predicted class is the label.

    ``keras.ops.mean`` of booleans already gives a float on every backend;
    the explicit cast says so, and guards against ``tf.reduce_mean``,
    which refuses booleans and truncates integers.
    """
    check_images_and_labels(images, labels, model.input_size,
                            model.num_classes)
    predicted = predict_classes(model, images, batch_size)
    labels = ops.convert_to_tensor(labels, dtype=predicted.dtype)
    matches = ops.equal(predicted, labels)
    return float(ops.mean(ops.cast(matches, "float32")))
