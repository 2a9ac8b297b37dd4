"""``Conv2DTranspose`` and ``Conv1DTranspose`` (aliases ``Convolution2DTranspose`` ...).

The transpose (gradient) of a convolution, used to up-sample in autoencoders and GANs.
The kernel is stored as Keras does: ``kernel_size + (filters, in_channels)``.
"""

from __future__ import annotations

from lamina.layers import conv_utils
from lamina.layers.convolutional import Conv
from lamina.layers.layer import InputSpec


def deconv_output_length(length, kernel: int, padding: str, output_padding, stride, dilation):
    """Output length of a transposed convolution along one axis (as tf.keras computes it)."""
    if length is None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(kernel - stride, 0)
        return length * stride
    pad = kernel // 2 if padding == "same" else 0
    return (length - 1) * stride + kernel - 2 * pad + output_padding


class ConvTranspose(Conv):
    """Shared body of the transposed convolutions (``rank`` spatial axes)."""

    def __init__(self, filters=None, kernel_size=None, output_padding=None, **kwargs) -> None:
        if kernel_size is None:
            raise TypeError(
                f"{type(self).__name__} needs a `kernel_size` argument (an int or a tuple of ints)."
            )
        super().__init__(filters, kernel_size, **kwargs)
        if self.groups != 1:
            raise ValueError(
                f"{type(self).__name__} does not support grouped convolution: `groups` must be "
                f"1. Received: groups={self.groups}"
            )
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = conv_utils.normalize_tuple(
                output_padding, self.rank, "output_padding", allow_zero=True
            )
            for s, p in zip(self.strides, self.output_padding):
                if p >= s:
                    raise ValueError(
                        "Strides must be greater than output padding. Received strides="
                        f"{self.strides}, output_padding={self.output_padding}."
                    )

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f"Inputs should have rank {self.rank + 2}. Received input_shape={input_shape}."
            )
        axis = self._channel_axis()
        channels = input_shape[axis]
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs to `Conv2DTranspose` should be defined. "
                f"The input_shape received is {input_shape}, where axis {axis} (0-based) is "
                "the channel dimension, which found to be `None`."
            )
        channels = int(channels)
        self.kernel = self._configured_weight("kernel", self.kernel_size + (self.filters, channels))
        self.bias = self._configured_weight("bias", (self.filters,)) if self.use_bias else None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: channels})
        self.built = True

    def _spatial_out(self, dims) -> list:
        ops_ = self.output_padding or (None,) * self.rank
        return [
            deconv_output_length(d, k, self.padding, p, s, r)
            for d, k, p, s, r in zip(dims, self.kernel_size, ops_, self.strides, self.dilation_rate)
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
            return (input_shape[0], self.filters, *self._spatial_out(input_shape[2:]))
        return (input_shape[0], *self._spatial_out(input_shape[1:-1]), self.filters)

    def call(self, inputs):
        from lamina.ops import conv_ops, core

        n = self.rank
        shape = tuple(inputs._value.shape)
        if len(shape) != n + 2:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"ndim={n + 2}, found ndim={len(shape)}. Full shape received: {shape}"
            )
        first = self.data_format == "channels_first"
        channels = shape[1] if first else shape[-1]
        expected = self.kernel._value.shape[-1]
        if channels != expected:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected axis '
                f"{self._channel_axis()} of input shape to have value {expected}, but received "
                f"input with shape {shape}"
            )
        out_shape = self.compute_output_shape((shape[0],) + shape[1:])
        padding = self.padding.upper()
        if n == 1:
            out = conv_ops.conv1d_transpose(
                inputs, self.kernel, list(out_shape), self.strides[0], padding,
                "NCW" if first else "NWC", self.dilation_rate[0],
            )  # fmt: skip
        else:
            out = conv_ops.conv2d_transpose(
                inputs, self.kernel, list(out_shape), self.strides, padding,
                "NCHW" if first else "NHWC", self.dilation_rate,
            )  # fmt: skip
        if self.use_bias:
            bias = self.bias
            if first:
                bias = core.reshape(bias, (self.filters,) + (1,) * n)
            out = core.add(out, bias)
        if self.activation is not None:
            out = self.activation(out)
        return out

    def get_config(self) -> dict:
        # tf.keras 2.x also writes "groups": 1, which Keras 3 refuses on load; without it both
        # load the config (and lamina accepts it from tf.keras files).
        config = super().get_config()
        del config["groups"]
        config["output_padding"] = self.output_padding
        return config


class Conv2DTranspose(ConvTranspose):
    """Transposed 2-D convolution: ``(None, 7, 7, 64)`` with ``strides=2, padding='same'``
    gives ``(None, 14, 14, filters)``."""

    rank = 2

    def __init__(
        self,
        filters: int | None = None,
        kernel_size=None,
        strides=(1, 1),
        padding: str = "valid",
        output_padding=None,
        data_format: str | None = None,
        dilation_rate=(1, 1),
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
        super().__init__(
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            output_padding=output_padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


class Conv1DTranspose(ConvTranspose):
    """Transposed 1-D convolution over ``(batch, steps, channels)``."""

    rank = 1

    def __init__(
        self,
        filters: int | None = None,
        kernel_size=None,
        strides=1,
        padding: str = "valid",
        output_padding=None,
        data_format: str | None = None,
        dilation_rate=1,
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
        if padding == "causal":
            raise ValueError(
                "Causal padding is only supported for `Conv1D` and `SeparableConv1D`. "
                f"Received: padding={padding!r}"
            )
        super().__init__(
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            output_padding=output_padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose

__all__ = [
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Convolution1DTranspose",
    "Convolution2DTranspose",
]
