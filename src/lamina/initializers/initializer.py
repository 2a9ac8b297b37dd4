"""``Initializer``: the base class (``initializer(shape, dtype) -> Tensor``)."""

from __future__ import annotations

import numbers

import numpy as np

from lamina.autodiff.tensor import Tensor


def _shape(shape) -> tuple[int, ...]:
    """Validate a shape argument: a tuple of non-negative ints."""
    if isinstance(shape, Tensor):
        shape = shape._value.tolist()
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"`shape` must be a tuple of integers, received {shape!r}.") from None
    out = []
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 0:
            raise ValueError(
                f"`shape` must be fully defined (non-negative integers), received {shape!r}."
            )
        out.append(int(d))
    return tuple(out)


def _dtype(dtype, *, float_only: bool = False) -> np.dtype:
    from lamina.backend import floatx
    from lamina.dtypes import as_dtype

    d = as_dtype(floatx() if dtype is None else dtype)._np
    if float_only and d.kind != "f":
        raise ValueError(
            f"Expected a floating point `dtype` for a random initializer, received {d.name}."
        )
    return d


class Initializer:
    """Base class: ``__call__(shape, dtype=None)`` returns a Tensor of that shape and dtype."""

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        raise NotImplementedError("Initializer subclasses must implement the `__call__()` method.")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config.pop("dtype", None)  # tf.keras 1.x/2.x configs sometimes carried a dtype
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
