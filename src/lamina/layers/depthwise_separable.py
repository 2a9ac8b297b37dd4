"""Depthwise and separable convolutions: ``DepthwiseConv1D/2D``, ``SeparableConv1D/2D``
(aliases ``SeparableConvolution1D/2D``).

A depthwise convolution filters each input channel on its own with ``depth_multiplier``
kernels (``depthwise_kernel``: ``kernel_size + (in_channels, depth_multiplier)``); a separable
one follows it with a 1x1 ``pointwise_kernel`` mixing the channels into ``filters`` outputs.
"""

from __future__ import annotations

from lamina.layers import conv_utils
from lamina.layers.convolutional import Conv
from lamina.layers.layer import InputSpec, _serialize


def _depthwise(layer, x, kernel, strides, padding, dilation):
    """Depthwise convolution of ``x`` (1-D via a height-1 2-D convolution)."""
    from lamina.ops import conv_ops, core

    first = layer.data_format == "channels_first"
    if layer.rank == 2:
        return conv_ops.depthwise_conv2d(
            x, kernel, strides, padding, "NCHW" if first else "NHWC", dilation
        )
    shape = x._value.shape
    x4 = core.reshape(x, (shape[0], shape[1], 1, shape[2]) if first else (shape[0], 1) + shape[1:])
    k4 = core.reshape(kernel, (1,) + tuple(kernel._value.shape))
    y = conv_ops.depthwise_conv2d(
        x4, k4, (1, strides[0]), padding, "NCHW" if first else "NHWC", (1, dilation[0])
    )
    ys = y._value.shape
    return core.reshape(y, (ys[0], ys[1], ys[3]) if first else (ys[0], ys[2], ys[3]))


#: Keys tf.keras 2.x writes in these configs but Keras 3 refuses on load ("groups" is always 1,
#: the kernel_* ones unused); lamina leaves them out so both load its files, and accepts them.
_KERAS3_REFUSED = ("groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint")


class _DepthwiseBase(Conv):
    """Shared argument handling, shapes and forward pass."""

    def _channels(self, input_shape) -> int:
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f"Inputs to `{type(self).__name__}` should have rank {self.rank + 2}. "
                f"Received input_shape={input_shape}."
            )
        channels = input_shape[self._channel_axis()]
        if channels is None:
            raise ValueError(
                f"The channel dimension of the inputs to `{type(self).__name__}` should be "
                f"defined. The input_shape received is {input_shape}, where axis "
                f"{self._channel_axis()} (0-based) is the channel dimension, which found to be "
                "`None`."
            )
        return int(channels)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        n = self.rank
        if len(input_shape) != n + 2:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"ndim={n + 2}, found ndim={len(input_shape)}. Full shape received: "
                f"{input_shape}"
            )
        first = self.data_format == "channels_first"
        spatial = input_shape[2:] if first else input_shape[1:-1]
        channels = input_shape[1] if first else input_shape[-1]
        out = self._spatial_out(spatial)
        conv_utils.check_positive_output(self, input_shape, out)
        filters = self._out_channels(channels)
        return (input_shape[0], filters, *out) if first else (input_shape[0], *out, filters)

    def call(self, inputs):
        from lamina.ops import array_ops, core

        n = self.rank
        shape = tuple(inputs._value.shape)
        if len(shape) != n + 2:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"ndim={n + 2}, found ndim={len(shape)}. Full shape received: {shape}"
            )
        first = self.data_format == "channels_first"
        expected = self.depthwise_kernel._value.shape[-2]
        if (shape[1] if first else shape[-1]) != expected:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected axis '
                f"{self._channel_axis()} of input shape to have value {expected}, but received "
                f"input with shape {shape}"
            )
        conv_utils.check_positive_output(
            self, shape, self._spatial_out(shape[2:] if first else shape[1:-1])
        )
        x = inputs
        padding = self.padding.upper()
        if self.padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            pads = [[0, 0], [0, 0], [0, 0]]
            pads[2 if first else 1] = [left, 0]
            x = array_ops.pad(x, pads)
            padding = "VALID"
        out = _depthwise(self, x, self.depthwise_kernel, self.strides, padding, self.dilation_rate)
        out = self._after_depthwise(out)
        if self.use_bias:
            bias = self.bias
            if first:
                bias = core.reshape(bias, (-1,) + (1,) * n)
            out = core.add(out, bias)
        if self.activation is not None:
            out = self.activation(out)
        return out

    def _after_depthwise(self, out):
        return out


class DepthwiseConv(_DepthwiseBase):
    """Depthwise convolution: ``in_channels * depth_multiplier`` outputs, no channel mixing."""

    def __init__(
        self,
        kernel_size=None,
        strides=1,
        padding="valid",
        depth_multiplier: int = 1,
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias: bool = True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ) -> None:
        if kernel_size is None:
            raise TypeError(
                f"{type(self).__name__} needs a `kernel_size` argument (an int or a tuple)."
            )
        if isinstance(padding, str) and padding.lower() == "causal":
            raise ValueError(
                "Causal padding is only supported for `Conv1D` and `SeparableConv1D`. "
                f"Received: padding={padding!r}"
            )
        kwargs.pop("groups", None)  # always 1 in tf.keras configs
        kwargs.pop("filters", None)  # Keras 3 configs may hold None
        super().__init__(
            filters=1,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            bias_initializer=bias_initializer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        from lamina import constraints, initializers, regularizers

        self.filters = None
        self.depth_multiplier = conv_utils.positive_int(depth_multiplier, "depth_multiplier")
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.depthwise_kernel = None

    def _out_channels(self, channels):
        return None if channels is None else channels * self.depth_multiplier

    def build(self, input_shape) -> None:
        channels = self._channels(input_shape)
        self.depthwise_kernel = self._configured_weight(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier)
        )
        self.bias = (
            self._configured_weight("bias", (channels * self.depth_multiplier,))
            if self.use_bias
            else None
        )
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis(): channels})
        self.built = True

    def get_config(self) -> dict:
        from lamina import activations

        config = super(Conv, self).get_config()
        config.update(
            {
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "bias_initializer": _serialize(self.bias_initializer),
                "bias_regularizer": _serialize(self.bias_regularizer),
                "activity_regularizer": _serialize(self.activity_regularizer),
                "bias_constraint": _serialize(self.bias_constraint),
                "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": _serialize(self.depthwise_initializer),
                "depthwise_regularizer": _serialize(self.depthwise_regularizer),
                "depthwise_constraint": _serialize(self.depthwise_constraint),
            }
        )
        return config


class SeparableConv(_DepthwiseBase):
    """Depthwise convolution followed by a 1x1 convolution to ``filters`` channels."""

    def __init__(
        self,
        filters=None,
        kernel_size=None,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        depth_multiplier: int = 1,
        activation=None,
        use_bias: bool = True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ) -> None:
        if kernel_size is None:
            raise TypeError(
                f"{type(self).__name__} needs a `kernel_size` argument (an int or a tuple)."
            )
        kwargs.pop("groups", None)
        kwargs.pop("kernel_initializer", None)  # tf.keras configs carry the unused Conv keys
        kwargs.pop("kernel_regularizer", None)
        kwargs.pop("kernel_constraint", None)
        super().__init__(
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            bias_initializer=bias_initializer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        from lamina import constraints, initializers, regularizers

        self.depth_multiplier = conv_utils.positive_int(depth_multiplier, "depth_multiplier")
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.depthwise_kernel = None
        self.pointwise_kernel = None

    def _out_channels(self, channels):
        return self.filters

    def build(self, input_shape) -> None:
        channels = self._channels(input_shape)
        self.depthwise_kernel = self._configured_weight(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier)
        )
        self.pointwise_kernel = self._configured_weight(
            "pointwise_kernel", (1,) * self.rank + (channels * self.depth_multiplier, self.filters)
        )
        self.bias = self._configured_weight("bias", (self.filters,)) if self.use_bias else None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={self._channel_axis(): channels})
        self.built = True

    def _after_depthwise(self, out):
        from lamina.ops import conv_ops

        first = self.data_format == "channels_first"
        if self.rank == 2:
            return conv_ops.conv2d(
                out, self.pointwise_kernel, 1, "VALID", "NCHW" if first else "NHWC"
            )
        return conv_ops.conv1d(out, self.pointwise_kernel, 1, "VALID", "NCW" if first else "NWC")

    def get_config(self) -> dict:
        config = Conv.get_config(self)
        for key in _KERAS3_REFUSED:
            del config[key]
        config.update(
            {
                "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": _serialize(self.depthwise_initializer),
                "pointwise_initializer": _serialize(self.pointwise_initializer),
                "depthwise_regularizer": _serialize(self.depthwise_regularizer),
                "pointwise_regularizer": _serialize(self.pointwise_regularizer),
                "depthwise_constraint": _serialize(self.depthwise_constraint),
                "pointwise_constraint": _serialize(self.pointwise_constraint),
            }
        )
        return config


class DepthwiseConv2D(DepthwiseConv):
    """Depthwise 2-D convolution (each channel filtered by its own kernels)."""

    rank = 2


class DepthwiseConv1D(DepthwiseConv):
    """Depthwise 1-D convolution (each channel filtered by its own kernels)."""

    rank = 1


class SeparableConv2D(SeparableConv):
    """Depthwise 2-D convolution followed by a pointwise (1x1) one to ``filters`` channels."""

    rank = 2


class SeparableConv1D(SeparableConv):
    """Depthwise 1-D convolution (causal padding allowed) followed by a pointwise one."""

    rank = 1


SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D

__all__ = [
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "SeparableConv1D",
    "SeparableConv2D",
    "SeparableConvolution1D",
    "SeparableConvolution2D",
]
