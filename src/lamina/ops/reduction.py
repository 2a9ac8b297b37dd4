"""Reductions and orderings: reduce_*, argmax/argmin, cumsum, sort/argsort/top_k."""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from lamina.autodiff.tape import record
from lamina.autodiff.tensor import Tensor
from lamina.dtypes import as_dtype
from lamina.ops.core import (
    _norm_axis,
    _to_array,
    broadcast_to,
    convert_to_tensor,
    divide,
    exp,
    multiply,
    one_axis,
    reduce_sum,
    reshape,
    subtract,
)


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _axes(axis, ndim: int, op: str):
    return _norm_axis(axis, ndim, op)


def _keep_shape(shape_: tuple, axes) -> tuple:
    if axes is None:
        return (1,) * len(shape_)
    return tuple(1 if i in axes else d for i, d in enumerate(shape_))


def _reduced_shape(shape_: tuple, axes) -> tuple:
    if axes is None:
        return ()
    return tuple(d for i, d in enumerate(shape_) if i not in axes)


def _expand_back(g: Tensor, sx: tuple, axes, keepdims: bool) -> Tensor:
    """Reshape a reduced gradient so it broadcasts against the input again."""
    if not keepdims:
        g = reshape(g, _keep_shape(sx, axes))
    return g


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The mean; integer tensors give an (integer-divided) integer mean as TensorFlow."""
    x = _t(input_tensor)
    axes = None if axis is None else _axes(axis, x.ndim, "reduce_mean")
    v = x._value
    if v.dtype.kind in "iub":
        s = np.sum(v, axis=axes, keepdims=keepdims, dtype=np.int64)
        n = v.size // max(s.size, 1) if v.size else 1
        q = np.sign(s) * (np.abs(s) // n)  # C-style truncation, as TensorFlow
        return Tensor(np.asarray(q).astype(v.dtype if v.dtype.kind != "b" else np.int32))
    total = np.add.reduce(v, axis=axes, keepdims=keepdims, dtype=v.dtype)
    count = v.size // max(total.size, 1) if v.size else 1
    out = np.asarray(total / v.dtype.type(count) if count else total * np.nan, dtype=v.dtype)
    sx = v.shape

    def vjp(g):
        return (broadcast_to(divide(_expand_back(g, sx, axes, keepdims), float(count)), sx),)

    return record(out, (x,), vjp)


def _extreme(x, axis, keepdims, op: str, fn) -> Tensor:
    x = _t(x)
    v = x._value
    axes = None if axis is None else _axes(axis, v.ndim, op)
    if v.size == 0:
        raise ValueError(f"{op}: cannot reduce an empty tensor of shape {v.shape}.")
    out = fn.reduce(v, axis=axes, keepdims=keepdims)
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    if v.dtype.kind not in "fc":
        return Tensor(out)
    sx = v.shape

    def vjp(g):
        hit = (v == fn.reduce(v, axis=axes, keepdims=True)).astype(v.dtype)
        hit /= np.add.reduce(hit, axis=axes, keepdims=True)  # ties share, as TensorFlow
        return (multiply(_expand_back(g, sx, axes, keepdims), Tensor(hit)),)

    return record(out, (x,), vjp)


def reduce_max(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The max over ``axis``; ties share the gradient."""
    return _extreme(input_tensor, axis, keepdims, "reduce_max", np.maximum)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The min over ``axis``; ties share the gradient."""
    return _extreme(input_tensor, axis, keepdims, "reduce_min", np.minimum)


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The product over ``axis``."""
    x = _t(input_tensor)
    axes = _axes(axis, x.ndim, "reduce_prod")
    v = x._value
    out = np.asarray(np.prod(v, axis=axes, keepdims=keepdims), dtype=v.dtype)
    if v.dtype.kind not in "fc":
        return Tensor(out)
    sx = v.shape

    def vjp(g):
        # product of all the other entries: exclusive cumulative products on both sides
        flat_axes = axes if axes is not None else tuple(range(len(sx)))
        rest = [i for i in range(len(sx)) if i not in flat_axes]
        perm = rest + list(flat_axes)
        xt = np.transpose(v, perm)
        lead = xt.shape[: len(rest)]
        xr = xt.reshape(lead + (-1,))
        left = np.cumprod(np.concatenate([np.ones(lead + (1,), v.dtype), xr[..., :-1]], -1), -1)
        right = np.flip(
            np.cumprod(
                np.concatenate([np.ones(lead + (1,), v.dtype), np.flip(xr, -1)[..., :-1]], -1), -1
            ),
            -1,
        )
        others = np.transpose((left * right).reshape(xt.shape), np.argsort(perm))
        return (multiply(_expand_back(g, sx, axes, keepdims), _others_tensor(x, others, axes)),)

    return record(out, (x,), vjp)


def _others_tensor(x: Tensor, others: np.ndarray, axes) -> Tensor:
    """d prod / d x as a Tensor; second derivatives are not tracked through it."""
    return Tensor(others)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The (biased) variance over ``axis``."""
    x = _t(input_tensor)
    _float_only(x, "reduce_variance")
    mean = reduce_mean(x, axis=axis, keepdims=True)
    from lamina.ops.elementwise import square

    return reduce_mean(square(subtract(x, mean)), axis=axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """The (biased) standard deviation over ``axis``."""
    from lamina.ops.elementwise import sqrt

    return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


def _float_only(x: Tensor, op: str) -> None:
    if x._value.dtype.kind not in "fc":
        raise TypeError(f"{op}: expected a float tensor, received dtype {x.dtype.name}.")


def reduce_any(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Logical or over ``axis``."""
    v = _to_array(input_tensor)
    return Tensor(np.asarray(np.any(v, axis=_axes(axis, v.ndim, "reduce_any"), keepdims=keepdims)))


def reduce_all(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Logical and over ``axis``."""
    v = _to_array(input_tensor)
    return Tensor(np.asarray(np.all(v, axis=_axes(axis, v.ndim, "reduce_all"), keepdims=keepdims)))


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """log(sum(exp(x))) computed stably (the max is subtracted first)."""
    x = _t(input_tensor)
    _float_only(x, "reduce_logsumexp")
    axes = _axes(axis, x.ndim, "reduce_logsumexp")
    v = x._value
    m = np.maximum.reduce(v, axis=axes, keepdims=True)
    if not np.isfinite(m).all():
        m = np.where(np.isfinite(m), m, 0)
    e = np.subtract(v, m)
    np.exp(e, out=e)
    s = np.add.reduce(e, axis=axes, keepdims=True)
    with np.errstate(divide="ignore"):
        lse = np.log(s)
    lse += m
    if not keepdims:
        lse = lse.reshape(_reduced_shape(v.shape, axes))
    out = lse.astype(v.dtype, copy=False)
    sx = v.shape

    def vjp(g):
        soft = exp(subtract(x, reshape(res, _keep_shape(sx, axes))))
        return (multiply(_expand_back(g, sx, axes, keepdims), soft),)

    res = record(out, (x,), vjp)
    return res


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """sqrt(sum(x**2)) over ``axis``."""
    from lamina.ops.elementwise import sqrt, square

    return sqrt(reduce_sum(square(_t(input_tensor)), axis=axis, keepdims=keepdims))


def count_nonzero(input, axis=None, keepdims=False, dtype="int64", name=None) -> Tensor:
    """The number of non-zero entries over ``axis``."""
    v = _to_array(input)
    out = np.count_nonzero(v, axis=_axes(axis, v.ndim, "count_nonzero"), keepdims=keepdims)
    return Tensor(np.asarray(out, dtype=as_dtype(dtype)._np))


# --- positions of extremes ----------------------------------------------------------------
def argmax(input, axis=None, output_type="int64", name=None) -> Tensor:
    """Index of the largest value along ``axis`` (axis 0 by default, as TensorFlow)."""
    v = _to_array(input)
    ax = 0 if axis is None else int(_axes(axis, v.ndim, "argmax")[0])
    return Tensor(np.asarray(np.argmax(v, axis=ax), dtype=as_dtype(output_type)._np))


def argmin(input, axis=None, output_type="int64", name=None) -> Tensor:
    """Index of the smallest value along ``axis`` (axis 0 by default)."""
    v = _to_array(input)
    ax = 0 if axis is None else int(_axes(axis, v.ndim, "argmin")[0])
    return Tensor(np.asarray(np.argmin(v, axis=ax), dtype=as_dtype(output_type)._np))


# --- ordering -----------------------------------------------------------------------------
def _along(x: Tensor, order: np.ndarray, axis: int) -> Tensor:
    """x re-ordered by ``order`` (indices along ``axis``), differentiable."""
    from lamina.ops.array_ops import getitem

    grids = list(np.indices(order.shape, sparse=True))
    grids[axis] = order
    return getitem(x, tuple(grids))


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None) -> Tensor:
    """Indices that sort ``values`` along ``axis`` (stable)."""
    v = _to_array(values)
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"argsort: `direction` must be ASCENDING or DESCENDING, got {direction!r}")
    ax = one_axis(axis, v.ndim, "argsort")
    order = np.argsort(-v if direction == "DESCENDING" else v, axis=ax, kind="stable")
    return Tensor(order.astype(np.int32))


def sort(values, axis=-1, direction="ASCENDING", name=None) -> Tensor:
    """``values`` sorted along ``axis``."""
    x = _t(values)
    ax = one_axis(axis, x.ndim, "sort")
    order = argsort(x, axis=ax, direction=direction)._value
    return _along(x, order, ax)


TopKV2 = namedtuple("TopKV2", ["values", "indices"])


def top_k(input, k=1, sorted=True, index_type="int32", name=None) -> TopKV2:  # noqa: A002
    """The ``k`` largest entries of the last axis and their indices."""
    x = _t(input)
    n = x._value.shape[-1]
    k = int(k)
    if not 0 <= k <= n:
        raise ValueError(f"top_k: k={k} must be between 0 and the last axis size {n}.")
    order = np.argsort(-x._value, axis=-1, kind="stable")[..., :k]
    vals = _along(x, order, x.ndim - 1)
    return TopKV2(vals, Tensor(order.astype(as_dtype(index_type)._np)))


def in_top_k(targets, predictions, k, name=None) -> Tensor:
    """Whether each target class is among the ``k`` highest predictions (ties count)."""
    p = _to_array(predictions)
    t = _to_array(targets).astype(np.int64).reshape(-1)
    tv = p[np.arange(p.shape[0]), t]
    return Tensor(np.sum(p > tv[:, None], axis=-1) < int(k))


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Cumulative sum along ``axis`` (optionally exclusive and/or reversed)."""
    t = _t(x)
    ax = one_axis(axis, t.ndim, "cumsum")
    v = t._value
    if reverse:
        v = np.flip(v, ax)
    out = np.cumsum(v, axis=ax, dtype=v.dtype)
    if exclusive:
        out = np.concatenate(
            [np.zeros_like(np.take(out, [0], ax)), np.take(out, np.arange(out.shape[ax] - 1), ax)],
            ax,
        )
    if reverse:
        out = np.flip(out, ax)
    if t._value.dtype.kind not in "fc":
        return Tensor(out)
    return record(
        np.ascontiguousarray(out),
        (t,),
        lambda g: (cumsum(g, ax, exclusive=exclusive, reverse=not reverse),),
    )


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Cumulative product (gradient via cumsum of g*out/x: inputs must be non-zero)."""
    t = _t(x)
    ax = one_axis(axis, t.ndim, "cumprod")
    v = t._value
    if reverse:
        v = np.flip(v, ax)
    out = np.cumprod(v, axis=ax, dtype=v.dtype)
    if exclusive:
        out = np.concatenate(
            [np.ones_like(np.take(out, [0], ax)), np.take(out, np.arange(out.shape[ax] - 1), ax)],
            ax,
        )
    if reverse:
        out = np.flip(out, ax)
    if t._value.dtype.kind not in "fc":
        return Tensor(out)

    def vjp(g):
        if np.all(t._value != 0):
            s = cumsum(multiply(g, res), ax, exclusive=exclusive, reverse=not reverse)
            return (divide(s, t),)
        return (Tensor(_cumprod_grad_with_zeros(t._value, g._value, ax, exclusive, reverse)),)

    res = record(np.ascontiguousarray(out), (t,), vjp)
    return res


def _cumprod_grad_with_zeros(x, g, ax, exclusive, reverse) -> np.ndarray:
    """d sum(g * cumprod(x)) / dx when x has zeros: each x_i replaced by 1 in turn (O(n^2))."""
    xm, gm = np.moveaxis(x, ax, -1), np.moveaxis(g, ax, -1)
    if reverse:
        xm, gm = xm[..., ::-1], gm[..., ::-1]
    n = xm.shape[-1]
    out = np.zeros_like(xm)
    for i in range(n):
        xi = xm.copy()
        xi[..., i] = 1
        cp = np.cumprod(xi, axis=-1)
        if exclusive:
            cp = np.concatenate([np.ones_like(cp[..., :1]), cp[..., :-1]], -1)
        first = i + 1 if exclusive else i
        out[..., i] = np.sum(gm[..., first:] * cp[..., first:], axis=-1)
    if reverse:
        out = out[..., ::-1]
    return np.ascontiguousarray(np.moveaxis(out, -1, ax))


def bincount(
    arr,
    weights=None,
    minlength=None,
    maxlength=None,
    dtype="int32",
    name=None,
    axis=None,
    binary_output=False,
) -> Tensor:
    """Counts (or summed weights) of each non-negative integer value."""
    v = _to_array(arr).astype(np.int64).reshape(-1)
    w = None if weights is None else _to_array(weights).reshape(-1)
    out = np.bincount(v, weights=w, minlength=int(minlength or 0))
    if maxlength is not None:
        out = out[: int(maxlength)]
    if binary_output:
        out = out > 0
    return Tensor(out.astype(w.dtype if w is not None else as_dtype(dtype)._np))


def confusion_matrix(
    labels, predictions, num_classes=None, weights=None, dtype="int32", name=None
) -> Tensor:
    """Counts of (label, prediction) pairs; rows are labels, as ``tf.math.confusion_matrix``."""
    lab = _to_array(labels).astype(np.int64).reshape(-1)
    pred = _to_array(predictions).astype(np.int64).reshape(-1)
    if lab.shape != pred.shape:
        raise ValueError(
            f"confusion_matrix: labels {lab.shape} and predictions {pred.shape} "
            "must have the same number of entries."
        )
    n = (
        int(num_classes)
        if num_classes is not None
        else int(max(lab.max(initial=-1), pred.max(initial=-1)) + 1)
    )
    w = np.ones(lab.shape) if weights is None else _to_array(weights).reshape(-1)
    out = np.zeros((n, n), dtype=as_dtype(dtype)._np)
    np.add.at(out, (lab, pred), w.astype(out.dtype))
    return Tensor(out)


__all__ = [
    "reduce_mean",
    "reduce_max",
    "reduce_min",
    "reduce_prod",
    "reduce_variance",
    "reduce_std",
    "reduce_any",
    "reduce_all",
    "reduce_logsumexp",
    "reduce_euclidean_norm",
    "count_nonzero",
    "argmax",
    "argmin",
    "argsort",
    "sort",
    "top_k",
    "in_top_k",
    "cumsum",
    "cumprod",
    "bincount",
    "confusion_matrix",
    "reduce_sum",
]
