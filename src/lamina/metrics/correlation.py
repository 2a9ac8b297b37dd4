"""R2Score: the coefficient of determination, accumulated over batches."""

from __future__ import annotations

import numpy as np

from lamina.metrics.metric import Metric, to_numpy


class R2Score(Metric):
    """Coefficient of determination ``1 - SS_res / SS_tot``, per output then aggregated.

    Args:
        class_aggregation: ``'uniform_average'``, ``'variance_weighted_average'`` or None.
        num_regressors: for the adjusted R2 (0 gives the plain score).
    """

    def __init__(
        self,
        class_aggregation: str | None = "uniform_average",
        num_regressors: int = 0,
        name: str = "r2_score",
        dtype=None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in (None, "uniform_average", "variance_weighted_average"):
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected one of {None, "
                "'uniform_average', 'variance_weighted_average'}. Received: "
                f"class_aggregation={class_aggregation!r}"
            )
        if (
            isinstance(num_regressors, bool)
            or not isinstance(num_regressors, int)
            or num_regressors < 0
        ):
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected a value "
                f">= 0. Received: num_regressors={num_regressors!r}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(name="num_samples", dtype="int32")
        self._built = False

    def _build(self, n: int) -> None:
        self.squared_sum = self.add_variable(shape=(n,), name="squared_sum")
        self.sum = self.add_variable(shape=(n,), name="sum")
        self.total_mse = self.add_variable(shape=(n,), name="residual")
        self.count = self.add_variable(shape=(n,), name="count")
        self._n = n
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        dt = np.dtype(self.dtype)
        yt = to_numpy(y_true, "y_true").astype(dt, copy=False)
        yp = to_numpy(y_pred, "y_pred").astype(dt, copy=False)
        if yt.ndim == 1:
            yt = yt[:, None]
        if yp.ndim == 1:
            yp = yp[:, None]
        if yt.shape != yp.shape or yt.ndim != 2:
            raise ValueError(
                f"R2Score expects 2D inputs of the same shape, received y_true "
                f"{yt.shape} and y_pred {yp.shape}."
            )
        if not self._built:
            self._build(yp.shape[1])
        w = (
            np.ones((yt.shape[0], 1), dt)
            if sample_weight is None
            else to_numpy(sample_weight, "sample_weight").astype(dt).reshape(-1, 1)
        )
        w = np.broadcast_to(w, yt.shape)
        wy = yt * w
        self.sum._value[...] += np.sum(wy, axis=0)
        self.squared_sum._value[...] += np.sum(yt * wy, axis=0)
        self.total_mse._value[...] += np.sum(np.square(yt - yp) * w, axis=0)
        self.count._value[...] += np.sum(w, axis=0)
        self.num_samples._value[...] += yt.shape[0]

    def result(self):
        if not self._built:
            return self._result_tensor(0.0)
        mean = self.sum._value / self.count._value
        total = self.squared_sum._value - self.sum._value * mean
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = 1 - self.total_mse._value / total
        raw = np.where(np.isinf(raw), 0.0, np.nan_to_num(raw)).astype(mean.dtype)
        if self.class_aggregation == "uniform_average":
            r2 = np.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            r2 = np.sum(total * raw) / np.sum(total)
        else:
            r2 = raw
        if self.num_regressors:
            n = float(self.num_samples._value)
            p = self.num_regressors
            if n - p - 1 > 0:
                r2 = 1 - (1 - r2) * (n - 1) / (n - p - 1)
        return self._result_tensor(r2)

    def reset_state(self) -> None:
        for v in self._variables:
            v._value[...] = 0

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
