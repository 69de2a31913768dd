"""The classic reimplementation of a Keras model with Keras/TensorFlow primitives
(chapter 8, "Training a network from scratch", sections 2.5.1-2.5.4).

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
import tensorflow as tf  # noqa: E402  (after import_keras, which silences its log)

ops = keras.ops


class NaiveDense:
    """A Dense layer: ``activation(inputs @ W + b)`` (section 2.5.1).

    ``W`` starts uniform-random in [0, 0.1) as in the classic listing (or from
    any Keras initializer, e.g. ``"glorot_uniform"``), ``b`` starts at zero.
    """

    def __init__(self, input_size, output_size, activation, initializer=None):
        self.input_size = _check_int("input_size", input_size)
        self.output_size = _check_int("output_size", output_size)
        if not callable(activation):
            raise TypeError(f"activation must be callable, got {type(activation).__name__}")
        self.activation = activation
        shape = (self.input_size, self.output_size)
        if initializer is None:
            initial_w = keras.random.uniform(shape, minval=0.0, maxval=0.1)
        else:
            initial_w = keras.initializers.get(initializer)(shape)
        self.W = keras.Variable(initial_w, name="W")
        self.b = keras.Variable(ops.zeros((self.output_size,)), name="b")

    def __call__(self, inputs):
        return self.activation(ops.matmul(inputs, self.W) + self.b)

    @property
    def weights(self):
        return [self.W, self.b]


class NaiveSequential:
    """Layers applied one after the other (section 2.5.1)."""

    def __init__(self, layers):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("a NaiveSequential model needs at least one layer")
        for before, after in zip(self.layers, self.layers[1:]):
            if before.output_size != after.input_size:
                raise ValueError(f"layer sizes do not chain: a layer with {before.output_size} "
                                 f"outputs is followed by one expecting {after.input_size} inputs")

    def __call__(self, inputs):
        if len(inputs.shape) != 2 or inputs.shape[1] != self.input_size:
            raise ValueError(f"the model expects inputs of shape (batch, {self.input_size}), "
                             f"got {tuple(inputs.shape)}")
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


def classic_model(hidden_size=512, initializer=None):
    """The chapter 1 network built from NaiveDense layers: 784 -> hidden relu -> 10 softmax."""
    return NaiveSequential([
        NaiveDense(28 * 28, hidden_size, activation=ops.relu, initializer=initializer),
        NaiveDense(hidden_size, 10, activation=ops.softmax, initializer=initializer),
    ])


class BatchGenerator:
    """Cut ``images`` and ``labels`` into batches: ceil(N / batch_size) of them (section 2.5.1).

    The last batch holds what is left over, so no sample is dropped. The
    generator remembers its position: ``reset()`` starts a new epoch (with a
    new order when ``shuffle=True``), and asking for a batch past the end
    raises an error instead of silently returning empty arrays.
    """

    def __init__(self, images, labels, batch_size=128, shuffle=False, seed=0):
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
        self._order = self._rng.permutation(len(self.images)) if self.shuffle else None

    def next(self):
        """Return the next ``(images, labels)`` batch of this epoch."""
        if self.index >= self.num_batches:
            raise IndexError(f"all {self.num_batches} batches of this epoch have been used; "
                             "call reset() to start the next epoch")
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
        """One epoch: ``for images, labels in batches`` resets first, then yields every batch."""
        self.reset()
        for _ in range(self.num_batches):
            yield self.next()


def update_weights(gradients, weights, learning_rate=1e-3):
    """Plain gradient descent by hand: ``w <- w - learning_rate * g`` (section 2.5.2)."""
    for g, w in zip(gradients, weights, strict=True):
        w.assign(w - g * learning_rate)


def one_training_step(model, images_batch, labels_batch, learning_rate=1e-3, optimizer=None):
    """Forward pass, loss, gradients, update; returns the batch's MEAN loss (section 2.5.2).

    Without an ``optimizer`` the update is `update_weights` (plain SGD at
    ``learning_rate``); with one (e.g. ``keras.optimizers.SGD``) the
    optimizer applies the gradients.
    """
    with tf.GradientTape() as tape:
        predictions = model(images_batch)
        per_sample_losses = keras.losses.sparse_categorical_crossentropy(labels_batch, predictions)
        average_loss = ops.mean(per_sample_losses)
    gradients = tape.gradient(average_loss, model.weights)
    if optimizer is None:
        update_weights(gradients, model.weights, learning_rate)
    else:
        optimizer.apply(gradients, model.weights)
    return average_loss


def fit(model, images, labels, epochs, batch_size=128, learning_rate=1e-3, optimizer=None,
        shuffle=False, print_every=100, seed=0, compiled=True):
    """The training loop: epochs x batches of `one_training_step` (section 2.5.3).

    Prints the loss every ``print_every`` batches (0 prints nothing) and
    returns the list of every batch's mean loss. Stops with an error if the
    loss stops being a finite number. With ``compiled=True`` the step runs
    as a TensorFlow graph (`tf.function`): the same computation, several
    times faster than op by op.
    """
    check_images_and_labels(images, labels, model.input_size, model.num_classes)
    epochs = _check_int("epochs", epochs)
    batches = BatchGenerator(images, labels, batch_size, shuffle=shuffle, seed=seed)
    if optimizer is not None:
        optimizer.build(model.weights)  # create its variables now, outside any graph

    def checked_step(images_batch, labels_batch):  # the step, plus: are the weights still finite?
        loss = one_training_step(model, images_batch, labels_batch, learning_rate, optimizer)
        return loss, ops.all(ops.stack([ops.all(ops.isfinite(w)) for w in model.weights]))

    step = tf.function(checked_step) if compiled else checked_step
    losses = []
    for epoch in range(epochs):
        for batch_index, (images_batch, labels_batch) in enumerate(batches):  # resets each epoch
            loss, weights_finite = step(images_batch, labels_batch)
            loss = float(loss)
            if not (math.isfinite(loss) and bool(weights_finite)):
                what = (f"the loss became {loss}" if not math.isfinite(loss)
                        else "weights became NaN or inf")
                raise FloatingPointError(f"{what} at epoch {epoch + 1}, batch {batch_index}: "
                                         "training diverged; try a smaller learning rate")
            losses.append(loss)
            if print_every and batch_index % print_every == 0:
                print(f"epoch {epoch + 1}, batch {batch_index:3d}: loss {loss:.2f}")
    return losses


def predict_classes(model, images, batch_size=1000):
    """The most probable class of each image: argmax over the model's outputs (section 2.5.4)."""
    check_images_and_labels(images, np.zeros(len(images), dtype=int), model.input_size)
    batch_size = _check_int("batch_size", batch_size)
    chunks = [ops.argmax(model(images[i:i + batch_size]), axis=1)
              for i in range(0, len(images), batch_size)]
    return ops.convert_to_numpy(ops.concatenate(chunks))


def evaluate(model, images, labels, batch_size=1000):
    """Accuracy: the fraction of images whose predicted class is the label (section 2.5.4).

    The comparison gives booleans; they are cast to float before the mean.
    """
    check_images_and_labels(images, labels, model.input_size, model.num_classes)
    predicted = predict_classes(model, images, batch_size)
    matches = ops.equal(predicted, ops.convert_to_tensor(labels, dtype=predicted.dtype))
    return float(ops.mean(ops.cast(matches, "float32")))
