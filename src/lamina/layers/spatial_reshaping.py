"""Layers that resize the spatial axes: ``ZeroPadding1D/2D``, ``UpSampling1D/2D``,
``Cropping1D/2D``.

``UpSampling2D`` resizes as ``tf.image.resize`` (half-pixel centres) does for an integer
factor: each output pixel is a weighted sum of input pixels, weights from the interpolation
kernel renormalised over pixels inside the image, so it is one matrix product per axis.
"""

from __future__ import annotations

import numpy as np

from lamina.layers import conv_utils
from lamina.layers.layer import InputSpec, Layer


def _spatial(data_format: str, rank: int) -> list[int]:
    return conv_utils.spatial_axes(data_format, rank)[0]


def _check_ndim(layer, shape, ndim: int) -> None:
    if len(shape) != ndim:
        raise ValueError(
            f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected '
            f"ndim={ndim}, found ndim={len(shape)}. Full shape received: {tuple(shape)}"
        )


# --- zero padding ---------------------------------------------------------------------------
class ZeroPadding1D(Layer):
    """Zeros before and after the steps of ``(batch, steps, features)``: int or (left, right)."""

    def __init__(self, padding=1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.padding = conv_utils.normalize_tuple(padding, 2, "padding", allow_zero=True)
        self.input_spec = InputSpec(ndim=3)

    def compute_output_shape(self, input_shape):
        b, t, c = tuple(input_shape)
        return (b, None if t is None else t + sum(self.padding), c)

    def call(self, inputs):
        from lamina.ops import array_ops

        _check_ndim(self, inputs._value.shape, 3)
        return array_ops.pad(inputs, [[0, 0], list(self.padding), [0, 0]])

    def get_config(self) -> dict:
        config = super().get_config()
        config["padding"] = self.padding
        return config


class ZeroPadding2D(Layer):
    """Zero rows/columns around an image: int, (rows, cols) or ((top, bottom), (left, right))."""

    def __init__(self, padding=(1, 1), data_format: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.padding = conv_utils.normalize_pairs(padding, 2, "padding")
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        _check_ndim(self, out, 4)
        for axis, (a, b) in zip(_spatial(self.data_format, 2), self.padding):
            out[axis] = None if out[axis] is None else out[axis] + a + b
        return tuple(out)

    def call(self, inputs):
        from lamina.ops import array_ops

        _check_ndim(self, inputs._value.shape, 4)
        pads = [[0, 0]] * 4
        for axis, pair in zip(_spatial(self.data_format, 2), self.padding):
            pads[axis] = list(pair)
        return array_ops.pad(inputs, pads)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config


# --- cropping -------------------------------------------------------------------------------
def _crop(layer, inputs, axes, pairs):
    from lamina.ops import array_ops

    shape = inputs._value.shape
    key = [slice(None)] * len(shape)
    for axis, (a, b) in zip(axes, pairs):
        if a + b >= shape[axis]:
            raise ValueError(
                f"Layer {layer.name}: `cropping` {layer.cropping} removes all of axis {axis} "
                f"(size {shape[axis]}) of an input of shape {tuple(shape)}; each axis must keep "
                "at least one entry."
            )
        key[axis] = slice(a, shape[axis] - b)
    return array_ops.getitem(inputs, tuple(key))


def _cropped_shape(layer, input_shape, axes, pairs) -> tuple:
    out = list(input_shape)
    for axis, (a, b) in zip(axes, pairs):
        if out[axis] is not None:
            if a + b >= out[axis]:
                raise ValueError(
                    f"Layer {layer.name}: `cropping` {layer.cropping} removes all of axis "
                    f"{axis} (size {out[axis]}) of an input of shape {tuple(input_shape)}."
                )
            out[axis] -= a + b
    return tuple(out)


class Cropping1D(Layer):
    """Remove steps at the start and end of ``(batch, steps, features)``: int or (start, end)."""

    def __init__(self, cropping=(1, 1), **kwargs) -> None:
        super().__init__(**kwargs)
        self.cropping = conv_utils.normalize_tuple(cropping, 2, "cropping", allow_zero=True)
        self.input_spec = InputSpec(ndim=3)

    def compute_output_shape(self, input_shape):
        _check_ndim(self, input_shape, 3)
        return _cropped_shape(self, input_shape, [1], [self.cropping])

    def call(self, inputs):
        _check_ndim(self, inputs._value.shape, 3)
        return _crop(self, inputs, [1], [self.cropping])

    def get_config(self) -> dict:
        config = super().get_config()
        config["cropping"] = self.cropping
        return config


class Cropping2D(Layer):
    """Remove rows/columns at the edges: int, (rows, cols) or ((top, bottom), (left, right))."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = conv_utils.normalize_pairs(cropping, 2, "cropping")
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape):
        _check_ndim(self, input_shape, 4)
        return _cropped_shape(self, input_shape, _spatial(self.data_format, 2), self.cropping)

    def call(self, inputs):
        _check_ndim(self, inputs._value.shape, 4)
        return _crop(self, inputs, _spatial(self.data_format, 2), self.cropping)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config


# --- up-sampling ----------------------------------------------------------------------------
def _keys_cubic(t):
    t = np.abs(t)
    a = -0.5
    return np.where(
        t < 1,
        ((a + 2) * t - (a + 3)) * t * t + 1,
        np.where(t < 2, ((a * t - 5 * a) * t + 8 * a) * t - 4 * a, 0.0),
    )


def _mitchell(t):
    t = np.abs(t)
    return np.where(
        t < 1,
        (7 / 6) * t**3 - 2 * t**2 + 8 / 9,
        np.where(t < 2, -(7 / 18) * t**3 + 2 * t**2 - (10 / 3) * t + 16 / 9, 0.0),
    )


def _lanczos(radius: int):
    return lambda t: np.where(np.abs(t) < radius, np.sinc(t) * np.sinc(t / radius), 0.0)


#: interpolation -> (kernel, support radius); None for the pixel-repeating methods.
_KERNELS = {
    "nearest": None,
    "area": None,  # an integer up-scale covers one source pixel per output pixel
    "bilinear": (lambda t: np.maximum(0.0, 1.0 - np.abs(t)), 1.0),
    "bicubic": (_keys_cubic, 2.0),
    "mitchellcubic": (_mitchell, 2.0),
    "lanczos3": (_lanczos(3), 3.0),
    "lanczos5": (_lanczos(5), 5.0),
    "gaussian": (lambda t: np.where(np.abs(t) < 1.5, np.exp(-2.0 * t * t), 0.0), 1.5),
}


def _resize_matrix(n: int, scale: int, interpolation: str, dtype) -> np.ndarray:
    """(n * scale, n) weights: output pixel i samples the input at (i + 0.5) / scale."""
    kernel, _ = _KERNELS[interpolation]
    pos = (np.arange(n * scale) + 0.5) / scale - 0.5  # in input index coordinates
    if interpolation == "bicubic":  # TensorFlow's ResizeBicubic reads a 1024-entry table
        base = np.floor(pos)
        pos = base + np.rint((pos - base) * 1024) / 1024
    w = kernel(np.arange(n)[None, :] - pos[:, None])
    w = w / w.sum(axis=1, keepdims=True)
    return w.astype(dtype)


def _upsample_axis(x, axis: int, scale: int, interpolation: str):
    from lamina.ops import array_ops, core, linalg

    if scale == 1:
        return x
    if _KERNELS[interpolation] is None:
        return array_ops.repeat(x, scale, axis=axis)
    n = x._value.shape[axis]
    m = core.constant(_resize_matrix(n, scale, interpolation, x._value.dtype))
    letters = "abcd"[: x.ndim]
    out = letters.replace(letters[axis], "z")
    return linalg.einsum(f"z{letters[axis]},{letters}->{out}", m, x)


class UpSampling1D(Layer):
    """Repeat each step ``size`` times: ``(batch, steps, f)`` -> ``(batch, steps * size, f)``."""

    def __init__(self, size: int = 2, **kwargs) -> None:
        super().__init__(**kwargs)
        self.size = conv_utils.normalize_tuple(size, 1, "size")[0]
        self.input_spec = InputSpec(ndim=3)

    def compute_output_shape(self, input_shape):
        b, t, c = tuple(input_shape)
        return (b, None if t is None else t * self.size, c)

    def call(self, inputs):
        from lamina.ops import array_ops

        _check_ndim(self, inputs._value.shape, 3)
        return array_ops.repeat(inputs, self.size, axis=1)

    def get_config(self) -> dict:
        config = super().get_config()
        config["size"] = self.size
        return config


class UpSampling2D(Layer):
    """Scale rows and columns by integer factors ``size``; ``interpolation`` as tf.image.resize
    ('nearest', 'bilinear', 'bicubic', 'area', 'lanczos3', 'lanczos5', 'gaussian',
    'mitchellcubic')."""

    def __init__(
        self,
        size=(2, 2),
        data_format: str | None = None,
        interpolation: str = "nearest",
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.size = conv_utils.normalize_tuple(size, 2, "size")
        self.data_format = conv_utils.normalize_data_format(data_format)
        if interpolation not in _KERNELS:
            raise ValueError(
                f"Value not recognized for `interpolation`: {interpolation!r}. Supported values "
                f"are: {list(_KERNELS)}"
            )
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape):
        out = list(input_shape)
        _check_ndim(self, out, 4)
        for axis, s in zip(_spatial(self.data_format, 2), self.size):
            out[axis] = None if out[axis] is None else out[axis] * s
        return tuple(out)

    def call(self, inputs):
        _check_ndim(self, inputs._value.shape, 4)
        x = inputs
        for axis, s in zip(_spatial(self.data_format, 2), self.size):
            x = _upsample_axis(x, axis, s, self.interpolation)
        return x

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "size": self.size,
                "data_format": self.data_format,
                "interpolation": self.interpolation,
            }
        )
        return config


__all__ = [
    "ZeroPadding1D",
    "ZeroPadding2D",
    "Cropping1D",
    "Cropping2D",
    "UpSampling1D",
    "UpSampling2D",
]
