"""Small differentiable helpers shared by losses and activations.

Each helper computes with NumPy and records a VJP written with lamina ops (so nested tapes
give higher derivatives), following the engine's op contract. They are private: the public
``tf.*`` ops live in ``lamina.ops``; these exist so the catalogue depends only on the tape
core.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tape import record
from lamina.autodiff.tensor import Tensor
from lamina.backend.config import floatx
from lamina.ops.core import (
    add,
    broadcast_to,
    cast,
    convert_to_tensor,
    divide,
    exp,
    log,
    multiply,
    negative,
    reduce_sum,
    reshape,
    subtract,
)

__all__ = [
    "add",
    "subtract",
    "multiply",
    "divide",
    "negative",
    "exp",
    "log",
    "reduce_sum",
    "reshape",
    "cast",
    "as_float",
    "const",
    "square",
    "abs_",
    "sqrt",
    "log1p",
    "maximum",
    "minimum",
    "clip",
    "where",
    "mean",
    "reduce_max",
    "sigmoid",
    "tanh",
    "softplus",
    "relu",
    "log_softmax",
    "softmax",
    "expand_last",
    "squeeze_last",
    "sign_const",
    "l2_normalize",
]


def as_float(x, dtype=None) -> Tensor:
    """``x`` as a float Tensor: Tensors are cast (differentiably), data converted to ``dtype``."""
    if isinstance(x, Tensor):
        if dtype is None:
            if x._value.dtype.kind in "fc":
                return x
            dtype = floatx()
        return cast(x, dtype) if x._value.dtype != np.dtype(dtype) else x
    arr = np.asarray(x)
    if arr.dtype == object or arr.dtype.kind in "USO":
        raise TypeError(f"Expected numeric data, received an array of dtype {arr.dtype}.")
    if dtype is None:
        dtype = arr.dtype if arr.dtype.kind == "f" else floatx()
        if not isinstance(x, np.ndarray) and arr.dtype == np.float64:
            dtype = floatx()
    return Tensor(arr.astype(dtype, copy=False))


def const(value, like: Tensor) -> Tensor:
    """A constant Tensor in the dtype of ``like`` (never on the tape)."""
    return Tensor(np.asarray(value, dtype=like._value.dtype))


def _unary(x: Tensor, value: np.ndarray, dvalue) -> Tensor:
    """Record an elementwise op whose derivative is ``dvalue()`` (a Tensor, lazily built)."""
    return record(value, (x,), lambda g: (multiply(g, dvalue()),))


def square(x: Tensor) -> Tensor:
    return record(np.square(x._value), (x,), lambda g: (multiply(g, multiply(x, const(2, x))),))


def abs_(x: Tensor) -> Tensor:
    return record(np.abs(x._value), (x,), lambda g: (multiply(g, const(np.sign(x._value), x)),))


def sign_const(x: Tensor) -> Tensor:
    return const(np.sign(x._value), x)


def sqrt(x: Tensor) -> Tensor:
    out = record(np.sqrt(x._value), (x,), lambda g: (divide(g, multiply(out, const(2, x))),))
    return out


def log1p(x: Tensor) -> Tensor:
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.log1p(x._value)
    return record(v, (x,), lambda g: (divide(g, add(x, const(1, x))),))


def maximum(x: Tensor, y) -> Tensor:
    """Elementwise max with a constant or tensor ``y``; ties send the gradient to ``x`` (TF)."""
    if not isinstance(y, Tensor):
        y = const(y, x)
    mask = x._value >= y._value
    out = np.maximum(x._value, y._value)
    sx, sy = x._value.shape, y._value.shape
    from lamina.ops.core import unbroadcast

    return record(
        out,
        (x, y),
        lambda g: (
            unbroadcast(multiply(g, const(mask, g)), sx),
            unbroadcast(multiply(g, const(~mask, g)), sy),
        ),
    )


def minimum(x: Tensor, y) -> Tensor:
    """Elementwise min with a constant or tensor ``y``; ties send the gradient to ``x`` (TF)."""
    if not isinstance(y, Tensor):
        y = const(y, x)
    mask = x._value <= y._value
    out = np.minimum(x._value, y._value)
    sx, sy = x._value.shape, y._value.shape
    from lamina.ops.core import unbroadcast

    return record(
        out,
        (x, y),
        lambda g: (
            unbroadcast(multiply(g, const(mask, g)), sx),
            unbroadcast(multiply(g, const(~mask, g)), sy),
        ),
    )


def clip(x: Tensor, lo, hi) -> Tensor:
    """``tf.clip_by_value``: the gradient is zero where ``x`` lies outside ``[lo, hi]``."""
    v = x._value
    lo_v = np.asarray(lo, dtype=v.dtype)
    hi_v = np.asarray(hi, dtype=v.dtype)
    inside = (v >= lo_v) & (v <= hi_v)
    return record(np.clip(v, lo_v, hi_v), (x,), lambda g: (multiply(g, const(inside, g)),))


def where(cond: np.ndarray, a: Tensor, b: Tensor) -> Tensor:
    """``cond ? a : b`` for a constant boolean ``cond`` and same-shaped ``a``, ``b``."""
    cond = np.asarray(cond, dtype=bool)
    out = np.where(cond, a._value, b._value)
    sa, sb = a._value.shape, b._value.shape
    from lamina.ops.core import unbroadcast

    return record(
        out,
        (a, b),
        lambda g: (
            unbroadcast(multiply(g, const(cond, g)), sa),
            unbroadcast(multiply(g, const(~cond, g)), sb),
        ),
    )


def mean(x: Tensor, axis=None, keepdims: bool = False) -> Tensor:
    """``tf.reduce_mean``: the sum divided by the number of reduced elements."""
    v = x._value
    if axis is None:
        n = v.size
    else:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        n = int(np.prod([v.shape[a] for a in axes])) if v.ndim else 1
    s = reduce_sum(x, axis=axis, keepdims=keepdims)
    return divide(s, const(max(n, 1) if n else 0, s))


def reduce_max(x: Tensor, axis=-1, keepdims: bool = False) -> Tensor:
    """Max over ``axis``; the gradient is shared equally between tied maxima, as TF."""
    v = x._value
    out = np.max(v, axis=axis, keepdims=True)
    hit = (v == out).astype(v.dtype)
    hit /= hit.sum(axis=axis, keepdims=True)
    res = out if keepdims else np.squeeze(out, axis=axis)
    kshape = out.shape
    return record(
        res, (x,), lambda g: (multiply(broadcast_to(reshape(g, kshape), v.shape), const(hit, g)),)
    )


def sigmoid(x: Tensor) -> Tensor:
    v = x._value
    with np.errstate(over="ignore"):
        y = _np_sigmoid(v)
    out = record(y, (x,), lambda g: (multiply(g, multiply(out, subtract(const(1, out), out))),))
    return out


def _np_sigmoid(v: np.ndarray) -> np.ndarray:
    """Stable logistic function (no overflow warnings for large |v|)."""
    e = np.exp(-np.abs(v))
    return np.where(v >= 0, 1 / (1 + e), e / (1 + e)).astype(v.dtype, copy=False)


def tanh(x: Tensor) -> Tensor:
    out = record(
        np.tanh(x._value),
        (x,),
        lambda g: (multiply(g, subtract(const(1, out), multiply(out, out))),),
    )
    return out


def softplus(x: Tensor) -> Tensor:
    """``log(1 + exp(x))`` computed without overflow."""
    v = x._value
    y = np.logaddexp(np.zeros((), v.dtype), v).astype(v.dtype, copy=False)
    return record(y, (x,), lambda g: (multiply(g, sigmoid(x)),))


def relu(x: Tensor) -> Tensor:
    v = x._value
    return record(np.maximum(v, 0), (x,), lambda g: (multiply(g, const(v > 0, g)),))


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    v = x._value
    m = np.max(v, axis=axis, keepdims=True)
    if v.size:
        m = np.where(np.isfinite(m), m, 0)
    z = v - m
    lse = np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
    out = record(
        z - lse,
        (x,),
        lambda g: (subtract(g, multiply(exp(out), reduce_sum(g, axis=axis, keepdims=True))),),
    )
    return out


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    v = x._value
    m = np.max(v, axis=axis, keepdims=True)
    e = np.exp(v - m)
    y = e / np.sum(e, axis=axis, keepdims=True)
    out = record(
        y,
        (x,),
        lambda g: (
            multiply(out, subtract(g, reduce_sum(multiply(g, out), axis=axis, keepdims=True))),
        ),
    )
    return out


def expand_last(x: Tensor) -> Tensor:
    return reshape(x, x._value.shape + (1,))


def squeeze_last(x: Tensor) -> Tensor:
    return reshape(x, x._value.shape[:-1])


def l2_normalize(x: Tensor, axis: int = -1) -> Tensor:
    """``x / sqrt(max(sum(x**2), 1e-12))`` as ``tf.math.l2_normalize``."""
    ss = reduce_sum(square(x), axis=axis, keepdims=True)
    return divide(x, sqrt(maximum(ss, 1e-12)))


def to_tensor(x) -> Tensor:
    return convert_to_tensor(x)


def moveaxis_last(x: Tensor, axis: int) -> Tensor:
    """Move ``axis`` to the end (a differentiable transpose)."""
    nd = x._value.ndim
    axis = axis % nd if nd else 0
    if axis == nd - 1 or nd == 0:
        return x
    perm = [i for i in range(nd) if i != axis] + [axis]
    inv = np.argsort(perm)
    return record(
        np.transpose(x._value, perm), (x,), lambda g: (_transpose(g, tuple(int(i) for i in inv)),)
    )


def _transpose(x: Tensor, perm: tuple) -> Tensor:
    inv = tuple(int(i) for i in np.argsort(perm))
    return record(np.transpose(x._value, perm), (x,), lambda g: (_transpose(g, inv),))


# --- logits carried by sigmoid/softmax outputs (tf.keras's ``_keras_logits``) --------------
# A probability produced by ``activations.sigmoid``/``softmax`` remembers its logits, so the
# cross-entropies can use the exact logits form instead of clipping, as tf.keras does.
_LOGITS: dict[int, tuple] = {}


def attach_logits(out: Tensor, logits: Tensor, kind: str) -> None:
    import weakref

    key = id(out)
    ref = weakref.ref(out, lambda _r, k=key: _LOGITS.pop(k, None))
    _LOGITS[key] = (ref, logits, kind)


def logits_of(out, kind: str):
    """The logits ``out`` was computed from by ``kind`` ('sigmoid'/'softmax'), else None."""
    entry = _LOGITS.get(id(out))
    if entry is None or entry[0]() is not out or entry[2] != kind:
        return None
    return entry[1]


def mul_broadcast(x: Tensor, shape: tuple) -> Tensor:
    """``x`` broadcast to ``shape`` (differentiable)."""
    return broadcast_to(x, shape)


_MASKS: dict[int, tuple] = {}


def attach_mask(out: Tensor, mask: np.ndarray) -> None:
    """Remember a boolean mask of valid entries for a per-sample loss tensor."""
    import weakref

    key = id(out)
    _MASKS[key] = (weakref.ref(out, lambda _r, k=key: _MASKS.pop(k, None)), mask)


def mask_of(out):
    entry = _MASKS.get(id(out))
    if entry is None or entry[0]() is not out:
        return None
    return entry[1]


def power(x: Tensor, a: float) -> Tensor:
    """``x ** a`` for a constant exponent ``a``."""
    v = x._value
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.power(v, np.asarray(a, v.dtype))
    if a == 0:
        return Tensor(np.ones_like(v))
    return record(y, (x,), lambda g: (multiply(g, multiply(const(a, x), power(x, a - 1))),))


def dtype_name(dtype) -> str:
    """``'float32'`` for ``'float32'``, ``np.float32``, ``lamina.float32`` ...; else TypeError."""
    try:
        return str(np.dtype(getattr(dtype, "name", dtype)))
    except TypeError:
        raise TypeError(f"`dtype` must be a dtype such as 'float32', received {dtype!r}.") from None
