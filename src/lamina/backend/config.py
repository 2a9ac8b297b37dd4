"""Global numeric settings: the default float type, the fuzz factor, the image layout."""

from __future__ import annotations

import numpy as np

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"


def floatx() -> str:
    """The default float type as a string, e.g. ``'float32'``."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the default float type (``'float16'``, ``'float32'`` or ``'float64'``)."""
    global _FLOATX
    value = str(getattr(value, "name", value))
    if value not in {"float16", "bfloat16", "float32", "float64"}:
        raise ValueError(
            f"Unknown `floatx` value: {value!r}. Expected one of 'float16', 'float32', 'float64'."
        )
    _FLOATX = value


def epsilon() -> float:
    """The fuzz factor used to keep divisions and logarithms finite (default 1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Set the fuzz factor."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """``'channels_last'`` (the default) or ``'channels_first'``."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    global _IMAGE_DATA_FORMAT
    if data_format not in {"channels_last", "channels_first"}:
        raise ValueError(
            f"Unknown `data_format`: {data_format!r}. Expected 'channels_last' or 'channels_first'."
        )
    _IMAGE_DATA_FORMAT = data_format


def floatx_dtype() -> np.dtype:
    """The NumPy dtype of :func:`floatx`."""
    return np.dtype(_FLOATX)
