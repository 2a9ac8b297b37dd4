"""Learning-rate schedules: ``lr = schedule(step)`` (``keras.optimizers.schedules``).

Pass one as an optimizer's ``learning_rate``; the optimizer calls it with its ``iterations``
every step. Values are computed in float32 with Keras 3's formulas and returned as scalar
Tensors.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from lamina.autodiff.tensor import Tensor


def _step_value(step) -> float:
    if isinstance(step, Tensor):
        return float(step._value)
    return float(np.asarray(step))


def _out(value) -> Tensor:
    return Tensor(np.asarray(value, dtype=np.float32))


def _check_positive(value, arg: str):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"Argument `{arg}` must be > 0. Received: {arg}={value!r}")
    return value


def _check_number(value, arg: str):
    if isinstance(value, (Tensor, np.ndarray, np.generic)):
        value = np.asarray(value).item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"Argument `{arg}` must be a number, received {value!r} of type {type(value).__name__}."
        )
    if math.isnan(value) or value < 0:
        raise ValueError(f"Argument `{arg}` must be >= 0. Received: {arg}={value!r}")
    return value


def _check_bool(value, arg: str) -> bool:
    if isinstance(value, (bool, np.bool_)) or (
        isinstance(value, numbers.Integral) and value in (0, 1)
    ):
        return bool(value)
    raise TypeError(f"Argument `{arg}` must be True or False, received {arg}={value!r}.")


def _check_fraction(value, arg: str) -> float:
    """A number in [0, 1] (``alpha``: the final rate as a fraction of the initial one)."""
    value = _check_number(value, arg)
    if value > 1:
        raise ValueError(f"Argument `{arg}` must be in [0, 1]. Received: {arg}={value!r}")
    return value


class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config()``."""

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `__call__(self, step)`."
        )

    def get_config(self) -> dict:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override `get_config()` in "
            "order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class _RateDecay(LearningRateSchedule):
    """The arguments and the ``step / decay_steps`` progress shared by the exponential and
    inverse-time decays."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name) -> None:
        self.initial_learning_rate = _check_number(initial_learning_rate, "initial_learning_rate")
        self.decay_steps = _check_positive(decay_steps, "decay_steps")
        self.decay_rate = _check_number(decay_rate, "decay_rate")
        self.staircase = _check_bool(staircase, "staircase")
        self.name = name

    def _progress(self, step) -> np.float32:
        p = np.float32(_step_value(step)) / np.float32(self.decay_steps)
        return np.floor(p) if self.staircase else p

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


class ExponentialDecay(_RateDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (floored if staircase)."""

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        decay_rate,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step) -> Tensor:
        f = np.float32
        return _out(
            f(self.initial_learning_rate) * np.power(f(self.decay_rate), self._progress(step))
        )


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` up to ``boundaries[0]`` (inclusive), ``values[1]`` up to the next..."""

    def __init__(self, boundaries, values, name: str = "PiecewiseConstant") -> None:
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. Received: "
                f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of "
                f"length {len(values)}."
            )
        if any(b2 < b1 for b1, b2 in zip(boundaries, boundaries[1:])):
            raise ValueError(f"`boundaries` must be increasing, received {boundaries}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step) -> Tensor:
        s = _step_value(step)
        for b, v in zip(self.boundaries, self.values):
            if s <= b:
                return _out(v)
        return _out(self.values[-1])

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from ``initial_learning_rate`` to ``end_learning_rate`` over
    ``decay_steps`` (repeating with longer periods when ``cycle``)."""

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        end_learning_rate=0.0001,
        power=1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        self.initial_learning_rate = _check_number(initial_learning_rate, "initial_learning_rate")
        self.decay_steps = _check_positive(decay_steps, "decay_steps")
        self.end_learning_rate = _check_number(end_learning_rate, "end_learning_rate")
        self.power = _check_number(power, "power")
        self.cycle = _check_bool(cycle, "cycle")
        self.name = name

    def __call__(self, step) -> Tensor:
        f = np.float32
        s = f(_step_value(step))
        steps = f(self.decay_steps)
        if self.cycle:
            mult = f(1.0) if s == 0 else np.ceil(s / steps)
            steps = steps * mult
        else:
            s = min(s, steps)
        p = s / steps
        init, end = f(self.initial_learning_rate), f(self.end_learning_rate)
        return _out((init - end) * np.power(f(1) - p, f(self.power)) + end)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


class InverseTimeDecay(_RateDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (floored if staircase)."""

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        decay_rate,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ) -> None:
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step) -> Tensor:
        f = np.float32
        p = self._progress(step)
        return _out(f(self.initial_learning_rate) / (f(1) + f(self.decay_rate) * p))


class CosineDecay(LearningRateSchedule):
    """Cosine decay to ``alpha * initial`` over ``decay_steps``, after an optional linear warmup
    from ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps``."""

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        alpha=0.0,
        name: str = "CosineDecay",
        warmup_target=None,
        warmup_steps=0,
    ) -> None:
        self.initial_learning_rate = _check_number(initial_learning_rate, "initial_learning_rate")
        self.decay_steps = _check_positive(decay_steps, "decay_steps")
        self.alpha = _check_fraction(alpha, "alpha")
        self.name = name
        self.warmup_target = (
            None if warmup_target is None else _check_number(warmup_target, "warmup_target")
        )
        self.warmup_steps = _check_number(warmup_steps, "warmup_steps")

    def _decay(self, step, decay_steps, decay_from):
        f = np.float32
        frac = f(step) / f(decay_steps)
        cosine = f(0.5) * (f(1) + np.cos(f(math.pi) * frac))
        decayed = (f(1) - f(self.alpha)) * cosine + f(self.alpha)
        return f(decay_from) * decayed

    def __call__(self, step) -> Tensor:
        f = np.float32
        s = f(_step_value(step))
        steps = f(self.decay_steps)
        if self.warmup_target is None:
            return _out(self._decay(min(s, steps), steps, self.initial_learning_rate))
        warm = f(self.warmup_steps)
        s = min(s, steps + warm)
        if s < warm:
            init = f(self.initial_learning_rate)
            return _out((f(self.warmup_target) - init) * (s / warm) + init)
        return _out(self._decay(s - warm, steps, self.warmup_target))

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods grow by ``t_mul``, peaks by ``m_mul``."""

    def __init__(
        self,
        initial_learning_rate,
        first_decay_steps,
        t_mul=2.0,
        m_mul=1.0,
        alpha=0.0,
        name: str = "SGDRDecay",
    ) -> None:
        self.initial_learning_rate = _check_number(initial_learning_rate, "initial_learning_rate")
        self.first_decay_steps = _check_positive(first_decay_steps, "first_decay_steps")
        self._t_mul = _check_positive(t_mul, "t_mul")
        self._m_mul = _check_number(m_mul, "m_mul")
        self.alpha = _check_fraction(alpha, "alpha")
        self.name = name

    def __call__(self, step) -> Tensor:
        f = np.float32
        frac = f(_step_value(step)) / f(self.first_decay_steps)
        t_mul, m_mul, alpha = f(self._t_mul), f(self._m_mul), f(self.alpha)
        if t_mul == 1.0:
            i_restart = np.floor(frac)
            frac = frac - i_restart
        else:
            i_restart = np.floor(np.log(f(1) - frac * (f(1) - t_mul)) / np.log(t_mul))
            sum_r = (f(1) - np.power(t_mul, i_restart)) / (f(1) - t_mul)
            frac = (frac - sum_r) / np.power(t_mul, i_restart)
        m_fac = np.power(m_mul, i_restart)
        cosine = f(0.5) * m_fac * (f(1) + np.cos(f(math.pi) * frac))
        decayed = (f(1) - alpha) * cosine + alpha
        return _out(f(self.initial_learning_rate) * decayed)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


ALL_OBJECTS_DICT = {
    cls.__name__: cls
    for cls in (
        LearningRateSchedule,
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}


def serialize(learning_rate_schedule) -> dict:
    """The Keras 3 config dict of a schedule."""
    from lamina.utils.serialization import serialize_keras_object

    return serialize_keras_object(learning_rate_schedule)


def deserialize(config, custom_objects: dict | None = None):
    """A schedule from its config (Keras 2 or Keras 3 shape)."""
    from lamina.utils.serialization import deserialize_keras_object

    return deserialize_keras_object(
        config,
        custom_objects=custom_objects,
        module_objects=ALL_OBJECTS_DICT,
        printable_module_name="decay",
    )
