"""helpers.naive_keras: the classic reimplementation (chapter 8, section 2.5) against
NumPy and Keras itself, the known traps, and every bad-input error."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpers
from helpers import naive_keras as nk

keras = helpers.import_keras()
import tensorflow as tf  # noqa: E402

ops = keras.ops
SETTINGS = settings(max_examples=30, deadline=None)


def as_numpy(variable):
    return variable.numpy()


def small_model(seed=0, sizes=(6, 5, 3), initializer="uniform"):
    return nk.NaiveSequential([
        nk.NaiveDense(sizes[0], sizes[1], activation=ops.relu, initializer=initializer,
                      seed=seed),
        nk.NaiveDense(sizes[1], sizes[2], activation=ops.softmax, initializer=initializer,
                      seed=seed + 1),
    ])


def toy_data(n=40, features=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, features), dtype=np.float32), rng.integers(0, classes, n).astype(np.uint8)


@SETTINGS
@given(seed=st.integers(0, 1000), n=st.integers(1, 8), n_in=st.integers(1, 9), n_out=st.integers(1, 9))
def test_naive_dense_computes_relu_of_affine_map(seed, n, n_in, n_out):
    layer = nk.NaiveDense(n_in, n_out, activation=ops.relu, seed=seed)
    W, b = (as_numpy(w) for w in layer.weights)
    assert W.shape == (n_in, n_out) and b.shape == (n_out,)
    assert W.min() >= -0.05 and W.max() < 0.05 and not b.any()  # Keras' "uniform", zeros
    layer.b.assign(np.linspace(-1, 1, n_out).astype(np.float32))
    x = np.random.default_rng(seed).normal(0, 1, (n, n_in)).astype(np.float32)
    before = x.copy()
    expected = np.maximum(x @ W + as_numpy(layer.b), 0)
    np.testing.assert_allclose(ops.convert_to_numpy(layer(x)), expected, rtol=1e-5, atol=1e-6)
    assert np.array_equal(x, before)


def test_classic_initialisation_is_keras_uniform_centred_on_zero():
    """The classic listing asks Keras for "uniform": RandomUniform(-0.05, 0.05)."""
    W = as_numpy(nk.NaiveDense(784, 512, ops.relu, seed=3).W)
    reference = keras.initializers.get("uniform")
    assert isinstance(reference, keras.initializers.RandomUniform)
    assert (reference.minval, reference.maxval) == (-0.05, 0.05)
    assert -0.05 <= W.min() < -0.049 and 0.049 < W.max() < 0.05
    assert abs(W.mean()) < 1e-3 and (W < 0).mean() == pytest.approx(0.5, abs=0.01)


def test_seeded_weights_do_not_depend_on_global_random_state():
    """An int seed fixes the draw; nothing else Keras did before changes it."""
    for initializer in ("uniform", "glorot_uniform"):
        keras.utils.set_random_seed(1)
        first = [as_numpy(w) for w in nk.classic_model(16, initializer, seed=5).weights]
        keras.utils.set_random_seed(2)
        keras.random.uniform((3,))  # move the global generator on
        again = [as_numpy(w) for w in nk.classic_model(16, initializer, seed=5).weights]
        other = [as_numpy(w) for w in nk.classic_model(16, initializer, seed=6).weights]
        for a, b in zip(first, again):
            np.testing.assert_array_equal(a, b)
        assert not np.allclose(first[0], other[0])
        assert not np.allclose(first[0][:10, :10], first[2][:10, :10])  # layers differ


def test_naive_dense_uses_a_keras_initializer_when_asked():
    layer = nk.NaiveDense(784, 512, activation=ops.relu, initializer="glorot_uniform", seed=0)
    W = as_numpy(layer.W)
    limit = math.sqrt(6 / (784 + 512))
    assert W.min() < -0.9 * limit and W.max() > 0.9 * limit and np.abs(W).max() <= limit
    assert isinstance(layer.W, keras.Variable) and isinstance(layer.b, keras.Variable)


def test_naive_sequential_chains_layers_and_lists_weights():
    model = small_model()
    x, _ = toy_data(4)
    manual = x
    for layer in model.layers:
        manual = layer(manual)
    np.testing.assert_allclose(ops.convert_to_numpy(model(x)), ops.convert_to_numpy(manual))
    probabilities = ops.convert_to_numpy(model(x))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    assert [tuple(w.shape) for w in model.weights] == [(6, 5), (5,), (5, 3), (3,)]
    assert model.input_size == 6 and model.num_classes == 3
    classic = nk.classic_model()
    assert sum(math.prod(w.shape) for w in classic.weights) == 407_050


def test_naive_layers_reject_bad_input():
    with pytest.raises(ValueError, match="sizes do not chain: a layer with 5 outputs .* expecting 4"):
        nk.NaiveSequential([nk.NaiveDense(6, 5, ops.relu), nk.NaiveDense(4, 3, ops.softmax)])
    with pytest.raises(ValueError, match="initializer must be one of .* got 'zeros'"):
        nk.NaiveDense(3, 2, ops.relu, initializer="zeros")
    with pytest.raises(TypeError, match="seed must be an int, got float"):
        nk.NaiveDense(3, 2, ops.relu, seed=1.5)
    with pytest.raises(ValueError, match="at least one layer"):
        nk.NaiveSequential([])
    with pytest.raises(ValueError, match=r"inputs of shape \(batch, 6\), got \(2, 7\)"):
        small_model()(np.zeros((2, 7), np.float32))
    with pytest.raises(TypeError, match="activation must be callable"):
        nk.NaiveDense(3, 2, activation="relu")
    with pytest.raises(ValueError, match="output_size must be at least 1"):
        nk.NaiveDense(3, 0, activation=ops.relu)


@SETTINGS
@given(n=st.integers(1, 300), batch_size=st.integers(1, 70), shuffle=st.booleans())
def test_batch_generator_covers_every_sample_once_per_epoch(n, batch_size, shuffle):
    images = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    labels = np.arange(n) % 10
    batches = nk.BatchGenerator(images, labels, batch_size, shuffle=shuffle)
    assert len(batches) == batches.num_batches == math.ceil(n / batch_size)
    for _ in range(2):  # two epochs: iterating again starts over (the generator resets)
        seen = list(batches)
        assert len(seen) == math.ceil(n / batch_size)
        assert all(len(x) == len(y) <= batch_size for x, y in seen)
        rows = np.concatenate([x[:, 0] // 2 for x, _ in seen]).astype(int)
        assert sorted(rows.tolist()) == list(range(n))
        assert np.array_equal(np.concatenate([y for _, y in seen]), rows % 10)
        if not shuffle:
            assert rows.tolist() == list(range(n))


def test_batch_generator_stops_at_the_end_instead_of_running_past_it():
    images, labels = toy_data(10, features=2)
    batches = nk.BatchGenerator(images, labels, batch_size=4)
    sizes = [len(batches.next()[0]) for _ in range(3)]
    assert sizes == [4, 4, 2]  # ceil(10 / 4) = 3 batches, the last one partial
    with pytest.raises(IndexError, match="all 3 batches of this epoch .* call reset"):
        batches.next()
    batches.reset()
    assert np.array_equal(batches.next()[0], images[:4])


def test_batch_generator_shuffles_differently_each_epoch_but_reproducibly():
    images, labels = toy_data(50, features=1)
    first = [y.tolist() for _, y in nk.BatchGenerator(images, labels, 50, shuffle=True, seed=3)]
    again = nk.BatchGenerator(images, labels, 50, shuffle=True, seed=3)
    epoch1, epoch2 = list(again)[0][1], list(again)[0][1]
    assert first[0] == epoch1.tolist() and epoch1.tolist() != epoch2.tolist()


def test_batch_generator_rejects_bad_input():
    images, labels = toy_data(10)
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        nk.BatchGenerator(images, labels, batch_size=0)
    with pytest.raises(TypeError, match="batch_size must be an int, got float"):
        nk.BatchGenerator(images, labels, batch_size=12.0)
    with pytest.raises(ValueError, match=r"different lengths: 10 images \(shape \(10, 6\)\) but 9 labels"):
        nk.BatchGenerator(images, labels[:9])


def per_sample_losses(model, x, y):
    return ops.convert_to_numpy(keras.losses.sparse_categorical_crossentropy(y, model(x)))


def test_one_training_step_returns_the_mean_loss_and_descends():
    model = small_model()
    x, y = toy_data(16)
    before = [as_numpy(w).copy() for w in model.weights]
    expected_mean = per_sample_losses(model, x, y).mean()
    with tf.GradientTape() as tape:
        loss = ops.mean(keras.losses.sparse_categorical_crossentropy(y, model(x)))
    grads = [g.numpy() for g in tape.gradient(loss, model.weights)]
    loss = nk.one_training_step(model, x, y, learning_rate=0.1)
    assert tuple(loss.shape) == () and float(loss) == pytest.approx(expected_mean, rel=1e-5)
    assert f"{loss:.2f}" == f"{expected_mean:.2f}"  # a scalar formats; a per-sample vector would not
    for w, w0, g in zip(model.weights, before, grads):
        np.testing.assert_allclose(as_numpy(w), w0 - 0.1 * g, rtol=1e-5, atol=1e-7)
    assert per_sample_losses(model, x, y).mean() < expected_mean


def test_update_weights_by_hand_equals_keras_sgd():
    by_hand, with_sgd = small_model(seed=1), small_model(seed=9)
    for target, source in zip(with_sgd.weights, by_hand.weights):
        target.assign(source)  # one set of weights in both models
    x, y = toy_data(16)
    optimizer = keras.optimizers.SGD(learning_rate=1e-3)
    for _ in range(3):
        a = nk.one_training_step(by_hand, x, y, learning_rate=1e-3)
        b = nk.one_training_step(with_sgd, x, y, optimizer=optimizer)
        assert float(a) == pytest.approx(float(b), rel=1e-6)
    for w1, w2 in zip(by_hand.weights, with_sgd.weights):
        np.testing.assert_allclose(as_numpy(w1), as_numpy(w2), rtol=1e-6, atol=1e-8)
    g = [np.full(tuple(w.shape), 2.0, np.float32) for w in by_hand.weights]
    start = [as_numpy(w).copy() for w in by_hand.weights]
    nk.update_weights(g, by_hand.weights, learning_rate=0.5)
    for w, w0 in zip(by_hand.weights, start):
        np.testing.assert_allclose(as_numpy(w), w0 - 1.0, rtol=1e-6)


def test_fit_prints_every_100_batches_and_returns_every_loss(capsys):
    x, y = toy_data(250)
    model = small_model()
    losses = nk.fit(model, x, y, epochs=2, batch_size=1, learning_rate=1e-2)
    assert len(losses) == 2 * 250 and all(math.isfinite(v) for v in losses)
    printed = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in printed] == [
        f"epoch {e}, batch {b:3d}" for e in (1, 2) for b in (0, 100, 200)]
    assert printed[0] == f"epoch 1, batch   0: loss {losses[0]:.2f}"


@pytest.mark.parametrize("shuffle", [False, True])
def test_compiled_and_eager_steps_train_identically(shuffle):
    x, y = toy_data(50)
    results = []
    for compiled in (False, True):
        model = small_model(seed=2)
        losses = nk.fit(model, x, y, epochs=2, batch_size=16, learning_rate=0.05, print_every=0,
                        shuffle=shuffle, compiled=compiled)
        results.append((losses, [as_numpy(w) for w in model.weights]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_fit_with_a_keras_optimizer_learns():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    x = (np.eye(3)[y] @ rng.normal(0, 1, (3, 6)) + rng.normal(0, 0.3, (300, 6))).astype(np.float32)
    model = small_model(initializer="glorot_uniform")
    losses = nk.fit(model, x, y, epochs=20, batch_size=32, optimizer=keras.optimizers.Adam(0.01),
                    shuffle=True, print_every=0)
    assert np.mean(losses[-10:]) < 0.5 * np.mean(losses[:10])
    assert nk.evaluate(model, x, y) > 0.9


def test_evaluate_is_the_fraction_of_correct_argmax_predictions():
    model = small_model()
    x, y = toy_data(37)
    predicted = ops.convert_to_numpy(model(x)).argmax(axis=1)
    assert nk.predict_classes(model, x, batch_size=5).tolist() == predicted.tolist()
    accuracy = nk.evaluate(model, x, y, batch_size=10)
    assert isinstance(accuracy, float) and accuracy == pytest.approx(np.mean(predicted == y))
    assert nk.evaluate(model, x, predicted.astype(np.int64)) == 1.0
    assert nk.evaluate(model, x, ((predicted + 1) % 3).astype(np.int64)) == 0.0


def test_the_boolean_mean_trap_is_avoided():
    """keras.ops.mean casts booleans and integers to float (the classic evaluation is
    right); tf.reduce_mean refuses booleans and truncates integers."""
    matches = ops.convert_to_tensor(np.array([True, False, True, True]))
    assert float(ops.mean(matches)) == 0.75
    assert float(ops.mean(ops.cast(matches, "int32"))) == 0.75
    assert float(ops.mean(ops.cast(matches, "float32"))) == 0.75
    with pytest.raises(tf.errors.InvalidArgumentError):  # TensorFlow refuses to average booleans
        tf.reduce_mean(matches)
    assert int(tf.reduce_mean(tf.cast(matches, "int32"))) == 0  # and truncates integer means


def test_fit_uses_its_batch_size():
    """The classic listing's fit forgets its batch_size argument; this one passes it on."""
    x, y = toy_data(50)
    for batch_size, batches in [(10, 5), (16, 4), (50, 1)]:
        losses = nk.fit(small_model(), x, y, epochs=2, batch_size=batch_size, print_every=0)
        assert len(losses) == 2 * batches


def test_fit_and_evaluate_reject_bad_input():
    model = small_model()
    x, y = toy_data(20)
    with pytest.raises(ValueError, match=r"different lengths: 20 images .* 19 labels"):
        nk.fit(model, x, y[:19], epochs=1)
    with pytest.raises(ValueError, match=r"expects 6 values per image.*\(20, 5\)"):
        nk.fit(model, x[:, :5], y, epochs=1)
    with pytest.raises(ValueError, match=r"class ids in \[0, 2\] .* from 0 to 7"):
        nk.fit(model, x, np.where(y == 1, 7, y).astype(np.uint8), epochs=1)
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        nk.fit(model, x, y, epochs=1, batch_size=0)
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        nk.fit(model, x, y, epochs=0)
    with pytest.raises(ValueError, match=r"expects 6 values per image"):
        nk.evaluate(model, x[:, :4], y)
    with pytest.raises(ValueError, match=r"class ids in \[0, 2\]"):
        nk.evaluate(model, x, y + 3)
    with pytest.raises(TypeError, match="integer class ids"):
        nk.evaluate(model, x, y.astype(np.float32))
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        nk.evaluate(model, x, y, batch_size=0)


def test_divergence_stops_fit_with_a_clear_error():
    """Keras' cross-entropy clips probabilities, so NaN weights can hide behind a finite
    loss: fit checks the weights too."""
    model = small_model()
    x, y = toy_data(20)
    with pytest.raises(FloatingPointError, match=r"(loss became nan|weights became NaN or inf) at "
                                                 r"epoch 1, batch \d+: .* smaller learning rate"):
        nk.fit(model, x * 1e3, y, epochs=3, batch_size=10, learning_rate=1e30, print_every=0)


def test_nan_in_the_images_is_rejected_before_training():
    model = small_model()
    x, y = toy_data(20)
    x[12, 0] = np.nan
    with pytest.raises(ValueError, match="image 12 holds NaN or inf"):
        nk.fit(model, x, y, epochs=1)
