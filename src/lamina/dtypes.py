"""Data types as TensorFlow names them (``lamina.float32``, ``lamina.int64`` ...)."""

from __future__ import annotations

import numpy as np


class DType:
    """A named element type wrapping a NumPy dtype; compares equal to its name and NumPy dtype."""

    __slots__ = ("name", "as_numpy_dtype", "_np")

    def __init__(self, name: str, np_dtype) -> None:
        self.name = name
        self._np = np.dtype(np_dtype)
        self.as_numpy_dtype = self._np.type

    @property
    def is_floating(self) -> bool:
        return self._np.kind == "f"

    @property
    def is_integer(self) -> bool:
        return self._np.kind in "iu"

    @property
    def is_unsigned(self) -> bool:
        return self._np.kind == "u"

    @property
    def is_bool(self) -> bool:
        return self._np.kind == "b"

    @property
    def is_complex(self) -> bool:
        return self._np.kind == "c"

    @property
    def size(self) -> int:
        return self._np.itemsize

    @property
    def base_dtype(self) -> DType:
        return self

    @property
    def min(self):
        return np.finfo(self._np).min if self.is_floating else np.iinfo(self._np).min

    @property
    def max(self):
        return np.finfo(self._np).max if self.is_floating else np.iinfo(self._np).max

    def __eq__(self, other) -> bool:
        if isinstance(other, DType):
            return self.name == other.name
        try:
            return self.name == as_dtype(other).name
        except (TypeError, ValueError):
            return False

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"lamina.{self.name}"

    def __str__(self) -> str:
        return f"<dtype: '{self.name}'>"


float16 = DType("float16", np.float16)
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
uint16 = DType("uint16", np.uint16)
uint32 = DType("uint32", np.uint32)
uint64 = DType("uint64", np.uint64)
bool_ = DType("bool", np.bool_)
complex64 = DType("complex64", np.complex64)
complex128 = DType("complex128", np.complex128)
string = DType("string", np.object_)
half, double = float16, float64

_ALL = [
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
    bool_,
    complex64,
    complex128,
    string,
]
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update(
    {
        "half": float16,
        "double": float64,
        "float": float32,
        "int": int32,
        "bool_": bool_,
        "str": string,
        "object": string,
    }
)
_BY_NP: dict[np.dtype, DType] = {d._np: d for d in _ALL}
_BY_NP[np.dtype(np.str_)] = string
_BY_NP[np.dtype(np.bytes_)] = string


def as_dtype(value) -> DType:
    """Convert a name, NumPy dtype, Python type or DType into a :class:`DType`."""
    if isinstance(value, DType):
        return value
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    if value is float:
        return float32
    if value is int:
        return int32
    if value is bool:
        return bool_
    if value is str or value is bytes:
        return string
    try:
        npd = np.dtype(value)
    except TypeError:
        npd = None
    if npd is not None:
        if npd.kind in "US":
            return string
        if npd in _BY_NP:
            return _BY_NP[npd]
    raise TypeError(
        f"Cannot convert {value!r} to a lamina dtype. Expected one of: "
        + ", ".join(sorted(d.name for d in _ALL))
    )


def dtype_of(array: np.ndarray) -> DType:
    """The :class:`DType` of a NumPy array (fast path for ``Tensor.dtype``)."""
    d = _BY_NP.get(array.dtype)
    return d if d is not None else as_dtype(array.dtype)


def to_numpy_dtype(value) -> np.dtype:
    """NumPy dtype for anything :func:`as_dtype` accepts."""
    return as_dtype(value)._np


def cast(x, dtype, name=None):
    """``tf.dtypes.cast`` (the same as ``lamina.cast``)."""
    from lamina.ops.core import cast as _cast

    return _cast(x, dtype)


def saturate_cast(value, dtype, name=None):
    """Cast, clipping first to the target type's range (no wrap-around)."""
    import numpy as _np

    from lamina.ops.core import _to_array, cast as _cast

    dst = as_dtype(dtype)
    v = _np.asarray(_to_array(value))
    if dst.is_integer or dst.is_floating:
        v = _np.clip(v, dst.min, dst.max)
    return _cast(v, dst)
