"""Hinge losses for -1/1 (or 0/1) labels and one-hot labels."""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.losses import _ops as K
from lamina.losses.loss import LossFunctionWrapper
from lamina.losses.probabilistic import _prepare

# --- hinge losses -------------------------------------------------------------------------


def _signed_labels(yt: Tensor) -> Tensor:
    """Labels in {0, 1} become {-1, 1} (Keras converts them for the hinge losses)."""
    v = yt._value
    if v.size and np.all((v == 0) | (v == 1)):
        return Tensor(v * np.asarray(2, v.dtype) - np.asarray(1, v.dtype))
    return yt


def hinge(y_true, y_pred) -> Tensor:
    """``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``; labels -1/1 (or 0/1)."""
    yt, yp = _prepare(y_true, y_pred, "hinge")
    yt = _signed_labels(yt)
    m = K.maximum(K.subtract(K.const(1.0, yp), K.multiply(yt, yp)), 0.0)
    return K.mean(m, axis=-1)


def squared_hinge(y_true, y_pred) -> Tensor:
    """``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``."""
    yt, yp = _prepare(y_true, y_pred, "squared_hinge")
    yt = _signed_labels(yt)
    m = K.maximum(K.subtract(K.const(1.0, yp), K.multiply(yt, yp)), 0.0)
    return K.mean(K.square(m), axis=-1)


def categorical_hinge(y_true, y_pred) -> Tensor:
    """``maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)``."""
    yt, yp = _prepare(y_true, y_pred, "categorical_hinge")
    pos = K.reduce_sum(K.multiply(yt, yp), axis=-1)
    neg = K.reduce_max(K.multiply(K.subtract(K.const(1.0, yt), yt), yp), axis=-1)
    return K.maximum(K.add(K.subtract(neg, pos), K.const(1.0, pos)), 0.0)


class Hinge(LossFunctionWrapper):
    """Hinge loss for labels -1/1 (0/1 labels are converted)."""

    def __init__(self, reduction="sum_over_batch_size", name: str = "hinge", dtype=None) -> None:
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """Squared hinge loss for labels -1/1 (0/1 labels are converted)."""

    def __init__(
        self, reduction="sum_over_batch_size", name: str = "squared_hinge", dtype=None
    ) -> None:
        super().__init__(squared_hinge, reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """Categorical hinge loss for one-hot labels."""

    def __init__(
        self, reduction="sum_over_batch_size", name: str = "categorical_hinge", dtype=None
    ) -> None:
        super().__init__(categorical_hinge, reduction=reduction, name=name, dtype=dtype)
