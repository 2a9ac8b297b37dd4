"""Loss functions and classes (``keras.losses``), with Keras 2 aliases.

``losses.get('mse')`` returns the function, ``losses.get('MeanSquaredError')`` an instance,
as Keras does. Unknown names raise ``ValueError`` suggesting the closest valid ones.
"""

from __future__ import annotations

import inspect

from lamina.losses.divergence import KLDivergence, Poisson, kl_divergence, poisson
from lamina.losses.focal import (
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
)
from lamina.losses.hinge import (
    CategoricalHinge,
    Hinge,
    SquaredHinge,
    categorical_hinge,
    hinge,
    squared_hinge,
)
from lamina.losses.loss import Loss, LossFunctionWrapper, Reduction
from lamina.losses.probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    sparse_categorical_crossentropy,
)
from lamina.losses.regression import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)

# Keras 2 / tf.keras short names and aliases of the functions.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
huber_loss = huber

_CLASSES = [
    Loss,
    LossFunctionWrapper,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    MeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    Huber,
    LogCosh,
    CosineSimilarity,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
    KLDivergence,
    Poisson,
]
_FUNCTIONS = {
    f.__name__: f
    for f in (
        binary_crossentropy,
        categorical_crossentropy,
        sparse_categorical_crossentropy,
        binary_focal_crossentropy,
        categorical_focal_crossentropy,
        mean_squared_error,
        mean_absolute_error,
        mean_absolute_percentage_error,
        mean_squared_logarithmic_error,
        huber,
        log_cosh,
        cosine_similarity,
        hinge,
        squared_hinge,
        categorical_hinge,
        kl_divergence,
        poisson,
    )
}
#: Short and Keras 2 names of the loss functions (``metrics`` accepts them too).
SHORT_NAMES = {
    "mse": mse,
    "MSE": mse,
    "mae": mae,
    "MAE": mae,
    "mape": mape,
    "MAPE": mape,
    "msle": msle,
    "MSLE": msle,
    "kld": kld,
    "KLD": kld,
    "kullback_leibler_divergence": kld,
    "logcosh": log_cosh,
}
_FUNCTIONS.update(SHORT_NAMES)
_FUNCTIONS["huber_loss"] = huber
#: Every name ``get`` resolves: functions (and aliases) and classes.
ALL_OBJECTS: dict = {**_FUNCTIONS, **{c.__name__: c for c in _CLASSES}}
# Keras 2 class aliases
ALL_OBJECTS.update({"KLD": kld, "LogCoshError": LogCosh})


def serialize(loss):
    """A JSON-friendly description of ``loss`` (Keras 3 format for objects, the name for
    functions)."""
    if loss is None:
        return None
    if isinstance(loss, str):
        return loss
    if isinstance(loss, Loss):
        return {
            "module": "keras.losses",
            "class_name": type(loss).__name__,
            "config": loss.get_config(),
            "registered_name": None,
        }
    if inspect.isfunction(loss) or callable(loss):
        name = getattr(loss, "__name__", None)
        if name is None:
            raise ValueError(f"Cannot serialize loss {loss!r}: it has no name.")
        return name
    raise TypeError(f"Cannot serialize {loss!r}: expected a Loss or a loss function.")


def deserialize(name, custom_objects: dict | None = None):
    """The loss described by ``name`` (a string or a ``{'class_name', 'config'}`` dict)."""
    from lamina.legacy import LOSS_ALIASES
    from lamina.utils.serialization import catalogue_objects

    objects = catalogue_objects(ALL_OBJECTS, custom_objects)
    if isinstance(name, dict):
        if "class_name" not in name:
            raise ValueError(f"A serialized loss needs a 'class_name' key, received {name!r}.")
        cls_name = name["class_name"]
        if cls_name == "function":
            return deserialize(name.get("config"), custom_objects)
        cls = objects.get(cls_name) or objects.get(name.get("registered_name") or "")
        if cls is None:
            cls = _lookup(cls_name, objects)
        config = name.get("config") or {}
        if inspect.isclass(cls):
            return cls.from_config(config) if hasattr(cls, "from_config") else cls(**config)
        return cls
    if isinstance(name, str):
        if name not in objects and LOSS_ALIASES.get(name) in objects:
            return objects[LOSS_ALIASES[name]]
        return _lookup(name, objects)
    raise TypeError(f"Cannot deserialize a loss from {name!r}: expected a string or a dict.")


def _lookup(name: str, objects: dict):
    from lamina.utils.serialization import lookup_name

    return lookup_name(
        "loss",
        name,
        objects,
        lead=f"Unknown loss: {name!r}",
        valid="Valid losses include 'binary_crossentropy', 'categorical_crossentropy', "
        "'sparse_categorical_crossentropy', 'mse', 'mae', 'huber' and the Loss class names.",
    )


def get(identifier):
    """Resolve a loss identifier: None, a name, a config dict, a function, a class or an
    instance. Class names give an instance; function names give the function."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if inspect.isclass(obj):
        if not issubclass(obj, Loss):
            raise ValueError(f"Could not interpret loss identifier: {identifier!r}")
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(
        f"Could not interpret loss identifier: {identifier!r}. Expected a loss name such as "
        "'binary_crossentropy', a Loss instance or a function (y_true, y_pred) -> loss."
    )


__all__ = sorted(
    [c.__name__ for c in _CLASSES]
    + list(_FUNCTIONS)
    + [
        "Reduction",
        "get",
        "serialize",
        "deserialize",
        "kullback_leibler_divergence",
        "logcosh",
        "huber_loss",
    ]
)
