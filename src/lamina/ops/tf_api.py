# ruff: noqa: F401, F403, F405
"""The ``tf.*`` functions with TensorFlow's semantics: what ``lamina`` exports at top level."""

from lamina.dtypes import saturate_cast
from lamina.ops import (
    array_ops as _array,
    comparison as _comparison,
    control as _control,
    creation as _creation,
    elementwise as _elementwise,
    reduction as _reduction,
)
from lamina.ops.array_ops import *  # noqa: F403
from lamina.ops.array_ops import slice_ as slice  # noqa: A001  (tf.slice)
from lamina.ops.comparison import *  # noqa: F403
from lamina.ops.control import *  # noqa: F403
from lamina.ops.control import (
    assert_greater_equal,
    assert_less_equal,
    assert_near,
    assert_non_negative,
    assert_none_equal,
    assert_positive,
    assert_type,
    check_numerics,
)
from lamina.ops.core import (
    add,
    broadcast_to,
    cast,
    constant,
    convert_to_tensor,
    divide,
    exp,
    log,
    matmul,
    multiply,
    negative,
    ones_like,
    reduce_sum,
    reshape,
    stop_gradient,
    subtract,
    unbroadcast,
    zeros_like,
)
from lamina.ops.creation import *  # noqa: F403
from lamina.ops.elementwise import *  # noqa: F403
from lamina.ops.linalg import (
    clip_by_global_norm,
    clip_by_norm,
    einsum,
    global_norm,
    norm,
    tensordot,
)
from lamina.ops.nn import log_softmax, relu, sigmoid, softmax, softplus, tanh  # noqa: F401
from lamina.ops.reduction import *  # noqa: F403

mod = floormod  # noqa: F405
realdiv = divide
div = divide

__all__ = sorted(
    set(_array.__all__) - {"slice_", "getitem"}
    | set(_comparison.__all__)
    | set(_control.__all__)
    | set(_creation.__all__)
    | set(_elementwise.__all__)
    | set(_reduction.__all__)
    | {
        "slice",
        "add",
        "broadcast_to",
        "cast",
        "constant",
        "convert_to_tensor",
        "divide",
        "exp",
        "log",
        "matmul",
        "multiply",
        "negative",
        "ones_like",
        "reduce_sum",
        "reshape",
        "stop_gradient",
        "subtract",
        "zeros_like",
        "einsum",
        "norm",
        "tensordot",
        "clip_by_norm",
        "clip_by_global_norm",
        "global_norm",
        "sigmoid",
        "tanh",
        "mod",
        "realdiv",
        "truediv",
        "assert_greater_equal",
        "assert_less_equal",
        "assert_near",
        "assert_non_negative",
        "assert_none_equal",
        "assert_positive",
        "assert_type",
        "check_numerics",
        "saturate_cast",
    }
)
