"""``tf.Module``: a named container that finds the variables in its attributes."""

from __future__ import annotations

import re

from lamina.autodiff.variable import Variable

#: CamelCase -> snake_case as TensorFlow names modules ("MLP" -> "mlp", "MyDense" -> "my_dense").
_CAMEL = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")


class Module:
    """Base class for objects holding variables and sub-modules (``tf.Module``).

    ``variables``, ``trainable_variables`` and ``submodules`` walk the instance's attributes
    (lists, tuples and dicts included), so a subclass only has to store what it creates.
    """

    def __init__(self, name: str | None = None) -> None:
        if name is None:
            name = _CAMEL.sub(r"_\1", type(self).__name__).lower()
        if not re.match(r"^[A-Za-z_][\w.-]*$", name):
            raise ValueError(f"Module name {name!r} is not a valid Python identifier.")
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self):
        from lamina.autodiff.eager import name_scope

        return name_scope(self._name)

    def _walk(self, seen: set):
        for value in vars(self).values():
            yield from _walk_value(value, seen)

    @property
    def variables(self) -> tuple:
        return tuple(v for v in self._walk(set()) if isinstance(v, Variable))

    @property
    def trainable_variables(self) -> tuple:
        return tuple(v for v in self.variables if v.trainable)

    @property
    def non_trainable_variables(self) -> tuple:
        return tuple(v for v in self.variables if not v.trainable)

    @property
    def submodules(self) -> tuple:
        return tuple(m for m in self._walk(set()) if isinstance(m, Module))

    @classmethod
    def with_name_scope(cls, method):
        return method


def _walk_value(value, seen: set):
    if id(value) in seen:
        return
    if isinstance(value, Variable):
        seen.add(id(value))
        yield value
    elif isinstance(value, Module):
        seen.add(id(value))
        yield value
        yield from value._walk(seen)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _walk_value(v, seen)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _walk_value(v, seen)
    elif hasattr(value, "trainable_weights") and hasattr(value, "weights"):
        seen.add(id(value))  # a Keras layer or model held by the module
        for w in value.weights:
            yield from _walk_value(w, seen)


class VariableSynchronization:
    AUTO = "auto"
    NONE = "none"
    ON_WRITE = "on_write"
    ON_READ = "on_read"


class VariableAggregation:
    NONE = "none"
    SUM = "sum"
    MEAN = "mean"
    ONLY_FIRST_REPLICA = "only_first_replica"
