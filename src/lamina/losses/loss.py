"""The ``Loss`` base class, reductions, and the wrapper that turns a function into a Loss.

A Loss object maps ``(y_true, y_pred, sample_weight)`` to a scalar Tensor built from lamina
ops, so it is differentiable on a ``GradientTape``. Subclasses implement ``call`` returning
one loss value per sample; ``__call__`` weights and reduces them as Keras does.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.backend.config import floatx
from lamina.losses import _ops as K
from lamina.utils.np_utils import numeric_array


class Reduction:
    """Names of the loss reductions (``tf.keras.losses.Reduction``)."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"
    MEAN = "mean"
    MEAN_WITH_SAMPLE_WEIGHT = "mean_with_sample_weight"

    @classmethod
    def all(cls) -> tuple:
        return (
            cls.AUTO,
            cls.NONE,
            cls.SUM,
            cls.SUM_OVER_BATCH_SIZE,
            cls.MEAN,
            cls.MEAN_WITH_SAMPLE_WEIGHT,
        )

    @classmethod
    def validate(cls, key) -> None:
        standardize_reduction(key)


def standardize_reduction(reduction):
    """Validate ``reduction`` (Keras 2 ``'auto'`` and ``None`` accepted) and return it."""
    if reduction is None or reduction in Reduction.all():
        return reduction
    raise ValueError(
        "Invalid value for argument `reduction`. Expected one of "
        f"{sorted(Reduction.all())} or None. Received: reduction={reduction!r}"
    )


class Loss:
    """Base class of losses: ``loss(y_true, y_pred, sample_weight=None)`` -> scalar Tensor.

    Subclass it and implement ``call(y_true, y_pred)`` returning per-sample losses::

        class MyMSE(lamina.losses.Loss):
            def call(self, y_true, y_pred):
                return lamina.reduce_mean(lamina.square(y_pred - y_true), axis=-1)
    """

    def __init__(
        self, reduction="sum_over_batch_size", name: str | None = None, dtype=None
    ) -> None:
        self.reduction = standardize_reduction(reduction)
        if name is None:
            from lamina.utils.naming import to_snake_case

            name = to_snake_case(type(self).__name__)
        if not isinstance(name, str):
            raise TypeError(f"`name` must be a string, received {type(name).__name__}: {name!r}")
        self.name = name
        self._dtype = None if dtype is None else K.dtype_name(dtype)

    @property
    def dtype(self) -> str:
        return self._dtype or floatx()

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        y_pred = K.as_float(y_pred, self.dtype)
        y_true = _as_labels(y_true, self.dtype)
        losses, mask = self._call_with_mask(y_true, y_pred)
        return reduce_weighted_values(losses, sample_weight, mask, self.reduction)

    def _call_with_mask(self, y_true, y_pred):
        out = self.call(y_true, y_pred)
        if not isinstance(out, Tensor):
            out = K.as_float(out, self.dtype)
        return out, None

    def call(self, y_true, y_pred):
        """Per-sample losses; implemented by subclasses."""
        raise NotImplementedError(f"{type(self).__name__} must implement `call(y_true, y_pred)`.")

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<lamina.losses.{type(self).__name__} name={self.name!r}>"


def _as_labels(y_true, dtype: str) -> Tensor:
    """Labels as a Tensor in the loss dtype (integers and bools are cast, as Keras does)."""
    if isinstance(y_true, Tensor):
        if y_true._value.dtype != np.dtype(dtype):
            return K.cast(y_true, dtype)  # differentiable between float types
        return y_true
    arr = numeric_array(y_true, "y_true")
    return Tensor(arr.astype(dtype, copy=False))


def align_ranks(x1: Tensor, x2: Tensor) -> tuple[Tensor, Tensor]:
    """Make ranks equal when they differ by one trailing axis of size 1 (Keras rule).

    A rank-1 operand is expanded (labels ``(N,)`` meet predictions ``(N, 1)``); otherwise
    the size-1 trailing axis is squeezed.
    """
    r1, r2 = x1._value.ndim, x2._value.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1._value.shape[-1] == 1:
        if r2 == 1:
            x2 = K.expand_last(x2)
        else:
            x1 = K.squeeze_last(x1)
    elif r2 == r1 + 1 and x2._value.shape[-1] == 1:
        if r1 == 1:
            x1 = K.expand_last(x1)
        else:
            x2 = K.squeeze_last(x2)
    return x1, x2


def align_ranks_np(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`align_ranks` on NumPy arrays."""
    r1, r2 = a.ndim, b.ndim
    if r1 == r2 + 1 and a.shape[-1] == 1:
        if r2 == 1:
            b = b[..., None]
        else:
            a = a[..., 0]
    elif r2 == r1 + 1 and b.shape[-1] == 1:
        if r1 == 1:
            a = a[..., None]
        else:
            b = b[..., 0]
    return a, b


def check_same_shape(y_true, y_pred, what: str) -> None:
    ts, ps = y_true._value.shape, y_pred._value.shape
    if ts == ps:
        return
    try:
        np.broadcast_shapes(ts, ps)
    except ValueError:
        raise ValueError(
            f"{what}: `y_true` and `y_pred` have incompatible shapes: y_true {ts}, "
            f"y_pred {ps}. Expected the same shape."
        ) from None


def _sample_weight_array(sample_weight, values_shape: tuple, dtype) -> np.ndarray:
    sw = numeric_array(sample_weight, "sample_weight").astype(dtype, copy=False)
    vs = values_shape
    if sw.ndim == len(vs) + 1 and sw.shape[-1] == 1:
        sw = sw[..., 0]
    elif len(vs) == sw.ndim + 1 and sw.shape == tuple(vs[: sw.ndim]):
        # tf.keras 2.x: weights one rank short of the losses (one per sample against
        # per-timestep losses) get a trailing axis and broadcast
        sw = sw[..., None]
    try:
        if sw.shape != vs:
            np.broadcast_shapes(sw.shape, vs)
    except ValueError:
        raise ValueError(
            f"`sample_weight` of shape {sw.shape} does not match the per-sample losses of "
            f"shape {vs}. Expected one weight per sample."
        ) from None
    return sw


def reduce_weighted_values(
    values: Tensor, sample_weight=None, mask=None, reduction="sum_over_batch_size"
) -> Tensor:
    """Weight per-sample ``values`` and reduce them as Keras does."""
    dtype = values._value.dtype
    sw_tensor = None
    if sample_weight is not None:
        if isinstance(sample_weight, Tensor):
            sw_tensor = sample_weight
            if sw_tensor._value.dtype != dtype:
                sw_tensor = K.cast(sw_tensor, dtype)
            sw_arr = _sample_weight_array(sw_tensor._value, values._value.shape, dtype)
            if sw_arr.shape != sw_tensor._value.shape:
                sw_tensor = K.reshape(sw_tensor, sw_arr.shape)
        else:
            sw_tensor = Tensor(_sample_weight_array(sample_weight, values._value.shape, dtype))
    if mask is not None:
        m = np.asarray(mask, dtype=dtype)
        if reduction in ("sum_over_batch_size", "auto", "mean"):
            valid = m.sum()
            m = m * (np.asarray(m.size, dtype) / valid if valid else np.asarray(0, dtype))
        mt = Tensor(m.astype(dtype, copy=False))
        sw_tensor = mt if sw_tensor is None else K.multiply(sw_tensor, mt)
    if sw_tensor is not None:
        values = K.multiply(values, sw_tensor)
    if reduction is None or reduction == "none" or values._value.ndim == 0:
        return values
    total = K.reduce_sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sw_tensor is not None:
        divisor = K.reduce_sum(sw_tensor)
        if float(divisor._value) == 0:
            return K.multiply(total, K.const(0, total))
        return K.divide(total, divisor)
    n = values._value.size
    if n == 0:
        return K.multiply(total, K.const(0, total))
    return K.divide(total, K.const(n, total))


_MEAN_REDUCTIONS = ("sum_over_batch_size", "auto", "mean", "mean_with_sample_weight")


def reduce_weighted_np(values: np.ndarray, sample_weight, reduction) -> tuple:
    """NumPy twin of :func:`reduce_weighted_values` for the compiled training path.

    Returns ``(loss, g)`` where ``g`` is d loss / d values, computed in the same order of
    float operations as the tape's backward pass (so both paths agree bit for bit).
    """
    dtype = values.dtype
    one = dtype.type(1)
    if sample_weight is None and values.ndim and reduction in _MEAN_REDUCTIONS and values.size:
        # the common case, kept cheap: g is the scalar 1 / n
        nn = dtype.type(values.size)
        return np.add.reduce(values, axis=None) / nn, one / nn
    sw = None
    if sample_weight is not None:
        sw = _sample_weight_array(sample_weight, values.shape, dtype)
    weighted = values * sw if sw is not None else values
    if reduction is None or reduction == "none" or values.ndim == 0:
        g = np.broadcast_to(one, values.shape)
        if sw is not None:
            g = np.broadcast_to(g * sw, values.shape)
        return weighted, np.array(g)
    total = np.add.reduce(weighted, axis=None)
    if reduction == "sum":
        gs = one
        value = total
    elif reduction == "mean_with_sample_weight" and sw is not None:
        divisor = np.add.reduce(sw, axis=None).astype(dtype)
        if divisor == 0:
            return np.zeros((), dtype), np.zeros(values.shape, dtype)
        value = np.true_divide(total, divisor)
        gs = np.true_divide(one, divisor)
    else:
        n = values.size
        if n == 0:
            return np.zeros((), dtype), np.zeros(values.shape, dtype)
        nn = np.asarray(n, dtype)
        value = np.true_divide(total, nn)
        gs = np.true_divide(one, nn)
    if sw is None:
        return value, np.full(values.shape, gs, dtype)
    g = np.multiply(gs, sw)
    if g.shape != values.shape:
        g = np.array(np.broadcast_to(g, values.shape))
    return value, g


class LossFunctionWrapper(Loss):
    """A Loss that calls ``fn(y_true, y_pred, **kwargs)`` for the per-sample losses."""

    def __init__(
        self, fn, reduction="sum_over_batch_size", name: str | None = None, dtype=None, **kwargs
    ) -> None:
        if not callable(fn):
            raise TypeError(f"`fn` must be callable, received {type(fn).__name__}: {fn!r}")
        super().__init__(
            reduction=reduction,
            name=name if name is not None else getattr(fn, "__name__", None),
            dtype=dtype,
        )
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = align_ranks(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        if type(self) is LossFunctionWrapper:
            config["fn"] = getattr(self.fn, "__name__", repr(self.fn))
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if cls is LossFunctionWrapper and isinstance(config.get("fn"), str):
            from lamina.losses import get

            config["fn"] = get(config["fn"])
        return cls(**config)

    def __repr__(self) -> str:
        return (
            f"<LossFunctionWrapper({getattr(self.fn, '__name__', self.fn)}, "
            f"kwargs={self._fn_kwargs})>"
        )
