"""Less common TensorFlow ops, loaded on first use (keeps ``import lamina`` fast).

Array extras (strided_slice, searchsorted, scatter variants, space/depth moves ...),
segment reductions and tf.math extras. Same conventions as the family modules.
"""

from __future__ import annotations

import math as _math

import numpy as np

from lamina.autodiff.tape import record
from lamina.autodiff.tensor import Tensor
from lamina.dtypes import as_dtype
from lamina.ops.array_ops import (
    _axis,
    _ints,
    _t,
    gather,
    getitem,
    identity,
    stack,
    tensor_scatter_nd_add,
    transpose,
    unique,
    unsorted_segment_sum,
)
from lamina.ops.core import (
    _float_input,
    _to_array,
    add,
    add as add_,
    as_tensor_pair,
    convert_to_tensor,
    divide,
    exp,
    multiply,
    no_gradient,
    reshape,
    subtract,
    zeros_like,
)
from lamina.ops.elementwise import (
    _same_kind_input,
    divide_no_nan,
    log1p,
    where_,
)
from lamina.ops.reduction import cumsum, reduce_max


# --- less common TensorFlow array ops -----------------------------------------------------
def identity_n(input, name=None) -> list:
    """Identities of several tensors."""
    return [identity(t) for t in input]


def parallel_stack(values, name=None) -> Tensor:
    """``stack`` along a new first axis."""
    return stack(values, axis=0)


def _scatter_combine(tensor, indices, updates, op: str, fn) -> Tensor:
    x, u = as_tensor_pair(tensor, updates, op)
    idx = np.asarray(indices._value if isinstance(indices, Tensor) else indices)
    key = tuple(idx[..., i] for i in range(idx.shape[-1]))
    out = x._value.copy()
    fn.at(out, key, u._value)
    return Tensor(out)


def tensor_scatter_nd_sub(tensor, indices, updates, name=None) -> Tensor:
    """A copy of ``tensor`` with ``updates`` subtracted at ``indices``."""
    x = _t(tensor)
    return tensor_scatter_nd_add(x, indices, -_t(updates)._value.astype(x._value.dtype))


def tensor_scatter_nd_max(tensor, indices, updates, name=None) -> Tensor:
    """A copy of ``tensor`` keeping the max with ``updates`` at ``indices``."""
    return _scatter_combine(tensor, indices, updates, "tensor_scatter_nd_max", np.maximum)


def tensor_scatter_nd_min(tensor, indices, updates, name=None) -> Tensor:
    """A copy of ``tensor`` keeping the min with ``updates`` at ``indices``."""
    return _scatter_combine(tensor, indices, updates, "tensor_scatter_nd_min", np.minimum)


def unique_with_counts(x, out_idx="int32", name=None):
    """Unique values, each element's index into them, and their counts."""
    from collections import namedtuple

    y, idx = unique(x, out_idx)
    counts = np.bincount(idx._value, minlength=y._value.shape[0]).astype(idx._value.dtype)
    UniqueWithCounts = namedtuple("UniqueWithCounts", ["y", "idx", "count"])
    return UniqueWithCounts(y, idx, Tensor(counts))


def searchsorted(sorted_sequence, values, side="left", out_type="int32", name=None) -> Tensor:
    """Insertion points of ``values`` in each (last-axis) sorted row."""
    s, v = _to_array(sorted_sequence), _to_array(values)
    if s.ndim == 1:
        out = np.searchsorted(s, v, side=side)
    else:
        out = np.stack(
            [
                np.searchsorted(a, b, side=side)
                for a, b in zip(s.reshape(-1, s.shape[-1]), v.reshape(-1, v.shape[-1]))
            ]
        )
        out = out.reshape(v.shape)
    return Tensor(out.astype(as_dtype(out_type)._np))


def strided_slice(
    input_,
    begin,
    end,
    strides=None,
    begin_mask=0,
    end_mask=0,
    ellipsis_mask=0,
    new_axis_mask=0,
    shrink_axis_mask=0,
    name=None,
) -> Tensor:
    """``tf.strided_slice`` with its bit masks (``x[begin:end:strides]`` per axis)."""
    b, e = _ints(begin), _ints(end)
    st = _ints(strides) if strides is not None else [1] * len(b)
    key = []
    for i, (bi, ei, si) in enumerate(zip(b, e, st)):
        bit = 1 << i
        if ellipsis_mask & bit:
            key.append(Ellipsis)
        elif new_axis_mask & bit:
            key.append(None)
        elif shrink_axis_mask & bit:
            key.append(bi)
        else:
            key.append(slice(None if begin_mask & bit else bi, None if end_mask & bit else ei, si))
    return getitem(input_, tuple(key))


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None, name=None) -> Tensor:
    """Reverse the first ``seq_lengths[b]`` entries along ``seq_axis`` of each batch row."""
    x = _t(input)
    sa = 1 if seq_axis is None else _axis(seq_axis, x.ndim, "reverse_sequence")
    ba = 0 if batch_axis is None else _axis(batch_axis, x.ndim, "reverse_sequence")
    lengths = _ints(seq_lengths)
    n = x._value.shape[sa]
    idx = np.broadcast_to(np.arange(n), (len(lengths), n)).copy()
    for row, ln in enumerate(lengths):
        idx[row, :ln] = np.arange(ln)[::-1]
    shape_ = [1] * x.ndim
    shape_[ba], shape_[sa] = len(lengths), n
    full = np.broadcast_to(
        idx.reshape(shape_) if ba < sa else idx.T.reshape(shape_), x._value.shape
    )
    grids = list(np.indices(x._value.shape, sparse=True))
    grids[sa] = full
    return getitem(x, tuple(grids))


def unravel_index(indices, dims, name=None) -> Tensor:
    """Flat indices as coordinates in an array of shape ``dims``."""
    out = np.stack(np.unravel_index(_to_array(indices), tuple(_ints(dims))))
    return Tensor(out.astype(_to_array(indices).dtype))


def histogram_fixed_width(values, value_range, nbins=100, dtype="int32", name=None) -> Tensor:
    """Counts of ``values`` in ``nbins`` equal bins over ``value_range``."""
    v = _to_array(values).reshape(-1)
    lo, hi = (float(a) for a in _to_array(value_range))
    idx = np.clip(np.floor((v - lo) / (hi - lo) * nbins), 0, nbins - 1).astype(np.int64)
    return Tensor(np.bincount(idx, minlength=int(nbins)).astype(as_dtype(dtype)._np))


def get_static_value(tensor, partial=False):
    """The value as a NumPy array (lamina tensors always have one)."""
    return np.array(_to_array(tensor)) if isinstance(tensor, Tensor) else tensor


def space_to_depth(input, block_size, data_format="NHWC", name=None) -> Tensor:
    """Move ``block_size`` x ``block_size`` spatial blocks into channels."""
    x = _t(input)
    n, h, w, c = x._value.shape
    b = int(block_size)
    y = reshape(x, (n, h // b, b, w // b, b, c))
    return reshape(transpose(y, [0, 1, 3, 2, 4, 5]), (n, h // b, w // b, b * b * c))


def depth_to_space(input, block_size, data_format="NHWC", name=None) -> Tensor:
    """Move channels into ``block_size`` x ``block_size`` spatial blocks."""
    x = _t(input)
    n, h, w, c = x._value.shape
    b = int(block_size)
    y = reshape(x, (n, h, w, b, b, c // (b * b)))
    return reshape(transpose(y, [0, 1, 3, 2, 4, 5]), (n, h * b, w * b, c // (b * b)))


# --- segment reductions and other tf.math extras ------------------------------------------
def _segments(data, segment_ids, num_segments, op: str):
    x = _t(data)
    ids = np.asarray(_to_array(segment_ids)).astype(np.int64)
    n = int(num_segments) if num_segments is not None else (int(ids.max()) + 1 if ids.size else 0)
    return x, ids, n


def unsorted_segment_mean(data, segment_ids, num_segments, name=None) -> Tensor:
    """The mean of the rows sharing each segment id."""

    x, ids, n = _segments(data, segment_ids, num_segments, "unsorted_segment_mean")
    counts = np.bincount(ids.reshape(-1), minlength=n).astype(x._value.dtype)
    counts = np.maximum(counts, 1).reshape((n,) + (1,) * (x.ndim - ids.ndim))
    return divide(unsorted_segment_sum(x, ids, n), Tensor(counts))


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None) -> Tensor:
    """The sum of each segment divided by sqrt of its size."""

    x, ids, n = _segments(data, segment_ids, num_segments, "unsorted_segment_sqrt_n")
    counts = np.bincount(ids.reshape(-1), minlength=n).astype(x._value.dtype)
    counts = np.sqrt(np.maximum(counts, 1)).reshape((n,) + (1,) * (x.ndim - ids.ndim))
    return divide(unsorted_segment_sum(x, ids, n), Tensor(counts))


def _segment_extreme(data, segment_ids, num_segments, op, fn, empty):

    x, ids, n = _segments(data, segment_ids, num_segments, op)
    v = x._value
    out = np.full((n,) + v.shape[ids.ndim :], empty(v.dtype), dtype=v.dtype)
    fn.at(out, ids, v)
    if v.dtype.kind not in "fc":
        return Tensor(out)
    hit = (v == out[ids]).astype(v.dtype)
    share = np.zeros_like(out)
    np.add.at(share, ids, hit)
    hit = hit / np.maximum(share[ids], 1)

    def vjp(g):
        return (multiply(gather(g, Tensor(ids)), Tensor(hit)),)

    return record(out, (x,), vjp)


def unsorted_segment_max(data, segment_ids, num_segments, name=None) -> Tensor:
    """The max of each segment (ties share the gradient)."""
    return _segment_extreme(
        data,
        segment_ids,
        num_segments,
        "unsorted_segment_max",
        np.maximum,
        lambda d: np.finfo(d).min if d.kind == "f" else np.iinfo(d).min,
    )


def unsorted_segment_min(data, segment_ids, num_segments, name=None) -> Tensor:
    """The min of each segment (ties share the gradient)."""
    return _segment_extreme(
        data,
        segment_ids,
        num_segments,
        "unsorted_segment_min",
        np.minimum,
        lambda d: np.finfo(d).max if d.kind == "f" else np.iinfo(d).max,
    )


def unsorted_segment_prod(data, segment_ids, num_segments, name=None) -> Tensor:
    """The product of each segment."""
    x, ids, n = _segments(data, segment_ids, num_segments, "unsorted_segment_prod")
    out = np.ones((n,) + x._value.shape[ids.ndim :], dtype=x._value.dtype)
    np.multiply.at(out, ids, x._value)
    return Tensor(out)


def segment_sum(data, segment_ids, name=None) -> Tensor:
    """Sums of sorted segments."""

    return unsorted_segment_sum(data, segment_ids, _segments(data, segment_ids, None, "")[2])


def segment_mean(data, segment_ids, name=None) -> Tensor:
    """Means of sorted segments."""
    return unsorted_segment_mean(data, segment_ids, None)


def segment_max(data, segment_ids, name=None) -> Tensor:
    """Maxima of sorted segments."""
    return unsorted_segment_max(data, segment_ids, None)


def segment_min(data, segment_ids, name=None) -> Tensor:
    """Minima of sorted segments."""
    return unsorted_segment_min(data, segment_ids, None)


def segment_prod(data, segment_ids, name=None) -> Tensor:
    """Products of sorted segments."""
    return unsorted_segment_prod(data, segment_ids, None)


def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """log(cumsum(exp(x))) computed stably (differentiable through logsumexp pieces)."""
    from lamina.ops.elementwise import maximum as _max

    t = _t(x)
    m = reduce_max(t, axis=axis, keepdims=True)
    m = _max(m, float(np.finfo(t._value.dtype).min))
    from lamina.ops.core import log

    return add_(log(cumsum(exp(subtract(t, m)), axis, exclusive, reverse)), m)


def zero_fraction(value, name=None) -> Tensor:
    """The fraction of entries equal to zero."""
    v = _to_array(value)
    return Tensor(np.asarray(np.mean(v == 0), dtype=np.float32))


def is_non_decreasing(x, name=None) -> Tensor:
    """Whether the flattened values never decrease."""
    v = _to_array(x).reshape(-1)
    return Tensor(np.asarray(bool(np.all(np.diff(v) >= 0))))


def is_strictly_increasing(x, name=None) -> Tensor:
    """Whether the flattened values always increase."""
    v = _to_array(x).reshape(-1)
    return Tensor(np.asarray(bool(np.all(np.diff(v) > 0))))


def invert_permutation(x, name=None) -> Tensor:
    """The inverse of a permutation vector."""
    v = _to_array(x)
    out = np.empty_like(v)
    out[v] = np.arange(v.size, dtype=v.dtype)
    return Tensor(out)


def accumulate_n(inputs, shape=None, tensor_dtype=None, name=None) -> Tensor:
    """The element-wise sum of a list of tensors."""
    from lamina.ops.elementwise import add_n

    return add_n(inputs)


# --- more tf.math ---------------------------------------------------------------------------
def reciprocal_no_nan(x, name=None) -> Tensor:
    """1 / x, but 0 where x is 0."""
    return divide_no_nan(1.0, _same_kind_input(x, "reciprocal_no_nan"))


def xlog1py(x, y, name=None) -> Tensor:
    """x * log1p(y), 0 where x is 0."""
    x, y = as_tensor_pair(x, y, "xlog1py")
    zero = Tensor(x._value == 0)
    return where_(zero, 0.0, multiply(x, log1p(where_(zero, 0.0, y))))


def polyval(coeffs, x, name=None) -> Tensor:
    """coeffs[0] * x**(n-1) + ... + coeffs[n-1] (Horner's scheme)."""
    out = None
    for c in coeffs:
        out = convert_to_tensor(c) if out is None else add(multiply(out, x), c)
    if out is None:
        return zeros_like(x)
    return out


def scalar_mul(scalar, x, name=None) -> Tensor:
    """``scalar`` * ``x``."""
    return multiply(scalar, x)


_lgamma_vec = np.frompyfunc(_math.lgamma, 1, 1)


def lgamma(x, name=None) -> Tensor:
    """log |Gamma(x)| (its gradient, the digamma function, is not provided)."""
    x = _float_input(x, "lgamma")
    return no_gradient(_lgamma_vec(x._value).astype(x._value.dtype), (x,), "lgamma")


def real(input, name=None) -> Tensor:
    """The real part (the input itself for real tensors)."""
    x = _same_kind_input(input, "real")
    return Tensor(np.real(x._value)) if x._value.dtype.kind == "c" else x


def imag(input, name=None) -> Tensor:
    """The imaginary part (zeros for real tensors)."""
    x = _same_kind_input(input, "imag")
    return Tensor(np.imag(x._value)) if x._value.dtype.kind == "c" else zeros_like(x)


def conj(x, name=None) -> Tensor:
    """The complex conjugate (the input itself for real tensors)."""
    x = _same_kind_input(x, "conj")
    return Tensor(np.conj(x._value)) if x._value.dtype.kind == "c" else x


__all__ = [
    "identity_n",
    "parallel_stack",
    "tensor_scatter_nd_sub",
    "tensor_scatter_nd_max",
    "tensor_scatter_nd_min",
    "unique_with_counts",
    "searchsorted",
    "strided_slice",
    "reverse_sequence",
    "unravel_index",
    "histogram_fixed_width",
    "get_static_value",
    "space_to_depth",
    "depth_to_space",
    "unsorted_segment_mean",
    "unsorted_segment_sqrt_n",
    "unsorted_segment_max",
    "unsorted_segment_min",
    "unsorted_segment_prod",
    "segment_sum",
    "segment_mean",
    "segment_max",
    "segment_min",
    "segment_prod",
    "cumulative_logsumexp",
    "zero_fraction",
    "is_non_decreasing",
    "is_strictly_increasing",
    "invert_permutation",
    "accumulate_n",
    "reciprocal_no_nan",
    "xlog1py",
    "polyval",
    "scalar_mul",
    "lgamma",
    "real",
    "imag",
    "conj",
]
