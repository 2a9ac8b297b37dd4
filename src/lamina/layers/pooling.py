"""Windowed pooling: ``MaxPooling1D/2D`` and ``AveragePooling1D/2D`` (aliases ``MaxPool2D`` ...).

``strides`` defaults to ``pool_size``; ``padding='same'`` pads as TensorFlow does (max pooling
never picks the padding, average pooling counts only real entries).
"""

from __future__ import annotations

from lamina.layers import conv_utils
from lamina.layers.layer import InputSpec, Layer
from lamina.legacy import rename_kwargs


class Pooling(Layer):
    """Shared body of the pooling layers: ``rank`` spatial axes, ``mode`` 'max' or 'avg'."""

    rank = 2
    mode = "max"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        n = self.rank
        self.pool_size = conv_utils.normalize_tuple(pool_size, n, "pool_size")
        if strides is None:
            strides = self.pool_size
        self.strides = conv_utils.normalize_tuple(strides, n, "strides")
        self.padding = conv_utils.normalize_padding(padding)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=n + 2)

    def _spatial_out(self, dims) -> list:
        return [
            conv_utils.conv_output_length(d, k, self.padding, s)
            for d, k, s in zip(dims, self.pool_size, self.strides)
        ]

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        n = self.rank
        if len(input_shape) != n + 2:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"ndim={n + 2}, found ndim={len(input_shape)}. Full shape received: "
                f"{input_shape}"
            )
        if self.data_format == "channels_first":
            out = self._spatial_out(input_shape[2:])
            conv_utils.check_positive_output(self, input_shape, out)
            return input_shape[:2] + tuple(out)
        out = self._spatial_out(input_shape[1:-1])
        conv_utils.check_positive_output(self, input_shape, out)
        return (input_shape[0], *out, input_shape[-1])

    def call(self, inputs):
        from lamina.ops import conv_ops

        n = self.rank
        shape = inputs._value.shape
        if len(shape) != n + 2:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"ndim={n + 2}, found ndim={len(shape)}. Full shape received: {shape}"
            )
        spatial = shape[2:] if self.data_format == "channels_first" else shape[1:-1]
        conv_utils.check_positive_output(self, shape, self._spatial_out(spatial))
        first = self.data_format == "channels_first"
        if n == 1:
            fn = conv_ops.max_pool1d if self.mode == "max" else conv_ops.avg_pool1d
            fmt = "NCW" if first else "NWC"
            return fn(inputs, self.pool_size[0], self.strides[0], self.padding.upper(), fmt)
        fn = conv_ops.max_pool2d if self.mode == "max" else conv_ops.avg_pool2d
        fmt = "NCHW" if first else "NHWC"
        return fn(inputs, self.pool_size, self.strides, self.padding.upper(), fmt)

    def get_config(self) -> dict:
        config = super().get_config()
        if self.rank == 1:  # tf.keras 2.x key order
            config.update(
                {
                    "strides": self.strides,
                    "pool_size": self.pool_size,
                    "padding": self.padding,
                    "data_format": self.data_format,
                }
            )
        else:
            config.update(
                {
                    "pool_size": self.pool_size,
                    "padding": self.padding,
                    "strides": self.strides,
                    "data_format": self.data_format,
                }
            )
        return config


class _Pooling1D(Pooling):
    rank = 1

    def __init__(
        self,
        pool_size=2,
        strides=None,
        padding: str = "valid",
        data_format: str = "channels_last",
        **kwargs,
    ) -> None:
        kw = rename_kwargs("layer", kwargs)
        super().__init__(
            kw.pop("pool_size", pool_size),
            kw.pop("strides", strides),
            kw.pop("padding", padding),
            data_format,
            **kw,
        )


class _Pooling2D(Pooling):
    rank = 2

    def __init__(
        self,
        pool_size=(2, 2),
        strides=None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs,
    ) -> None:
        kw = rename_kwargs("layer", kwargs)
        super().__init__(
            kw.pop("pool_size", pool_size),
            kw.pop("strides", strides),
            kw.pop("padding", padding),
            data_format,
            **kw,
        )


class MaxPooling1D(_Pooling1D):
    """Max over windows of ``pool_size`` steps of a ``(batch, steps, features)`` input."""

    mode = "max"


class AveragePooling1D(_Pooling1D):
    """Mean over windows of ``pool_size`` steps of a ``(batch, steps, features)`` input."""

    mode = "avg"


class MaxPooling2D(_Pooling2D):
    """Max over ``pool_size`` windows of a ``(batch, rows, cols, channels)`` input."""

    mode = "max"


class AveragePooling2D(_Pooling2D):
    """Mean over ``pool_size`` windows of a ``(batch, rows, cols, channels)`` input."""

    mode = "avg"


MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D

__all__ = [
    "MaxPooling1D",
    "MaxPooling2D",
    "AveragePooling1D",
    "AveragePooling2D",
    "MaxPool1D",
    "MaxPool2D",
    "AvgPool1D",
    "AvgPool2D",
]
