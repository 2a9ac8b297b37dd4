"""Differentiable operations on tensors: the ``tf.*`` functions and ``keras.ops``."""

from lamina.ops import operators as _operators  # noqa: F401  (binds +, -, *, @ ...)
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
