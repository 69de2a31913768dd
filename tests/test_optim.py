"""helpers.optim: finite differences against analytic gradients, SGD and momentum
against hand-computed steps, and every bad-input error."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers.optim import (NonFiniteError, Trajectory, descend, linear_mse, linear_mse_gradient,
                           minibatch_sgd, momentum_step, numeric_gradient, perturbation_step)

finite = st.floats(-3, 3, allow_nan=False, allow_infinity=False)
small_arrays = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                          elements=finite)

# (f, its exact gradient) for functions of an array of any shape
FUNCTIONS = {
    "weighted squares": (lambda x: np.sum(np.arange(x.size).reshape(x.shape) * x ** 2),
                         lambda x: 2 * np.arange(x.size).reshape(x.shape) * x),
    "x sin x": (lambda x: np.sum(x * np.sin(x)), lambda x: np.sin(x) + x * np.cos(x)),
    "log-sum-exp": (lambda x: np.log(np.sum(np.exp(x))),
                    lambda x: np.exp(x) / np.sum(np.exp(x))),
    "cubes": (lambda x: np.sum(x ** 3), lambda x: 3 * x ** 2),
}


# --- numeric_gradient ---------------------------------------------------------

@pytest.mark.parametrize("name", FUNCTIONS)
@settings(max_examples=40, deadline=None)
@given(x=small_arrays)
def test_numeric_gradient_matches_the_analytic_gradient(name, x):
    f, exact = FUNCTIONS[name]
    original = x.copy()
    result = numeric_gradient(f, x)
    assert result.shape == x.shape and result.dtype == np.float64
    np.testing.assert_allclose(result, exact(x), rtol=1e-6, atol=1e-7)
    assert np.array_equal(x, original)  # the input is never modified


def test_numeric_derivatives_of_cos_and_linear_functions():
    for x in np.linspace(-4, 4, 17):
        assert np.isclose(numeric_gradient(np.cos, x), -np.sin(x), atol=1e-9)
        for a in (-3.0, 0.25, 7.0):
            assert np.isclose(numeric_gradient(lambda v: a * v, x), a, atol=1e-8)


def test_numeric_gradient_accepts_plain_numbers_lists_and_ints():
    assert numeric_gradient(lambda v: v ** 2, 3).shape == ()
    assert np.isclose(numeric_gradient(lambda v: v ** 2, 3), 6.0)
    np.testing.assert_allclose(numeric_gradient(lambda v: np.sum(v ** 2), [1, 2, 3]), [2, 4, 6])
    ints = np.array([1, -2], dtype=np.int32)
    assert numeric_gradient(lambda v: np.sum(v * v), ints).dtype == np.float64
    assert ints.dtype == np.int32 and ints.tolist() == [1, -2]


def test_numeric_gradient_step_is_not_lost_on_large_entries():
    # a fixed step of 1e-5 would be lost to rounding: 3e20 + 1e-5 == 3e20 in float64
    for x in (1e12, -3e20, 0.5):
        assert np.isclose(numeric_gradient(lambda v: v ** 2, x), 2 * x, rtol=1e-6)


def test_numeric_gradient_calls_f_twice_per_entry():
    calls = []
    numeric_gradient(lambda v: calls.append(1) or float(np.sum(v)), np.zeros((3, 4)))
    assert len(calls) == 2 * 12


def test_numeric_gradient_bad_inputs():
    with pytest.raises(TypeError, match="f must be callable, got int"):
        numeric_gradient(3, [1.0])
    with pytest.raises(TypeError, match="x must hold real numbers.*<U1"):
        numeric_gradient(np.sum, np.array(["a", "b"]))
    with pytest.raises(TypeError, match="x must hold real numbers.*complex"):
        numeric_gradient(np.sum, np.array([1j]))
    with pytest.raises(TypeError, match="x must hold real numbers.*bool"):
        numeric_gradient(np.sum, np.array([True]))
    with pytest.raises(TypeError, match="x must be an array of real numbers"):
        numeric_gradient(np.sum, [[1.0, 2.0], [3.0]])
    with pytest.raises(ValueError, match=r"x must be finite, got 1 non-finite value\(s\) in an array of shape \(2,\)"):
        numeric_gradient(np.sum, [1.0, np.nan])
    with pytest.raises(ValueError, match="eps must be > 0, got 0.0"):
        numeric_gradient(np.sum, [1.0], eps=0)
    with pytest.raises(TypeError, match="eps must be a real number, got bool"):
        numeric_gradient(np.sum, [1.0], eps=True)
    with pytest.raises(ValueError, match="eps must be finite"):
        numeric_gradient(np.sum, [1.0], eps=np.inf)
    with pytest.raises(ValueError, match=r"f must return a scalar, got an array of shape \(2,\)"):
        numeric_gradient(lambda v: v * 2, [1.0, 2.0])
    with pytest.raises(TypeError, match="f must return a real number"):
        numeric_gradient(lambda v: "loss", [1.0])
    with pytest.raises(NonFiniteError, match=r"entry \(1,\) of x \(shape \(2,\)\)"):
        numeric_gradient(lambda v: np.inf if v[1] < 0 else float(np.sum(v)), [0.0, 0.0])
    assert issubclass(NonFiniteError, ValueError)


# --- the linear model of section 6.3 --------------------------------------------

@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 6), features=st.integers(1, 4), outputs=st.integers(1, 3),
       seed=st.integers(0, 10_000))
def test_linear_mse_gradient_matches_finite_differences(n, features, outputs, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(n, features)), rng.normal(size=(n, outputs))
    W = rng.normal(size=(features, outputs))
    copies = [x.copy(), y.copy(), W.copy()]
    assert np.isclose(linear_mse(W, x, y), np.mean((x @ W - y) ** 2))
    exact = linear_mse_gradient(W, x, y)
    assert exact.shape == W.shape
    np.testing.assert_allclose(numeric_gradient(lambda w: linear_mse(w, x, y), W), exact,
                               rtol=1e-6, atol=1e-8)
    assert all(np.array_equal(a, b) for a, b in zip((x, y, W), copies))


def test_linear_model_shape_errors():
    x, y, W = np.ones((4, 3)), np.ones((4, 2)), np.ones((3, 2))
    with pytest.raises(ValueError, match=r"must be matrices \(rank 2\).*W \(3,\)"):
        linear_mse(np.ones(3), x, y)
    with pytest.raises(ValueError, match=r"x \(4, 3\) @ W \(2, 2\) cannot be compared with y \(4, 2\)"):
        linear_mse_gradient(np.ones((2, 2)), x, y)
    with pytest.raises(ValueError, match=r"x \(4, 3\) @ W \(3, 2\) cannot be compared with y \(5, 2\)"):
        linear_mse(W, x, np.ones((5, 2)))
    with pytest.raises(ValueError, match="y must be finite"):
        linear_mse(W, x, np.full((4, 2), np.inf))


# --- perturbation_step ----------------------------------------------------------

def test_perturbation_step_moves_each_coefficient_towards_the_lower_loss():
    target = np.array([[1.0, -1.0], [0.0, 2.0]])
    w = np.zeros((2, 2))
    new, passes = perturbation_step(lambda v: np.sum((v - target) ** 2), w, delta=0.1)
    assert passes == 8 and np.array_equal(w, np.zeros((2, 2)))
    np.testing.assert_allclose(new, [[0.1, -0.1], [0.0, 0.1]])  # a tie (at the target) stays


def test_perturbation_step_bad_inputs():
    with pytest.raises(TypeError, match="loss must be callable"):
        perturbation_step(None, [1.0], 0.1)
    with pytest.raises(ValueError, match="delta must be > 0, got -0.1"):
        perturbation_step(np.sum, [1.0], -0.1)


# --- momentum_step --------------------------------------------------------------

def test_momentum_step_by_hand():
    w, v = momentum_step(2.0, -0.1, 21.0, learning_rate=0.01, momentum=0.9)
    assert np.isclose(v, 0.9 * -0.1 - 0.01 * 21) and np.isclose(w, 2.0 - 0.3)
    w, v = momentum_step([1.0, -2.0], [5.0, 5.0], [0.5, -1.0], learning_rate=0.1)
    np.testing.assert_allclose(v, [-0.05, 0.1])  # momentum 0 forgets the old velocity: plain SGD
    np.testing.assert_allclose(w, [0.95, -1.9])


@settings(max_examples=40, deadline=None)
@given(w=small_arrays, lr=st.floats(1e-4, 1.0), mu=st.floats(0, 0.99), seed=st.integers(0, 99))
def test_momentum_step_is_velocity_then_position(w, lr, mu, seed):
    rng = np.random.default_rng(seed)
    v, g = rng.normal(size=w.shape), rng.normal(size=w.shape)
    copies = [w.copy(), v.copy(), g.copy()]
    new_w, new_v = momentum_step(w, v, g, learning_rate=lr, momentum=mu)
    np.testing.assert_allclose(new_v, mu * v - lr * g)
    np.testing.assert_allclose(new_w, w + new_v)
    assert all(np.array_equal(a, b) for a, b in zip((w, v, g), copies))


def test_momentum_step_bad_inputs():
    with pytest.raises(ValueError, match=r"same shape, got \(2,\), \(2,\) and \(3,\)"):
        momentum_step(np.ones(2), np.ones(2), np.ones(3), learning_rate=0.1)
    for bad in (0, -0.5):
        with pytest.raises(ValueError, match="learning_rate must be > 0"):
            momentum_step(1.0, 0.0, 1.0, learning_rate=bad)
    with pytest.raises(TypeError, match="learning_rate must be a real number, got str"):
        momentum_step(1.0, 0.0, 1.0, learning_rate="0.1")
    with pytest.raises(ValueError, match="learning_rate must be finite"):
        momentum_step(1.0, 0.0, 1.0, learning_rate=np.nan)
    for bad in (1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
            momentum_step(1.0, 0.0, 1.0, learning_rate=0.1, momentum=bad)
    with pytest.raises(TypeError, match="momentum must be a real number, got bool"):
        momentum_step(1.0, 0.0, 1.0, learning_rate=0.1, momentum=True)
    with pytest.raises(ValueError, match="gradient must be finite"):
        momentum_step(1.0, 0.0, np.inf, learning_rate=0.1)


def test_nesterov_step_by_hand_and_with_momentum_zero():
    w, v = momentum_step(2.0, -0.1, 21.0, learning_rate=0.01, momentum=0.9,
                         nesterov=True)
    assert np.isclose(v, -0.3) and np.isclose(w, 2.0 + 0.9 * -0.3 - 0.21)
    for nesterov in (False, True):   # momentum 0: both are plain SGD
        w, v = momentum_step([1.0, -2.0], [5.0, 5.0], [0.5, -1.0], learning_rate=0.1,
                             nesterov=nesterov)
        np.testing.assert_allclose(w, [0.95, -1.9])


def test_nesterov_step_is_the_look_ahead_form_in_other_coordinates():
    """Nesterov's original update evaluates the gradient at the look-ahead point
    u + mu * v: v <- mu v - lr grad(u + mu v), u <- u + v. The Keras form tracks
    w = u + mu * v and needs the gradient at w only; the two visit the same points."""
    A = np.array([[3.0, 1.0], [1.0, 0.5]])

    def grad(x):
        return A @ x

    lr, mu = 0.1, 0.8
    u, v_u = np.array([1.0, -2.0]), np.zeros(2)
    w, v_w = u.copy(), np.zeros(2)
    for _ in range(25):
        v_u = mu * v_u - lr * grad(u + mu * v_u)
        u = u + v_u
        w, v_w = momentum_step(w, v_w, grad(w), learning_rate=lr, momentum=mu, nesterov=True)
        np.testing.assert_allclose(w, u + mu * v_u, atol=1e-12)
        np.testing.assert_allclose(v_w, v_u, atol=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_step_matches_keras_sgd(nesterov):
    from helpers import import_keras
    keras = import_keras()
    rng = np.random.default_rng(5)
    start = rng.normal(size=(3, 2))
    target = rng.normal(size=(3, 2))
    variable = keras.Variable(start.astype("float32"))
    optimizer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=nesterov)
    w, v = start, np.zeros_like(start)
    for _ in range(10):
        gradient = 2 * (w - target)
        keras_gradient = 2 * (np.asarray(variable) - target)
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(
            keras_gradient.astype("float32")), variable)])
        w, v = momentum_step(w, v, gradient, learning_rate=0.05, momentum=0.9,
                             nesterov=nesterov)
    np.testing.assert_allclose(np.asarray(variable), w, rtol=1e-4, atol=1e-5)


def test_nesterov_flag_must_be_a_bool():
    with pytest.raises(TypeError, match="nesterov must be True or False, got str"):
        momentum_step(1.0, 0.0, 1.0, learning_rate=0.1, nesterov="yes")
    with pytest.raises(TypeError, match="nesterov must be True or False, got int"):
        descend(lambda w: w ** 2, 1.0, learning_rate=0.1, steps=1, nesterov=1)


# --- descend --------------------------------------------------------------------

def test_descend_by_hand_plain_and_with_momentum():
    plain = descend(lambda w: w ** 2, 1.0, learning_rate=0.1, steps=3, gradient=lambda w: 2 * w)
    np.testing.assert_allclose(plain.points, [1.0, 0.8, 0.64, 0.512])
    np.testing.assert_allclose(plain.losses, plain.points ** 2)
    rolling = descend(lambda w: w ** 2, 1.0, learning_rate=0.1, momentum=0.5, steps=3,
                      gradient=lambda w: 2 * w)
    # v1 = -0.2, w1 = 0.8; v2 = -0.1 - 0.16 = -0.26, w2 = 0.54; v3 = -0.13 - 0.108, w3 = 0.302
    np.testing.assert_allclose(rolling.points, [1.0, 0.8, 0.54, 0.302])
    assert isinstance(rolling, Trajectory) and not rolling.diverged and rolling.end == rolling.points[-1]


def test_descend_records_arrays_and_uses_the_numeric_gradient_by_default():
    def loss(w):
        return np.sum((w - np.array([[1.0, 2.0]])) ** 2)

    start = np.zeros((1, 2))
    numeric = descend(loss, start, learning_rate=0.1, steps=20)
    exact = descend(loss, start, learning_rate=0.1, steps=20,
                    gradient=lambda w: 2 * (w - np.array([[1.0, 2.0]])))
    assert numeric.points.shape == (21, 1, 2) and numeric.losses.shape == (21,)
    np.testing.assert_allclose(numeric.points, exact.points, atol=1e-8)
    assert np.array_equal(start, np.zeros((1, 2)))


def test_descend_escapes_the_local_minimum_only_with_momentum():
    def loss(w):
        return w ** 4 - 3 * w ** 2 + w

    def grad(w):
        return 4 * w ** 3 - 6 * w + 1

    plain = descend(loss, 2.0, learning_rate=0.01, steps=200, gradient=grad)
    rolling = descend(loss, 2.0, learning_rate=0.01, momentum=0.9, steps=200, gradient=grad)
    assert np.isclose(plain.end, 1.1309, atol=1e-3) and np.isclose(rolling.end, -1.3008, atol=1e-3)
    # Nesterov's variant brakes earlier: at 0.9 it stays in the local minimum, at 0.95 it escapes
    for mu, end in [(0.9, 1.1309), (0.95, -1.3008)]:
        run = descend(loss, 2.0, learning_rate=0.01, momentum=mu, nesterov=True, steps=400,
                      gradient=grad)
        assert np.isclose(run.end, end, atol=1e-3), (mu, run.end)


def test_descend_with_nesterov_by_hand():
    run = descend(lambda w: w ** 2, 1.0, learning_rate=0.1, momentum=0.5, nesterov=True,
                  steps=2, gradient=lambda w: 2 * w)
    # v1 = -0.2, w1 = 1 - 0.1 - 0.2 = 0.7; v2 = -0.1 - 0.14 = -0.24, w2 = 0.7 - 0.12 - 0.14
    np.testing.assert_allclose(run.points, [1.0, 0.7, 0.44])


@pytest.mark.parametrize("use_numeric", [False, True])
def test_descend_stops_quietly_when_it_diverges(use_numeric):
    gradient = None if use_numeric else (lambda w: 4 * w ** 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow RuntimeWarning may escape
        run = descend(lambda w: w ** 4, 1.0, learning_rate=10.0, steps=50, gradient=gradient)
    assert run.diverged and len(run.points) < 51
    assert np.isfinite(run.points).all() and np.isfinite(run.losses).all()
    assert np.all(np.diff(run.losses) > 0)


def test_descend_bad_inputs():
    def sq(w):
        return np.sum(w ** 2)

    with pytest.raises(TypeError, match="loss must be callable, got str"):
        descend("loss", 1.0, learning_rate=0.1, steps=1)
    with pytest.raises(TypeError, match="gradient must be callable, got float"):
        descend(sq, 1.0, learning_rate=0.1, steps=1, gradient=2.0)
    with pytest.raises(ValueError, match="start must be finite"):
        descend(sq, [np.nan], learning_rate=0.1, steps=1)
    with pytest.raises(ValueError, match="steps must be >= 0, got -1"):
        descend(sq, 1.0, learning_rate=0.1, steps=-1)
    with pytest.raises(TypeError, match="steps must be an int, got float"):
        descend(sq, 1.0, learning_rate=0.1, steps=2.5)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
        descend(sq, 1.0, learning_rate=0.1, momentum=1, steps=1)
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        descend(sq, 1.0, learning_rate=0.0, steps=1)
    with pytest.raises(ValueError, match=r"weights' shape \(2,\), got \(3,\)"):
        descend(sq, [1.0, 2.0], learning_rate=0.1, steps=1, gradient=lambda w: np.ones(3))
    with pytest.raises(ValueError, match=r"loss must return a scalar, got an array of shape \(2,\)"):
        descend(lambda w: w, [1.0, 2.0], learning_rate=0.1, steps=1)
    with pytest.raises(ValueError, match="loss is not finite at the start point"):
        descend(lambda w: np.inf, 1.0, learning_rate=0.1, steps=1)


# --- minibatch_sgd --------------------------------------------------------------

def make_problem(seed=0, n=64, features=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features))
    return x, x @ rng.normal(size=(features, 1)) + 0.1 * rng.normal(size=(n, 1))


def test_full_batch_sgd_is_gradient_descent():
    x, y = make_problem()
    W0 = np.zeros((3, 1))
    _, losses = minibatch_sgd(x, y, W0, learning_rate=0.1, batch_size=len(x), steps=15)
    run = descend(lambda w: linear_mse(w, x, y), W0, learning_rate=0.1, steps=15,
                  gradient=lambda w: linear_mse_gradient(w, x, y))
    np.testing.assert_allclose(losses, run.losses, rtol=1e-10)


def test_minibatch_sgd_learns_repeats_with_its_seed_and_leaves_inputs_alone():
    x, y = make_problem()
    copies = [x.copy(), y.copy()]
    W0 = np.zeros((3, 1))
    W, losses = minibatch_sgd(x, y, W0, learning_rate=0.05, batch_size=8, steps=300, seed=3)
    again = minibatch_sgd(x, y, W0, learning_rate=0.05, batch_size=8, steps=300, seed=3)[1]
    other = minibatch_sgd(x, y, W0, learning_rate=0.05, batch_size=8, steps=300, seed=4)[1]
    best = linear_mse(np.linalg.lstsq(x, y, rcond=None)[0], x, y)
    assert losses.shape == (301,) and W.shape == (3, 1)
    assert losses[-1] < 1.1 * best < losses[0]
    assert np.array_equal(losses, again) and not np.array_equal(losses, other)
    assert np.array_equal(x, copies[0]) and np.array_equal(y, copies[1]) and not W0.any()


def test_minibatch_sgd_bad_inputs():
    x, y = make_problem(n=10)
    W0 = np.zeros((3, 1))
    with pytest.raises(ValueError, match="batch_size 11 is larger than the 10 samples"):
        minibatch_sgd(x, y, W0, learning_rate=0.1, batch_size=11, steps=1)
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        minibatch_sgd(x, y, W0, learning_rate=0.1, batch_size=0, steps=1)
    with pytest.raises(TypeError, match="batch_size must be an int, got bool"):
        minibatch_sgd(x, y, W0, learning_rate=0.1, batch_size=True, steps=1)
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        minibatch_sgd(x, y, W0, learning_rate=-1.0, batch_size=2, steps=1)
    with pytest.raises(ValueError, match=r"x \(10, 3\) @ W \(2, 1\)"):
        minibatch_sgd(x, y, np.zeros((2, 1)), learning_rate=0.1, batch_size=2, steps=1)
