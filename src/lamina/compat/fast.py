"""``LAMINA_EXAMPLES_FAST``: run long tutorials quickly, their code unchanged (for test suites).

With ``LAMINA_EXAMPLES_FAST=1`` (or a number N) in the environment, ``lamina run`` makes every
``fit()`` train on the first 64 (or N) samples of its data and of its ``validation_data``. The
number of epochs, the callbacks and the shapes of everything a notebook computes from the history
stay as written (``plt.semilogx(lrs, history.history["loss"])`` still gets one loss per epoch);
only the numbers are those of a model trained on less data.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator

ENV = "LAMINA_EXAMPLES_FAST"
DEFAULT_SAMPLES = 64


def fast_samples() -> int | None:
    """The sample limit asked for by ``$LAMINA_EXAMPLES_FAST``, or ``None`` when unset/off."""
    value = os.environ.get(ENV, "").strip()
    if value.lower() in ("", "0", "false", "no", "off"):
        return None
    if value.lower() in ("1", "true", "yes", "on"):
        return DEFAULT_SAMPLES
    try:
        limit = int(value)
    except ValueError:
        raise ValueError(
            f"${ENV} must be 1 (on) or a number of samples, received {value!r}"
        ) from None
    if limit < 1:
        raise ValueError(f"${ENV} must be a positive number of samples, received {value!r}")
    return limit


def _head(data, n: int):
    """The first ``n`` samples of ``data`` (array, Tensor, DataFrame, list/tuple/dict of them)."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {k: _head(v, n) for k, v in data.items()}
    if isinstance(data, (list, tuple)) and data and all(hasattr(v, "shape") for v in data):
        return type(data)(_head(v, n) for v in data)
    if hasattr(data, "iloc"):  # pandas
        return data.iloc[:n]
    if hasattr(data, "shape") and getattr(data, "shape", ()) and hasattr(data, "__getitem__"):
        return data[:n]
    if isinstance(data, list) and len(data) > n:
        return data[:n]
    return data  # generators, datasets, scalars: left alone


@contextlib.contextmanager
def fast_fit() -> Iterator[int | None]:
    """While active (and ``$LAMINA_EXAMPLES_FAST`` is set), ``fit()`` trains on fewer samples."""
    limit = fast_samples()
    if limit is None:
        yield None
        return
    from lamina.models import Model

    had_own = "fit" in vars(Model)
    original = Model.fit

    @functools.wraps(original)
    def fit(self, x=None, y=None, *args, **kwargs):
        x, y = _head(x, limit), _head(y, limit)
        if kwargs.get("sample_weight") is not None:
            kwargs["sample_weight"] = _head(kwargs["sample_weight"], limit)
        data = kwargs.get("validation_data")
        if isinstance(data, (tuple, list)):
            kwargs["validation_data"] = type(data)(_head(v, limit) for v in data)
        return original(self, x, y, *args, **kwargs)

    Model.fit = fit  # Sequential and functional models inherit it
    try:
        yield limit
    finally:
        if had_own:
            Model.fit = original
        else:
            del Model.fit
