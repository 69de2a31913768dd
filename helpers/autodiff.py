"""A small reverse-mode automatic differentiation engine (chapter 7).

A `Tensor` wraps a NumPy array. Every operation on tensors returns a new
tensor that remembers its inputs (``parents``), the name of the operation
(``op``) and, for each parent, a *backward rule*: a function that turns the
gradient arriving at the result into the gradient for that parent (the
chain rule, one edge at a time). ``loss.backward()`` visits the graph in
reverse topological order and applies the rules, so that afterwards every
tensor ``t`` in the graph that requires a gradient holds ``t.grad`` =
d(loss)/d(t). It works on whole arrays, fast enough to train real
networks (`helpers.engine_net`).

Conventions (chapter 8 relies on them):

- ``Tensor(data, requires_grad=False)``, as in PyTorch: only tensors
  created with ``requires_grad=True`` (the weights), and results computed
  from them, get gradients. Data and labels stay plain constants.
- Numbers are float64, except that float32 data stays float32: train in
  float32 (fast), check gradients in float64 (precise). Python numbers
  take the dtype of the tensor they meet, so ``2 * t`` keeps t's dtype.
- ``.grad`` is None until ``backward()`` has run, and stays None for
  tensors that do not require a gradient. After ``backward()`` it is an
  array with the shape and dtype of ``.data``; treat it as read-only
  (an addition passes one gradient array on to both its inputs).
- ``backward()`` *replaces* the gradients of the graph it walks: calling
  it twice gives the same gradients, never doubled ones (there is no
  ``zero_grad()`` to remember). To differentiate a sum of losses, call
  ``backward()`` on the sum.
"""

from __future__ import annotations

import numbers

import numpy as np


def _to_array(data, copy: bool = True) -> np.ndarray:
    """``data`` as a float32/float64 array, a copy unless ``copy=False``."""
    if isinstance(data, Tensor):
        data = data.data
    array = np.asarray(data)
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.integer)
                                   or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"a Tensor holds real numbers; got "
                        f"{type(data).__name__} with dtype {array.dtype}")
    dtype = np.float32 if array.dtype == np.float32 else np.float64
    return np.array(array, dtype) if copy else np.asarray(array, dtype)


def _lift(value, like: Tensor) -> Tensor:
    """Numbers (in the dtype of ``like``) and arrays as constant Tensors."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return Tensor(np.asarray(value, like.data.dtype))
    return Tensor(value)


def unbroadcast(grad, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, so
    that it has ``shape`` again.

    If x of shape (10,) was broadcast to (32, 10), each x[j] was used 32
    times; its gradient is the sum of the 32 contributions (paths add up).
    """
    if grad is None or grad is Ellipsis:  # a rule that returns nothing
        raise TypeError(f"a backward rule returned {grad!r} instead of "
                        "an array of gradients")
    grad, shape = np.asarray(grad), tuple(shape)
    reduced = grad
    while reduced.ndim > len(shape):  # axes added in front
        reduced = reduced.sum(axis=0)
    for axis, size in enumerate(shape):  # axes of length 1, stretched
        if size == 1 and reduced.shape[axis] != 1:
            reduced = reduced.sum(axis=axis, keepdims=True)
    if reduced.shape != shape:
        raise ValueError(f"a gradient of shape {grad.shape} cannot come "
                         f"from broadcasting a tensor of shape {shape}")
    return reduced


def _broadcast_shape(op: str, a: Tensor, b: Tensor) -> tuple:
    try:
        return np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"cannot {op} tensors of shapes {a.shape} and "
                         f"{b.shape}: they do not broadcast") from None


class Tensor:
    """An array of numbers that remembers how it was computed."""

    __array_ufunc__ = None  # `array + tensor` calls Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False,
                 name: str | None = None):
        self.data = _to_array(data)
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self.name = name
        self.op = None  # the operation that produced it; None for a leaf
        self.parents = ()  # the tensors it was computed from
        self._rules = ()  # one backward rule per parent

    @classmethod
    def from_operation(cls, data, op: str, parents, rules) -> Tensor:
        """The result ``data`` of operation ``op`` on ``parents``;
        ``rules[i]`` maps the gradient of the result to the gradient for
        ``parents[i]``. ``data`` is a new array: it is kept, not copied."""
        parents, rules = tuple(parents), tuple(rules)
        if len(parents) != len(rules) or not all(
                isinstance(p, Tensor) for p in parents):
            raise TypeError("from_operation needs as many backward rules "
                            "as parent Tensors")
        out = cls(0.0)
        out.data = _to_array(data, copy=False)
        out.op, out.parents, out._rules = op, parents, rules
        out.requires_grad = any(p.requires_grad for p in parents)
        return out

    @property
    def shape(self) -> tuple:
        return self.data.shape

    def named(self, name: str) -> Tensor:
        """Name the tensor for graph drawings; returns the tensor itself."""
        self.name = name
        return self

    def __repr__(self) -> str:
        label = f"{self.name}: " if self.name else ""
        return f"Tensor({label}shape={self.shape}, op={self.op!r})"

    # ---- element-wise arithmetic, with broadcasting ---------------------
    def __add__(self, other):
        other = _lift(other, self)
        _broadcast_shape("add", self, other)
        return Tensor.from_operation(self.data + other.data, "+",
                                     (self, other),
                                     (lambda g: g, lambda g: g))

    def __sub__(self, other):
        other = _lift(other, self)
        _broadcast_shape("subtract", self, other)
        return Tensor.from_operation(self.data - other.data, "-",
                                     (self, other),
                                     (lambda g: g, lambda g: -g))

    def __mul__(self, other):
        other = _lift(other, self)
        _broadcast_shape("multiply", self, other)
        return Tensor.from_operation(
            self.data * other.data, "*", (self, other),
            (lambda g: g * other.data,  # d(a * b)/da = b
             lambda g: g * self.data))  # d(a * b)/db = a

    def __truediv__(self, other):
        other = _lift(other, self)
        _broadcast_shape("divide", self, other)
        a, b = self.data, other.data
        return Tensor.from_operation(a / b, "/", (self, other),
                                     (lambda g: g / b,
                                      lambda g: -g * a / b**2))

    def __pow__(self, exponent):
        if (not isinstance(exponent, numbers.Real)
                or isinstance(exponent, bool)):
            raise TypeError("the exponent must be a Python number, got "
                            f"{type(exponent).__name__}")
        a = self.data
        return Tensor.from_operation(
            a**exponent, f"**{exponent:g}", (self,),
            (lambda g: g * exponent * a ** (exponent - 1),))

    def __neg__(self):
        return Tensor.from_operation(-self.data, "neg", (self,),
                                     (lambda g: -g,))

    def __radd__(self, other):
        return _lift(other, self) + self

    def __rsub__(self, other):
        return _lift(other, self) - self

    def __rmul__(self, other):
        return _lift(other, self) * self

    def __rtruediv__(self, other):
        return _lift(other, self) / self

    # ---- the tensor product ---------------------------------------------
    def __matmul__(self, other):
        other = _lift(other, self)
        a, b = self.data, other.data
        if a.ndim not in (1, 2) or b.ndim not in (1, 2):
            raise ValueError("@ takes 1-D or 2-D tensors, got shapes "
                             f"{a.shape} and {b.shape}")
        if a.shape[-1] != b.shape[0]:
            raise ValueError(f"cannot multiply shapes {a.shape} @ {b.shape}"
                             f": {a.shape[-1]} columns but {b.shape[0]} rows")
        # vectors as matrices: a row (1, k) and a column (k, 1)
        a2, b2 = a.reshape(-1, a.shape[-1]), b.reshape(b.shape[0], -1)
        out_shape = (a2.shape[0], b2.shape[1])

        def rule_a(g):  # d(a @ b)/da: g @ b.T
            return (g.reshape(out_shape) @ b2.T).reshape(a.shape)

        def rule_b(g):  # d(a @ b)/db: a.T @ g
            return (a2.T @ g.reshape(out_shape)).reshape(b.shape)

        return Tensor.from_operation(a @ b, "@", (self, other),
                                     (rule_a, rule_b))

    def __rmatmul__(self, other):
        return _lift(other, self) @ self

    # ---- element-wise functions -----------------------------------------
    def relu(self):
        a = self.data
        return Tensor.from_operation(np.maximum(a, 0), "relu", (self,),
                                     (lambda g: g * (a > 0),))

    def abs(self):
        a = self.data
        return Tensor.from_operation(np.abs(a), "abs", (self,),
                                     (lambda g: g * np.sign(a),))

    def exp(self):
        out = np.exp(self.data)
        return Tensor.from_operation(out, "exp", (self,),
                                     (lambda g: g * out,))

    def log(self):
        a = self.data
        if np.any(a <= 0):
            raise ValueError("log needs positive numbers; the smallest "
                             f"here is {a.min():g}")
        return Tensor.from_operation(np.log(a), "log", (self,),
                                     (lambda g: g / a,))

    # ---- reductions -----------------------------------------------------
    def sum(self, axis=None, keepdims: bool = False):
        shape = self.shape
        try:
            out = self.data.sum(axis=axis, keepdims=keepdims)
        except (ValueError, TypeError) as exc:  # AxisError is a ValueError
            raise ValueError(f"cannot sum a tensor of shape {shape} over "
                             f"axis={axis!r}: {exc}") from None

        def rule(g):  # every summed entry gets the gradient of its sum
            if not keepdims and axis is not None:
                g = np.expand_dims(g, axis)
            return np.broadcast_to(g, shape).copy()

        return Tensor.from_operation(out, "sum", (self,), (rule,))

    def mean(self, axis=None, keepdims: bool = False):
        if self.data.size == 0:
            raise ValueError("cannot take the mean of an empty tensor "
                             f"(shape {self.shape})")
        total = self.sum(axis=axis, keepdims=keepdims)
        return total / (self.data.size // total.data.size)  # per sum

    # ---- backpropagation ------------------------------------------------
    def topological_order(self) -> list:
        """Every tensor this one depends on, each after all its parents."""
        order, seen = [], set()
        stack = [(self, False)]  # depth-first, with a stack: no recursion
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node.parents
                             if id(p) not in seen)
        return order

    def backward(self) -> None:
        """Set ``t.grad`` = d(self)/d(t) for every tensor t in the graph
        that requires a gradient."""
        if self.data.size != 1:
            raise ValueError(
                "backward() starts from a single number, but this tensor "
                f"has shape {self.shape}; reduce it first, e.g. with "
                ".sum() or .mean()")
        if not self.requires_grad:
            raise ValueError(
                "backward(): this tensor does not depend on any tensor "
                "created with requires_grad=True, so there is nothing to "
                "differentiate")
        order = [t for t in self.topological_order() if t.requires_grad]
        grads = {id(self): np.ones_like(self.data)}  # d(self)/d(self) = 1
        for t in reversed(order):  # each tensor after all its users
            t.grad = grads.pop(id(t)).astype(t.data.dtype, copy=False)
            for parent, rule in zip(t.parents, t._rules):
                if parent.requires_grad:
                    g = unbroadcast(rule(t.grad), parent.shape)
                    if id(parent) in grads:  # paths add up
                        g = grads[id(parent)] + g
                    grads[id(parent)] = g

    def local_derivative(self, i: int) -> np.ndarray:
        """The number on the backward edge to ``parents[i]``: the rule
        applied to a gradient of ones (for scalars, d(self)/d(parents[i]))."""
        g = self._rules[i](np.ones_like(self.data))
        return unbroadcast(g, self.parents[i].shape)


def softmax_cross_entropy(logits: Tensor, labels) -> Tensor:
    """Mean cross-entropy between softmax(logits) and integer labels, one
    label per row: one fused operation with its own backward rule.

    Computed with a numerically stable log-softmax (the row maximum is
    subtracted first, so exp() cannot overflow); its backward rule is
    (softmax(logits) - one_hot(labels)) / batch_size.
    """
    logits = logits if isinstance(logits, Tensor) else Tensor(logits)
    labels = np.asarray(labels.data if isinstance(labels, Tensor)
                        else labels)
    if logits.data.ndim != 2:
        raise ValueError("logits must have shape (batch, classes), got "
                         f"{logits.shape}")
    n, classes = logits.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), one per row of "
                         f"logits {logits.shape}; got {labels.shape}")
    if labels.dtype == bool or not np.issubdtype(labels.dtype, np.integer):
        raise TypeError("labels must be integer class indices, got dtype "
                        f"{labels.dtype}")
    if n == 0 or labels.min() < 0 or labels.max() >= classes:
        raise ValueError(f"labels must be class indices in 0..{classes - 1}"
                         f" for a non-empty batch; got {labels.tolist()[:10]}")
    rows = np.arange(n)
    shifted = logits.data - logits.data.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[rows, labels].mean()

    def rule(g):
        grad = np.exp(log_probs)  # softmax
        grad[rows, labels] -= 1  # minus the one-hot labels
        grad *= g / n  # the mean over the batch
        return grad

    label_node = Tensor(labels, name="labels")  # drawn; gets no gradient
    return Tensor.from_operation(loss, "softmax_cross_entropy",
                                 (logits, label_node),
                                 (rule, lambda g: np.zeros(n)))
