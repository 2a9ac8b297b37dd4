"""Cross-entropies and other probabilistic losses, as classes and as functions.

The functions return one loss per sample (the mean or sum over ``axis``); the classes add
sample weighting and reduction. Probabilities are clipped to ``[eps, 1 - eps]`` exactly as
tf.keras 2.x did; ``from_logits=True`` uses the stable softplus / log-sum-exp forms. A
probability tensor produced by ``activations.sigmoid``/``softmax`` carries its logits, and
the cross-entropies use them, as tf.keras does.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.backend.config import epsilon, floatx
from lamina.losses import _kernels, _ops as K
from lamina.losses.loss import (
    LossFunctionWrapper,
    align_ranks,
    align_ranks_np,
    check_same_shape,
    reduce_weighted_np,
)

_NP_DTYPES: dict = {}


def _np_dtype(name: str) -> np.dtype:
    """``np.dtype(name)``, cached (it runs on every training step)."""
    dt = _NP_DTYPES.get(name)
    if dt is None:
        dt = _NP_DTYPES[name] = np.dtype(name)
    return dt


# --- argument checks ------------------------------------------------------------------------


def _check_smoothing(label_smoothing) -> float:
    try:
        ls = float(label_smoothing)
    except (TypeError, ValueError):
        raise TypeError(
            f"`label_smoothing` must be a float in [0, 1], received {label_smoothing!r}."
        ) from None
    if not 0.0 <= ls <= 1.0:
        raise ValueError(f"`label_smoothing` must be in [0, 1], received {label_smoothing!r}.")
    return ls


def smooth_labels(t: np.ndarray, ls: float, n: int) -> np.ndarray:
    """Labels pulled toward ``1 / n`` by ``ls`` (``n = 2`` for binary labels), in their
    float dtype: ``t * (1 - ls) + ls / n``."""
    return t * np.asarray(1.0 - ls, t.dtype) + np.asarray(ls / n, t.dtype)


def _check_bool(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_, int)) or (
        isinstance(value, int) and value not in (0, 1)
    ):
        raise TypeError(f"`{name}` must be True or False, received {value!r}.")
    return bool(value)


def _check_axis(axis, name: str = "axis") -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"`{name}` must be an integer, received {axis!r}.")
    return int(axis)


def _pred_and_labels(y_true, y_pred) -> tuple[Tensor, Tensor]:
    """Predictions as a float Tensor; labels cast to their dtype; ranks aligned."""
    y_pred = K.as_float(y_pred)
    if isinstance(y_true, Tensor):
        yt = (
            y_true
            if y_true._value.dtype == y_pred._value.dtype
            else K.cast(y_true, y_pred._value.dtype)
        )
    else:
        arr = np.asarray(y_true)
        if arr.dtype == object or arr.dtype.kind in "USV":
            raise TypeError(f"`y_true` must be numeric, received an array of dtype {arr.dtype}.")
        yt = Tensor(arr.astype(y_pred._value.dtype, copy=False))
    return align_ranks(yt, y_pred)


def _prepare(y_true, y_pred, what: str) -> tuple[Tensor, Tensor]:
    """:func:`_pred_and_labels`, then the labels and predictions must have one shape."""
    yt, yp = _pred_and_labels(y_true, y_pred)
    check_same_shape(yt, yp, what)
    return yt, yp


def _warn_probabilities_as_logits(y_pred, activation: str, fn: str) -> None:
    """tf.keras's warning for ``from_logits=True`` on the output of a sigmoid/softmax."""
    if K.logits_of(y_pred, activation) is not None:
        import warnings

        kind = "Sigmoid" if activation == "sigmoid" else "Softmax"
        warnings.warn(
            f'"`{fn}` received `from_logits=True`, but the `output` argument was produced '
            f'by a {kind} activation and thus does not represent logits. Was this intended?"',
            stacklevel=4,
        )


def _on_tape(t: Tensor) -> bool:
    """True when an active tape watches ``t`` (labels that need a gradient)."""
    from lamina.autodiff import tape

    return bool(tape._active) and any(id(t) in tp._watched for tp in tape._active)


# --- binary cross-entropy -------------------------------------------------------------------


def _bce_elementwise(t, p: Tensor, from_logits: bool) -> Tensor:
    """Binary cross-entropy per element, in lamina ops (tf.keras backend form:
    ``softplus(z) - z * t`` for logits, ``log(clip(p) + eps)`` for probabilities)."""
    tt = t if isinstance(t, Tensor) else K.const(t, p)
    if from_logits:
        return K.subtract(K.softplus(p), K.multiply(p, tt))
    eps = epsilon()
    pc = K.clip(p, eps, 1.0 - eps)
    e = K.const(eps, p)
    one = K.const(1, p)
    return K.negative(
        K.add(
            K.multiply(tt, K.log(K.add(pc, e))),
            K.multiply(K.subtract(one, tt), K.log(K.add(K.subtract(one, pc), e))),
        )
    )


def _bce_lamina(t, p: Tensor, from_logits: bool, axis: int) -> Tensor:
    return K.mean(_bce_elementwise(t, p, from_logits), axis=axis)


def binary_crossentropy(
    y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> Tensor:
    """Binary cross-entropy per sample (mean over ``axis``)."""
    ls = _check_smoothing(label_smoothing)
    yt, yp = _pred_and_labels(y_true, y_pred)
    check_same_shape(yt, yp, "binary_crossentropy")
    if not from_logits:
        logits = K.logits_of(y_pred, "sigmoid")
        if logits is not None and logits._value.shape == yp._value.shape:
            yp, from_logits = logits, True
    else:
        _warn_probabilities_as_logits(y_pred, "sigmoid", "binary_crossentropy")
    if _on_tape(yt):  # soft labels being differentiated: composed ops reach them
        if ls:
            yt = K.add(K.multiply(yt, K.const(1.0 - ls, yt)), K.const(0.5 * ls, yt))
        return _bce_lamina(yt, yp, from_logits, axis)
    t = yt._value
    if t.shape != yp._value.shape:
        t = np.broadcast_to(t, np.broadcast_shapes(t.shape, yp._value.shape))
    if ls:
        t = smooth_labels(t, ls, 2)
    kernel = _kernels.bce_logits if from_logits else _kernels.bce_probs
    if t.shape != yp._value.shape:  # y_pred broadcast against larger labels: plain ops
        return _bce_lamina(t, K.broadcast_to(yp, t.shape), from_logits, axis)
    return _kernels.fused(kernel, t, yp, lambda: _bce_lamina(t, yp, from_logits, axis), axis)


class _FastLoss(LossFunctionWrapper):
    """Losses with a NumPy kernel shared by the tape path and the compiled training path."""

    def _np_kernel(self, y_true: np.ndarray, y_pred: np.ndarray, logits: bool):
        raise NotImplementedError  # pragma: no cover  (every subclass defines it)

    def numpy_value_and_grad(
        self,
        y_true: np.ndarray,
        y_pred: np.ndarray,
        sample_weight: np.ndarray | None = None,
        y_pred_logits: np.ndarray | None = None,
    ):
        """Loss value (with this loss's reduction) and d loss / d y_pred, in NumPy.

        Gives the same numbers as calling the loss on a ``GradientTape``. When the model's
        last activation is the sigmoid (binary) or softmax (categorical) and
        ``from_logits`` is False, pass the pre-activation ``y_pred_logits`` too: the loss is
        then computed from the logits (as the tape path does for activation outputs) and the
        gradient returned is d loss / d logits.
        """
        dtype = _np_dtype(self._dtype or floatx())
        logits = y_pred_logits is not None
        yp = y_pred_logits if logits else y_pred
        if type(yp) is not np.ndarray or yp.dtype != dtype:
            yp = np.asarray(yp, dtype=dtype)
        yt = y_true if type(y_true) is np.ndarray else np.asarray(y_true)
        yt, yp2 = self._np_align(yt, yp)
        if yp2.ndim:
            ps, grad = self._np_kernel(yt, yp2, logits)
        else:  # computed as one-element vectors, see _kernels.run_kernel
            ps, grad = self._np_kernel(np.reshape(yt, (1,)), yp2.reshape(1), logits)
            ps, grad = np.reshape(ps, ()), np.reshape(grad, ())
        if type(ps) is not np.ndarray or ps.dtype != dtype:
            ps = np.asarray(ps, dtype)
        value, g = reduce_weighted_np(ps, sample_weight, self.reduction)
        if getattr(g, "ndim", 0):
            g = g.reshape(_kernels._grad_shape(g.shape, grad.shape, getattr(self, "_axis", -1)))
        dpred = np.multiply(g, grad)
        if type(dpred) is not np.ndarray:
            dpred = np.asarray(dpred)
        if dpred.shape != yp.shape:
            dpred = dpred.reshape(yp.shape)
        return (float(value) if getattr(value, "ndim", 0) == 0 else value), dpred

    def _np_align(self, yt: np.ndarray, yp: np.ndarray):
        if yt.dtype != yp.dtype:
            yt = yt.astype(yp.dtype)
        if yt.shape == yp.shape:
            return yt, yp
        yt, yp = align_ranks_np(yt, yp)
        if yt.shape != yp.shape:
            try:
                yt = np.broadcast_to(yt, yp.shape)
            except ValueError:
                raise ValueError(
                    f"{self.name}: `y_true` and `y_pred` have incompatible shapes: y_true "
                    f"{yt.shape}, y_pred {yp.shape}."
                ) from None
        return yt, yp


class _SmoothedCrossentropy(_FastLoss):
    """The shared arguments of the binary and categorical cross-entropy classes."""

    def __init__(self, fn, from_logits, label_smoothing, axis, reduction, name, dtype) -> None:
        from_logits = _check_bool(from_logits, "from_logits")
        label_smoothing = _check_smoothing(label_smoothing)
        axis = _check_axis(axis)
        super().__init__(
            fn,
            reduction=reduction,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self._axis = axis
        self.axis = axis

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "reduction": self.reduction,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self._axis,
        }


class BinaryCrossentropy(_SmoothedCrossentropy):
    """Cross-entropy between binary labels and predicted probabilities (or logits).

    ``loss = -mean(y * log(p) + (1 - y) * log(1 - p))`` over the last axis.
    """

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction="sum_over_batch_size",
        name: str = "binary_crossentropy",
        dtype=None,
    ) -> None:
        super().__init__(
            binary_crossentropy, from_logits, label_smoothing, axis, reduction, name, dtype
        )

    def _np_kernel(self, yt, yp, logits):
        ls = self.label_smoothing
        if ls:
            yt = smooth_labels(yt, ls, 2)
        k = _kernels.bce_logits if (self.from_logits or logits) else _kernels.bce_probs
        return k(yt, yp, axis=self._axis)


# --- categorical cross-entropy --------------------------------------------------------------


def _cce_lamina(t: np.ndarray, p: Tensor, from_logits: bool, axis: int) -> Tensor:
    tt = t if isinstance(t, Tensor) else K.const(t, p)
    if from_logits:
        return K.negative(K.reduce_sum(K.multiply(tt, K.log_softmax(p, axis)), axis=axis))
    eps = epsilon()
    q = K.divide(p, K.reduce_sum(p, axis=axis, keepdims=True))
    qc = K.clip(q, eps, 1.0 - eps)
    return K.negative(K.reduce_sum(K.multiply(tt, K.log(qc)), axis=axis))


def categorical_crossentropy(
    y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> Tensor:
    """Categorical cross-entropy per sample between one-hot labels and probabilities."""
    ls = _check_smoothing(label_smoothing)
    yt, yp = _pred_and_labels(y_true, y_pred)
    if tuple(yt.shape) != tuple(yp.shape):
        hint = ""
        ts, ps = tuple(yt._value.shape), tuple(yp._value.shape)
        if ts == ps[:-1] or (len(ts) == len(ps) and ts[-1:] == (1,) and ts[:-1] == ps[:-1]):
            hint = (
                " The labels look like class ids: use sparse_categorical_crossentropy, "
                "or one-hot encode them with lamina.utils.to_categorical."
            )
        raise ValueError(
            "categorical_crossentropy: `y_true` and `y_pred` must have the same shape, "
            f"received y_true {tuple(yt.shape)} and y_pred {tuple(yp.shape)}.{hint}"
        )
    if from_logits:
        _warn_probabilities_as_logits(y_pred, "softmax", "categorical_crossentropy")
    else:
        logits = K.logits_of(y_pred, "softmax")
        if (
            logits is not None
            and logits._value.shape == yp._value.shape
            and axis % max(yp._value.ndim, 1) == yp._value.ndim - 1
        ):
            yp, from_logits = logits, True
    if _on_tape(yt):  # soft labels being differentiated: composed ops reach them
        if ls:
            n = yt._value.shape[axis]
            yt = K.add(K.multiply(yt, K.const(1.0 - ls, yt)), K.const(ls / n, yt))
        return _cce_lamina(yt, yp, from_logits, axis)
    t = yt._value
    if ls:
        n = t.shape[axis]
        t = smooth_labels(t, ls, n)
    kernel = _kernels.cce_logits if from_logits else _kernels.cce_probs
    return _kernels.fused(kernel, t, yp, lambda: _cce_lamina(t, yp, from_logits, axis), axis)


class CategoricalCrossentropy(_SmoothedCrossentropy):
    """Cross-entropy between one-hot labels and predicted class probabilities (or logits)."""

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction="sum_over_batch_size",
        name: str = "categorical_crossentropy",
        dtype=None,
    ) -> None:
        super().__init__(
            categorical_crossentropy, from_logits, label_smoothing, axis, reduction, name, dtype
        )

    def _np_align(self, yt, yp):
        if yt.shape != yp.shape:
            categorical_crossentropy(yt, yp)  # raises the explanatory shape error
        return yt.astype(yp.dtype, copy=False), yp

    def _np_kernel(self, yt, yp, logits):
        ls = self.label_smoothing
        if ls:
            n = yt.shape[self._axis]
            yt = smooth_labels(yt, ls, n)
        k = _kernels.cce_logits if (self.from_logits or logits) else _kernels.cce_probs
        return k(yt, yp, axis=self._axis)


# --- sparse categorical cross-entropy -------------------------------------------------------


def _scce_lamina(labels: np.ndarray, p: Tensor, from_logits: bool, valid) -> Tensor:
    n = p._value.shape[-1]
    li = (
        np.where(valid, labels, 0).astype(np.int64)
        if valid is not None
        else labels.astype(np.int64)
    )
    onehot = np.eye(n, dtype=p._value.dtype)[li]
    if valid is not None:
        onehot = onehot * valid[..., None]
    z = p
    if not from_logits:
        eps = epsilon()
        z = K.log(K.clip(p, eps, 1.0 - eps))
    return K.negative(K.reduce_sum(K.multiply(K.const(onehot, p), K.log_softmax(z, -1)), axis=-1))


def _sparse_labels(yt: np.ndarray, yp_shape: tuple) -> np.ndarray:
    """Class ids shaped like ``y_pred`` without its class axis (Keras's squeeze rules)."""
    target = yp_shape[:-1]
    if yt.shape == target:
        return yt
    if yt.ndim == len(yp_shape) and yt.shape[-1] == 1 and yt.shape[:-1] == target:
        return yt[..., 0]
    if yt.size == int(np.prod(target)) and (yt.ndim != len(yp_shape) or yt.shape[-1] == 1):
        return yt.reshape(target)
    hint = ""
    if yt.shape == yp_shape:
        hint = (
            " The labels look one-hot encoded: use categorical_crossentropy, or pass "
            "class ids (e.g. np.argmax(y, axis=-1))."
        )
    raise ValueError(
        "sparse_categorical_crossentropy: expected integer class ids of shape "
        f"{tuple(target)} (or {tuple(target) + (1,)}) for predictions of shape "
        f"{tuple(yp_shape)}, received labels of shape {tuple(yt.shape)}.{hint}"
    )


def sparse_categorical_crossentropy(
    y_true, y_pred, from_logits: bool = False, axis: int = -1, ignore_class: int | None = None
) -> Tensor:
    """Cross-entropy per sample between integer class ids and class probabilities."""
    y_pred_in = y_pred
    y_pred = K.as_float(y_pred)
    if y_pred._value.ndim == 0:
        raise ValueError(
            "sparse_categorical_crossentropy: `y_pred` must have a class axis, received a scalar."
        )
    ax = _check_axis(axis) % y_pred._value.ndim
    if ax != y_pred._value.ndim - 1:
        y_pred = K.moveaxis_last(y_pred, ax)
    elif not from_logits:
        logits = K.logits_of(y_pred_in, "softmax")
        if logits is not None and logits._value.shape == y_pred._value.shape:
            y_pred, from_logits = logits, True
    else:
        _warn_probabilities_as_logits(y_pred_in, "softmax", "sparse_categorical_crossentropy")
    lab = np.asarray(y_true._value if isinstance(y_true, Tensor) else y_true)
    if lab.dtype == object or lab.dtype.kind in "USV":
        raise TypeError(f"`y_true` must be integer class ids, received dtype {lab.dtype}.")
    lab = _sparse_labels(lab, y_pred._value.shape)
    valid = None
    if ignore_class is not None:
        valid = lab != ignore_class
    kernel = _kernels.scce_logits if from_logits else _kernels.scce_probs
    out = _kernels.fused(
        kernel,
        lab,
        y_pred,
        lambda: _scce_lamina(lab, y_pred, from_logits, valid),
        axis=None,
        valid=valid,
    )
    if valid is not None:
        K.attach_mask(out, valid)
    return out


class SparseCategoricalCrossentropy(_FastLoss):
    """Cross-entropy between integer class ids and predicted class probabilities (or logits).

    Labels are class ids of shape ``(N,)`` or ``(N, 1)`` for predictions ``(N, classes)``.
    """

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction="sum_over_batch_size",
        name: str = "sparse_categorical_crossentropy",
        dtype=None,
        axis: int = -1,
    ) -> None:
        from_logits = _check_bool(from_logits, "from_logits")
        if ignore_class is not None and (
            isinstance(ignore_class, bool) or not isinstance(ignore_class, (int, np.integer))
        ):
            raise TypeError(
                f"`ignore_class` must be an integer or None, received {ignore_class!r}."
            )
        axis = _check_axis(axis)
        kwargs = {"from_logits": from_logits, "ignore_class": ignore_class}
        if axis != -1:
            kwargs["axis"] = axis
        super().__init__(
            sparse_categorical_crossentropy, reduction=reduction, name=name, dtype=dtype, **kwargs
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self._axis = axis
        self.axis = axis

    def call(self, y_true, y_pred):
        # Labels are ids: no rank alignment against the class axis.
        return sparse_categorical_crossentropy(y_true, y_pred, **self._fn_kwargs)

    def _call_with_mask(self, y_true, y_pred):
        out = self.call(y_true, y_pred)
        return out, K.mask_of(out)

    def numpy_value_and_grad(self, y_true, y_pred, sample_weight=None, y_pred_logits=None):
        if self.ignore_class is not None:
            lab = np.asarray(y_true)
            valid = _sparse_labels(lab, np.shape(y_pred)).reshape(-1) != self.ignore_class
            valid = valid.reshape(np.shape(y_pred)[:-1])
            m = valid.astype(self.dtype)
            if self.reduction in ("sum_over_batch_size", "auto", "mean"):
                nv = m.sum()
                m = m * (np.asarray(m.size, m.dtype) / nv if nv else np.asarray(0, m.dtype))
            if sample_weight is not None:
                sw = np.asarray(sample_weight, self.dtype)
                sw = sw.reshape(m.shape) if sw.size == m.size else sw
                m = sw * m
            self._np_valid = valid
            try:
                return super().numpy_value_and_grad(y_true, y_pred, m, y_pred_logits)
            finally:
                self._np_valid = None
        return super().numpy_value_and_grad(y_true, y_pred, sample_weight, y_pred_logits)

    def _np_align(self, yt, yp):
        if self._axis % yp.ndim != yp.ndim - 1:
            raise ValueError("numpy_value_and_grad supports only axis=-1 (the class axis last).")
        return _sparse_labels(yt, yp.shape), yp

    def _np_kernel(self, yt, yp, logits):
        valid = getattr(self, "_np_valid", None)
        k = _kernels.scce_logits if (self.from_logits or logits) else _kernels.scce_probs
        return k(yt, yp, valid=valid)

    def get_config(self) -> dict:
        cfg = {
            "name": self.name,
            "reduction": self.reduction,
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
        }
        if self._axis != -1:
            cfg["axis"] = self._axis
        return cfg
