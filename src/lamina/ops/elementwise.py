"""Element-wise math: powers, roots, logs, trigonometry, rounding, min/max, clipping.

Each op computes with NumPy and records a VJP written with lamina ops, so its gradient is
itself differentiable. Binary ops broadcast like NumPy and reduce gradients back to each
input's shape with :func:`unbroadcast`.
"""

from __future__ import annotations

import math as _math

import numpy as np

from lamina.autodiff.tape import record
from lamina.autodiff.tensor import Tensor
from lamina.ops.core import (
    _float_input,
    _to_array,
    add,
    as_tensor_pair,
    cast,
    convert_to_tensor,
    divide,
    exp,
    log,
    multiply,
    negative,
    shape_error,
    subtract,
    unbroadcast,
    zeros_like,
)

#: Ops whose domain is restricted: NumPy's warnings are silenced for them (log(0) gives
#: -inf quietly, as TensorFlow). ``errstate`` costs about a microsecond, so only these pay.
_GUARDED = {
    "sqrt",
    "rsqrt",
    "reciprocal",
    "log1p",
    "asin",
    "acos",
    "acosh",
    "atanh",
    "pow",
    "floordiv",
    "floormod",
    "truncatediv",
    "truncatemod",
    "cosh",
    "sinh",
    "expm1",
}


def _unary(x, op: str, fwd, grad):
    """A float element-wise op: ``fwd`` on the array, ``grad(g, x, y)`` as its VJP."""
    x = x if isinstance(x, Tensor) and x._value.dtype.kind in "fc" else _float_input(x, op)
    if op in _GUARDED:
        with np.errstate(all="ignore"):
            y = fwd(x._value)
    else:
        y = fwd(x._value)
    out = record(y, (x,), lambda g: (grad(g, x, out),))
    return out


def _binary(x, y, op: str, fwd):
    """Convert and broadcast two operands; returns ``(x, y, result array)``."""
    x, y = as_tensor_pair(x, y, op)
    try:
        if op in _GUARDED:
            with np.errstate(all="ignore"):
                out = fwd(x._value, y._value)
        else:
            out = fwd(x._value, y._value)
    except ValueError:
        raise shape_error(op, x, y) from None
    return x, y, out


def _same_kind_input(x, op: str) -> Tensor:
    """Inputs of ops valid on ints and floats alike (abs, square, sign ...)."""
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


# --- powers, roots, logarithms ------------------------------------------------------------
def sqrt(x, name=None) -> Tensor:
    """Square root."""
    return _unary(x, "sqrt", np.sqrt, lambda g, x, y: divide(g, multiply(y, 2.0)))


def rsqrt(x, name=None) -> Tensor:
    """1 / sqrt(x)."""
    return _unary(
        x,
        "rsqrt",
        lambda v: 1.0 / np.sqrt(v),
        lambda g, x, y: multiply(g, multiply(-0.5, multiply(y, square(y)))),
    )


def square(x, name=None) -> Tensor:
    """x * x."""
    x = _same_kind_input(x, "square")
    return record(np.square(x._value), (x,), lambda g: (multiply(g, multiply(x, 2)),))


def reciprocal(x, name=None) -> Tensor:
    """1 / x."""
    return _unary(x, "reciprocal", np.reciprocal, lambda g, x, y: negative(multiply(g, square(y))))


def expm1(x, name=None) -> Tensor:
    """exp(x) - 1, accurate near 0."""
    return _unary(x, "expm1", np.expm1, lambda g, x, y: multiply(g, add(y, 1.0)))


def log1p(x, name=None) -> Tensor:
    """log(1 + x), accurate near 0."""
    return _unary(x, "log1p", np.log1p, lambda g, x, y: divide(g, add(x, 1.0)))


def log_sigmoid(x, name=None) -> Tensor:
    """log(sigmoid(x)) computed without overflow."""
    return _unary(
        x,
        "log_sigmoid",
        lambda v: -np.logaddexp(0, -v),
        lambda g, x, y: multiply(g, sigmoid(negative(x))),
    )


def pow(x, y, name=None) -> Tensor:  # noqa: A001  (tf.pow)
    """x ** y, element-wise."""
    x, y, out = _binary(x, y, "pow", np.power)
    if x._value.dtype.kind in "iu" and np.any(y._value < 0):
        raise ValueError("pow: integers to negative integer powers are not allowed.")
    sx, sy = x._value.shape, y._value.shape

    def vjp(g):
        gx = multiply(g, multiply(y, pow(x, subtract(y, 1))))
        if y._value.dtype.kind not in "fc":
            return unbroadcast(gx, sx), None
        safe_x = where_(x._value > 0, x, 1.0)
        gy = multiply(g, multiply(res, log(safe_x)))
        return unbroadcast(gx, sx), unbroadcast(gy, sy)

    res = record(out, (x, y), vjp)
    return res


def squared_difference(x, y, name=None) -> Tensor:
    """(x - y) ** 2."""
    return square(subtract(x, y))


# --- exponentials and trigonometry --------------------------------------------------------
#: exp(-x) overflows below these inputs; sigmoid is clipped there (its value is < 1e-38).
_EXP_FLOOR = {
    np.dtype(np.float16): -11.0,
    np.dtype(np.float32): -88.0,
    np.dtype(np.float64): -708.0,
}


def sigmoid(x, name=None) -> Tensor:
    """1 / (1 + exp(-x)), computed without overflow."""

    def fwd(v):
        out = np.maximum(v, _EXP_FLOOR.get(v.dtype, -88.0))
        np.negative(out, out=out)
        np.exp(out, out=out)
        out += 1
        return np.reciprocal(out, out=out)

    return _unary(x, "sigmoid", fwd, lambda g, x, y: multiply(g, multiply(y, subtract(1.0, y))))


def tanh(x, name=None) -> Tensor:
    """Hyperbolic tangent."""
    return _unary(x, "tanh", np.tanh, lambda g, x, y: multiply(g, subtract(1.0, square(y))))


def softplus(x, name=None) -> Tensor:
    """log(1 + exp(x)) without overflow."""
    return _unary(
        x,
        "softplus",
        lambda v: np.logaddexp(0, v).astype(v.dtype),
        lambda g, x, y: multiply(g, sigmoid(x)),
    )


def softsign(x, name=None) -> Tensor:
    """x / (1 + |x|)."""
    return _unary(
        x,
        "softsign",
        lambda v: v / (1 + np.abs(v)),
        lambda g, x, y: divide(g, square(add(abs(x), 1.0))),
    )


def sin(x, name=None) -> Tensor:
    """Sine."""
    return _unary(x, "sin", np.sin, lambda g, x, y: multiply(g, cos(x)))


def cos(x, name=None) -> Tensor:
    """Cosine."""
    return _unary(x, "cos", np.cos, lambda g, x, y: negative(multiply(g, sin(x))))


def tan(x, name=None) -> Tensor:
    """Tangent."""
    return _unary(x, "tan", np.tan, lambda g, x, y: multiply(g, add(square(y), 1.0)))


def asin(x, name=None) -> Tensor:
    """Arcsine."""
    return _unary(
        x, "asin", np.arcsin, lambda g, x, y: multiply(g, rsqrt(subtract(1.0, square(x))))
    )


def acos(x, name=None) -> Tensor:
    """Arccosine."""
    return _unary(
        x, "acos", np.arccos, lambda g, x, y: negative(multiply(g, rsqrt(subtract(1.0, square(x)))))
    )


def atan(x, name=None) -> Tensor:
    """Arctangent."""
    return _unary(x, "atan", np.arctan, lambda g, x, y: divide(g, add(square(x), 1.0)))


def sinh(x, name=None) -> Tensor:
    """Hyperbolic sine."""
    return _unary(x, "sinh", np.sinh, lambda g, x, y: multiply(g, cosh(x)))


def cosh(x, name=None) -> Tensor:
    """Hyperbolic cosine."""
    return _unary(x, "cosh", np.cosh, lambda g, x, y: multiply(g, sinh(x)))


def asinh(x, name=None) -> Tensor:
    """Inverse hyperbolic sine."""
    return _unary(x, "asinh", np.arcsinh, lambda g, x, y: multiply(g, rsqrt(add(square(x), 1.0))))


def acosh(x, name=None) -> Tensor:
    """Inverse hyperbolic cosine."""
    return _unary(
        x, "acosh", np.arccosh, lambda g, x, y: multiply(g, rsqrt(subtract(square(x), 1.0)))
    )


def atanh(x, name=None) -> Tensor:
    """Inverse hyperbolic tangent."""
    return _unary(x, "atanh", np.arctanh, lambda g, x, y: divide(g, subtract(1.0, square(x))))


def atan2(y, x, name=None) -> Tensor:
    """The angle of the point (x, y), element-wise."""
    y, x, out = _binary(y, x, "atan2", np.arctan2)
    sy, sx = y._value.shape, x._value.shape

    def vjp(g):
        den = add(square(x), square(y))
        return unbroadcast(multiply(g, divide(x, den)), sy), unbroadcast(
            negative(multiply(g, divide(y, den))), sx
        )

    return record(out, (y, x), vjp)


_erf_vec = np.frompyfunc(_math.erf, 1, 1)


def _erf_np(v: np.ndarray) -> np.ndarray:
    """erf: exact (``math.erf``) in float64, a 1.5e-7-accurate rational form otherwise."""
    if v.dtype == np.float64:
        return _erf_vec(v).astype(np.float64)
    a = np.abs(v).astype(np.float64)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return (np.sign(v) * (1.0 - poly * np.exp(-a * a))).astype(v.dtype)


def erf(x, name=None) -> Tensor:
    """The Gauss error function."""
    c = 2.0 / _math.sqrt(_math.pi)
    return _unary(
        x, "erf", _erf_np, lambda g, x, y: multiply(g, multiply(c, exp(negative(square(x)))))
    )


def erfc(x, name=None) -> Tensor:
    """1 - erf(x)."""
    return subtract(1.0, erf(x))


# --- sign, absolute value, rounding -------------------------------------------------------
def abs(x, name=None) -> Tensor:  # noqa: A001  (tf.abs)
    """Absolute value (the gradient at 0 is 0)."""
    x = _same_kind_input(x, "abs")
    return record(np.abs(x._value), (x,), lambda g: (multiply(g, sign(x)),))


def sign(x, name=None) -> Tensor:
    """-1, 0 or 1; its gradient is zero."""
    x = _same_kind_input(x, "sign")
    return record(np.sign(x._value), (x,), lambda g: (zeros_like(g),))


def _no_grad_float(x, op: str, fn) -> Tensor:
    x = _same_kind_input(x, op)
    if x._value.dtype.kind not in "fc":
        return x
    return Tensor(fn(x._value))


def round(x, name=None) -> Tensor:  # noqa: A001  (tf.round)
    """Round half to even, as TensorFlow; no gradient."""
    return _no_grad_float(x, "round", np.round)


def floor(x, name=None) -> Tensor:
    """Round down; no gradient."""
    return _no_grad_float(x, "floor", np.floor)


def ceil(x, name=None) -> Tensor:
    """Round up; no gradient."""
    return _no_grad_float(x, "ceil", np.ceil)


def rint(x, name=None) -> Tensor:
    """Round half to even; no gradient."""
    return _no_grad_float(x, "rint", np.rint)


def is_nan(x, name=None) -> Tensor:
    """True where x is NaN."""
    return Tensor(np.isnan(_to_array(x)))


def is_inf(x, name=None) -> Tensor:
    """True where x is +-inf."""
    return Tensor(np.isinf(_to_array(x)))


def is_finite(x, name=None) -> Tensor:
    """True where x is neither inf nor NaN."""
    return Tensor(np.isfinite(_to_array(x)))


# --- two-operand ops ----------------------------------------------------------------------
def maximum(x, y, name=None) -> Tensor:
    """Element-wise max; ties send the gradient to ``x`` as TensorFlow."""
    x, y, out = _binary(x, y, "maximum", np.maximum)
    sx, sy = x._value.shape, y._value.shape

    def vjp(g):
        mask = x._value >= y._value
        return unbroadcast(where_(mask, g, 0.0), sx), unbroadcast(where_(mask, 0.0, g), sy)

    return record(out, (x, y), vjp)


def minimum(x, y, name=None) -> Tensor:
    """Element-wise min; ties send the gradient to ``x`` as TensorFlow."""
    x, y, out = _binary(x, y, "minimum", np.minimum)
    sx, sy = x._value.shape, y._value.shape

    def vjp(g):
        mask = x._value <= y._value
        return unbroadcast(where_(mask, g, 0.0), sx), unbroadcast(where_(mask, 0.0, g), sy)

    return record(out, (x, y), vjp)


def floordiv(x, y, name=None) -> Tensor:
    """Floor division (``x // y``); no gradient."""
    x, y, out = _binary(x, y, "floordiv", np.floor_divide)
    return Tensor(out)


def floormod(x, y, name=None) -> Tensor:
    """Remainder with the sign of ``y`` (Python's ``%``)."""
    x, y, out = _binary(x, y, "floormod", np.mod)
    sx, sy = x._value.shape, y._value.shape
    if out.dtype.kind not in "fc":
        return Tensor(out)

    def vjp(g):
        q = Tensor(np.floor_divide(x._value, y._value))
        return unbroadcast(g, sx), unbroadcast(negative(multiply(g, q)), sy)

    return record(out, (x, y), vjp)


def truncatediv(x, y, name=None) -> Tensor:
    """Division rounding toward zero."""
    x, y, out = _binary(x, y, "truncatediv", lambda a, b: np.trunc(a / b).astype(a.dtype))
    return Tensor(out)


def truncatemod(x, y, name=None) -> Tensor:
    """Remainder with the sign of ``x`` (C's fmod)."""
    x, y, out = _binary(x, y, "truncatemod", np.fmod)
    return Tensor(out)


def divide_no_nan(x, y, name=None) -> Tensor:
    """x / y, but 0 where y is 0."""
    x, y = as_tensor_pair(x, y, "divide_no_nan")
    zero = Tensor(y._value == 0)
    safe_y = where_(zero, Tensor(np.ones((), y._value.dtype)), y)
    return where_(zero, 0.0, divide(x, safe_y))


def multiply_no_nan(x, y, name=None) -> Tensor:
    """x * y, but 0 where y is 0 (even if x is inf or nan)."""
    x, y = as_tensor_pair(x, y, "multiply_no_nan")
    return where_(Tensor(y._value == 0), 0.0, multiply(x, y))


def xlogy(x, y, name=None) -> Tensor:
    """x * log(y), 0 where x is 0."""
    x, y = as_tensor_pair(x, y, "xlogy")
    zero = Tensor(x._value == 0)
    return where_(zero, 0.0, multiply(x, log(where_(zero, 1.0, y))))


def xdivy(x, y, name=None) -> Tensor:
    """x / y, 0 where x is 0."""
    x, y = as_tensor_pair(x, y, "xdivy")
    zero = Tensor(x._value == 0)
    return where_(zero, 0.0, divide(x, where_(zero, 1.0, y)))


def truediv(x, y, name=None) -> Tensor:
    """True division (``divide``)."""
    return divide(x, y)


def add_n(inputs, name=None) -> Tensor:
    """The element-wise sum of a list of same-shaped tensors."""
    inputs = list(inputs)
    if not inputs:
        raise ValueError("add_n: `inputs` must be a non-empty list of tensors.")
    out = convert_to_tensor(inputs[0])
    for t in inputs[1:]:
        out = add(out, t)
    return out


def clip_by_value(t, clip_value_min, clip_value_max, name=None) -> Tensor:
    """Clip to [min, max]; the gradient passes where ``t`` is inside the range."""
    t = _same_kind_input(t, "clip_by_value")
    lo = convert_to_tensor(_to_array(clip_value_min, t._value.dtype))
    hi = convert_to_tensor(_to_array(clip_value_max, t._value.dtype))
    try:
        out = np.minimum(np.maximum(t._value, lo._value), hi._value)
        np.broadcast_shapes(out.shape, t._value.shape)
    except ValueError:
        raise ValueError(
            f"clip_by_value: the bounds of shapes {tuple(lo.shape)} and {tuple(hi.shape)} do "
            f"not broadcast to the input's shape {tuple(t.shape)}."
        ) from None
    if out.shape != t._value.shape:
        raise ValueError(
            f"clip_by_value: the bounds would change the input's shape {tuple(t.shape)} "
            f"to {out.shape}."
        )
    tv = t._value
    inside = (tv >= lo._value) & (tv <= hi._value)
    below, above = tv < lo._value, tv > hi._value
    sl, sh = lo._value.shape, hi._value.shape

    def vjp(g):
        return (
            where_(inside, g, 0.0),
            unbroadcast(where_(below, g, 0.0), sl),
            unbroadcast(where_(above, g, 0.0), sh),
        )

    if t._value.dtype.kind not in "fc":
        return Tensor(out)
    return record(out, (t, lo, hi), vjp)


def where_(condition, x, y) -> Tensor:
    """``where`` for op internals: ``condition`` is a bool array or Tensor (no gradient)."""
    from lamina.ops.array_ops import where

    return where(condition, x, y)


__all__ = [
    "sqrt",
    "rsqrt",
    "square",
    "reciprocal",
    "expm1",
    "log1p",
    "log_sigmoid",
    "pow",
    "squared_difference",
    "sigmoid",
    "tanh",
    "softplus",
    "softsign",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "asinh",
    "acosh",
    "atanh",
    "atan2",
    "erf",
    "erfc",
    "abs",
    "sign",
    "round",
    "floor",
    "ceil",
    "rint",
    "is_nan",
    "is_inf",
    "is_finite",
    "maximum",
    "minimum",
    "floordiv",
    "floormod",
    "truncatediv",
    "truncatemod",
    "divide_no_nan",
    "multiply_no_nan",
    "xlogy",
    "xdivy",
    "truediv",
    "add_n",
    "clip_by_value",
    "cast",
]
