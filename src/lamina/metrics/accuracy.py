"""Accuracy metrics: exact match, binary (thresholded), categorical, sparse and top-k.

The functions return one value per sample as a Tensor; the classes keep the running,
sample-weighted mean (``total / count`` in float32), as Keras does.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.backend.config import floatx
from lamina.metrics import _numpy_fns as F
from lamina.metrics.metric import to_numpy
from lamina.metrics.reduction import MeanMetricWrapper


def _check_threshold(threshold) -> float:
    if isinstance(threshold, bool):
        raise TypeError(f"`threshold` must be a float in [0, 1], received {threshold!r}.")
    try:
        t = float(threshold)
    except (TypeError, ValueError):
        raise TypeError(f"`threshold` must be a float in [0, 1], received {threshold!r}.") from None
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"`threshold` must be in [0, 1], received {threshold!r}.")
    return t


def _check_k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"`k` must be a positive integer, received {k!r}.")
    return k


def _t(matches: np.ndarray) -> Tensor:
    return Tensor(matches.astype(floatx()))


def accuracy(y_true, y_pred) -> Tensor:
    """1.0 where predictions equal labels exactly, else 0.0."""
    return _t(F.accuracy(to_numpy(y_true, "y_true"), to_numpy(y_pred, "y_pred")))


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> Tensor:
    """1.0 where ``y_pred > threshold`` matches the binary label, else 0.0."""
    threshold = _check_threshold(threshold)
    return _t(F.binary_accuracy(to_numpy(y_true, "y_true"), to_numpy(y_pred, "y_pred"), threshold))


def categorical_accuracy(y_true, y_pred) -> Tensor:
    """1.0 where the arg-max of the one-hot label and of the prediction agree."""
    return _t(F.categorical_accuracy(to_numpy(y_true, "y_true"), to_numpy(y_pred, "y_pred")))


def sparse_categorical_accuracy(y_true, y_pred) -> Tensor:
    """1.0 where the integer label equals the arg-max of the prediction."""
    return _t(F.sparse_categorical_accuracy(to_numpy(y_true, "y_true"), to_numpy(y_pred, "y_pred")))


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> Tensor:
    """1.0 where the one-hot label's class is among the ``k`` highest predictions."""
    return _t(
        F.top_k_categorical_accuracy(
            to_numpy(y_true, "y_true"), to_numpy(y_pred, "y_pred"), _check_k(k)
        )
    )


def sparse_top_k_categorical_accuracy(
    y_true, y_pred, k: int = 5, from_sorted_ids: bool = False
) -> Tensor:
    """1.0 where the integer label is among the ``k`` highest predictions."""
    return _t(
        F.sparse_top_k_categorical_accuracy(
            to_numpy(y_true, "y_true"), to_numpy(y_pred, "y_pred"), _check_k(k), from_sorted_ids
        )
    )


F.NUMPY_TWINS.update(
    {
        accuracy: F.accuracy,
        binary_accuracy: F.binary_accuracy,
        categorical_accuracy: F.categorical_accuracy,
        sparse_categorical_accuracy: F.sparse_categorical_accuracy,
        top_k_categorical_accuracy: F.top_k_categorical_accuracy,
        sparse_top_k_categorical_accuracy: F.sparse_top_k_categorical_accuracy,
    }
)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly."""

    def __init__(self, name: str = "accuracy", dtype=None) -> None:
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches binary labels (``(N,)`` or ``(N, 1)``)."""

    def __init__(self, name: str = "binary_accuracy", dtype=None, threshold: float = 0.5) -> None:
        threshold = _check_threshold(threshold)
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of predictions matches one-hot labels."""

    def __init__(self, name: str = "categorical_accuracy", dtype=None) -> None:
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of predictions matches integer labels."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype=None) -> None:
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label is among the ``k`` highest predictions."""

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype=None) -> None:
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=_check_k(k))
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` highest predictions."""

    def __init__(
        self,
        k: int = 5,
        name: str = "sparse_top_k_categorical_accuracy",
        dtype=None,
        from_sorted_ids: bool = False,
    ) -> None:
        kw = {"k": _check_k(k)}
        if from_sorted_ids:
            kw["from_sorted_ids"] = True
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, **kw)
        self.k = k
        self.from_sorted_ids = bool(from_sorted_ids)
