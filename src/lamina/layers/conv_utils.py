"""Argument checks and shape arithmetic shared by the convolution and pooling layers.

Error texts follow tf.keras 2.x (``keras.utils.conv_utils``), so a user sees the message a
Keras course shows; where tf.keras lets a bad value through (``strides=0`` on a pooling
layer, negative padding, ``groups=0``) lamina refuses it early with the same wording.
"""

from __future__ import annotations

import numpy as np


def _as_int(value):
    if isinstance(value, (bool, np.bool_)):
        raise TypeError
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    raise TypeError


def normalize_tuple(value, n: int, name: str, allow_zero: bool = False) -> tuple:
    """An int or n ints as an n-tuple of ints (> 0, or >= 0 with ``allow_zero``)."""
    expect = f"The `{name}` argument must be a tuple of {n} integer{'s' if n > 1 else ''}."
    try:
        if isinstance(value, (list, tuple)):
            out = tuple(_as_int(v) for v in value)
        else:
            out = (_as_int(value),) * n
    except (TypeError, ValueError):
        raise ValueError(f"{expect} Received: {value!r}") from None
    if len(out) != n:
        raise ValueError(f"{expect} Received: {value!r}")
    bad = {v for v in out if (v < 0 if allow_zero else v <= 0)}
    if bad:
        req = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"{expect} Received: {value!r} including {bad} that does not satisfy the "
            f"requirement `{req}`."
        )
    return out


def normalize_data_format(value) -> str:
    """``None`` -> the backend's image data format; otherwise one of the two spellings."""
    if value is None:
        from lamina.backend import image_data_format

        return image_data_format()
    fmt = str(value).lower() if isinstance(value, str) else value
    if fmt not in ("channels_first", "channels_last"):
        raise ValueError(
            'The `data_format` argument must be one of "channels_first", "channels_last". '
            f"Received: {value!r}"
        )
    return fmt


def normalize_padding(value, allow_causal: bool = False) -> str:
    """'valid' / 'same' (any case), and 'causal' where the layer supports it."""
    mode = value.lower() if isinstance(value, str) else value
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if mode == "causal" and not allow_causal:
        raise ValueError(
            "Causal padding is only supported for `Conv1D` and `SeparableConv1D`. "
            f"Received: padding={value!r}"
        )
    if mode not in allowed:
        opts = '"valid", "same"' + (' or "causal"' if allow_causal else "")
        raise ValueError(f"The `padding` argument must be one of {opts}. Received: {value!r}")
    return mode


def positive_int(value, name: str) -> int:
    """A strictly positive integer argument (``filters``, ``groups``)."""
    try:
        out = _as_int(value)
    except TypeError:
        raise ValueError(
            f"Invalid value for argument `{name}`. Expected a strictly positive integer. "
            f"Received {name}={value!r}."
        ) from None
    if out <= 0:
        raise ValueError(
            f"Invalid value for argument `{name}`. Expected a strictly positive value. "
            f"Received {name}={value!r}."
        )
    return out


def conv_output_length(length, kernel: int, padding: str, stride: int, dilation: int = 1):
    """Output length of a convolution / pooling window along one axis (None stays None)."""
    if length is None:
        return None
    span = (kernel - 1) * dilation + 1
    if padding in ("same", "causal"):
        out = length
    else:  # valid
        out = length - span + 1
    return (out + stride - 1) // stride


def check_positive_output(layer, input_shape, out_dims) -> None:
    if any(d is not None and d <= 0 for d in out_dims):
        raise ValueError(
            "One of the dimensions in the output is <= 0 due to downsampling in "
            f"{layer.name}. Consider increasing the input size. Received input shape "
            f"{list(input_shape)} which would produce output shape with a zero or negative "
            "value in a dimension."
        )


def spatial_axes(data_format: str, rank: int) -> tuple[list[int], int]:
    """(spatial axis indices, channel axis) of a batch-first tensor of ``rank`` spatial dims."""
    if data_format == "channels_first":
        return list(range(2, 2 + rank)), 1
    return list(range(1, 1 + rank)), -1


def normalize_pairs(value, n: int, name: str) -> tuple:
    """ZeroPadding/Cropping amounts: int, n ints, or n (before, after) pairs, all >= 0."""
    try:
        if isinstance(value, (list, tuple)):
            if len(value) != n:
                raise ValueError(f"`{name}` should have {_words(n)} elements. Received: {value!r}.")
            pairs = []
            for v in value:
                if isinstance(v, (list, tuple)):
                    if len(v) != 2:
                        raise ValueError(
                            f"`{name}` should be a tuple of {n} tuples of 2 integers. "
                            f"Received: {value!r}."
                        )
                    pairs.append((_as_int(v[0]), _as_int(v[1])))
                else:
                    pairs.append((_as_int(v), _as_int(v)))
        else:
            pairs = [(_as_int(value), _as_int(value))] * n
    except TypeError:
        raise ValueError(
            f"`{name}` should be an int, a tuple of {n} ints or a tuple of {n} tuples of 2 "
            f"ints. Received: {value!r}."
        ) from None
    if any(a < 0 or b < 0 for a, b in pairs):
        raise ValueError(f"`{name}` amounts must be >= 0. Received: {value!r}.")
    return tuple(pairs)


def _words(n: int) -> str:
    return {1: "one", 2: "two", 3: "three"}.get(n, str(n))
