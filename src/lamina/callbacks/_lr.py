"""Reading and setting an optimizer's learning rate (LearningRateScheduler, ReduceLROnPlateau)."""

from __future__ import annotations

import numbers

import numpy as np


def _optimizer(model, owner: str):
    opt = getattr(model, "optimizer", None)
    if opt is None:
        raise ValueError(f"{owner} needs a compiled model with an optimizer; call compile() first.")
    if not (hasattr(opt, "learning_rate") or hasattr(opt, "lr")):
        raise ValueError(f'{owner}: the optimizer must have a "learning_rate" attribute.')
    return opt


def _raw(opt):
    lr = getattr(opt, "learning_rate", None)
    return getattr(opt, "lr", None) if lr is None else lr


def _is_schedule(lr) -> bool:
    return callable(lr) and not hasattr(lr, "assign") and not isinstance(lr, numbers.Number)


def get_lr(model, owner: str) -> float:
    """The optimizer's current learning rate as a Python float."""
    opt = _optimizer(model, owner)
    lr = _raw(opt)
    if _is_schedule(lr):
        step = getattr(opt, "iterations", 0)
        step = step.numpy() if hasattr(step, "numpy") else step
        lr = lr(step)
    if hasattr(lr, "numpy"):
        lr = lr.numpy()
    arr = np.asarray(lr)
    if arr.dtype == np.float32:
        # The shortest decimal that is this float32 (0.02, not 0.019999999552965164), as
        # tf.keras 2.x shows its float32 learning rates.
        return float(str(np.float32(arr)))
    return float(arr)


def set_lr(model, value: float, owner: str) -> None:
    """Set the optimizer's learning rate (through its setter, else in place on its variable)."""
    opt = _optimizer(model, owner)
    lr = _raw(opt)
    if _is_schedule(lr):
        raise TypeError(
            f"{owner} cannot set the learning rate: the optimizer was built with a "
            f"learning-rate schedule ({type(lr).__name__}). Pass a float learning_rate instead."
        )
    name = "learning_rate" if hasattr(opt, "learning_rate") else "lr"
    try:
        setattr(opt, name, float(value))
    except AttributeError:  # read-only attribute holding a variable
        if not hasattr(lr, "assign"):
            raise
        lr.assign(value)
