"""``ReduceLROnPlateau``: lower the learning rate when a quantity stops improving."""

from __future__ import annotations

import numpy as np

from lamina.callbacks._lr import get_lr, set_lr
from lamina.callbacks.callback import Callback
from lamina.callbacks.monitor import (
    check_mode,
    check_number,
    check_verbose,
    infer_mode,
    monitor_value,
)
from lamina.utils.console import print_msg

_OWNER = "ReduceLROnPlateau"


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without improvement.

    Args:
        monitor: the logged quantity to watch.
        factor: ``new_lr = lr * factor`` (must be < 1).
        patience: epochs without improvement before reducing.
        verbose: 1 prints ``Epoch 00005: ReduceLROnPlateau reducing learning rate to ...``.
        mode: ``'min'``, ``'max'`` or ``'auto'`` (from the name).
        min_delta: smallest change that counts as an improvement (Keras 2 ``epsilon``).
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the learning rate never goes below this.

    The rate in use is logged as ``lr`` at each epoch end.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0,
        **kwargs,
    ) -> None:
        super().__init__()
        if "epsilon" in kwargs:  # Keras 2 name of min_delta
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau got unexpected keyword arguments: {sorted(kwargs)}")
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"{_OWNER} `monitor` must be a metric name, received {monitor!r}")
        check_number(factor, "factor", _OWNER, minimum=0)
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Got {factor}")
        check_number(patience, "patience", _OWNER, minimum=0, integer=True)
        check_number(min_delta, "min_delta", _OWNER)
        check_number(cooldown, "cooldown", _OWNER, minimum=0, integer=True)
        check_number(min_lr, "min_lr", _OWNER, minimum=0)
        self.monitor = monitor
        self.factor = float(factor)
        self.patience = int(patience)
        self.verbose = check_verbose(verbose, _OWNER)
        self.mode = check_mode(mode, _OWNER)
        self.min_delta = float(min_delta)
        self.cooldown = int(cooldown)
        self.min_lr = float(min_lr)
        self.cooldown_counter = 0
        self.wait = 0
        self.best = 0.0
        self._reset()

    def _reset(self) -> None:
        mode = self.mode if self.mode != "auto" else infer_mode(self.monitor, self.model)
        if mode == "min":
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None) -> None:
        self._reset()

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None) -> None:
        if logs is None:
            logs = {}
        old_lr = get_lr(self.model, _OWNER)
        logs["lr"] = old_lr
        current = monitor_value(logs, self.monitor, "Learning rate reduction")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and old_lr > np.float32(self.min_lr):
                new_lr = max(old_lr * self.factor, self.min_lr)
                set_lr(self.model, new_lr, _OWNER)
                if self.verbose > 0:
                    print_msg(
                        f"\nEpoch {epoch + 1:05d}: ReduceLROnPlateau reducing learning rate to {new_lr}."
                    )
                self.cooldown_counter = self.cooldown
                self.wait = 0


ReduceLROnPlateau.__module__ = "lamina.callbacks"
