"""How many threads NumPy's BLAS may use, and the policy ``fit`` applies.

OpenBLAS splits even small matrix products across all cores. On a machine whose cores are
busy (a laptop running other work, a shared CI box) its threads wait for each other, and the
products of a tutorial-sized model get many times slower than on one thread; yet one thread is
within microseconds of two for such sizes on an idle machine. So ``fit`` runs models whose
largest per-batch product is small on one BLAS thread and restores the setting afterwards.
Large models (MNIST-sized and up) keep every thread.

The control goes through OpenBLAS's own ``set_num_threads`` (found among the libraries the
process has loaded); with another BLAS, or where that is not found, nothing changes.
"""

from __future__ import annotations

import contextlib
import ctypes
from collections.abc import Iterator

#: Per-batch matrix products with fewer multiply-adds than this run on one thread.
SMALL_GEMM = 1 << 22

_api: tuple | None | bool = False  # False: not looked up yet


def _openblas() -> tuple | None:
    global _api
    if _api is not False:
        return _api
    _api = None
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "openblas" in line.lower()})
    except OSError:
        return None
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas_", "openblas_"):
            for suffix in ("64_", ""):
                get = getattr(lib, f"{prefix}get_num_threads{suffix}", None)
                put = getattr(lib, f"{prefix}set_num_threads{suffix}", None)
                if get is not None and put is not None:
                    get.restype = ctypes.c_int
                    put.argtypes = [ctypes.c_int]
                    _api = (get, put)
                    return _api
    return None


def blas_threads() -> int | None:
    """The number of threads OpenBLAS uses, or None if lamina cannot tell."""
    api = _openblas()
    return None if api is None else int(api[0]())


def set_blas_threads(n: int) -> bool:
    """Ask OpenBLAS to use ``n`` threads; False when it cannot be controlled."""
    api = _openblas()
    if api is None:
        return False
    api[1](max(1, int(n)))
    return True


@contextlib.contextmanager
def blas_threads_limited(n: int) -> Iterator[None]:
    """Use at most ``n`` BLAS threads inside the block."""
    before = blas_threads()
    changed = before is not None and before > n and set_blas_threads(n)
    try:
        yield
    finally:
        if changed:
            set_blas_threads(before)


def largest_gemm(model, batch_size: int) -> int:
    """Multiply-adds of the biggest per-batch product with one of the model's weight matrices."""
    biggest = 0
    for v in getattr(model, "trainable_variables", ()) or ():
        shape = getattr(v._value, "shape", ())
        if len(shape) == 2:
            biggest = max(biggest, int(shape[0]) * int(shape[1]))
    return biggest * max(int(batch_size or 32), 1)


def threads_for_fit(model, batch_size: int):
    """One BLAS thread for small models (see the module docstring), else no change."""
    if largest_gemm(model, batch_size) < SMALL_GEMM:
        return blas_threads_limited(1)
    return contextlib.nullcontext()
