"""Weight regularizers (``keras.regularizers``): penalties added to the loss.

``regularizer(weight) -> scalar Tensor`` is differentiable on the tape. For the compiled
training path, :meth:`Regularizer.numpy_penalty` and :meth:`Regularizer.numpy_gradient` give
the penalty and its gradient with NumPy alone (``numpy_gradient`` returns None for regularizers
it cannot differentiate by hand, meaning "use the tape").
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from lamina.autodiff.tensor import Tensor


def _validate(value, name: str) -> float:
    if isinstance(value, (Tensor, np.ndarray, np.generic)):
        value = np.asarray(value).item()
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or math.isinf(value)
        or math.isnan(value)
        or value < 0
    ):
        raise ValueError(
            f"Invalid value for argument {name}: expected a non-negative float. "
            f"Received: {name}={value!r}"
        )
    return float(value)


def _as_tensor(x) -> Tensor:
    if isinstance(x, Tensor):
        return x
    from lamina.ops import convert_to_tensor

    return convert_to_tensor(x)


class Regularizer:
    """Base class: ``__call__(x)`` returns a scalar penalty Tensor."""

    def __call__(self, x) -> Tensor:
        from lamina.ops import reduce_sum, zeros_like

        return reduce_sum(zeros_like(_as_tensor(x)))

    def get_config(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config().")

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def numpy_penalty(self, w: np.ndarray) -> float:
        """The penalty of the array ``w`` as a Python float."""
        return float(self(Tensor(np.asarray(w)))._value)

    def numpy_gradient(self, w: np.ndarray, out: np.ndarray | None = None):
        """d penalty / d w as an array (written into ``out`` when given), or None if unknown."""
        return None


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)``."""

    def __init__(self, l1=0.0, l2=0.0) -> None:
        self.l1 = _validate(l1, "l1")
        self.l2 = _validate(l2, "l2")

    def __call__(self, x) -> Tensor:
        from lamina.ops import add, multiply, reduce_sum, zeros_like

        x = _as_tensor(x)
        total = None
        if self.l1:
            # x * sign(x) is |x| exactly, with the gradient sign(x) (0 at 0, as tf.abs).
            sign = Tensor(np.sign(x._value))
            total = multiply(self.l1, reduce_sum(multiply(x, sign)))
        if self.l2:
            term = multiply(self.l2, reduce_sum(multiply(x, x)))
            total = term if total is None else add(total, term)
        if total is None:
            total = reduce_sum(zeros_like(x))
        return total

    def numpy_penalty(self, w: np.ndarray) -> float:
        w = np.asarray(w)
        out = 0.0
        if self.l1:
            out += self.l1 * float(np.abs(w).sum())
        if self.l2:
            out += self.l2 * float(np.vdot(w, w))
        return out

    def numpy_gradient(self, w: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        w = np.asarray(w)
        if out is None:
            out = np.empty_like(w)
        if self.l2:
            np.multiply(w, 2.0 * self.l2, out=out)
        else:
            out.fill(0)
        if self.l1:
            out += self.l1 * np.sign(w)
        return out

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({', '.join(f'{k}={v}' for k, v in self.get_config().items())})"
        )


class L1(L1L2):
    """``l1 * sum(|x|)`` (default l1=0.01)."""

    def __init__(self, l1=0.01, **kwargs) -> None:
        l1 = kwargs.pop("l", l1)  # Keras 2 spelling
        if kwargs:
            raise TypeError(f"L1 got unexpected arguments {sorted(kwargs)}; it takes `l1`.")
        l1 = 0.01 if l1 is None else l1
        super().__init__(l1=l1, l2=0.0)

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(L1L2):
    """``l2 * sum(x**2)`` (default l2=0.01)."""

    def __init__(self, l2=0.01, **kwargs) -> None:
        l2 = kwargs.pop("l", l2)  # Keras 2 spelling
        if kwargs:
            raise TypeError(f"L2 got unexpected arguments {sorted(kwargs)}; it takes `l2`.")
        l2 = 0.01 if l2 is None else l2
        super().__init__(l1=0.0, l2=l2)

    def get_config(self) -> dict:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (``mode='rows'``) or columns of a 2-D weight towards orthogonality:
    ``factor * mean |cos(angle)|`` over distinct pairs of L2-normalized rows/columns."""

    def __init__(self, factor=0.01, mode: str = "rows") -> None:
        self.factor = _validate(factor, "factor")
        if mode not in ("rows", "columns"):
            raise ValueError(
                f"Invalid value for argument `mode`. Expected one of {{'rows', 'columns'}}. "
                f"Received: mode={mode!r}"
            )
        self.mode = mode

    def __call__(self, x) -> Tensor:
        from lamina.ops import array_ops as array, core, elementwise

        x = _as_tensor(x)
        if x.ndim != 2:
            raise ValueError(
                "Inputs to OrthogonalRegularizer must have rank 2. Received: "
                f"inputs.shape={tuple(x.shape)}"
            )
        axis = 1 if self.mode == "rows" else 0
        sq = core.reduce_sum(core.multiply(x, x), axis=axis, keepdims=True)
        x = core.divide(x, elementwise.sqrt(elementwise.maximum(sq, 1e-12)))
        if self.mode == "rows":
            product = core.matmul(x, array.transpose(x))
            size = x._value.shape[0]
        else:
            product = core.matmul(array.transpose(x), x)
            size = x._value.shape[1]
        off = core.multiply(product, Tensor(1.0 - np.eye(size, dtype=x._value.dtype)))
        num_pairs = size * (size - 1.0) / 2.0
        total = core.reduce_sum(elementwise.abs(off))
        return core.multiply(self.factor * 0.5 / num_pairs if num_pairs else 0.0, total)

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


def l1_l2(l1=0.01, l2=0.01) -> L1L2:
    """An :class:`L1L2` regularizer (tf.keras 2.x defaults: l1=0.01, l2=0.01)."""
    return L1L2(l1=l1, l2=l2)


l1 = L1
l2 = L2
orthogonal_regularizer = OrthogonalRegularizer

ALL_OBJECTS_DICT: dict = {
    "Regularizer": Regularizer,
    "L1": L1,
    "L2": L2,
    "L1L2": L1L2,
    "OrthogonalRegularizer": OrthogonalRegularizer,
    "l1": L1,
    "l2": L2,
    "l1_l2": l1_l2,
    "orthogonal_regularizer": OrthogonalRegularizer,
}


def serialize(regularizer) -> dict:
    from lamina.utils.serialization import serialize_keras_object

    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects: dict | None = None):
    from lamina.utils.serialization import deserialize_keras_object

    return deserialize_keras_object(
        config,
        custom_objects=custom_objects,
        module_objects=ALL_OBJECTS_DICT,
        printable_module_name="regularizer",
    )


def get(identifier):
    """A regularizer from a name (``'l2'``), config dict, instance or callable."""
    from lamina.utils.serialization import catalogue_get

    return catalogue_get("regularizer", identifier, ALL_OBJECTS_DICT, Regularizer, deserialize)


__all__ = [
    "Regularizer",
    "L1",
    "L2",
    "L1L2",
    "OrthogonalRegularizer",
    "l1",
    "l2",
    "l1_l2",
    "orthogonal_regularizer",
    "get",
    "serialize",
    "deserialize",
]
