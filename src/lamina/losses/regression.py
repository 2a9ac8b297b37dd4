"""Regression losses: squared, absolute, percentage, log and Huber errors, log-cosh, cosine.

Each function returns one value per sample (the mean over the last axis); labels of shape
``(N,)`` meet predictions ``(N, 1)`` as Keras aligns them.
"""

from __future__ import annotations

import math

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.backend.config import epsilon
from lamina.losses import _kernels, _ops as K
from lamina.losses.loss import LossFunctionWrapper
from lamina.losses.probabilistic import _check_axis, _FastLoss, _on_tape, _prepare


def _fast(kernel, yt: Tensor, yp: Tensor, lamina_form, **kw) -> Tensor:
    """Use the fused kernel when shapes match and labels are constants, else plain ops."""
    if yt._value.shape == yp._value.shape and not _on_tape(yt):
        return _kernels.fused(kernel, yt._value, yp, lambda: lamina_form(yt, yp), **kw)
    return lamina_form(yt, yp)


def _mse_lamina(yt, yp):
    return K.mean(K.square(K.subtract(yp, yt)), axis=-1)


def _mae_lamina(yt, yp):
    return K.mean(K.abs(K.subtract(yp, yt)), axis=-1)


def mean_squared_error(y_true, y_pred) -> Tensor:
    """``mean(square(y_true - y_pred), axis=-1)``."""
    yt, yp = _prepare(y_true, y_pred, "mean_squared_error")
    return _fast(_kernels.mse, yt, yp, _mse_lamina, axis=-1)


def mean_absolute_error(y_true, y_pred) -> Tensor:
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    yt, yp = _prepare(y_true, y_pred, "mean_absolute_error")
    return _fast(_kernels.mae, yt, yp, _mae_lamina, axis=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> Tensor:
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), eps)), axis=-1)``."""
    yt, yp = _prepare(y_true, y_pred, "mean_absolute_percentage_error")
    diff = K.abs(K.divide(K.subtract(yt, yp), K.maximum(K.abs(yt), epsilon())))
    return K.multiply(K.const(100.0, diff), K.mean(diff, axis=-1))


def mean_squared_logarithmic_error(y_true, y_pred) -> Tensor:
    """``mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)``."""
    yt, yp = _prepare(y_true, y_pred, "mean_squared_logarithmic_error")
    eps = epsilon()
    a = K.log(K.add(K.maximum(yp, eps), K.const(1.0, yp)))
    b = K.log(K.add(K.maximum(yt, eps), K.const(1.0, yt)))
    return K.mean(K.square(K.subtract(a, b)), axis=-1)


def _check_delta(delta) -> float:
    try:
        d = float(delta)
    except (TypeError, ValueError):
        raise TypeError(f"`delta` must be a positive number, received {delta!r}.") from None
    if not d > 0:
        raise ValueError(f"`delta` must be positive, received {delta!r}.")
    return d


def _huber_lamina(yt, yp, delta):
    err = K.subtract(yp, yt)
    a = K.abs(err)
    small = a._value <= np.asarray(delta, a._value.dtype)
    quad = K.multiply(K.const(0.5, err), K.square(err))
    lin = K.subtract(K.multiply(K.const(delta, a), a), K.const(0.5 * delta * delta, a))
    return K.mean(K.where(small, quad, lin), axis=-1)


def huber(y_true, y_pred, delta: float = 1.0) -> Tensor:
    """Huber loss: quadratic for ``|error| <= delta``, linear beyond (mean over the last axis)."""
    delta = _check_delta(delta)
    yt, yp = _prepare(y_true, y_pred, "huber")
    return _fast(
        _kernels.huber, yt, yp, lambda a, b: _huber_lamina(a, b, delta), axis=-1, delta=delta
    )


def log_cosh(y_true, y_pred) -> Tensor:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed as ``x + softplus(-2x) - log 2``."""
    yt, yp = _prepare(y_true, y_pred, "log_cosh")
    x = K.subtract(yp, yt)
    two_x = K.multiply(K.const(-2.0, x), x)
    v = K.subtract(K.add(x, K.softplus(two_x)), K.const(math.log(2.0), x))
    return K.mean(v, axis=-1)


def cosine_similarity(y_true, y_pred, axis: int = -1) -> Tensor:
    """Negative cosine similarity along ``axis`` (-1 for identical directions)."""
    axis = _check_axis(axis)
    yt, yp = _prepare(y_true, y_pred, "cosine_similarity")
    a = K.l2_normalize(yt, axis=axis)
    b = K.l2_normalize(yp, axis=axis)
    return K.negative(K.reduce_sum(K.multiply(a, b), axis=axis))


class MeanSquaredError(_FastLoss):
    """Mean of squared errors: ``mean(square(y_true - y_pred))``."""

    def __init__(
        self, reduction="sum_over_batch_size", name: str = "mean_squared_error", dtype=None
    ) -> None:
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)

    def _np_kernel(self, yt, yp, logits):
        return _kernels.mse(yt, yp)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}


class MeanAbsoluteError(_FastLoss):
    """Mean of absolute errors: ``mean(abs(y_true - y_pred))``."""

    def __init__(
        self, reduction="sum_over_batch_size", name: str = "mean_absolute_error", dtype=None
    ) -> None:
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)

    def _np_kernel(self, yt, yp, logits):
        return _kernels.mae(yt, yp)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}


class Huber(_FastLoss):
    """Huber loss with threshold ``delta`` (quadratic near zero, linear beyond)."""

    def __init__(
        self,
        delta: float = 1.0,
        reduction="sum_over_batch_size",
        name: str = "huber_loss",
        dtype=None,
    ) -> None:
        delta = _check_delta(delta)
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=delta)
        self.delta = delta

    def _np_kernel(self, yt, yp, logits):
        return _kernels.huber(yt, yp, delta=self.delta)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction, "delta": self.delta}


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100 * mean(abs((y_true - y_pred) / y_true))``."""

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name: str = "mean_absolute_percentage_error",
        dtype=None,
    ) -> None:
        super().__init__(
            mean_absolute_percentage_error, reduction=reduction, name=name, dtype=dtype
        )


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """``mean(square(log(y_pred + 1) - log(y_true + 1)))``."""

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name: str = "mean_squared_logarithmic_error",
        dtype=None,
    ) -> None:
        super().__init__(
            mean_squared_logarithmic_error, reduction=reduction, name=name, dtype=dtype
        )


class LogCosh(LossFunctionWrapper):
    """Logarithm of the hyperbolic cosine of the prediction error."""

    def __init__(self, reduction="sum_over_batch_size", name: str = "log_cosh", dtype=None) -> None:
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity between labels and predictions along ``axis``."""

    def __init__(
        self,
        axis: int = -1,
        reduction="sum_over_batch_size",
        name: str = "cosine_similarity",
        dtype=None,
    ) -> None:
        axis = _check_axis(axis)
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis)
