# ruff: noqa: F401, F403, F405
"""``tf.linalg``: products, norms, inverses, determinants, solves and decompositions."""

from lamina.ops.core import matmul  # noqa: F401
from lamina.ops.creation import eye  # noqa: F401
from lamina.ops.linalg import *  # noqa: F403

adjoint = matrix_transpose  # noqa: F405
transpose = matrix_transpose  # noqa: F405
tensor_diag = diag  # noqa: F405
tensor_diag_part = diag_part  # noqa: F405

__all__ = [n for n in dir() if not n.startswith("_")]

from lamina.ops.symbolic import wrap_namespace as _wrap_namespace  # noqa: E402

_wrap_namespace(globals(), "linalg", __all__)  # symbolic tensors build op layers
