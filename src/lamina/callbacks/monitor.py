"""Shared helpers for callbacks that watch a logged quantity (EarlyStopping, ReduceLROnPlateau,
ModelCheckpoint): reading it from the logs and deciding whether bigger or smaller is better."""

from __future__ import annotations

import numbers
import re
import warnings

import numpy as np

from lamina.callbacks.history import alias_key

_MODES = ("auto", "min", "max")

# Quantities where a larger value is better (matched on the name without ``val_`` and
# without a ``_1`` suffix); everything else, ``loss`` included, is minimised as in tf.keras.
_HIGHER_IS_BETTER = re.compile(
    r"(acc|accuracy|auc|precision|recall|f1_score|fbeta_score|iou|r2_score|"
    r"cosine_similarity|true_positives|true_negatives|prc|specificity|sensitivity)$"
)


def check_mode(mode, owner: str) -> str:
    if mode not in _MODES:
        raise ValueError(f"{owner} `mode` must be 'auto', 'min' or 'max', received {mode!r}")
    return mode


def infer_mode(monitor: str, model=None) -> str:
    """``'max'`` for accuracy-like quantities, else ``'min'`` (a metric's ``_direction`` wins)."""
    name = monitor[4:] if monitor.startswith("val_") else monitor
    name = re.sub(r"_\d+$", "", name)
    if name.endswith("loss"):
        return "min"
    for metric in getattr(model, "metrics", None) or []:
        direction = getattr(metric, "_direction", None)
        if direction in ("up", "down") and getattr(metric, "name", None) == name:
            return "max" if direction == "up" else "min"
    return "max" if _HIGHER_IS_BETTER.search(name) else "min"


def monitor_value(logs, monitor: str, owner: str):
    """``logs[monitor]`` (``acc``/``accuracy`` spellings both accepted), else warn and None."""
    logs = logs or {}
    if monitor in logs:
        value = logs[monitor]
    else:
        other = alias_key(logs, monitor)
        if other is None:
            warnings.warn(
                f"{owner} conditioned on metric `{monitor}` which is not available. "
                f"Available metrics are: {','.join(map(str, logs))}",
                stacklevel=3,
            )
            return None
        value = logs[other]
    if hasattr(value, "numpy"):
        value = value.numpy()
    return float(np.asarray(value))


def check_number(value, name: str, owner: str, minimum=None, integer=False, allow_none=False):
    """Validate a constructor argument early, naming it in the error."""
    if value is None and allow_none:
        return None
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an integer" if integer else "a number"
        raise TypeError(f"{owner} `{name}` must be {what}, received {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{owner} `{name}` must be >= {minimum}, received {value!r}")
    return value


def check_verbose(verbose, owner: str) -> int:
    """A callback's own ``verbose``: a bool or a non-negative integer."""
    if isinstance(verbose, bool):
        return int(verbose)
    if not isinstance(verbose, numbers.Integral) or verbose < 0:
        raise ValueError(f"{owner} `verbose` must be 0 or 1 (or a bool), received {verbose!r}")
    return int(verbose)
