"""glibc's malloc set, once, to the state its own adaptive rule ends in for large arrays.

A convolution step allocates and frees arrays of several MB (windows, products, gradients).
glibc serves such blocks with ``mmap`` and gives them back to the kernel on ``free`` until
its *dynamic* threshold has risen past them, and trims the heap top whenever more than twice
that threshold is free; every fresh block then costs a page fault per 4 KB (the kernel zeroes
the pages), which made up about a third of a small CNN's training step here. glibc raises the
threshold itself each time it frees an mmapped block, up to ``DEFAULT_MMAP_THRESHOLD_MAX``
(32 MB on 64-bit), with the trim threshold at twice it. :func:`keep_large_blocks` sets exactly
that end state (mmap threshold 32 MB, trim threshold 64 MB) at the first convolution: a
process that has freed one 32 MB array is already there, and glibc never moves past it. So
the change is no different in kind from what a NumPy program reaches on its own; blocks over
32 MB still come from ``mmap``, and at most 64 MB of freed memory stays mapped.

Nothing is done off glibc, on 32-bit builds, when the user set malloc tunables
(``MALLOC_*_`` or ``GLIBC_TUNABLES`` with ``malloc``), or with ``LAMINA_MALLOC_TUNING=0``.
"""

from __future__ import annotations

import os
import sys

_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD_MAX = 32 * 1024 * 1024  # glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit

_done = False


def _wanted() -> bool:
    if sys.platform != "linux" or sys.maxsize <= 2**32:
        return False
    env = os.environ
    if env.get("LAMINA_MALLOC_TUNING", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    if any(
        k in env for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
    ):
        return False
    if "malloc" in env.get("GLIBC_TUNABLES", ""):
        return False
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError):
        return False


def keep_large_blocks() -> None:
    """Set glibc's mmap/trim thresholds to their adaptive maximum (first call only)."""
    global _done
    if _done:
        return
    _done = True
    if not _wanted():
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)
    mallopt(_M_TRIM_THRESHOLD, 2 * _MMAP_THRESHOLD_MAX)
