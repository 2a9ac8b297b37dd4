"""The backend: array module, float type, epsilon, seeded randomness (``keras.backend``)."""

from __future__ import annotations

import numpy as np

from lamina.backend.config import (
    epsilon,
    floatx,
    floatx_dtype,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)
from lamina.backend.random import rng, set_seed

#: The array module every op calls (NumPy; kept behind one name so CuPy could drop in).
xp = np


def backend() -> str:
    """The name of the engine (``'lamina'``; NumPy underneath)."""
    return "lamina"


def clear_session(free_memory: bool = True) -> None:
    """Reset the automatic layer names (``dense``, ``dense_1``, ...), as Keras does."""
    from lamina.utils.naming import reset_uids

    reset_uids()


def get_uid(prefix: str = "") -> int:
    """Keras's per-prefix counter, starting at 1."""
    from lamina.utils.naming import get_uid as _get_uid

    return _get_uid(prefix)


def __getattr__(name: str):
    """The Keras 2 backend functions (``K.mean``, ``K.clip`` ...), loaded on first use."""
    import importlib

    if name.startswith("__"):
        raise AttributeError(name)
    keras2 = importlib.import_module("lamina.backend.keras2")
    try:
        value = getattr(keras2, name)
    except AttributeError:
        raise AttributeError(f"module 'lamina.backend' has no attribute {name!r}") from None
    from lamina.ops.symbolic import wrap_value

    value = wrap_value(name, value, "backend")  # symbolic tensors build op layers
    globals()[name] = value
    return value


def is_keras_tensor(x) -> bool:
    """True for symbolic tensors of a functional graph (``keras.Input`` and what layers or
    ops make of it), False for eager tensors."""
    from lamina.autodiff.tensor import Tensor
    from lamina.ops.symbolic import has_symbolic

    if type(x).__name__ == "KerasTensor" and has_symbolic(x):
        return True
    return isinstance(x, Tensor) and getattr(x, "_keras_history", None) is not None


__all__ = [
    "xp",
    "backend",
    "floatx",
    "set_floatx",
    "floatx_dtype",
    "epsilon",
    "set_epsilon",
    "image_data_format",
    "set_image_data_format",
    "clear_session",
    "get_uid",
    "rng",
    "set_seed",
    "is_keras_tensor",
]
