# ruff: noqa: F401, F403, F405
"""``tf.random``: seeding and random tensors, all from the library's one random source."""

from lamina.ops.random_ops import *  # noqa: F403
from lamina.ops.random_ops import normal as _normal, uniform as _uniform

random_normal = _normal
random_uniform = _uniform


class _Experimental:
    """``tf.random.experimental``: Generator and the stateless spellings."""

    from lamina.ops.random_ops import (  # noqa: F401
        Generator,
        get_global_generator,
        set_global_generator,
        stateless_normal,
        stateless_uniform,
    )

    stateless_fold_in = staticmethod(fold_in)  # noqa: F405


experimental = _Experimental()

__all__ = [n for n in dir() if not n.startswith("_")]

from lamina.ops.symbolic import wrap_namespace as _wrap_namespace  # noqa: E402

_wrap_namespace(globals(), "random", __all__)  # symbolic shapes build op layers (VAE noise)
