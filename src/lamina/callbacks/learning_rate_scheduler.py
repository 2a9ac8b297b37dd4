"""``LearningRateScheduler``: set the learning rate at the start of every epoch."""

from __future__ import annotations

import math
import numbers

import numpy as np

from lamina.callbacks._lr import get_lr, set_lr
from lamina.callbacks.callback import Callback
from lamina.callbacks.monitor import check_verbose
from lamina.utils.console import print_msg

_OWNER = "LearningRateScheduler"


def _takes_lr(schedule) -> bool:
    """Whether ``schedule`` accepts ``(epoch, lr)`` rather than just ``(epoch)``."""
    import inspect

    try:
        sig = inspect.signature(schedule)
    except (TypeError, ValueError):
        return True  # builtins: try two arguments, fall back on TypeError
    positional = 0
    for p in sig.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            return True
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            positional += 1
    return positional >= 2


def _as_rate(value, epoch: int) -> float:
    if hasattr(value, "numpy"):
        value = value.numpy()
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise ValueError(
            f'The output of the "schedule" function should be a float; at epoch {epoch} it '
            f"returned {value!r} ({type(value).__name__})."
        )
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(
            f'The output of the "schedule" function should be a finite, non-negative learning '
            f"rate; at epoch {epoch} it returned {value!r}."
        )
    return value


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate to ``schedule(epoch)`` or ``schedule(epoch, lr)``.

    The rate in use is logged as ``lr`` at each epoch end, so it appears in the progress
    line and in ``History`` (``history.history['lr']``), as in tf.keras 2.x.

    Args:
        schedule: a function of the epoch index (from 0), optionally also of the current
            learning rate, returning the new rate as a float.
        verbose: 1 prints ``Epoch 00001: LearningRateScheduler setting learning rate to ...``.
    """

    def __init__(self, schedule, verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                f"LearningRateScheduler `schedule` must be a function of the epoch, received "
                f"{schedule!r}"
            )
        self.schedule = schedule
        self.verbose = check_verbose(verbose, _OWNER)
        self._two_args = _takes_lr(schedule)

    def on_epoch_begin(self, epoch, logs=None) -> None:
        current = get_lr(self.model, _OWNER)
        if self._two_args:
            try:
                lr = self.schedule(epoch, current)
            except TypeError:
                if not _callable_with_one(self.schedule):
                    raise
                lr = self.schedule(epoch)
        else:
            lr = self.schedule(epoch)
        lr = _as_rate(lr, epoch)
        set_lr(self.model, lr, _OWNER)
        if self.verbose > 0:
            print_msg(
                f"\nEpoch {epoch + 1:05d}: LearningRateScheduler setting learning rate to {lr}."
            )

    def on_epoch_end(self, epoch, logs=None) -> None:
        if logs is not None:
            logs["lr"] = get_lr(self.model, _OWNER)


def _callable_with_one(fn) -> bool:
    import inspect

    try:
        inspect.signature(fn).bind(0)
    except TypeError:
        return False
    except ValueError:
        return True
    return True


LearningRateScheduler.__module__ = "lamina.callbacks"
