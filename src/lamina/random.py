# ruff: noqa: F401, F403, F405
"""``tf.random``: seeding and random tensors, all from the library's one random source."""

from lamina.ops.random_ops import *  # noqa: F403
from lamina.ops.random_ops import normal as _normal, uniform as _uniform

random_normal = _normal
random_uniform = _uniform


class _Experimental:
    """``tf.random.experimental.stateless_*`` spellings."""

    from lamina.ops.random_ops import stateless_normal, stateless_uniform  # noqa: F401


experimental = _Experimental()

__all__ = [n for n in dir() if not n.startswith("_")]
