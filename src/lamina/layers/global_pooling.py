"""Global pooling: the mean or max over every spatial axis (``GlobalAveragePooling2D`` ...).

``(batch, rows, cols, channels)`` -> ``(batch, channels)``, or ``(batch, 1, 1, channels)``
with ``keepdims=True``. ``GlobalAveragePooling1D`` honours a ``(batch, steps)`` mask.
"""

from __future__ import annotations

from lamina.layers import conv_utils
from lamina.layers.layer import InputSpec, Layer


class GlobalPooling(Layer):
    """Shared body: ``rank`` spatial axes reduced with ``mode`` ('max' or 'avg')."""

    rank = 2
    mode = "avg"

    def __init__(self, data_format=None, keepdims: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _axes(self) -> list[int]:
        return conv_utils.spatial_axes(self.data_format, self.rank)[0]

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        n = self.rank
        if len(input_shape) != n + 2:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"ndim={n + 2}, found ndim={len(input_shape)}. Full shape received: "
                f"{input_shape}"
            )
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def call(self, inputs, mask=None):
        from lamina.ops import core, reduction

        n = self.rank
        if inputs.ndim != n + 2:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"ndim={n + 2}, found ndim={inputs.ndim}. Full shape received: "
                f"{tuple(inputs._value.shape)}"
            )
        axes = self._axes()
        if self.mode == "max":
            return reduction.reduce_max(inputs, axis=axes, keepdims=self.keepdims)
        if mask is not None and n == 1:
            m = core.cast(core.convert_to_tensor(mask), inputs.dtype)
            step = axes[0]  # mask (batch, steps) -> broadcastable against the input
            b, t = m._value.shape
            m = core.reshape(m, (b, t, 1) if step == 1 else (b, 1, t))
            total = core.reduce_sum(core.multiply(inputs, m), axis=step, keepdims=self.keepdims)
            count = core.reduce_sum(m, axis=step, keepdims=self.keepdims)
            return core.divide(total, count)
        return reduction.reduce_mean(inputs, axis=axes, keepdims=self.keepdims)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class _Global1D(GlobalPooling):
    rank = 1

    def __init__(self, data_format: str = "channels_last", keepdims: bool = False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)


class _Global2D(GlobalPooling):
    rank = 2

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalAveragePooling1D(_Global1D):
    """Mean over the steps of ``(batch, steps, features)`` (mask-aware)."""

    mode = "avg"

    def __init__(self, data_format: str = "channels_last", keepdims: bool = False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling1D(_Global1D):
    """Max over the steps of ``(batch, steps, features)``."""

    mode = "max"


class GlobalAveragePooling2D(_Global2D):
    """Mean over rows and columns of ``(batch, rows, cols, channels)``."""

    mode = "avg"


class GlobalMaxPooling2D(_Global2D):
    """Max over rows and columns of ``(batch, rows, cols, channels)``."""

    mode = "max"


GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D

__all__ = [
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
]
