"""Metrics (``keras.metrics``): stateful objects computed with NumPy, and metric functions.

``metrics.get('binary_accuracy')`` (a function name or a Keras 2 alias such as ``'mae'``)
returns the function, as tf.keras 2.x did; a class name returns a new instance. The
string ``'accuracy'``/``'acc'`` is resolved from the loss and output shape at compile time
(``models/compile_utils.py``) into BinaryAccuracy, CategoricalAccuracy or
SparseCategoricalAccuracy.
"""

from __future__ import annotations

import inspect

from lamina import losses as _losses
from lamina.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from lamina.metrics.accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from lamina.metrics.metric import Metric
from lamina.metrics.reduction import Mean, MeanMetricWrapper, Sum
from lamina.metrics.regression import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    KLDivergence,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    RootMeanSquaredError,
    SparseCategoricalCrossentropy,
    SquaredHinge,
    cosine_similarity,
)

try:  # the confusion-matrix family
    from lamina.metrics.confusion import (
        AUC,
        FalseNegatives,
        FalsePositives,
        Precision,
        PrecisionAtRecall,
        Recall,
        RecallAtPrecision,
        SensitivityAtSpecificity,
        SpecificityAtSensitivity,
        TrueNegatives,
        TruePositives,
    )
    from lamina.metrics.correlation import R2Score
    from lamina.metrics.fscore import F1Score, FBetaScore
    from lamina.metrics.iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
except ImportError:  # pragma: no cover  (during development only)
    pass

# Keras 2 short names of the functions.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
acc = accuracy

_FUNCTIONS = {
    f.__name__: f
    for f in (
        accuracy,
        binary_accuracy,
        categorical_accuracy,
        sparse_categorical_accuracy,
        top_k_categorical_accuracy,
        sparse_top_k_categorical_accuracy,
        binary_crossentropy,
        categorical_crossentropy,
        sparse_categorical_crossentropy,
        binary_focal_crossentropy,
        categorical_focal_crossentropy,
        mean_squared_error,
        mean_absolute_error,
        mean_absolute_percentage_error,
        mean_squared_logarithmic_error,
        hinge,
        squared_hinge,
        categorical_hinge,
        kl_divergence,
        poisson,
        log_cosh,
        huber,
        cosine_similarity,
    )
}
_FUNCTIONS.update(_losses.SHORT_NAMES)
_FUNCTIONS["acc"] = accuracy


def _classes() -> dict:
    out = {}
    for name, obj in list(globals().items()):
        if inspect.isclass(obj) and issubclass(obj, Metric):
            out[name] = obj
    return out


def _snake_case_classes() -> dict:
    """``'precision'`` -> Precision, ``'auc'`` -> AUC ... (names no function already has)."""
    from lamina.utils.naming import to_snake_case

    out = {}
    for name, cls in _classes().items():
        for key in (to_snake_case(name), name.lower()):
            if key not in _FUNCTIONS and key not in out:
                out[key] = cls
    return out


ALL_OBJECTS: dict = {**_snake_case_classes(), **_FUNCTIONS, **_classes()}


def serialize(metric):
    """A JSON-friendly description of ``metric`` (Keras 3 format; functions by name)."""
    if metric is None or isinstance(metric, str):
        return metric
    if isinstance(metric, Metric):
        return {
            "module": "keras.metrics",
            "class_name": type(metric).__name__,
            "config": metric.get_config(),
            "registered_name": None,
        }
    if callable(metric) and getattr(metric, "__name__", None):
        return metric.__name__
    raise TypeError(f"Cannot serialize {metric!r}: expected a Metric or a metric function.")


def deserialize(config, custom_objects: dict | None = None):
    """The metric described by ``config`` (a name or a ``{'class_name', 'config'}`` dict)."""
    from lamina.utils.serialization import catalogue_objects

    objects = catalogue_objects(ALL_OBJECTS, custom_objects)
    if isinstance(config, dict):
        cls_name = config.get("class_name")
        if cls_name is None:
            raise ValueError(f"A serialized metric needs a 'class_name' key, received {config!r}.")
        if cls_name == "function":
            return deserialize(config.get("config"), custom_objects)
        obj = _lookup(cls_name, objects)
        if inspect.isclass(obj):
            return obj.from_config(config.get("config") or {})
        return obj
    if isinstance(config, str):
        return _lookup(config, objects)
    raise TypeError(f"Cannot deserialize a metric from {config!r}: expected a name or a dict.")


def _lookup(name: str, objects: dict):
    from lamina.utils.serialization import lookup_name

    return lookup_name(
        "metric",
        name,
        objects,
        lead=f"Unknown metric: {name!r}",
        valid="Valid metrics include 'accuracy', 'mae', 'mse', 'binary_accuracy', "
        "'categorical_accuracy', 'sparse_categorical_accuracy' and the Metric class names "
        "(e.g. 'Precision', 'AUC').",
    )


def get(identifier):
    """Resolve a metric identifier: a name, a config dict, a function, a class or an instance.

    Function names (and aliases such as ``'mae'``) give the function; class names give a
    new instance.
    """
    if identifier is None:
        return None
    obj = deserialize(identifier) if isinstance(identifier, (str, dict)) else identifier
    if inspect.isclass(obj):
        if not issubclass(obj, Metric) or obj is Metric:
            raise ValueError(f"Could not interpret metric identifier: {identifier!r}")
        required = [
            p.name
            for p in inspect.signature(obj.__init__).parameters.values()
            if p.default is inspect.Parameter.empty
            and p.name != "self"
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        if required:
            raise ValueError(
                f"The metric {obj.__name__} needs the argument(s) {', '.join(required)}: pass "
                f"an instance instead of a name, e.g. metrics=[{obj.__name__}("
                f"{', '.join(r + '=...' for r in required)})]."
            )
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(
        f"Could not interpret metric identifier: {identifier!r}. Expected a metric name such "
        "as 'accuracy' or 'mae', a Metric instance or a function (y_true, y_pred) -> values."
    )


__all__ = sorted(
    {k for k in ALL_OBJECTS if k in globals()} | {"get", "serialize", "deserialize", "Metric"}
)
del _losses
