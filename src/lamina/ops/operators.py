"""Bind Python operators on Tensor to lamina ops (``a + b`` is ``lamina.add(a, b)``).

As TensorFlow: ``==``/``!=`` compare element-wise (returning False, not raising, for
incompatible shapes or ``None``); ``&``, ``|``, ``^``, ``~`` are logical on bools and bitwise
on integers; ``x[key]`` accepts ints, slices, ``...``, ``newaxis``, and integer or boolean
arrays/tensors, with gradients flowing back to the indexed entries.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.ops import array_ops as array, comparison, core, elementwise


def _swap(fn):
    return lambda self, other: fn(other, self)


def _eq(a, b):
    if b is None:
        return False
    try:
        return comparison.equal(a, b)
    except (ValueError, TypeError):
        return Tensor(np.asarray(False))


def _ne(a, b):
    if b is None:
        return True
    try:
        return comparison.not_equal(a, b)
    except (ValueError, TypeError):
        return Tensor(np.asarray(True))


def _logic(bool_fn, int_fn):
    def op(a, b):
        a, b = core.as_tensor_pair(a, b, bool_fn.__name__)
        return bool_fn(a, b) if a._value.dtype.kind == "b" else int_fn(a, b)

    return op


def _invert(a):
    return comparison.logical_not(a) if a._value.dtype.kind == "b" else comparison.invert(a)


def install() -> None:
    T = Tensor
    T.__add__ = core.add  # (x, y, name=None): bound directly, no extra call
    T.__radd__ = _swap(core.add)
    T.__sub__ = core.subtract
    T.__rsub__ = _swap(core.subtract)
    T.__mul__ = core.multiply
    T.__rmul__ = _swap(core.multiply)
    T.__truediv__ = core.divide
    T.__rtruediv__ = _swap(core.divide)
    T.__floordiv__ = lambda a, b: elementwise.floordiv(a, b)
    T.__rfloordiv__ = _swap(elementwise.floordiv)
    T.__mod__ = lambda a, b: elementwise.floormod(a, b)
    T.__rmod__ = _swap(elementwise.floormod)
    T.__pow__ = lambda a, b: elementwise.pow(a, b)
    T.__rpow__ = _swap(elementwise.pow)
    T.__matmul__ = core.matmul
    T.__rmatmul__ = _swap(core.matmul)
    T.__neg__ = core.negative
    T.__pos__ = lambda a: a
    T.__abs__ = lambda a: elementwise.abs(a)
    T.__lt__ = comparison.less
    T.__le__ = comparison.less_equal
    T.__gt__ = comparison.greater
    T.__ge__ = comparison.greater_equal
    T.__eq__ = _eq
    T.__ne__ = _ne
    T.__hash__ = lambda a: id(a)
    and_ = _logic(comparison.logical_and, comparison.bitwise_and)
    or_ = _logic(comparison.logical_or, comparison.bitwise_or)
    xor_ = _logic(comparison.logical_xor, comparison.bitwise_xor)
    T.__and__, T.__rand__ = and_, _swap(and_)
    T.__or__, T.__ror__ = or_, _swap(or_)
    T.__xor__, T.__rxor__ = xor_, _swap(xor_)
    T.__invert__ = _invert
    T.__lshift__ = lambda a, b: comparison.left_shift(a, b)
    T.__rshift__ = lambda a, b: comparison.right_shift(a, b)
    T.__getitem__ = array.getitem


install()
