"""helpers.autodiff (chapter 7): every operation's gradient against finite
differences and tf.GradientTape, on random and broadcast shapes, the two-layer
MNIST model against TensorFlow, and the engine's conventions and errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import helpers
from helpers.autodiff import Tensor, softmax_cross_entropy, unbroadcast
from helpers.data import find_local_mnist, load_mnist

keras = helpers.import_keras()
import tensorflow as tf  # noqa: E402  (after import_keras, which silences its log)

SETTINGS = settings(max_examples=25, deadline=None)
seeds = st.integers(0, 2**32 - 1)
broadcast_pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)


def away_from_zero(rng, shape, low=0.2, high=2.0):
    """Values with |v| in [low, high]: no kinks (relu, abs) or poles (1/x) nearby."""
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


def check_gradients(engine_fn, tf_fn, *arrays, seed=0, fd_rtol=1e-6):
    """Compare d(sum(f(arrays) * R))/d(arrays) from the engine, from central finite
    differences and from tf.GradientTape (R random, so every output entry counts)."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]  # rank-0 samples come as scalars
    originals = [a.copy() for a in arrays]
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    out = engine_fn(*tensors)
    weights = np.random.default_rng(seed).normal(size=out.shape)
    (out * weights).sum().backward()
    engine = [t.grad for t in tensors]
    for a, original in zip(arrays, originals):
        np.testing.assert_array_equal(a, original)  # inputs untouched
    for t, a in zip(tensors, arrays):
        assert t.grad.shape == a.shape and t.grad.dtype == np.float64

    variables = [tf.Variable(a, dtype=tf.float64) for a in arrays]
    with tf.GradientTape() as tape:
        tf_out = tf_fn(*variables)
        tf_loss = tf.reduce_sum(tf_out * weights)
    np.testing.assert_allclose(out.data, tf_out.numpy(), rtol=1e-12, atol=1e-12)
    for mine, theirs in zip(engine, tape.gradient(tf_loss, variables)):
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-10, atol=1e-12)

    def value(values):
        return float(np.sum(engine_fn(*[Tensor(v) for v in values]).data * weights))

    eps = 1e-6
    for i, a in enumerate(arrays):
        numeric = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            plus = [v.copy() for v in arrays]
            minus = [v.copy() for v in arrays]
            plus[i][index] += eps
            minus[i][index] -= eps
            numeric[index] = (value(plus) - value(minus)) / (2 * eps)
        np.testing.assert_allclose(engine[i], numeric, rtol=fd_rtol, atol=1e-6)


BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "subtract": (lambda a, b: a - b, lambda a, b: a - b),
    "multiply": (lambda a, b: a * b, lambda a, b: a * b),
    "divide": (lambda a, b: a / b, lambda a, b: a / b),
}


@pytest.mark.parametrize("name", list(BINARY))
@SETTINGS
@given(shapes=broadcast_pairs, seed=seeds)
def test_binary_operations_with_broadcasting(name, shapes, seed):
    rng = np.random.default_rng(seed)
    a, b = (away_from_zero(rng, shape) for shape in shapes.input_shapes)
    check_gradients(*BINARY[name], a, b, seed=seed)


UNARY = {
    "neg": (lambda t: -t, lambda t: -t, away_from_zero),
    "relu": (lambda t: t.relu(), tf.nn.relu, away_from_zero),
    "abs": (lambda t: t.abs(), tf.abs, away_from_zero),
    "exp": (lambda t: t.exp(), tf.exp, away_from_zero),
    "log": (lambda t: t.log(), tf.math.log, lambda rng, s: rng.uniform(0.3, 3.0, s)),
    "square": (lambda t: t**2, lambda t: t**2, away_from_zero),
    "cube": (lambda t: t**3, lambda t: t**3, away_from_zero),
    "sqrt": (lambda t: t**0.5, tf.sqrt, lambda rng, s: rng.uniform(0.3, 3.0, s)),
    "reciprocal": (lambda t: t**-1, tf.math.reciprocal, away_from_zero),
    "scalar on the left": (lambda t: 3.0 - 2 * t / 1.5 + 1, lambda t: 3.0 - 2 * t / 1.5 + 1,
                           away_from_zero),
    "scalar divided by tensor": (lambda t: 2.0 / t, lambda t: 2.0 / t, away_from_zero),
    "array on the left": (lambda t: np.arange(3.0) * t - np.ones(3),
                          lambda t: np.arange(3.0) * t - np.ones(3), away_from_zero),
}


@pytest.mark.parametrize("name", list(UNARY))
@SETTINGS
@given(shape=array_shapes(min_dims=0, max_dims=3, max_side=3), seed=seeds)
def test_unary_operations(name, shape, seed):
    engine_fn, tf_fn, sample = UNARY[name]
    if name == "array on the left":
        shape = shape[:-1] + (3,) if shape else (3,)
    check_gradients(engine_fn, tf_fn, sample(np.random.default_rng(seed), shape), seed=seed)


@SETTINGS
@given(shape=array_shapes(min_dims=1, max_dims=3, max_side=3), seed=seeds, data=st.data())
def test_sum_and_mean_over_axes(shape, seed, data):
    axis = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1)
                     | st.just(tuple(range(len(shape)))[::2]))
    keepdims = data.draw(st.booleans())
    a = np.random.default_rng(seed).normal(size=shape)
    check_gradients(lambda t: t.sum(axis=axis, keepdims=keepdims),
                    lambda t: tf.reduce_sum(t, axis=axis, keepdims=keepdims), a, seed=seed)
    check_gradients(lambda t: t.mean(axis=axis, keepdims=keepdims),
                    lambda t: tf.reduce_mean(t, axis=axis, keepdims=keepdims), a, seed=seed)


def tf_matmul(a, b):
    if a.shape.rank == 1 and b.shape.rank == 1:
        return tf.tensordot(a, b, 1)
    if a.shape.rank == 1:
        return tf.linalg.matvec(b, a, transpose_a=True)
    if b.shape.rank == 1:
        return tf.linalg.matvec(a, b)
    return a @ b


@SETTINGS
@given(n=st.integers(1, 4), k=st.integers(1, 4), m=st.integers(1, 4),
       vector_a=st.booleans(), vector_b=st.booleans(), seed=seeds)
def test_matmul_of_matrices_and_vectors(n, k, m, vector_a, vector_b, seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(k,) if vector_a else (n, k))
    b = rng.normal(size=(k,) if vector_b else (k, m))
    check_gradients(lambda x, y: x @ y, tf_matmul, a, b, seed=seed)
    check_gradients(lambda x: a @ x, lambda x: tf_matmul(tf.constant(a), x), b, seed=seed)


@SETTINGS
@given(n=st.integers(1, 5), classes=st.integers(2, 5), scale=st.sampled_from([1.0, 30.0]),
       seed=seeds)
def test_softmax_cross_entropy(n, classes, scale, seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, classes)) * scale
    labels = rng.integers(0, classes, size=n)
    labels_before = labels.copy()
    check_gradients(
        lambda t: softmax_cross_entropy(t, labels),
        lambda t: tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, t)),
        logits, seed=seed, fd_rtol=1e-5)
    np.testing.assert_array_equal(labels, labels_before)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    logits = Tensor([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]], requires_grad=True)
    loss = softmax_cross_entropy(logits, [2, 0])
    loss.backward()
    assert np.isclose(loss.data, (2000 + np.log(3)) / 2)
    np.testing.assert_allclose(logits.grad, [[0.5, 0, -0.5], [-1 / 3, 1 / 6, 1 / 6]], atol=1e-12)


def two_layer_data(batch=128):
    """A batch of real MNIST when it is available locally, random images otherwise."""
    rng = np.random.default_rng(0)
    if find_local_mnist() is not None:
        (images, labels), _ = load_mnist()
        x = images[:batch].reshape(batch, 784).astype(np.float32) / 255
        return x, labels[:batch]
    return rng.uniform(0, 1, (batch, 784)).astype(np.float32), rng.integers(0, 10, batch)


def largest_relative_difference(mine, theirs):
    return max(np.abs(a - b).max() / np.abs(b).max() for a, b in zip(mine, theirs))


def test_two_layer_mnist_model_matches_keras_float32():
    """784 -> 512 relu -> 10, softmax cross-entropy: the engine (float32, as it
    trains) against a Keras model's float32 gradients, with the same weights."""
    x, labels = two_layer_data()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(512, activation="relu"),
                              keras.layers.Dense(10)])
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
            labels, model(x), from_logits=True))
    theirs = [g.numpy() for g in tape.gradient(loss, model.trainable_weights)]
    W1, b1, W2, b2 = [Tensor(w.numpy(), requires_grad=True) for w in model.trainable_weights]
    mine = softmax_cross_entropy((x @ W1 + b1).relu() @ W2 + b2, labels)
    mine.backward()
    assert mine.data.dtype == W1.grad.dtype == np.float32
    assert np.isclose(mine.data, float(loss), rtol=1e-5)
    assert largest_relative_difference([W1.grad, b1.grad, W2.grad, b2.grad], theirs) < 1e-5


def test_two_layer_mnist_model_matches_tensorflow_float64():
    x, labels = two_layer_data()
    rng = np.random.default_rng(1)
    shapes = [(784, 512), (512,), (512, 10), (10,)]
    arrays = [rng.normal(0, 0.05, shape) for shape in shapes]
    params = [Tensor(a, requires_grad=True) for a in arrays]
    W1, b1, W2, b2 = params
    loss = softmax_cross_entropy((x @ W1 + b1).relu() @ W2 + b2, labels)
    loss.backward()
    variables = [tf.Variable(a) for a in arrays]
    with tf.GradientTape() as tape:
        hidden = tf.nn.relu(tf.constant(x, tf.float64) @ variables[0] + variables[1])
        tf_loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels.astype(np.int64), hidden @ variables[2] + variables[3]))
    theirs = [g.numpy() for g in tape.gradient(tf_loss, variables)]
    assert np.isclose(loss.data, tf_loss.numpy(), rtol=1e-12)
    assert largest_relative_difference([p.grad for p in params], theirs) < 1e-12


# ---- the worked example of chapter 7 and the engine's conventions ---------------------

def worked_example():
    x = Tensor(2.0, name="x")
    w = Tensor(3.0, requires_grad=True, name="w")
    b = Tensor(1.0, requires_grad=True, name="b")
    x1 = (x * w).named("x1")
    x2 = (x1 + b).named("x2")
    loss_val = (4.0 - x2).abs().named("loss_val")
    return x, w, b, x1, x2, loss_val


def test_worked_scalar_example():
    x, w, b, x1, x2, loss_val = worked_example()
    assert (x1.data, x2.data, loss_val.data) == (6.0, 7.0, 3.0)
    assert w.grad is None and b.grad is None  # None before backward()
    loss_val.backward()
    assert w.grad == 2.0 and b.grad == 1.0 and x2.grad == 1.0 and x1.grad == 1.0
    assert x.grad is None  # a constant never gets a gradient
    assert x1.local_derivative(1) == 2.0  # d(x1)/dw = x
    assert x2.local_derivative(0) == 1.0 and x2.local_derivative(1) == 1.0
    difference = loss_val.parents[0]
    assert loss_val.local_derivative(0) == -1.0 and difference.local_derivative(1) == -1.0


def test_backward_twice_gives_the_same_gradients():
    _, w, b, _, _, loss_val = worked_example()
    loss_val.backward()
    loss_val.backward()
    assert w.grad == 2.0 and b.grad == 1.0  # replaced, not doubled


def test_a_new_graph_replaces_old_gradients():
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * 3).sum().backward()
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])


def test_paths_add_up_when_a_tensor_is_used_twice():
    a = Tensor(2.0, requires_grad=True)
    b = Tensor(5.0, requires_grad=True)
    f = a * b + a
    f.backward()
    assert a.grad == 6.0 and b.grad == 2.0
    square = a * a
    square.backward()
    assert a.grad == 4.0


def test_topological_order_puts_parents_first_and_handles_long_chains():
    a = Tensor(1.0, requires_grad=True)
    x = a
    for _ in range(5000):  # deeper than Python's recursion limit
        x = x * 1.0 + 0.0
    order = x.topological_order()
    position = {id(t): i for i, t in enumerate(order)}
    assert all(position[id(p)] < position[id(t)] for t in order for p in t.parents)
    assert len(order) == len({id(t) for t in order}) and order[-1] is x
    x.backward()
    assert a.grad == 1.0


def test_tensor_copies_its_data_and_keeps_float64_or_float32():
    source = np.array([1, 2, 3])
    t = Tensor(source)
    source[0] = 99
    assert t.data.dtype == np.float64 and t.data[0] == 1.0
    assert t.grad is None and not t.requires_grad and t.op is None and t.parents == ()
    assert Tensor(t).data is not t.data
    assert Tensor(np.ones(2, np.float32)).data.dtype == np.float32
    assert Tensor(Tensor(np.ones(2, np.float32))).data.dtype == np.float32
    assert Tensor(np.ones(2, np.float16)).data.dtype == np.float64
    assert Tensor(3).data.dtype == Tensor(2.5).data.dtype == np.float64


def float32_expressions():
    """Expressions mixing float32 tensors with Python numbers (which must not
    promote them to float64), each with a TensorFlow twin."""
    return {
        "scalars around": (lambda t: (3.0 - 2 * t / 1.5 + 1) ** 2 * 0.5,
                           lambda t: (3.0 - 2 * t / 1.5 + 1) ** 2 * 0.5),
        "mean and exp": (lambda t: (t.exp() / 4).mean(axis=0),
                         lambda t: tf.reduce_mean(tf.exp(t) / 4, axis=0)),
        "relu, abs, log": (lambda t: (t.relu() + t.abs() + 1.0).log(),
                           lambda t: tf.math.log(tf.nn.relu(t) + tf.abs(t) + 1.0)),
        "1 / t": (lambda t: 1 / t - t, lambda t: 1 / t - t),
    }


@pytest.mark.parametrize("name", list(float32_expressions()))
def test_float32_stays_float32_and_agrees_with_float64_and_tensorflow(name):
    engine_fn, tf_fn = float32_expressions()[name]
    a = away_from_zero(np.random.default_rng(0), (4, 3))
    grads = {}
    for dtype in (np.float32, np.float64):
        t = Tensor(a.astype(dtype), requires_grad=True)
        out = engine_fn(t)
        assert out.data.dtype == dtype, f"{name}: result is {out.data.dtype}"
        loss = out.sum()
        loss.backward()
        assert loss.data.dtype == t.grad.dtype == out.grad.dtype == dtype
        grads[dtype] = t.grad
    np.testing.assert_allclose(grads[np.float32], grads[np.float64], rtol=1e-5, atol=1e-6)
    variable = tf.Variable(a.astype(np.float32))
    with tf.GradientTape() as tape:
        tf_loss = tf.reduce_sum(tf_fn(variable))
    np.testing.assert_allclose(grads[np.float32], tape.gradient(tf_loss, variable).numpy(),
                               rtol=1e-5, atol=1e-6)


def test_float64_constants_promote_but_gradients_keep_the_parameters_dtype():
    W = Tensor(np.ones((3, 2), np.float32), requires_grad=True)
    x = np.arange(6.0).reshape(2, 3)  # float64 data
    out = (x @ W).sum()
    assert out.data.dtype == np.float64  # NumPy's promotion, not silently lowered
    out.backward()
    assert W.grad.dtype == np.float32
    np.testing.assert_array_equal(W.grad, np.repeat(x.sum(axis=0)[:, None], 2, axis=1))


def test_gradients_are_writable_arrays_of_the_right_shape():
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    w.sum().backward()  # the sum's rule broadcasts: the gradient is still an array of its own
    assert w.grad.flags.writeable and w.grad.shape == (2, 3)
    w.grad[0, 0] = 5.0
    w.sum().backward()
    np.testing.assert_array_equal(w.grad, np.ones((2, 3)))


def test_softmax_cross_entropy_in_float32_matches_tensorflow():
    rng = np.random.default_rng(3)
    logits = (rng.normal(size=(64, 10)) * 20).astype(np.float32)  # large logits
    labels = rng.integers(0, 10, 64)
    t = Tensor(logits, requires_grad=True)
    loss = softmax_cross_entropy(t, labels)
    loss.backward()
    assert loss.data.dtype == t.grad.dtype == np.float32 and np.isfinite(loss.data)
    variable = tf.Variable(logits)
    with tf.GradientTape() as tape:
        tf_loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, variable))
    assert np.isclose(loss.data, tf_loss.numpy(), rtol=1e-6)
    np.testing.assert_allclose(t.grad, tape.gradient(tf_loss, variable).numpy(), atol=1e-7)
    # the fused rule is (softmax - one_hot) / n: every row of the gradient sums to zero
    np.testing.assert_allclose(t.grad.sum(axis=1), 0, atol=1e-7)


def test_two_layer_mnist_model_in_float32_matches_float64():
    """Training precision: the same model and batch in float32 and float64."""
    x, labels = two_layer_data()
    rng = np.random.default_rng(2)
    arrays = [rng.normal(0, 0.05, s) for s in [(784, 512), (512,), (512, 10), (10,)]]
    results = {}
    for dtype in (np.float32, np.float64):
        params = [Tensor(a.astype(dtype), requires_grad=True) for a in arrays]
        W1, b1, W2, b2 = params
        loss = softmax_cross_entropy((x.astype(dtype) @ W1 + b1).relu() @ W2 + b2, labels)
        loss.backward()
        assert loss.data.dtype == dtype and all(p.grad.dtype == dtype for p in params)
        results[dtype] = (float(loss.data), [p.grad for p in params])
    assert np.isclose(results[np.float32][0], results[np.float64][0], rtol=1e-6)
    assert largest_relative_difference(results[np.float32][1], results[np.float64][1]) < 1e-5


def test_unbroadcast_sums_stretched_axes():
    grad = np.ones((4, 2, 3))
    assert unbroadcast(grad, (2, 3)).tolist() == np.full((2, 3), 4.0).tolist()
    assert unbroadcast(grad, (2, 1)).tolist() == [[12.0], [12.0]]
    assert unbroadcast(grad, ()).shape == () and unbroadcast(grad, ()) == 24.0
    with pytest.raises(ValueError, match=r"shape \(4, 2, 3\) .* shape \(5,\)"):
        unbroadcast(grad, (5,))
    forgot_return = Tensor.from_operation(1.0, "f", [Tensor(1.0, requires_grad=True)],
                                          [lambda g: None])
    with pytest.raises(TypeError, match="backward rule returned None"):
        forgot_return.backward()


def test_grad_of_intermediate_tensors_has_their_shape():
    W = Tensor(np.ones((3, 2)), requires_grad=True)
    h = Tensor(np.ones((4, 3))) @ W + Tensor(np.zeros(2), requires_grad=True)
    h.relu().mean().backward()
    assert h.grad.shape == (4, 2) and W.grad.shape == (3, 2)


@pytest.mark.parametrize("make, error, message", [
    (lambda: Tensor(np.ones((2, 3))) + Tensor(np.ones(4)), ValueError, r"add .*\(2, 3\) and \(4,\)"),
    (lambda: Tensor(np.ones((2, 3))) * np.ones((3, 2)), ValueError, r"multiply .*\(2, 3\) and \(3, 2\)"),
    (lambda: Tensor(np.ones(2)) - np.ones(3), ValueError, r"subtract .*\(2,\) and \(3,\)"),
    (lambda: 1 / Tensor(np.ones((2, 2))) / np.ones(3), ValueError, r"divide .*\(2, 2\) and \(3,\)"),
    (lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 2))), ValueError, r"\(2, 3\) @ \(4, 2\)"),
    (lambda: Tensor(np.ones((2, 2, 2))) @ Tensor(np.ones(2)), ValueError, r"1-D or 2-D.*\(2, 2, 2\)"),
    (lambda: Tensor(np.ones((2, 3)), requires_grad=True).backward(), ValueError, r"shape \(2, 3\)"),
    (lambda: (Tensor(np.ones((2, 3)), requires_grad=True) * 2).sum(axis=0).backward(),
     ValueError, r"single number.*shape \(3,\).*\.sum\(\)"),
    (lambda: Tensor(2.0).backward(), ValueError, "requires_grad=True"),
    (lambda: Tensor("two"), TypeError, "str"),
    (lambda: Tensor([True, False]), TypeError, "bool"),
    (lambda: Tensor([1 + 2j]), TypeError, "complex"),
    (lambda: Tensor(1.0) + "one", TypeError, "str"),
    (lambda: Tensor(1.0) ** Tensor(2.0), TypeError, "exponent"),
    (lambda: Tensor([1.0, 0.0]).log(), ValueError, "positive"),
    (lambda: Tensor(np.ones(3)).sum(axis=1), ValueError, r"shape \(3,\) over axis=1"),
    (lambda: Tensor(np.ones((0, 2))).mean(), ValueError, "empty"),
    (lambda: Tensor.from_operation(1.0, "f", [Tensor(1.0)], []), TypeError, "backward rules"),
    (lambda: softmax_cross_entropy(Tensor(np.ones(3)), [0]), ValueError, r"\(batch, classes\)"),
    (lambda: softmax_cross_entropy(Tensor(np.ones((2, 3))), [0]), ValueError, r"\(2,\).*\(1,\)"),
    (lambda: softmax_cross_entropy(Tensor(np.ones((2, 3))), [0.0, 1.0]), TypeError, "integer"),
    (lambda: softmax_cross_entropy(Tensor(np.ones((2, 3))), [0, 3]), ValueError, r"0\.\.2"),
    (lambda: softmax_cross_entropy(Tensor(np.ones((2, 3))), [-1, 0]), ValueError, r"0\.\.2"),
])
def test_bad_inputs_give_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


# ---- helpers.autodiff_graph: the drawings come from the engine's own graph ----------------

def test_layout_puts_parents_above_and_keeps_nodes_apart():
    from helpers.autodiff_graph import layout

    *_, loss_val = worked_example()
    a = Tensor(2.0, requires_grad=True)
    several = a * Tensor(5.0) + a * a + loss_val
    for root in (loss_val, several):
        positions = layout(root)
        assert positions[id(root)] == (0.0, max(layer for _, layer in positions.values()))
        for t in root.topological_order():
            for p in t.parents:
                assert positions[id(p)][1] < positions[id(t)][1]
        placed = list(positions.values())
        for i, (c1, l1) in enumerate(placed):
            assert all(abs(c1 - c2) >= 1 for c2, l2 in placed[i + 1:] if l2 == l1)


def test_draw_graph_labels_nodes_and_backward_edges():
    import matplotlib.pyplot as plt

    from helpers.autodiff_graph import draw_graph, format_number

    x, w, b, x1, x2, loss_val = worked_example()
    loss_val.backward()
    fig = draw_graph(loss_val, values=True, grads=True, backward_edges=True,
                     highlight=[loss_val, w], title="the worked example")
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_text()]  # not the arrows
    plt.close(fig)
    assert "x1 = x * w\nvalue 6\ngrad 1" in texts and "w\nvalue 3\ngrad 2" in texts
    assert "x\nvalue 2" in texts  # a constant: no gradient line
    assert "loss_val = abs(4 - x2)\nvalue 3\ngrad 1" in texts
    edge_labels = sorted(t for t in texts if "\n" not in t)
    assert edge_labels == ["-1", "-1", "1", "1", "2"]  # no label towards constants x and 4
    fig = draw_graph(loss_val)
    assert sorted(t.get_text() for t in fig.axes[0].texts if t.get_text()) == [
        "4", "4 - x2", "b", "loss_val = abs(4 - x2)", "w", "x", "x1 = x * w", "x2 = x1 + b"]
    plt.close(fig)
    assert format_number(np.array(6.0)) == "6" and format_number(-0.5) == "-0.5"
    assert format_number(0.0) == "0" and format_number(1.23456e-5) == "1.235e-05"
    with pytest.raises(TypeError, match="needs a Tensor"):
        draw_graph(3.0)
