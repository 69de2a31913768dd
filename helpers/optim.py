"""Gradients and gradient descent from scratch (chapter 6, sections 6.1 to 6.5).

- `numeric_gradient`: the gradient of a scalar function of an array, by
  central finite differences (sections 6.2 and 6.3);
- `perturbation_step`: the "nudge one coefficient at a time" update that
  section 6.1 shows cannot scale, with its count of forward passes;
- `linear_mse` and `linear_mse_gradient`: the loss of the linear model
  ``y_pred = x @ W`` and its analytic gradient (section 6.3);
- `minibatch_sgd`: the five-step mini-batch SGD loop on that model (6.4);
- `momentum_step` and `descend`: one SGD update with plain or Nesterov
  momentum, and a run of them that records its trajectory (6.4, 6.5).

Inputs are never modified; bad input raises a ValueError or TypeError that
names the shapes or types involved.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import numpy as np

__all__ = [
    "NonFiniteError", "Trajectory", "descend", "linear_mse", "linear_mse_gradient", "minibatch_sgd",
    "momentum_step", "numeric_gradient", "perturbation_step",
]


class NonFiniteError(ValueError):
    """A function returned inf or nan where a finite number was needed."""


# --- input checks -----------------------------------------------------------

def _as_float_array(value, name: str) -> np.ndarray:
    """A float64 copy of ``value``; TypeError unless it holds real numbers, ValueError unless finite."""
    if isinstance(value, np.ndarray):
        kind = value.dtype.kind
    else:
        try:
            kind = np.asarray(value).dtype.kind
        except (TypeError, ValueError) as exc:  # ragged lists and the like
            raise TypeError(f"{name} must be an array of real numbers: {exc}") from exc
    if kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers (int or float), "
                        f"got dtype {np.asarray(value).dtype}")
    array = np.array(value, dtype=np.float64)  # always a copy: inputs stay untouched
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite, got {array.size - np.isfinite(array).sum()} "
                         f"non-finite value(s) in an array of shape {array.shape}")
    return array


def _check_callable(f, name: str) -> None:
    if not callable(f):
        raise TypeError(f"{name} must be callable, got {type(f).__name__}")


def _check_real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _check_learning_rate(learning_rate) -> float:
    learning_rate = _check_real(learning_rate, "learning_rate")
    if learning_rate <= 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    return learning_rate


def _check_momentum(momentum) -> float:
    momentum = _check_real(momentum, "momentum")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    return momentum


def _check_flag(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def _check_count(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _scalar_value(value, name: str) -> float:
    """``value`` as a float; ValueError unless it is one finite real number."""
    array = np.asarray(value)
    if array.shape != ():
        raise ValueError(f"{name} must return a scalar, got an array of shape {array.shape}")
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must return a real number, got dtype {array.dtype}")
    return float(array)


# --- 6.2 and 6.3: derivatives and gradients ----------------------------------

def numeric_gradient(f, x, eps: float = 1e-5) -> np.ndarray:
    """Gradient of the scalar function ``f`` at ``x``, by central differences.

    Each entry is (f(x + h) - f(x - h)) / (2 h), nudging one entry of ``x``
    at a time: two calls of ``f`` per entry. The result has x's shape. The
    step h is ``eps``, scaled up for entries larger than 1 in size so that
    it is not lost to rounding (1e20 + 1e-5 == 1e20 in floating point).
    Chapter 6, sections 6.2 (derivative) and 6.3 (gradient).
    """
    _check_callable(f, "f")
    x = _as_float_array(x, "x")
    eps = _check_real(eps, "eps")
    if eps <= 0:
        raise ValueError(f"eps must be > 0, got {eps}")
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        h = eps * max(1.0, abs(x[index]))
        nudge = np.zeros_like(x)
        nudge[index] = h
        up = _scalar_value(f(x + nudge), "f")
        down = _scalar_value(f(x - nudge), "f")
        if not (np.isfinite(up) and np.isfinite(down)):
            raise NonFiniteError(
                f"f returned a non-finite value ({up}, {down}) when entry "
                f"{index} of x (shape {x.shape}) was nudged by +-{h:.3g}")
        gradient[index] = (up - down) / (2 * h)
    return gradient


def perturbation_step(loss, w, delta: float) -> tuple[np.ndarray, int]:
    """One update by trial and error: nudge each coefficient by +-``delta``.

    For every coefficient, evaluate the loss with that coefficient alone
    raised and lowered by ``delta`` (two forward passes), then move every
    coefficient by ``delta`` towards the lower of the two. Returns the new
    coefficients and the number of forward passes spent, ``2 * w.size``.
    Chapter 6, section 6.1: why this does not scale.
    """
    _check_callable(loss, "loss")
    w = _as_float_array(w, "w")
    delta = _check_real(delta, "delta")
    if delta <= 0:
        raise ValueError(f"delta must be > 0, got {delta}")
    direction = np.zeros_like(w)
    passes = 0
    for index in np.ndindex(w.shape):
        nudge = np.zeros_like(w)
        nudge[index] = delta
        higher = _scalar_value(loss(w + nudge), "loss")
        lower = _scalar_value(loss(w - nudge), "loss")
        passes += 2
        direction[index] = np.sign(lower - higher)  # towards the lower side
    return w + delta * direction, passes


def _check_linear(W, x, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    W, x, y = _as_float_array(W, "W"), _as_float_array(x, "x"), _as_float_array(y, "y")
    if W.ndim != 2 or x.ndim != 2 or y.ndim != 2:
        raise ValueError(f"x, W and y must be matrices (rank 2), got shapes x {x.shape}, "
                         f"W {W.shape}, y {y.shape}")
    if x.shape[1] != W.shape[0] or y.shape != (x.shape[0], W.shape[1]):
        raise ValueError(f"shapes do not fit y_pred = x @ W: x {x.shape} @ W {W.shape} "
                         f"cannot be compared with y {y.shape}")
    return W, x, y


def linear_mse(W, x, y) -> float:
    """Mean squared error of the linear model ``y_pred = x @ W`` on (x, y). Chapter 6, 6.3."""
    W, x, y = _check_linear(W, x, y)
    return float(np.mean((x @ W - y) ** 2))


def linear_mse_gradient(W, x, y) -> np.ndarray:
    """Analytic gradient of `linear_mse` with respect to W, of W's shape.

    loss = mean((x @ W - y) ** 2) over all y.size entries, so
    d loss / d W = 2 * x.T @ (x @ W - y) / y.size. Chapter 6, section 6.3.
    """
    W, x, y = _check_linear(W, x, y)
    return 2 * x.T @ (x @ W - y) / y.size


# --- 6.4 and 6.5: stochastic gradient descent, momentum ------------------------

def minibatch_sgd(x, y, W, *, learning_rate: float, batch_size: int,
                  steps: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Fit ``y_pred = x @ W`` by mini-batch SGD; return W and the losses.

    ``losses[k]`` is the loss on the whole of (x, y) after k updates, so it
    has ``steps + 1`` entries. batch_size 1 is "true" SGD and
    batch_size len(x) is full-batch gradient descent. Chapter 6, 6.4.
    """
    W, x, y = _check_linear(W, x, y)
    learning_rate = _check_learning_rate(learning_rate)
    batch_size = _check_count(batch_size, "batch_size", 1)
    steps = _check_count(steps, "steps", 0)
    if batch_size > len(x):
        raise ValueError(f"batch_size {batch_size} is larger than the "
                         f"{len(x)} samples of x")
    rng = np.random.default_rng(seed)
    losses = [linear_mse(W, x, y)]
    for _ in range(steps):
        # 1. draw a random batch
        batch = rng.choice(len(x), size=batch_size, replace=False)
        x_batch, y_batch = x[batch], y[batch]
        y_pred = x_batch @ W                            # 2. forward pass
        loss = np.mean((y_pred - y_batch) ** 2)         # 3. loss on the batch
        error = y_pred - y_batch                        # 4. the gradient
        gradient = 2 * x_batch.T @ error / y_batch.size
        W = W - learning_rate * gradient                # 5. step against it
        losses.append(linear_mse(W, x, y))
    return W, np.array(losses)


def momentum_step(w, velocity, gradient, learning_rate: float,
                  momentum: float = 0.0, nesterov: bool = False):
    """One SGD update with momentum; returns the new ``(w, velocity)``.

    Plain (heavy-ball) momentum, the default::

        velocity = momentum * velocity - learning_rate * gradient
        w = w + velocity

    Nesterov momentum (``nesterov=True``, as in Keras' SGD) updates the
    velocity the same way, then moves w by one more velocity step::

        w = w + momentum * velocity - learning_rate * gradient

    With momentum 0 both are plain SGD: w - learning_rate * gradient.
    Chapter 6, section 6.5.
    """
    w = _as_float_array(w, "w")
    velocity = _as_float_array(velocity, "velocity")
    gradient = _as_float_array(gradient, "gradient")
    if not w.shape == velocity.shape == gradient.shape:
        raise ValueError(f"w, velocity and gradient must have the same "
                         f"shape, got {w.shape}, {velocity.shape} and "
                         f"{gradient.shape}")
    learning_rate = _check_learning_rate(learning_rate)
    momentum = _check_momentum(momentum)
    nesterov = _check_flag(nesterov, "nesterov")
    velocity = momentum * velocity - learning_rate * gradient
    if nesterov:
        return w + momentum * velocity - learning_rate * gradient, velocity
    return w + velocity, velocity


@dataclass(frozen=True)
class Trajectory:
    """The points a descent visited and the loss at each (row k: after k steps).

    ``diverged`` is True when the run was stopped because the weights or the
    loss stopped being finite numbers; the rows then end at the last finite point.
    """

    points: np.ndarray
    losses: np.ndarray
    diverged: bool

    @property
    def end(self) -> np.ndarray:
        """The last point visited."""
        return self.points[-1]


def descend(loss, start, *, learning_rate: float, steps: int, momentum: float = 0.0,
            nesterov: bool = False, gradient=None) -> Trajectory:
    """Run ``steps`` momentum-SGD updates on ``loss`` from ``start`` and record the way.

    Each update is `momentum_step` (plain momentum, or Nesterov's with
    ``nesterov=True``; momentum 0 is plain gradient descent).
    ``gradient(w)`` gives the gradient at w; without it, `numeric_gradient`
    of ``loss`` is used. A run whose weights or loss overflow stops early with
    ``diverged=True``. Chapter 6, sections 6.4 and 6.5.
    """
    _check_callable(loss, "loss")
    if gradient is not None:
        _check_callable(gradient, "gradient")
    w = _as_float_array(start, "start")
    learning_rate = _check_learning_rate(learning_rate)
    momentum = _check_momentum(momentum)
    nesterov = _check_flag(nesterov, "nesterov")
    steps = _check_count(steps, "steps", 0)
    points, losses = [w], [_scalar_value(loss(w), "loss")]
    if not np.isfinite(losses[0]):
        raise ValueError(f"loss is not finite at the start point {w.tolist()}")
    velocity = np.zeros_like(w)
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            try:
                g = np.asarray(gradient(w) if gradient else numeric_gradient(loss, w), dtype=float)
            except NonFiniteError:  # the numeric gradient met an overflowing loss
                g = np.full_like(w, np.nan)
            if g.shape != w.shape:
                raise ValueError(f"gradient must return an array of the weights' shape "
                                 f"{w.shape}, got {g.shape}")
            if not np.isfinite(g).all():
                diverged = True
                break
            w_next, velocity = momentum_step(w, velocity, g, learning_rate, momentum, nesterov)
            finite = np.isfinite(w_next).all() and np.isfinite(velocity).all()
            value = _scalar_value(loss(w_next), "loss") if finite else np.inf
            if not np.isfinite(value):
                diverged = True
                break
            w = w_next
            points.append(w)
            losses.append(value)
    return Trajectory(np.array(points), np.array(losses), diverged)
