"""The ops the losses and activations are written with, and a few helpers only they need.

The differentiable functions are the engine's own (``lamina.ops``): this module gathers
them under short names so a loss formula reads like its Keras source. What lives here is
what the engine has no reason to know: float conversion with the losses' rules, constants
in a tensor's dtype, and the logits / mask side tables the cross-entropies read.
"""

from __future__ import annotations

import weakref

import numpy as np

from lamina.autodiff.tape import record
from lamina.autodiff.tensor import Tensor
from lamina.backend.config import floatx
from lamina.ops.array_ops import transpose, where
from lamina.ops.core import (
    add,
    broadcast_to,
    cast,
    divide,
    exp,
    log,
    multiply,
    negative,
    reduce_sum,
    reshape,
    subtract,
)
from lamina.ops.elementwise import (
    abs,  # noqa: A004  (tf.abs)
    clip_by_value as clip,
    log1p,
    maximum,
    minimum,
    pow,  # noqa: A004  (tf.pow)
    sigmoid,
    softplus,
    sqrt,
    square,
    tanh,
)
from lamina.ops.nn import l2_normalize, relu, softmax
from lamina.ops.reduction import reduce_max, reduce_mean as mean

__all__ = [
    "abs",
    "add",
    "as_float",
    "attach_logits",
    "attach_mask",
    "broadcast_to",
    "cast",
    "clip",
    "const",
    "divide",
    "dtype_name",
    "exp",
    "expand_last",
    "l2_normalize",
    "log",
    "log1p",
    "log_softmax",
    "logits_of",
    "mask_of",
    "maximum",
    "mean",
    "minimum",
    "moveaxis_last",
    "multiply",
    "negative",
    "power",
    "reduce_max",
    "reduce_sum",
    "relu",
    "reshape",
    "sigmoid",
    "softmax",
    "softplus",
    "sqrt",
    "square",
    "squeeze_last",
    "subtract",
    "tanh",
    "where",
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


def power(x: Tensor, a: float) -> Tensor:
    """``x ** a`` for a constant exponent; ``a == 0`` gives ones with no gradient (the
    derivative ``0 * x ** -1`` would be NaN where ``x`` is 0)."""
    if a == 0:
        return Tensor(np.ones_like(x._value))
    return pow(x, const(a, x))


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """``(x - max) - log(sum(exp(x - max)))``: the shifted form keeps full precision where
    ``x`` is close to its max (``lamina.nn.log_softmax`` subtracts ``max + log(sum)`` in
    one step and loses the last digits there; TensorFlow shifts first, as here)."""
    v = x._value
    m = np.maximum.reduce(v, axis=axis, keepdims=True)
    if v.size and not np.isfinite(m).all():
        m = np.where(np.isfinite(m), m, 0)
    z = v - m
    lse = np.log(np.add.reduce(np.exp(z), axis=axis, keepdims=True))
    z -= lse
    out = record(
        z,
        (x,),
        lambda g: (subtract(g, multiply(exp(out), reduce_sum(g, axis=axis, keepdims=True))),),
    )
    return out


def expand_last(x: Tensor) -> Tensor:
    return reshape(x, x._value.shape + (1,))


def squeeze_last(x: Tensor) -> Tensor:
    return reshape(x, x._value.shape[:-1])


def moveaxis_last(x: Tensor, axis: int) -> Tensor:
    """Move ``axis`` to the end (a differentiable transpose)."""
    nd = x._value.ndim
    axis = axis % nd if nd else 0
    if axis == nd - 1 or nd == 0:
        return x
    return transpose(x, [i for i in range(nd) if i != axis] + [axis])


# --- side tables keyed by output tensors -----------------------------------------------------
# A probability produced by ``activations.sigmoid``/``softmax`` remembers its logits, so the
# cross-entropies can use the exact logits form instead of clipping, as tf.keras does
# (``_keras_logits``); a sparse cross-entropy with ``ignore_class`` remembers which entries
# count. Entries vanish with their tensor.
_LOGITS: dict[int, tuple] = {}
_MASKS: dict[int, tuple] = {}


def _remember(table: dict, out: Tensor, payload: tuple) -> None:
    key = id(out)
    table[key] = (weakref.ref(out, lambda _r, k=key: table.pop(k, None)), *payload)


def attach_logits(out: Tensor, logits: Tensor, kind: str) -> None:
    _remember(_LOGITS, out, (logits, kind))


def logits_of(out, kind: str):
    """The logits ``out`` was computed from by ``kind`` ('sigmoid'/'softmax'), else None."""
    entry = _LOGITS.get(id(out))
    if entry is None or entry[0]() is not out or entry[2] != kind:
        return None
    return entry[1]


def attach_mask(out: Tensor, mask: np.ndarray) -> None:
    """Remember a boolean mask of valid entries for a per-sample loss tensor."""
    _remember(_MASKS, out, (mask,))


def mask_of(out):
    entry = _MASKS.get(id(out))
    if entry is None or entry[0]() is not out:
        return None
    return entry[1]


def dtype_name(dtype) -> str:
    """``'float32'`` for ``'float32'``, ``np.float32``, ``lamina.float32`` ...; else TypeError."""
    try:
        return str(np.dtype(getattr(dtype, "name", dtype)))
    except TypeError:
        raise TypeError(f"`dtype` must be a dtype such as 'float32', received {dtype!r}.") from None
