"""``LayerNormalization``: normalize each sample over ``axis``, then scale and shift.

Unlike batch normalization there are no moving statistics: training and inference compute the
same thing, ``gamma * (x - mean) / sqrt(var + epsilon) + beta`` with the mean and (biased)
variance of each sample over ``axis``. ``gamma`` and ``beta`` have the shape of the normalized
axes (tf.keras: ``[input_shape[a] for a in axis]``).
"""

from __future__ import annotations

import numpy as np

from lamina.layers.batch_normalization import check_axis, check_number, resolve_axis
from lamina.layers.layer import Layer, _serialize


class LayerNormalization(Layer):
    """Normalize the activations of each sample over ``axis`` (int or list of ints)."""

    def __init__(
        self,
        axis=-1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ) -> None:
        rms_scaling = bool(kwargs.pop("rms_scaling", False))  # Keras 3.x, deprecated there
        if rms_scaling:
            import warnings

            warnings.warn(
                "You passed `rms_scaling=True`, which is deprecated in Keras 3: it scales the "
                "input by its variance (x * gamma / sqrt(var + epsilon), no centering), not by "
                "the root mean square.",
                stacklevel=2,
            )
        super().__init__(**kwargs)
        self.rms_scaling = rms_scaling
        from lamina import constraints, initializers, regularizers

        self.axis = check_axis(axis)
        self.epsilon = check_number(epsilon, "epsilon", positive=True)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.gamma = None
        self.beta = None
        self._broadcast = None

    def build(self, input_shape) -> None:
        shape = tuple(None if d is None else int(d) for d in input_shape)
        axes = sorted(resolve_axis(self.axis, shape))
        self.axis = axes  # tf.keras 2.x keeps the resolved list (its config shows it)
        param_shape = tuple(shape[a] for a in axes)
        self._broadcast = tuple(shape[i] if i in axes else 1 for i in range(len(shape)))
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(
                "gamma",
                shape=param_shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                trainable=True,
            )
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(
                "beta",
                shape=param_shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                trainable=True,
            )
        self.built = True

    def _param(self, var):
        from lamina.ops import core

        if var._value.shape == self._broadcast[-var._value.ndim :]:
            return var
        return core.reshape(var, self._broadcast)

    def call(self, inputs):
        from lamina.ops import core, elementwise, reduction

        shape = inputs._value.shape
        if len(shape) != len(self._broadcast) or any(
            shape[a] != self._broadcast[a] for a in self.axis
        ):
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: it was built '
                f"for axis {self.axis} of sizes {[self._broadcast[a] for a in self.axis]} and "
                f"rank {len(self._broadcast)}, but received input with shape {tuple(shape)}"
            )
        axes = tuple(self.axis)
        if self.rms_scaling:  # Keras 3's (deprecated) variant: no centering, no beta
            mean = reduction.reduce_mean(inputs, axes, keepdims=True)
            var = reduction.reduce_mean(
                elementwise.squared_difference(inputs, core.stop_gradient(mean)), axes, True
            )
            eps = np.asarray(self.epsilon, dtype=var._value.dtype)
            out = core.multiply(inputs, elementwise.rsqrt(core.add(var, eps)))
            return core.multiply(out, self._param(self.gamma))
        mean = reduction.reduce_mean(inputs, axes, keepdims=True)
        var = reduction.reduce_mean(
            elementwise.squared_difference(inputs, core.stop_gradient(mean)), axes, keepdims=True
        )
        inv = elementwise.rsqrt(core.add(var, np.asarray(self.epsilon, dtype=var._value.dtype)))
        if self.scale:
            inv = core.multiply(inv, self._param(self.gamma))
        shift = core.multiply(mean, inv)
        if self.center:
            shift = core.subtract(self._param(self.beta), shift)
        else:
            shift = elementwise.negative(shift)
        return core.add(core.multiply(inputs, inv), shift)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "axis": list(self.axis) if isinstance(self.axis, list) else self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": _serialize(self.beta_initializer),
                "gamma_initializer": _serialize(self.gamma_initializer),
                "beta_regularizer": _serialize(self.beta_regularizer),
                "gamma_regularizer": _serialize(self.gamma_regularizer),
                "beta_constraint": _serialize(self.beta_constraint),
                "gamma_constraint": _serialize(self.gamma_constraint),
            }
        )
        if self.rms_scaling:  # a Keras 3 key; tf.keras 2.x has no such argument
            config["rms_scaling"] = True
        return config


__all__ = ["LayerNormalization"]
