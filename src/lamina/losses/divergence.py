"""Kullback-Leibler divergence and the Poisson loss."""

from __future__ import annotations

from lamina.autodiff.tensor import Tensor
from lamina.backend.config import epsilon
from lamina.losses import _ops as K
from lamina.losses.loss import LossFunctionWrapper
from lamina.losses.probabilistic import _prepare

# --- divergences --------------------------------------------------------------------------


def kl_divergence(y_true, y_pred) -> Tensor:
    """``sum(y_true * log(y_true / y_pred), axis=-1)`` with both clipped to ``[eps, 1]``."""
    yt, yp = _prepare(y_true, y_pred, "kl_divergence")
    eps = epsilon()
    t = K.clip(yt, eps, 1.0)
    p = K.clip(yp, eps, 1.0)
    return K.reduce_sum(K.multiply(t, K.log(K.divide(t, p))), axis=-1)


def poisson(y_true, y_pred) -> Tensor:
    """``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``."""
    yt, yp = _prepare(y_true, y_pred, "poisson")
    lg = K.log(K.add(yp, K.const(epsilon(), yp)))
    return K.mean(K.subtract(yp, K.multiply(yt, lg)), axis=-1)


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence between label and predicted distributions."""

    def __init__(
        self, reduction="sum_over_batch_size", name: str = "kl_divergence", dtype=None
    ) -> None:
        super().__init__(kl_divergence, reduction=reduction, name=name, dtype=dtype)


class Poisson(LossFunctionWrapper):
    """Poisson loss: ``mean(y_pred - y_true * log(y_pred))``."""

    def __init__(self, reduction="sum_over_batch_size", name: str = "poisson", dtype=None) -> None:
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)
