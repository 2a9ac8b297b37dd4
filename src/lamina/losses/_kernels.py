"""NumPy kernels of the common losses: per-sample values and their gradients together.

Both the tape path (a fused op, see :func:`fused`) and the compiled training path
(``Loss.numpy_value_and_grad``) call the same kernel, so they give the same numbers bit for
bit. Each kernel returns ``(per_sample, grad)`` where ``grad`` is d per_sample / d y_pred
(the per-sample sums are independent, so the gradient is elementwise per row).

Formulas follow tf.keras 2.x: probabilities are clipped to ``[eps, 1 - eps]`` and the
clipping passes no gradient outside that range (``tf.clip_by_value``); binary
cross-entropy takes ``log(p + eps)`` as tf.keras's backend did.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tape import is_recording, record
from lamina.autodiff.tensor import Tensor
from lamina.backend.config import epsilon
from lamina.ops.core import multiply, reshape


def _mean_last(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean over ``axis`` (as sum / k) and the factor 1 / k its gradient carries."""
    k = x.shape[axis] if x.ndim else 1
    one = x.dtype.type(1)
    if k == 1:  # sum / 1 is exact: skip the reduction
        return (
            x.reshape(x.shape[:-1]) if axis in (-1, x.ndim - 1) else np.squeeze(x, axis=axis)
        ), one
    kk = x.dtype.type(k)
    return np.add.reduce(x, axis=axis) / kk, one / kk


def bce_probs(t: np.ndarray, p: np.ndarray, axis: int = -1):
    dt = p.dtype.type
    eps = dt(epsilon())
    one = dt(1)
    hi = one - eps
    pc = np.minimum(np.maximum(p, eps), hi)
    a = pc + eps
    b = one - pc
    b += eps
    bce = np.log(a)
    bce *= t
    lb = np.log(b)
    lb *= one - t
    bce += lb
    np.negative(bce, out=bce)
    ps, inv_k = _mean_last(bce, axis)
    d = (one - t) / b
    d -= t / a
    d[(p < eps) | (p > hi)] = 0  # tf.clip_by_value passes no gradient outside the range
    if inv_k != 1:
        d *= inv_k
    return ps, d


def bce_logits(t: np.ndarray, z: np.ndarray, axis: int = -1):
    dt = z.dtype.type
    one = dt(1)
    e = np.exp(-np.abs(z))
    loss = np.maximum(z, dt(0)) - z * t + np.log1p(e)
    ps, inv_k = _mean_last(loss, axis)
    d = one + e
    sig = np.where(z >= 0, one / d, e / d)
    grad = (sig - t) * inv_k
    return ps, grad.astype(z.dtype, copy=False)


def cce_probs(t: np.ndarray, p: np.ndarray, axis: int = -1):
    dt = p.dtype.type
    eps = dt(epsilon())
    hi = dt(1) - eps
    s = np.add.reduce(p, axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # rows summing to 0
        q = p / s
        inside = (q >= eps) & (q <= hi)
        qc = np.minimum(np.maximum(q, eps), hi)
        ps = np.negative(np.add.reduce(t * np.log(qc), axis=axis))
        d = np.where(inside, -t / qc, 0).astype(p.dtype, copy=False)
        grad = (d - np.add.reduce(d * q, axis=axis, keepdims=True)) / s
    return ps, grad


def cce_logits(t: np.ndarray, z: np.ndarray, axis: int = -1):
    add = np.add.reduce
    sh = z - np.maximum.reduce(z, axis=axis, keepdims=True)
    e = np.exp(sh)
    se = add(e, axis=axis, keepdims=True)
    ps = add(t * (np.log(se) - sh), axis=axis)
    grad = (e / se) * add(t, axis=axis, keepdims=True) - t
    return ps, grad.astype(z.dtype, copy=False)


def _check_labels(labels: np.ndarray, n_classes: int) -> np.ndarray:
    if labels.dtype.kind == "f":
        if labels.size and not np.isfinite(labels).all():
            raise ValueError("Sparse labels contain NaN or inf; expected integer class ids.")
        li = labels.astype(np.intp)
    else:
        li = labels.astype(np.intp, copy=False)
    if li.size and (
        np.minimum.reduce(li, axis=None) < 0 or np.maximum.reduce(li, axis=None) >= n_classes
    ):
        bad = li[(li < 0) | (li >= n_classes)].flat[0]
        raise ValueError(
            f"Received a label value of {bad} which is outside the valid range of "
            f"[0, {n_classes}). Sparse categorical labels must be class ids in that range "
            "(use CategoricalCrossentropy for one-hot labels)."
        )
    return li


_ROW_STARTS: dict = {}


def row_starts(rows: int, n: int) -> np.ndarray:
    """``arange(rows) * n``: where each row of a ``(rows, n)`` array starts when flattened
    (cached: the training loop asks for the same few shapes every step)."""
    key = (rows, n)
    out = _ROW_STARTS.get(key)
    if out is None:
        if len(_ROW_STARTS) > 64:
            _ROW_STARTS.clear()
        out = _ROW_STARTS[key] = np.arange(rows, dtype=np.intp) * n
    return out


def _flat_picks(li: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Flat indices of ``x[..., li]`` (one class id per row of ``x``)."""
    n = x.shape[-1]
    return row_starts(x.size // n if n else 0, n) + li.reshape(-1)


def scce_probs(labels: np.ndarray, p: np.ndarray, valid=None):
    """tf.keras 2.x: ``log(clip(p))`` fed to the sparse softmax cross-entropy, i.e.
    ``log(sum(pc)) - log(pc[label])`` with ``pc`` the clipped probabilities."""
    li = _check_labels(labels if valid is None else np.where(valid, labels, 0), p.shape[-1])
    dt = p.dtype.type
    eps = dt(epsilon())
    hi = dt(1) - eps
    pc = np.minimum(np.maximum(p, eps), hi)
    s = np.add.reduce(pc, axis=-1, keepdims=True)
    flat = _flat_picks(li, pc)
    picked = pc.reshape(-1).take(flat)
    ps = (np.log(s[..., 0]).reshape(-1) - np.log(picked)).reshape(li.shape)
    grad = np.empty(p.shape, p.dtype)
    np.copyto(grad, dt(1) / s)
    grad.reshape(-1)[flat] -= dt(1) / picked
    grad[(p < eps) | (p > hi)] = 0
    if valid is not None:
        ps = np.where(valid, ps, 0).astype(p.dtype, copy=False)
        grad *= valid[..., None]
    return ps, grad


def scce_logits(labels: np.ndarray, z: np.ndarray, valid=None):
    li = _check_labels(labels if valid is None else np.where(valid, labels, 0), z.shape[-1])
    m = np.maximum.reduce(z, axis=-1, keepdims=True)
    sh = z - m
    e = np.exp(sh)
    se = np.add.reduce(e, axis=-1, keepdims=True)
    flat = _flat_picks(li, sh)
    ps = (np.log(se).reshape(-1) - sh.reshape(-1).take(flat)).reshape(li.shape)
    grad = e / se
    grad.reshape(-1)[flat] -= z.dtype.type(1)
    if valid is not None:
        ps = np.where(valid, ps, 0).astype(z.dtype, copy=False)
        grad = grad * valid[..., None]
    return ps, grad


def mse(t: np.ndarray, p: np.ndarray, axis: int = -1):
    d = p - t
    ps, inv_k = _mean_last(np.square(d), axis)
    grad = (p.dtype.type(2) * d) * inv_k
    return ps, grad


def mae(t: np.ndarray, p: np.ndarray, axis: int = -1):
    d = p - t
    ps, inv_k = _mean_last(np.abs(d), axis)
    grad = np.sign(d) * inv_k
    return ps, grad.astype(p.dtype, copy=False)


def huber(t: np.ndarray, p: np.ndarray, delta: float = 1.0, axis: int = -1):
    err = p - t
    a = np.abs(err)
    dl = np.asarray(delta, p.dtype)
    half = np.asarray(0.5, p.dtype)
    small = a <= dl
    loss = np.where(small, half * np.square(err), dl * a - half * np.square(dl))
    ps, inv_k = _mean_last(loss.astype(p.dtype, copy=False), axis)
    grad = np.where(small, err, dl * np.sign(err)).astype(p.dtype, copy=False) * inv_k
    return ps, grad


def run_kernel(kernel, y_true: np.ndarray, y_pred: np.ndarray, **kw):
    """``kernel(y_true, y_pred)``; 0-d inputs are computed as 1-element vectors (NumPy turns
    0-d results into scalars, which the kernels' in-place steps cannot take)."""
    if y_pred.ndim:
        return kernel(y_true, y_pred, **kw)
    ps, grad = kernel(np.reshape(y_true, (1,)), y_pred.reshape(1), **kw)
    return np.reshape(ps, ()), np.reshape(grad, ())


def fused(kernel, y_true: np.ndarray, y_pred: Tensor, lamina_form, axis: int = -1, **kw) -> Tensor:
    """Per-sample losses of ``kernel`` as one recorded op on ``y_pred``.

    The gradient is the kernel's own NumPy gradient; when an outer tape is recording the
    backward pass (higher derivatives), ``lamina_form`` (the same loss written with lamina
    ops) is differentiated instead so the result stays on that tape.
    """
    if axis is not None:
        kw["axis"] = axis
    ps, grad = run_kernel(kernel, y_true, y_pred._value, **kw)
    ps = np.asarray(ps, dtype=y_pred._value.dtype)
    gshape = _grad_shape(ps.shape, grad.shape, axis)

    def vjp(g):
        if is_recording():
            from lamina.autodiff.tape import GradientTape

            with GradientTape() as tape:
                tape.watch(y_pred)
                out = lamina_form()
            return (tape.gradient(out, y_pred, output_gradients=g),)
        return (multiply(reshape(g, gshape), Tensor(grad)),)

    return record(ps, (y_pred,), vjp)


def _grad_shape(ps_shape: tuple, grad_shape: tuple, axis) -> tuple:
    """Shape ``g`` (shaped like the per-sample losses) takes to broadcast against ``grad``."""
    if len(ps_shape) == len(grad_shape):
        return ps_shape
    ax = (-1 if axis is None else axis) % len(grad_shape)
    return ps_shape[:ax] + (1,) + ps_shape[ax:]
