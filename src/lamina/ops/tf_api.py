# ruff: noqa: F401, F403, F405
"""The ``tf.*`` functions with TensorFlow's semantics: what ``lamina`` exports at top level."""

from lamina.dtypes import saturate_cast
from lamina.ops import (
    array_ops as _array,
    comparison as _comparison,
    creation as _creation,
    elementwise as _elementwise,
    reduction as _reduction,
)
from lamina.ops.array_ops import *  # noqa: F403
from lamina.ops.array_ops import slice_ as slice  # noqa: A001  (tf.slice)
from lamina.ops.comparison import *  # noqa: F403
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
from lamina.ops.reduction import *  # noqa: F403

mod = floormod  # noqa: F405
realdiv = divide
div = divide

__all__ = sorted(
    set(_array.__all__) - {"slice_", "getitem"}
    | set(_comparison.__all__)
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
        "sigmoid",
        "tanh",
        "mod",
        "realdiv",
        "truediv",
        "saturate_cast",
    }
)

#: Names ``lamina`` serves lazily (their modules load on first use, keeping import fast).
LAZY: dict[str, tuple[str, str]] = {
    **{
        name: ("lamina.ops.linalg", name)
        for name in (
            "einsum",
            "norm",
            "tensordot",
            "clip_by_norm",
            "clip_by_global_norm",
            "global_norm",
        )
    },
    **{
        name: ("lamina.ops.extras", name)
        for name in (
            "identity_n",
            "parallel_stack",
            "tensor_scatter_nd_sub",
            "tensor_scatter_nd_max",
            "tensor_scatter_nd_min",
            "unique_with_counts",
            "searchsorted",
            "strided_slice",
            "reverse_sequence",
            "unravel_index",
            "histogram_fixed_width",
            "get_static_value",
            "space_to_depth",
            "depth_to_space",
            "scalar_mul",
            "real",
            "imag",
            "conj",
        )
    },
    **{
        name: ("lamina.ops.control", name)
        for name in (
            "nest",
            "cond",
            "case",
            "switch_case",
            "while_loop",
            "foldl",
            "foldr",
            "scan",
            "TensorArray",
            "debugging",
            "Assert",
            "assert_equal",
            "assert_greater",
            "assert_less",
            "assert_rank",
            "assert_greater_equal",
            "assert_less_equal",
            "assert_near",
            "assert_non_negative",
            "assert_none_equal",
            "assert_positive",
            "assert_type",
            "check_numerics",
        )
    },
}
