"""``ModelCheckpoint``: save the model (or its weights) during training."""

from __future__ import annotations

import os
import re
import warnings

import numpy as np

from lamina.callbacks.callback import Callback
from lamina.callbacks.monitor import check_mode, infer_mode, monitor_value
from lamina.utils.console import print_msg


class ModelCheckpoint(Callback):
    """Save the model or its weights every epoch, every ``save_freq`` batches, or when the
    monitored quantity improves (``save_best_only``).

    ``filepath`` may hold format fields filled from the epoch (1-based) and the logs, e.g.
    ``'weights.{epoch:02d}-{val_loss:.2f}.keras'``. Writes are atomic: a crash mid-save
    leaves the previous checkpoint intact.
    """

    def __init__(
        self,
        filepath,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq="epoch",
        initial_value_threshold: float | None = None,
        options=None,
        period: int | None = None,
        **kwargs,
    ) -> None:
        super().__init__()
        if kwargs:
            raise TypeError(f"ModelCheckpoint got unexpected arguments: {sorted(kwargs)}")
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = int(verbose)
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.mode = check_mode(mode, "ModelCheckpoint")
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(
                f"Unrecognized save_freq: {save_freq!r}. Expected 'epoch' or a positive "
                "integer number of batches."
            )
        self.period = int(period) if period is not None else 1  # Keras 2 `period`
        self.save_freq = save_freq
        self.initial_value_threshold = initial_value_threshold
        self.best = initial_value_threshold
        self._batches_seen = 0
        self._current_epoch = 0
        path = self.filepath
        if self.save_weights_only:
            if not path.endswith((".weights.h5", ".h5", ".hdf5")):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                    f"must end in `.weights.h5` (or `.h5`). Received: filepath={path}"
                )
        elif not path.endswith((".keras", ".h5", ".hdf5")):
            raise ValueError(
                "The filepath provided must end in `.keras` (Keras model format) or `.h5`. "
                f"Received: filepath={path}"
            )

    def _monitor_op(self):
        mode = self.mode if self.mode != "auto" else infer_mode(self.monitor, self.model)
        return (np.less, np.inf) if mode == "min" else (np.greater, -np.inf)

    def on_train_begin(self, logs=None) -> None:
        self.best = self.initial_value_threshold
        self._batches_seen = 0

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches_seen += 1
        if self._batches_seen % self.save_freq == 0:
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None) -> None:
        if self.save_freq == "epoch" and (epoch + 1) % self.period == 0:
            self._save(epoch, None, logs)

    def _save(self, epoch: int, batch, logs) -> None:
        logs = dict(logs or {})
        filepath = self._get_file_path(epoch, batch, logs)
        if self.save_best_only:
            current = monitor_value(logs, self.monitor, "Can save best model only with")
            if current is None:
                return
            op, start = self._monitor_op()
            best = start if self.best is None else self.best
            if op(current, best):
                if self.verbose > 0:
                    print_msg(
                        f"\nEpoch {epoch + 1:05d}: {self.monitor} improved from "
                        f"{best:.5f} to {current:.5f}, saving model to {filepath}"
                    )
                self.best = current
                self._write(filepath)
            elif self.verbose > 0:
                print_msg(
                    f"\nEpoch {epoch + 1:05d}: {self.monitor} did not improve from {best:.5f}"
                )
            return
        if self.verbose > 0:
            print_msg(f"\nEpoch {epoch + 1:05d}: saving model to {filepath}")
        self._write(filepath)

    def _write(self, filepath: str) -> None:
        directory = os.path.dirname(filepath)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def _get_file_path(self, epoch: int, batch, logs: dict) -> str:
        values = {k: _plain(v) for k, v in logs.items()}
        from lamina.callbacks.history import alias_key

        for key in re.findall(r"{(\w+)", self.filepath):
            if key not in values and key not in ("epoch", "batch"):
                other = alias_key(values, key)
                if other is not None:
                    values[key] = values[other]
        try:
            if batch is None or "batch" in values:
                return self.filepath.format(epoch=epoch + 1, **values)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **values)
        except KeyError as e:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". '
                f"Reason: {e} is not one of the logged values {sorted(values)}"
            ) from None
        except (IndexError, ValueError) as e:
            warnings.warn(f"ModelCheckpoint could not format {self.filepath!r}: {e}", stacklevel=3)
            return self.filepath


def _plain(v):
    if hasattr(v, "numpy"):
        v = v.numpy()
    if isinstance(v, np.ndarray) and v.ndim == 0:
        v = v.item()
    if isinstance(v, np.generic):
        v = v.item()
    return v


ModelCheckpoint.__module__ = "lamina.callbacks"
