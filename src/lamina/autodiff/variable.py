"""``Variable``: a named, mutable tensor (weights, optimizer slots, counters).

Assignments write into the same NumPy buffer, so anything holding the array (an optimizer's
fused update, a compiled training plan) sees the new value without re-fetching it.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor, _np_repr, _shape_str
from lamina.dtypes import as_dtype

_ACCEPTED_KWARGS = {
    "validate_shape",
    "caching_device",
    "import_scope",
    "synchronization",
    "aggregation",
    "experimental_enable_variable_lifting",
    "use_resource",
    "autocast",
}


class Variable(Tensor):
    """A mutable tensor. Trainable variables are watched by ``GradientTape`` automatically."""

    __slots__ = ("name", "trainable", "constraint", "regularizer", "_path")
    _kind = "Variable"

    def __init__(
        self,
        initial_value=None,
        trainable: bool = True,
        name: str | None = None,
        dtype=None,
        shape=None,
        constraint=None,
        regularizer=None,
        **kwargs,
    ) -> None:
        if initial_value is None:
            raise ValueError("A Variable needs an `initial_value` (an array, tensor or callable).")
        if callable(initial_value) and not isinstance(initial_value, (Tensor, np.ndarray)):
            initial_value = initial_value()
        if isinstance(initial_value, Tensor):
            initial_value = initial_value._value
        np_dtype = None if dtype is None else as_dtype(dtype)._np
        value = np.array(initial_value, dtype=np_dtype, copy=True)
        if (
            dtype is None
            and value.dtype == np.float64
            and not isinstance(initial_value, np.ndarray)
        ):
            value = value.astype(np.float32)  # Python floats become float32, as TensorFlow
        if dtype is None and value.dtype == np.int64 and not isinstance(initial_value, np.ndarray):
            value = value.astype(np.int32)
        super().__init__(value)
        self.name = name or "Variable"
        self.trainable = bool(trainable)
        self.constraint = constraint
        self.regularizer = regularizer
        self._path = kwargs.pop("path", None)
        unknown = set(kwargs) - _ACCEPTED_KWARGS
        if unknown:
            raise TypeError(
                f"Variable() got unexpected keyword argument(s) {sorted(unknown)}. Accepted: "
                "initial_value, trainable, name, dtype, shape, constraint, regularizer, "
                + ", ".join(sorted(_ACCEPTED_KWARGS))
            )
        if shape is not None:
            want = tuple(shape)
            if len(want) != value.ndim or any(
                w is not None and w != d for w, d in zip(want, value.shape)
            ):
                raise ValueError(
                    f"Variable '{self.name}': `shape` {list(want)} does not match the initial "
                    f"value's shape {list(value.shape)}."
                )

    # --- mutation (in place: the buffer keeps its identity) ---------------------------
    def assign(self, value, use_locking=False, name=None, read_value: bool = True):
        v = value._value if isinstance(value, Tensor) else np.asarray(value)
        if v.shape != self._value.shape:
            try:
                np.broadcast_to(v, self._value.shape)
            except ValueError:
                raise ValueError(
                    f"Cannot assign a value of shape {tuple(v.shape)} to variable "
                    f"'{self.name}' of shape {tuple(self._value.shape)}."
                ) from None
        np.copyto(self._value, v, casting="unsafe")
        return self if read_value else None

    def assign_add(self, delta, use_locking=False, name=None, read_value: bool = True):
        d = delta._value if isinstance(delta, Tensor) else delta
        try:
            np.add(self._value, d, out=self._value, casting="unsafe")
        except ValueError:
            raise self._shape_error("assign_add", d) from None
        return self if read_value else None

    def assign_sub(self, delta, use_locking=False, name=None, read_value: bool = True):
        d = delta._value if isinstance(delta, Tensor) else delta
        try:
            np.subtract(self._value, d, out=self._value, casting="unsafe")
        except ValueError:
            raise self._shape_error("assign_sub", d) from None
        return self if read_value else None

    def _shape_error(self, op: str, value) -> ValueError:
        return ValueError(
            f"{op}: cannot apply a value of shape {tuple(np.shape(value))} to variable "
            f"'{self.name}' of shape {tuple(self._value.shape)}."
        )

    def numpy(self) -> np.ndarray:
        """A copy of the current value (later assignments do not change it, as TensorFlow)."""
        v = self._value
        return v[()] if v.ndim == 0 else v.copy()

    def __array__(self, dtype=None, copy=None):
        v = self._value
        if dtype is not None and v.dtype != dtype:
            return v.astype(dtype)
        return v.copy()

    def read_value(self) -> Tensor:
        """A Tensor snapshot of the current value."""
        return Tensor(self._value.copy())

    def value(self) -> Tensor:
        return self.read_value()

    @property
    def initial_value(self) -> Tensor:
        """The current value (lamina does not keep the original separately)."""
        return self.read_value()

    @property
    def synchronization(self) -> str:
        return "auto"

    @property
    def aggregation(self) -> str:
        return "none"

    @property
    def path(self) -> str:
        return self._path or self.name

    def __repr__(self) -> str:
        return (
            f"<lamina.Variable '{self.name}:0' shape={_shape_str(self._value.shape)} "
            f"dtype={self.dtype.name}, numpy={_np_repr(self._value)}>"
        )

    __str__ = __repr__

    def __hash__(self) -> int:
        return id(self)

    def __getitem__(self, key):
        """A slice (a Tensor snapshot) that can also be assigned: ``v[0].assign(1.0)``."""
        from lamina.ops.array_ops import getitem

        return getitem(self, key, _wrap=lambda value, k: _VariableSlice(value, self, k))


class _VariableSlice(Tensor):
    """``variable[key]``: a Tensor whose ``assign*`` write into the variable, as TensorFlow."""

    __slots__ = ("_var", "_key")

    def __init__(self, value, var: Variable, key) -> None:
        super().__init__(value)
        self._var = var
        self._key = key

    def assign(self, value, use_locking=False, name=None, read_value: bool = True):
        v = value._value if isinstance(value, Tensor) else np.asarray(value)
        try:
            self._var._value[self._key] = v
        except ValueError:
            raise ValueError(
                f"Cannot assign a value of shape {tuple(np.shape(v))} to the slice of shape "
                f"{tuple(self._value.shape)} of variable '{self._var.name}'."
            ) from None
        return self._var if read_value else None

    def assign_add(self, delta, use_locking=False, name=None, read_value: bool = True):
        d = delta._value if isinstance(delta, Tensor) else np.asarray(delta)
        return self.assign(self._var._value[self._key] + d, read_value=read_value)

    def assign_sub(self, delta, use_locking=False, name=None, read_value: bool = True):
        d = delta._value if isinstance(delta, Tensor) else np.asarray(delta)
        return self.assign(self._var._value[self._key] - d, read_value=read_value)
