"""Where training messages go: stdout (default) or Python ``logging``.

``keras.utils.disable_interactive_logging()`` sends progress bars and callback messages to
the ``lamina`` logger (level INFO) instead of stdout, as Keras 3 sends them to absl logging;
``enable_interactive_logging()`` brings them back.
"""

from __future__ import annotations

import logging
import sys

_interactive = True


def enable_interactive_logging() -> None:
    """Print progress bars and callback messages to stdout (the default)."""
    global _interactive
    _interactive = True


def disable_interactive_logging() -> None:
    """Send progress and callback messages to the ``lamina`` logger instead of stdout."""
    global _interactive
    _interactive = False


def is_interactive_logging_enabled() -> bool:
    """True when messages are printed to stdout."""
    return _interactive


def print_msg(message: str, line_break: bool = True) -> None:
    """Write a training message to stdout, or log it when interactive logging is off."""
    if _interactive:
        stream = sys.stdout
        stream.write(message + "\n" if line_break else message)
        stream.flush()
    else:
        text = message.strip("\r\b\n")
        if text:
            logging.getLogger("lamina").info(text)


__all__ = [
    "enable_interactive_logging",
    "disable_interactive_logging",
    "is_interactive_logging_enabled",
    "print_msg",
]
