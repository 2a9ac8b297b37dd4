"""Callbacks: hooks into ``fit``/``evaluate``/``predict`` (``keras.callbacks``)."""

from __future__ import annotations

import importlib

from lamina.callbacks.callback import Callback
from lamina.callbacks.callback_list import CallbackList
from lamina.callbacks.csv_logger import CSVLogger
from lamina.callbacks.early_stopping import EarlyStopping
from lamina.callbacks.history import History
from lamina.callbacks.lambda_callback import LambdaCallback
from lamina.callbacks.learning_rate_scheduler import LearningRateScheduler
from lamina.callbacks.progbar_logger import ProgbarLogger
from lamina.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from lamina.callbacks.remote_monitor import RemoteMonitor
from lamina.callbacks.terminate_on_nan import TerminateOnNaN

# Loaded on first use (ModelCheckpoint/BackupAndRestore are written by the model-files code).
_LAZY = {
    "TensorBoard": "lamina.callbacks.tensorboard",
    "ModelCheckpoint": "lamina.callbacks.model_checkpoint",
    "BackupAndRestore": "lamina.callbacks.backup_and_restore",
}


def __getattr__(name: str):
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'lamina.callbacks' has no attribute {name!r}")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise AttributeError(f"lamina.callbacks.{name} is not available yet") from None
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Callback",
    "CallbackList",
    "History",
    "ProgbarLogger",
    "EarlyStopping",
    "LearningRateScheduler",
    "ReduceLROnPlateau",
    "CSVLogger",
    "TerminateOnNaN",
    "LambdaCallback",
    "RemoteMonitor",
    "TensorBoard",
    "ModelCheckpoint",
    "BackupAndRestore",
]
