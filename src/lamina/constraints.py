"""Weight constraints (``keras.constraints``): projections applied after each optimizer step.

A constraint is called on a weight (Variable, Tensor or NumPy array) and returns the projected
value as a Tensor; the optimizer assigns it back to the variable.
"""

from __future__ import annotations

import numbers

import numpy as np

from lamina.autodiff.tensor import Tensor


def _array(w) -> np.ndarray:
    if isinstance(w, Tensor):
        return w._value
    return np.asarray(w)


def _float_array(w) -> np.ndarray:
    a = _array(w)
    return a if a.dtype.kind == "f" else a.astype(np.float32)


def _eps() -> float:
    from lamina.backend import epsilon

    return epsilon()


def _norms(w: np.ndarray, axis) -> np.ndarray:
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


def _check_axis(axis):
    if isinstance(axis, (list, tuple)):
        if not all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in axis):
            raise TypeError(f"`axis` must be an integer or a list of integers, received {axis!r}.")
        return list(axis) if isinstance(axis, list) else axis
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"`axis` must be an integer or a list of integers, received {axis!r}.")
    return int(axis)


def _axis_arg(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _number(value, arg: str):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
        raise TypeError(f"Argument `{arg}` must be a number, received {value!r}.")
    return value


class Constraint:
    """Base class: ``__call__(w)`` returns the projected weight; the default is the identity."""

    def __call__(self, w) -> Tensor:
        return Tensor(_array(w))

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MaxNorm(Constraint):
    """Rescale each slice along ``axis`` whose L2 norm exceeds ``max_value`` down to it.

    For a Dense kernel ``(input_dim, units)``, ``axis=0`` constrains each unit's incoming
    weight vector.
    """

    def __init__(self, max_value=2, axis=0) -> None:
        self.max_value = _number(max_value, "max_value")
        if max_value < 0:
            raise ValueError(f"`max_value` must be >= 0, received max_value={max_value!r}.")
        self.axis = _check_axis(axis)

    def __call__(self, w) -> Tensor:
        a = _float_array(w)
        with np.errstate(all="ignore"):
            norms = _norms(a, _axis_arg(self.axis))
            desired = np.clip(norms, 0, self.max_value)
            out = a * (desired / (_eps() + norms))
        return Tensor(out.astype(a.dtype, copy=False))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Set negative weights to zero."""

    def __call__(self, w) -> Tensor:
        a = _array(w)
        return Tensor(a * (a >= 0).astype(a.dtype))


class UnitNorm(Constraint):
    """Scale each slice along ``axis`` to unit L2 norm."""

    def __init__(self, axis=0) -> None:
        self.axis = _check_axis(axis)

    def __call__(self, w) -> Tensor:
        a = _float_array(w)
        with np.errstate(all="ignore"):
            out = a / (_eps() + _norms(a, _axis_arg(self.axis)))
        return Tensor(out.astype(a.dtype, copy=False))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Keep slice norms along ``axis`` within ``[min_value, max_value]``; ``rate`` < 1 moves
    them only part of the way each step."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0) -> None:
        self.min_value = _number(min_value, "min_value")
        self.max_value = _number(max_value, "max_value")
        self.rate = _number(rate, "rate")
        if min_value < 0 or max_value < min_value:
            raise ValueError(
                "Expected 0 <= min_value <= max_value, received "
                f"min_value={min_value!r}, max_value={max_value!r}."
            )
        if not 0 <= rate <= 1:
            raise ValueError(f"`rate` must be in [0, 1], received rate={rate!r}.")
        self.axis = _check_axis(axis)

    def __call__(self, w) -> Tensor:
        a = _float_array(w)
        with np.errstate(all="ignore"):
            norms = _norms(a, _axis_arg(self.axis))
            desired = (
                self.rate * np.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
            )
            out = a * (desired / (_eps() + norms))
        return Tensor(out.astype(a.dtype, copy=False))

    def get_config(self) -> dict:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


class RadialConstraint(Constraint):
    """Make each 2-D convolution kernel ``(k, k)`` radially symmetric, as Keras does: rings of
    equal distance from the center share one value, read from the kernel's diagonal."""

    def __call__(self, w) -> Tensor:
        a = _array(w)
        if a.ndim != 4:
            raise ValueError(
                "The weight tensor must have rank 4 (kernel_h, kernel_w, channels, filters). "
                f"Received weight tensor with shape: {a.shape}"
            )
        h, wd, c, f = a.shape
        if h != wd:
            raise ValueError(f"RadialConstraint needs square kernels, received shape {a.shape}.")
        flat = a.reshape(h, wd, c * f)
        out = np.empty_like(flat)
        for k in range(c * f):
            out[:, :, k] = self._kernel(flat[:, :, k])
        return Tensor(out.reshape(a.shape))

    @staticmethod
    def _kernel(kernel: np.ndarray) -> np.ndarray:
        n = kernel.shape[0]
        start = n // 2
        if n % 2:
            new = kernel[start - 1 : start, start - 1 : start].copy() if start else kernel[:1, :1]
            i = 0
        else:
            new = np.full((2, 2), kernel[start - 1, start - 1], dtype=kernel.dtype)
            i = 1
        while i < start:
            new = np.pad(new, 1, constant_values=kernel[start + i, start + i])
            i += 1
        return new

    def get_config(self) -> dict:
        return {}


# Keras names and Keras 1/2 aliases.
max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm
radial_constraint = RadialConstraint
maxnorm = MaxNorm
nonneg = NonNeg
unitnorm = UnitNorm

ALL_OBJECTS_DICT: dict = {
    "Constraint": Constraint,
    "MaxNorm": MaxNorm,
    "NonNeg": NonNeg,
    "UnitNorm": UnitNorm,
    "MinMaxNorm": MinMaxNorm,
    "RadialConstraint": RadialConstraint,
    "max_norm": MaxNorm,
    "non_neg": NonNeg,
    "unit_norm": UnitNorm,
    "min_max_norm": MinMaxNorm,
    "radial_constraint": RadialConstraint,
    "maxnorm": MaxNorm,
    "nonneg": NonNeg,
    "unitnorm": UnitNorm,
}


def serialize(constraint) -> dict:
    from lamina.utils.serialization import serialize_keras_object

    return serialize_keras_object(constraint)


def deserialize(config, custom_objects: dict | None = None):
    from lamina.utils.serialization import deserialize_keras_object

    return deserialize_keras_object(
        config,
        custom_objects=custom_objects,
        module_objects=ALL_OBJECTS_DICT,
        printable_module_name="constraint",
    )


def get(identifier):
    """A constraint from a name (``'max_norm'``), config dict, instance or callable."""
    from lamina.utils.serialization import catalogue_get

    return catalogue_get("constraint", identifier, ALL_OBJECTS_DICT, Constraint, deserialize)


__all__ = [
    "Constraint",
    "MaxNorm",
    "NonNeg",
    "UnitNorm",
    "MinMaxNorm",
    "RadialConstraint",
    "max_norm",
    "non_neg",
    "unit_norm",
    "min_max_norm",
    "radial_constraint",
    "get",
    "serialize",
    "deserialize",
]
