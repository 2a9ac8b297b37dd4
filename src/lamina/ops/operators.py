"""Bind Python operators on Tensor to lamina ops (``a + b`` is ``lamina.add(a, b)``)."""

from __future__ import annotations

from lamina.autodiff.tensor import Tensor
from lamina.ops import core


def _swap(fn):
    return lambda self, other: fn(other, self)


def install() -> None:
    T = Tensor
    T.__add__ = lambda a, b: core.add(a, b)
    T.__radd__ = _swap(core.add)
    T.__sub__ = lambda a, b: core.subtract(a, b)
    T.__rsub__ = _swap(core.subtract)
    T.__mul__ = lambda a, b: core.multiply(a, b)
    T.__rmul__ = _swap(core.multiply)
    T.__truediv__ = lambda a, b: core.divide(a, b)
    T.__rtruediv__ = _swap(core.divide)
    T.__matmul__ = lambda a, b: core.matmul(a, b)
    T.__rmatmul__ = _swap(core.matmul)
    T.__neg__ = lambda a: core.negative(a)
    T.__pos__ = lambda a: a


install()
