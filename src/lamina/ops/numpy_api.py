"""Keras 3 ``keras.ops`` spellings (NumPy-style names and arguments) over lamina's ops."""

from __future__ import annotations

import builtins

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.dtypes import as_dtype
from lamina.ops import (
    array_ops as _a,
    comparison as _cmp,
    core as _core,
    creation as _c,
    elementwise as _e,
    linalg as _l,
    nn as _n,
    reduction as _r,
)
from lamina.ops.core import (
    _to_array,
    cast,
    convert_to_tensor,
    divide as _divide,
    log,
    multiply as _multiply,
    reduce_sum,
    reshape as _reshape,
)


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


# --- reductions with NumPy argument names --------------------------------------------------
def sum(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    return reduce_sum(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False) -> Tensor:
    t = _t(x)
    if t._value.dtype.kind in "iub":
        t = cast(t, "float32")
    return _r.reduce_mean(t, axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False, initial=None) -> Tensor:  # noqa: A001
    out = _r.reduce_max(x, axis=axis, keepdims=keepdims)
    return out if initial is None else _e.maximum(out, initial)


def min(x, axis=None, keepdims=False, initial=None) -> Tensor:  # noqa: A001
    out = _r.reduce_min(x, axis=axis, keepdims=keepdims)
    return out if initial is None else _e.minimum(out, initial)


def amax(x, axis=None, keepdims=False) -> Tensor:
    return _r.reduce_max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False) -> Tensor:
    return _r.reduce_min(x, axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False, dtype=None) -> Tensor:
    t = _t(x) if dtype is None else cast(x, dtype)
    return _r.reduce_prod(t, axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False) -> Tensor:
    return _r.reduce_std(_float(x), axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False) -> Tensor:
    return _r.reduce_variance(_float(x), axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    return _r.reduce_all(_to_array(x).astype(bool), axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    return _r.reduce_any(_to_array(x).astype(bool), axis=axis, keepdims=keepdims)


def logsumexp(x, axis=None, keepdims=False) -> Tensor:
    return _r.reduce_logsumexp(x, axis=axis, keepdims=keepdims)


def argmax(x, axis=None, keepdims=False) -> Tensor:
    """Index of the max (over the flattened tensor when ``axis`` is None), int32."""
    v = _to_array(x)
    out = np.argmax(v, axis=axis, keepdims=keepdims)
    return Tensor(np.asarray(out, dtype=np.int32))


def argmin(x, axis=None, keepdims=False) -> Tensor:
    v = _to_array(x)
    return Tensor(np.asarray(np.argmin(v, axis=axis, keepdims=keepdims), dtype=np.int32))


def cumsum(x, axis=None, dtype=None) -> Tensor:
    t = _t(x) if dtype is None else cast(x, dtype)
    if axis is None:
        t, axis = _reshape(t, (-1,)), 0
    return _r.cumsum(t, axis=axis)


def cumprod(x, axis=None, dtype=None) -> Tensor:
    t = _t(x) if dtype is None else cast(x, dtype)
    if axis is None:
        t, axis = _reshape(t, (-1,)), 0
    return _r.cumprod(t, axis=axis)


def average(x, axis=None, weights=None) -> Tensor:
    if weights is None:
        return mean(x, axis=axis)
    t = _float(x)
    w = convert_to_tensor(_to_array(weights, t._value.dtype))
    if w.ndim == 1 and t.ndim > 1 and axis is not None:
        shape = [1] * t.ndim
        shape[int(axis)] = -1
        w = _reshape(w, shape)
    den = reduce_sum(_multiply(_c.ones_like(t), w), axis=axis)
    return _divide(reduce_sum(_multiply(t, w), axis=axis), den)


def _float(x) -> Tensor:
    t = _t(x)
    return cast(t, "float32") if t._value.dtype.kind in "iub" else t


# --- shapes and joining -------------------------------------------------------------------
def shape(x) -> tuple:
    """The static shape as a tuple of ints (Keras 3)."""
    return tuple(_to_array(x).shape)


def size(x) -> int:
    return int(_to_array(x).size)


def ndim(x) -> int:
    return int(_to_array(x).ndim)


def reshape(x, newshape) -> Tensor:
    return _reshape(x, newshape)


def concatenate(xs, axis=0) -> Tensor:
    return _a.concat(list(xs), axis=axis)


def append(x1, x2, axis=None) -> Tensor:
    if axis is None:
        return _a.concat([_reshape(x1, (-1,)), _reshape(x2, (-1,))], axis=0)
    return _a.concat([x1, x2], axis=axis)


def hstack(xs) -> Tensor:
    xs = [_t(x) for x in xs]
    return _a.concat(xs, axis=0 if xs[0].ndim == 1 else 1)


def vstack(xs) -> Tensor:
    xs = [_t(x) for x in xs]
    return _a.concat([_reshape(x, (1, -1)) if x.ndim == 1 else x for x in xs], axis=0)


def split(x, indices_or_sections, axis=0) -> list:
    """NumPy-style: an int splits into equal parts, a list gives the cut indices."""
    t = _t(x)
    if isinstance(indices_or_sections, (int, np.integer)):
        return _a.split(t, int(indices_or_sections), axis=axis)
    n = t._value.shape[int(axis)]
    cuts = [int(i) for i in indices_or_sections]
    return _a.split(t, _a._sizes_from_cuts(cuts, n), axis=axis)


def swapaxes(x, axis1, axis2) -> Tensor:
    t = _t(x)
    perm = list(range(t.ndim))
    a, b = int(axis1) % t.ndim, int(axis2) % t.ndim
    perm[a], perm[b] = perm[b], perm[a]
    return _a.transpose(t, perm)


def moveaxis(x, source, destination) -> Tensor:
    t = _t(x)
    nd = t.ndim
    src = [int(a) % nd for a in (source if isinstance(source, (list, tuple)) else [source])]
    dst = [
        int(a) % nd
        for a in (destination if isinstance(destination, (list, tuple)) else [destination])
    ]
    if len(src) != len(dst):
        raise ValueError(
            f"moveaxis: `source` {source} and `destination` {destination} must "
            "have the same number of axes."
        )
    perm = [n for n in range(nd) if n not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return _a.transpose(t, perm)


def ravel(x) -> Tensor:
    return _reshape(x, (-1,))


def flatten(x) -> Tensor:
    return _reshape(x, (-1,))


def flip(x, axis=None) -> Tensor:
    t = _t(x)
    return _a.reverse(
        t,
        list(range(t.ndim))
        if axis is None
        else (axis if isinstance(axis, (list, tuple)) else [axis]),
    )


def take(x, indices, axis=None) -> Tensor:
    t = _t(x)
    if axis is None:
        t, axis = _reshape(t, (-1,)), 0
    idx = _to_array(indices)
    if idx.dtype.kind == "f":
        idx = idx.astype(np.int64)
    n = t._value.shape[int(axis)]
    return _a.gather(t, Tensor(np.where(idx < 0, idx + n, idx)), axis=axis)


def take_along_axis(x, indices, axis=None) -> Tensor:
    t = _t(x)
    idx = _to_array(indices).astype(np.int64)
    if axis is None:
        t, axis = _reshape(t, (-1,)), 0
    ax = int(axis) % t.ndim
    grids = list(np.indices(idx.shape, sparse=True))
    grids[ax] = idx
    return _a.getitem(t, tuple(grids))


def tril(x, k=0) -> Tensor:
    t = _t(x)
    m, n = t._value.shape[-2:]
    return _multiply(t, Tensor(np.tri(m, n, int(k), dtype=t._value.dtype)))


def triu(x, k=0) -> Tensor:
    t = _t(x)
    m, n = t._value.shape[-2:]
    return _multiply(t, Tensor(1 - np.tri(m, n, int(k) - 1, dtype=t._value.dtype)))


def diagonal(x, offset=0, axis1=0, axis2=1) -> Tensor:
    t = _t(x)
    return _l.diag_part(moveaxis(t, [axis1, axis2], [-2, -1]))


# --- creation -----------------------------------------------------------------------------
def arange(start, stop=None, step=1, dtype=None) -> Tensor:
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        is_float = builtins.any(_to_array(v).dtype.kind == "f" for v in (start, stop, step))
        dtype = "float32" if is_float else "int32"
    return _c.range(start, stop, step, dtype=dtype)


def full(shape, fill_value, dtype=None) -> Tensor:
    from lamina.backend.config import floatx

    v = _to_array(fill_value)
    d = np.dtype(floatx()) if dtype is None else as_dtype(dtype)._np
    return Tensor(np.full(_c._shape(shape, "full"), v, dtype=d))


def full_like(x, fill_value, dtype=None) -> Tensor:
    v = _to_array(x)
    d = v.dtype if dtype is None else as_dtype(dtype)._np
    return Tensor(np.full(v.shape, _to_array(fill_value), dtype=d))


def zeros(shape, dtype=None) -> Tensor:
    return _c.zeros(shape, dtype=dtype)


def ones(shape, dtype=None) -> Tensor:
    return _c.ones(shape, dtype=dtype)


def eye(N, M=None, k=0, dtype=None) -> Tensor:  # noqa: N803
    return Tensor(
        np.eye(
            int(N),
            None if M is None else int(M),
            int(k),
            dtype=np.float32 if dtype is None else as_dtype(dtype)._np,
        )
    )


def identity(n, dtype=None) -> Tensor:
    return eye(n, dtype=dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    v = np.linspace(
        _to_array(start), _to_array(stop), int(num), endpoint=endpoint, retstep=retstep, axis=axis
    )
    if retstep:
        v, step = v
    out = Tensor(np.asarray(v, dtype=np.float32 if dtype is None else as_dtype(dtype)._np))
    return (out, step) if retstep else out


def array(x, dtype=None) -> Tensor:
    return convert_to_tensor(x, dtype=dtype)


def convert_to_numpy(x) -> np.ndarray:
    return np.array(_to_array(x))


def is_tensor(x) -> bool:
    return isinstance(x, Tensor)


# --- element-wise with NumPy names --------------------------------------------------------
def clip(x, x_min, x_max) -> Tensor:
    return _e.clip_by_value(x, x_min, x_max)


def absolute(x) -> Tensor:
    return _e.abs(x)


def log2(x) -> Tensor:
    return _divide(log(x), float(np.log(2.0)))


def log10(x) -> Tensor:
    return _divide(log(x), float(np.log(10.0)))


def arccos(x) -> Tensor:
    return _e.acos(x)


def arcsin(x) -> Tensor:
    return _e.asin(x)


def arctan(x) -> Tensor:
    return _e.atan(x)


def arctan2(x1, x2) -> Tensor:
    return _e.atan2(x1, x2)


def isnan(x) -> Tensor:
    return _e.is_nan(x)


def isinf(x) -> Tensor:
    return _e.is_inf(x)


def isfinite(x) -> Tensor:
    return _e.is_finite(x)


def dot(x1, x2) -> Tensor:
    a, b = _t(x1), _t(x2)
    if a.ndim == 0 or b.ndim == 0:
        return _multiply(a, b)
    if a.ndim == 1 and b.ndim == 1:
        return reduce_sum(_multiply(a, b))
    if b.ndim == 1:
        return _l.matvec(a, b)
    if a.ndim == 1:
        return _l.matvec(b, a, transpose_a=True)
    return _l.tensordot(a, b, [[a.ndim - 1], [b.ndim - 2]])


def outer(x1, x2) -> Tensor:
    return _multiply(_reshape(x1, (-1, 1)), _reshape(x2, (1, -1)))


def vdot(x1, x2) -> Tensor:
    return reduce_sum(_multiply(_reshape(x1, (-1,)), _reshape(x2, (-1,))))


def round(x, decimals=0) -> Tensor:  # noqa: A001
    if decimals:
        s = 10.0 ** int(decimals)
        return _divide(_e.round(_multiply(x, s)), s)
    return _e.round(x)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None) -> Tensor:
    v = _to_array(x)
    return Tensor(np.nan_to_num(v, nan=nan, posinf=posinf, neginf=neginf))


def binary_crossentropy(target, output, from_logits=False) -> Tensor:
    """Element-wise binary cross-entropy (Keras 3 ``ops.binary_crossentropy``)."""
    out = _float(output)
    t = convert_to_tensor(_to_array(target, out._value.dtype))
    if from_logits:
        return _n.sigmoid_cross_entropy_with_logits(labels=t, logits=out)
    eps = 1e-7
    o = _e.clip_by_value(out, eps, 1 - eps)
    return -(_multiply(t, log(o)) + _multiply(1 - t, log(1 - o)))


def categorical_crossentropy(target, output, from_logits=False, axis=-1) -> Tensor:
    out = _float(output)
    t = convert_to_tensor(_to_array(target, out._value.dtype))
    if from_logits:
        return _n.softmax_cross_entropy_with_logits(t, out, axis=axis)
    o = _divide(out, reduce_sum(out, axis=axis, keepdims=True))
    o = _e.clip_by_value(o, 1e-7, 1 - 1e-7)
    return -reduce_sum(_multiply(t, log(o)), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1) -> Tensor:
    out = _float(output)
    lab = _to_array(target).astype(np.int64)
    if lab.ndim == out.ndim and lab.shape[-1] == 1:
        lab = lab[..., 0]
    oh = _a.one_hot(lab, out._value.shape[axis], dtype=out.dtype, axis=axis)
    return categorical_crossentropy(oh, out, from_logits=from_logits, axis=axis)


def sigmoid(x) -> Tensor:
    return _e.sigmoid(x)


def relu(x) -> Tensor:
    return _n.relu(x)


def softmax(x, axis=-1) -> Tensor:
    return _n.softmax(x, axis=axis)


def log_softmax(x, axis=-1) -> Tensor:
    return _n.log_softmax(x, axis=axis)


def leaky_relu(x, negative_slope=0.2) -> Tensor:
    return _n.leaky_relu(x, alpha=negative_slope)


def normalize(x, axis=-1, order=2) -> Tensor:
    t = _float(x)
    return _divide(t, _e.maximum(_l.norm(t, ord=order, axis=axis, keepdims=True), 1e-12))


def one_hot(x, num_classes, axis=-1, dtype=None) -> Tensor:
    return _a.one_hot(x, num_classes, axis=axis, dtype=dtype or "float32")


def slice(inputs, start_indices, shape) -> Tensor:  # noqa: A001
    return _a.slice_(inputs, start_indices, shape)


# the same functions under their Keras names
arcsinh, arccosh, arctanh = _e.asinh, _e.acosh, _e.atanh
erf, log_sigmoid = _e.erf, _e.log_sigmoid
silu = swish = _n.silu
elu, selu, relu6, hard_sigmoid = _n.elu, _n.selu, _n.relu6, _n.hard_sigmoid
trace, diag, moments = _l.trace, _l.diag, _n.moments

__all__ = [
    "sum",
    "mean",
    "max",
    "min",
    "amax",
    "amin",
    "prod",
    "std",
    "var",
    "all",
    "any",
    "logsumexp",
    "argmax",
    "argmin",
    "cumsum",
    "cumprod",
    "average",
    "shape",
    "size",
    "ndim",
    "reshape",
    "concatenate",
    "append",
    "hstack",
    "vstack",
    "split",
    "swapaxes",
    "moveaxis",
    "ravel",
    "flatten",
    "flip",
    "take",
    "take_along_axis",
    "tril",
    "triu",
    "diagonal",
    "arange",
    "full",
    "full_like",
    "zeros",
    "ones",
    "eye",
    "identity",
    "linspace",
    "array",
    "convert_to_numpy",
    "is_tensor",
    "clip",
    "power",
    "absolute",
    "true_divide",
    "mod",
    "floor_divide",
    "log2",
    "log10",
    "arccos",
    "arcsin",
    "arctan",
    "arctan2",
    "isnan",
    "isinf",
    "isfinite",
    "dot",
    "outer",
    "vdot",
    "round",
    "nan_to_num",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "sigmoid",
    "relu",
    "softmax",
    "log_softmax",
    "leaky_relu",
    "normalize",
    "one_hot",
    "slice",
    "arcsinh",
    "arccosh",
    "arctanh",
    "silu",
    "swish",
    "gelu",
    "elu",
    "selu",
    "relu6",
    "hard_sigmoid",
    "log_sigmoid",
    "erf",
    "trace",
    "diag",
    "moments",
]


# --- convolution and pooling with Keras 3 arguments ----------------------------------------
def _cf(data_format) -> str:
    from lamina.backend.config import image_data_format

    fmt = data_format or image_data_format()
    return "NC" if fmt == "channels_first" else "NHWC"


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """``keras.ops.conv`` for 1-D and 2-D inputs (kernel (..., in, out))."""
    from lamina.ops import conv_ops as _cv

    x = _t(inputs)
    first = _cf(data_format) == "NC"
    if x.ndim == 3:
        return _cv.conv1d(
            x, kernel, strides, padding.upper(), "NCW" if first else "NWC", dilation_rate
        )
    return _cv.conv2d(
        x, kernel, strides, padding.upper(), "NCHW" if first else "NHWC", dilation_rate
    )


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    from lamina.ops import conv_ops as _cv

    first = _cf(data_format) == "NC"
    return _cv.depthwise_conv2d(
        inputs, kernel, strides, padding.upper(), "NCHW" if first else "NHWC", dilation_rate
    )


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    from lamina.ops import conv_ops as _cv

    x = _t(inputs)
    first = _cf(data_format) == "NC"
    if x.ndim == 3:
        return _cv.max_pool1d(x, pool_size, strides, padding.upper(), "NCW" if first else "NWC")
    return _cv.max_pool2d(x, pool_size, strides, padding.upper(), "NCHW" if first else "NHWC")


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    from lamina.ops import conv_ops as _cv

    x = _t(inputs)
    first = _cf(data_format) == "NC"
    if x.ndim == 3:
        return _cv.avg_pool1d(x, pool_size, strides, padding.upper(), "NCW" if first else "NWC")
    return _cv.avg_pool2d(x, pool_size, strides, padding.upper(), "NCHW" if first else "NHWC")


__all__ += ["conv", "depthwise_conv", "max_pool", "average_pool"]


# --- Keras 3 type promotion for two-operand ops ---------------------------------------------
def _promote(x1, x2, op: str):
    """Keras 3 promotion: an int tensor meeting a Python float (or float data) becomes float;
    two tensors of different float widths meet at the wider one."""
    from lamina.backend.config import floatx

    a = x1 if isinstance(x1, Tensor) else None
    b = x2 if isinstance(x2, Tensor) else None
    if a is None and b is None:
        a = x1 = convert_to_tensor(x1)
    t = a if a is not None else b
    other = x2 if t is a else x1
    k = t._value.dtype.kind
    if isinstance(other, Tensor):
        if other._value.dtype != t._value.dtype:
            dt = np.result_type(t._value.dtype, other._value.dtype)
            if dt == np.float64 and {t._value.dtype.kind, other._value.dtype.kind} == {"f", "i"}:
                dt = np.result_type(
                    *(v._value.dtype for v in (t, other) if v._value.dtype.kind == "f")
                )
            return cast(x1, dt), cast(x2, dt)
        return x1, x2
    if k in "iub":
        od = np.asarray(_to_array(other)).dtype
        if od.kind == "f":
            fx = floatx() if not isinstance(other, np.ndarray) else od
            return cast(t, fx) if t is x1 else x1, cast(t, fx) if t is x2 else x2
    return x1, x2


_PY_NUM = (int, float)


def _kbinary(fn):
    def op(x1, x2):
        if isinstance(x1, Tensor) and isinstance(x2, Tensor) and x1._value.dtype == x2._value.dtype:
            return fn(x1, x2)  # the common cases pay nothing for promotion
        if isinstance(x1, Tensor) and type(x2) in _PY_NUM and x1._value.dtype.kind in "fc":
            return fn(x1, x2)
        if isinstance(x2, Tensor) and type(x1) in _PY_NUM and x2._value.dtype.kind in "fc":
            return fn(x1, x2)
        a, b = _promote(x1, x2, fn.__name__)
        return fn(a, b)

    op.__name__ = fn.__name__
    op.__doc__ = f"``keras.ops.{fn.__name__}`` with Keras 3 type promotion."
    return op


def _int_to_float(x):
    from lamina.backend.config import floatx

    t = _t(x)
    return cast(t, floatx()) if t._value.dtype.kind in "iub" else t


def divide(x1, x2) -> Tensor:
    """True division; integers divide as floatx (Keras 3)."""
    a, b = _promote(x1, x2, "divide")
    a = _t(a) if not isinstance(b, Tensor) else a
    if isinstance(a, Tensor) and a._value.dtype.kind in "iub":
        a = _int_to_float(a)
    if isinstance(b, Tensor) and b._value.dtype.kind in "iub":
        b = _int_to_float(b)
    return _divide(a, b)


true_divide = divide


def count_nonzero(x, axis=None) -> Tensor:
    return _r.count_nonzero(x, axis=axis, dtype="int32")


def gelu(x, approximate=True) -> Tensor:
    """Keras 3 ``ops.gelu`` (tanh approximation by default)."""
    return _n.gelu(x, approximate=approximate)


add = _kbinary(_core.add)
subtract = _kbinary(_core.subtract)
multiply = _kbinary(_core.multiply)
maximum = _kbinary(_e.maximum)
minimum = _kbinary(_e.minimum)
power = _kbinary(_e.pow)
mod = _kbinary(_e.floormod)
floor_divide = _kbinary(_e.floordiv)
equal = _kbinary(_cmp.equal)
not_equal = _kbinary(_cmp.not_equal)
greater = _kbinary(_cmp.greater)
greater_equal = _kbinary(_cmp.greater_equal)
less = _kbinary(_cmp.less)
less_equal = _kbinary(_cmp.less_equal)

__all__ += [
    "divide",
    "true_divide",
    "count_nonzero",
    "gelu",
    "add",
    "subtract",
    "multiply",
    "maximum",
    "minimum",
    "power",
    "mod",
    "floor_divide",
    "equal",
    "not_equal",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
]


# --- Keras 3 control flow -------------------------------------------------------------------
def cond(pred, true_fn, false_fn):
    return true_fn() if bool(pred) else false_fn()


def switch(index, branches, *operands):
    i = builtins.min(builtins.max(int(index), 0), len(branches) - 1)
    return branches[i](*operands)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Keras 3 ``ops.while_loop``: ``loop_vars`` may be a tuple, list or single tensor."""
    from lamina.ops.control import while_loop as _wl

    return _wl(cond, body, loop_vars, maximum_iterations=maximum_iterations)


def fori_loop(lower, upper, body_fun, init_val):
    val = init_val
    for i in builtins.range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Keras 3 ``ops.scan``: ``carry, y = f(carry, x)``; returns (carry, stacked ys)."""
    if xs is None:
        items = [None] * int(length)
    else:
        items = _a.unstack(_t(xs))
    if reverse:
        items = items[::-1]
    carry, ys = init, []
    for x in items:
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys = ys[::-1]
    stacked = _a.stack(ys) if ys and ys[0] is not None else None
    return carry, stacked


def map(f, xs):  # noqa: A001  (keras.ops.map)
    return _a.stack([f(x) for x in _a.unstack(_t(xs))])


def vectorized_map(function, elements):
    return _a.map_fn(function, elements)


def custom_gradient(f):
    from lamina.autodiff.eager import custom_gradient as _cg

    return _cg(f)


# --- more NumPy-style functions -------------------------------------------------------------
def diff(a, n=1, axis=-1) -> Tensor:
    t = _t(a)
    ax = int(axis) % t.ndim
    for _ in builtins.range(int(n)):
        m = t._value.shape[ax]
        hi = (builtins.slice(None),) * ax + (builtins.slice(1, m),)
        lo = (builtins.slice(None),) * ax + (builtins.slice(0, m - 1),)
        t = _core.subtract(_a.getitem(t, hi), _a.getitem(t, lo))
    return t


def logaddexp(x1, x2) -> Tensor:
    a, b = _promote(x1, x2, "logaddexp")
    return _r.reduce_logsumexp(_a.stack([_t(a), _t(b)]), axis=0)


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False) -> Tensor:
    return Tensor(
        np.isclose(_to_array(x1), _to_array(x2), rtol=rtol, atol=atol, equal_nan=equal_nan)
    )


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False) -> Tensor:
    return Tensor(
        np.asarray(
            np.allclose(_to_array(x1), _to_array(x2), rtol=rtol, atol=atol, equal_nan=equal_nan)
        )
    )


def nonzero(x) -> tuple:
    return tuple(Tensor(i.astype(np.int32)) for i in np.nonzero(_to_array(x)))


def median(x, axis=None, keepdims=False) -> Tensor:
    v = _to_array(x)
    return Tensor(
        np.asarray(np.median(v, axis=axis, keepdims=keepdims)).astype(
            v.dtype if v.dtype.kind == "f" else np.float32
        )
    )


def quantile(x, q, axis=None, method="linear", keepdims=False) -> Tensor:
    v = _to_array(x)
    out = np.quantile(v, _to_array(q), axis=axis, method=method, keepdims=keepdims)
    return Tensor(np.asarray(out).astype(v.dtype if v.dtype.kind == "f" else np.float32))


def digitize(x, bins) -> Tensor:
    return Tensor(np.digitize(_to_array(x), _to_array(bins)).astype(np.int32))


def bincount(x, weights=None, minlength=0, sparse=False) -> Tensor:
    return _r.bincount(x, weights=weights, minlength=minlength)


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None) -> Tensor:
    return _l.cross(x1, x2)


def segment_sum(data, segment_ids, num_segments=None, sorted=False) -> Tensor:  # noqa: A002
    if num_segments is None:
        from lamina.ops.extras import segment_sum as _segment_sum

        return _segment_sum(data, segment_ids)
    return _a.unsorted_segment_sum(data, segment_ids, num_segments)


def segment_max(data, segment_ids, num_segments=None, sorted=False) -> Tensor:  # noqa: A002
    from lamina.ops.extras import unsorted_segment_max

    return unsorted_segment_max(data, segment_ids, num_segments)


def rsqrt(x) -> Tensor:
    return _e.rsqrt(x)


def inv(x) -> Tensor:
    return _l.inv(x)


def det(x) -> Tensor:
    return _l.det(x)


def solve(a, b) -> Tensor:
    return _l.solve(a, b)


def cholesky(x) -> Tensor:
    return _l.cholesky(x)


def qr(x, mode="reduced"):
    return _l.qr(x, full_matrices=mode == "complete")


def svd(x, full_matrices=True, compute_uv=True):
    """NumPy order: (u, s, vh)."""
    v = _to_array(x)
    if not compute_uv:
        return Tensor(np.linalg.svd(v, compute_uv=False))
    u, s, vh = np.linalg.svd(v, full_matrices=full_matrices)
    return Tensor(u), Tensor(s), Tensor(vh)


__all__ += [
    "cond",
    "switch",
    "while_loop",
    "fori_loop",
    "scan",
    "map",
    "vectorized_map",
    "custom_gradient",
    "diff",
    "logaddexp",
    "isclose",
    "allclose",
    "nonzero",
    "median",
    "quantile",
    "digitize",
    "bincount",
    "cross",
    "segment_sum",
    "segment_max",
    "rsqrt",
    "inv",
    "det",
    "solve",
    "cholesky",
    "qr",
    "svd",
]
