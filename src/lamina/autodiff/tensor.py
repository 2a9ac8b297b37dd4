"""``Tensor``: an immutable NumPy array that ops and the tape understand.

A Tensor holds one ``numpy.ndarray`` (``_value``). It never changes after creation, so the
tape can keep references to inputs and outputs of ops. Arithmetic operators are bound by
``lamina.ops`` (see ``ops/operators.py``), keeping this file free of op logic.
"""

from __future__ import annotations

import numpy as np

from lamina.dtypes import DType, dtype_of


class TensorShape(tuple):
    """A tuple of dimensions (``None`` for unknown) with TensorFlow's helpers."""

    def __new__(cls, dims=()):
        if dims is None:
            dims = ()
        if isinstance(dims, int):
            dims = (dims,)
        return super().__new__(cls, (None if d is None else int(d) for d in dims))

    def as_list(self) -> list:
        return list(self)

    @property
    def rank(self) -> int:
        return len(self)

    @property
    def ndims(self) -> int:
        return len(self)

    @property
    def dims(self) -> list:
        return list(self)

    def num_elements(self) -> int | None:
        if any(d is None for d in self):
            return None
        return int(np.prod(self, dtype=np.int64))

    def is_fully_defined(self) -> bool:
        return all(d is not None for d in self)

    def __getitem__(self, key):
        r = super().__getitem__(key)
        return TensorShape(r) if isinstance(key, slice) else r

    def __eq__(self, other) -> bool:
        if isinstance(other, (list, tuple)):
            return tuple(self) == tuple(other)
        if hasattr(other, "as_list"):
            return tuple(self) == tuple(other.as_list())
        return NotImplemented

    def __ne__(self, other) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = tuple.__hash__

    def __add__(self, other) -> TensorShape:
        return self.concatenate(other)

    def concatenate(self, other) -> TensorShape:
        return TensorShape(tuple(self) + tuple(TensorShape(other)))

    def is_compatible_with(self, other) -> bool:
        other = TensorShape(other)
        return len(self) == len(other) and all(
            a is None or b is None or a == b for a, b in zip(self, other)
        )

    def merge_with(self, other) -> TensorShape:
        other = TensorShape(other)
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are not compatible.")
        return TensorShape(a if a is not None else b for a, b in zip(self, other))

    def with_rank(self, rank: int) -> TensorShape:
        if len(self) != int(rank):
            raise ValueError(f"Shape {self} must have rank {int(rank)}.")
        return self

    def assert_is_compatible_with(self, other) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {TensorShape(other)} are incompatible.")

    def __repr__(self) -> str:
        return f"TensorShape({list(self)})"

    def __str__(self) -> str:
        return _shape_str(self)


class Tensor:
    """An immutable n-dimensional array with a dtype, usable in every lamina op."""

    __slots__ = ("_value", "_keras_history", "__weakref__")
    __array_priority__ = 100  # NumPy defers ``ndarray + Tensor`` to Tensor.__radd__
    _kind = "Tensor"

    def __init__(self, value) -> None:
        if type(value) is not np.ndarray:
            value = np.asarray(value)
        self._value = value
        self._keras_history = None

    # --- reading --------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The value as a NumPy array (a NumPy scalar for rank 0)."""
        v = self._value
        return v[()] if v.ndim == 0 else v

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._value.shape)

    @property
    def dtype(self) -> DType:
        return dtype_of(self._value)

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def rank(self) -> int:
        return self._value.ndim

    @property
    def device(self) -> str:
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    def get_shape(self) -> TensorShape:
        return self.shape

    def set_shape(self, shape) -> None:
        """Check ``shape`` is compatible (a tensor's shape is always fully known in lamina)."""
        if not self.shape.is_compatible_with(shape):
            raise ValueError(
                f"Tensor's shape {tuple(self._value.shape)} is not compatible with supplied "
                f"shape {list(TensorShape(shape))}."
            )

    def __array__(self, dtype=None, copy=None):
        v = self._value
        if dtype is not None and v.dtype != dtype:
            return v.astype(dtype)
        return v.copy() if copy else v

    def __len__(self) -> int:
        if self._value.ndim == 0:
            raise TypeError("len() of a 0-d (scalar) tensor is not defined")
        return self._value.shape[0]

    def __iter__(self):
        if self._value.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        from lamina.ops import unstack

        return iter(unstack(self))

    def __bool__(self) -> bool:
        if self._value.size != 1:
            raise ValueError(
                f"The truth value of a tensor with shape {tuple(self._value.shape)} is "
                "ambiguous. Use lamina.reduce_any or lamina.reduce_all."
            )
        return bool(self._value)

    def __float__(self) -> float:
        return float(self._value)

    def __int__(self) -> int:
        return int(self._value)

    def __index__(self) -> int:
        if self._value.dtype.kind not in "iu":
            raise TypeError(f"Only integer tensors can be used as an index, not {self.dtype.name}")
        return int(self._value)

    def __hash__(self) -> int:
        return id(self)

    def __format__(self, spec: str) -> str:
        return format(self.numpy(), spec)

    def ref(self):
        """A hashable reference (Tensors already hash by identity)."""
        return self

    experimental_ref = ref

    # --- printing (TensorFlow's formats, with ``lamina`` for ``tf``) ---------------------
    def __repr__(self) -> str:
        return (
            f"<lamina.{self._kind}: shape={_shape_str(self._value.shape)}, "
            f"dtype={self.dtype.name}, numpy={_np_repr(self._value)}>"
        )

    def __str__(self) -> str:
        body = _np_str(self._value)
        return (
            f"lamina.{self._kind}({body}, shape={_shape_str(self._value.shape)}, "
            f"dtype={self.dtype.name})"
        )

    # Operators (+, -, *, @, <, ==, [], ...) are attached by lamina.ops.operators.


def _np_repr(v: np.ndarray) -> str:
    """NumPy's repr (a plain value for scalars), on its own line when it spans several."""
    r = _scalar_str(v) if v.ndim == 0 else repr(v)
    return "\n" + r if "\n" in r else r


def _np_str(v: np.ndarray) -> str:
    r = _scalar_str(v) if v.ndim == 0 else str(v)
    return "\n" + r if "\n" in r else r


def _scalar_str(v: np.ndarray) -> str:
    x = v[()]
    return repr(x) if isinstance(x, (bytes, str)) else str(x)


def _shape_str(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


__all__ = ["Tensor", "TensorShape", "DType"]
