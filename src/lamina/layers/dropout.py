"""``Dropout``: zero a random fraction of inputs while training (inverted scaling)."""

from __future__ import annotations

import numpy as np

from lamina.layers.layer import Layer


class Dropout(Layer):
    """Set each input to 0 with probability ``rate`` during training and scale the others by
    ``1 / (1 - rate)``, so the expected sum is unchanged. Inference passes inputs through.

    ``noise_shape`` (with ``None`` for "same as input") shares one mask along axes of size 1;
    ``seed`` gives the layer its own reproducible random stream.
    """

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if (
            isinstance(rate, bool)
            or not isinstance(rate, (int, float, np.floating, np.integer))
            or not 0 <= float(rate) <= 1
        ):
            raise ValueError(
                "Invalid value received for argument `rate`. Expected a float value between 0 "
                f"and 1. Received: rate={rate!r}"
            )
        self.rate = float(rate)
        self.noise_shape = (
            None
            if noise_shape is None
            else tuple(None if d is None else int(d) for d in noise_shape)
        )
        self.seed = seed
        self._rng = None
        self.supports_masking = True

    def _random(self):
        if self.seed is None:
            from lamina.backend import rng

            return rng()
        if self._rng is None:
            from lamina.backend.random import make_rng

            self._rng = make_rng(self.seed)
        return self._rng

    def _mask_shape(self, shape: tuple) -> tuple:
        if self.noise_shape is None:
            return shape
        if len(self.noise_shape) != len(shape):
            raise ValueError(
                f"Dropout '{self.name}': `noise_shape` {self.noise_shape} must have the same rank "
                f"as the input {shape}."
            )
        return tuple(s if n is None else n for n, s in zip(self.noise_shape, shape))

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        from lamina import ops

        v = inputs._value
        if self.rate >= 1:
            return ops.multiply(inputs, np.zeros((), dtype=v.dtype))
        keep = self._random().random_sample(self._mask_shape(v.shape)) >= self.rate
        scale = np.asarray(1.0 / (1.0 - self.rate), dtype=v.dtype)
        mask = keep.astype(v.dtype) * scale
        return ops.multiply(inputs, mask)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed})
        return config


__all__ = ["Dropout"]
