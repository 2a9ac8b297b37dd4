"""The ops the tape itself needs: conversion, broadcasting arithmetic, sums and reshapes.

Each op computes its result with NumPy and hands :func:`record` a VJP closure written with
lamina ops (so gradients are themselves differentiable). Arguments that are not Tensors are
converted to the dtype of the Tensor they meet, as TensorFlow converts Python numbers.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tape import needs as _needs, record
from lamina.autodiff.tensor import Tensor
from lamina.autodiff.variable import Variable
from lamina.backend.config import floatx
from lamina.dtypes import as_dtype

_FLOAT_KINDS = "fc"


# --- conversion ---------------------------------------------------------------------------
def _to_array(value, dtype=None) -> np.ndarray:
    """NumPy array for ``value`` with TensorFlow's defaults for Python data."""
    if isinstance(value, Tensor):
        arr = value._value
        return arr if dtype is None else arr.astype(dtype, copy=False)
    if dtype is not None:
        try:
            return np.asarray(value, dtype=dtype)
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"Cannot convert {_short(value)} to a tensor of dtype {np.dtype(dtype).name}: {e}"
            ) from None
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "__array__") and not isinstance(value, (list, tuple)):
        return np.asarray(value)
    try:
        arr = np.asarray(value)
    except ValueError:
        raise ValueError(
            f"Cannot convert {_short(value)} to a tensor: the nested lists have different "
            "lengths (ragged data); every row must have the same shape."
        ) from None
    # Python floats -> float32, Python ints -> int32, as TensorFlow.
    if arr.dtype == np.float64 and not isinstance(value, np.floating):
        arr = arr.astype(floatx())
    elif arr.dtype == np.int64 and not isinstance(value, np.integer):
        arr = arr.astype(np.int32)
    elif arr.dtype.kind == "U":  # text becomes UTF-8 bytes, as tf.string
        arr = np.char.encode(arr, "utf-8").astype(object)
    elif arr.dtype.kind == "S":
        arr = arr.astype(object)
    elif arr.dtype == object:
        if arr.ndim == 0:
            raise TypeError(
                f"Cannot convert {_short(value)} (type {type(value).__name__}) to a tensor: "
                "expected a number, bool, string, nested list of them, NumPy array or Tensor."
            )
        raise TypeError(f"Cannot convert {_short(value)} to a tensor: ragged or mixed-type data.")
    return arr


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None) -> Tensor:
    """Return ``value`` as a Tensor (Tensors and Variables pass through unchanged)."""
    if isinstance(value, Tensor) and (dtype is None or value._value.dtype == as_dtype(dtype)._np):
        return value
    if isinstance(value, Tensor):
        src, dst = value.dtype, as_dtype(dtype)
        raise ValueError(
            f"Tensor conversion requested dtype {dst.name} for Tensor with dtype {src.name}. "
            "Use lamina.cast to change a tensor's dtype."
        )
    np_dtype = None if dtype is None else as_dtype(dtype)._np
    if np_dtype is None and dtype_hint is not None and not isinstance(value, np.ndarray):
        arr = np.asarray(value)
        if arr.dtype.kind in "iuf":
            np_dtype = as_dtype(dtype_hint)._np
    return Tensor(_to_array(value, np_dtype))


def constant(value, dtype=None, shape=None, name=None) -> Tensor:
    """A Tensor holding ``value`` (a copy), optionally cast and broadcast to ``shape``."""
    np_dtype = None if dtype is None else as_dtype(dtype)._np
    arr = np.array(_to_array(value, np_dtype), copy=True)
    if shape is not None:
        shape = tuple(shape)
        if arr.size == 1:
            arr = np.full(shape, arr.reshape(()), dtype=arr.dtype)
        elif arr.size == int(np.prod(shape)):
            arr = arr.reshape(shape)
        else:
            raise TypeError(
                f"constant: cannot give a value of {arr.size} elements the shape {shape}."
            )
    return Tensor(arr)


def as_tensor_pair(a, b, op: str) -> tuple[Tensor, Tensor]:
    """Convert the operands of a binary op: non-Tensors take the Tensor's dtype."""
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb:
        if a._value.dtype != b._value.dtype:
            raise TypeError(
                f"{op}: both inputs must have the same dtype, received {a.dtype.name} and "
                f"{b.dtype.name}. Use lamina.cast() on one of them."
            )
        return a, b
    if ta:
        tb_ = type(b)
        if tb_ is float or tb_ is int:  # fast path: Python scalars take the tensor's dtype
            dt = a._value.dtype
            if tb_ is float and dt.kind in "iub":
                raise _float_into_int(op, b, a)
            return a, Tensor(np.array(b, dtype=dt))
        return a, Tensor(_to_array(b, _scalar_dtype(b, a._value.dtype)))
    if tb:
        ta_ = type(a)
        if ta_ is float or ta_ is int:
            dt = b._value.dtype
            if ta_ is float and dt.kind in "iub":
                raise _float_into_int(op, a, b)
            return Tensor(np.array(a, dtype=dt)), b
        return Tensor(_to_array(a, _scalar_dtype(a, b._value.dtype))), b
    a = convert_to_tensor(a)
    if type(b) is float and a._value.dtype.kind in "iub":
        raise _float_into_int(op, b, a)
    return a, Tensor(_to_array(b, _scalar_dtype(b, a._value.dtype)))


def _float_into_int(op: str, value: float, t: Tensor) -> TypeError:
    return TypeError(
        f"{op}: cannot combine the Python float {value!r} with a tensor of dtype "
        f"{t.dtype.name}. Cast the tensor first, e.g. lamina.cast(x, 'float32')."
    )


def _scalar_dtype(value, dtype: np.dtype):
    """The dtype a non-Tensor operand converts to when it meets a tensor of ``dtype``."""
    if (
        dtype.kind in "iu"
        and isinstance(value, (np.ndarray, np.floating))
        and np.asarray(value).dtype.kind == "f"
        and not np.all(np.mod(value, 1) == 0)
    ):
        raise TypeError(
            f"Cannot convert the float values {_short(value)} to a tensor of dtype "
            f"{dtype.name} without losing their fractions. Cast the integer tensor to a float "
            "type first, e.g. lamina.cast(x, 'float32')."
        )
    return dtype


def _short(value) -> str:
    r = repr(value)
    return r if len(r) < 60 else r[:57] + "..."


def snapshot(x: Tensor, arr: np.ndarray) -> np.ndarray:
    """``arr`` (often a view of ``x``), copied when ``x`` is a Variable that may change later."""
    return arr.copy() if isinstance(x, Variable) else arr


def no_gradient(value: np.ndarray, inputs: tuple, op: str) -> Tensor:
    """The result of an op lamina cannot differentiate (though TensorFlow can).

    It is recorded like any op, so differentiating through it raises a clear LookupError
    instead of silently returning None.
    """

    def vjp(g):
        raise LookupError(
            f"No gradient is implemented for `{op}` in lamina. Wrap its result in "
            "lamina.stop_gradient(...) if it does not need one, or compute it outside the tape."
        )

    return record(value, inputs, vjp)


# --- broadcasting -------------------------------------------------------------------------
def unbroadcast(g: Tensor, shape: tuple) -> Tensor:
    """Sum ``g`` over the axes that broadcasting added or stretched, to get ``shape``."""
    gshape = g._value.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, d in enumerate(shape) if d == 1 and gshape[i + lead] != 1
    )
    if axes:
        g = reduce_sum(g, axis=axes, keepdims=False)
    if g._value.shape != shape:
        g = reshape(g, shape)
    return g


def shape_error(op: str, x: Tensor, y: Tensor) -> ValueError:
    """The error for operands whose shapes do not broadcast together."""
    return ValueError(
        f"{op}: incompatible shapes {tuple(x._value.shape)} and {tuple(y._value.shape)}; "
        "the shapes must be equal or broadcastable (each dimension equal or 1)."
    )


# --- arithmetic ---------------------------------------------------------------------------
def add(x, y, name=None) -> Tensor:
    """x + y, element-wise with broadcasting."""
    x, y = as_tensor_pair(x, y, "add")
    sx, sy = x._value.shape, y._value.shape
    try:
        out = np.add(x._value, y._value)
    except ValueError:
        raise shape_error("add", x, y) from None
    return record(
        out,
        (x, y),
        lambda g: (
            unbroadcast(g, sx) if _needs(0) else None,
            unbroadcast(g, sy) if _needs(1) else None,
        ),
    )


def subtract(x, y, name=None) -> Tensor:
    """x - y, element-wise with broadcasting."""
    x, y = as_tensor_pair(x, y, "subtract")
    sx, sy = x._value.shape, y._value.shape
    try:
        out = np.subtract(x._value, y._value)
    except ValueError:
        raise shape_error("subtract", x, y) from None
    return record(
        out,
        (x, y),
        lambda g: (
            unbroadcast(g, sx) if _needs(0) else None,
            unbroadcast(negative(g), sy) if _needs(1) else None,
        ),
    )


def multiply(x, y, name=None) -> Tensor:
    """x * y, element-wise with broadcasting."""
    x, y = as_tensor_pair(x, y, "multiply")
    sx, sy = x._value.shape, y._value.shape
    try:
        out = np.multiply(x._value, y._value)
    except ValueError:
        raise shape_error("multiply", x, y) from None
    return record(
        out,
        (x, y),
        lambda g: (
            unbroadcast(multiply(g, y), sx) if _needs(0) else None,
            unbroadcast(multiply(g, x), sy) if _needs(1) else None,
        ),
    )


def divide(x, y, name=None) -> Tensor:
    """True division; integer inputs give float64 as TensorFlow's ``truediv``."""
    x, y = as_tensor_pair(x, y, "divide")
    if x._value.dtype.kind in "iub":
        dt = np.float64 if x._value.dtype.itemsize > 2 else np.float32
        x, y = Tensor(x._value.astype(dt)), Tensor(y._value.astype(dt))
    sx, sy = x._value.shape, y._value.shape
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.true_divide(x._value, y._value)
    except ValueError:
        raise shape_error("divide", x, y) from None
    return record(
        out,
        (x, y),
        lambda g: (
            unbroadcast(divide(g, y), sx) if _needs(0) else None,
            unbroadcast(negative(multiply(g, divide(divide(x, y), y))), sy) if _needs(1) else None,
        ),
    )


def negative(x, name=None) -> Tensor:
    """-x, element-wise."""
    x = convert_to_tensor(x)
    return record(np.negative(x._value), (x,), lambda g: (negative(g),))


def matmul(a, b, transpose_a=False, transpose_b=False, name=None) -> Tensor:
    """Matrix product over the last two axes (batched over leading axes), as ``tf.matmul``."""
    a, b = as_tensor_pair(a, b, "matmul")
    av, bv = a._value, b._value
    if av.ndim < 2 or bv.ndim < 2:
        raise ValueError(
            f"matmul: both inputs must be at least 2-D, received shapes {tuple(a.shape)} "
            f"and {tuple(b.shape)}."
        )
    if transpose_a:
        av = np.swapaxes(av, -1, -2)
    if transpose_b:
        bv = np.swapaxes(bv, -1, -2)
    try:
        out = np.matmul(av, bv)
    except ValueError:
        raise ValueError(
            f"matmul: incompatible shapes {tuple(a.shape)} @ {tuple(b.shape)}"
            f"{' (transpose_a)' if transpose_a else ''}{' (transpose_b)' if transpose_b else ''}"
            ": the inner dimensions must match and batch dimensions broadcast."
        ) from None
    sa, sb = a._value.shape, b._value.shape

    def vjp(g):
        # Gradient w.r.t. the (possibly transposed) operands, then undo the transposes.
        need_a, need_b = _needs(0), _needs(1)
        ga = gb = None
        if need_a:
            ga = unbroadcast(
                matmul(g, b, transpose_b=not transpose_b)
                if not transpose_a
                else matmul(b, g, transpose_a=transpose_b, transpose_b=True),
                sa,
            )
        if need_b:
            gb = unbroadcast(
                matmul(a, g, transpose_a=not transpose_a)
                if not transpose_b
                else matmul(g, a, transpose_a=True, transpose_b=transpose_a),
                sb,
            )
        return ga, gb

    return record(out, (a, b), vjp)


# --- shape and reduction ------------------------------------------------------------------
def _norm_axis(axis, ndim: int, op: str = "reduce"):
    """``axis`` (int, list, tuple or Tensor) as a tuple of non-negative axes, validated."""
    if axis is None:
        return None
    if isinstance(axis, Tensor):
        axis = axis._value.tolist()
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    out = []
    for a in axes:
        try:
            a = int(a)
        except (TypeError, ValueError):
            raise TypeError(
                f"{op}: `axis` must be an int or a list of ints, received {axis!r}."
            ) from None
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"{op}: axis {a} is out of range for a tensor of rank {ndim}.")
        out.append(a % ndim if ndim else 0)
    return tuple(out)


def one_axis(axis, ndim: int, op: str) -> int:
    """A single validated, non-negative axis."""
    return _norm_axis(int(axis) if not isinstance(axis, Tensor) else axis, ndim, op)[0]


def reshape(tensor, shape, name=None) -> Tensor:
    """The same values in a new shape (one dimension may be -1)."""
    x = convert_to_tensor(tensor)
    if isinstance(shape, Tensor):
        shape = shape._value.tolist()
    shape = (
        tuple(-1 if d is None else int(d) for d in shape)
        if not isinstance(shape, int)
        else (shape,)
    )
    try:
        out = x._value.reshape(shape)
    except ValueError:
        raise ValueError(
            f"reshape: cannot reshape a tensor with {x._value.size} elements to shape "
            f"{list(shape)} (input shape {tuple(x.shape)})."
        ) from None
    sx = x._value.shape
    return record(snapshot(x, out), (x,), lambda g: (reshape(g, sx),))


def broadcast_to(input, shape, name=None) -> Tensor:
    """``input`` repeated along new or size-1 axes to ``shape``."""
    x = input if isinstance(input, Tensor) else convert_to_tensor(input)
    shape = tuple(int(d) for d in (shape._value.tolist() if isinstance(shape, Tensor) else shape))
    v = x._value
    out = np.empty(shape, dtype=v.dtype)
    try:
        if v.ndim > len(shape):
            raise ValueError
        np.copyto(out, v)  # broadcasts v into the new array (much cheaper than broadcast_to)
    except ValueError:
        raise ValueError(
            f"broadcast_to: cannot broadcast shape {tuple(x.shape)} to {shape}."
        ) from None
    sx = v.shape
    return record(out, (x,), lambda g: (unbroadcast(g, sx),))


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The sum over ``axis`` (all axes when None)."""
    x = input_tensor if isinstance(input_tensor, Tensor) else convert_to_tensor(input_tensor)
    v = x._value
    axes = None if axis is None else _norm_axis(axis, v.ndim, "reduce_sum")
    if v.dtype.kind == "b":
        out = np.add.reduce(v, axis=axes, keepdims=keepdims, dtype=np.int32)
    else:
        out = np.add.reduce(v, axis=axes, keepdims=keepdims, dtype=v.dtype)
    sx = v.shape

    def vjp(g):
        if not keepdims and axes is not None:
            kshape = tuple(1 if i in axes else d for i, d in enumerate(sx))
            g = reshape(g, kshape)
        elif not keepdims:
            g = reshape(g, (1,) * len(sx))
        return (broadcast_to(g, sx),)

    if type(out) is not np.ndarray:
        out = np.asarray(out)
    return record(out, (x,), vjp)


def exp(x, name=None) -> Tensor:
    """e ** x. float32 follows TensorFlow's CPU kernel bit for bit (see ``exp_float32``)."""
    x = _float_input(x, "exp")
    v = x._value
    if v.dtype == np.float32 and v.size <= _EXACT_EXP_MAX:
        y = exp_float32(v)
    else:
        y = np.exp(v)
    out = record(y, (x,), lambda g: (multiply(g, out),))
    return out


_F32 = np.float32
#: Up to this many entries, float32 ``exp`` reproduces TensorFlow's bits (printed values match
#: the tutorials); larger arrays use NumPy's exp (within one ulp, ~20x faster).
_EXACT_EXP_MAX = 4096


def _madd(a, b, c):
    """a * b + c in float32 with two roundings (TensorFlow's CPU build has no FMA)."""
    p = a * b
    p += c
    return p


def exp_float32(v: np.ndarray) -> np.ndarray:
    """exp for float32 computed as TensorFlow's CPU kernel does, so printed values match.

    TensorFlow evaluates blocks of 16 entries with Eigen's vectorized exp: a Cody-Waite
    reduction x = m ln2 + r and a degree-6 polynomial for e**r (rounding differs from a
    correctly rounded exp in about one value in ten); the remaining ``n % 16`` entries go to
    the C library's (correctly rounded) expf. The same split is reproduced here on the
    flattened array.
    """
    flat = v.reshape(-1)
    n = flat.size
    k = n - n % 16
    with np.errstate(all="ignore"):  # inf and nan inputs pass through quietly
        if k == n:
            return _exp_blocks(flat).reshape(v.shape)
        tail = np.exp(flat[k:].astype(np.float64)).astype(_F32)
        if not k:
            return tail.reshape(v.shape)
        return np.concatenate([_exp_blocks(flat[:k]), tail]).reshape(v.shape)


def _exp_blocks(x: np.ndarray) -> np.ndarray:
    """Eigen's vectorized float32 exp on a flat array."""
    xc = np.minimum(x, _EXP_HI)
    m = _madd(xc, _LOG2E, _HALF)
    np.floor(m, out=m)
    r = _madd(m, _C1, xc)
    r = _madd(m, _C2, r)
    r2 = r * r
    even = _madd(r2, _P6, _P4)
    odd = _madd(r2, _P5, _P3)
    even = _madd(r2, even, _P2)
    y = _madd(r, odd, even)
    r += _ONE
    y = _madd(r2, y, r)
    y = np.ldexp(y, m.astype(np.int32))
    np.maximum(y, x, out=y)  # keeps +inf and nan inputs
    np.putmask(y, x < _EXP_LO, _ZERO)
    return y


def _c(value: float) -> np.ndarray:
    """A float32 constant as a 0-d array (NumPy combines those faster than scalars)."""
    return np.array(value, dtype=_F32)


# Eigen's float32 exp constants: the clamp, Cody-Waite split of ln 2, minimax polynomial.
_EXP_HI, _EXP_LO, _ZERO = _c(88.723), _c(-104.0), _c(0.0)
_LOG2E, _HALF, _ONE = _c(1.44269504088896341), _c(0.5), _c(1.0)
_C1, _C2 = _c(-0.693359375), _c(2.12194440e-4)
_P2, _P3 = _c(0.49999988079071044921875), _c(0.16666518151760101318359375)
_P4, _P5 = _c(4.166965186595916748046875e-2), _c(8.36894474923610687255859375e-3)
_P6 = _c(1.37449637986719608306884765625e-3)


def log(x, name=None) -> Tensor:
    """Natural logarithm (log(0) is -inf)."""
    x = _float_input(x, "log")
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(x._value)
    return record(y, (x,), lambda g: (divide(g, x),))


def _float_input(x, op: str) -> Tensor:
    """Inputs of transcendental ops: Python numbers become floatx; integer tensors are refused."""
    if isinstance(x, Tensor):
        if x._value.dtype.kind not in _FLOAT_KINDS:
            raise TypeError(
                f"{op}: expected a float tensor, received dtype {x.dtype.name}. "
                "Use lamina.cast(x, 'float32') first."
            )
        return x
    arr = _to_array(x)
    if arr.dtype.kind not in _FLOAT_KINDS:
        arr = arr.astype(floatx())
    return Tensor(arr)


def ones_like(input, dtype=None, name=None) -> Tensor:
    """Ones with the shape (and dtype unless given) of ``input``."""
    v = _to_array(input)
    return Tensor(np.ones_like(v, dtype=None if dtype is None else as_dtype(dtype)._np))


def zeros_like(input, dtype=None, name=None) -> Tensor:
    """Zeros with the shape (and dtype unless given) of ``input``."""
    v = _to_array(input)
    return Tensor(np.zeros(v.shape, dtype=v.dtype if dtype is None else as_dtype(dtype)._np))


def cast(x, dtype, name=None) -> Tensor:
    """Change the element type; the gradient flows back between float types only."""
    x = convert_to_tensor(x)
    dst = as_dtype(dtype)._np
    src = x._value.dtype
    if src == dst:
        return x if not isinstance(x, Variable) else record(x._value.copy(), (x,), lambda g: (g,))
    if src.kind in _FLOAT_KINDS and dst.kind in "iu":
        out = np.trunc(x._value).astype(dst)  # TensorFlow truncates toward zero
    else:
        out = x._value.astype(dst)
    return record(out, (x,), lambda g: (cast(g, src) if dst.kind in _FLOAT_KINDS else None,))


def stop_gradient(input, name=None) -> Tensor:
    """The same value, cut off from the tape."""
    x = convert_to_tensor(input)
    return Tensor(snapshot(x, x._value))
