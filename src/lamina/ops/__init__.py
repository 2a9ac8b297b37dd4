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

# ruff: noqa: I001  (order matters: Keras spellings override TensorFlow's where they differ)
from lamina.ops import operators as _operators  # (binds +, -, *, @ ...)
from lamina.ops.array_ops import getitem
from lamina.ops.core import unbroadcast
from lamina.ops.tf_api import *
from lamina.ops.tf_api import __all__ as _tf_all
from lamina.ops.numpy_api import *
from lamina.ops.numpy_api import __all__ as _np_all

__all__ = sorted(set(_tf_all) | set(_np_all))
