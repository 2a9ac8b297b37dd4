"""``EarlyStopping``: stop ``fit`` when a monitored quantity stops improving."""

from __future__ import annotations

import numpy as np

from lamina.callbacks.callback import Callback
from lamina.callbacks.monitor import (
    check_mode,
    check_number,
    check_verbose,
    infer_mode,
    monitor_value,
)
from lamina.utils.console import print_msg


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs.

    Args:
        monitor: the logged quantity to watch (``'val_loss'``; ``'val_acc'`` and
            ``'val_accuracy'`` are the same quantity).
        min_delta: a change smaller than this does not count as an improvement.
        patience: epochs without improvement before stopping.
        verbose: 1 prints ``Epoch 00012: early stopping`` when it stops (even if ``fit``
            itself is silent).
        mode: ``'min'``, ``'max'`` or ``'auto'`` (from the name: accuracy-like -> max).
        baseline: training stops unless the quantity beats this value within ``patience``.
        restore_best_weights: at the end of training, put back the weights of the best epoch.
        start_from_epoch: epochs of warm-up before monitoring starts.

    The callback starts fresh at every ``fit`` call, so one object can be reused.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__()
        owner = "EarlyStopping"
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"EarlyStopping `monitor` must be a metric name, received {monitor!r}")
        check_number(min_delta, "min_delta", owner)
        check_number(patience, "patience", owner, minimum=0, integer=True)
        check_verbose(verbose, owner)
        check_number(baseline, "baseline", owner, allow_none=True)
        check_number(start_from_epoch, "start_from_epoch", owner, minimum=0, integer=True)
        self.monitor = monitor
        self.mode = check_mode(mode, owner)
        self.patience = int(patience)
        self.verbose = int(verbose)
        self.baseline = baseline
        self.min_delta = abs(float(min_delta))
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = int(start_from_epoch)
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0
        self._set_monitor_op()

    def _set_monitor_op(self) -> None:
        mode = self.mode if self.mode != "auto" else infer_mode(self.monitor, self.model)
        self.monitor_op = np.less if mode == "min" else np.greater

    def _is_improvement(self, value: float, reference) -> bool:
        if reference is None:
            return True
        delta = self.min_delta if self.monitor_op is np.greater else -self.min_delta
        return bool(self.monitor_op(value - delta, reference))

    def on_train_begin(self, logs=None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0
        self._set_monitor_op()

    def on_epoch_end(self, epoch, logs=None) -> None:
        current = monitor_value(logs, self.monitor, "Early stopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Waiting restarts only when the baseline is beaten too.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1:05d}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        """The monitored value in ``logs``, or None (with a warning) when it is missing."""
        return monitor_value(logs, self.monitor, "Early stopping")


EarlyStopping.__module__ = "lamina.callbacks"
