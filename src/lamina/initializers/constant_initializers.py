"""Deterministic initializers: Zeros, Ones, Constant, Identity."""

from __future__ import annotations

import numbers

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.initializers.initializer import Initializer, _dtype, _shape


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        return Tensor(np.zeros(_shape(shape), dtype=_dtype(dtype)))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        return Tensor(np.ones(_shape(shape), dtype=_dtype(dtype)))


class Constant(Initializer):
    """Every element equal to ``value`` (a scalar, or an array broadcastable to the shape)."""

    def __init__(self, value=0.0) -> None:
        if isinstance(value, Tensor):
            value = value._value
        if isinstance(value, (list, tuple, np.ndarray)):
            arr = np.asarray(value)
            if arr.dtype.kind not in "biuf":
                raise TypeError(f"`value` must be numeric, received {value!r}.")
            value = arr.item() if arr.ndim == 0 else arr
        elif isinstance(value, np.generic):
            value = value.item()
        elif not isinstance(value, numbers.Number):
            raise TypeError(
                f"`value` must be a number or an array, received {value!r} "
                f"of type {type(value).__name__}."
            )
        self.value = value

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        shape = _shape(shape)
        try:
            out = np.broadcast_to(np.asarray(self.value, dtype=_dtype(dtype)), shape)
        except ValueError:
            raise ValueError(
                f"Constant initializer: value of shape {np.shape(self.value)} cannot fill shape "
                f"{shape}."
            ) from None
        return Tensor(np.array(out))

    def get_config(self) -> dict:
        v = self.value
        return {"value": v.tolist() if isinstance(v, np.ndarray) else v}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only; non-square gives ``eye(n, m)``)."""

    def __init__(self, gain=1.0) -> None:
        if isinstance(gain, bool) or not isinstance(gain, numbers.Real):
            raise TypeError(f"`gain` must be a float, received {gain!r}.")
        self.gain = gain

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        d = _dtype(dtype)
        return Tensor((self.gain * np.eye(*shape)).astype(d))

    def get_config(self) -> dict:
        return {"gain": self.gain}
