"""Focal cross-entropies: cross-entropy scaled down on well-classified examples."""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.backend.config import epsilon
from lamina.losses import _ops as K
from lamina.losses.loss import LossFunctionWrapper
from lamina.losses.probabilistic import (
    _bce_elementwise,
    _check_axis,
    _check_bool,
    _check_smoothing,
    _prepare,
    smooth_labels,
)


def _check_unit(value, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a float in [0, 1], received {value!r}.") from None
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"`{name}` must be in [0, 1], received {value!r}.")
    return v


def _check_gamma(gamma) -> float:
    try:
        g = float(gamma)
    except (TypeError, ValueError):
        raise TypeError(f"`gamma` must be a non-negative float, received {gamma!r}.") from None
    if g < 0:
        raise ValueError(f"`gamma` must be non-negative, received {gamma!r}.")
    return g


def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """Binary cross-entropy scaled by ``(1 - p_t) ** gamma`` to focus on hard examples."""
    ls = _check_smoothing(label_smoothing)
    yt, yp = _prepare(y_true, y_pred, "binary_focal_crossentropy")
    t = yt._value
    if ls:
        t = smooth_labels(t, ls, 2)
    tt = K.const(t, yp)
    one = K.const(1.0, yp)
    prob = K.sigmoid(yp) if from_logits else yp
    bce = _bce_elementwise(tt, yp, from_logits)
    p_t = K.add(K.multiply(tt, prob), K.multiply(K.subtract(one, tt), K.subtract(one, prob)))
    focal = K.multiply(K.power(K.subtract(one, p_t), gamma), bce)
    if apply_class_balancing:
        w = t * np.asarray(alpha, t.dtype) + (1 - t) * np.asarray(1 - alpha, t.dtype)
        focal = K.multiply(K.const(w, yp), focal)
    return K.mean(focal, axis=axis)


def categorical_focal_crossentropy(
    y_true,
    y_pred,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Tensor:
    """Categorical cross-entropy scaled by ``alpha * (1 - p) ** gamma`` per class."""
    ls = _check_smoothing(label_smoothing)
    yt, yp = _prepare(y_true, y_pred, "categorical_focal_crossentropy")
    t = yt._value
    if ls:
        n = t.shape[axis]
        t = smooth_labels(t, ls, n)
    p = K.softmax(yp, axis) if from_logits else yp
    p = K.divide(p, K.reduce_sum(p, axis=axis, keepdims=True))
    eps = epsilon()
    p = K.clip(p, eps, 1.0 - eps)
    cce = K.negative(K.multiply(K.const(t, yp), K.log(p)))
    mod = K.power(K.subtract(K.const(1.0, p), p), gamma)
    return K.reduce_sum(K.multiply(K.multiply(mod, K.const(alpha, p)), cce), axis=axis)


#: Argument checks shared by the focal classes (each returns the validated value).
_CHECKS = {
    "apply_class_balancing": lambda v: _check_bool(v, "apply_class_balancing"),
    "alpha": lambda v: _check_unit(v, "alpha"),
    "gamma": _check_gamma,
    "from_logits": lambda v: _check_bool(v, "from_logits"),
    "label_smoothing": _check_smoothing,
    "axis": _check_axis,
}


class _FocalLoss(LossFunctionWrapper):
    """Validates the focal arguments and exposes them as attributes."""

    def __init__(self, fn, reduction, name, dtype, **kwargs) -> None:
        kwargs = {k: _CHECKS[k](v) for k, v in kwargs.items()}
        super().__init__(fn, reduction=reduction, name=name, dtype=dtype, **kwargs)
        for k, v in kwargs.items():
            setattr(self, k, v)


class BinaryFocalCrossentropy(_FocalLoss):
    """Focal loss for binary classification (Lin et al., 2017)."""

    def __init__(
        self,
        apply_class_balancing: bool = False,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction="sum_over_batch_size",
        name: str = "binary_focal_crossentropy",
        dtype=None,
    ) -> None:
        super().__init__(
            binary_focal_crossentropy,
            reduction,
            name,
            dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class CategoricalFocalCrossentropy(_FocalLoss):
    """Focal loss for multi-class classification with one-hot labels."""

    def __init__(
        self,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction="sum_over_batch_size",
        name: str = "categorical_focal_crossentropy",
        dtype=None,
    ) -> None:
        super().__init__(
            categorical_focal_crossentropy,
            reduction,
            name,
            dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
