"""Creating tensors: range, zeros/ones/fill, eye, linspace, the *_like family."""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.backend.config import floatx
from lamina.dtypes import as_dtype
from lamina.ops.core import _to_array, ones_like, zeros_like


def _shape(shape, op: str) -> tuple:
    if isinstance(shape, Tensor):
        shape = shape._value.tolist()
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        dims = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise TypeError(
            f"{op}: `shape` must be a list of non-negative ints, received {shape!r}."
        ) from None
    if any(d < 0 for d in dims):
        raise ValueError(f"{op}: `shape` must not contain negative sizes, received {list(dims)}.")
    return dims


def _dtype(dtype, default=None):
    if dtype is None:
        return np.dtype(default or floatx())
    return as_dtype(dtype)._np


def zeros(shape, dtype="float32", name=None) -> Tensor:
    """A tensor of zeros."""
    return Tensor(np.zeros(_shape(shape, "zeros"), dtype=_dtype(dtype)))


def ones(shape, dtype="float32", name=None) -> Tensor:
    """A tensor of ones."""
    return Tensor(np.ones(_shape(shape, "ones"), dtype=_dtype(dtype)))


def fill(dims, value, name=None) -> Tensor:
    """A tensor of shape ``dims`` filled with ``value`` (its dtype follows ``value``)."""
    v = _to_array(value)
    return Tensor(np.full(_shape(dims, "fill"), v, dtype=v.dtype))


def eye(num_rows, num_columns=None, batch_shape=None, dtype="float32", name=None) -> Tensor:
    """An identity matrix (optionally batched)."""
    m = np.eye(
        int(num_rows), None if num_columns is None else int(num_columns), dtype=_dtype(dtype)
    )
    if batch_shape is not None:
        m = np.broadcast_to(m, _shape(batch_shape, "eye") + m.shape).copy()
    return Tensor(m)


def range(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:  # noqa: A001
    """Numbers from ``start`` up to (not including) ``limit`` by ``delta`` (tf.range)."""
    if limit is None:
        start, limit = 0, start
    vals = [_to_array(v) for v in (start, limit, delta)]
    if float(vals[2]) == 0:
        raise ValueError("range: `delta` must not be 0.")
    if dtype is not None:
        np_dtype = as_dtype(dtype)._np
    else:
        floats = [v.dtype for v in vals if v.dtype.kind == "f"]
        np_dtype = np.result_type(*floats) if floats else np.result_type(*vals)
    out = np.arange(vals[0].item(), vals[1].item(), vals[2].item()).astype(np_dtype)
    return Tensor(out)


def linspace(start, stop, num, name=None, axis=0) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive."""
    s, e = _to_array(start), _to_array(stop)
    dt = np.result_type(s.dtype, e.dtype)
    if dt.kind != "f":
        dt = np.dtype(np.float64)
    out = np.linspace(s, e, int(num), axis=int(axis)).astype(dt)
    return Tensor(out)


__all__ = ["zeros", "ones", "fill", "eye", "range", "linspace", "zeros_like", "ones_like"]
