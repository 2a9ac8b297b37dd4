"""Neural-network ops (``tf.nn``): activations, softmax, cross-entropies, dropout, moments.

Losses are written in their numerically stable forms (log-sum-exp, ``max(x, 0) - x*z +
log(1 + exp(-|x|))``) so large logits never overflow.
"""

from __future__ import annotations

import math as _math

import numpy as np

from lamina.autodiff.tape import record
from lamina.autodiff.tensor import Tensor
from lamina.backend.random import rng
from lamina.ops.array_ops import gather, getitem, one_hot, where
from lamina.ops.core import (
    _float_input,
    _to_array,
    add,
    as_tensor_pair,
    cast,
    convert_to_tensor,
    divide,
    exp,
    log,
    matmul,
    multiply,
    negative,
    reduce_sum,
    reshape,
    subtract,
)
from lamina.ops.elementwise import (
    _unary,
    abs,
    erf,
    log1p,
    maximum,
    minimum,
    rsqrt,
    sigmoid,
    softplus,
    softsign,
    sqrt,
    square,
    tanh,
)
from lamina.ops.reduction import reduce_logsumexp, reduce_mean


# --- activations --------------------------------------------------------------------------
def relu(features, name=None) -> Tensor:
    """max(x, 0); the gradient at 0 is 0, as TensorFlow."""
    x = features if isinstance(features, Tensor) else convert_to_tensor(features)
    v = x._value
    return record(np.maximum(v, v.dtype.type(0)), (x,), lambda g: (_relu_grad(g, v),))


def _relu_grad(g: Tensor, v: np.ndarray) -> Tensor:
    """``g * (v > 0)``: the ReLU backward, linear in ``g`` (so its own VJP).

    The 0/1 mask is made in the result's buffer and multiplied in place: one large array per
    call instead of three (mask, float mask, product), with the same bits as ``g * mask``."""
    gv = g._value
    out = np.greater(v, 0).astype(gv.dtype)
    if out.shape != gv.shape:  # a broadcast seed gradient: the general op unbroadcasts
        return multiply(g, Tensor(out))
    np.multiply(out, gv, out=out)
    return record(out, (g,), lambda gg: (_relu_grad(gg, v),))


def relu6(features, name=None) -> Tensor:
    """min(max(x, 0), 6)."""
    x = convert_to_tensor(features)
    v = x._value
    mask = (v > 0) & (v < 6)
    return record(
        np.clip(v, 0, 6).astype(v.dtype),
        (x,),
        lambda g: (multiply(g, Tensor(mask.astype(g._value.dtype))),),
    )


def leaky_relu(features, alpha=0.2, name=None) -> Tensor:
    """x for x > 0, else alpha * x."""
    x = _float_input(features, "leaky_relu")
    mask = x._value > 0
    slope = Tensor(np.where(mask, 1, alpha).astype(x._value.dtype))
    return record(x._value * slope._value, (x,), lambda g: (multiply(g, slope),))


def elu(features, alpha=1.0, name=None) -> Tensor:
    """x for x > 0, else alpha * (exp(x) - 1)."""
    x = _float_input(features, "elu")
    pos = x._value > 0

    def fwd(v):
        return np.where(pos, v, alpha * np.expm1(np.minimum(v, 0))).astype(v.dtype)

    def grad(g, x, y):
        return multiply(g, where(pos, 1.0, add(y, float(alpha))))

    return _unary(x, "elu", fwd, grad)


_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


def selu(features, name=None) -> Tensor:
    """Scaled ELU with the self-normalizing constants."""
    return multiply(elu(features, _SELU_ALPHA), _SELU_SCALE)


def gelu(features, approximate=False, name=None) -> Tensor:
    """Gaussian error linear unit: x * Phi(x) (tanh approximation when ``approximate``)."""
    x = _float_input(features, "gelu")
    if approximate:
        c = _math.sqrt(2.0 / _math.pi)
        inner = multiply(c, add(x, multiply(0.044715, multiply(x, square(x)))))
        return multiply(multiply(0.5, x), add(1.0, tanh(inner)))
    return multiply(multiply(0.5, x), add(1.0, erf(multiply(x, 1.0 / _math.sqrt(2.0)))))


def silu(features, beta=1.0, name=None) -> Tensor:
    """x * sigmoid(beta * x) (a.k.a. swish)."""
    x = _float_input(features, "silu")
    return multiply(x, sigmoid(multiply(x, float(beta)) if beta != 1.0 else x))


swish = silu


def hard_sigmoid(x, name=None) -> Tensor:
    """max(0, min(1, x/6 + 1/2)), as Keras 3 (Keras 2 used 0.2x + 0.5)."""
    x = _float_input(x, "hard_sigmoid")
    return maximum(0.0, minimum(1.0, add(divide(x, 6.0), 0.5)))


def log_softmax(logits, axis=-1, name=None) -> Tensor:
    """logits - logsumexp(logits), stable for large values."""
    x = _float_input(logits, "log_softmax")
    return subtract(x, reduce_logsumexp(x, axis=axis, keepdims=True))


def softmax(logits, axis=-1, name=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``axis`` (the max is subtracted first)."""
    x = _float_input(logits, "softmax")
    ax = int(axis)
    if not -max(x.ndim, 1) <= ax < max(x.ndim, 1):
        raise ValueError(f"softmax: axis {ax} is out of range for a tensor of rank {x.ndim}.")
    v = x._value
    e = v - np.maximum.reduce(v, axis=ax, keepdims=True)
    np.exp(e, out=e)
    e /= np.add.reduce(e, axis=ax, keepdims=True)
    y = e

    def vjp(g):
        gy = multiply(g, out)
        return (subtract(gy, multiply(out, reduce_sum(gy, axis=ax, keepdims=True))),)

    out = record(y, (x,), vjp)
    return out


# --- cross-entropies ----------------------------------------------------------------------
def _check_same_shape(a: Tensor, b: Tensor, op: str, an: str, bn: str) -> None:
    if a._value.shape != b._value.shape:
        raise ValueError(
            f"{op}: `{an}` and `{bn}` must have the same shape, received "
            f"{tuple(a.shape)} and {tuple(b.shape)}."
        )


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None) -> Tensor:
    """Element-wise logistic loss, ``max(x, 0) - x*z + log(1 + exp(-|x|))``."""
    if labels is None or logits is None:
        raise ValueError("sigmoid_cross_entropy_with_logits needs both `labels` and `logits`.")
    x = _float_input(logits, "sigmoid_cross_entropy_with_logits")
    z = convert_to_tensor(_to_array(labels, x._value.dtype))
    _check_same_shape(z, x, "sigmoid_cross_entropy_with_logits", "labels", "logits")
    pos = Tensor(x._value >= 0)  # TensorFlow's branches: the gradient at 0 is sigmoid(0) - z
    relu_logits = where(pos, x, 0.0)
    neg_abs = where(pos, negative(x), x)
    return add(subtract(relu_logits, multiply(x, z)), log1p(exp(neg_abs)))


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None) -> Tensor:
    """Logistic loss with positive examples weighted by ``pos_weight``."""
    x = _float_input(logits, "weighted_cross_entropy_with_logits")
    z = convert_to_tensor(_to_array(labels, x._value.dtype))
    _check_same_shape(z, x, "weighted_cross_entropy_with_logits", "labels", "logits")
    pw = convert_to_tensor(_to_array(pos_weight, x._value.dtype))
    lw = add(1.0, multiply(subtract(pw, 1.0), z))
    soft = add(log1p(exp(negative(abs(x)))), maximum(negative(x), 0.0))
    return add(multiply(subtract(1.0, z), x), multiply(lw, soft))


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None) -> Tensor:
    """-sum(labels * log_softmax(logits)) along ``axis``."""
    x = _float_input(logits, "softmax_cross_entropy_with_logits")
    z = convert_to_tensor(_to_array(labels, x._value.dtype))
    _check_same_shape(z, x, "softmax_cross_entropy_with_logits", "labels", "logits")
    return negative(reduce_sum(multiply(z, log_softmax(x, axis=axis)), axis=axis))


softmax_cross_entropy_with_logits_v2 = softmax_cross_entropy_with_logits


def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None) -> Tensor:
    """Cross-entropy with integer class labels: logsumexp(logits) - logits[label]."""
    if labels is None or logits is None:
        raise ValueError(
            "sparse_softmax_cross_entropy_with_logits needs both `labels` and `logits`."
        )
    x = _float_input(logits, "sparse_softmax_cross_entropy_with_logits")
    lab = np.asarray(_to_array(labels))
    if lab.dtype.kind == "f":
        lab = lab.astype(np.int64)
    if lab.shape != x._value.shape[:-1]:
        raise ValueError(
            f"sparse_softmax_cross_entropy_with_logits: `labels` shape {lab.shape} must equal "
            f"`logits` shape {tuple(x.shape)} without its last axis."
        )
    n = x._value.shape[-1]
    if lab.size and (lab.min() < 0 or lab.max() >= n):
        raise ValueError(
            f"sparse_softmax_cross_entropy_with_logits: labels must be in [0, {n}), received "
            f"values from {lab.min()} to {lab.max()}."
        )
    picked = getitem(x, (*np.indices(lab.shape, sparse=True), lab))
    return subtract(reduce_logsumexp(x, axis=-1), picked)


def l2_loss(t, name=None) -> Tensor:
    """sum(t ** 2) / 2."""
    return divide(reduce_sum(square(_float_input(t, "l2_loss"))), 2.0)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None) -> Tensor:
    """x / sqrt(max(sum(x**2), epsilon)) along ``axis``."""
    if dim is not None:
        axis = dim
    x = _float_input(x, "l2_normalize")
    sq = reduce_sum(square(x), axis=axis, keepdims=True)
    return multiply(x, rsqrt(maximum(sq, float(epsilon))))


def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) over ``axes``."""
    x = _float_input(x, "moments")
    mean = reduce_mean(x, axis=axes, keepdims=True)
    var = reduce_mean(square(subtract(x, mean)), axis=axes, keepdims=keepdims)
    if not keepdims:
        mean = reshape(mean, var._value.shape)
    return mean, var


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None) -> Tensor:
    """(x - mean) / sqrt(variance + eps) * scale + offset."""
    inv = rsqrt(add(variance, float(variance_epsilon)))
    if scale is not None:
        inv = multiply(inv, scale)
    y = multiply(subtract(x, mean), inv)
    return y if offset is None else add(y, offset)


def bias_add(value, bias, data_format=None, name=None) -> Tensor:
    """Add a 1-D bias to the channel axis (last, or axis 1 for ``NC...`` formats)."""
    x, b = as_tensor_pair(value, bias, "bias_add")
    if b.ndim != 1:
        raise ValueError(f"bias_add: `bias` must be 1-D, received shape {tuple(b.shape)}.")
    if data_format is not None and str(data_format).startswith("NC") and x.ndim > 2:
        b = reshape(b, (-1,) + (1,) * (x.ndim - 2))
        ch = x._value.shape[1]
    else:
        ch = x._value.shape[-1]
    if ch != b._value.size:
        raise ValueError(
            f"bias_add: bias of size {b._value.size} does not match the "
            f"{ch} channels of the input of shape {tuple(x.shape)}."
        )
    return add(x, b)


def dropout(x, rate=None, noise_shape=None, seed=None, name=None, keep_prob=None) -> Tensor:
    """Zero each entry with probability ``rate`` and scale the rest by 1 / (1 - rate)."""
    if rate is None:
        if keep_prob is None:
            raise ValueError("dropout: give `rate` (the fraction of entries to drop).")
        rate = 1.0 - float(keep_prob)
    rate = float(rate)
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: `rate` must be in [0, 1), received {rate}.")
    x = _float_input(x, "dropout")
    if rate == 0:
        return x
    shape_ = (
        x._value.shape
        if noise_shape is None
        else tuple(d if n is None else int(n) for n, d in zip(noise_shape, x._value.shape))
    )
    from lamina.backend.random import make_rng

    r = rng() if seed is None else make_rng(seed)
    keep = (r.random_sample(shape_) >= rate).astype(x._value.dtype) / (1.0 - rate)
    return multiply(x, Tensor(keep.astype(x._value.dtype)))


def embedding_lookup(params, ids, max_norm=None, name=None) -> Tensor:
    """Rows of ``params`` at ``ids`` (``gather``)."""
    return gather(params, ids)


def compute_average_loss(per_example_loss, sample_weight=None, global_batch_size=None):
    """The summed per-example loss divided by the global batch size."""
    loss = convert_to_tensor(per_example_loss)
    if sample_weight is not None:
        loss = multiply(loss, sample_weight)
    n = (
        global_batch_size
        if global_batch_size is not None
        else (loss._value.shape[0] if loss.ndim else 1)
    )
    return divide(reduce_sum(loss), float(n))


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None) -> Tensor:
    """exp(log_input) - targets * log_input (plus Stirling's term when asked)."""
    z = convert_to_tensor(targets)
    c = _float_input(log_input, "log_poisson_loss")
    z = cast(z, c.dtype)
    out = subtract(exp(c), multiply(z, c))
    if compute_full_loss:
        zv = z._value
        stirling = np.where(
            zv > 1,
            zv * np.log(np.maximum(zv, 1)) - zv + 0.5 * np.log(2 * np.pi * np.maximum(zv, 1)),
            0,
        ).astype(zv.dtype)
        out = add(out, Tensor(stirling))
    return out


def xw_plus_b(x, weights, biases, name=None) -> Tensor:
    """x @ weights + biases."""
    return bias_add(matmul(x, weights), biases)


__all__ = [
    "relu",
    "relu6",
    "leaky_relu",
    "elu",
    "selu",
    "gelu",
    "silu",
    "swish",
    "hard_sigmoid",
    "log_softmax",
    "softmax",
    "sigmoid_cross_entropy_with_logits",
    "weighted_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits_v2",
    "sparse_softmax_cross_entropy_with_logits",
    "l2_loss",
    "l2_normalize",
    "moments",
    "batch_normalization",
    "bias_add",
    "dropout",
    "embedding_lookup",
    "compute_average_loss",
    "log_poisson_loss",
    "xw_plus_b",
    "sigmoid",
    "tanh",
    "softplus",
    "softsign",
    "one_hot",
    "sqrt",
    "log",
]


def crelu(features, axis=-1, name=None) -> Tensor:
    """Concatenated ReLU: [relu(x), relu(-x)] along ``axis``."""
    from lamina.ops.array_ops import concat

    x = _float_input(features, "crelu")
    return concat([relu(x), relu(negative(x))], axis=axis)


def local_response_normalization(
    input, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5, name=None
) -> Tensor:
    """x / (bias + alpha * sum of squares over the 2r+1 neighbouring channels) ** beta."""
    from lamina.ops.array_ops import pad as _pad
    from lamina.ops.elementwise import pow as _pow
    from lamina.ops.reduction import cumsum

    x = _float_input(input, "local_response_normalization")
    r = int(depth_radius)
    sq = _pad(square(x), [[0, 0]] * (x.ndim - 1) + [[r + 1, r]])
    cs = cumsum(sq, axis=-1)
    c = x._value.shape[-1]
    hi = getitem(cs, (Ellipsis, slice(2 * r + 1, 2 * r + 1 + c)))
    lo = getitem(cs, (Ellipsis, slice(0, c)))
    return divide(x, _pow(add(float(bias), multiply(float(alpha), subtract(hi, lo))), float(beta)))


lrn = local_response_normalization


def sufficient_statistics(x, axes, shift=None, keepdims=False, name=None):
    """(count, sum, sum of squares, shift) over ``axes``."""
    x = _float_input(x, "sufficient_statistics")
    ax = [a % x.ndim for a in (axes if isinstance(axes, (list, tuple)) else [axes])]
    count = float(np.prod([x._value.shape[a] for a in ax]))
    s = reduce_sum(x, axis=ax, keepdims=keepdims)
    ss = reduce_sum(square(x), axis=ax, keepdims=keepdims)
    return Tensor(np.asarray(count, x._value.dtype)), s, ss, None


def normalize_moments(counts, mean_ss, variance_ss, shift, name=None):
    """(mean, variance) from sufficient statistics."""
    mean = divide(mean_ss, counts)
    var = subtract(divide(variance_ss, counts), square(mean))
    return mean, var


def weighted_moments(x, axes, frequency_weights, keepdims=False, name=None):
    """Mean and variance of ``x`` with ``frequency_weights`` (broadcast to ``x``)."""
    x = _float_input(x, "weighted_moments")
    w = convert_to_tensor(_to_array(frequency_weights, x._value.dtype))
    w = multiply(w, Tensor(np.ones(x._value.shape, x._value.dtype)))
    total = reduce_sum(w, axis=axes, keepdims=True)
    mean = divide(reduce_sum(multiply(w, x), axis=axes, keepdims=True), total)
    var = divide(
        reduce_sum(multiply(w, square(subtract(x, mean))), axis=axes, keepdims=True), total
    )
    if not keepdims:
        ax = [a % x.ndim for a in (axes if isinstance(axes, (list, tuple)) else [axes])]
        shape_ = tuple(d for i, d in enumerate(x._value.shape) if i not in ax)
        mean, var = reshape(mean, shape_), reshape(var, shape_)
    return mean, var


def scale_regularization_loss(regularization_loss) -> Tensor:
    """The loss itself (there is one replica)."""
    return convert_to_tensor(regularization_loss)


def zero_fraction(value, name=None) -> Tensor:
    """The fraction of entries equal to zero."""
    from lamina.ops.extras import zero_fraction as _zf

    return _zf(value)


__all__ += [
    "crelu",
    "local_response_normalization",
    "lrn",
    "sufficient_statistics",
    "normalize_moments",
    "weighted_moments",
    "scale_regularization_loss",
    "zero_fraction",
]
