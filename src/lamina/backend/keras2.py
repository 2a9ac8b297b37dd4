"""The Keras 2 backend functions (``from keras import backend as K; K.mean(...)``).

Old custom losses, metrics and layers are written against these; each one maps onto a
lamina op with Keras 2's argument names and defaults. Loaded lazily by ``lamina.backend``.
"""

from __future__ import annotations

import numpy as np

from lamina import ops as _k
from lamina.autodiff.tensor import Tensor
from lamina.autodiff.variable import Variable
from lamina.backend.config import floatx
from lamina.dtypes import as_dtype
from lamina.ops import (
    array_ops as _a,
    comparison as _cmp,
    conv_ops as _cv,
    core as _c,
    creation as _cr,
    elementwise as _e,
    linalg as _l,
    nn as _n,
    random_ops as _rnd,
    reduction as _r,
)

_learning_phase = 0


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else _c.convert_to_tensor(x)


# --- variables and values -----------------------------------------------------------------
def variable(value, dtype=None, name=None, constraint=None) -> Variable:
    return Variable(value, dtype=dtype or floatx(), name=name, constraint=constraint)


def constant(value, dtype=None, shape=None, name=None) -> Tensor:
    return _c.constant(value, dtype=dtype or floatx(), shape=shape)


def eval(x) -> np.ndarray:  # noqa: A001  (K.eval)
    return np.array(_t(x).numpy())


def get_value(x) -> np.ndarray:
    return eval(x)


def batch_get_value(xs) -> list:
    return [get_value(x) for x in xs]


def set_value(x: Variable, value) -> None:
    x.assign(np.asarray(value))


def batch_set_value(tuples) -> None:
    for x, v in tuples:
        set_value(x, v)


def update(x: Variable, new_x):
    return x.assign(new_x)


def update_add(x: Variable, increment):
    return x.assign_add(increment)


def update_sub(x: Variable, decrement):
    return x.assign_sub(decrement)


def int_shape(x) -> tuple:
    return (
        tuple(_t(x).shape)
        if not hasattr(x, "shape")
        else tuple(None if d is None else int(d) for d in x.shape)
    )


def shape(x) -> Tensor:
    return _a.shape(x)


def ndim(x) -> int:
    return len(int_shape(x))


def dtype(x) -> str:
    return _t(x).dtype.name


def count_params(x) -> int:
    return int(np.prod(int_shape(x), dtype=np.int64))


def is_tensor(x) -> bool:
    return isinstance(x, Tensor)


def zeros(shape, dtype=None, name=None) -> Variable:
    return Variable(np.zeros(tuple(shape), dtype=as_dtype(dtype or floatx())._np), name=name)


def ones(shape, dtype=None, name=None) -> Variable:
    return Variable(np.ones(tuple(shape), dtype=as_dtype(dtype or floatx())._np), name=name)


def eye(size, dtype=None, name=None) -> Variable:
    return Variable(np.eye(int(size), dtype=as_dtype(dtype or floatx())._np), name=name)


def zeros_like(x, dtype=None, name=None) -> Tensor:
    return _c.zeros_like(x, dtype=dtype)


def ones_like(x, dtype=None, name=None) -> Tensor:
    return _c.ones_like(x, dtype=dtype)


def cast(x, dtype) -> Tensor:
    return _c.cast(x, dtype)


def cast_to_floatx(x) -> np.ndarray:
    return np.asarray(x, dtype=floatx())


def learning_phase() -> int:
    return _learning_phase


def set_learning_phase(value: int) -> None:
    global _learning_phase
    if value not in (0, 1):
        raise ValueError(f"set_learning_phase: expected 0 or 1, received {value!r}.")
    _learning_phase = int(value)


def manual_variable_initialization(value: bool) -> None:
    """Accepted for compatibility: lamina variables are always initialized."""


# --- reductions (Keras 2 names: axis=None, keepdims=False) ---------------------------------
def sum(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    return _c.reduce_sum(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False) -> Tensor:
    t = _t(x)
    if t._value.dtype.kind in "iub":
        t = _c.cast(t, floatx())
    return _r.reduce_mean(t, axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    return _r.reduce_max(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    return _r.reduce_min(x, axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False) -> Tensor:
    return _r.reduce_prod(x, axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False) -> Tensor:
    return _r.reduce_std(x, axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False) -> Tensor:
    return _r.reduce_variance(x, axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    return _r.reduce_any(_t(x)._value.astype(bool), axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    return _r.reduce_all(_t(x)._value.astype(bool), axis=axis, keepdims=keepdims)


def logsumexp(x, axis=None, keepdims=False) -> Tensor:
    return _r.reduce_logsumexp(x, axis=axis, keepdims=keepdims)


def argmax(x, axis=-1) -> Tensor:
    return _r.argmax(x, axis=axis)


def argmin(x, axis=-1) -> Tensor:
    return _r.argmin(x, axis=axis)


def cumsum(x, axis=0) -> Tensor:
    return _r.cumsum(x, axis=axis)


def cumprod(x, axis=0) -> Tensor:
    return _r.cumprod(x, axis=axis)


# --- element-wise -------------------------------------------------------------------------
def clip(x, min_value, max_value) -> Tensor:
    if max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    return _e.clip_by_value(
        x, -np.inf if min_value is None else min_value, np.inf if max_value is None else max_value
    )


def pow(x, a) -> Tensor:  # noqa: A001
    return _e.pow(x, a)


def equal(x, y) -> Tensor:
    return _cmp.equal(x, y)


def not_equal(x, y) -> Tensor:
    return _cmp.not_equal(x, y)


def greater(x, y) -> Tensor:
    return _cmp.greater(x, y)


def greater_equal(x, y) -> Tensor:
    return _cmp.greater_equal(x, y)


def less(x, y) -> Tensor:
    return _cmp.less(x, y)


def less_equal(x, y) -> Tensor:
    return _cmp.less_equal(x, y)


def switch(condition, then_expression, else_expression) -> Tensor:
    """``then`` where ``condition`` else ``else`` (callables are called first)."""
    a = then_expression() if callable(then_expression) else then_expression
    b = else_expression() if callable(else_expression) else else_expression
    c = _t(condition)
    a, b = _t(a), _t(b)
    if c.ndim < a.ndim:
        c = _c.reshape(c, tuple(c.shape) + (1,) * (a.ndim - c.ndim))
    return _a.where(c, a, b)


def relu(x, alpha=0.0, max_value=None, threshold=0.0) -> Tensor:
    t = _t(x)
    if alpha == 0.0 and max_value is None and threshold == 0.0:
        return _n.relu(t)
    pos = _a.where(_cmp.greater(t, threshold), t, 0.0)
    if max_value is not None:
        pos = _e.minimum(pos, float(max_value))
    if alpha:
        pos = pos + float(alpha) * _a.where(_cmp.less_equal(t, threshold), t - threshold, 0.0)
    return pos


def elu(x, alpha=1.0) -> Tensor:
    return _n.elu(x, alpha)


def softmax(x, axis=-1) -> Tensor:
    return _n.softmax(x, axis=axis)


def binary_crossentropy(target, output, from_logits=False) -> Tensor:
    return _k.binary_crossentropy(target, output, from_logits=from_logits)


def categorical_crossentropy(target, output, from_logits=False, axis=-1) -> Tensor:
    return _k.categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1) -> Tensor:
    return _k.sparse_categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)


def dropout(x, level, noise_shape=None, seed=None) -> Tensor:
    return _n.dropout(x, rate=level, noise_shape=noise_shape, seed=seed)


def in_train_phase(x, alt, training=None):
    training = _learning_phase if training is None else training
    chosen = x if training else alt
    return chosen() if callable(chosen) else chosen


def in_test_phase(x, alt, training=None):
    return in_train_phase(alt, x, training)


# --- shapes -------------------------------------------------------------------------------
def reshape(x, shape) -> Tensor:
    return _c.reshape(x, shape)


def permute_dimensions(x, pattern) -> Tensor:
    return _a.transpose(x, pattern)


def transpose(x) -> Tensor:
    return _a.transpose(x)


def flatten(x) -> Tensor:
    return _c.reshape(x, (-1,))


def batch_flatten(x) -> Tensor:
    t = _t(x)
    return _c.reshape(t, (t._value.shape[0], -1))


def expand_dims(x, axis=-1) -> Tensor:
    return _a.expand_dims(x, axis)


def squeeze(x, axis) -> Tensor:
    return _a.squeeze(x, axis)


def concatenate(tensors, axis=-1) -> Tensor:
    return _a.concat(list(tensors), axis=axis)


def stack(x, axis=0) -> Tensor:
    return _a.stack(x, axis=axis)


def tile(x, n) -> Tensor:
    t = _t(x)
    reps = [n] if isinstance(n, int) else list(n)
    return _a.tile(t, reps)


def repeat_elements(x, rep, axis) -> Tensor:
    return _a.repeat(x, rep, axis=axis)


def repeat(x, n) -> Tensor:
    """(batch, dim) -> (batch, n, dim)."""
    return _a.tile(_a.expand_dims(x, 1), [1, int(n), 1])


def gather(reference, indices) -> Tensor:
    return _a.gather(reference, indices)


def one_hot(indices, num_classes) -> Tensor:
    return _a.one_hot(indices, num_classes)


def arange(start, stop=None, step=1, dtype="int32") -> Tensor:
    return _cr.range(start, stop, step, dtype=dtype)


def dot(x, y) -> Tensor:
    return _k.dot(x, y)


def batch_dot(x, y, axes=None) -> Tensor:
    """Per-sample dot product over ``axes`` (the last of x with the second-to-last of y)."""
    a, b = _t(x), _t(y)
    if axes is None:
        axes = [a.ndim - 1, b.ndim - 2 if b.ndim > 2 else b.ndim - 1]
    if isinstance(axes, int):
        axes = [axes, axes]
    ax, bx = int(axes[0]) % a.ndim, int(axes[1]) % b.ndim
    letters = "bcdefghijklmnopqrstuvwxyz"
    la = ["a"] + list(letters[: a.ndim - 1])
    lb = ["a"] + list(letters[a.ndim - 1 : a.ndim + b.ndim - 2])
    lb[bx] = la[ax]
    out = [c for i, c in enumerate(la) if i != ax] + [
        c for i, c in enumerate(lb) if i not in (0, bx)
    ]
    res = _l.einsum("".join(la) + "," + "".join(lb) + "->" + "".join(out), a, b)
    return _a.expand_dims(res, -1) if res.ndim == 1 else res


def l2_normalize(x, axis=None) -> Tensor:
    return _n.l2_normalize(x, axis=axis)


def in_top_k(predictions, targets, k) -> Tensor:
    return _r.in_top_k(targets, predictions, k)


def bias_add(x, bias, data_format=None) -> Tensor:
    return _n.bias_add(x, bias, "NCHW" if data_format == "channels_first" else None)


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)):
    fmt = "NCHW" if data_format == "channels_first" else "NHWC"
    return _cv.conv2d(x, kernel, strides, padding.upper(), fmt, dilation_rate)


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    fmt = "NCHW" if data_format == "channels_first" else "NHWC"
    fn = _cv.max_pool2d if pool_mode == "max" else _cv.avg_pool2d
    return fn(x, pool_size, strides, padding.upper(), fmt)


# --- randomness ---------------------------------------------------------------------------
def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    return _rnd.normal(shape, mean, stddev, dtype or floatx(), seed)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> Tensor:
    return _rnd.uniform(shape, minval, maxval, dtype or floatx(), seed)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    return _rnd.truncated_normal(shape, mean, stddev, dtype or floatx(), seed)


def random_bernoulli(shape, p=0.0, dtype=None, seed=None) -> Tensor:
    u = _rnd.uniform(shape, 0.0, 1.0, "float64", seed)
    return Tensor((u._value < p).astype(as_dtype(dtype or floatx())._np))


random_binomial = random_bernoulli


def print_tensor(x, message="", summarize=3):
    from lamina.ops.printing import print as _print

    _print(message, x, summarize=summarize)
    return x


def stop_gradient(variables):
    if isinstance(variables, (list, tuple)):
        return [_c.stop_gradient(v) for v in variables]
    return _c.stop_gradient(variables)


def name_scope(name):
    from lamina.autodiff.eager import name_scope as _ns

    return _ns(name)


_SAME = {
    "square": _e.square,
    "sqrt": _e.sqrt,
    "abs": _e.abs,
    "exp": _c.exp,
    "log": _c.log,
    "round": _e.round,
    "sign": _e.sign,
    "sin": _e.sin,
    "cos": _e.cos,
    "tanh": _e.tanh,
    "sigmoid": _e.sigmoid,
    "hard_sigmoid": _n.hard_sigmoid,
    "softplus": _e.softplus,
    "softsign": _e.softsign,
    "maximum": _e.maximum,
    "minimum": _e.minimum,
    "zeros_like": _c.zeros_like,
    "ones_like": _c.ones_like,
}
globals().update(_SAME)

__all__ = [
    n
    for n in dir()
    if not n.startswith("_") and n not in {"annotations", "np", "Tensor", "Variable", "as_dtype"}
]
