"""Which Keras generation's training output lamina prints.

The default, ``"tf.keras2"``, prints as tf.keras 2.x does: steps-based bars
(``32/32 [======] - 0s 2ms/step - loss: 0.6931 - accuracy: 0.5000``), no ``Epoch 1/1``
line for a single epoch, verbose=2 lines ending in ``- 43ms/epoch - 1ms/step``.

``"keras2.2"`` reproduces the older, samples-based output that many tutorials show
(``Train on 1149 samples, validate on 288 samples``,
``1149/1149 [======] - 0s 121us/step - loss: 0.7928 - acc: 0.5039``, verbose=2 as
`` - 0s - loss: ...``), with ``acc`` / ``val_acc`` as the printed and History names.
``"keras2.3"`` is the same samples-based output with metric names as the user wrote them
(``accuracy``), as Keras 2.3 printed them.
``"keras2.0"`` is Keras 2.0.0-2.0.8's samples-based output: no per-sample time
(``534/534 [======] - 0s - loss: 21.5538 - acc: 0.6003``), ETAs in whole seconds, verbose=2
as ``0s - loss: ...``, and, off a terminal, each redraw of the bar on its own line (the
first batch's, one per 0.05 s, the padded final one), as the course notes of that era show.

Choose with :func:`set_output_style`, the :func:`output_style` context manager, or the
``LAMINA_OUTPUT_STYLE`` environment variable (read once, at first use).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

TF_KERAS2 = "tf.keras2"
KERAS20 = "keras2.0"
KERAS22 = "keras2.2"
KERAS23 = "keras2.3"

#: Accepted spellings -> canonical style name.
_STYLE_ALIASES: dict[str, str] = {
    "tf.keras2": TF_KERAS2,
    "tf.keras": TF_KERAS2,
    "tf.keras2.x": TF_KERAS2,
    "tf_keras": TF_KERAS2,
    "tf2": TF_KERAS2,
    "tensorflow": TF_KERAS2,
    "default": TF_KERAS2,
    "keras2.0": KERAS20,
    "keras20": KERAS20,
    "keras-2.0": KERAS20,
    **{f"keras2.0.{patch}": KERAS20 for patch in range(9)},  # 2.0.9 printed as 2.1/2.2
    "keras2.2": KERAS22,
    "keras22": KERAS22,
    "keras2.2.4": KERAS22,
    "keras-2.2": KERAS22,
    "samples": KERAS22,
    "keras2.3": KERAS23,
    "keras23": KERAS23,
    "keras2.3.1": KERAS23,
}

#: Keras 2.2 printed (and stored in History) these names for the ``accuracy`` metric.
_KERAS22_NAMES: dict[str, str] = {"accuracy": "acc", "val_accuracy": "val_acc"}

_style: str | None = None


def _canonical(style: str) -> str:
    if not isinstance(style, str):
        raise TypeError(
            "`style` must be a string such as 'tf.keras2', 'keras2.0', 'keras2.2' or "
            f"'keras2.3', received {style!r}"
        )
    key = style.strip().lower()
    try:
        return _STYLE_ALIASES[key]
    except KeyError:
        raise ValueError(
            f"Unknown output style {style!r}. Expected 'tf.keras2' (default, steps-based "
            "tf.keras 2.x output), 'keras2.0' (samples-based Keras 2.0 output, no per-sample "
            "time, `acc`), 'keras2.2' (samples-based Keras 2.2 output, `acc`) or 'keras2.3' "
            "(samples-based, metric names as written)."
        ) from None


def get_output_style() -> str:
    """The current style: ``"tf.keras2"`` (default), ``"keras2.0"``, ``"keras2.2"`` or
    ``"keras2.3"``."""
    global _style
    if _style is None:
        env = os.environ.get("LAMINA_OUTPUT_STYLE")
        _style = _canonical(env) if env else TF_KERAS2
    return _style


def set_output_style(style: str = TF_KERAS2) -> str:
    """Set how ``fit``/``evaluate``/``predict`` print progress; return the previous style.

    ``"tf.keras2"`` (default): tf.keras 2.x steps-based output. ``"keras2.2"``: Keras 2.2
    samples-based output (``Train on N samples, validate on M samples``, ``acc``).
    ``"keras2.3"``: the same, with metric names as written (``accuracy``).
    ``"keras2.0"``: Keras 2.0's samples-based output (``534/534 [====] - 0s - loss: ...``,
    no per-sample time), ``acc`` as in Keras 2.2.
    """
    global _style
    previous = get_output_style()
    _style = _canonical(style)
    return previous


@contextlib.contextmanager
def output_style(style: str) -> Iterator[str]:
    """Use ``style`` inside a ``with`` block, then restore the previous one."""
    previous = set_output_style(style)
    try:
        yield get_output_style()
    finally:
        set_output_style(previous)


def is_keras22() -> bool:
    """True when a samples-based (Keras 2.0/2.2/2.3) style is active."""
    return get_output_style() in (KERAS20, KERAS22, KERAS23)


def is_keras20() -> bool:
    """True when the Keras 2.0 style is active (no per-sample time, every redraw shown)."""
    return get_output_style() == KERAS20


def display_name(key: str) -> str:
    """The name a log key is printed and recorded under in the current style."""
    style = _style if _style is not None else get_output_style()
    if style in (KERAS20, KERAS22):
        return _KERAS22_NAMES.get(key, key)
    return key


__all__ = [
    "get_output_style",
    "set_output_style",
    "output_style",
    "is_keras22",
    "is_keras20",
    "display_name",
    "TF_KERAS2",
    "KERAS20",
    "KERAS22",
    "KERAS23",
]
