"""Activation functions (``keras.activations``), callable on tensors and differentiable.

Each function takes a Tensor (or array-like) and returns a Tensor built from lamina ops, so
it can be used in a layer (``Dense(4, activation='relu')``), on its own
(``activations.sigmoid(A)``) and on a ``GradientTape``. Every function's ``__name__`` is its
Keras name, which is what ``serialize`` returns.

``sigmoid`` and ``softmax`` outputs remember their logits, so the cross-entropy losses can
use the exact logits form, as tf.keras does.
"""

from __future__ import annotations

import math

import numpy as np

from lamina.autodiff.tape import record
from lamina.autodiff.tensor import Tensor
from lamina.losses import _ops as K
from lamina.ops import nn
from lamina.ops.elementwise import softsign as softsign_op

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _x(x) -> Tensor:
    return K.as_float(x)


def _num(value, name: str, fn: str) -> float:
    if isinstance(value, bool):
        raise TypeError(f"{fn}: `{name}` must be a number, received {value!r}.")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{fn}: `{name}` must be a number, received {value!r}.") from None


def _check_axis(axis, fn: str) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{fn}: `axis` must be an integer, received {axis!r}.")
    return int(axis)


# --- rectifiers -----------------------------------------------------------------------------


def relu(
    x,
    alpha: float = 0.0,
    max_value: float | None = None,
    threshold: float = 0.0,
    negative_slope: float | None = None,
) -> Tensor:
    """Rectified linear unit: ``max(x, 0)``, optionally leaky, capped and thresholded.

    Args:
        alpha: slope below the threshold (Keras 3 calls it ``negative_slope``).
        max_value: upper cap of the output (None for no cap).
        threshold: values below it are set to zero (or to the leaky line).
    """
    x = _x(x)
    if negative_slope is not None:
        alpha = negative_slope
    alpha = _num(alpha, "alpha", "relu")
    threshold = _num(threshold, "threshold", "relu")
    if max_value is not None:
        max_value = _num(max_value, "max_value", "relu")
        if max_value < 0:
            raise ValueError(f"relu: `max_value` must be >= 0, received {max_value!r}.")
    if alpha == 0 and threshold == 0:
        if max_value is None:
            return K.relu(x)
        if max_value == 6:  # as Keras: tf.nn.relu6, whose gradient at 6 is 0
            return nn.relu6(x)
    v = x._value
    dt = v.dtype
    alpha_v, thr = np.asarray(alpha, dt), np.asarray(threshold, dt)
    above = v > thr if threshold != 0 else v > 0
    pos = np.where(above, v, np.zeros((), dt))
    dpos = above.copy()
    if max_value is not None:
        cap = np.asarray(max_value, dt)
        dpos &= pos <= cap
        pos = np.minimum(pos, cap)
    out = pos
    if alpha != 0:
        neg_mask = v < thr  # the part ``relu(threshold - x)`` is active
        out = pos - alpha_v * np.where(neg_mask, thr - v, np.zeros((), dt))
        deriv = dpos.astype(dt) + alpha_v * neg_mask.astype(dt)
    else:
        deriv = dpos.astype(dt)
    return record(out.astype(dt, copy=False), (x,), lambda g: (K.multiply(g, K.const(deriv, g)),))


def relu6(x) -> Tensor:
    """``min(max(x, 0), 6)``; no gradient at 0 and 6, as ``tf.nn.relu6``."""
    return nn.relu6(_x(x))


def leaky_relu(x, negative_slope: float = 0.2, alpha: float | None = None) -> Tensor:
    """``x`` for positive inputs, ``negative_slope * x`` otherwise."""
    slope = _num(negative_slope if alpha is None else alpha, "negative_slope", "leaky_relu")
    return nn.leaky_relu(_x(x), alpha=slope)


def elu(x, alpha: float = 1.0) -> Tensor:
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise."""
    return nn.elu(_x(x), alpha=_num(alpha, "alpha", "elu"))


def selu(x) -> Tensor:
    """Scaled ELU: ``scale * elu(x, alpha)`` with the self-normalising constants."""
    x = _x(x)
    return K.multiply(K.const(_SELU_SCALE, x), elu(x, _SELU_ALPHA))


def celu(x, alpha: float = 1.0) -> Tensor:
    """``max(x, 0) + min(alpha * (exp(x / alpha) - 1), 0)``."""
    x = _x(x)
    a = _num(alpha, "alpha", "celu")
    if a == 0:
        raise ValueError("celu: `alpha` must not be 0.")
    return (
        elu(K.multiply(x, K.const(1.0 / a, x)), 1.0)
        if a == 1.0
        else K.multiply(K.const(a, x), elu(K.multiply(x, K.const(1.0 / a, x)), 1.0))
    )


# --- sigmoids and softmax -------------------------------------------------------------------


def sigmoid(x) -> Tensor:
    """``1 / (1 + exp(-x))``, computed without overflow."""
    x = _x(x)
    out = K.sigmoid(x)
    K.attach_logits(out, x, "sigmoid")
    return out


def hard_sigmoid(x) -> Tensor:
    """Piecewise-linear sigmoid as tf.keras 2.x: ``clip(0.2 * x + 0.5, 0, 1)``."""
    x = _x(x)
    lin = K.add(K.multiply(x, K.const(0.2, x)), K.const(0.5, x))
    return K.clip(lin, 0.0, 1.0)


def log_sigmoid(x) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``."""
    x = _x(x)
    return K.negative(K.softplus(K.negative(x)))


def softmax(x, axis: int = -1) -> Tensor:
    """Normalised exponentials along ``axis`` (shifted by the max for stability)."""
    x = _x(x)
    axis = _check_axis(axis, "softmax")
    if x._value.ndim == 0:
        raise ValueError("softmax: expected a tensor with at least one axis, received a scalar.")
    out = K.softmax(x, axis)
    K.attach_logits(out, x, "softmax")
    return out


def log_softmax(x, axis: int = -1) -> Tensor:
    """``x - logsumexp(x, axis)``."""
    x = _x(x)
    axis = _check_axis(axis, "log_softmax")
    return K.log_softmax(x, axis)


# --- smooth functions -----------------------------------------------------------------------


def tanh(x) -> Tensor:
    """Hyperbolic tangent."""
    return K.tanh(_x(x))


def softplus(x) -> Tensor:
    """``log(1 + exp(x))``, without overflow."""
    return K.softplus(_x(x))


def softsign(x) -> Tensor:
    """``x / (1 + |x|)``."""
    return softsign_op(_x(x))


def silu(x, beta: float = 1.0) -> Tensor:
    """Swish / SiLU: ``x * sigmoid(beta * x)``."""
    x = _x(x)
    b = _num(beta, "beta", "silu")
    z = x if b == 1.0 else K.multiply(x, K.const(b, x))
    return K.multiply(x, K.sigmoid(z))


def swish(x, beta: float = 1.0) -> Tensor:
    """Swish / SiLU: ``x * sigmoid(beta * x)``."""
    return silu(x, beta)


def hard_silu(x) -> Tensor:
    """Hard swish: ``x * relu6(x + 3) / 6``."""
    x = _x(x)
    return K.multiply(x, K.multiply(relu6(K.add(x, K.const(3.0, x))), K.const(1.0 / 6.0, x)))


def hard_swish(x) -> Tensor:
    """Hard swish: ``x * relu6(x + 3) / 6``."""
    return hard_silu(x)


def mish(x) -> Tensor:
    """``x * tanh(softplus(x))``."""
    x = _x(x)
    return K.multiply(x, K.tanh(K.softplus(x)))


def _erf(v: np.ndarray) -> np.ndarray:
    """Error function in float64 (|error| < 1.2e-7, Numerical Recipes' erfc rational fit)."""
    z = np.abs(v.astype(np.float64))
    t = 1.0 / (1.0 + 0.5 * z)
    poly = (
        -z * z
        - 1.26551223
        + t
        * (
            1.00002368
            + t
            * (
                0.37409196
                + t
                * (
                    0.09678418
                    + t
                    * (
                        -0.18628806
                        + t
                        * (
                            0.27886807
                            + t
                            * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))
                        )
                    )
                )
            )
        )
    )
    r = 1.0 - t * np.exp(poly)
    return np.where(v >= 0, r, -r)


def gelu(x, approximate: bool = False) -> Tensor:
    """Gaussian error linear unit ``x * Phi(x)`` (``approximate=True``: the tanh form)."""
    x = _x(x)
    if approximate:
        c = math.sqrt(2.0 / math.pi)
        inner = K.multiply(
            K.const(c, x), K.add(x, K.multiply(K.const(0.044715, x), K.multiply(K.square(x), x)))
        )
        return K.multiply(K.multiply(K.const(0.5, x), x), K.add(K.const(1.0, x), K.tanh(inner)))
    v = x._value
    cdf = 0.5 * (1.0 + _erf(v / math.sqrt(2.0)))
    out = (v * cdf).astype(v.dtype)
    pdf = np.exp(-0.5 * np.square(v.astype(np.float64))) / math.sqrt(2.0 * math.pi)
    deriv = (cdf + v * pdf).astype(v.dtype)
    return record(out, (x,), lambda g: (K.multiply(g, K.const(deriv, g)),))


def exponential(x) -> Tensor:
    """``exp(x)``."""
    return K.exp(_x(x))


def linear(x) -> Tensor:
    """The identity: returns its input unchanged."""
    return x if isinstance(x, Tensor) else _x(x)


# --- shrinkage and sparse functions (Keras 3) ----------------------------------------------


def hard_tanh(x) -> Tensor:
    """``clip(x, -1, 1)``."""
    return K.clip(_x(x), -1.0, 1.0)


def hard_shrink(x, threshold: float = 0.5) -> Tensor:
    """``x`` where ``|x| > threshold``, else 0."""
    x = _x(x)
    t = _num(threshold, "threshold", "hard_shrink")
    keep = np.abs(x._value) > t
    return K.where(keep, x, K.const(np.zeros(x._value.shape), x))


def soft_shrink(x, threshold: float = 0.5) -> Tensor:
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0."""
    x = _x(x)
    t = _num(threshold, "threshold", "soft_shrink")
    v = x._value
    shift = np.where(v > t, -t, np.where(v < -t, t, 0)).astype(v.dtype)
    inside = np.abs(v) <= t
    return K.where(~inside, K.add(x, K.const(shift, x)), K.const(np.zeros(v.shape), x))


def tanh_shrink(x) -> Tensor:
    """``x - tanh(x)``."""
    x = _x(x)
    return K.subtract(x, K.tanh(x))


def squareplus(x, b: float = 4) -> Tensor:
    """``(x + sqrt(x**2 + b)) / 2``, a smooth ReLU."""
    x = _x(x)
    b = _num(b, "b", "squareplus")
    if b < 0:
        raise ValueError(f"squareplus: `b` must be >= 0, received {b!r}.")
    root = K.sqrt(K.add(K.square(x), K.const(b, x)))
    return K.multiply(K.add(x, root), K.const(0.5, x))


def sparse_plus(x) -> Tensor:
    """0 for ``x <= -1``, ``x`` for ``x >= 1``, ``(x + 1)**2 / 4`` between."""
    x = _x(x)
    v = x._value
    mid = K.multiply(K.square(K.add(x, K.const(1.0, x))), K.const(0.25, x))
    zero = K.const(np.zeros(v.shape), x)
    return K.where(v <= -1, zero, K.where(v >= 1, x, mid))


def sparse_sigmoid(x) -> Tensor:
    """0 for ``x <= -1``, 1 for ``x >= 1``, ``(x + 1) / 2`` between."""
    x = _x(x)
    return K.clip(K.multiply(K.add(x, K.const(1.0, x)), K.const(0.5, x)), 0.0, 1.0)


def threshold(x, threshold: float, default_value: float) -> Tensor:
    """``x`` where ``x > threshold``, else ``default_value``."""
    x = _x(x)
    t = _num(threshold, "threshold", "threshold")
    d = _num(default_value, "default_value", "threshold")
    return K.where(x._value > t, x, K.const(np.full(x._value.shape, d), x))


def glu(x, axis: int = -1) -> Tensor:
    """Gated linear unit: split ``x`` in two halves ``a, b`` along ``axis``; ``a * sigmoid(b)``."""
    x = _x(x)
    axis = _check_axis(axis, "glu")
    v = x._value
    ax = axis % v.ndim if v.ndim else 0
    n = v.shape[ax] if v.ndim else 0
    if n % 2:
        raise ValueError(f"glu: the size of axis {axis} must be even, received shape {v.shape}.")
    a, b = _halves(x, ax)
    return K.multiply(a, K.sigmoid(b))


def _halves(x: Tensor, axis: int) -> tuple[Tensor, Tensor]:
    """Split ``x`` into two equal halves along ``axis`` (differentiable)."""
    v = x._value
    h = v.shape[axis] // 2

    def part(lo: int) -> Tensor:
        idx = [slice(None)] * v.ndim
        idx[axis] = slice(lo, lo + h)
        idx = tuple(idx)

        def vjp(g):
            full = np.zeros(v.shape, dtype=g._value.dtype)
            return (_embed(g, idx, full),)

        return record(np.ascontiguousarray(v[idx]), (x,), vjp)

    return part(0), part(h)


def _embed(g: Tensor, idx: tuple, full: np.ndarray) -> Tensor:
    """``g`` placed at ``idx`` inside zeros (the VJP of slicing; itself differentiable)."""
    full[idx] = g._value
    return record(full, (g,), lambda gg: (Tensor(np.ascontiguousarray(gg._value[idx])),))


def sparsemax(x, axis: int = -1) -> Tensor:
    """Euclidean projection of ``x`` onto the probability simplex along ``axis``."""
    x = _x(x)
    axis = _check_axis(axis, "sparsemax")
    v = np.moveaxis(x._value, axis, -1)
    z = -np.sort(-v, axis=-1)
    k = np.arange(1, v.shape[-1] + 1, dtype=v.dtype)
    cs = np.cumsum(z, axis=-1)
    support = 1 + k * z > cs
    k_z = np.sum(support, axis=-1, keepdims=True)
    tau = (np.take_along_axis(cs, k_z - 1, axis=-1) - 1) / k_z.astype(v.dtype)
    out = np.maximum(v - tau, 0).astype(v.dtype)
    sup = (out > 0).astype(v.dtype)
    out_m = np.moveaxis(out, -1, axis)
    sup_m = np.moveaxis(sup, -1, axis)
    n_sup = np.sum(sup_m, axis=axis, keepdims=True)

    def vjp(g):
        # J^T g = s * (g - sum(s * g) / |s|) with s the support indicator
        s = K.const(sup_m, g)
        mean = K.divide(K.reduce_sum(K.multiply(s, g), axis=axis, keepdims=True), K.const(n_sup, g))
        return (K.multiply(s, K.subtract(g, mean)),)

    return record(np.ascontiguousarray(out_m), (x,), vjp)


# --- lookup -----------------------------------------------------------------------------------

_ALL = {
    f.__name__: f
    for f in (
        relu,
        relu6,
        leaky_relu,
        elu,
        selu,
        celu,
        sigmoid,
        hard_sigmoid,
        log_sigmoid,
        softmax,
        log_softmax,
        tanh,
        softplus,
        softsign,
        silu,
        swish,
        hard_silu,
        hard_swish,
        mish,
        gelu,
        exponential,
        linear,
        hard_tanh,
        hard_shrink,
        soft_shrink,
        tanh_shrink,
        squareplus,
        sparse_plus,
        sparse_sigmoid,
        threshold,
        glu,
        sparsemax,
    )
}
#: Names ``get`` accepts besides the function names (Keras 2.x spellings).
_ALIASES = {"swish": swish, "hard_swish": hard_swish, "leakyrelu": leaky_relu}


def serialize(activation) -> str | dict | None:
    """The name of an activation function (what Keras stores in a layer config)."""
    if activation is None:
        return None
    if isinstance(activation, str):
        return activation
    name = getattr(activation, "__name__", None)
    if name in _ALL and _ALL[name] is activation:
        return name
    if hasattr(activation, "get_config"):
        return {
            "module": "keras.layers",
            "class_name": type(activation).__name__,
            "config": activation.get_config(),
            "registered_name": None,
        }
    if name is not None:
        return name
    raise ValueError(f"Cannot serialize activation {activation!r}: it has no name.")


def deserialize(name, custom_objects: dict | None = None):
    """The activation function called ``name`` (or described by a config dict)."""
    if isinstance(name, dict):
        cfg = name.get("config")
        cls = name.get("class_name")
        if cls == "function" or (isinstance(cfg, str) and cls in (None, "function")):
            return deserialize(cfg, custom_objects)
        if cls in _ALL and not cfg:
            return _ALL[cls]
        if custom_objects and cls in custom_objects:
            obj = custom_objects[cls]
            return obj.from_config(cfg or {}) if hasattr(obj, "from_config") else obj
        try:
            from lamina import layers

            layer_cls = getattr(layers, cls)
            return layer_cls.from_config(cfg or {})
        except Exception:  # noqa: BLE001
            raise ValueError(f"Unknown activation: {cls!r}.") from None
    if not isinstance(name, str):
        raise TypeError(f"Cannot deserialize an activation from {name!r}: expected a name.")
    from lamina.utils.serialization import catalogue_objects, lookup_name

    return lookup_name(
        "activation",
        name,
        catalogue_objects({**_ALL, **_ALIASES}, custom_objects),
        lead=f"Unknown activation function: {name!r}",
        valid=f"Valid activations are: {', '.join(sorted(_ALL))}.",
    )


def get(identifier):
    """Resolve an activation: None (linear), a name, a config dict or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(
        f"Could not interpret activation function identifier: {identifier!r}. Expected a "
        "name such as 'relu', a function or None."
    )


__all__ = sorted(_ALL) + ["get", "serialize", "deserialize"]
