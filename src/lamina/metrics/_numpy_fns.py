"""Per-sample metric values in plain NumPy (the fast path of every MeanMetricWrapper).

The accuracy twins return boolean match arrays (cast to floatx by the public functions), so
a metric can count matches without building float arrays.

``NUMPY_TWINS`` maps each public metric or loss function to its NumPy twin, so a metric
built from ``'mae'`` or ``losses.binary_crossentropy`` never touches the tape.
"""

from __future__ import annotations

import numpy as np

from lamina.backend.config import epsilon, floatx
from lamina.losses._kernels import row_starts


def _mean_last(x: np.ndarray) -> np.ndarray:
    """``np.mean(x, axis=-1)`` with the same values, without its Python overhead."""
    k = x.shape[-1] if x.ndim else 0
    if x.dtype.kind != "f" or x.dtype.itemsize < 4 or k == 0:
        return np.mean(x, axis=-1)  # float16 accumulates in float32; errors as NumPy
    if k == 1:
        return x[..., 0]
    return np.add.reduce(x, axis=-1) / x.dtype.type(k)


def _float(x: np.ndarray) -> np.ndarray:
    return x if x.dtype.kind == "f" else x.astype(floatx())


def align(yt: np.ndarray, yp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keras's rank alignment: ``(N,)`` labels meet ``(N, 1)`` predictions."""
    r1, r2 = yt.ndim, yp.ndim
    if r1 == r2 + 1 and yt.shape[-1] == 1:
        if r2 == 1:
            yp = yp[..., None]
        else:
            yt = yt[..., 0]
    elif r2 == r1 + 1 and yp.shape[-1] == 1:
        if r1 == 1:
            yt = yt[..., None]
        else:
            yp = yp[..., 0]
    return yt, yp


def _check_shapes(yt, yp, what: str) -> None:
    if yt.shape == yp.shape:
        return
    try:
        np.broadcast_shapes(yt.shape, yp.shape)
    except ValueError:
        raise ValueError(
            f"{what}: `y_true` and `y_pred` have incompatible shapes: y_true {yt.shape}, "
            f"y_pred {yp.shape}."
        ) from None


def accuracy(yt, yp):
    if yt.shape != yp.shape:
        yt, yp = align(yt, yp)
        _check_shapes(yt, yp, "accuracy")
    return np.equal(yt, yp)


def binary_accuracy(yt, yp, threshold: float = 0.5):
    if yt.shape != yp.shape:
        yt, yp = align(yt, yp)
        _check_shapes(yt, yp, "binary_accuracy")
    # the threshold is compared in the predictions' float type, as Keras converts it
    return np.equal(yt, yp > threshold)


def categorical_accuracy(yt, yp):
    if yt.shape[-1:] != yp.shape[-1:] and yt.ndim == yp.ndim:
        raise ValueError(
            f"categorical_accuracy: expected one-hot labels shaped like the predictions "
            f"{yp.shape}, received {yt.shape}. For integer labels use sparse_categorical_"
            "accuracy."
        )
    return np.equal(yt.argmax(axis=-1), yp.argmax(axis=-1))


def sparse_categorical_accuracy(yt, yp):
    if yt.ndim == yp.ndim and yt.shape[-1] == 1:
        yt = yt[..., 0]
    pred = yp.argmax(axis=-1)
    if yt.shape != pred.shape:
        try:
            np.broadcast_shapes(yt.shape, pred.shape)
        except ValueError:
            raise ValueError(
                f"sparse_categorical_accuracy: expected class ids of shape {pred.shape}, "
                f"received labels of shape {yt.shape}."
            ) from None
    return np.equal(yt, pred)


def _in_top_k(targets: np.ndarray, yp: np.ndarray, k: int) -> np.ndarray:
    """``tf.math.in_top_k``: ties at the boundary count as in the top k; labels outside
    ``[0, n)`` and non-finite target scores are never in it."""
    n = yp.shape[-1]
    yp2 = yp.reshape(-1, n)
    t = targets.reshape(-1)
    if t.dtype != np.int64:
        t = t.astype(np.int64)
    tu = t.view(np.uint64)  # negative ids wrap to huge values: one test for both ends
    valid = tu < n
    col = np.minimum(tu, n - 1).view(np.int64)
    target_score = yp2.reshape(-1).take(row_starts(yp2.shape[0], n) + col)
    greater = np.add.reduce(yp2 > target_score[:, None], axis=-1)
    return valid & np.isfinite(target_score) & (greater < k)


def top_k_categorical_accuracy(yt, yp, k: int = 5):
    t = np.argmax(yt, axis=-1)
    return _in_top_k(t, yp, k).reshape(t.shape)


def sparse_top_k_categorical_accuracy(yt, yp, k: int = 5, from_sorted_ids: bool = False):
    if yt.ndim == yp.ndim and yt.shape[-1] == 1:
        yt = yt[..., 0]
    if from_sorted_ids:
        return np.any(yp[..., :k] == yt[..., None], axis=-1)
    return _in_top_k(yt, yp, k).reshape(yt.shape)


# --- regression and probabilistic values (metric twins of the loss functions) ---------------


def _pair(yt, yp):
    yp = _float(yp)
    if yt.dtype != yp.dtype:
        yt = yt.astype(yp.dtype)
    if yt.shape == yp.shape:
        return yt, yp
    return align(yt, yp)


def mean_squared_error(yt, yp):
    yt, yp = _pair(yt, yp)
    return _mean_last(np.square(yp - yt))


def mean_absolute_error(yt, yp):
    yt, yp = _pair(yt, yp)
    return _mean_last(np.abs(yp - yt))


def mean_absolute_percentage_error(yt, yp):
    yt, yp = _pair(yt, yp)
    eps = np.asarray(epsilon(), yp.dtype)
    diff = np.abs((yt - yp) / np.maximum(np.abs(yt), eps))
    return np.asarray(100.0, yp.dtype) * _mean_last(diff)


def mean_squared_logarithmic_error(yt, yp):
    yt, yp = _pair(yt, yp)
    eps = np.asarray(epsilon(), yp.dtype)
    one = np.ones((), yp.dtype)
    a = np.log(np.maximum(yp, eps) + one)
    b = np.log(np.maximum(yt, eps) + one)
    return _mean_last(np.square(a - b))


def log_cosh(yt, yp):
    yt, yp = _pair(yt, yp)
    x = yp - yt
    return _mean_last(x + np.logaddexp(np.zeros((), x.dtype), -2 * x) - np.log(2).astype(x.dtype))


def _l2n(x, axis):
    ss = np.add.reduce(np.square(x), axis=axis, keepdims=True)
    return x / np.sqrt(np.maximum(ss, np.asarray(1e-12, x.dtype)))


def cosine_similarity(yt, yp, axis: int = -1):
    """Cosine similarity (positive: 1 for identical directions), the metric form."""
    yt, yp = _pair(yt, yp)
    return np.add.reduce(_l2n(yt, axis) * _l2n(yp, axis), axis=axis)


def neg_cosine_similarity(yt, yp, axis: int = -1):
    return -cosine_similarity(yt, yp, axis)


def _signed(yt):
    if yt.size and np.all((yt == 0) | (yt == 1)):
        return yt * 2 - 1
    return yt


def hinge(yt, yp):
    yt, yp = _pair(yt, yp)
    return _mean_last(np.maximum(1 - _signed(yt) * yp, 0))


def squared_hinge(yt, yp):
    yt, yp = _pair(yt, yp)
    return _mean_last(np.square(np.maximum(1 - _signed(yt) * yp, 0)))


def categorical_hinge(yt, yp):
    yt, yp = _pair(yt, yp)
    pos = np.add.reduce(yt * yp, axis=-1)
    neg = np.max((1 - yt) * yp, axis=-1)
    return np.maximum(neg - pos + 1, 0)


def kl_divergence(yt, yp):
    yt, yp = _pair(yt, yp)
    eps = np.asarray(epsilon(), yp.dtype)
    t = np.clip(yt, eps, 1)
    p = np.clip(yp, eps, 1)
    return np.add.reduce(t * np.log(t / p), axis=-1)


def poisson(yt, yp):
    yt, yp = _pair(yt, yp)
    return _mean_last(yp - yt * np.log(yp + np.asarray(epsilon(), yp.dtype)))


def binary_crossentropy(yt, yp, from_logits=False, label_smoothing=0.0, axis=-1):
    from lamina.losses import _kernels

    yt, yp = _pair(yt, yp)
    yt = np.broadcast_to(yt, yp.shape)
    if label_smoothing:
        yt = yt * (1.0 - label_smoothing) + 0.5 * label_smoothing
        yt = yt.astype(yp.dtype)
    k = _kernels.bce_logits if from_logits else _kernels.bce_probs
    return k(yt, yp, axis=axis)[0]


def categorical_crossentropy(yt, yp, from_logits=False, label_smoothing=0.0, axis=-1):
    from lamina.losses import _kernels

    yp = _float(yp)
    yt = yt.astype(yp.dtype, copy=False)
    if yt.shape != yp.shape:
        raise ValueError(
            f"categorical_crossentropy: `y_true` and `y_pred` must have the same shape, "
            f"received {yt.shape} and {yp.shape}."
        )
    if label_smoothing:
        n = yt.shape[axis]
        yt = (yt * (1.0 - label_smoothing) + label_smoothing / n).astype(yp.dtype)
    k = _kernels.cce_logits if from_logits else _kernels.cce_probs
    return k(yt, yp, axis=axis)[0]


def sparse_categorical_crossentropy(yt, yp, from_logits=False, axis=-1, ignore_class=None):
    from lamina.losses import _kernels
    from lamina.losses.probabilistic import _sparse_labels

    yp = _float(yp)
    if axis != -1 and axis % yp.ndim != yp.ndim - 1:
        yp = np.moveaxis(yp, axis, -1)
    lab = _sparse_labels(yt, yp.shape)
    valid = None if ignore_class is None else lab != ignore_class
    k = _kernels.scce_logits if from_logits else _kernels.scce_probs
    return k(lab, yp, valid=valid)[0]


def huber(yt, yp, delta=1.0):
    from lamina.losses import _kernels

    yt, yp = _pair(yt, yp)
    return _kernels.huber(np.broadcast_to(yt, yp.shape), yp, delta=delta)[0]


#: public function -> NumPy twin (filled in by ``lamina.metrics``).
NUMPY_TWINS: dict = {}
