"""The loss at the end of a plan: its value and its gradient for one batch.

Sigmoid + binary cross-entropy and softmax + (sparse) categorical cross-entropy are computed
from the last layer's logits, as tf.keras does for those outputs; other losses give their own
NumPy value and gradient (``numpy_value_and_grad``), or the tape differentiates the loss alone.
"""

from __future__ import annotations

import numpy as np


class LossHead:
    """Loss value and dL/d(last pre-activation or output) for one batch."""

    def __init__(self, loss_obj, last_act: str) -> None:
        self.loss = loss_obj
        name = type(loss_obj).__name__
        fn_name = getattr(getattr(loss_obj, "fn", None), "__name__", "")
        from_logits = bool(getattr(loss_obj, "from_logits", False))
        smoothing = float(getattr(loss_obj, "label_smoothing", 0.0) or 0.0)
        reduction = getattr(loss_obj, "reduction", "sum_over_batch_size")
        self.reduction = "sum_over_batch_size" if reduction in (None, "auto") else reduction
        axis = getattr(loss_obj, "axis", -1)
        self.kind = None
        plain = not from_logits and smoothing == 0.0 and axis in (-1, None)
        if (
            plain
            and last_act == "sigmoid"
            and (name == "BinaryCrossentropy" or fn_name == "binary_crossentropy")
        ):
            self.kind = "sigmoid_bce"
        elif (
            plain
            and last_act == "softmax"
            and (name == "CategoricalCrossentropy" or fn_name == "categorical_crossentropy")
        ):
            self.kind = "softmax_cce"
        elif (
            plain
            and last_act == "softmax"
            and (
                name == "SparseCategoricalCrossentropy"
                or fn_name == "sparse_categorical_crossentropy"
            )
            and getattr(loss_obj, "ignore_class", None) is None
        ):
            self.kind = "softmax_scce"
        elif hasattr(loss_obj, "numpy_value_and_grad"):
            self.kind = "numpy"
        else:
            self.kind = "tape"
        self.fused = self.kind in ("sigmoid_bce", "softmax_cce", "softmax_scce")

    def __call__(self, y: np.ndarray, p: np.ndarray, z, sw) -> tuple[float, np.ndarray]:
        """Return (loss, grad). ``p`` is the model output and ``z`` the last layer's logits;
        for fused kinds the gradient is with respect to ``z``, as tf.keras computes these
        losses from the logits of a sigmoid or softmax output."""
        n = p.shape[0]
        kind = self.kind
        if kind == "sigmoid_bce":
            y = _align(y, p)
            # max(z, 0) - z*y + log(1 + exp(-|z|)), mean over the last axis
            per = np.maximum(z, 0)
            per -= z * y
            per += np.log1p(np.exp(-np.abs(z)))
            k = p.shape[-1] if p.ndim > 1 else 1
            if per.ndim > 1:
                per = per.reshape(n) if k == 1 else np.add.reduce(per, axis=-1) / k
            grad = p - y
            if k != 1:
                grad *= 1.0 / k
            return self._reduce(per, grad, sw, n)
        if kind == "softmax_cce":
            lse = _logsumexp(z)
            per = lse * y.sum(axis=-1) - (y * z).sum(axis=-1)
            grad = p * y.sum(axis=-1, keepdims=True)
            grad -= y
            return self._reduce(per, grad, sw, n)
        if kind == "softmax_scce":
            idx = y.reshape(n).astype(np.intp, copy=False)
            rows = np.arange(n)
            per = _logsumexp(z) - z[rows, idx]
            grad = p.copy()
            grad[rows, idx] -= 1
            return self._reduce(per, grad, sw, n)
        if kind == "numpy":
            value, grad = self.loss.numpy_value_and_grad(y, p, sw)
            return float(value), grad
        return self._tape(y, p, sw)

    @classmethod
    def unfused(cls, loss_obj) -> LossHead:
        return cls(loss_obj, "linear")

    def _reduce(self, per: np.ndarray, grad: np.ndarray, sw, n: int):
        if sw is not None:
            w = sw.reshape(n).astype(per.dtype, copy=False)
            per = per * w
            grad *= w.reshape((n,) + (1,) * (grad.ndim - 1))
        total = float(per.sum(dtype=np.float64))
        if self.reduction == "sum":
            return total, grad
        if self.reduction in ("none",):
            return total / n, grad
        grad *= 1.0 / n
        return total / n, grad

    def _tape(self, y, p, sw):
        from lamina.autodiff import GradientTape, Tensor

        pt = Tensor(p.copy())
        with GradientTape() as tape:
            tape.watch(pt)
            value = self.loss(Tensor(y), pt, sample_weight=None if sw is None else Tensor(sw))
        g = tape.gradient(value, pt)
        return float(np.asarray(value._value)), (
            np.zeros_like(p) if g is None else np.asarray(g._value, dtype=p.dtype)
        )


def _logsumexp(z: np.ndarray) -> np.ndarray:
    m = np.maximum.reduce(z, axis=-1)
    return m + np.log(np.add.reduce(np.exp(z - m[:, None]), axis=-1))


def _align(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    if y.ndim == p.ndim - 1:
        return y.reshape(p.shape)
    return y
