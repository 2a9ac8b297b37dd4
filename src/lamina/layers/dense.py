"""``Dense``: ``activation(inputs @ kernel + bias)`` on the last axis of any-rank input."""

from __future__ import annotations

import numpy as np

from lamina.layers.layer import InputSpec, Layer
from lamina.legacy import rename_kwargs


class Dense(Layer):
    """A densely-connected layer: ``output = activation(dot(input, kernel) + bias)``.

    Acts on the last axis, so a ``(batch, steps, features)`` input gives
    ``(batch, steps, units)``. ``input_dim`` / ``input_shape`` on the first layer of a
    ``Sequential`` fixes the model's input.
    """

    def __init__(
        self,
        units: int,
        activation=None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ) -> None:
        kwargs = rename_kwargs("layer", kwargs)
        if "units" in kwargs:  # Keras 1 `output_dim`
            units = kwargs.pop("units")
        kwargs.pop("lora_rank", None)
        kwargs.pop("lora_alpha", None)
        if "kernel_initializer" in kwargs:
            kernel_initializer = kwargs.pop("kernel_initializer")
        if "kernel_regularizer" in kwargs:
            kernel_regularizer = kwargs.pop("kernel_regularizer")
        if "bias_regularizer" in kwargs:
            bias_regularizer = kwargs.pop("bias_regularizer")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if isinstance(units, (float, np.floating)) and float(units).is_integer():
            units = int(units)
        if isinstance(units, np.integer):
            units = int(units)  # e.g. Dense(y.max() + 1)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                "Received an invalid value for `units`, expected a positive integer. "
                f"Received: units={units!r}"
            )
        from lamina import activations, constraints, initializers, regularizers

        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True
        self.kernel = None
        self.bias = None

    def build(self, input_shape) -> None:
        last = input_shape[-1] if len(input_shape) else None
        if last is None:
            raise ValueError(
                f"The last dimension of the inputs to a Dense layer should be defined. Found "
                f"None. Full input shape received: {tuple(input_shape)} (layer '{self.name}')."
            )
        self.kernel = self._configured_weight("kernel", (int(last), self.units))
        self.bias = self._configured_weight("bias", (self.units,)) if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: int(last)})
        self.built = True

    def call(self, inputs):
        from lamina import ops

        kin = self.kernel._value.shape[0]
        shape = inputs._value.shape
        if len(shape) < 2:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"min_ndim=2, found ndim={len(shape)}. Full shape received: {tuple(shape)}"
            )
        if shape[-1] != kin:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected axis '
                f"-1 of input shape to have value {kin}, but received input with shape "
                f"{tuple(shape)}"
            )
        if inputs.ndim == 2:
            out = ops.matmul(inputs, self.kernel)
        else:
            flat = ops.reshape(inputs, (-1, kin))
            out = ops.reshape(ops.matmul(flat, self.kernel), shape[:-1] + (self.units,))
        if self.use_bias:
            out = ops.add(out, self.bias)
        if self.activation is not None:
            out = self.activation(out)
        return out

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 1:
            raise ValueError(f"Dense '{self.name}' needs an input of rank >= 1.")
        return input_shape[:-1] + (self.units,)

    def get_config(self) -> dict:
        from lamina import activations

        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                **self._weights_config("kernel", "bias"),
            }
        )
        return config


__all__ = ["Dense"]
