# ruff: noqa: F401, F403, F405
"""``tf.nn``: activations, softmax, cross-entropies, dropout, moments, normalization."""

from lamina.ops.conv_ops import *  # noqa: F403
from lamina.ops.elementwise import sigmoid, softplus, softsign, tanh  # noqa: F401
from lamina.ops.extras import depth_to_space, space_to_depth  # noqa: F401
from lamina.ops.nn import *  # noqa: F403
from lamina.ops.reduction import in_top_k, top_k  # noqa: F401

__all__ = [n for n in dir() if not n.startswith("_")]

from lamina.ops.symbolic import wrap_namespace as _wrap_namespace  # noqa: E402

_wrap_namespace(globals(), "nn", __all__)  # symbolic tensors build op layers
