"""Chapter 5's geometry helpers: transforms against plain NumPy, shapes, PCA and plots."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402

from helpers import geometry as g  # noqa: E402

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
angles = st.floats(-2 * np.pi, 2 * np.pi, allow_nan=False)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@st.composite
def affine_problem(draw):
    n, d, m = draw(st.integers(1, 12)), draw(st.integers(1, 5)), draw(st.integers(1, 5))
    points = draw(arrays(np.float64, (n, d), elements=finite))
    matrix = draw(arrays(np.float64, (m, d), elements=finite))
    translation = draw(arrays(np.float64, (m,), elements=finite))
    return points, matrix, translation


# ---------------------------------------------------------------- apply_affine

@given(affine_problem())
@settings(max_examples=60, deadline=None)
def test_apply_affine_maps_each_point_like_matrix_times_column(problem):
    points, matrix, translation = problem
    copies = [a.copy() for a in problem]
    expected = np.array([matrix @ p + translation for p in points])
    np.testing.assert_allclose(g.apply_affine(points, matrix, translation), expected,
                               rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(g.apply_affine(points, matrix),
                               np.array([matrix @ p for p in points]), rtol=1e-12, atol=1e-9)
    for original, after in zip(copies, problem):
        np.testing.assert_array_equal(original, after)  # inputs untouched


def test_apply_affine_single_point_and_lists():
    assert np.allclose(g.apply_affine([1.0, 2.0], [[0, -1], [1, 0]], [1, 1]), [-1.0, 2.0])
    assert g.apply_affine(np.zeros(3), np.ones((2, 3))).shape == (2,)
    ints = np.array([[1, 2]])
    assert np.allclose(g.apply_affine(ints, np.eye(2), [0.5, 0.5]), [[1.5, 2.5]])


def test_apply_affine_matches_a_keras_dense_layer():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(3, 4)), rng.normal(size=3)
    x = rng.normal(size=(7, 4)).astype("float32")
    layer = keras.layers.Dense(3)
    layer.build((None, 4))
    layer.set_weights([W.T, b])
    np.testing.assert_allclose(np.asarray(layer(x)), g.apply_affine(x, W, b), atol=1e-5)


@pytest.mark.parametrize("args, error, message", [
    ((np.zeros((2, 2, 2)), np.eye(2)), ValueError, r"shape \(n, d\).*\(2, 2, 2\)"),
    ((np.zeros((5, 3)), np.eye(2)), ValueError, r"matrix of shape \(2, 2\).*2 coordinates.*\(5, 3\)"),
    ((np.zeros((5, 2)), np.ones(2)), ValueError, r"matrix must be 2-D.*\(2,\)"),
    ((np.zeros((5, 2)), np.eye(2), np.zeros(3)), ValueError, r"translation must have shape \(2,\).*\(3,\)"),
    ((np.array([["a", "b"]]), np.eye(2)), TypeError, r"points must hold numbers, got dtype <U1"),
    ((np.zeros((1, 2)), np.eye(2, dtype=complex)), TypeError, r"matrix must be real"),
    ((np.zeros((1, 2)), [[1, 0], [0, None]]), TypeError, r"matrix must hold numbers, got dtype object"),
])
def test_apply_affine_rejects_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        g.apply_affine(*args)


# ---------------------------------------------------------------- matrices

@given(angles, angles)
def test_rotations_are_orthogonal_and_add_angles(a, b):
    R = g.rotation_matrix(a)
    np.testing.assert_allclose(R @ R.T, np.eye(2), atol=1e-12)
    assert np.isclose(np.linalg.det(R), 1.0)
    np.testing.assert_allclose(R @ [1, 0], [np.cos(a), np.sin(a)], atol=1e-12)
    np.testing.assert_allclose(g.rotation_matrix(a) @ g.rotation_matrix(b),
                               g.rotation_matrix(a + b), atol=1e-9)


def test_quarter_turn_is_counterclockwise():
    np.testing.assert_allclose(g.rotation_matrix(np.pi / 2) @ [1, 0], [0, 1], atol=1e-12)


@given(finite, finite, finite, angles)
def test_scaling_shear_and_explorer_matrix(sx, sy, k, angle):
    np.testing.assert_array_equal(g.scaling_matrix(sx, sy) @ [1.0, 1.0], [sx, sy])
    np.testing.assert_allclose(g.shear_matrix(k) @ [2.0, 3.0], [2.0 + 3.0 * k, 3.0])
    expected = g.rotation_matrix(angle) @ g.shear_matrix(k) @ g.scaling_matrix(sx, sy)
    np.testing.assert_allclose(g.transform_matrix(angle, sx, sy, k), expected)


def test_explorer_matrix_defaults_to_identity():
    np.testing.assert_array_equal(g.transform_matrix(), np.eye(2))


# ---------------------------------------------------------------- compose_affine

@st.composite
def two_layers(draw):
    d, h, m = (draw(st.integers(1, 5)) for _ in range(3))
    n = draw(st.integers(1, 8))
    shapes = [(h, d), (h,), (m, h), (m,), (n, d)]
    return [draw(arrays(np.float64, s, elements=st.floats(-3, 3))) for s in shapes]


@given(two_layers())
@settings(max_examples=60, deadline=None)
def test_two_affine_maps_are_one(layers):
    W1, b1, W2, b2, x = layers
    copies = [a.copy() for a in layers]
    W, b = g.compose_affine(W1, b1, W2, b2)
    stacked = g.apply_affine(g.apply_affine(x, W1, b1), W2, b2)
    np.testing.assert_allclose(g.apply_affine(x, W, b), stacked, rtol=1e-10, atol=1e-9)
    for original, after in zip(copies, layers):
        np.testing.assert_array_equal(original, after)


@given(arrays(np.float64, (3, 2), elements=st.floats(-3, 3)),
       arrays(np.float64, (3,), elements=st.floats(-3, 3)))
@settings(max_examples=30, deadline=None)
def test_every_affine_map_is_a_stack_of_two(W, b):
    """Section 5.7: the stack's hypothesis space holds every affine map."""
    W_s, b_s = g.compose_affine(W, b, np.eye(3), np.zeros(3))
    np.testing.assert_allclose(W_s, W)
    np.testing.assert_allclose(b_s, b)


@given(st.integers(2, 5), st.integers(1, 3), st.integers(2, 5),
       st.integers(0, 2**31))
@settings(max_examples=30, deadline=None)
def test_a_narrow_middle_layer_limits_the_rank(d, h, m, seed):
    """Section 5.7: through h units, W2 W1 has rank at most h."""
    rng = np.random.default_rng(seed)
    W, _ = g.compose_affine(rng.normal(size=(h, d)), rng.normal(size=h),
                            rng.normal(size=(m, h)), rng.normal(size=m))
    assert W.shape == (m, d)
    assert np.linalg.matrix_rank(W) == min(h, d, m)


def test_relu_between_breaks_the_collapse():
    W1, b1 = np.eye(2), np.array([-0.5, -0.5])
    W2, b2 = np.eye(2), np.zeros(2)
    x = g.outline(g.letter_f())
    W, b = g.compose_affine(W1, b1, W2, b2)
    with_relu = g.apply_affine(np.maximum(g.apply_affine(x, W1, b1), 0), W2, b2)
    assert not np.allclose(with_relu, g.apply_affine(x, W, b))


@pytest.mark.parametrize("shapes, message", [
    (((2, 3), (2,), (4, 3), (4,)), r"shapes do not chain: W1 \(2, 3\).*W2 \(4, 3\)"),
    (((2, 3), (3,), (4, 2), (4,)), r"shapes do not chain: W1 \(2, 3\), b1 \(3,\)"),
    (((2, 3), (2,), (4, 2), (2,)), r"shapes do not chain.*b2 \(2,\)"),
    (((2, 3), (2, 1), (4, 2), (4,)), r"matrices.*vectors.*b1 \(2, 1\)"),
    (((3,), (2,), (4, 2), (4,)), r"matrices.*vectors.*W1 \(3,\)"),
])
def test_compose_affine_rejects_shapes_that_do_not_chain(shapes, message):
    with pytest.raises(ValueError, match=message):
        g.compose_affine(*(np.zeros(s) for s in shapes))


# ---------------------------------------------------------------- shapes

@pytest.mark.parametrize("make", [g.letter_f, g.house])
def test_shapes_have_no_mirror_symmetry(make):
    shape = make()
    assert shape.ndim == 2 and shape.shape[1] == 2 and shape.dtype == float

    def canonical(points):  # vertex set up to translation
        points = points - points.min(axis=0)
        return sorted(map(tuple, np.round(points, 9)))

    for mirror in (np.diag([-1.0, 1.0]), np.diag([1.0, -1.0])):
        assert canonical(shape @ mirror.T) != canonical(shape)
    make()[0, 0] = 99.0  # each call returns a fresh array
    assert make()[0, 0] != 99.0


def test_letter_f_facts_used_in_chapter_5():
    F = g.letter_f()
    assert F.shape == (10, 2)
    np.testing.assert_array_equal(F.min(axis=0), [0.0, 0.0])
    np.testing.assert_array_equal(F.max(axis=0), [0.9, 1.5])
    np.testing.assert_array_equal(F[1], [0.3, 0.0])
    np.testing.assert_array_equal(F[9], [0.0, 1.5])


@given(st.integers(1, 30))
def test_outline_puts_points_on_the_edges(per_edge):
    F = g.letter_f()
    dense = g.outline(F, per_edge)
    assert dense.shape == (len(F) * per_edge + 1, 2)
    np.testing.assert_array_equal(dense[::per_edge][:-1], F)  # every vertex, in order
    np.testing.assert_array_equal(dense[-1], dense[0])  # closed
    closed = np.vstack([F, F[:1]])
    for i, (start, end) in enumerate(zip(closed[:-1], closed[1:])):
        piece = dense[i * per_edge:(i + 1) * per_edge + 1]
        cross = (end - start)[0] * (piece - start)[:, 1] - (end - start)[1] * (piece - start)[:, 0]
        np.testing.assert_allclose(cross, 0, atol=1e-12)  # on the line through the edge


@pytest.mark.parametrize("points, per_edge, message", [
    (np.zeros((1, 2)), 5, r"at least two vertices.*\(1, 2\)"),
    (np.zeros(4), 5, r"at least two vertices.*\(4,\)"),
    (np.zeros((3, 2)), 0, r"per_edge must be a positive int, got 0"),
    (np.zeros((3, 2)), 2.5, r"per_edge must be a positive int, got 2.5"),
])
def test_outline_rejects_bad_input(points, per_edge, message):
    with pytest.raises(ValueError, match=message):
        g.outline(points, per_edge)


# ---------------------------------------------------------------- spirals and layers

def test_two_spirals():
    x, y = g.two_spirals(50, seed=3)
    assert x.shape == (100, 2) and x.dtype == np.float32
    assert y.dtype == np.int64 and np.bincount(y).tolist() == [50, 50]
    x2, _ = g.two_spirals(50, seed=3)
    np.testing.assert_array_equal(x, x2)  # same seed, same data
    assert not np.array_equal(x, g.two_spirals(50, seed=4)[0])
    clean, _ = g.two_spirals(50, noise=0.0, seed=3)
    np.testing.assert_allclose(clean[50:], -clean[:50])  # arm 1 is arm 0 turned by half a turn
    assert np.abs(clean).max() <= 1.0


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_per_class=0), "n_per_class must be a positive int, got 0"),
    (dict(n_per_class=2.5), "n_per_class must be a positive int, got 2.5"),
    (dict(turns=0), "turns must be > 0"),
    (dict(noise=-1.0), "noise >= 0"),
])
def test_two_spirals_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        g.two_spirals(**kwargs)


def test_layer_by_layer_with_plain_functions():
    x = np.arange(6.0).reshape(3, 2)
    views = g.layer_by_layer([lambda h: h * 2, lambda h: h.sum(axis=1, keepdims=True)], x)
    assert [v.shape for v in views] == [(3, 2), (3, 2), (3, 1)]
    np.testing.assert_array_equal(views[2][:, 0], 2 * x.sum(axis=1))
    np.testing.assert_array_equal(x, np.arange(6.0).reshape(3, 2))
    with pytest.raises(TypeError, match="every layer must be callable, got int"):
        g.layer_by_layer([3], x)


def test_layer_by_layer_ends_with_the_model_output():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    x, _ = g.two_spirals(20, seed=0)
    views = g.layer_by_layer(model.layers, x)
    assert [v.shape for v in views] == [(40, 2), (40, 5), (40, 1)]
    np.testing.assert_allclose(views[-1], model.predict(x, verbose=0), atol=1e-6)
    W, b = model.layers[0].get_weights()
    np.testing.assert_allclose(views[1], np.maximum(g.apply_affine(x, W.T, b), 0), atol=1e-5)


@given(st.integers(2, 40), st.integers(2, 6), st.integers(0, 2**31))
@settings(max_examples=40, deadline=None)
def test_project_2d_is_pca(n, d, seed):
    h = np.random.default_rng(seed).normal(size=(n, d)) * np.arange(1, d + 1)
    original = h.copy()
    xy = g.project_2d(h)
    np.testing.assert_array_equal(h, original)
    assert xy.shape == (n, 2)
    np.testing.assert_allclose(xy.mean(axis=0), 0, atol=1e-9)
    # the variances along the two axes are the two largest eigenvalues of the covariance
    eigenvalues = np.sort(np.linalg.eigvalsh(np.cov(h, rowvar=False, bias=True)))[::-1]
    np.testing.assert_allclose(xy.var(axis=0), eigenvalues[:2], rtol=1e-6, atol=1e-9)
    norms = np.linalg.norm(xy, axis=0)
    assert abs(xy[:, 0] @ xy[:, 1]) <= 1e-9 * (norms[0] * norms[1] + 1.0)  # uncorrelated axes
    np.testing.assert_allclose(g.project_2d(h + 5.0), xy, atol=1e-8)  # centred first


def test_project_2d_keeps_a_plane_exactly():
    rng = np.random.default_rng(1)
    flat = rng.normal(size=(30, 2)) * [3.0, 1.0]
    embedded = flat @ np.linalg.qr(rng.normal(size=(5, 5)))[0][:2]  # a plane inside 5-D
    xy = g.project_2d(embedded)
    distances = lambda p: np.linalg.norm(p[:, None] - p[None], axis=-1)  # noqa: E731
    np.testing.assert_allclose(distances(xy), distances(flat), atol=1e-9)


@pytest.mark.parametrize("shape", [(10, 1), (1, 3), (4,)])
def test_project_2d_rejects_too_little_data(shape):
    with pytest.raises(ValueError, match=rf"project_2d needs.*got shape \({shape[0]},"):
        g.project_2d(np.zeros(shape))


# ---------------------------------------------------------------- plots and labels

def test_matrix_label():
    assert g.matrix_label([[1, 0], [0, -1]], "M", 1) == "M = [  1.0   0.0 ]\n    [  0.0  -1.0 ]"
    assert "-0.00" not in g.matrix_label([[-1e-9, 0.0], [0.0, 1.0]])  # no negative zero
    assert g.matrix_label([1.0, 2.0], "b", 0) == "b = [ 1 ]\n    [ 2 ]"


def test_show_matrix_writes_the_label_in_a_corner():
    ax = plt.figure().add_subplot()
    text = g.show_matrix(ax, np.eye(2), "I", 0, corner="upper left")
    assert text.get_text() == g.matrix_label(np.eye(2), "I", 0)
    assert text.get_position() == (0.03, 0.97)
    with pytest.raises(ValueError, match="corner must be like"):
        g.show_matrix(ax, np.eye(2), corner="middle right")


@pytest.mark.parametrize("relu", [False, True])
def test_plot_before_after_draws_both_shapes(relu):
    F = g.letter_f()
    W, b = g.rotation_matrix(2.0), np.array([0.2, -0.4])
    ax = g.plot_before_after(F, W, b, relu=relu, title="t")
    lines = {line.get_label(): line.get_xydata() for line in ax.lines}
    before, after = lines["before"], lines["after"]
    np.testing.assert_allclose(before, g.outline(F))
    expected = g.apply_affine(g.outline(F), W, b)
    np.testing.assert_allclose(after, np.maximum(expected, 0) if relu else expected)
    assert ax.get_title() == "t"
    np.testing.assert_array_equal(F, g.letter_f())


def test_draw_shape_closes_the_outline_once():
    ax = plt.figure().add_subplot()
    g.draw_shape(ax, g.letter_f(), label="open")
    g.draw_shape(ax, g.outline(g.letter_f()), label="closed", filled=False)
    lines = {line.get_label(): line.get_xydata() for line in ax.lines}
    assert len(lines["open"]) == 11 and np.array_equal(lines["open"][0], lines["open"][-1])
    assert len(lines["closed"]) == 201
    assert len(ax.patches) == 1  # only the first shape is filled


def test_plot_helpers_reject_bad_shapes():
    ax = plt.figure().add_subplot()
    with pytest.raises(ValueError, match=r"plot_before_after needs points of shape \(n, 2\), got \(4, 3\)"):
        g.plot_before_after(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"draw_shape needs 2-D points of shape \(n, 2\), got \(4, 3\)"):
        g.draw_shape(ax, np.zeros((4, 3)))


def test_plot_layer_views():
    x, y = g.two_spirals(30, seed=0)
    views = [x, np.hstack([x, x]), x[:, :1]]
    fig = g.plot_layer_views(views, y, ["in", "wide", "narrow"])
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["in\n(2 coordinates)", "wide\n(PCA of 4 units)", "narrow\n(1 coordinate)"]
    np.testing.assert_allclose(fig.axes[1].collections[0].get_offsets(),
                               g.project_2d(views[1].astype(float))[y == 0])
    _, axes = plt.subplots(2, 3)
    assert g.plot_layer_views(views, y, axes=axes[1]) is axes[1, 0].figure
    with pytest.raises(ValueError, match="got 3 views but 2 titles"):
        g.plot_layer_views(views, y, ["a", "b"])
    with pytest.raises(ValueError, match="got 3 views but 6 axes"):
        g.plot_layer_views(views, y, axes=axes)
    with pytest.raises(ValueError, match=r"each view must have shape \(60, d\), got \(59, 2\)"):
        g.plot_layer_views([x[:-1]], y)
