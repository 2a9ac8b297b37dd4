"""The stages of a compiled plan: Dense (+ activation), Dropout, Flatten, Activation.

Each stage has ``forward(x, training)`` and ``backward(dy, pre_activation_grad)``, writing into
buffers it keeps per batch size. Dense writes its weight gradients into views of the plan's
flat gradient buffer (``gW``, ``gb``), set by the plan.

Activations may have any rank >= 2 (``(batch, ..., features)``): Dense and Activation act on
the last axis, as in Keras, by viewing their input as ``(rows, features)`` (a free reshape of
contiguous data), computing in 2-D buffers kept per row count, and handing back a view in the
input's leading shape; their backward takes and returns gradients in those shapes too.
"""

from __future__ import annotations

import numpy as np

from lamina.models.plan.activations import BACKWARD, FORWARD

#: how many batch shapes a stage keeps buffers for (sequence lengths may vary per batch)
_MAX_SHAPES = 8


class DenseStage:
    """x @ W + b, then an elementwise activation, forward and backward in place."""

    def __init__(self, layer, act: str, first: bool) -> None:
        self.layer = layer
        self.act = act
        self.first = first  # no input gradient needed
        self.W = layer.kernel
        self.b = layer.bias if getattr(layer, "use_bias", True) else None
        self.units = int(layer.units)
        self.reg_W = l1l2(getattr(layer, "kernel_regularizer", None))
        self.reg_b = l1l2(getattr(layer, "bias_regularizer", None))
        self.gW = self.gb = None  # views into the flat gradient buffer, set by the plan
        self.train_W = self.W.trainable
        self.train_b = self.b is not None and self.b.trainable
        self.keep_logits = False  # set by the plan when the loss is fused with the activation
        self.z = None
        self.lead = None  # the input's leading shape when it is not 2-D
        self._fwd, self._bwd = FORWARD[act], BACKWARD[act]
        self._last_n, self._last = -1, ()
        self._bufs: dict[int, tuple] = {}

    def _buffers(self, n: int, dtype) -> tuple:
        if n == self._last_n:
            return self._last
        b = self._bufs.get(n)
        if b is None:
            if len(self._bufs) >= _MAX_SHAPES:
                self._bufs.clear()  # varying sequence lengths: do not keep every size forever
            d_in = self.W._value.shape[0]
            b = (
                np.empty((n, self.units), dtype),  # activations
                np.empty((n, self.units), dtype),  # scratch
                None if self.first else np.empty((n, d_in), dtype),  # input gradient
                np.empty((n, self.units), dtype) if self.keep_logits else None,  # logits
            )
            self._bufs[n] = b
        self._last_n, self._last = n, b
        return b

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        lead = x.shape[:-1] if x.ndim != 2 else None
        if lead is not None:
            x = x.reshape(-1, x.shape[-1])  # a view when x is contiguous
        self.lead = lead
        a, scratch, _, z = self._buffers(x.shape[0], x.dtype)
        self.x = x
        np.matmul(x, self.W._value, out=a)
        if self.b is not None:
            a += self.b._value
        if z is not None:
            np.copyto(z, a)
            self.z = z if lead is None else z.reshape(lead + (self.units,))
        self._fwd(a, scratch)
        self.a = a
        return a if lead is None else a.reshape(lead + (self.units,))

    def backward(self, dz: np.ndarray, pre_activation_grad: bool) -> np.ndarray | None:
        """``dz`` is dL/d(output); when ``pre_activation_grad`` it is already dL/d(x@W+b)."""
        lead = self.lead
        if lead is not None:
            dz = dz.reshape(-1, self.units)
        a, scratch, dx, _ = self._buffers(dz.shape[0], dz.dtype)
        if not pre_activation_grad:
            self._bwd(a, dz, scratch)
        if self.train_W:
            np.matmul(self.x.T, dz, out=self.gW)
            if self.reg_W is not None:
                _add_penalty_grad(self.gW, self.W._value, self.reg_W)
        if self.train_b:
            np.add.reduce(dz, axis=0, out=self.gb)
            if self.reg_b is not None:
                _add_penalty_grad(self.gb, self.b._value, self.reg_b)
        if self.first:
            return None
        np.matmul(dz, self.W._value.T, out=dx)
        return dx if lead is None else dx.reshape(lead + (dx.shape[1],))

    def penalty(self) -> float:
        total = 0.0
        if self.reg_W is not None:
            total += _penalty(self.W._value, self.reg_W)
        if self.reg_b is not None:
            total += _penalty(self.b._value, self.reg_b)
        return total


class DropoutStage:
    """Inverted dropout, drawing its mask exactly as ``layers.Dropout`` does."""

    z = None

    def __init__(self, layer) -> None:
        self.layer = layer
        self.rate = float(layer.rate)
        self.mask = None

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        if not training or self.rate <= 0:
            self.mask = None
            return x
        if self.rate >= 1:
            self.mask = np.zeros((), dtype=x.dtype)
            return x * self.mask
        keep = self.layer._random().random_sample(x.shape) >= self.rate
        scale = np.asarray(1.0 / (1.0 - self.rate), dtype=x.dtype)
        self.mask = keep.astype(x.dtype) * scale
        return x * self.mask

    def backward(self, dy: np.ndarray, pre_activation_grad: bool = False) -> np.ndarray:
        if self.mask is None:
            return dy
        return dy * self.mask


class FlattenStage:
    z = None

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy: np.ndarray, pre_activation_grad: bool = False) -> np.ndarray:
        return dy.reshape(self.shape)


class ActivationStage:
    z = None

    def __init__(self, act: str) -> None:
        self.act = act

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        # the activations work on (rows, features) blocks (softmax's scratch column)
        a = x.reshape(-1, x.shape[-1]).copy()
        FORWARD[self.act](a, np.empty_like(a))
        self.a = a
        return a if x.ndim == 2 else a.reshape(x.shape)

    def backward(self, dy: np.ndarray, pre_activation_grad: bool) -> np.ndarray:
        if not pre_activation_grad:
            shape = dy.shape
            dy = dy.reshape(self.a.shape).copy()
            BACKWARD[self.act](self.a, dy, np.empty_like(dy))
            dy = dy.reshape(shape)
        return dy


# --- L1/L2 penalties in NumPy -----------------------------------------------------------------
def l1l2(reg) -> tuple[float, float] | None:
    if reg is None:
        return None
    l1 = float(getattr(reg, "l1", 0.0) or 0.0)
    l2 = float(getattr(reg, "l2", 0.0) or 0.0)
    return (l1, l2)


def _penalty(w: np.ndarray, reg: tuple[float, float]) -> float:
    l1, l2 = reg
    p = 0.0
    if l1:
        p += l1 * float(np.abs(w).sum(dtype=np.float64))
    if l2:
        p += l2 * float(np.dot(w.ravel(), w.ravel()))
    return p


def _add_penalty_grad(g: np.ndarray, w: np.ndarray, reg: tuple[float, float]) -> None:
    l1, l2 = reg
    if l2:
        g += (2.0 * l2) * w
    if l1:
        g += l1 * np.sign(w)
