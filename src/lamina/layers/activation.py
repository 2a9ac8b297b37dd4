"""``Activation``: apply an activation function as a layer."""

from __future__ import annotations

from lamina.layers.layer import Layer


class Activation(Layer):
    """Apply ``activation`` (a name like ``'relu'`` or a callable) to the input."""

    def __init__(self, activation, **kwargs) -> None:
        super().__init__(**kwargs)
        from lamina import activations

        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        from lamina import activations

        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


__all__ = ["Activation"]
