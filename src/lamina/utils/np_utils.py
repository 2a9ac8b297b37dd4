"""NumPy helpers from ``keras.utils``: ``to_categorical`` and ``normalize``."""

from __future__ import annotations

import numpy as np


def numeric_array(x, what: str) -> np.ndarray:
    """``x`` (array, Tensor, list, pandas object) as a NumPy array; non-numeric data (strings,
    objects) is a ``TypeError`` naming the argument ``what``."""
    if type(x) is np.ndarray:
        arr = x
    else:
        v = getattr(x, "_value", None)  # a lamina Tensor
        if v is None:
            v = x.to_numpy() if hasattr(x, "to_numpy") else x  # pandas Series / DataFrame
        arr = np.asarray(v)
    if arr.dtype.kind in "OUSV":
        raise TypeError(
            f"`{what}` must be numeric, received an array of dtype {arr.dtype}"
            + (f" (first element {arr.flat[0]!r})" if arr.size else "")
            + "."
        )
    return arr


def to_categorical(y, num_classes: int | None = None, dtype: str = "float32") -> np.ndarray:
    """One-hot encode integer class ids: ``(N,)`` -> ``(N, num_classes)``.

    A trailing axis of size 1 is dropped first (``(N, 1)`` also gives ``(N, num_classes)``);
    ``num_classes`` defaults to ``max(y) + 1``.

    Example::

        to_categorical([0, 2, 1])
        # array([[1., 0., 0.], [0., 0., 1.], [0., 1., 0.]], dtype=float32)
    """
    arr = numeric_array(y, "y")
    if arr.dtype.kind == "f":
        if arr.size and not np.all(np.isfinite(arr)):
            raise ValueError("to_categorical: `y` contains NaN or inf; expected integer class ids.")
        if arr.size and np.any(arr != np.floor(arr)):
            bad = arr[arr != np.floor(arr)].flat[0]
            raise ValueError(
                f"to_categorical: `y` must hold integer class ids, received the value {bad!r}."
            )
    elif arr.dtype.kind not in "iub":
        raise TypeError(
            f"to_categorical: `y` must hold integer class ids, received dtype {arr.dtype}."
        )
    ids = arr.astype(np.int64)
    shape = ids.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    ids = ids.reshape(-1)
    if num_classes is not None:
        if (
            isinstance(num_classes, bool)
            or not isinstance(num_classes, (int, np.integer))
            or num_classes < 1
        ):
            raise ValueError(
                f"to_categorical: `num_classes` must be a positive integer, received "
                f"{num_classes!r}."
            )
        num_classes = int(num_classes)
    if ids.size and ids.min() < 0:
        raise ValueError(f"to_categorical: class ids must be >= 0, received {int(ids.min())}.")
    if not num_classes:
        num_classes = int(ids.max()) + 1 if ids.size else 0
    elif ids.size and ids.max() >= num_classes:
        raise ValueError(
            f"to_categorical: received the class id {int(ids.max())} but num_classes="
            f"{num_classes} (valid ids are 0..{num_classes - 1})."
        )
    out = np.zeros((ids.size, num_classes), dtype=np.dtype(getattr(dtype, "name", dtype)))
    out[np.arange(ids.size), ids] = 1
    return out.reshape(tuple(shape) + (num_classes,))


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """Scale ``x`` to unit ``order``-norm along ``axis`` (zero vectors are left as zeros)."""
    arr = numeric_array(x, "x")
    if arr.dtype.kind not in "f":
        arr = arr.astype("float32")
    norm = np.atleast_1d(np.linalg.norm(arr, order, axis))
    norm[norm == 0] = 1
    return arr / np.expand_dims(norm, axis)


__all__ = ["to_categorical", "normalize", "numeric_array"]
