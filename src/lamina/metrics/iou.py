"""Intersection-over-union metrics from an accumulated confusion matrix."""

from __future__ import annotations

import numpy as np

from lamina.metrics.metric import Metric, to_numpy


def _check_classes(num_classes) -> int:
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, (int, np.integer))
        or num_classes < 1
    ):
        raise ValueError(f"`num_classes` must be a positive integer, received {num_classes!r}.")
    return int(num_classes)


class _IoUBase(Metric):
    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self.num_classes = _check_classes(num_classes)
        self.ignore_class = ignore_class
        self.sparse_y_true = bool(sparse_y_true)
        self.sparse_y_pred = bool(sparse_y_pred)
        self.axis = axis
        self.total_cm = self.add_variable(
            shape=(self.num_classes, self.num_classes), name="total_confusion_matrix"
        )

    def _ids(self, y, sparse: bool, what: str) -> np.ndarray:
        a = to_numpy(y, what)
        if not sparse:
            a = np.argmax(a, axis=self.axis)
        return a.reshape(-1)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        dt = np.dtype(self.dtype)
        yt = self._ids(y_true, self.sparse_y_true, "y_true")
        yp = self._ids(y_pred, self.sparse_y_pred, "y_pred")
        if yt.shape != yp.shape:
            raise ValueError(f"{type(self).__name__}: {yt.size} labels but {yp.size} predictions.")
        yt = yt.astype(np.int64)
        yp = yp.astype(np.int64)
        if sample_weight is None:
            w = np.ones(yt.shape, dt)
        else:
            w = np.broadcast_to(
                to_numpy(sample_weight, "sample_weight").astype(dt).reshape(-1)
                if np.ndim(sample_weight)
                else np.asarray(sample_weight, dt),
                yt.shape,
            )
        n = self.num_classes
        ok = (yt >= 0) & (yt < n) & (yp >= 0) & (yp < n)
        if self.ignore_class is not None:
            ok &= yt != self.ignore_class
        cm = np.bincount(yt[ok] * n + yp[ok], weights=w[ok], minlength=n * n)
        self.total_cm._value[...] += cm.reshape(n, n).astype(dt)

    def _iou_per_class(self):
        cm = self.total_cm._value
        rows = np.sum(cm, axis=0)
        cols = np.sum(cm, axis=1)
        tp = np.diag(cm)
        return tp, rows + cols - tp

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


def _mean_iou(tp: np.ndarray, denom: np.ndarray):
    valid = denom != 0
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = np.where(valid, tp / np.where(valid, denom, 1), 0)
    n_valid = np.sum(valid)
    return (np.sum(iou) / n_valid if n_valid else np.zeros(())).astype(tp.dtype)


class IoU(_IoUBase):
    """Mean intersection-over-union over ``target_class_ids``."""

    def __init__(
        self,
        num_classes: int,
        target_class_ids,
        name: str | None = None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        super().__init__(num_classes, name, dtype, ignore_class, sparse_y_true, sparse_y_pred, axis)
        ids = list(target_class_ids)
        if max(ids, default=-1) >= self.num_classes or min(ids, default=0) < 0:
            raise ValueError(
                f"Target class id {max(ids)} is out of range, which is [0, {num_classes})."
            )
        self.target_class_ids = ids

    def result(self):
        tp, denom = self._iou_per_class()
        ids = np.asarray(self.target_class_ids, dtype=np.int64)
        return self._result_tensor(_mean_iou(tp[ids], denom[ids]))

    def get_config(self) -> dict:
        return {**super().get_config(), "target_class_ids": self.target_class_ids}


class MeanIoU(_IoUBase):
    """Mean intersection-over-union over all classes (classes never seen are skipped).

    ``y_true`` and ``y_pred`` are class ids unless ``sparse_y_true``/``sparse_y_pred`` is
    False (then the arg-max along ``axis`` is taken).
    """

    def result(self):
        tp, denom = self._iou_per_class()
        return self._result_tensor(_mean_iou(tp, denom))


class BinaryIoU(IoU):
    """IoU for binary labels: predictions ``>= threshold`` are class 1."""

    def __init__(
        self, target_class_ids=(0, 1), threshold: float = 0.5, name: str | None = None, dtype=None
    ) -> None:
        super().__init__(2, target_class_ids, name=name, dtype=dtype)
        self.threshold = float(threshold)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        yp = (to_numpy(y_pred, "y_pred") >= self.threshold).astype(np.int64)
        super().update_state(y_true, yp, sample_weight)

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "target_class_ids": self.target_class_ids,
            "threshold": self.threshold,
        }


class OneHotIoU(IoU):
    """IoU over ``target_class_ids`` for one-hot labels and per-class scores."""

    def __init__(
        self,
        num_classes: int,
        target_class_ids,
        name: str | None = None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes,
            target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict:
        cfg = super().get_config()
        del cfg["sparse_y_true"]
        return cfg


class OneHotMeanIoU(MeanIoU):
    """Mean IoU for one-hot labels and per-class scores."""

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict:
        cfg = super().get_config()
        del cfg["sparse_y_true"]
        return cfg
