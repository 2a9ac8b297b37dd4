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
    return float(np.asarray(lr))


def set_lr(model, value: float, owner: str) -> None:
    """Set the optimizer's learning rate (in place when it is a variable)."""
    opt = _optimizer(model, owner)
    lr = _raw(opt)
    if _is_schedule(lr):
        raise TypeError(
            f"{owner} cannot set the learning rate: the optimizer was built with a "
            f"learning-rate schedule ({type(lr).__name__}). Pass a float learning_rate instead."
        )
    if hasattr(lr, "assign"):
        lr.assign(value)
    elif hasattr(opt, "learning_rate"):
        opt.learning_rate = value
    else:
        opt.lr = value
