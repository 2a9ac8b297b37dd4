"""How many threads NumPy's BLAS may use, and the policy ``fit`` applies.

OpenBLAS splits even small matrix products across all cores. On a machine whose cores are
busy (a laptop running other work, a shared CI box) its threads wait for each other, and the
products of a tutorial-sized model get many times slower than on one thread; yet one thread is
within microseconds of two for such sizes on an idle machine. So ``fit`` runs models whose
largest per-batch product is small on one BLAS thread and restores the setting afterwards.
Large models (MNIST-sized and up) keep every thread.

The control goes through OpenBLAS's own ``set_num_threads`` (found among the libraries the
process has loaded); with another BLAS, or where that is not found, nothing changes.

:func:`axpby` gives the optimizers a fused ``y = a*x + b*y`` from the same library (one sweep
over memory instead of NumPy's two or three), with a NumPy fallback elsewhere.
"""

from __future__ import annotations

import contextlib
import ctypes
from collections.abc import Iterator

import numpy as np

#: Per-batch matrix products with fewer multiply-adds than this run on one thread.
SMALL_GEMM = 1 << 22

_api: tuple | None | bool = False  # False: not looked up yet
_libs: list | None = None


def _loaded_openblas() -> list:
    """The OpenBLAS libraries this process has loaded (NumPy's), as ctypes handles."""
    global _libs
    if _libs is None:
        _libs = []
        try:
            with open("/proc/self/maps") as f:
                paths = sorted({line.split()[-1] for line in f if "openblas" in line.lower()})
        except OSError:
            paths = []
        for path in paths:
            try:
                _libs.append(ctypes.CDLL(path))
            except OSError:
                continue
    return _libs


def _openblas() -> tuple | None:
    global _api
    if _api is not False:
        return _api
    _api = None
    for lib in _loaded_openblas():
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


#: Layer attributes holding the weights a layer multiplies its input by.
_KERNELS = ("kernel", "depthwise_kernel", "pointwise_kernel", "recurrent_kernel")


def _leaf_layers(model) -> list:
    out, stack = [], list(getattr(model, "layers", ()) or ())
    while stack:
        layer = stack.pop()
        inner = getattr(layer, "layers", None)
        if inner:
            stack.extend(inner)
        else:
            out.append(layer)
    return out


def _positions(layer, kernel_shape: tuple) -> int:
    """How many rows the layer's product has per sample: 1 for a Dense on vectors, the
    timesteps for a Dense on sequences, the output pixels for a convolution."""
    try:
        shape = layer.output_shape
    except Exception:
        return 1
    if not isinstance(shape, tuple) or not shape or any(d is None for d in shape[1:]):
        return 1
    size = 1
    for d in shape[1:]:
        size *= int(d)
    return max(1, size // max(int(kernel_shape[-1]), 1))


def largest_gemm(model, batch_size: int) -> int:
    """Multiply-adds of the biggest per-batch product of one of the model's kernels (a
    convolution counts its output positions: its product has a row per pixel)."""
    biggest = 0
    batch = max(int(batch_size or 32), 1)
    layers = _leaf_layers(model) or [model]
    for layer in layers:
        for attr in _KERNELS:
            v = getattr(layer, attr, None)
            shape = getattr(getattr(v, "_value", None), "shape", ())
            if len(shape) < 2:
                continue
            size = 1
            for d in shape:
                size *= int(d)
            biggest = max(biggest, size * _positions(layer, shape))
    if not biggest:  # a model whose layers hide their kernels: its 2-D weights
        for v in getattr(model, "trainable_variables", ()) or ():
            shape = getattr(v._value, "shape", ())
            if len(shape) == 2:
                biggest = max(biggest, int(shape[0]) * int(shape[1]))
    return biggest * batch


def threads_for_fit(model, batch_size: int):
    """One BLAS thread for small models (see the module docstring), else no change."""
    if largest_gemm(model, batch_size) < SMALL_GEMM:
        return blas_threads_limited(1)
    return contextlib.nullcontext()


# --- fused level-1 kernels ---------------------------------------------------------------------
_AXPBY: dict | None = None  # dtype char -> (axpby, axpy) C functions


def _level1() -> dict:
    """OpenBLAS's ``cblas_?axpby``/``cblas_?axpy`` for float32 and float64, each checked once.

    Integer arguments go as 64-bit values: right for ILP64 builds (NumPy's) and, the upper
    half being ignored, for 32-bit ones too. A kernel that fails its check is not used.
    """
    global _AXPBY
    if _AXPBY is not None:
        return _AXPBY
    _AXPBY = {}
    i64, vp = ctypes.c_int64, ctypes.c_void_p
    for char, real in (("f", ctypes.c_float), ("d", ctypes.c_double)):
        t = char.replace("f", "s")
        for lib in _loaded_openblas():
            found = None
            for prefix in ("scipy_cblas_", "cblas_"):
                for suffix in ("64_", ""):
                    fb = getattr(lib, f"{prefix}{t}axpby{suffix}", None)
                    fa = getattr(lib, f"{prefix}{t}axpy{suffix}", None)
                    if fb is not None and fa is not None:
                        found = (fb, fa)
                        break
                if found:
                    break
            if not found:
                continue
            fb, fa = found
            fb.argtypes, fb.restype = [i64, real, vp, i64, real, vp, i64], None
            fa.argtypes, fa.restype = [i64, real, vp, i64, vp, i64], None
            x = np.array([1.0, 2.0, 3.0], dtype=char)
            y = np.ones(3, dtype=char)
            fb(3, 2.0, x.ctypes.data, 1, 3.0, y.ctypes.data, 1)
            fa(3, -1.0, x.ctypes.data, 1, y.ctypes.data, 1)
            if y.tolist() == [4.0, 5.0, 6.0]:
                _AXPBY[char] = found
                break
    return _AXPBY


def axpby(alpha: float, x: np.ndarray, beta: float, y: np.ndarray, scratch: np.ndarray) -> None:
    """``y = alpha * x + beta * y`` in place, in one sweep over memory where OpenBLAS is loaded.

    The optimizers' updates are chains of such steps over every weight; NumPy needs two or
    three passes (and a temporary) for each, OpenBLAS's ``axpby``/``axpy`` one. ``scratch``
    (same shape as ``y``; it may be ``x`` itself when the caller is done with ``x``) serves
    inputs BLAS cannot read in place and the NumPy fallback. The result is the same whatever
    the arrays' sizes and offsets, so a model's weights updated one by one or as one flat
    buffer agree.
    """
    fn = (_AXPBY if _AXPBY is not None else _level1()).get(y.dtype.char)
    if fn is None or not (y.flags.c_contiguous and y.flags.writeable) or not y.size:
        np.multiply(x, alpha, out=scratch)
        if beta != 1.0:
            np.multiply(y, beta, out=y)
        np.add(y, scratch, out=y)
        return
    if not (
        x.dtype == y.dtype and x.shape == y.shape and x.flags.c_contiguous and x.flags.writeable
    ):
        np.copyto(scratch, x, casting="unsafe")
        x = scratch
    # byref(c_char.from_buffer(a)) is the array's address, three times cheaper than a.ctypes
    if beta == 1.0:
        fn[1](y.size, alpha, _ref(_at(x)), 1, _ref(_at(y)), 1)
    else:
        fn[0](y.size, alpha, _ref(_at(x)), 1, beta, _ref(_at(y)), 1)


_ref, _at = ctypes.byref, ctypes.c_char.from_buffer
