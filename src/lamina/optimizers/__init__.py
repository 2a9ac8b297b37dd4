"""Optimizers (``keras.optimizers``): classes, ``get``, ``serialize``, ``deserialize``.

Strings are accepted in any case (``'sgd'``, ``'SGD'``, ``'Adam'``, ``'rmsprop'``).
"""

from __future__ import annotations

from lamina.optimizers import schedules
from lamina.optimizers.adadelta import Adadelta
from lamina.optimizers.adagrad import Adagrad
from lamina.optimizers.adam import Adam
from lamina.optimizers.adamax import Adamax
from lamina.optimizers.adamw import AdamW
from lamina.optimizers.ftrl import Ftrl
from lamina.optimizers.lion import Lion
from lamina.optimizers.nadam import Nadam
from lamina.optimizers.optimizer import Optimizer
from lamina.optimizers.rmsprop import RMSprop
from lamina.optimizers.sgd import SGD

_CLASSES = (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, Ftrl, Lion)

#: Every name ``get``/``deserialize`` accept, lower-cased for matching.
ALL_OBJECTS_DICT: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({cls.__name__.lower(): cls for cls in _CLASSES})
ALL_OBJECTS_DICT["Optimizer"] = Optimizer


def serialize(optimizer) -> dict:
    """The Keras 3 config dict of an optimizer."""
    from lamina.utils.serialization import serialize_keras_object

    return serialize_keras_object(optimizer)


def deserialize(
    config, custom_objects: dict | None = None, use_legacy_optimizer: bool = False, **kwargs
):
    """An optimizer from its config dict (Keras 2 or Keras 3 shape); names in any case."""
    from lamina.utils.serialization import deserialize_keras_object

    if isinstance(config, dict) and isinstance(config.get("class_name"), str):
        name = config["class_name"]
        if name not in ALL_OBJECTS_DICT and name.lower() in ALL_OBJECTS_DICT:
            config = {**config, "class_name": name.lower()}
    return deserialize_keras_object(
        config,
        custom_objects=custom_objects,
        module_objects=ALL_OBJECTS_DICT,
        printable_module_name="optimizer",
    )


def get(identifier, **kwargs) -> Optimizer:
    """An Optimizer from an instance, a name (any case), or a config dict."""
    from lamina.utils.serialization import catalogue_objects, lookup_name

    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        obj = deserialize(identifier, **kwargs)
    elif isinstance(identifier, str):
        names = {k: v for k, v in ALL_OBJECTS_DICT.items() if v is not Optimizer}
        obj = lookup_name("optimizer", identifier, catalogue_objects(names))()
    elif isinstance(identifier, type) and issubclass(identifier, Optimizer):
        obj = identifier()
    else:
        raise ValueError(
            f"Could not interpret optimizer identifier: {identifier!r}. Expected an Optimizer "
            "instance, an optimizer name such as 'adam' or 'sgd', or a config dict."
        )
    if not isinstance(obj, Optimizer):
        raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}.")
    return obj


def __getattr__(name: str):
    # ``optimizers.legacy`` / ``optimizers.experimental`` load on first use.
    if name in ("legacy", "experimental"):
        import importlib

        return importlib.import_module(f"lamina.optimizers.{name}")
    raise AttributeError(f"module 'lamina.optimizers' has no attribute {name!r}")


__all__ = [
    "Optimizer",
    "SGD",
    "RMSprop",
    "Adam",
    "AdamW",
    "Adagrad",
    "Adadelta",
    "Adamax",
    "Nadam",
    "Ftrl",
    "Lion",
    "schedules",
    "get",
    "serialize",
    "deserialize",
]
