"""Comparisons, logical and bitwise ops: boolean (or integer) results with no gradient."""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.ops.core import _to_array, as_tensor_pair, shape_error


def _compare(x, y, op: str, fn) -> Tensor:
    x, y = as_tensor_pair(x, y, op)
    try:
        return Tensor(fn(x._value, y._value))
    except ValueError:
        raise shape_error(op, x, y) from None


def equal(x, y, name=None) -> Tensor:
    """x == y, element-wise."""
    return _compare(x, y, "equal", np.equal)


def not_equal(x, y, name=None) -> Tensor:
    """x != y, element-wise."""
    return _compare(x, y, "not_equal", np.not_equal)


def greater(x, y, name=None) -> Tensor:
    """x > y, element-wise."""
    return _compare(x, y, "greater", np.greater)


def greater_equal(x, y, name=None) -> Tensor:
    """x >= y, element-wise."""
    return _compare(x, y, "greater_equal", np.greater_equal)


def less(x, y, name=None) -> Tensor:
    """x < y, element-wise."""
    return _compare(x, y, "less", np.less)


def less_equal(x, y, name=None) -> Tensor:
    """x <= y, element-wise."""
    return _compare(x, y, "less_equal", np.less_equal)


def _bools(x, op: str) -> np.ndarray:
    v = _to_array(x)
    if v.dtype.kind != "b":
        raise TypeError(
            f"{op}: expected bool tensors, received dtype {v.dtype}. "
            "Compare first (e.g. x > 0) or cast to 'bool'."
        )
    return v


def _logical(x, y, op: str, fn) -> Tensor:
    a, b = _bools(x, op), _bools(y, op)
    try:
        return Tensor(fn(a, b))
    except ValueError:
        raise ValueError(f"{op}: incompatible shapes {a.shape} and {b.shape}.") from None


def logical_and(x, y, name=None) -> Tensor:
    """Element-wise and of bool tensors."""
    return _logical(x, y, "logical_and", np.logical_and)


def logical_or(x, y, name=None) -> Tensor:
    """Element-wise or of bool tensors."""
    return _logical(x, y, "logical_or", np.logical_or)


def logical_xor(x, y, name=None) -> Tensor:
    """Element-wise xor of bool tensors."""
    return _logical(x, y, "logical_xor", np.logical_xor)


def logical_not(x, name=None) -> Tensor:
    """Element-wise not of a bool tensor."""
    return Tensor(np.logical_not(_bools(x, "logical_not")))


def _ints(x, y, op: str):
    x, y = as_tensor_pair(x, y, op)
    if x._value.dtype.kind not in "iub":
        raise TypeError(f"{op}: expected integer or bool tensors, received {x.dtype.name}.")
    return x, y


def bitwise_and(x, y, name=None) -> Tensor:
    """Bitwise and of integers."""
    x, y = _ints(x, y, "bitwise_and")
    return _compare(x, y, "bitwise_and", np.bitwise_and)


def bitwise_or(x, y, name=None) -> Tensor:
    """Bitwise or of integers."""
    x, y = _ints(x, y, "bitwise_or")
    return _compare(x, y, "bitwise_or", np.bitwise_or)


def bitwise_xor(x, y, name=None) -> Tensor:
    """Bitwise xor of integers."""
    x, y = _ints(x, y, "bitwise_xor")
    return _compare(x, y, "bitwise_xor", np.bitwise_xor)


def invert(x, name=None) -> Tensor:
    """Bitwise not of integers (logical not of bools)."""
    v = _to_array(x)
    if v.dtype.kind not in "iub":
        raise TypeError(f"invert: expected an integer or bool tensor, received {v.dtype}.")
    return Tensor(np.invert(v))


def left_shift(x, y, name=None) -> Tensor:
    """x << y for integers."""
    x, y = _ints(x, y, "left_shift")
    return _compare(x, y, "left_shift", np.left_shift)


def right_shift(x, y, name=None) -> Tensor:
    """x >> y for integers."""
    x, y = _ints(x, y, "right_shift")
    return _compare(x, y, "right_shift", np.right_shift)


__all__ = [
    "equal",
    "not_equal",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "invert",
    "left_shift",
    "right_shift",
]
