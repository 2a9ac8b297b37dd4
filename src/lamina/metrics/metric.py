"""The ``Metric`` base class: stateful, computed with NumPy, cheap to update every batch.

A metric keeps its state in non-trainable ``Variable``s updated in place, so the trainer can
call ``update_state`` on every training step without touching the tape.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.autodiff.variable import Variable
from lamina.backend.config import floatx
from lamina.losses._ops import dtype_name as _dtype_name
from lamina.utils.np_utils import numeric_array


def to_numpy(x, what: str) -> np.ndarray:
    """A NumPy view of ``x`` (Tensor, array, list, pandas object), refusing non-numeric data."""
    if isinstance(x, Tensor):
        return x._value
    return numeric_array(x, what)


def _initial(initializer, shape: tuple, dtype) -> np.ndarray:
    if initializer is None or initializer == "zeros":
        return np.zeros(shape, dtype)
    if initializer == "ones":
        return np.ones(shape, dtype)
    if isinstance(initializer, (int, float)):
        return np.full(shape, initializer, dtype)
    if callable(initializer) and not isinstance(initializer, str):
        return np.asarray(initializer(shape, dtype=dtype), dtype)
    from lamina import initializers

    init = initializers.get(initializer)
    val = init(shape, dtype=dtype)
    return np.asarray(getattr(val, "_value", val), dtype)


class Metric:
    """Base class of metrics: ``update_state``, ``result``, ``reset_state``.

    Subclasses create their state with ``add_variable`` in ``__init__``, accumulate in
    ``update_state(y_true, y_pred, sample_weight=None)`` and compute ``result()``.
    Calling a metric updates it and returns the result.
    """

    def __init__(self, name: str | None = None, dtype=None, **kwargs) -> None:
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}: unexpected keyword argument(s) "
                f"{', '.join(sorted(kwargs))}."
            )
        if name is None:
            from lamina.utils.naming import to_snake_case, unique_object_name

            name = unique_object_name(to_snake_case(type(self).__name__))
        if not isinstance(name, str):
            raise TypeError(f"`name` must be a string, received {type(name).__name__}: {name!r}")
        self.name = name
        self._dtype = _dtype_name(dtype) if dtype is not None else floatx()
        self._variables: list[Variable] = []

    # --- state ----------------------------------------------------------------------------
    @property
    def dtype(self) -> str:
        return self._dtype

    def add_variable(
        self,
        shape=(),
        initializer="zeros",
        dtype=None,
        aggregation: str = "sum",
        name: str | None = None,
    ) -> Variable:
        """Create a non-trainable state variable tracked by ``reset_state``."""
        shape = tuple(int(d) for d in (shape if isinstance(shape, (tuple, list)) else (shape,)))
        dt = np.dtype(getattr(dtype, "name", dtype) or self._dtype)
        var = Variable(
            _initial(initializer, shape, dt), trainable=False, name=name or "variable", dtype=dt
        )
        self._variables.append(var)
        return var

    def add_weight(
        self,
        name: str | None = None,
        shape=(),
        initializer="zeros",
        dtype=None,
        aggregation: str = "sum",
        **kwargs,
    ) -> Variable:
        """Keras 2 spelling of :meth:`add_variable` (``name`` first)."""
        return self.add_variable(
            shape=shape, initializer=initializer, dtype=dtype, aggregation=aggregation, name=name
        )

    @property
    def variables(self) -> list:
        return list(self._variables)

    @property
    def weights(self) -> list:
        return list(self._variables)

    @property
    def non_trainable_weights(self) -> list:
        return list(self._variables)

    @property
    def non_trainable_variables(self) -> list:
        return list(self._variables)

    @property
    def trainable_weights(self) -> list:
        return []

    @property
    def trainable_variables(self) -> list:
        return []

    # --- protocol -------------------------------------------------------------------------
    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement `update_state`.")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement `result`.")

    def reset_state(self) -> None:
        """Set every state variable back to zero."""
        for v in self._variables:
            v._value[...] = 0

    def reset_states(self) -> None:
        """Keras 2 spelling of :meth:`reset_state`."""
        self.reset_state()

    def merge_state(self, metrics) -> None:
        """Add the state of other metrics of the same kind (sum-aggregated variables)."""
        for m in metrics:
            if len(m._variables) != len(self._variables):
                raise ValueError(
                    f"merge_state: metric {m.name!r} has {len(m._variables)} variables, "
                    f"{self.name!r} has {len(self._variables)}."
                )
            for a, b in zip(self._variables, m._variables):
                a._value[...] += b._value

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def _result_tensor(self, value) -> Tensor:
        return Tensor(np.asarray(value, dtype=self._dtype))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"
