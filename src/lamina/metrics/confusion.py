"""Confusion-matrix metrics: TP/FP/TN/FN counts, Precision, Recall, AUC and the
"X at fixed Y" family, computed with NumPy as Keras defines them.

Predictions count as positive when ``y_pred > threshold`` (default 0.5). ``top_k`` keeps only
the k highest predictions per row; ``class_id`` restricts to one column. AUC uses
``num_thresholds`` evenly spaced thresholds and Keras's bucket counting, then the Riemann sum
(or the Davis & Goadrich interpolation for PR curves).
"""

from __future__ import annotations

import numpy as np

from lamina.backend.config import epsilon
from lamina.metrics._numpy_fns import align
from lamina.metrics.metric import Metric, to_numpy

NEG_INF = -1e10


def _parse_thresholds(thresholds, default: float) -> list[float]:
    if thresholds is None:
        return [default]
    if isinstance(thresholds, (list, tuple, np.ndarray)):
        values = [float(t) for t in np.asarray(thresholds).ravel()]
    else:
        try:
            values = [float(thresholds)]
        except (TypeError, ValueError):
            raise TypeError(
                f"`thresholds` must be a float or a list of floats in [0, 1], received "
                f"{thresholds!r}."
            ) from None
    if not values:
        raise ValueError("`thresholds` must not be empty.")
    bad = [t for t in values if not 0.0 <= t <= 1.0]
    if bad:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {thresholds!r}")
    return values


def _check_top_k(top_k):
    if top_k is None:
        return None
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise ValueError(f"`top_k` must be a positive integer or None, received {top_k!r}.")
    return int(top_k)


def _check_class_id(class_id):
    if class_id is None:
        return None
    if isinstance(class_id, bool) or not isinstance(class_id, (int, np.integer)) or class_id < 0:
        raise ValueError(
            f"`class_id` must be a non-negative integer or None, received {class_id!r}."
        )
    return int(class_id)


def _filter_top_k(x: np.ndarray, k: int) -> np.ndarray:
    """Keep the k largest entries of each row (first ones on ties), the rest set to -1e10."""
    if k >= x.shape[-1]:
        return x
    idx = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(x.shape, dtype=bool)
    np.put_along_axis(keep, idx, True, axis=-1)
    return np.where(keep, x, np.asarray(NEG_INF, x.dtype))


def _weights_like(sample_weight, shape: tuple, dtype) -> np.ndarray | None:
    if sample_weight is None:
        return None
    sw = to_numpy(sample_weight, "sample_weight").astype(dtype, copy=False)
    if sw.ndim > len(shape) and sw.shape[-1] == 1:
        sw = sw.reshape(sw.shape[: len(shape)])
    while sw.ndim < len(shape):
        sw = sw[..., None]
    try:
        return np.broadcast_to(sw, shape)
    except ValueError:
        raise ValueError(
            f"`sample_weight` of shape {np.shape(sample_weight)} cannot be broadcast to the "
            f"predictions of shape {shape}."
        ) from None


def _prepare(y_true, y_pred, sample_weight, top_k, class_id, dtype):
    yt = to_numpy(y_true, "y_true")
    yp = to_numpy(y_pred, "y_pred").astype(dtype, copy=False)
    yt, yp = align(yt, yp)
    if yt.shape != yp.shape:
        try:
            yt = np.broadcast_to(yt, yp.shape)
        except ValueError:
            raise ValueError(
                f"`y_true` of shape {yt.shape} does not match `y_pred` of shape {yp.shape}."
            ) from None
    sw = _weights_like(sample_weight, yp.shape, dtype)
    if top_k is not None:
        yp = _filter_top_k(yp, top_k)
    if class_id is not None:
        if yp.ndim == 0 or class_id >= yp.shape[-1]:
            raise ValueError(
                f"`class_id`={class_id} is out of range for predictions of shape {yp.shape}."
            )
        yt, yp = yt[..., class_id], yp[..., class_id]
        sw = None if sw is None else sw[..., class_id]
    return yt != 0, yp, sw


def confusion_counts(
    label_pos: np.ndarray,
    y_pred: np.ndarray,
    sw,
    thresholds: np.ndarray,
    dtype,
    want=("tp", "fp", "tn", "fn"),
) -> dict:
    """Weighted TP/FP/TN/FN per threshold by direct comparison ``y_pred > t``."""
    lp = label_pos.reshape(-1)
    p = y_pred.reshape(-1)
    pred_pos = p[None, :] > thresholds[:, None]
    if sw is None:  # counts: integer arithmetic, exact
        n_pos = np.count_nonzero(lp)
        tp = np.add.reduce(pred_pos & lp, axis=1, dtype=np.int64)
        fp = np.add.reduce(pred_pos, axis=1, dtype=np.int64) - tp
        counts = {"tp": tp, "fp": fp, "fn": n_pos - tp, "tn": (p.size - n_pos) - fp}
        return {k: counts[k].astype(dtype) for k in want}
    w = sw.reshape(-1).astype(dtype, copy=False)
    wp = np.where(lp, w, 0).astype(dtype, copy=False)
    wn = w - wp
    tp = (pred_pos @ wp).astype(dtype) if p.size else np.zeros(len(thresholds), dtype)
    fp = (pred_pos @ wn).astype(dtype) if p.size else np.zeros(len(thresholds), dtype)
    counts = {"tp": tp, "fp": fp, "fn": np.add.reduce(wp) - tp, "tn": np.add.reduce(wn) - fp}
    return {k: counts[k].astype(dtype, copy=False) for k in want}


def bucket_counts(label_pos: np.ndarray, y_pred: np.ndarray, w, num_thresholds: int, dtype) -> dict:
    """TP/FP/TN/FN for evenly spaced thresholds by Keras's bucketing (O(N + T)).

    The thresholds are ``[-eps, 1/(T-1), ..., 1 + eps]``. A prediction ``p`` lands in bucket
    ``max(ceil(p * (T - 1)) - 1, 0)`` and counts as positive for every threshold up to its
    bucket (reverse cumulative sums). ``label_pos``/``y_pred``/``w``
    are 1-D, or 2-D ``(N, labels)`` for multi-label (counted per column).
    """
    t = num_thresholds
    p = np.minimum(np.maximum(y_pred, 0), 1).astype(dtype, copy=False)
    idx = np.ceil(p * dtype.type(t - 1)).astype(np.intp)
    idx -= 1
    np.maximum(idx, 0, out=idx)
    # one histogram over (label, bucket): negatives in [0, T), positives in [T, 2T)
    idx += label_pos.astype(np.intp) * t
    if p.ndim == 1:
        counts = np.bincount(idx, None if w is None else w, minlength=2 * t)
        fpb, tpb = counts[:t], counts[t:]
        tp = np.cumsum(tpb[::-1])[::-1].astype(dtype)
        fp = np.cumsum(fpb[::-1])[::-1].astype(dtype)
    else:
        n_labels = p.shape[1]
        idx += np.arange(n_labels)[None, :] * (2 * t)
        size = 2 * t * n_labels
        counts = np.bincount(idx.ravel(), None if w is None else w.ravel(), minlength=size)
        counts = counts.reshape(n_labels, 2, t)
        fpb, tpb = counts[:, 0].T, counts[:, 1].T
        tp = np.cumsum(tpb[::-1], axis=0)[::-1].astype(dtype)
        fp = np.cumsum(fpb[::-1], axis=0)[::-1].astype(dtype)
    # bucket 0 holds every prediction (all are above the first threshold, -eps)
    return {"tp": tp, "fp": fp, "fn": tp[0] - tp, "tn": fp[0] - fp}


def _div(a, b):
    """``a / b`` with 0 where ``b`` is 0 (``tf.math.divide_no_nan``)."""
    a = np.asarray(a)
    b = np.asarray(b)
    out = np.zeros(np.broadcast_shapes(a.shape, b.shape), dtype=a.dtype)
    return np.divide(a, b, out=out, where=b != 0)


class _ThresholdMetric(Metric):
    """Shared update logic: weighted confusion counts at fixed thresholds."""

    _counts: tuple = ()

    def _setup(self, thresholds, top_k, class_id, default=0.5):
        self.init_thresholds = thresholds
        self.top_k = _check_top_k(top_k)
        self.class_id = _check_class_id(class_id)
        default = NEG_INF if self.top_k is not None else default
        self.thresholds = _parse_thresholds(thresholds, default)
        self._thr = np.asarray(self.thresholds, dtype=self.dtype)
        names = {
            "tp": "true_positives",
            "fp": "false_positives",
            "tn": "true_negatives",
            "fn": "false_negatives",
        }
        self._vars = {}
        for key in self._counts:
            self._vars[key] = self.add_variable(shape=(len(self.thresholds),), name=names[key])
            setattr(self, names[key], self._vars[key])

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        dt = np.dtype(self.dtype)
        lp, yp, sw = _prepare(y_true, y_pred, sample_weight, self.top_k, self.class_id, dt)
        if sw is None and len(self._thr) == 1:  # the common case: one threshold, counts
            lp = lp.reshape(-1)
            pred = yp.reshape(-1) > self._thr[0]
            n_pos = np.count_nonzero(lp)
            tp = np.count_nonzero(pred & lp)
            fp = np.count_nonzero(pred) - tp
            counts = {"tp": tp, "fp": fp, "fn": n_pos - tp, "tn": lp.size - n_pos - fp}
            for key, var in self._vars.items():
                v = var._value
                v[0] = v[0] + dt.type(counts[key])
            return
        counts = confusion_counts(lp, yp, sw, self._thr, dt, self._counts)
        for key, var in self._vars.items():
            np.add(var._value, counts[key], out=var._value)

    def _maybe_scalar(self, arr):
        return self._result_tensor(arr[0] if len(self.thresholds) == 1 else arr)


class _ConfusionCount(_ThresholdMetric):
    _key = "tp"

    def __init__(self, thresholds=None, name: str | None = None, dtype=None) -> None:
        super().__init__(name=name, dtype=dtype)
        self._counts = (self._key,)
        self._setup(thresholds, None, None)
        self.accumulator = self._vars[self._key]

    def result(self):
        return self._maybe_scalar(self.accumulator._value.copy())

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """Weighted count of positive labels predicted positive (``y_pred > threshold``)."""

    _key = "tp"


class FalsePositives(_ConfusionCount):
    """Weighted count of negative labels predicted positive."""

    _key = "fp"


class TrueNegatives(_ConfusionCount):
    """Weighted count of negative labels predicted negative."""

    _key = "tn"


class FalseNegatives(_ConfusionCount):
    """Weighted count of positive labels predicted negative."""

    _key = "fn"


class Precision(_ThresholdMetric):
    """``TP / (TP + FP)``: of the predicted positives, the fraction that are positive.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5); with a list the
            result has one value per threshold.
        top_k: only the k highest predictions per row count as positive.
        class_id: compute the metric for this column only.
    """

    _counts = ("tp", "fp")

    def __init__(
        self,
        thresholds=None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self._setup(thresholds, top_k, class_id)

    def result(self):
        tp = self.true_positives._value
        return self._maybe_scalar(_div(tp, tp + self.false_positives._value))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Recall(_ThresholdMetric):
    """``TP / (TP + FN)``: of the positive labels, the fraction predicted positive.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        top_k: only the k highest predictions per row count as positive.
        class_id: compute the metric for this column only.
    """

    _counts = ("tp", "fn")

    def __init__(
        self,
        thresholds=None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self._setup(thresholds, top_k, class_id)

    def result(self):
        tp = self.true_positives._value
        return self._maybe_scalar(_div(tp, tp + self.false_negatives._value))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


def _check_num_thresholds(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 1:
        raise ValueError(
            f"Argument `num_thresholds` must be an integer > 1. Received: num_thresholds={n!r}"
        )
    return int(n)


def _even_thresholds(num_thresholds: int) -> list[float]:
    eps = epsilon()
    inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return [0.0 - eps] + inner + [1.0 + eps]


def _is_evenly_distributed(thresholds: np.ndarray) -> bool:
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=epsilon()))


class _AtConstraint(Metric):
    """Base of SensitivityAtSpecificity & co.: counts at ``num_thresholds`` thresholds."""

    def __init__(
        self,
        value: float,
        value_name: str,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"`{value_name}` must be a float in [0, 1], received {value!r}."
            ) from None
        if not 0.0 <= v <= 1.0:
            raise ValueError(
                f"Argument `{value_name}` must be in the range [0, 1]. Received: "
                f"{value_name}={value!r}"
            )
        self._value_name = value_name
        setattr(self, value_name, v)
        self.num_thresholds = _check_num_thresholds(num_thresholds)
        self.class_id = _check_class_id(class_id)
        if self.num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            self.thresholds = _even_thresholds(self.num_thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), name="true_positives")
        self.false_positives = self.add_variable(shape=(n,), name="false_positives")
        self.true_negatives = self.add_variable(shape=(n,), name="true_negatives")
        self.false_negatives = self.add_variable(shape=(n,), name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        dt = np.dtype(self.dtype)
        lp, yp, sw = _prepare(y_true, y_pred, sample_weight, None, self.class_id, dt)
        c = bucket_counts(
            lp.reshape(-1),
            yp.reshape(-1),
            None if sw is None else sw.reshape(-1),
            len(self.thresholds),
            dt,
        )
        self.true_positives._value[...] += c["tp"]
        self.false_positives._value[...] += c["fp"]
        self.true_negatives._value[...] += c["tn"]
        self.false_negatives._value[...] += c["fn"]

    @staticmethod
    def _max_under_constraint(constrained, dependent, value):
        feasible = np.nonzero(constrained >= value)[0]
        if feasible.size == 0:
            return np.zeros((), dependent.dtype)
        return np.max(dependent[feasible])

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "class_id": self.class_id,
            self._value_name: getattr(self, self._value_name),
        }

    def _rates(self):
        tp, fp = self.true_positives._value, self.false_positives._value
        tn, fn = self.true_negatives._value, self.false_negatives._value
        return tp, fp, tn, fn


class SensitivityAtSpecificity(_AtConstraint):
    """Best sensitivity (recall) among thresholds whose specificity is >= ``specificity``."""

    def __init__(
        self,
        specificity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ) -> None:
        super().__init__(specificity, "specificity", num_thresholds, class_id, name, dtype)

    def result(self):
        tp, fp, tn, fn = self._rates()
        return self._result_tensor(
            self._max_under_constraint(_div(tn, tn + fp), _div(tp, tp + fn), self.specificity)
        )


class SpecificityAtSensitivity(_AtConstraint):
    """Best specificity among thresholds whose sensitivity is >= ``sensitivity``."""

    def __init__(
        self,
        sensitivity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ) -> None:
        super().__init__(sensitivity, "sensitivity", num_thresholds, class_id, name, dtype)

    def result(self):
        tp, fp, tn, fn = self._rates()
        return self._result_tensor(
            self._max_under_constraint(_div(tp, tp + fn), _div(tn, tn + fp), self.sensitivity)
        )


class PrecisionAtRecall(_AtConstraint):
    """Best precision among thresholds whose recall is >= ``recall``."""

    def __init__(
        self,
        recall: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ) -> None:
        super().__init__(recall, "recall", num_thresholds, class_id, name, dtype)

    def result(self):
        tp, fp, tn, fn = self._rates()
        return self._result_tensor(
            self._max_under_constraint(_div(tp, tp + fn), _div(tp, tp + fp), self.recall)
        )


class RecallAtPrecision(_AtConstraint):
    """Best recall among thresholds whose precision is >= ``precision``."""

    def __init__(
        self,
        precision: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ) -> None:
        super().__init__(precision, "precision", num_thresholds, class_id, name, dtype)

    def result(self):
        tp, fp, tn, fn = self._rates()
        return self._result_tensor(
            self._max_under_constraint(_div(tp, tp + fp), _div(tp, tp + fn), self.precision)
        )


class AUC(Metric):
    """Area under the ROC or precision-recall curve, approximated on ``num_thresholds``.

    Args:
        num_thresholds: number of evenly spaced thresholds (default 200, must be > 1).
        curve: ``'ROC'`` or ``'PR'``.
        summation_method: ``'interpolation'`` (trapezoids; Davis & Goadrich for PR),
            ``'minoring'`` or ``'majoring'``.
        thresholds: explicit thresholds in [0, 1] instead of ``num_thresholds``.
        multi_label: treat each column as its own label and average the AUCs.
        num_labels: number of labels (multi-label; otherwise found at the first update).
        label_weights: per-label weights of the average (multi-label) or of the counts.
        from_logits: apply a sigmoid to predictions first.
    """

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype=None,
        thresholds=None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights=None,
        from_logits: bool = False,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        if not isinstance(curve, str) or curve.upper() not in ("ROC", "PR"):
            raise ValueError(
                f"Invalid AUC curve value: \"{curve}\". Expected values are ['ROC', 'PR']"
            )
        methods = ("interpolation", "minoring", "majoring")
        if not isinstance(summation_method, str) or summation_method.lower() not in methods:
            raise ValueError(
                f'Invalid AUC summation method value: "{summation_method}". '
                f"Expected values are {list(methods)}"
            )
        self.curve = curve.upper()
        self.summation_method = summation_method.lower()
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            user = sorted(_parse_thresholds(thresholds, 0.5))
            self.num_thresholds = len(user) + 2
            self._evenly = _is_evenly_distributed(np.asarray([0.0] + user + [1.0]))
            eps = epsilon()
            self._thresholds = [0.0 - eps] + user + [1.0 + eps]
        else:
            self.num_thresholds = _check_num_thresholds(num_thresholds)
            self._evenly = True
            self._thresholds = _even_thresholds(self.num_thresholds)
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self.from_logits = bool(from_logits)
        if label_weights is not None:
            lw = np.asarray(label_weights, dtype=self.dtype)
            if np.any(lw < 0):
                raise ValueError(
                    f"All values of `label_weights` must be non-negative. "
                    f"Received: {label_weights!r}"
                )
            self.label_weights = lw
        else:
            self.label_weights = None
        self._built = False
        if not self.multi_label or num_labels is not None:
            self._build(num_labels)

    @property
    def thresholds(self) -> list[float]:
        return list(self._thresholds)

    def _build(self, num_labels):
        shape = (
            (self.num_thresholds,)
            if not self.multi_label
            else (self.num_thresholds, int(num_labels))
        )
        self.true_positives = self.add_variable(shape=shape, name="true_positives")
        self.false_positives = self.add_variable(shape=shape, name="false_positives")
        self.true_negatives = self.add_variable(shape=shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape=shape, name="false_negatives")
        if self.multi_label:
            self.num_labels = int(num_labels)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        dt = np.dtype(self.dtype)
        yt = to_numpy(y_true, "y_true")
        yp = to_numpy(y_pred, "y_pred").astype(dt, copy=False)
        yt, yp = align(yt, yp)
        if yt.shape != yp.shape:
            raise ValueError(
                f"AUC: `y_true` of shape {yt.shape} does not match `y_pred` of shape {yp.shape}."
            )
        if self.from_logits:
            from lamina.ops.elementwise import sigmoid

            yp = sigmoid(yp)._value
        sw = _weights_like(sample_weight, yp.shape, dt)
        if self.multi_label:
            if yp.ndim < 2:
                raise ValueError(
                    "AUC(multi_label=True) expects predictions of shape "
                    f"(N, num_labels), received {yp.shape}."
                )
            yt2 = yt.reshape(-1, yp.shape[-1])
            yp2 = yp.reshape(-1, yp.shape[-1])
            sw2 = None if sw is None else sw.reshape(-1, yp.shape[-1])
            if not self._built:
                self._build(yp.shape[-1])
            elif yp.shape[-1] != self.num_labels:
                raise ValueError(
                    f"AUC was built for {self.num_labels} labels, received "
                    f"predictions with {yp.shape[-1]}."
                )
            lp, p, w = yt2 != 0, yp2, sw2
        else:
            lp, p = (yt != 0).reshape(-1), yp.reshape(-1)
            w = None if sw is None else sw.reshape(-1)
            if self.label_weights is not None:
                lw = np.broadcast_to(self.label_weights, yp.shape).reshape(-1)
                w = lw if w is None else w * lw
        if self._evenly:
            c = bucket_counts(lp, p, w, self.num_thresholds, dt)
        else:
            thr = np.asarray(self._thresholds, dt)
            if self.multi_label:
                cols = [
                    confusion_counts(lp[:, j], p[:, j], None if w is None else w[:, j], thr, dt)
                    for j in range(p.shape[1])
                ]
                c = {k: np.stack([col[k] for col in cols], axis=1) for k in cols[0]}
            else:
                c = confusion_counts(lp, p, w, thr, dt)
        self.true_positives._value[...] += c["tp"]
        self.false_positives._value[...] += c["fp"]
        self.true_negatives._value[...] += c["tn"]
        self.false_negatives._value[...] += c["fn"]

    def _average(self, by_label: np.ndarray):
        if not self.multi_label:
            return by_label
        if self.label_weights is None:
            return np.mean(by_label)
        lw = self.label_weights
        return _div(np.sum(by_label * lw), np.sum(lw))

    def _interpolate_pr_auc(self):
        n = self.num_thresholds
        tp, fp = self.true_positives._value, self.false_positives._value
        fn = self.false_negatives._value
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        slope = _div(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[: n - 1] > 0) & (p[1:] > 0)
        ratio = np.where(both, _div(p[: n - 1], np.maximum(p[1:], 0)), np.ones_like(p[1:]))
        with np.errstate(divide="ignore", invalid="ignore"):
            inc = _div(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))
        return self._average(np.sum(inc, axis=0))

    def result(self):
        if not self._built:
            return self._result_tensor(0.0)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._result_tensor(self._interpolate_pr_auc())
        n = self.num_thresholds
        tp, fp = self.true_positives._value, self.false_positives._value
        tn, fn = self.true_negatives._value, self.false_negatives._value
        recall = _div(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _div(fp, fp + tn), recall
        else:
            x, y = recall, _div(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / np.asarray(2.0, y.dtype)
        elif self.summation_method == "minoring":
            heights = np.minimum(y[: n - 1], y[1:])
        else:
            heights = np.maximum(y[: n - 1], y[1:])
        terms = (x[: n - 1] - x[1:]) * heights
        return self._result_tensor(self._average(np.sum(terms, axis=0)))

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        cfg = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
            "from_logits": self.from_logits,
        }
        if self._init_from_thresholds:
            cfg["thresholds"] = self._thresholds[1:-1]
        return cfg
