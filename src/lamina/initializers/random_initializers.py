"""Random initializers, drawn from ``lamina.backend.rng()`` (or a private seeded stream).

With ``seed=None`` every call draws fresh numbers from the shared random state, so
``np.random.seed`` / ``lamina.utils.set_random_seed`` make runs repeatable. With an integer
``seed`` every call returns the same values, as Keras.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from lamina.autodiff.tensor import Tensor
from lamina.backend.random import make_rng
from lamina.initializers.initializer import Initializer, _dtype, _shape

#: Standard deviation of a unit normal truncated to [-2, 2]; VarianceScaling divides by it.
_TRUNC_STD = 0.87962566103423978


def _check_seed(seed):
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"`seed` argument should be an integer or None. Received: seed={seed!r}")
    return int(seed)


def _number(value, arg: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise TypeError(f"Argument `{arg}` must be a float, received {value!r}.")
    if positive and value <= 0:
        raise ValueError(f"Argument `{arg}` must be positive, received {arg}={value!r}.")
    if value < 0 and arg in ("stddev", "scale", "gain_abs"):
        raise ValueError(f"Argument `{arg}` must be non-negative, received {arg}={value!r}.")
    return value


def truncated_normal(rng: np.random.RandomState, shape, mean: float, stddev: float):
    """Normal draws re-drawn until all lie within two standard deviations of the mean."""
    x = rng.standard_normal(shape)
    bad = np.abs(x) > 2.0
    while bad.any():
        x[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(x) > 2.0
    return x * stddev + mean


class RandomInitializer(Initializer):
    """Shared ``seed`` handling."""

    def __init__(self, seed=None) -> None:
        self.seed = _check_seed(seed)

    def _rng(self) -> np.random.RandomState:
        return make_rng(self.seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class _MeanStddev(RandomInitializer):
    """The ``mean``/``stddev`` arguments of the normal initializers (Keras default 0.05)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None) -> None:
        self.mean = _number(mean, "mean")
        self.stddev = _number(stddev, "stddev")
        super().__init__(seed)

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomNormal(_MeanStddev):
    """Normal draws with ``mean`` and ``stddev`` (Keras default stddev 0.05)."""

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        d = _dtype(dtype, float_only=True)
        x = self._rng().normal(self.mean, self.stddev, _shape(shape))
        return Tensor(np.asarray(x, dtype=d))


class TruncatedNormal(_MeanStddev):
    """Normal draws, re-drawn beyond two standard deviations (Keras default stddev 0.05)."""

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        d = _dtype(dtype, float_only=True)
        x = truncated_normal(self._rng(), _shape(shape), self.mean, self.stddev)
        return Tensor(np.asarray(x, dtype=d))


class RandomUniform(RandomInitializer):
    """Uniform draws in ``[minval, maxval)`` (Keras default +-0.05)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None) -> None:
        self.minval = _number(minval, "minval")
        self.maxval = _number(maxval, "maxval")
        if self.maxval < self.minval:
            raise ValueError(f"`maxval` ({maxval}) must not be below `minval` ({minval}).")
        super().__init__(seed)

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        d = _dtype(dtype)
        shape = _shape(shape)
        rng = self._rng()
        if d.kind in "iu":
            x = rng.randint(int(self.minval), int(self.maxval), size=shape)
        else:
            x = rng.uniform(self.minval, self.maxval, shape)
        return Tensor(np.asarray(x, dtype=d))

    def get_config(self) -> dict:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(shape, input_axes=None, output_axes=None) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shape; conv kernels count their receptive field."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        fan_in = int(np.prod([shape[a] for a in input_axes]))
        fan_out = int(np.prod([shape[a] for a in output_axes]))
        return fan_in, fan_out
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    receptive = int(np.prod(shape[:-2]))
    return int(shape[-2] * receptive), int(shape[-1] * receptive)


class VarianceScaling(RandomInitializer):
    """Draws scaled to the weight's fan: variance ``scale / n`` with ``n`` the fan-in, fan-out
    or their mean (``mode``), from a truncated normal, a normal or a uniform distribution."""

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(
        self,
        scale=1.0,
        mode="fan_in",
        distribution="truncated_normal",
        seed=None,
        input_axes=None,
        output_axes=None,
    ) -> None:
        _number(scale, "scale")
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in self._MODES:
            raise ValueError(
                f"Invalid `mode` argument: {mode!r}. Please use one of {list(self._MODES)}."
            )
        dist = str(distribution).lower()
        if dist == "normal":
            dist = "truncated_normal"
        if dist not in self._DISTRIBUTIONS:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution!r}. Please use one "
                f"of {list(self._DISTRIBUTIONS)}."
            )
        self.scale = scale
        self.mode = mode
        self.distribution = dist
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed)

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        d = _dtype(dtype, float_only=True)
        shape = _shape(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        scale = float(self.scale)
        if self.mode == "fan_in":
            scale /= max(1.0, fan_in)
        elif self.mode == "fan_out":
            scale /= max(1.0, fan_out)
        else:
            scale /= max(1.0, (fan_in + fan_out) / 2.0)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            x = truncated_normal(rng, shape, 0.0, math.sqrt(scale) / _TRUNC_STD)
        elif self.distribution == "untruncated_normal":
            x = rng.normal(0.0, math.sqrt(scale), shape)
        else:
            limit = math.sqrt(3.0 * scale)
            x = rng.uniform(-limit, limit, shape)
        return Tensor(np.asarray(x, dtype=d))

    def _axes_config(self) -> dict:
        out = {}
        if self.input_axes is not None or self.output_axes is not None:
            out = {"input_axes": self.input_axes, "output_axes": self.output_axes}
        return out

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            **self._axes_config(),
        }


def _fixed(name: str, scale: float, mode: str, distribution: str, doc: str):
    def __init__(self, seed=None, input_axes=None, output_axes=None) -> None:
        VarianceScaling.__init__(
            self,
            scale=scale,
            mode=mode,
            distribution=distribution,
            seed=seed,
            input_axes=input_axes,
            output_axes=output_axes,
        )

    def get_config(self) -> dict:
        return {"seed": self.seed, **self._axes_config()}

    return type(
        name,
        (VarianceScaling,),
        {"__init__": __init__, "get_config": get_config, "__doc__": doc, "__module__": __name__},
    )


GlorotUniform = _fixed(
    "GlorotUniform",
    1.0,
    "fan_avg",
    "uniform",
    "Uniform in +-sqrt(6 / (fan_in + fan_out)) (the Dense default).",
)
GlorotNormal = _fixed(
    "GlorotNormal",
    1.0,
    "fan_avg",
    "truncated_normal",
    "Truncated normal, stddev sqrt(2 / (fan_in + fan_out)).",
)
HeNormal = _fixed(
    "HeNormal", 2.0, "fan_in", "truncated_normal", "Truncated normal, stddev sqrt(2 / fan_in)."
)
HeUniform = _fixed("HeUniform", 2.0, "fan_in", "uniform", "Uniform in +-sqrt(6 / fan_in).")
LecunNormal = _fixed(
    "LecunNormal", 1.0, "fan_in", "truncated_normal", "Truncated normal, stddev sqrt(1 / fan_in)."
)
LecunUniform = _fixed("LecunUniform", 1.0, "fan_in", "uniform", "Uniform in +-sqrt(3 / fan_in).")


class Orthogonal(RandomInitializer):
    """A random orthogonal matrix (QR of a normal matrix) times ``gain``; shapes of rank > 2
    are flattened to ``(prod(shape[:-1]), shape[-1])``."""

    def __init__(self, gain=1.0, seed=None) -> None:
        self.gain = _number(gain, "gain")
        super().__init__(seed)

    def __call__(self, shape, dtype=None, **kwargs) -> Tensor:
        d = _dtype(dtype, float_only=True)
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. Received: "
                f"shape={shape} of rank {len(shape)}."
            )
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        a = self._rng().normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return Tensor(np.asarray(self.gain * q.reshape(shape), dtype=d))

    def get_config(self) -> dict:
        return {**super().get_config(), "gain": self.gain}
