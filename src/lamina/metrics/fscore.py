"""F-beta and F1 scores over one-hot or multi-label predictions, as Keras computes them."""

from __future__ import annotations

import numpy as np

from lamina.metrics.confusion import _div
from lamina.metrics.metric import Metric, to_numpy


class FBetaScore(Metric):
    """F-beta score: ``(1 + beta^2) * P * R / (beta^2 * P + R)`` per class.

    Args:
        average: ``None`` (one score per class), ``'micro'``, ``'macro'`` or ``'weighted'``.
        beta: weight of recall relative to precision (> 0).
        threshold: predictions above it count as positive; ``None`` takes each row's
            arg-max as the single positive.

    Inputs are ``(batch, classes)`` one-hot (or multi-label) labels and scores.
    """

    def __init__(
        self,
        average: str | None = None,
        beta: float = 1.0,
        threshold: float | None = None,
        name: str = "fbeta_score",
        dtype=None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(
                "Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
                f"'weighted'}}. Received: average={average!r}"
            )
        if isinstance(beta, bool) or not isinstance(beta, (int, float)):
            raise ValueError(
                f"Invalid `beta` argument value. It should be a Python float. "
                f"Received: beta={beta!r} of type '{type(beta).__name__}'"
            )
        if beta <= 0.0:
            raise ValueError(
                f"Invalid `beta` argument value. It should be > 0. Received: beta={beta!r}"
            )
        if threshold is not None:
            if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
                raise ValueError(
                    "Invalid `threshold` argument value. It should be a Python "
                    f"float. Received: threshold={threshold!r}"
                )
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(
                    "Invalid `threshold` argument value. It should verify "
                    f"0 < threshold <= 1. Received: threshold={threshold!r}"
                )
        self.average = average
        self.beta = float(beta)
        self.threshold = threshold
        self.axis = None if average != "micro" else 0
        self._built = False

    def _build(self, n: int) -> None:
        self.true_positives = self.add_variable(shape=(n,), name="true_positives")
        self.false_positives = self.add_variable(shape=(n,), name="false_positives")
        self.false_negatives = self.add_variable(shape=(n,), name="false_negatives")
        self.intermediate_weights = self.add_variable(shape=(n,), name="intermediate_weights")
        self._n = n
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        dt = np.dtype(self.dtype)
        yt = to_numpy(y_true, "y_true").astype(dt, copy=False)
        yp = to_numpy(y_pred, "y_pred").astype(dt, copy=False)
        if yp.ndim != 2 or yt.ndim != 2:
            raise ValueError(
                f"{type(self).__name__} expects 2D inputs with shape (batch_size, output_dim). "
                f"Received input shapes: y_pred.shape={yp.shape} and y_true.shape={yt.shape}."
            )
        if yt.shape != yp.shape:
            raise ValueError(
                f"{type(self).__name__}: `y_true` {yt.shape} and `y_pred` "
                f"{yp.shape} must have the same shape."
            )
        if not self._built:
            self._build(yp.shape[-1])
        elif yp.shape[-1] != self._n:
            raise ValueError(
                f"{type(self).__name__} was built for {self._n} classes, received {yp.shape[-1]}."
            )
        if self.threshold is None:
            yp = (yp == np.max(yp, axis=-1, keepdims=True)).astype(dt)
        else:
            yp = (yp > np.asarray(self.threshold, dt)).astype(dt)
        if sample_weight is not None:
            sw = to_numpy(sample_weight, "sample_weight").astype(dt, copy=False).reshape(-1, 1)
            yt_w, yp_w = yt * sw, yp * sw
        else:
            sw = None
            yt_w, yp_w = yt, yp
        one = np.ones((), dt)
        self.true_positives._value[...] += np.sum(yp_w * yt, axis=0, dtype=dt)
        self.false_positives._value[...] += np.sum(yp_w * (one - yt), axis=0, dtype=dt)
        self.false_negatives._value[...] += np.sum((one - yp) * yt_w, axis=0, dtype=dt)
        self.intermediate_weights._value[...] += np.sum(yt_w, axis=0, dtype=dt)

    def result(self):
        if not self._built:
            return self._result_tensor(0.0)
        tp, fp = self.true_positives._value, self.false_positives._value
        fn = self.false_negatives._value
        if self.average == "micro":
            tp, fp, fn = np.sum(tp), np.sum(fp), np.sum(fn)
        precision = _div(tp, tp + fp)
        recall = _div(tp, tp + fn)
        b2 = np.asarray(self.beta**2, precision.dtype)
        f = _div(precision * recall, b2 * precision + recall) * (np.ones((), b2.dtype) + b2)
        if self.average == "weighted":
            w = self.intermediate_weights._value
            f = np.sum(f * _div(w, np.sum(w)))
        elif self.average is not None:
            f = np.mean(f)
        return self._result_tensor(f)

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """F1 score: the harmonic mean of precision and recall (FBetaScore with beta = 1)."""

    def __init__(
        self,
        average: str | None = None,
        threshold: float | None = None,
        name: str = "f1_score",
        dtype=None,
    ) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        cfg = super().get_config()
        del cfg["beta"]
        return cfg
