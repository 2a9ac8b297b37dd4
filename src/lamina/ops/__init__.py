"""Differentiable operations on tensors: the ``tf.*`` functions and ``keras.ops``.

Split by family: ``core`` (conversion, arithmetic, matmul, reshape, sum), ``creation``,
``array`` (shape, indexing, gather), ``elementwise`` (math), ``reduction``, ``comparison``,
``nn``, ``linalg``, ``random_ops``. ``tf_api`` gathers the TensorFlow names (exported by
``lamina``); this package is ``keras.ops``: the same functions plus the Keras 3 / NumPy
spellings (``mean``, ``sum``, ``concatenate``, ``clip`` ...). Where Keras and TensorFlow
disagree (``argmax``/``argmin`` flatten when ``axis=None``, ``split`` takes cut indices,
``shape`` returns a tuple, ``cumsum`` flattens when ``axis=None``), ``lamina.ops`` follows
Keras and ``lamina`` follows TensorFlow.
"""

# ruff: noqa: I001
from lamina.ops import operators as _operators  # (binds +, -, *, @ ...)
from lamina.ops.array_ops import getitem
from lamina.ops.core import unbroadcast


_SUBMODULES = {
    "array_ops",
    "comparison",
    "control",
    "conv_ops",
    "core",
    "creation",
    "elementwise",
    "linalg",
    "nn",
    "numpy_api",
    "operators",
    "printing",
    "random_ops",
    "reduction",
    "tf_api",
}


def __getattr__(name: str):
    """``keras.ops`` names first (Keras semantics), then TensorFlow's, then submodules."""
    import importlib

    if name == "__all__":
        from lamina.ops import numpy_api, tf_api

        return sorted(set(numpy_api.__all__) | set(tf_api.__all__) | set(tf_api.LAZY))
    if name.startswith("__"):
        raise AttributeError(name)
    if name in _SUBMODULES:
        return importlib.import_module(f"lamina.ops.{name}")
    numpy_api = importlib.import_module("lamina.ops.numpy_api")
    if name in numpy_api.__all__:
        value = getattr(numpy_api, name)
    else:
        tf_api = importlib.import_module("lamina.ops.tf_api")
        if name in tf_api.__all__:
            value = getattr(tf_api, name)
        elif name in tf_api.LAZY:
            module, attr = tf_api.LAZY[name]
            value = getattr(importlib.import_module(module), attr)
        else:
            try:
                value = importlib.import_module(f"lamina.ops.{name}")
            except ModuleNotFoundError:
                raise AttributeError(f"module 'lamina.ops' has no attribute {name!r}") from None
    from lamina.ops.symbolic import wrap_value

    value = wrap_value(name, value, "ops")  # symbolic tensors build op layers
    globals()[name] = value
    return value
