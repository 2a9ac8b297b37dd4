"""``Conv1D`` and ``Conv2D`` (aliases ``Convolution1D`` / ``Convolution2D``).

Weights as Keras stores them: ``kernel`` of shape ``kernel_size + (in_channels // groups,
filters)`` and ``bias`` of shape ``(filters,)``, so weight files move between lamina and Keras.
The arithmetic is ``lamina.ops.conv_ops`` (im2col + matmul), on the general tape.
"""

from __future__ import annotations

from lamina.layers import conv_utils
from lamina.layers.layer import InputSpec, Layer
from lamina.legacy import rename_kwargs


class Conv(Layer):
    """Shared body of the N-D convolution layers (``rank`` spatial axes)."""

    rank = 2

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate=1,
        groups: int = 1,
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
        kwargs.pop("lora_rank", None)
        kwargs.pop("lora_alpha", None)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        from lamina import activations, constraints, initializers, regularizers

        n = self.rank
        self.filters = conv_utils.positive_int(filters, "filters")
        self.groups = conv_utils.positive_int(groups, "groups")
        if self.filters % self.groups:
            raise ValueError(
                "The number of filters must be evenly divisible by the number of groups. "
                f"Received: groups={self.groups}, filters={self.filters}"
            )
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, n, "kernel_size")
        self.strides = conv_utils.normalize_tuple(strides, n, "strides")
        self.padding = conv_utils.normalize_padding(padding, allow_causal=n == 1)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, n, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=n + 2)
        self.kernel = None
        self.bias = None

    # --- shapes -----------------------------------------------------------------------------
    def _channel_axis(self) -> int:
        return -1 - self.rank if self.data_format == "channels_first" else -1  # as tf.keras

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        axis = self._channel_axis()
        channels = input_shape[axis] if len(input_shape) > self.rank + 1 else None
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs should be defined. The input_shape "
                f"received is {input_shape}, where axis {axis} (0-based) is the channel "
                "dimension, which found to be `None`."
            )
        channels = int(channels)
        if channels % self.groups:
            raise ValueError(
                "The number of input channels must be evenly divisible by the number of "
                f"groups. Received groups={self.groups}, but the input has {channels} channels "
                f"(full input shape is {input_shape})."
            )
        self.kernel = self._configured_weight(
            "kernel", self.kernel_size + (channels // self.groups, self.filters)
        )
        self.bias = self._configured_weight("bias", (self.filters,)) if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={axis: channels})
        self.built = True

    def _spatial_out(self, dims) -> list:
        return [
            conv_utils.conv_output_length(d, k, self.padding, s, r)
            for d, k, s, r in zip(dims, self.kernel_size, self.strides, self.dilation_rate)
        ]

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        n = self.rank
        if len(input_shape) < n + 2:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"min_ndim={n + 2}, found ndim={len(input_shape)}. Full shape received: "
                f"{input_shape}"
            )
        batch = input_shape[: len(input_shape) - n - 1]
        if self.data_format == "channels_first":
            out = self._spatial_out(input_shape[-n:])
            conv_utils.check_positive_output(self, input_shape, out)
            return batch + (self.filters, *out)
        out = self._spatial_out(input_shape[-n - 1 : -1])
        conv_utils.check_positive_output(self, input_shape, out)
        return batch + (*out, self.filters)

    # --- forward ----------------------------------------------------------------------------
    def _convolve(self, x, kernel):
        from lamina.ops import conv_ops

        fmt_first = self.data_format == "channels_first"
        padding = "VALID" if self.padding == "causal" else self.padding.upper()
        if self.rank == 1:
            return conv_ops.conv1d(
                x, kernel, self.strides[0], padding, "NCW" if fmt_first else "NWC",
                self.dilation_rate[0],
            )  # fmt: skip
        return conv_ops.conv2d(
            x, kernel, self.strides, padding, "NCHW" if fmt_first else "NHWC", self.dilation_rate
        )

    def call(self, inputs):
        from lamina.ops import array_ops, core

        n = self.rank
        shape = inputs._value.shape
        if len(shape) < n + 2:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"min_ndim={n + 2}, found ndim={len(shape)}. Full shape received: {shape}"
            )
        channels = shape[-n - 1] if self.data_format == "channels_first" else shape[-1]
        expected = self.kernel._value.shape[-2] * self.groups
        if channels != expected:
            axis = self._channel_axis()
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected axis '
                f"{axis} of input shape to have value {expected}, but received input with shape "
                f"{tuple(shape)}"
            )
        x = inputs
        extra = len(shape) > n + 2
        if extra:  # extra leading batch axes fold into one
            x = core.reshape(x, (-1,) + shape[-n - 1 :])
        spatial = (
            x._value.shape[2:] if self.data_format == "channels_first" else x._value.shape[1:-1]
        )
        conv_utils.check_positive_output(self, shape, self._spatial_out(spatial))
        if self.padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            time_axis = 2 if self.data_format == "channels_first" else 1
            pads = [[0, 0], [0, 0], [0, 0]]
            pads[time_axis] = [left, 0]
            x = array_ops.pad(x, pads)
        from lamina import activations

        fused = (
            self.groups == 1
            and self.rank == 2
            and self.data_format != "channels_first"
            and self.padding != "causal"
            and (self.use_bias or self.activation is activations.relu)
        )
        relu = fused and self.activation is activations.relu and not extra
        if fused:  # bias (and relu) inside the convolution's own op: no extra arrays
            from lamina.ops import conv_ops

            out = conv_ops.conv2d_bias(
                x, self.kernel, self.bias if self.use_bias else None, self.strides,
                self.padding.upper(), self.dilation_rate, relu,
            )  # fmt: skip
        elif self.groups == 1:
            out = self._convolve(x, self.kernel)
        else:
            axis = 1 if self.data_format == "channels_first" else x.ndim - 1
            xs = array_ops.split(x, self.groups, axis=axis)
            ks = array_ops.split(self.kernel, self.groups, axis=n + 1)
            out = array_ops.concat([self._convolve(a, b) for a, b in zip(xs, ks)], axis=axis)
        if self.use_bias and not fused:
            bias = self.bias
            if self.data_format == "channels_first":
                bias = core.reshape(bias, (self.filters,) + (1,) * n)
            out = core.add(out, bias)
        if extra:
            out = core.reshape(out, shape[: len(shape) - n - 1] + out._value.shape[1:])
        if self.activation is not None and not relu:
            out = self.activation(out)
        return out

    def get_config(self) -> dict:
        from lamina import activations

        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "groups": self.groups,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                **self._weights_config("kernel", "bias"),
            }
        )
        return config


class Conv2D(Conv):
    """2-D convolution over ``(batch, rows, cols, channels)`` (or channels-first) input.

    ``Conv2D(32, 3, activation='relu')`` on ``(None, 28, 28, 1)`` gives ``(None, 26, 26, 32)``
    with a ``(3, 3, 1, 32)`` kernel. Keras 2 keywords ``nb_filter``, ``border_mode`` and
    ``subsample`` are accepted.
    """

    rank = 2

    def __init__(
        self,
        filters: int | None = None,
        kernel_size=None,
        strides=(1, 1),
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate=(1, 1),
        groups: int = 1,
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
        kw = rename_kwargs("layer", kwargs)
        kw = _take_legacy(kw, locals())
        super().__init__(
            filters=kw.pop("filters", filters),
            kernel_size=kw.pop("kernel_size", kernel_size),
            strides=kw.pop("strides", strides),
            padding=kw.pop("padding", padding),
            data_format=data_format,
            dilation_rate=dilation_rate,
            groups=groups,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kw.pop("kernel_initializer", kernel_initializer),
            bias_initializer=bias_initializer,
            kernel_regularizer=kw.pop("kernel_regularizer", kernel_regularizer),
            bias_regularizer=kw.pop("bias_regularizer", bias_regularizer),
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kw,
        )


class Conv1D(Conv):
    """1-D (temporal) convolution over ``(batch, steps, channels)`` input.

    ``padding='causal'`` pads the start of the sequence only, so output ``t`` sees inputs up to
    ``t`` (WaveNet-style). Keras 2 keywords ``nb_filter``, ``filter_length``, ``border_mode``
    and ``subsample_length`` are accepted.
    """

    rank = 1

    def __init__(
        self,
        filters: int | None = None,
        kernel_size=None,
        strides=1,
        padding: str = "valid",
        data_format: str = "channels_last",
        dilation_rate=1,
        groups: int = 1,
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
        kw = rename_kwargs("layer", kwargs)
        kw = _take_legacy(kw, locals())
        super().__init__(
            filters=kw.pop("filters", filters),
            kernel_size=kw.pop("kernel_size", kernel_size),
            strides=kw.pop("strides", strides),
            padding=kw.pop("padding", padding),
            data_format=data_format,
            dilation_rate=dilation_rate,
            groups=groups,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kw.pop("kernel_initializer", kernel_initializer),
            bias_initializer=bias_initializer,
            kernel_regularizer=kw.pop("kernel_regularizer", kernel_regularizer),
            bias_regularizer=kw.pop("bias_regularizer", bias_regularizer),
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kw,
        )


def _take_legacy(kw: dict, given: dict) -> dict:
    """Refuse a Keras 2 keyword given together with its current spelling."""
    if "kernel_size" in kw and given.get("kernel_size") is not None:
        raise TypeError("Both `kernel_size` and its Keras 2 spelling were given.")
    if "kernel_size" not in kw and given.get("kernel_size") is None:
        raise TypeError("Conv layers need a `kernel_size` argument (an int or a tuple of ints).")
    return kw


Convolution1D = Conv1D
Convolution2D = Conv2D

__all__ = ["Conv1D", "Conv2D", "Convolution1D", "Convolution2D"]
