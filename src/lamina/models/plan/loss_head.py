"""The loss at the end of a plan: its value and its gradient for one batch.

The losses compute both themselves (``numpy_value_and_grad``, the same kernels the tape path
uses, so both paths give the same numbers). Sigmoid + binary cross-entropy and softmax +
(sparse) categorical cross-entropy are computed from the last layer's logits, as tf.keras does
for those outputs; a loss without a NumPy kernel is differentiated on the tape, alone.
"""

from __future__ import annotations

import numpy as np

#: loss class -> the last activation whose logits it is computed from
_FUSED = {
    "BinaryCrossentropy": "sigmoid",
    "CategoricalCrossentropy": "softmax",
    "SparseCategoricalCrossentropy": "softmax",
}


class LossHead:
    """Loss value and dL/d(last pre-activation or output) for one batch."""

    def __init__(self, loss_obj, last_act: str) -> None:
        self.loss = loss_obj
        has_kernel = hasattr(loss_obj, "numpy_value_and_grad")
        self.fused = (
            has_kernel
            and _FUSED.get(type(loss_obj).__name__) == last_act
            and not getattr(loss_obj, "from_logits", False)
        )
        self.kind = "fused" if self.fused else "numpy" if has_kernel else "tape"

    @classmethod
    def unfused(cls, loss_obj) -> LossHead:
        return cls(loss_obj, "linear")

    def __call__(self, y: np.ndarray, p: np.ndarray, z, sw) -> tuple[float, np.ndarray]:
        """Return (loss, grad). ``p`` is the model output and ``z`` the last layer's logits;
        for fused kinds the gradient is with respect to ``z``."""
        if self.kind == "fused":
            value, grad = self.loss.numpy_value_and_grad(y, p, sw, y_pred_logits=z)
        elif self.kind == "numpy":
            value, grad = self.loss.numpy_value_and_grad(y, p, sw)
        else:
            return self._tape(y, p, sw)
        return float(value), grad

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
