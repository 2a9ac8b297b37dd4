"""Safe mode: while loading a file, classes that would run code from it are refused."""

from __future__ import annotations

import contextlib
import threading

_state = threading.local()
_UNSAFE_ALLOWED = False


def in_safe_mode() -> bool:
    """True while a load with ``safe_mode=True`` (the default) is running."""
    value = getattr(_state, "safe_mode", None)
    if value is None:
        return not _UNSAFE_ALLOWED
    return value


@contextlib.contextmanager
def safe_mode_scope(safe_mode: bool = True):
    prev = getattr(_state, "safe_mode", None)
    _state.safe_mode = bool(safe_mode)
    try:
        yield
    finally:
        _state.safe_mode = prev


def enable_unsafe_deserialization() -> None:
    """Allow Lambda layers from files you trust (``keras.config.enable_unsafe_deserialization``)."""
    global _UNSAFE_ALLOWED
    _UNSAFE_ALLOWED = True
