"""Convolution and pooling (``tf.nn.conv2d``, ``max_pool2d`` ...) over channels-last tensors.

Built from two mutually adjoint recorded ops: ``im2col`` (gather every kernel window into a
``(N, OH, OW, KH, KW, C)`` array) and ``col2im`` (scatter-add windows back). A convolution is
then ``im2col`` followed by a matmul, a pooling a reduction over the window axes, so every
gradient (and gradient of gradient) comes from ops that already have VJPs.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tape import record
from lamina.autodiff.tensor import Tensor
from lamina.ops import _allocator
from lamina.ops.array_ops import getitem, pad, transpose
from lamina.ops.core import (
    _float_input,
    as_tensor_pair,
    convert_to_tensor,
    reshape,
)


# --- windows --------------------------------------------------------------------------------
def _out_size(n: int, k: int, s: int, d: int) -> int:
    return (n - (k - 1) * d - 1) // s + 1


def im2col(x: Tensor, k: tuple, s: tuple, d: tuple) -> Tensor:
    """Windows of a (N, H, W, C) tensor as (N, OH, OW, KH, KW, C) (no padding)."""
    v = x._value
    n, h, w, c = v.shape
    oh, ow = _out_size(h, k[0], s[0], d[0]), _out_size(w, k[1], s[1], d[1])
    if oh <= 0 or ow <= 0:
        raise ValueError(
            f"The window {k} (dilation {d}) is larger than the (padded) input of spatial "
            f"shape {(h, w)}."
        )
    # One copy of a read-only strided view: with unit column dilation each (kw, c) run is
    # contiguous in memory, which NumPy copies several times faster than kh*kw slice copies.
    s_n, s_h, s_w, s_c = v.strides
    view = np.lib.stride_tricks.as_strided(
        v,
        (n, oh, ow, k[0], k[1], c),
        (s_n, s_h * s[0], s_w * s[1], s_h * d[0], s_w * d[1], s_c),
        writeable=False,
    )
    out = np.ascontiguousarray(view)
    shape = v.shape
    return record(out, (x,), lambda g: (col2im(g, shape, k, s, d),))


def col2im(p: Tensor, shape: tuple, k: tuple, s: tuple, d: tuple) -> Tensor:
    """Scatter-add (N, OH, OW, KH, KW, C) windows into a (N, H, W, C) tensor (im2col's adjoint)."""
    pv = p._value
    oh, ow = pv.shape[1], pv.shape[2]
    out = np.zeros(shape, dtype=pv.dtype)
    for i in range(k[0]):
        hi = i * d[0]
        for j in range(k[1]):
            wj = j * d[1]
            out[:, hi : hi + s[0] * oh : s[0], wj : wj + s[1] * ow : s[1], :] += pv[
                :, :, :, i, j, :
            ]
    return record(out, (p,), lambda g: (im2col(g, k, s, d),))


# --- the convolution and its two gradients -------------------------------------------------
# Three recorded ops, each differentiated by the other two, so every order of derivative
# stays on the tape: y = conv(x, f); dx = input_grad(g, f); df = filter_grad(x, g).
def _windows(v: np.ndarray, k: tuple, s: tuple, d: tuple) -> np.ndarray:
    """im2col as a NumPy array (N*OH*OW, KH*KW*C) (no padding)."""
    n, h, w, c = v.shape
    oh, ow = _out_size(h, k[0], s[0], d[0]), _out_size(w, k[1], s[1], d[1])
    if oh <= 0 or ow <= 0:
        raise ValueError(
            f"The window {k} (dilation {d}) is larger than the (padded) input of spatial "
            f"shape {(h, w)}."
        )
    s_n, s_h, s_w, s_c = v.strides
    view = np.lib.stride_tricks.as_strided(
        v, (n, oh, ow, k[0], k[1], c), (s_n, s_h * s[0], s_w * s[1], s_h * d[0], s_w * d[1], s_c),
        writeable=False,
    )  # fmt: skip
    return np.ascontiguousarray(view).reshape(n * oh * ow, k[0] * k[1] * c)


def _conv_forward(
    x: Tensor, f: Tensor, s: tuple, d: tuple, cols=None, b=None, relu: bool = False
) -> Tensor:
    """(N, H, W, C) x (KH, KW, C, O) -> (N, OH, OW, O), unpadded; plus the bias ``b`` (O,)
    when given and then ``max(., 0)`` when ``relu``, both in place (the same numbers and
    gradients as ``relu(add(conv, b))``, without their arrays)."""
    from lamina.autodiff.tape import needs
    from lamina.ops.core import unbroadcast

    xv, fv = x._value, f._value
    kh, kw, c, o = fv.shape
    n, h, w, _ = xv.shape
    oh, ow = _out_size(h, kh, s[0], d[0]), _out_size(w, kw, s[1], d[1])
    if cols is None:
        cols = _windows(xv, (kh, kw), s, d)
    out = (cols @ fv.reshape(kh * kw * c, o)).reshape(n, oh, ow, o)

    def vjp(g):
        gx = _conv_input_grad(g, f, xv.shape, s, d) if needs(0) else None
        gf = _conv_filter_grad(x, g, fv.shape, s, d, cols) if needs(1) else None
        return gx, gf

    if b is None and not relu:
        return record(out, (x, f), vjp)
    if b is not None:
        np.add(out, b._value, out=out)
    if relu:
        np.maximum(out, out.dtype.type(0), out=out)

    def fused_vjp(g):
        if relu:  # (out > 0) is (pre-activation > 0)
            from lamina.ops.nn import _relu_grad

            g = _relu_grad(g, out)
        if b is None:
            return vjp(g)
        gb = unbroadcast(g, b._value.shape) if needs(2) else None  # first, as add's VJP ran
        return (*vjp(g), gb)

    return record(out, (x, f) if b is None else (x, f, b), fused_vjp)


def _conv_input_grad(g: Tensor, f: Tensor, x_shape: tuple, s: tuple, d: tuple) -> Tensor:
    """The adjoint of ``_conv_forward`` in ``x``: scatter ``g @ f[i, j].T`` per kernel offset."""
    from lamina.autodiff.tape import needs

    gv, fv = g._value, f._value
    n, oh, ow, o = gv.shape
    kh, kw, c, _ = fv.shape
    g2 = gv.reshape(n * oh * ow, o)
    out = np.zeros(x_shape, dtype=np.result_type(gv.dtype, fv.dtype))
    for i in range(kh):
        for j in range(kw):
            part = (g2 @ fv[i, j].T).reshape(n, oh, ow, c)
            hi, wj = i * d[0], j * d[1]
            out[:, hi : hi + s[0] * oh : s[0], wj : wj + s[1] * ow : s[1], :] += part

    def vjp(gg):
        dg = _conv_forward(gg, f, s, d) if needs(0) else None
        df = _conv_filter_grad(gg, g, fv.shape, s, d) if needs(1) else None
        return dg, df

    return record(out, (g, f), vjp)


def _conv_filter_grad(x: Tensor, g: Tensor, f_shape: tuple, s: tuple, d: tuple, cols=None):
    """The gradient of ``_conv_forward`` in ``f``: ``windows(x).T @ g``."""
    from lamina.autodiff.tape import needs

    xv, gv = x._value, g._value
    kh, kw, c, o = f_shape
    if cols is None:
        cols = _windows(xv, (kh, kw), s, d)
    out = (cols.T @ gv.reshape(-1, o)).reshape(f_shape)

    def vjp(gf):
        dx = _conv_input_grad(g, gf, xv.shape, s, d) if needs(0) else None
        dg = _conv_forward(x, gf, s, d, cols) if needs(1) else None
        return dx, dg

    return record(out, (x, g), vjp)


# --- argument handling ----------------------------------------------------------------------
def _pair(value, name: str, op: str, n: int = 2) -> tuple:
    """Strides/dilations/sizes as an n-tuple (accepts an int, n values or TF's n+2 form)."""
    if isinstance(value, Tensor):
        value = value._value.tolist()
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    vals = [int(v) for v in value]
    if len(vals) == 1:
        return (vals[0],) * n
    if len(vals) == n:
        return tuple(vals)
    if len(vals) == n + 2:
        return tuple(vals[1:-1])
    raise ValueError(
        f"{op}: `{name}` must be an int or a list of {n} or {n + 2} ints, received {value!r}."
    )


def _padding(padding, size: tuple, k: tuple, s: tuple, d: tuple, op: str) -> list:
    """[[top, bottom], [left, right]] for 'VALID', 'SAME' (TensorFlow's split) or explicit."""
    if isinstance(padding, str):
        mode = padding.upper()
        if mode == "VALID":
            return [[0, 0] for _ in size]
        if mode == "SAME":
            pads = []
            for n, kk, ss, dd in zip(size, k, s, d):
                out = -(-n // ss)
                total = max((out - 1) * ss + (kk - 1) * dd + 1 - n, 0)
                pads.append([total // 2, total - total // 2])
            return pads
        raise ValueError(f"{op}: `padding` must be 'VALID' or 'SAME', received {padding!r}.")
    p = [list(map(int, q)) for q in padding]
    if len(p) == len(size) + 2:
        p = p[1:-1]
    if len(p) != len(size):
        raise ValueError(
            f"{op}: explicit `padding` needs one [before, after] pair per spatial "
            f"axis, received {padding!r}."
        )
    return p


def _channels_last(x: Tensor, data_format, rank: int) -> tuple[Tensor, bool]:
    first = data_format is not None and str(data_format).upper().startswith("NC")
    if first:
        perm = [0] + list(range(2, rank)) + [1]
        return transpose(x, perm), True
    return x, False


def _back(y: Tensor, first: bool) -> Tensor:
    if not first:
        return y
    nd = y.ndim
    return transpose(y, [0, nd - 1] + list(range(1, nd - 1)))


# --- convolutions ---------------------------------------------------------------------------
def conv2d(
    input, filters, strides=1, padding="VALID", data_format="NHWC", dilations=None, name=None
) -> Tensor:
    """2-D convolution: ``input`` (N, H, W, C), ``filters`` (KH, KW, C, O) -> (N, OH, OW, O)."""
    return _conv2d(input, filters, strides, padding, data_format, dilations)


def conv2d_bias(x, filters, bias, strides, padding: str, dilations, relu: bool = False):
    """``add(conv2d(x, filters, strides, padding, 'NHWC', dilations), bias)`` (then ``relu``
    when asked) as one recorded op (the Conv2D layer's forward): the same numbers and
    gradients, fewer arrays. ``bias`` is a 1-D Tensor or None; another dtype or size falls
    back to the separate ops."""
    return _conv2d(x, filters, strides, padding, "NHWC", dilations, bias, relu)


def _conv2d(
    input, filters, strides, padding, data_format, dilations, bias=None, relu: bool = False
) -> Tensor:
    _allocator.keep_large_blocks()  # once: large temporaries reused, not page-faulted anew
    x, f = as_tensor_pair(_float_input(input, "conv2d"), filters, "conv2d")
    if x.ndim != 4 or f.ndim != 4:
        raise ValueError(
            f"conv2d: expected a 4-D input and 4-D filters, received shapes "
            f"{tuple(x.shape)} and {tuple(f.shape)}."
        )
    x, first = _channels_last(x, data_format, 4)
    s = _pair(strides, "strides", "conv2d")
    d = _pair(1 if dilations is None else dilations, "dilations", "conv2d")
    kh, kw, cin, cout = f._value.shape
    if x._value.shape[-1] != cin:
        raise ValueError(
            f"conv2d: the input has {x._value.shape[-1]} channels but the filters expect {cin} "
            f"(input shape {tuple(x.shape)}, filters shape {tuple(f.shape)})."
        )
    p = _padding(padding, x._value.shape[1:3], (kh, kw), s, d, "conv2d")
    if any(a or b for a, b in p):
        x = pad(x, [[0, 0], *p, [0, 0]])
    if bias is None and not relu:
        return _back(_conv_forward(x, f, s, d), first)
    fuse = not first and (
        bias is None
        or (
            bias._value.shape == (cout,)
            and bias._value.dtype == np.result_type(x._value.dtype, f._value.dtype)
        )
    )
    if fuse:
        return _conv_forward(x, f, s, d, b=bias, relu=relu)
    from lamina.ops.core import add
    from lamina.ops.nn import relu as relu_op

    y = _back(_conv_forward(x, f, s, d), first)
    y = y if bias is None else add(y, bias)
    return relu_op(y) if relu else y


def conv1d(
    input, filters, stride=1, padding="VALID", data_format="NWC", dilations=None, name=None
) -> Tensor:
    """1-D convolution: ``input`` (N, W, C), ``filters`` (K, C, O) -> (N, OW, O)."""
    x = _float_input(input, "conv1d")
    f = convert_to_tensor(filters)
    if x.ndim != 3 or f.ndim != 3:
        raise ValueError(
            f"conv1d: expected a 3-D input and 3-D filters, received shapes "
            f"{tuple(x.shape)} and {tuple(f.shape)}."
        )
    first = data_format is not None and str(data_format).upper() == "NCW"
    if first:
        x = transpose(x, [0, 2, 1])
    s = _pair(stride, "stride", "conv1d", 1)[0]
    dd = _pair(1 if dilations is None else dilations, "dilations", "conv1d", 1)[0]
    if not isinstance(padding, str):
        padding = [[0, 0], *[list(q) for q in padding]] if len(padding) == 1 else padding
    y = conv2d(
        reshape(x, (x._value.shape[0], 1) + x._value.shape[1:]),
        reshape(f, (1,) + f._value.shape),
        (1, s),
        padding,
        "NHWC",
        (1, dd),
    )
    y = reshape(y, (y._value.shape[0],) + y._value.shape[2:])
    return transpose(y, [0, 2, 1]) if first else y


def depthwise_conv2d(
    input, filter, strides=1, padding="VALID", data_format="NHWC", dilations=None, name=None
) -> Tensor:
    """Each input channel convolved with its own ``M`` filters: (KH, KW, C, M) -> C*M outputs."""
    x, f = as_tensor_pair(_float_input(input, "depthwise_conv2d"), filter, "depthwise_conv2d")
    x, first = _channels_last(x, data_format, 4)
    s = _pair(strides, "strides", "depthwise_conv2d")
    d = _pair(1 if dilations is None else dilations, "dilations", "depthwise_conv2d")
    kh, kw, c, m = f._value.shape
    if x._value.shape[-1] != c:
        raise ValueError(
            f"depthwise_conv2d: the input has {x._value.shape[-1]} channels but "
            f"the filter expects {c}."
        )
    p = _padding(padding, x._value.shape[1:3], (kh, kw), s, d, "depthwise_conv2d")
    if any(a or b for a, b in p):
        x = pad(x, [[0, 0], *p, [0, 0]])
    cols = im2col(x, (kh, kw), s, d)
    from lamina.ops.linalg import einsum

    y = einsum("nhwijc,ijcm->nhwcm", cols, f)
    n, oh, ow = y._value.shape[:3]
    return _back(reshape(y, (n, oh, ow, c * m)), first)


def conv2d_transpose(
    input,
    filters,
    output_shape,
    strides=1,
    padding="SAME",
    data_format="NHWC",
    dilations=None,
    name=None,
) -> Tensor:
    """The gradient of conv2d with respect to its input: ``filters`` is (KH, KW, O, C)."""
    x, f = as_tensor_pair(_float_input(input, "conv2d_transpose"), filters, "conv2d_transpose")
    x, first = _channels_last(x, data_format, 4)
    out_shape = [
        int(v)
        for v in (
            output_shape._value.tolist() if isinstance(output_shape, Tensor) else output_shape
        )
    ]
    if first:
        out_shape = [out_shape[0], *out_shape[2:], out_shape[1]]
    s = _pair(strides, "strides", "conv2d_transpose")
    d = _pair(1 if dilations is None else dilations, "dilations", "conv2d_transpose")
    kh, kw, cout, cin = f._value.shape
    n, h, w, c = x._value.shape
    if c != cin:
        raise ValueError(
            f"conv2d_transpose: the input has {c} channels but the filters expect {cin}."
        )
    p = _padding(padding, tuple(out_shape[1:3]), (kh, kw), s, d, "conv2d_transpose")
    full = (n, out_shape[1] + p[0][0] + p[0][1], out_shape[2] + p[1][0] + p[1][1], cout)
    if _out_size(full[1], kh, s[0], d[0]) != h or _out_size(full[2], kw, s[1], d[1]) != w:
        raise ValueError(
            f"conv2d_transpose: output_shape {out_shape} is not consistent with an input of "
            f"spatial shape {(h, w)}, kernel {(kh, kw)}, strides {s} and padding {padding!r}."
        )
    y = _conv_input_grad(x, f, full, s, d)  # the adjoint of conv2d(., f)
    y = getitem(
        y,
        (
            slice(None),
            slice(p[0][0], p[0][0] + out_shape[1]),
            slice(p[1][0], p[1][0] + out_shape[2]),
            slice(None),
        ),
    )
    return _back(y, first)


# --- pooling --------------------------------------------------------------------------------
def _pool_setup(input, ksize, strides, padding, data_format, op: str, fill):
    x = _float_input(input, op)
    if x.ndim != 4:
        raise ValueError(
            f"{op}: expected a 4-D input (N, H, W, C), received shape {tuple(x.shape)}."
        )
    x, first = _channels_last(x, data_format, 4)
    k = _pair(ksize, "ksize", op)
    s = _pair(k if strides is None else strides, "strides", op)
    p = _padding(padding, x._value.shape[1:3], k, s, (1, 1), op)
    return x, first, k, s, p


def _window_slices(k: tuple, s: tuple, oh: int, ow: int) -> list:
    """The strided (N, OH, OW, C) view of every kernel offset, in row-major window order."""
    return [
        (slice(None), slice(i, i + s[0] * oh, s[0]), slice(j, j + s[1] * ow, s[1]), slice(None))
        for i in range(k[0])
        for j in range(k[1])
    ]


def _window_sum(x: Tensor, k: tuple, s: tuple, out_hw: tuple, weights) -> Tensor:
    """``sum over offsets w * x[offset view]``: a linear map (adjoint: ``_window_spread``).

    ``weights`` is one array/scalar shared by every offset, or a callable giving the list of
    per-offset arrays (evaluated on first use, so max pooling pays for its masks only in the
    backward pass)."""
    v = x._value
    n, _, _, c = v.shape
    ws = weights() if callable(weights) else [weights] * (k[0] * k[1])
    out = np.zeros((n, *out_hw, c), dtype=v.dtype)
    for sl, w in zip(_window_slices(k, s, *out_hw), ws):
        out += v[sl] * w
    shape = v.shape
    return record(out, (x,), lambda g: (_window_spread(g, shape, k, s, weights),))


def _window_spread(g: Tensor, shape: tuple, k: tuple, s: tuple, weights) -> Tensor:
    """Scatter-add ``w * g`` into every offset view of a zero (N, H, W, C) array."""
    gv = g._value
    out_hw = gv.shape[1:3]
    ws = weights() if callable(weights) else [weights] * (k[0] * k[1])
    disjoint = s[0] >= k[0] and s[1] >= k[1]  # each input entry in one window at most
    if disjoint and s == k and tuple(shape[1:3]) == (k[0] * out_hw[0], k[1] * out_hw[1]):
        out = np.empty(shape, dtype=gv.dtype)  # the windows tile the input: all written below
    else:
        out = np.zeros(shape, dtype=gv.dtype)
    for sl, w in zip(_window_slices(k, s, *out_hw), ws):
        if disjoint:
            np.multiply(gv, w, out=out[sl])
        else:
            out[sl] += gv * w
    return record(out, (g,), lambda gg: (_window_sum(gg, k, s, out_hw, weights),))


def _out_hw(x: Tensor, k: tuple, s: tuple) -> tuple:
    h, w = x._value.shape[1:3]
    oh, ow = _out_size(h, k[0], s[0], 1), _out_size(w, k[1], s[1], 1)
    if oh <= 0 or ow <= 0:
        raise ValueError(
            f"The window {k} (dilation (1, 1)) is larger than the (padded) input of spatial "
            f"shape {(h, w)}."
        )
    return oh, ow


def max_pool2d(
    input, ksize, strides=None, padding="VALID", data_format="NHWC", name=None
) -> Tensor:
    """The max of each window (padding never wins: it is -inf).

    The gradient goes to the first maximum of each window (row-major), as TensorFlow's
    MaxPoolGrad does, not shared among ties."""
    x, first, k, s, p = _pool_setup(input, ksize, strides, padding, data_format, "max_pool2d", None)
    if any(a or b for a, b in p):
        x = pad(x, [[0, 0], *p, [0, 0]], constant_values=-np.inf)
    oh, ow = _out_hw(x, k, s)
    v = x._value
    slices = _window_slices(k, s, oh, ow)
    out = np.maximum(v[slices[0]], v[slices[1]]) if len(slices) > 1 else v[slices[0]].copy()
    for sl in slices[2:]:
        np.maximum(out, v[sl], out=out)
    shape = v.shape
    tiled = s == k  # windows side by side: (N, OH, KH, OW, KW, C) views of the input
    cache: list = []  # [per-offset masks, the (N, OH, KH, OW, KW, C) mask when tiled]

    def masks() -> list:
        if not cache:
            cache.extend(_first_max_tiled(v, out, k) if tiled else (_first_max(v, out, slices),))
        return cache

    def weights() -> list:
        """Per window offset, where that offset holds its window's first maximum (computed
        on first use, so inference never pays for it)."""
        return masks()[0]

    def vjp(g):
        if tiled:
            return (_max_spread_tiled(g, shape, k, masks()[1], weights),)
        return (_window_spread(g, shape, k, s, weights),)

    return _back(record(out, (x,), vjp), first)


def _tiles(a: np.ndarray, k: tuple, out_hw: tuple) -> np.ndarray:
    """The (N, OH, KH, OW, KW, C) view of the windows of ``a`` when strides equal the window."""
    n, _, _, c = a.shape
    crop = a[:, : k[0] * out_hw[0], : k[1] * out_hw[1]]
    return crop.reshape((n, out_hw[0], k[0], out_hw[1], k[1], c), copy=False)


def _first_max(v: np.ndarray, out: np.ndarray, slices: list) -> list:
    """Boolean masks, one per window offset (strided views), of each window's first maximum."""
    free = None  # windows whose max is not yet claimed (None: all of them)
    result = []
    for i, sl in enumerate(slices):
        m = np.equal(v[sl], out)
        if free is None:
            free = np.logical_not(m)
        else:
            np.logical_and(m, free, out=m)
            if i + 1 < len(slices):
                np.greater(free, m, out=free)  # free and not m
        result.append(m)
    return result


def _first_max_tiled(v: np.ndarray, out: np.ndarray, k: tuple) -> list:
    """``_first_max`` for side-by-side windows: one comparison over the whole tiled input,
    then each offset keeps only the windows no earlier offset claimed."""
    eq = np.equal(_tiles(v, k, out.shape[1:3]), out[:, :, None, :, None, :])
    views = [eq[:, :, i, :, j] for i in range(k[0]) for j in range(k[1])]
    seen = views[0].copy()
    for i, m in enumerate(views[1:], 2):
        np.greater(m, seen, out=m)  # m and not seen
        if i < len(views):
            np.logical_or(seen, m, out=seen)
    return views, eq


def _max_spread_tiled(g: Tensor, shape: tuple, k: tuple, eq: np.ndarray, weights) -> Tensor:
    """Max pooling's input gradient for side-by-side windows: ``g * mask`` in one pass.

    Same bits as ``_window_spread`` (each entry is ``mask * g``; entries outside every window
    are zero)."""
    gv = g._value
    out_hw = gv.shape[1:3]
    gb = gv[:, :, None, :, None, :]
    if shape[1:3] == (k[0] * out_hw[0], k[1] * out_hw[1]):
        out = eq.astype(gv.dtype)
        np.multiply(out, gb, out=out)
        out = out.reshape(shape)
    else:
        out = np.zeros(shape, dtype=gv.dtype)
        t = _tiles(out, k, out_hw)
        t[...] = eq
        np.multiply(t, gb, out=t)
    return record(out, (g,), lambda gg: (_window_sum(gg, k, k, out_hw, weights),))


def avg_pool2d(
    input, ksize, strides=None, padding="VALID", data_format="NHWC", name=None
) -> Tensor:
    """The mean of each window; with 'SAME' padding only real entries are counted."""
    x, first, k, s, p = _pool_setup(input, ksize, strides, padding, data_format, "avg_pool2d", None)
    dtype = x._value.dtype
    if any(a or b for a, b in p):
        x = pad(x, [[0, 0], *p, [0, 0]])
        oh, ow = _out_hw(x, k, s)
        ones = np.zeros((1,) + x._value.shape[1:3] + (1,), dtype)
        ones[:, p[0][0] : ones.shape[1] - p[0][1], p[1][0] : ones.shape[2] - p[1][1]] = 1
        count = sum(ones[sl] for sl in _window_slices(k, s, oh, ow))
        scale = (1.0 / count).astype(dtype)
    else:
        oh, ow = _out_hw(x, k, s)
        scale = np.asarray(1.0 / (k[0] * k[1]), dtype)
    return _back(_window_sum(x, k, s, (oh, ow), scale), first)


def _pool1d(fn, input, ksize, strides, padding, data_format, op):
    x = _float_input(input, op)
    if x.ndim != 3:
        raise ValueError(f"{op}: expected a 3-D input (N, W, C), received {tuple(x.shape)}.")
    first = data_format is not None and str(data_format).upper() == "NCW"
    if first:
        x = transpose(x, [0, 2, 1])
    k = _pair(ksize, "ksize", op, 1)[0]
    s = k if strides is None else _pair(strides, "strides", op, 1)[0]
    y = fn(reshape(x, (x._value.shape[0], 1) + x._value.shape[1:]), (1, k), (1, s), padding)
    y = reshape(y, (y._value.shape[0],) + y._value.shape[2:])
    return transpose(y, [0, 2, 1]) if first else y


def max_pool1d(input, ksize, strides=None, padding="VALID", data_format="NWC", name=None) -> Tensor:
    """Max over 1-D windows of a (N, W, C) tensor."""
    return _pool1d(max_pool2d, input, ksize, strides, padding, data_format, "max_pool1d")


def avg_pool1d(input, ksize, strides=None, padding="VALID", data_format="NWC", name=None) -> Tensor:
    """Mean over 1-D windows of a (N, W, C) tensor."""
    return _pool1d(avg_pool2d, input, ksize, strides, padding, data_format, "avg_pool1d")


def max_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:
    """``tf.nn.max_pool``: 1-D or 2-D by the input's rank."""
    if _float_input(input, "max_pool").ndim == 3:
        return max_pool1d(input, ksize, strides, padding, data_format or "NWC")
    return max_pool2d(input, ksize, strides, padding, data_format or "NHWC")


def avg_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:
    """``tf.nn.avg_pool``: 1-D or 2-D by the input's rank."""
    if _float_input(input, "avg_pool").ndim == 3:
        return avg_pool1d(input, ksize, strides, padding, data_format or "NWC")
    return avg_pool2d(input, ksize, strides, padding, data_format or "NHWC")


def convolution(
    input, filters, strides=None, padding="VALID", data_format=None, dilations=None, name=None
) -> Tensor:
    """``tf.nn.convolution``: 1-D or 2-D by the input's rank."""
    x = _float_input(input, "convolution")
    if x.ndim == 3:
        return conv1d(
            x, filters, 1 if strides is None else strides, padding, data_format or "NWC", dilations
        )
    return conv2d(
        x, filters, 1 if strides is None else strides, padding, data_format or "NHWC", dilations
    )


__all__ = [
    "conv1d",
    "conv2d",
    "depthwise_conv2d",
    "conv2d_transpose",
    "max_pool2d",
    "avg_pool2d",
    "max_pool1d",
    "avg_pool1d",
    "max_pool",
    "avg_pool",
    "convolution",
]


def separable_conv2d(
    input,
    depthwise_filter,
    pointwise_filter,
    strides,
    padding,
    data_format="NHWC",
    dilations=None,
    name=None,
) -> Tensor:
    """A depthwise convolution followed by a 1x1 (pointwise) convolution."""
    first = data_format is not None and str(data_format).upper().startswith("NC")
    y = depthwise_conv2d(input, depthwise_filter, strides, padding, data_format, dilations)
    return conv2d(y, pointwise_filter, 1, "VALID", "NCHW" if first else "NHWC")


def conv1d_transpose(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format="NWC",
    dilations=None,
    name=None,
) -> Tensor:
    """The gradient of conv1d with respect to its input: ``filters`` is (K, O, C)."""
    x = _float_input(input, "conv1d_transpose")
    f = convert_to_tensor(filters)
    first = data_format is not None and str(data_format).upper() == "NCW"
    if first:
        x = transpose(x, [0, 2, 1])
    out = [int(v) for v in output_shape]
    if first:
        out = [out[0], out[2], out[1]]
    s = _pair(strides, "strides", "conv1d_transpose", 1)[0]
    d = _pair(1 if dilations is None else dilations, "dilations", "conv1d_transpose", 1)[0]
    y = conv2d_transpose(
        reshape(x, (x._value.shape[0], 1) + x._value.shape[1:]),
        reshape(f, (1,) + f._value.shape),
        [out[0], 1, out[1], out[2]],
        (1, s),
        padding,
        "NHWC",
        (1, d),
    )
    y = reshape(y, (out[0], out[1], out[2]))
    return transpose(y, [0, 2, 1]) if first else y


def conv_transpose(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format=None,
    dilations=None,
    name=None,
) -> Tensor:
    """``tf.nn.conv_transpose``: 1-D or 2-D by the input's rank."""
    if _float_input(input, "conv_transpose").ndim == 3:
        return conv1d_transpose(
            input, filters, output_shape, strides, padding, data_format or "NWC", dilations
        )
    return conv2d_transpose(
        input, filters, output_shape, strides, padding, data_format or "NHWC", dilations
    )


__all__ += ["separable_conv2d", "conv1d_transpose", "conv_transpose"]
