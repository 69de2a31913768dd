"""helpers.numpy_net: the hand-derived gradients agree with tf.GradientTape, with the
chapter 7 autodiff engine and with finite differences; SGD and Adam agree with Keras';
fit/evaluate learn, stay deterministic and reject bad input clearly."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpers
from helpers import autodiff
from helpers import numpy_net as nn

keras = helpers.import_keras()
import tensorflow as tf  # noqa: E402

SETTINGS = settings(max_examples=25, deadline=None)


def random_problem(seed, batch, sizes, dtype=np.float64):
    """A network with the given layer sizes (float64 for tight comparisons) and a batch."""
    rng = np.random.default_rng(seed)
    net = nn.Network(sizes, seed=seed, dtype=dtype)
    for p in net.params:  # nonzero biases, so that their gradients are exercised too
        p += rng.normal(0, 0.1, p.shape).astype(dtype)
    x = rng.normal(0, 1, (batch, sizes[0])).astype(dtype)
    labels = rng.integers(0, sizes[-1], batch)
    return net, x, labels


def tape_gradients(params, x, labels):
    """Loss and gradients of the same network, by TensorFlow's GradientTape."""
    variables = [tf.Variable(p) for p in params]
    with tf.GradientTape() as tape:
        h = tf.constant(x)
        for i in range(0, len(variables), 2):
            h = h @ variables[i] + variables[i + 1]
            if i + 2 < len(variables):
                h = tf.nn.relu(h)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, h))
    return float(loss), [g.numpy() for g in tape.gradient(loss, variables)]


def engine_gradients(params, x, labels):
    """Loss and gradients of the same network, by the chapter 7 autodiff engine."""
    tensors = [autodiff.Tensor(p, requires_grad=True) for p in params]
    h = autodiff.Tensor(x)
    for i in range(0, len(tensors), 2):
        h = h @ tensors[i] + tensors[i + 1]
        if i + 2 < len(tensors):
            h = h.relu()
    loss = autodiff.softmax_cross_entropy(h, labels)
    loss.backward()
    return float(loss.data), [t.grad for t in tensors]


def assert_close(ours, theirs, rtol=1e-5):
    """Agreement relative to each gradient's largest entry."""
    for a, b in zip(ours, theirs, strict=True):
        assert a.shape == b.shape
        scale = max(np.abs(b).max(), 1e-12)
        assert np.abs(a - b).max() <= rtol * scale, np.abs(a - b).max() / scale


sizes_strategy = st.lists(st.integers(1, 12), min_size=2, max_size=4).map(
    lambda s: s[:-1] + [max(s[-1], 2)])  # at least two classes


@SETTINGS
@given(seed=st.integers(0, 10_000), batch=st.integers(1, 16), sizes=sizes_strategy)
def test_gradients_match_gradient_tape_and_the_autodiff_engine(seed, batch, sizes):
    net, x, labels = random_problem(seed, batch, sizes)
    params = [p.copy() for p in net.params]
    x_before = x.copy()
    loss, grads = net.loss_and_gradients(x, labels)
    grads = [g.copy() for g in grads]
    tf_loss, tf_grads = tape_gradients(params, x, labels)
    engine_loss, engine_grads = engine_gradients(params, x, labels)
    assert loss == pytest.approx(tf_loss, rel=1e-9) and loss == pytest.approx(engine_loss, rel=1e-9)
    assert_close(grads, tf_grads, rtol=1e-9)
    assert_close(grads, engine_grads, rtol=1e-9)
    assert np.array_equal(x, x_before)
    assert all(np.array_equal(p, q) for p, q in zip(net.params, params))  # backward does not update


def test_mnist_sized_network_gradients_match_in_float32():
    """The chapter's 784 -> 512 relu -> 10 network, float32 as trained, on an MNIST-like batch."""
    rng = np.random.default_rng(7)
    net = nn.Network([784, 512, 10], seed=3)
    x = (rng.random((64, 784)) * (rng.random((64, 784)) < 0.2)).astype(np.float32)
    labels = rng.integers(0, 10, 64)
    loss, grads = net.loss_and_gradients(x, labels)
    params64 = [p.astype(np.float64) for p in net.params]
    tf_loss, tf_grads = tape_gradients(params64, x.astype(np.float64), labels)
    engine_loss, engine_grads = engine_gradients(params64, x.astype(np.float64), labels)
    assert all(g.dtype == np.float32 for g in grads)
    assert loss == pytest.approx(tf_loss, rel=1e-5) == engine_loss
    assert_close(grads, tf_grads, rtol=1e-5)
    assert_close(grads, engine_grads, rtol=1e-5)


@SETTINGS
@given(seed=st.integers(0, 10_000), batch=st.integers(1, 6), sizes=sizes_strategy)
def test_gradients_match_finite_differences(seed, batch, sizes):
    net, x, labels = random_problem(seed, batch, sizes)
    _, grads = net.loss_and_gradients(x, labels)
    grads = [g.copy() for g in grads]
    rng = np.random.default_rng(seed)
    eps = 1e-6
    for p, g in zip(net.params, grads):
        index = tuple(rng.integers(0, n) for n in p.shape)
        original = p[index]
        p[index] = original + eps
        up = nn.softmax_cross_entropy(net.forward(x), labels)[0]
        p[index] = original - eps
        down = nn.softmax_cross_entropy(net.forward(x), labels)[0]
        p[index] = original
        assert (up - down) / (2 * eps) == pytest.approx(g[index], abs=1e-6)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 20), classes=st.integers(2, 12),
       scale=st.sampled_from([1.0, 30.0, 1000.0]))
def test_softmax_cross_entropy_matches_tensorflow(seed, n, classes, scale):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, scale, (n, classes))
    labels = rng.integers(0, classes, n)
    before = logits.copy()
    loss, grad = nn.softmax_cross_entropy(logits, labels)
    assert np.array_equal(logits, before)
    t = tf.Variable(logits)
    with tf.GradientTape() as tape:
        expected = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, t))
    assert np.isfinite(loss) and loss == pytest.approx(float(expected), rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(grad, tape.gradient(expected, t).numpy(), atol=1e-12)
    probabilities = nn.softmax(logits)
    np.testing.assert_allclose(probabilities, tf.nn.softmax(logits).numpy(), atol=1e-12)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 10), n_in=st.integers(1, 9),
       n_out=st.integers(1, 9))
def test_dense_and_relu_backward_match_gradient_tape(seed, n, n_in, n_out):
    rng = np.random.default_rng(seed)
    dense = nn.Dense(n_in, n_out, rng, dtype=np.float64)
    dense.b += rng.normal(0, 1, n_out)
    x = rng.normal(0, 1, (n, n_in))
    upstream = rng.normal(0, 1, (n, n_out))
    x_before, upstream_before = x.copy(), upstream.copy()
    relu = nn.ReLU()
    y = relu.forward(dense.forward(x))
    grad_x = dense.backward(relu.backward(upstream))
    assert np.array_equal(x, x_before) and np.array_equal(upstream, upstream_before)
    W, b, xt = tf.Variable(dense.W), tf.Variable(dense.b), tf.Variable(x)
    with tf.GradientTape() as tape:
        out = tf.nn.relu(xt @ W + b)
        scalar = tf.reduce_sum(out * upstream)  # its gradient wrt out is `upstream`
    tw, tb, tx = tape.gradient(scalar, [W, b, xt])
    np.testing.assert_allclose(y, out.numpy(), atol=1e-12)
    np.testing.assert_allclose(dense.dW, tw.numpy(), atol=1e-10)
    np.testing.assert_allclose(dense.db, tb.numpy(), atol=1e-10)
    np.testing.assert_allclose(grad_x, tx.numpy(), atol=1e-10)
    assert dense.backward(upstream, need_grad_x=False) is None


def test_dense_initialisation_is_glorot_uniform_and_zero_bias():
    dense = nn.Dense(784, 512, np.random.default_rng(0))
    limit = np.sqrt(6 / (784 + 512))
    assert dense.W.dtype == np.float32 and dense.W.shape == (784, 512)
    assert np.abs(dense.W).max() <= limit and np.abs(dense.W).max() > 0.99 * limit
    assert abs(dense.W.mean()) < 0.01 * limit and not dense.b.any()
    net = nn.Network([784, 512, 10])
    assert [p.shape for p in net.params] == [(784, 512), (512,), (512, 10), (10,)]
    assert sum(p.size for p in net.params) == 407_050


@pytest.mark.parametrize("steps", [1, 7])
def test_adam_matches_keras_adam(steps):
    rng = np.random.default_rng(steps)
    params = [rng.normal(0, 1, (5, 3)).astype(np.float32), rng.normal(0, 1, 3).astype(np.float32)]
    grads_per_step = [[rng.normal(0, 1, p.shape).astype(np.float32) for p in params]
                      for _ in range(steps)]
    variables = [keras.Variable(p.copy()) for p in params]
    keras_adam = keras.optimizers.Adam(learning_rate=0.01)
    ours = [p.copy() for p in params]
    adam = nn.Adam(ours, learning_rate=0.01)
    for grads in grads_per_step:
        before = [g.copy() for g in grads]
        adam.step(grads)
        assert all(np.array_equal(g, h) for g, h in zip(grads, before))  # gradients untouched
        keras_adam.apply([tf.constant(g) for g in grads], variables)
    for p, v in zip(ours, variables):
        np.testing.assert_allclose(p, v.numpy(), rtol=1e-5, atol=1e-6)
    assert adam.t == steps


def test_adam_with_linear_decay_matches_keras_polynomial_decay():
    rng = np.random.default_rng(3)
    params = [rng.normal(0, 1, (4, 3)).astype(np.float32)]
    ours = [params[0].copy()]
    adam = nn.Adam(ours, learning_rate=0.05, decay_steps=6)
    schedule = keras.optimizers.schedules.PolynomialDecay(0.05, decay_steps=6, end_learning_rate=0.0)
    keras_adam = keras.optimizers.Adam(learning_rate=schedule)
    variable = keras.Variable(params[0].copy())
    rates = []
    for _ in range(8):  # past decay_steps the rate stays at zero
        rates.append(adam.current_learning_rate())
        g = rng.normal(0, 1, (4, 3)).astype(np.float32)
        adam.step([g])
        keras_adam.apply([tf.constant(g)], [variable])
    np.testing.assert_allclose(rates, [0.05 * (1 - k / 6) for k in range(6)] + [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(ours[0], variable.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("momentum, decay_steps", [(0.0, None), (0.9, None), (0.5, 4)])
def test_sgd_matches_keras_sgd(momentum, decay_steps):
    rng = np.random.default_rng(5)
    params = [rng.normal(0, 1, (6, 2)).astype(np.float32), rng.normal(0, 1, 2).astype(np.float32)]
    ours = [p.copy() for p in params]
    sgd = nn.SGD(ours, learning_rate=0.1, momentum=momentum, decay_steps=decay_steps)
    rate = 0.1 if decay_steps is None else keras.optimizers.schedules.PolynomialDecay(
        0.1, decay_steps=decay_steps, end_learning_rate=0.0)
    keras_sgd = keras.optimizers.SGD(learning_rate=rate, momentum=momentum)
    variables = [keras.Variable(p.copy()) for p in params]
    for step in range(6):
        grads = [rng.normal(0, 1, p.shape).astype(np.float32) for p in params]
        before = [p.copy() for p in ours]
        sgd.step(grads)
        keras_sgd.apply([tf.constant(g) for g in grads], variables)
        if momentum == 0:  # plain gradient descent: w - learning_rate * g
            for p, p0, g in zip(ours, before, grads):
                np.testing.assert_allclose(p, p0 - 0.1 * g, rtol=1e-6)
    for p, v in zip(ours, variables):
        np.testing.assert_allclose(p, v.numpy(), rtol=1e-5, atol=1e-6)
    assert sgd.t == 6


@pytest.mark.parametrize("optimizer", [nn.SGD, nn.Adam])
def test_optimizers_reject_bad_input(optimizer):
    params = [np.zeros((2, 3), np.float32)]
    with pytest.raises(ValueError, match="1 parameters"):
        optimizer(params).step([])
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2, 3\)"):
        optimizer(params).step([np.zeros((3, 2), np.float32)])
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        optimizer(params, learning_rate=0)
    with pytest.raises(ValueError, match="decay_steps must be at least 1"):
        optimizer(params, decay_steps=0)
    assert not params[0].any()  # a refused step changed nothing


def test_sgd_rejects_a_momentum_outside_0_1():
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\), got 1.0"):
        nn.SGD([np.zeros(2)], momentum=1.0)


def blobs(n=600, seed=0):
    """Three separable clusters in 20 dimensions: a tiny stand-in for MNIST."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    centers = rng.normal(0, 3, (3, 20))
    return (centers[labels] + rng.normal(0, 1, (n, 20))).astype(np.float32), labels


def test_fit_learns_and_is_deterministic(capsys):
    images, labels = blobs()
    images_before = images.copy()
    results = []
    for _ in range(2):
        net = nn.Network([20, 16, 3], seed=1)
        losses = nn.fit(net, nn.Adam(net.params, 0.01), images, labels, epochs=3, batch_size=32,
                        print_every=10)
        results.append((losses, net.params))
    assert np.array_equal(images, images_before)
    losses = results[0][0]
    assert len(losses) == 3 * int(np.ceil(600 / 32)) == 57
    assert np.mean(losses[-5:]) < 0.2 * np.mean(losses[:5])
    assert results[0][0] == results[1][0]
    assert all(np.array_equal(p, q) for p, q in zip(results[0][1], results[1][1]))
    assert nn.evaluate(net, images, labels) > 0.95
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"epoch 1, batch   0: loss {losses[0]:.3f}"
    assert sum("batch" in line for line in printed) == 2 * 3 * 2  # 2 runs, batches 0 and 10 of 19
    assert sum(line.startswith("epoch 3 done in") for line in printed) == 2
    nn.fit(net, nn.Adam(net.params), images, labels, epochs=1, print_every=0)
    assert capsys.readouterr().out == ""


def test_fit_with_momentum_sgd_and_decay_learns():
    images, labels = blobs()
    net = nn.Network([20, 16, 3], seed=2)
    steps = 4 * int(np.ceil(600 / 64))
    sgd = nn.SGD(net.params, learning_rate=0.05, momentum=0.9, decay_steps=steps)
    losses = nn.fit(net, sgd, images, labels, epochs=4, batch_size=64, print_every=0)
    assert sgd.t == steps and sgd.current_learning_rate() == 0.0
    assert np.mean(losses[-5:]) < 0.2 * np.mean(losses[:5])
    assert nn.evaluate(net, images, labels) > 0.95


def test_evaluate_counts_correct_predictions():
    net = nn.Network([3, 3], seed=0)
    net.layers[0].W[...] = np.eye(3)  # predicts the argmax of the input
    images = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]], np.float32)
    assert nn.evaluate(net, images, np.array([0, 1, 2, 2])) == 0.75
    assert nn.evaluate(net, images, np.array([0, 1, 2, 0]), batch_size=3) == 1.0
    assert net.predict(images, batch_size=1).tolist() == [0, 1, 2, 0]


def test_bad_input_is_rejected_clearly():
    images, labels = blobs(50)
    net = nn.Network([20, 8, 3])
    adam = nn.Adam(net.params)
    with pytest.raises(ValueError, match=r"different lengths: 50 images .* 49 labels"):
        nn.fit(net, adam, images, labels[:49])
    with pytest.raises(ValueError, match=r"expects 20 values per image.*\(50, 19\)"):
        nn.fit(net, adam, images[:, :19], labels)
    with pytest.raises(ValueError, match=r"class ids in \[0, 2\].*got values from \d to 3"):
        nn.fit(net, adam, images, np.where(labels == 0, 3, labels))
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        nn.fit(net, adam, images, labels, batch_size=0)
    with pytest.raises(TypeError, match="batch_size must be an int"):
        nn.fit(net, adam, images, labels, batch_size=2.5)
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        nn.fit(net, adam, images, labels, epochs=0)
    with pytest.raises(ValueError, match=r"rank-2 .* \(50, 4, 5\)"):
        nn.fit(net, adam, images.reshape(50, 4, 5), labels)
    with pytest.raises(TypeError, match="integer class ids, got dtype float"):
        nn.evaluate(net, images, labels.astype(float))
    with pytest.raises(ValueError, match=r"rank-1 .* \(50, 1\)"):
        nn.evaluate(net, images, labels[:, None])
    with pytest.raises(ValueError, match=r"inputs of shape \(batch, 20\), got \(4, 7\)"):
        net.forward(np.zeros((4, 7)))
    with pytest.raises(ValueError, match=r"class ids in \[0, 2\]"):
        nn.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"\(n, classes\) and labels \(n,\)"):
        nn.softmax_cross_entropy(np.zeros((2, 3)), np.array([0]))
    with pytest.raises(ValueError, match="layer_sizes needs"):
        nn.Network([5])


@pytest.mark.parametrize("optimizer", [nn.SGD, nn.Adam])
def test_divergence_stops_training_with_a_clear_error(optimizer):
    images, labels = blobs(64)
    net = nn.Network([20, 8, 3])
    with pytest.raises(FloatingPointError, match=r"loss became nan at epoch \d, batch \d+: .* smaller "
                                                 r"learning rate"):
        nn.fit(net, optimizer(net.params, learning_rate=1e30), images * 1e3, labels, epochs=3,
               batch_size=8, print_every=0)


def test_nan_in_the_images_is_rejected_before_training():
    images, labels = blobs(64)
    images[40, 3] = np.inf
    net = nn.Network([20, 8, 3])
    with pytest.raises(ValueError, match="image 40 holds NaN or inf"):
        nn.fit(net, nn.Adam(net.params), images, labels)
