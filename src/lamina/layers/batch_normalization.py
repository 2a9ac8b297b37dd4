"""``BatchNormalization``: normalize with batch statistics while training, moving ones after.

Semantics follow tf.keras 2.x (checked against tf_keras 2.21):

* training (``fit``, or ``training=True``): ``y = gamma * (x - mean) / sqrt(var + epsilon) +
  beta`` with the batch mean and the *biased* batch variance, and the moving statistics are
  updated in place: ``moving -= (moving - batch_stat) * (1 - momentum)``.
* the moving variance gets the *unbiased* batch variance (``n / (n - 1)``) when tf.keras would
  use its fused kernel (rank-4 or rank-5 input normalized on axis 1 or the last axis, and
  ``fused`` not False); otherwise the biased one, as tf.keras's non-fused path. Keras 3 always
  uses the biased one.
* inference (``training`` None/False, ``predict``, ``evaluate``) uses the moving statistics;
  a layer with ``trainable=False`` always runs in inference mode (tf.keras since TF 2.0).

The training-mode output is composed of differentiable lamina ops, so the tape's gradients
through the batch statistics are exact.
"""

from __future__ import annotations

import numpy as np

from lamina.layers.layer import InputSpec, Layer, _serialize

#: Arguments of tf.keras 2.x's BatchNormalization that lamina does not implement; refused
#: with a clear error when switched on (their "off" values are accepted so configs load).
_UNSUPPORTED = {"renorm": (False, None), "virtual_batch_size": (None,), "adjustment": (None,)}


def check_axis(axis, name: str = "axis"):
    """``axis`` as tf.keras stores it: an int, or a list of ints (TypeError otherwise)."""
    if isinstance(axis, (list, tuple)):
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis):
            return [int(a) for a in axis]
    elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        return int(axis)
    raise TypeError(
        f"Expected an int or a list/tuple of ints for the argument '{name}', but received: {axis!r}"
    )


def resolve_axis(axis, input_shape: tuple) -> list[int]:
    """``axis`` (int or list) as sorted non-negative ints for ``input_shape`` (tf.keras's
    ``validate_axis`` errors)."""
    rank = len(input_shape)
    axes = [axis] if isinstance(axis, int) else list(axis)
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(
                "Invalid value for `axis` argument. Expected 0 <= axis < inputs.rank (with "
                f"inputs.rank={rank}). Received: axis={tuple(axes)}"
            )
    out = [a % rank for a in axes]
    if len(set(out)) != len(out):
        raise ValueError(f"Duplicate axis: {tuple(axes)}")
    for a in out:
        if input_shape[a] is None:
            raise ValueError(
                "Input has undefined `axis` dimension. Received input with shape "
                f"{tuple(input_shape)} and axis={tuple(axes)}"
            )
    return out


def check_number(value, name: str, positive: bool = False) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.integer, np.floating))
        or (positive and not value > 0)
        or not np.isfinite(value)
    ):
        what = "a positive number" if positive else "a number"
        raise ValueError(
            f"Received an invalid value for `{name}`, expected {what}. Received: {name}={value!r}"
        )
    return float(value)


class BatchNormalization(Layer):
    """Normalize each feature (``axis``) over the batch, then scale by ``gamma`` and shift
    by ``beta``. Weights, in Keras's order: ``gamma``, ``beta`` (trainable),
    ``moving_mean``, ``moving_variance`` (non-trainable, updated while training).
    """

    def __init__(
        self,
        axis=-1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        synchronized: bool = False,
        **kwargs,
    ) -> None:
        from lamina.legacy import rename_kwargs

        kwargs = rename_kwargs("batch_normalization", kwargs)
        if "beta_initializer" in kwargs:  # Keras 1 `beta_init`
            beta_initializer = kwargs.pop("beta_initializer")
        if "gamma_initializer" in kwargs:
            gamma_initializer = kwargs.pop("gamma_initializer")
        fused = kwargs.pop("fused", None)
        kwargs.pop("renorm_clipping", None)
        kwargs.pop("renorm_momentum", None)
        for key, off in _UNSUPPORTED.items():
            value = kwargs.pop(key, None)
            if not any(value is o or (o is not None and value == o) for o in off):
                raise ValueError(
                    f"BatchNormalization: `{key}` is not supported by lamina. Received: "
                    f"{key}={value!r}. Expected: {key}={off[0]!r}."
                )
        super().__init__(**kwargs)
        from lamina import constraints, initializers, regularizers

        self.axis = check_axis(axis)
        self.momentum = check_number(momentum, "momentum")
        self.epsilon = check_number(epsilon, "epsilon", positive=True)
        if fused not in (None, True, False):
            raise ValueError(
                f"Received an invalid value for `fused`, expected None, True or False. "
                f"Received: fused={fused!r}"
            )
        single = [self.axis] if isinstance(self.axis, int) else self.axis
        if fused and (len(single) != 1 or single[0] not in (-4, -3, -1, 1, 3, 4)):
            raise ValueError(
                "Passing `fused=True` is only supported when axis is 1 or 3 for input rank = 4 "
                f"or 1 or 4 for input rank = 5. Got axis {self.axis}"
            )
        self.fused = fused
        self.center = bool(center)
        self.scale = bool(scale)
        self.synchronized = bool(synchronized)  # one device: nothing to synchronize
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.gamma = None
        self.beta = None
        self.moving_mean = None
        self.moving_variance = None
        self._param_shape = None  # the broadcast shape of the statistics, set in build
        self._reduce_axes = None
        self._axes = None  # the resolved axes (non-negative ints), set in build
        self._use_fused = False

    def build(self, input_shape) -> None:
        shape = tuple(None if d is None else int(d) for d in input_shape)
        axes = resolve_axis(self.axis, shape)
        rank = len(shape)
        if self.fused and rank not in (4, 5):
            raise ValueError(
                "Batch normalization layers with `fused=True` only support 4D or 5D input "
                f"tensors. Received tensor with shape: {shape}"
            )
        # ``axis`` stays as given (Keras 3 reads only an int back from a config); tf.keras 2.x
        # would show the resolved list here, which Keras 3 cannot load.
        self._axes = axes
        self._use_fused = (
            self.fused is not False
            and rank in (4, 5)
            and len(axes) == 1
            and axes[0] in (1, rank - 1)
        )
        dims = {a: shape[a] for a in axes}
        if len(axes) == 1:
            param_shape = (shape[axes[0]],)
        else:
            param_shape = tuple(dims.get(i, 1) for i in range(rank))
        self._param_shape = param_shape
        self._broadcast = tuple(dims.get(i, 1) for i in range(rank))
        self._reduce_axes = tuple(i for i in range(rank) if i not in dims)
        if self.scale:
            self.gamma = self.add_weight(
                "gamma",
                shape=param_shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                trainable=True,
            )
        if self.center:
            self.beta = self.add_weight(
                "beta",
                shape=param_shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                trainable=True,
            )
        self.moving_mean = self.add_weight(
            "moving_mean",
            shape=param_shape,
            initializer=self.moving_mean_initializer,
            trainable=False,
        )
        self.moving_variance = self.add_weight(
            "moving_variance",
            shape=param_shape,
            initializer=self.moving_variance_initializer,
            trainable=False,
        )
        self.input_spec = InputSpec(ndim=rank, axes=dims)
        self.built = True

    def _check_call_shape(self, shape: tuple) -> None:
        if len(shape) != len(self._broadcast) or any(
            shape[i] != d for i, d in enumerate(self._broadcast) if d != 1 or i in self._axes
        ):
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"ndim={len(self._broadcast)} with axis {self._axes} of size "
                f"{[self._broadcast[a] for a in self._axes]}, found shape {tuple(shape)}"
            )

    def _param(self, var):
        """A weight reshaped to broadcast against the input (a no-op on the last axis)."""
        from lamina.ops import core

        if var._value.shape == self._broadcast[-var._value.ndim :] or len(self._broadcast) == 1:
            return var
        return core.reshape(var, self._broadcast)

    def call(self, inputs, training=None, mask=None):
        """``mask`` (optional, e.g. ``(batch, steps)`` booleans for a sequence) weights the
        batch statistics while training, as Keras: masked positions do not count."""
        from lamina.ops import core, elementwise, reduction

        self._check_call_shape(inputs._value.shape)
        training = bool(training) and self.trainable
        if training:
            axes = self._reduce_axes
            if mask is None:
                mean = reduction.reduce_mean(inputs, axes, keepdims=True)
                var = reduction.reduce_mean(
                    elementwise.squared_difference(inputs, core.stop_gradient(mean)),
                    axes,
                    keepdims=True,
                )
                self._update_moving(mean._value, var._value, inputs._value.shape)
            else:
                mean, var = self._masked_moments(inputs, mask)
                self._update_moving(mean._value, var._value, inputs._value.shape, fused=False)
        else:
            mean = self._param(self.moving_mean)
            var = self._param(self.moving_variance)
        eps = np.asarray(self.epsilon, dtype=var._value.dtype)
        inv = elementwise.rsqrt(core.add(var, eps))
        if self.scale:
            inv = core.multiply(inv, self._param(self.gamma))
        shift = core.multiply(mean, inv)
        if self.center:
            shift = core.subtract(self._param(self.beta), shift)
        else:
            shift = elementwise.negative(shift)
        return core.add(core.multiply(inputs, inv), shift)

    def _masked_moments(self, inputs, mask):
        """Mean and variance over the batch axes with ``mask`` as frequency weights
        (``tf.nn.weighted_moments``); the mask gains trailing axes to broadcast."""
        from lamina.ops import core, elementwise, reduction

        v = inputs._value
        m = np.asarray(mask._value if hasattr(mask, "_value") else mask)
        if m.ndim > v.ndim or v.shape[: m.ndim] != m.shape:
            raise ValueError(
                f'BatchNormalization "{self.name}": `mask` of shape {m.shape} does not match '
                f"the leading axes of the input shape {v.shape}."
            )
        w = m.astype(v.dtype).reshape(m.shape + (1,) * (v.ndim - m.ndim))
        axes = self._reduce_axes
        total = np.add.reduce(np.broadcast_to(w, v.shape), axis=axes, keepdims=True)
        safe = np.where(total == 0, 1, total).astype(v.dtype)
        mean = core.divide(
            reduction.reduce_sum(core.multiply(inputs, w), axes, keepdims=True), safe
        )
        dist = core.multiply(elementwise.squared_difference(inputs, mean), w)
        var = core.divide(reduction.reduce_sum(dist, axes, keepdims=True), safe)
        return mean, var

    def _update_moving(
        self, mean: np.ndarray, var: np.ndarray, shape: tuple, fused: bool | None = None
    ) -> None:
        """Move the moving statistics toward this batch's, in place (as tf.keras)."""
        pshape = self._param_shape
        mean = mean.reshape(pshape)
        var = var.reshape(pshape)
        mm, mv = self.moving_mean._value, self.moving_variance._value
        if mean.dtype != mm.dtype:
            mean, var = mean.astype(mm.dtype), var.astype(mm.dtype)
        n = int(np.prod([shape[i] for i in self._reduce_axes])) if shape else 1
        if n == 0:
            return
        if (
            self._use_fused if fused is None else fused
        ):  # TF's fused kernel: Bessel-corrected variance, factor form
            var = var * mm.dtype.type(n / max(n - 1, 1))
            factor = mm.dtype.type(1.0 - self.momentum)
            keep = mm.dtype.type(1.0) - factor
            mm[...] = keep * mm + factor * mean
            mv[...] = keep * mv + factor * var
        else:  # tf.keras's assign_sub((moving - value) * decay)
            decay = mm.dtype.type(1.0 - self.momentum)
            mm -= (mm - mean) * decay
            mv -= (mv - var) * decay

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "axis": list(self.axis) if isinstance(self.axis, list) else self.axis,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": _serialize(self.beta_initializer),
                "gamma_initializer": _serialize(self.gamma_initializer),
                "moving_mean_initializer": _serialize(self.moving_mean_initializer),
                "moving_variance_initializer": _serialize(self.moving_variance_initializer),
                "beta_regularizer": _serialize(self.beta_regularizer),
                "gamma_regularizer": _serialize(self.gamma_regularizer),
                "beta_constraint": _serialize(self.beta_constraint),
                "gamma_constraint": _serialize(self.gamma_constraint),
            }
        )
        if self.synchronized:
            config["synchronized"] = True
        return config


__all__ = ["BatchNormalization"]
