"""Random tensors (``tf.random``): all drawn from the library's one random source.

Without ``seed`` every draw comes from :func:`lamina.backend.rng` (NumPy's global state, so
``np.random.seed`` and ``lamina.random.set_seed`` make runs repeatable). With an op-level
``seed``, draws come from a stream keyed by that seed and the number of earlier calls with
it, as TensorFlow: repeated calls differ, and ``set_seed`` restarts every stream.
"""

from __future__ import annotations

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.backend.config import floatx
from lamina.backend.random import op_rng, set_seed
from lamina.dtypes import as_dtype
from lamina.ops.core import _to_array
from lamina.ops.creation import _shape


def _float_dtype(dtype, op: str) -> np.dtype:
    d = np.dtype(floatx()) if dtype is None else as_dtype(dtype)._np
    if d.kind != "f":
        raise TypeError(f"{op}: `dtype` must be a float type, received {np.dtype(d).name}.")
    return d


def normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None, name=None) -> Tensor:
    """Samples from a normal distribution."""
    d = _float_dtype(dtype, "normal")
    v = op_rng(seed).normal(size=_shape(shape, "normal"))
    return Tensor((v * _to_array(stddev) + _to_array(mean)).astype(d))


def uniform(shape, minval=0, maxval=None, dtype="float32", seed=None, name=None) -> Tensor:
    """Samples from [minval, maxval); integer dtypes need ``maxval``."""
    d = np.dtype(floatx()) if dtype is None else as_dtype(dtype)._np
    shp = _shape(shape, "uniform")
    r = op_rng(seed)
    if d.kind in "iu":
        if maxval is None:
            raise ValueError("uniform: an integer `dtype` needs `maxval`.")
        lo, hi = int(_to_array(minval)), int(_to_array(maxval))
        if hi <= lo:
            raise ValueError(f"uniform: need minval < maxval, received {lo} and {hi}.")
        return Tensor(r.randint(lo, hi, size=shp).astype(d))
    if d.kind != "f":
        raise TypeError(f"uniform: unsupported dtype {d.name}.")
    hi = 1.0 if maxval is None else _to_array(maxval)
    lo = _to_array(minval)
    return Tensor((r.random_sample(shp) * (hi - lo) + lo).astype(d))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype="float32", seed=None, name=None) -> Tensor:
    """Normal samples, redrawn until within two standard deviations of the mean."""
    d = _float_dtype(dtype, "truncated_normal")
    r = op_rng(seed)
    shp = _shape(shape, "truncated_normal")
    v = r.normal(size=shp)
    bad = np.abs(v) > 2
    while bad.any():
        v[bad] = r.normal(size=int(bad.sum()))
        bad = np.abs(v) > 2
    return Tensor((v * _to_array(stddev) + _to_array(mean)).astype(d))


def shuffle(value, seed=None, name=None) -> Tensor:
    """A copy with its first axis randomly permuted."""
    v = _to_array(value)
    if v.ndim == 0:
        raise ValueError("shuffle: the input must have at least one axis.")
    return Tensor(v[op_rng(seed).permutation(v.shape[0])])


def categorical(logits, num_samples, dtype="int64", seed=None, name=None) -> Tensor:
    """For each row of unnormalized log-probabilities, ``num_samples`` class indices."""
    lg = np.asarray(_to_array(logits), dtype=np.float64)
    if lg.ndim != 2:
        raise ValueError(
            f"categorical: `logits` must be 2-D [batch, classes], received shape {lg.shape}."
        )
    p = np.exp(lg - lg.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    cdf = np.cumsum(p, axis=1)
    u = op_rng(seed).random_sample((lg.shape[0], int(num_samples)))
    out = np.minimum((u[:, :, None] > cdf[:, None, :]).sum(-1), lg.shape[1] - 1)
    return Tensor(out.astype(as_dtype(dtype)._np))


def gamma(shape, alpha, beta=None, dtype="float32", seed=None, name=None) -> Tensor:
    a = _to_array(alpha)
    b = 1.0 if beta is None else _to_array(beta)
    shp = _shape(shape, "gamma") + np.shape(a)
    return Tensor((op_rng(seed).gamma(a, size=shp) / b).astype(_float_dtype(dtype, "gamma")))


def poisson(shape, lam, dtype="float32", seed=None, name=None) -> Tensor:
    lam_ = _to_array(lam)
    shp = _shape(shape, "poisson") + np.shape(lam_)
    return Tensor(op_rng(seed).poisson(lam_, size=shp).astype(as_dtype(dtype)._np))


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype="float32", name=None) -> Tensor:
    r = np.random.RandomState(_stateless_key(seed))
    v = r.normal(size=_shape(shape, "stateless_normal"))
    return Tensor((v * stddev + mean).astype(_float_dtype(dtype, "stateless_normal")))


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype="float32", name=None) -> Tensor:
    r = np.random.RandomState(_stateless_key(seed))
    hi = 1.0 if maxval is None else maxval
    v = r.random_sample(_shape(shape, "stateless_uniform")) * (hi - minval) + minval
    return Tensor(v.astype(as_dtype(dtype)._np))


def _stateless_key(seed) -> int:
    s = [int(x) for x in np.asarray(_to_array(seed)).reshape(-1)]
    return (s[0] * 1_000_003 + (s[1] if len(s) > 1 else 0)) % (2**32)


__all__ = [
    "set_seed",
    "normal",
    "uniform",
    "truncated_normal",
    "shuffle",
    "categorical",
    "gamma",
    "poisson",
    "stateless_normal",
    "stateless_uniform",
]
