# ruff: noqa: F401, F403, F405
"""``tf.math``: element-wise math, reductions and comparisons under TensorFlow's names."""

from lamina.ops.array_ops import unsorted_segment_sum
from lamina.ops.comparison import *  # noqa: F403
from lamina.ops.core import add, cast, divide, exp, log, multiply, negative, reduce_sum, subtract
from lamina.ops.elementwise import *  # noqa: F403
from lamina.ops.extras import *  # noqa: F403
from lamina.ops.linalg import l2_normalize
from lamina.ops.nn import log_softmax, sigmoid, softmax, softplus, tanh  # noqa: F401
from lamina.ops.reduction import *  # noqa: F403

multiply_no_nan = multiply_no_nan  # noqa: F405,PLW0127
floormod = floormod  # noqa: F405,PLW0127
mod = floormod  # noqa: F405
truncatediv = truncatediv  # noqa: F405,PLW0127

__all__ = [n for n in dir() if not n.startswith("_")]

from lamina.ops.symbolic import wrap_namespace as _wrap_namespace  # noqa: E402

_wrap_namespace(globals(), "math", __all__)  # symbolic tensors build op layers
