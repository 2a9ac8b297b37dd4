"""Shape and layout ops: expand/squeeze, concat/stack/split, transpose, gather, where, pad ...

Every op that moves values around has a VJP that moves the gradient back (a gather's is a
scatter-add, a concat's is a split ...), written with lamina ops so it is differentiable too.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tape import record
from lamina.autodiff.tensor import Tensor
from lamina.dtypes import as_dtype
from lamina.ops.core import (
    _to_array,
    add,
    as_tensor_pair,
    convert_to_tensor,
    reshape,
    snapshot,
    unbroadcast,
)


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _ints(value) -> list[int]:
    if isinstance(value, Tensor):
        value = value._value
    return [int(v) for v in np.asarray(value).reshape(-1)]


def _axis(axis, ndim: int, op: str) -> int:
    if isinstance(axis, Tensor):
        axis = int(axis._value)
    axis = int(axis)
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor of rank {ndim}.")
    return axis % ndim if ndim else 0


# --- shape queries ------------------------------------------------------------------------
def shape(input, out_type="int32", name=None) -> Tensor:
    """The shape as a 1-D integer tensor."""
    return Tensor(np.asarray(_to_array(input).shape, dtype=as_dtype(out_type)._np))


def shape_n(input, out_type="int32", name=None) -> list:
    """The shapes of several tensors."""
    return [shape(x, out_type) for x in input]


def size(input, out_type="int32", name=None) -> Tensor:
    """The number of elements, as a tensor."""
    return Tensor(np.asarray(_to_array(input).size, dtype=as_dtype(out_type)._np))


def rank(input, name=None) -> Tensor:
    """The number of axes, as a tensor."""
    return Tensor(np.asarray(_to_array(input).ndim, dtype=np.int32))


# --- adding and removing axes -------------------------------------------------------------
def expand_dims(input, axis, name=None) -> Tensor:
    """Insert a size-1 axis at ``axis``."""
    x = _t(input)
    nd = x.ndim + 1
    a = int(axis._value) if isinstance(axis, Tensor) else int(axis)
    if not -nd <= a < nd:
        raise ValueError(f"expand_dims: axis {a} is out of range for a tensor of rank {x.ndim}.")
    sx = x._value.shape
    return record(snapshot(x, np.expand_dims(x._value, a)), (x,), lambda g: (reshape(g, sx),))


def squeeze(input, axis=None, name=None) -> Tensor:
    """Remove size-1 axes (all, or those in ``axis``)."""
    x = _t(input)
    sx = x._value.shape
    if axis is None:
        out = np.squeeze(x._value)
    else:
        axes = tuple(
            _axis(a, x.ndim, "squeeze")
            for a in (axis if isinstance(axis, (list, tuple)) else [axis])
        )
        for a in axes:
            if sx[a] != 1:
                raise ValueError(
                    f"squeeze: cannot squeeze axis {a} of size {sx[a]} (shape {sx}); "
                    "only size-1 axes can be removed."
                )
        out = np.squeeze(x._value, axis=axes)
    return record(snapshot(x, out), (x,), lambda g: (reshape(g, sx),))


def identity(input, name=None) -> Tensor:
    """The same values as a new Tensor (a snapshot when ``input`` is a Variable)."""
    x = _t(input)
    return record(snapshot(x, x._value), (x,), lambda g: (g,))


# --- joining and splitting ----------------------------------------------------------------
def _same_dtype(values: list, op: str) -> list[Tensor]:
    ts = [v for v in values if isinstance(v, Tensor)]
    dtype = ts[0]._value.dtype if ts else None
    out = []
    for v in values:
        t = v if isinstance(v, Tensor) else Tensor(_to_array(v, dtype))
        if dtype is not None and t._value.dtype != dtype:
            raise TypeError(
                f"{op}: all inputs must have the same dtype, received {as_dtype(dtype).name} "
                f"and {t.dtype.name}."
            )
        out.append(t)
    return out


def concat(values, axis, name=None) -> Tensor:
    """Join tensors along an existing axis."""
    if isinstance(values, Tensor):
        values = list(values)
    ts = _same_dtype(list(values), "concat")
    if not ts:
        raise ValueError("concat: `values` must be a non-empty list of tensors.")
    ax = _axis(axis, ts[0].ndim, "concat")
    try:
        out = np.concatenate([t._value for t in ts], axis=ax)
    except ValueError:
        raise ValueError(
            f"concat: shapes {[tuple(t.shape) for t in ts]} must match except on axis {ax}."
        ) from None
    sizes = np.cumsum([t._value.shape[ax] for t in ts])[:-1]

    def vjp(g):
        return tuple(split(g, _sizes_from_cuts(sizes, g._value.shape[ax]), axis=ax))

    return record(out, tuple(ts), vjp)


def _sizes_from_cuts(cuts, total: int) -> list[int]:
    edges = [0, *[int(c) for c in cuts], total]
    return [b - a for a, b in zip(edges[:-1], edges[1:])]


def stack(values, axis=0, name=None) -> Tensor:
    """Join same-shaped tensors along a new axis."""
    ts = _same_dtype(list(values), "stack")
    if not ts:
        raise ValueError("stack: `values` must be a non-empty list of tensors.")
    shapes = {t._value.shape for t in ts}
    if len(shapes) > 1:
        raise ValueError(
            f"stack: all inputs must have the same shape, received {[tuple(t.shape) for t in ts]}."
        )
    nd = ts[0].ndim + 1
    if not -nd <= int(axis) < nd:
        raise ValueError(f"stack: axis {axis} is out of range for rank {nd} output.")
    ax = int(axis) % nd
    out = np.stack([t._value for t in ts], axis=ax)
    return record(out, tuple(ts), lambda g: tuple(unstack(g, axis=ax)))


def unstack(value, num=None, axis=0, name=None) -> list[Tensor]:
    """Split along ``axis`` into a list of tensors with that axis removed."""
    x = _t(value)
    if x.ndim == 0:
        raise ValueError("unstack: cannot unstack a scalar tensor.")
    ax = _axis(axis, x.ndim, "unstack")
    n = x._value.shape[ax]
    if num is not None and int(num) != n:
        raise ValueError(f"unstack: num={num} but axis {ax} has size {n}.")
    return [_take_slice(x, ax, i) for i in range(n)]


def _take_slice(x: Tensor, ax: int, i: int) -> Tensor:
    key = (slice(None),) * ax + (i,)
    return getitem(x, key)


def split(value, num_or_size_splits, axis=0, num=None, name=None) -> list[Tensor]:
    """Split into ``n`` equal parts, or parts of the given sizes (one may be -1)."""
    x = _t(value)
    ax = _axis(axis, x.ndim, "split")
    n = x._value.shape[ax]
    if isinstance(num_or_size_splits, (int, np.integer)) or (
        isinstance(num_or_size_splits, Tensor) and num_or_size_splits.ndim == 0
    ):
        k = int(num_or_size_splits)
        if k <= 0 or n % k:
            raise ValueError(f"split: cannot split axis {ax} of size {n} into {k} equal parts.")
        sizes = [n // k] * k
    else:
        sizes = _ints(num_or_size_splits)
        if sizes.count(-1) == 1:
            sizes[sizes.index(-1)] = n - (sum(sizes) + 1)
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split: sizes {sizes} do not add up to axis {ax} of size {n}.")
    cuts = np.cumsum(sizes)[:-1]
    parts = np.split(x._value, cuts, axis=ax)
    outs = []
    start = 0
    for s, p in zip(sizes, parts):
        key = (slice(None),) * ax + (slice(start, start + s),)
        outs.append(record(p, (x,), _slice_vjp(x._value.shape, x._value.dtype, key)))
        start += s
    return outs


def _slice_vjp(shape_, dtype, key):
    return lambda g: (_scatter_into(g, key, shape_),)


def tile(input, multiples, name=None) -> Tensor:
    """Repeat the whole tensor ``multiples[i]`` times along each axis."""
    x = _t(input)
    reps = _ints(multiples)
    if len(reps) != x.ndim:
        raise ValueError(
            f"tile: `multiples` must have one entry per axis ({x.ndim}), received {reps}."
        )
    sx = x._value.shape

    def vjp(g):
        # view g as (r0, s0, r1, s1, ...) and sum the repeat axes
        inter = []
        for r, s in zip(reps, sx):
            inter += [r, s]
        gr = reshape(g, inter)
        from lamina.ops.core import reduce_sum

        return (reduce_sum(gr, axis=tuple(range(0, 2 * len(sx), 2))),)

    return record(np.tile(x._value, reps), (x,), vjp)


def repeat(input, repeats, axis=None, name=None) -> Tensor:
    """Repeat each element ``repeats`` times along ``axis`` (flattened when None)."""
    x = _t(input)
    if axis is None:
        x = reshape(x, (-1,))
        axis = 0
    ax = _axis(axis, x.ndim, "repeat")
    reps = np.asarray(repeats._value if isinstance(repeats, Tensor) else repeats)
    n = x._value.shape[ax]
    idx = np.repeat(np.arange(n), reps)
    return gather(x, Tensor(idx), axis=ax)


def transpose(a, perm=None, conjugate=False, name=None) -> Tensor:
    """Permute the axes (reversed when ``perm`` is None)."""
    x = _t(a)
    if perm is None:
        perm = tuple(reversed(range(x.ndim)))
    else:
        perm = tuple(_ints(perm))
        if sorted(p % max(x.ndim, 1) for p in perm) != list(range(x.ndim)):
            raise ValueError(
                f"transpose: `perm` {list(perm)} is not a permutation of the {x.ndim} axes."
            )
    inv = tuple(np.argsort(perm))
    out = snapshot(x, np.transpose(x._value, perm))
    return record(out, (x,), lambda g: (transpose(g, inv),))


def reverse(tensor, axis, name=None) -> Tensor:
    """Flip the order along the given axes."""
    x = _t(tensor)
    axes = tuple(_axis(a, x.ndim, "reverse") for a in _ints(axis))
    return record(np.flip(x._value, axes), (x,), lambda g: (reverse(g, axes),))


def roll(input, shift, axis, name=None) -> Tensor:
    """Shift entries along axes, wrapping around."""
    x = _t(input)
    sh, ax = _ints(shift), [_axis(a, x.ndim, "roll") for a in _ints(axis)]
    out = np.roll(x._value, sh, ax)
    return record(out, (x,), lambda g: (roll(g, [-s for s in sh], ax),))


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None) -> Tensor:
    """Pad each axis by ``paddings[i] = [before, after]``."""
    x = _t(tensor)
    p = np.asarray(paddings._value if isinstance(paddings, Tensor) else paddings, dtype=int)
    if p.shape != (x.ndim, 2):
        raise ValueError(
            f"pad: `paddings` must have shape ({x.ndim}, 2) for a rank-{x.ndim} tensor, "
            f"received {p.shape}."
        )
    mode_u = str(mode).upper()
    if mode_u == "CONSTANT":
        out = np.pad(x._value, p, constant_values=_to_array(constant_values, x._value.dtype))
    elif mode_u in ("REFLECT", "SYMMETRIC"):
        out = np.pad(x._value, p, mode=mode_u.lower())
    else:
        raise ValueError(f"pad: `mode` must be CONSTANT, REFLECT or SYMMETRIC, received {mode!r}.")
    sx = x._value.shape
    key = tuple(slice(int(b), int(b) + d) for (b, _), d in zip(p, sx))
    if mode_u == "CONSTANT":
        return record(out, (x,), lambda g: (getitem(g, key),))
    # reflect/symmetric: route the gradient through index arithmetic
    idx = np.pad(np.arange(x._value.size).reshape(sx), p, mode=mode_u.lower())
    return record(out, (x,), lambda g: (_scatter_flat(g, idx, sx),))


def _scatter_flat(g: Tensor, idx: np.ndarray, shape_) -> Tensor:
    flat_g = reshape(g, (-1,))
    return reshape(
        unsorted_segment_sum(flat_g, Tensor(idx.reshape(-1)), int(np.prod(shape_))), shape_
    )


# --- indexing -----------------------------------------------------------------------------
def _norm_key(key):
    """Turn Tensors (and lists) inside an index into NumPy arrays."""
    if isinstance(key, tuple):
        return tuple(_norm_key_item(k) for k in key)
    return _norm_key_item(key)


def _norm_key_item(k):
    if isinstance(k, Tensor):
        v = k._value
        return int(v) if v.ndim == 0 and v.dtype.kind in "iu" else v
    if isinstance(k, list):
        return np.asarray([int(i) if isinstance(i, Tensor) else i for i in k])
    if isinstance(k, slice):
        return slice(*(int(v) if isinstance(v, Tensor) else v for v in (k.start, k.stop, k.step)))
    return k


def _is_basic(key) -> bool:
    items = key if isinstance(key, tuple) else (key,)
    return all(isinstance(k, (int, np.integer, slice)) or k is None or k is Ellipsis for k in items)


def getitem(x, key, _wrap=None) -> Tensor:
    """``x[key]``: ints, slices, ``...``, ``newaxis``, integer/boolean arrays or tensors."""
    if not isinstance(x, Tensor):
        x = _t(x)
    tk = type(key)
    if tk is int or tk is slice:
        basic = True
    else:
        key = _norm_key(key)
        basic = _is_basic(key)
    try:
        out = x._value[key]
    except IndexError as e:
        raise IndexError(
            f"Index {key!r} is out of bounds for a tensor of shape {tuple(x.shape)}: {e}"
        ) from None
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    elif basic:
        out = snapshot(x, out)  # a view: copy it if the source is a (mutable) Variable
    sx = x._value.shape
    result = None if _wrap is None else _wrap(out, key)
    return record(out, (x,), lambda g: (_scatter_into(g, key, sx),), result)


def _scatter_into(g: Tensor, key, shape_) -> Tensor:
    """Zeros of ``shape_`` with ``g`` added at ``key`` (the VJP of indexing)."""
    z = np.zeros(shape_, dtype=g._value.dtype)
    if _is_basic(key):
        z[key] = g._value
    else:
        np.add.at(z, key, g._value)
    return record(z, (g,), lambda gg: (getitem(gg, key),))


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None) -> Tensor:
    """Take slices of ``params`` along ``axis`` at ``indices`` (any integer shape)."""
    x = _t(params)
    idx = np.asarray(indices._value if isinstance(indices, Tensor) else indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"gather: `indices` must be integers, received dtype {idx.dtype}.")
    ax = 0 if axis is None else _axis(axis, x.ndim, "gather")
    n = x._value.shape[ax]
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise IndexError(
            f"gather: indices must be in [0, {n}) for axis {ax} of shape "
            f"{tuple(x.shape)}, received values from {idx.min()} to {idx.max()}."
        )
    if batch_dims:
        bd = int(batch_dims) % max(idx.ndim, 1) if batch_dims < 0 else int(batch_dims)
        outs = (
            [
                gather(getitem(x, b), idx[b], axis=ax - 1, batch_dims=bd - 1)
                for b in range(x._value.shape[0])
            ]
            if bd
            else None
        )
        return stack(outs, axis=0)
    key = (slice(None),) * ax + (idx,)
    return getitem(x, key)


def gather_nd(params, indices, batch_dims=0, name=None) -> Tensor:
    """Gather slices addressed by the last axis of ``indices`` (tuples of coordinates)."""
    x = _t(params)
    idx = np.asarray(indices._value if isinstance(indices, Tensor) else indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"gather_nd: `indices` must be integers, received dtype {idx.dtype}.")
    if batch_dims:
        return stack(
            [
                gather_nd(getitem(x, b), idx[b], batch_dims=batch_dims - 1)
                for b in range(x._value.shape[0])
            ],
            axis=0,
        )
    k = idx.shape[-1]
    if k > x.ndim:
        raise ValueError(f"gather_nd: index depth {k} exceeds the rank {x.ndim} of params.")
    key = tuple(idx[..., i] for i in range(k))
    return getitem(x, key)


def boolean_mask(tensor, mask, axis=None, name=None) -> Tensor:
    """Keep the entries (or slices) where ``mask`` is True."""
    x = _t(tensor)
    m = np.asarray(mask._value if isinstance(mask, Tensor) else mask, dtype=bool)
    ax = 0 if axis is None else _axis(axis, x.ndim, "boolean_mask")
    if x._value.shape[ax : ax + m.ndim] != m.shape:
        raise ValueError(
            f"boolean_mask: mask shape {m.shape} must match the tensor's shape "
            f"{tuple(x.shape)} starting at axis {ax}."
        )
    key = (slice(None),) * ax + (m,)
    return getitem(x, key)


def where(condition, x=None, y=None, name=None) -> Tensor:
    """``x`` where ``condition`` else ``y`` (broadcast); with one argument, the True indices."""
    c = np.asarray(condition._value if isinstance(condition, Tensor) else condition)
    if x is None and y is None:
        return Tensor(np.argwhere(c).astype(np.int64))
    if x is None or y is None:
        raise ValueError("where: give both `x` and `y`, or neither.")
    c = c.astype(bool, copy=False)
    x, y = as_tensor_pair(x, y, "where")
    try:
        out = np.where(c, x._value, y._value)
    except ValueError:
        raise ValueError(
            f"where: shapes of condition {c.shape}, x {tuple(x.shape)} and y "
            f"{tuple(y.shape)} do not broadcast together."
        ) from None
    sx, sy = x._value.shape, y._value.shape
    if out.dtype.kind not in "fc":
        return Tensor(out)

    def vjp(g):
        zero = Tensor(np.zeros((), g._value.dtype))
        return unbroadcast(where(c, g, zero), sx), unbroadcast(where(c, zero, g), sy)

    return record(out, (x, y), vjp)


def one_hot(
    indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None
) -> Tensor:
    """A tensor with ``on_value`` at each index and ``off_value`` elsewhere (-1 gives a row of off)."""
    idx = np.asarray(indices._value if isinstance(indices, Tensor) else indices)
    if idx.dtype.kind not in "iu":
        if idx.dtype.kind == "f" and np.all(idx == np.round(idx)):
            idx = idx.astype(np.int64)
        else:
            raise TypeError(f"one_hot: `indices` must be integers, received dtype {idx.dtype}.")
    depth = int(depth)
    if dtype is not None:
        np_dtype = as_dtype(dtype)._np
    elif on_value is not None and isinstance(on_value, Tensor):
        np_dtype = on_value._value.dtype
    else:
        np_dtype = np.float32
    on = 1 if on_value is None else _to_array(on_value, np_dtype)
    off = 0 if off_value is None else _to_array(off_value, np_dtype)
    hot = idx[..., None] == np.arange(depth)
    out = np.where(hot, on, off).astype(np_dtype)
    if axis is not None and axis != -1:
        out = np.moveaxis(out, -1, int(axis))
    return Tensor(out)


def sequence_mask(lengths, maxlen=None, dtype="bool", name=None) -> Tensor:
    """Boolean masks ``[i, j] = j < lengths[i]``."""
    lv = np.asarray(_to_array(lengths))
    m = int(lv.max()) if maxlen is None else int(maxlen)
    return Tensor((np.arange(m) < lv[..., None]).astype(as_dtype(dtype)._np))


def unsorted_segment_sum(data, segment_ids, num_segments, name=None) -> Tensor:
    """Sum the rows of ``data`` that share a segment id."""
    x = _t(data)
    ids = np.asarray(segment_ids._value if isinstance(segment_ids, Tensor) else segment_ids)
    n = int(num_segments)
    out = np.zeros((n,) + x._value.shape[ids.ndim :], dtype=x._value.dtype)
    np.add.at(out, ids, x._value)
    return record(out, (x,), lambda g: (gather(g, Tensor(ids)),))


def scatter_nd(indices, updates, shape, name=None) -> Tensor:
    """Zeros of ``shape`` with ``updates`` added at ``indices`` (duplicates sum)."""
    u = _t(updates)
    idx = np.asarray(indices._value if isinstance(indices, Tensor) else indices)
    key = tuple(idx[..., i] for i in range(idx.shape[-1]))
    return _scatter_into(u, key, tuple(_ints(shape)))


def tensor_scatter_nd_update(tensor, indices, updates, name=None) -> Tensor:
    """A copy of ``tensor`` with the entries at ``indices`` replaced by ``updates``."""
    x, u = as_tensor_pair(tensor, updates, "tensor_scatter_nd_update")
    idx = np.asarray(indices._value if isinstance(indices, Tensor) else indices)
    key = tuple(idx[..., i] for i in range(idx.shape[-1]))
    out = x._value.copy()
    out[key] = u._value
    mask = np.ones(x._value.shape, dtype=bool)
    mask[key] = False

    def vjp(g):
        zero = Tensor(np.zeros((), g._value.dtype))
        return where(mask, g, zero), getitem(g, key)

    return record(out, (x, u), vjp)


def tensor_scatter_nd_add(tensor, indices, updates, name=None) -> Tensor:
    """A copy of ``tensor`` with ``updates`` added at ``indices``."""
    x, u = as_tensor_pair(tensor, updates, "tensor_scatter_nd_add")
    idx = np.asarray(indices._value if isinstance(indices, Tensor) else indices)
    key = tuple(idx[..., i] for i in range(idx.shape[-1]))
    return add(x, _scatter_into(u, key, x._value.shape))


def slice_(input_, begin, size, name=None) -> Tensor:
    """``tf.slice``: the block starting at ``begin`` of extent ``size`` (-1: to the end)."""
    x = _t(input_)
    b, s = _ints(begin), _ints(size)
    key = tuple(slice(bi, None if si == -1 else bi + si) for bi, si in zip(b, s))
    return getitem(x, key)


def meshgrid(*args, indexing="xy", name=None) -> list[Tensor]:
    """Coordinate grids from 1-D coordinate vectors."""
    arrs = np.meshgrid(*[_to_array(a) for a in args], indexing=indexing)
    return [Tensor(a) for a in arrs]


def unique(x, out_idx="int32", name=None):
    """The unique values in first-seen order, and each element's index into them."""
    from collections import namedtuple

    v = _to_array(x).reshape(-1)
    _, first, inv = np.unique(v, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank_of = np.empty_like(order)
    rank_of[order] = np.arange(order.size)
    Unique = namedtuple("Unique", ["y", "idx"])
    return Unique(
        Tensor(v[np.sort(first)]), Tensor(rank_of[inv.reshape(-1)].astype(as_dtype(out_idx)._np))
    )


def ensure_shape(x, shape, name=None) -> Tensor:
    """``x`` itself, after checking its shape matches ``shape`` (None matches anything)."""
    t = _t(x)
    want = tuple(shape)
    got = t._value.shape
    if len(want) != len(got) or any(w is not None and w != g for w, g in zip(want, got)):
        raise ValueError(f"ensure_shape: shape {got} is not compatible with {want}.")
    return t


def map_fn(fn, elems, dtype=None, fn_output_signature=None, name=None, **kwargs):
    """Apply ``fn`` to each slice along axis 0 and stack the results."""
    if isinstance(elems, (list, tuple)):
        n = len(elems[0])
        return stack([fn(type(elems)(e[i] for e in elems)) for i in range(n)])
    return stack([fn(e) for e in unstack(_t(elems))])


def vectorized_map(fn, elems, fallback_to_while_loop=True):
    """``map_fn`` (lamina runs it as a loop)."""
    return map_fn(fn, elems)


__all__ = [
    "shape",
    "shape_n",
    "size",
    "rank",
    "expand_dims",
    "squeeze",
    "identity",
    "concat",
    "stack",
    "unstack",
    "split",
    "tile",
    "repeat",
    "transpose",
    "reverse",
    "roll",
    "pad",
    "getitem",
    "gather",
    "gather_nd",
    "boolean_mask",
    "where",
    "one_hot",
    "sequence_mask",
    "unsorted_segment_sum",
    "scatter_nd",
    "tensor_scatter_nd_update",
    "tensor_scatter_nd_add",
    "slice_",
    "meshgrid",
    "unique",
    "ensure_shape",
    "map_fn",
    "vectorized_map",
]
