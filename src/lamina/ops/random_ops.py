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
    """Samples from Gamma(alpha, beta) distributions."""
    a = _to_array(alpha)
    b = 1.0 if beta is None else _to_array(beta)
    shp = _shape(shape, "gamma") + np.shape(a)
    return Tensor((op_rng(seed).gamma(a, size=shp) / b).astype(_float_dtype(dtype, "gamma")))


def poisson(shape, lam, dtype="float32", seed=None, name=None) -> Tensor:
    """Samples from Poisson(lam) distributions."""
    lam_ = _to_array(lam)
    shp = _shape(shape, "poisson") + np.shape(lam_)
    return Tensor(op_rng(seed).poisson(lam_, size=shp).astype(as_dtype(dtype)._np))


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype="float32", name=None) -> Tensor:
    """Normal samples fully determined by ``seed`` (a pair of ints)."""
    r = np.random.RandomState(_stateless_key(seed))
    v = r.normal(size=_shape(shape, "stateless_normal"))
    return Tensor((v * stddev + mean).astype(_float_dtype(dtype, "stateless_normal")))


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype="float32", name=None) -> Tensor:
    """Uniform samples fully determined by ``seed``."""
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


def stateless_truncated_normal(
    shape, seed, mean=0.0, stddev=1.0, dtype="float32", name=None
) -> Tensor:
    """Truncated normal samples fully determined by ``seed``."""
    r = np.random.RandomState(_stateless_key(seed))
    shp = _shape(shape, "stateless_truncated_normal")
    v = r.normal(size=shp)
    bad = np.abs(v) > 2
    while bad.any():
        v[bad] = r.normal(size=int(bad.sum()))
        bad = np.abs(v) > 2
    return Tensor((v * stddev + mean).astype(_float_dtype(dtype, "stateless_truncated_normal")))


def stateless_categorical(logits, num_samples, seed, dtype="int64", name=None) -> Tensor:
    """Categorical samples fully determined by ``seed``."""
    lg = np.asarray(_to_array(logits), dtype=np.float64)
    p = np.exp(lg - lg.max(axis=1, keepdims=True))
    cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = np.random.RandomState(_stateless_key(seed)).random_sample((lg.shape[0], int(num_samples)))
    out = np.minimum((u[:, :, None] > cdf[:, None, :]).sum(-1), lg.shape[1] - 1)
    return Tensor(out.astype(as_dtype(dtype)._np))


def stateless_binomial(shape, seed, counts, probs, output_dtype="int32", name=None) -> Tensor:
    """Binomial samples fully determined by ``seed``."""
    r = np.random.RandomState(_stateless_key(seed))
    out = r.binomial(_to_array(counts), _to_array(probs), size=_shape(shape, "stateless_binomial"))
    return Tensor(out.astype(as_dtype(output_dtype)._np))


def stateless_poisson(shape, seed, lam, dtype="int32", name=None) -> Tensor:
    """Poisson samples fully determined by ``seed``."""
    r = np.random.RandomState(_stateless_key(seed))
    out = r.poisson(_to_array(lam), size=_shape(shape, "stateless_poisson"))
    return Tensor(out.astype(as_dtype(dtype)._np))


class Generator:
    """``tf.random.Generator``: an independent, seedable random stream."""

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        self._rng = np.random.RandomState(None if seed is None else int(seed) % (2**32))

    @classmethod
    def from_seed(cls, seed, alg=None) -> Generator:
        return cls(int(seed))

    @classmethod
    def from_non_deterministic_state(cls, alg=None) -> Generator:
        return cls(None)

    def reset_from_seed(self, seed) -> None:
        self.__init__(int(seed))

    def normal(self, shape, mean=0.0, stddev=1.0, dtype="float32", name=None) -> Tensor:
        v = self._rng.normal(size=_shape(shape, "Generator.normal"))
        return Tensor(
            (v * _to_array(stddev) + _to_array(mean)).astype(
                _float_dtype(dtype, "Generator.normal")
            )
        )

    def uniform(self, shape, minval=0, maxval=None, dtype="float32", name=None) -> Tensor:
        d = as_dtype(dtype)._np
        shp = _shape(shape, "Generator.uniform")
        if d.kind in "iu":
            if maxval is None:
                raise ValueError("Generator.uniform: an integer `dtype` needs `maxval`.")
            return Tensor(self._rng.randint(int(minval), int(maxval), size=shp).astype(d))
        hi = 1.0 if maxval is None else _to_array(maxval)
        return Tensor((self._rng.random_sample(shp) * (hi - minval) + minval).astype(d))

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype="float32", name=None) -> Tensor:
        shp = _shape(shape, "Generator.truncated_normal")
        v = self._rng.normal(size=shp)
        bad = np.abs(v) > 2
        while bad.any():
            v[bad] = self._rng.normal(size=int(bad.sum()))
            bad = np.abs(v) > 2
        return Tensor((v * stddev + mean).astype(_float_dtype(dtype, "truncated_normal")))

    def binomial(self, shape, counts, probs, dtype="int32", name=None) -> Tensor:
        out = self._rng.binomial(
            _to_array(counts), _to_array(probs), size=_shape(shape, "Generator.binomial")
        )
        return Tensor(out.astype(as_dtype(dtype)._np))

    def make_seeds(self, count=1) -> Tensor:
        return Tensor(self._rng.randint(0, 2**31 - 1, size=(2, int(count))).astype(np.int64))

    def split(self, count=1) -> list:
        return [Generator(int(s)) for s in self._rng.randint(0, 2**31 - 1, size=int(count))]


_global_generator: Generator | None = None


def get_global_generator() -> Generator:
    """The process-wide ``Generator``."""
    global _global_generator
    if _global_generator is None:
        _global_generator = Generator(None)
    return _global_generator


def set_global_generator(generator: Generator) -> None:
    """Replace the process-wide ``Generator``."""
    global _global_generator
    _global_generator = generator


def fold_in(seed, data, alg=None) -> Tensor:
    """A new stateless seed derived from ``seed`` and ``data``."""
    s = [int(x) for x in np.asarray(_to_array(seed)).reshape(-1)]
    key = np.random.RandomState((s[0] * 31 + s[-1] * 17 + int(data)) % (2**32))
    return Tensor(key.randint(0, 2**31 - 1, size=2).astype(np.int64))


__all__ += [
    "stateless_truncated_normal",
    "stateless_categorical",
    "stateless_binomial",
    "stateless_poisson",
    "Generator",
    "get_global_generator",
    "set_global_generator",
    "fold_in",
]
