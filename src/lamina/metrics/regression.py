"""Regression, probabilistic and hinge metrics: running means of per-sample errors."""

from __future__ import annotations

import numpy as np

from lamina import losses as _losses
from lamina.metrics import _numpy_fns as F
from lamina.metrics.metric import to_numpy
from lamina.metrics.reduction import Mean, MeanMetricWrapper

# The loss functions double as metric functions; their NumPy twins keep metrics off the tape.
F.NUMPY_TWINS.update(
    {
        _losses.mean_squared_error: F.mean_squared_error,
        _losses.mean_absolute_error: F.mean_absolute_error,
        _losses.mean_absolute_percentage_error: F.mean_absolute_percentage_error,
        _losses.mean_squared_logarithmic_error: F.mean_squared_logarithmic_error,
        _losses.log_cosh: F.log_cosh,
        _losses.cosine_similarity: F.neg_cosine_similarity,
        _losses.hinge: F.hinge,
        _losses.squared_hinge: F.squared_hinge,
        _losses.categorical_hinge: F.categorical_hinge,
        _losses.kl_divergence: F.kl_divergence,
        _losses.poisson: F.poisson,
        _losses.binary_crossentropy: F.binary_crossentropy,
        _losses.categorical_crossentropy: F.categorical_crossentropy,
        _losses.sparse_categorical_crossentropy: F.sparse_categorical_crossentropy,
        _losses.huber: F.huber,
    }
)


def _simple(cls_name: str, fn, default_name: str, doc: str):
    def __init__(self, name: str = default_name, dtype=None) -> None:
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype)

    return type(
        cls_name,
        (MeanMetricWrapper,),
        {"__init__": __init__, "__doc__": doc, "__module__": __name__},
    )


MeanSquaredError = _simple(
    "MeanSquaredError",
    _losses.mean_squared_error,
    "mean_squared_error",
    "Running mean of squared errors.",
)
MeanAbsoluteError = _simple(
    "MeanAbsoluteError",
    _losses.mean_absolute_error,
    "mean_absolute_error",
    "Running mean of absolute errors.",
)
MeanAbsolutePercentageError = _simple(
    "MeanAbsolutePercentageError",
    _losses.mean_absolute_percentage_error,
    "mean_absolute_percentage_error",
    "Running mean absolute percentage error.",
)
MeanSquaredLogarithmicError = _simple(
    "MeanSquaredLogarithmicError",
    _losses.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error",
    "Running mean squared logarithmic error.",
)
LogCoshError = _simple(
    "LogCoshError", _losses.log_cosh, "logcosh", "Running mean of log(cosh(error))."
)
Hinge = _simple("Hinge", _losses.hinge, "hinge", "Running mean hinge loss.")
SquaredHinge = _simple(
    "SquaredHinge", _losses.squared_hinge, "squared_hinge", "Running mean squared hinge loss."
)
CategoricalHinge = _simple(
    "CategoricalHinge",
    _losses.categorical_hinge,
    "categorical_hinge",
    "Running mean categorical hinge loss.",
)
KLDivergence = _simple(
    "KLDivergence",
    _losses.kl_divergence,
    "kullback_leibler_divergence",
    "Running mean Kullback-Leibler divergence.",
)
Poisson = _simple("Poisson", _losses.poisson, "poisson", "Running mean Poisson loss.")


class RootMeanSquaredError(Mean):
    """Square root of the running (weighted) mean of squared errors."""

    def __init__(self, name: str = "root_mean_squared_error", dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        yt, yp = F._pair(to_numpy(y_true, "y_true"), to_numpy(y_pred, "y_pred"))
        self._accumulate(np.square(yp - yt), sample_weight)

    def result(self):
        c = self.count._value
        v = self.total._value / c if c != 0 else np.zeros((), c.dtype)
        return self._result_tensor(np.sqrt(v))


def cosine_similarity(y_true, y_pred, axis: int = -1):
    """Cosine similarity between labels and predictions along ``axis`` (metric form)."""
    from lamina.autodiff.tensor import Tensor

    return Tensor(F.cosine_similarity(to_numpy(y_true, "y_true"), to_numpy(y_pred, "y_pred"), axis))


F.NUMPY_TWINS[cosine_similarity] = F.cosine_similarity


class CosineSimilarity(MeanMetricWrapper):
    """Running mean cosine similarity between labels and predictions."""

    def __init__(self, name: str = "cosine_similarity", dtype=None, axis: int = -1) -> None:
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean binary cross-entropy."""

    def __init__(
        self,
        name: str = "binary_crossentropy",
        dtype=None,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            _losses.binary_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=bool(from_logits),
            label_smoothing=float(label_smoothing),
        )


class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean categorical cross-entropy."""

    def __init__(
        self,
        name: str = "categorical_crossentropy",
        dtype=None,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
    ) -> None:
        super().__init__(
            _losses.categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=bool(from_logits),
            label_smoothing=float(label_smoothing),
            axis=axis,
        )


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean sparse categorical cross-entropy.

    With ``ignore_class``, entries labelled with that class contribute 0; as in Keras, they
    still count in the mean unless a ``sample_weight`` is given (then their weight is 0).
    """

    def __init__(
        self,
        name: str = "sparse_categorical_crossentropy",
        dtype=None,
        from_logits: bool = False,
        ignore_class: int | None = None,
        axis: int = -1,
    ) -> None:
        if ignore_class is not None and (
            isinstance(ignore_class, bool) or not isinstance(ignore_class, (int, np.integer))
        ):
            raise TypeError(
                f"`ignore_class` must be an integer or None, received {ignore_class!r}."
            )
        kwargs = {"from_logits": bool(from_logits), "axis": axis}
        if ignore_class is not None:
            kwargs["ignore_class"] = int(ignore_class)
        super().__init__(_losses.sparse_categorical_crossentropy, name=name, dtype=dtype, **kwargs)
        self.ignore_class = None if ignore_class is None else int(ignore_class)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if self.ignore_class is not None and sample_weight is not None:
            from lamina.losses.probabilistic import _sparse_labels

            yp = to_numpy(y_pred, "y_pred")
            axis = self._fn_kwargs["axis"]
            shape = yp.shape if axis % yp.ndim == yp.ndim - 1 else np.moveaxis(yp, axis, -1).shape
            valid = _sparse_labels(to_numpy(y_true, "y_true"), shape) != self.ignore_class
            sw = np.asarray(to_numpy(sample_weight, "sample_weight"), dtype=self.dtype)
            if sw.ndim == valid.ndim + 1 and sw.shape[-1] == 1:
                sw = sw[..., 0]
            sample_weight = np.broadcast_to(sw, valid.shape) * valid
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict:
        return {**super().get_config(), "ignore_class": self.ignore_class}
