"""The library's one source of randomness.

lamina draws every random number (initializers, dropout masks, shuffling, ``lamina.random``)
from NumPy's global ``RandomState``. So ``np.random.seed(s)``, ``lamina.random.set_seed(s)``
and ``lamina.utils.set_random_seed(s)`` all make a run repeatable, as the tutorials expect.
"""

from __future__ import annotations

import random as _pyrandom

import numpy as np


def rng() -> np.random.RandomState:
    """The shared random state (NumPy's global one, so ``np.random.seed`` governs it)."""
    return np.random.mtrand._rand


#: Per-seed call counters for op-level ``seed=`` arguments of ``lamina.random`` ops.
_op_counters: dict[int, int] = {}


def set_seed(seed: int) -> None:
    """Seed Python's, NumPy's and lamina's random numbers (they are one source)."""
    _op_counters.clear()
    if seed is None:
        np.random.seed(None)
        _pyrandom.seed(None)
        return
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise TypeError(f"`seed` must be an integer, received {seed!r}") from None
    np.random.seed(seed % (2**32))
    _pyrandom.seed(seed)


def make_rng(seed: int | None) -> np.random.RandomState:
    """A private random state for an explicit ``seed=`` argument, else the shared one."""
    if seed is None:
        return rng()
    return np.random.RandomState(int(seed) % (2**32))


def op_rng(seed: int | None) -> np.random.RandomState:
    """The random state for a ``lamina.random`` op: the shared one, or a per-seed stream.

    As TensorFlow, two calls with the same op-level ``seed`` give different numbers, and
    :func:`set_seed` restarts the sequence.
    """
    if seed is None:
        return rng()
    s = int(seed) % (2**32)
    n = _op_counters.get(s, 0)
    _op_counters[s] = n + 1
    return np.random.RandomState((s * 7919 + n) % (2**32))
