"""Turning what ``fit``/``evaluate``/``predict`` receive into batches of NumPy arrays.

Accepted: NumPy arrays, nested lists, pandas DataFrame/Series, lamina tensors, lists or dicts
of those (several inputs/outputs), and Python generators, iterators or ``Sequence``-like
objects yielding ``x``, ``(x, y)`` or ``(x, y, sample_weight)`` batches. Arrays are checked
and cast once per call (numbers to the model's float type), then batches are gathered with
``np.take`` into reused buffers.

Sample weights travel as ``None``, one array (for every output), or a list with one array or
``None`` per output (multi-output models, tf.keras 2.x); :func:`weight_arrays` lists the
arrays of either form.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from lamina.autodiff.tensor import Tensor


# --- conversion ---------------------------------------------------------------------------
def to_numpy(value, what: str) -> np.ndarray:
    """``value`` as a NumPy array, with clear errors for strings, objects and ragged data."""
    if isinstance(value, Tensor):
        return value._value
    if hasattr(value, "to_numpy") and hasattr(value, "dtypes"):  # pandas DataFrame / Series
        value = value.to_numpy()
    elif hasattr(value, "numpy") and callable(value.numpy) and not isinstance(value, np.ndarray):
        value = value.numpy()
    try:
        arr = np.asarray(value)
    except ValueError as e:
        raise ValueError(
            f"Failed to convert `{what}` to an array: {e}. Its rows must all have the same "
            "length (ragged lists are not supported)."
        ) from None
    if arr.dtype == object:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            sample = arr.flat[0] if arr.size else None
            raise TypeError(
                f"Failed to convert `{what}` to a numeric array: it has dtype object "
                f"(first element {sample!r} of type {type(sample).__name__}). Convert it to "
                "numbers first, e.g. `np.asarray(x, dtype='float32')`; encode strings or "
                "categories as numbers."
            ) from None
    if arr.dtype.kind in "USV":
        raise TypeError(
            f"`{what}` contains strings (dtype {arr.dtype}): a model needs numbers. Encode the "
            "categories as integers or one-hot vectors first."
        )
    if arr.dtype.kind == "M" or arr.dtype.kind == "m":
        raise TypeError(f"`{what}` has a date/time dtype ({arr.dtype}); convert it to numbers.")
    return arr


def cast_float(arr: np.ndarray, dtype) -> np.ndarray:
    """Numbers to ``dtype`` (the model's float type); other arrays unchanged."""
    if arr.dtype.kind in "fiub" and arr.dtype != np.dtype(dtype):
        return arr.astype(dtype)
    return arr


def flatten_struct(data, what: str) -> tuple[list[np.ndarray], object]:
    """Flatten ``data`` (array, list/tuple of arrays, or dict) into a list of arrays plus a
    description of its structure (``None`` single, ``int`` list length, or dict keys)."""
    if data is None:
        return [], None
    if isinstance(data, dict):
        keys = list(data)
        return [to_numpy(data[k], f"{what}[{k!r}]") for k in keys], keys
    if (
        isinstance(data, (list, tuple))
        and data
        and all(isinstance(v, (np.ndarray, Tensor)) or hasattr(v, "to_numpy") for v in data)
    ):
        return [to_numpy(v, f"{what}[{i}]") for i, v in enumerate(data)], len(data)
    return [to_numpy(data, what)], None


def check_finite(arrays: list[np.ndarray], what: str) -> None:
    for i, a in enumerate(arrays):
        if a.dtype.kind != "f" or not a.size:
            continue
        with np.errstate(all="ignore"):
            if np.isfinite(a.sum()):  # one cheap pass: NaN and inf make the sum non-finite
                continue
        if not np.isfinite(a).all():  # the sum may also overflow: check exactly
            n_nan = int(np.isnan(a).sum())
            n_inf = int(np.isinf(a).sum())
            where = f"{what}" if len(arrays) == 1 else f"{what}[{i}]"
            raise ValueError(
                f"`{where}` contains {n_nan} NaN and {n_inf} infinite value(s). Training on "
                "them would make every weight NaN; clean or impute the data first (for example "
                "`np.nan_to_num`, or drop those rows)."
            )


def weight_arrays(sw) -> list[np.ndarray]:
    """The arrays of a sample-weight value: ``[]``, ``[sw]``, or the per-output arrays."""
    if sw is None:
        return []
    if isinstance(sw, list):
        return [w for w in sw if w is not None]
    return [sw]


def num_samples(arrays: list[np.ndarray]) -> int:
    return int(arrays[0].shape[0]) if arrays and arrays[0].ndim else 0


def check_cardinality(xs: list, ys: list, sws: list) -> int:
    sizes = {}
    for what, arrs in (("x", xs), ("y", ys), ("sample_weight", sws)):
        for a in arrs:
            if a.ndim == 0:
                raise ValueError(
                    f"`{what}` must have a batch dimension; received a scalar of value {a!r}."
                )
            sizes.setdefault(what, []).append(int(a.shape[0]))
    flat = {n for v in sizes.values() for n in v}
    if len(flat) > 1:
        parts = []
        for what, v in sizes.items():
            parts.append(f"{what} sizes: {', '.join(str(n) for n in v)}")
        raise ValueError(
            "Data cardinality is ambiguous:\n  "
            + "\n  ".join(parts)
            + "\nMake sure all arrays contain the same number of samples."
        )
    n = flat.pop() if flat else 0
    if n == 0:
        raise ValueError(
            "Expected input data to be non-empty: received 0 samples. Check that `x` (and `y`) "
            "hold at least one row."
        )
    return n


def is_generator_like(x) -> bool:
    """Python generators/iterators and Keras ``Sequence``-like objects (not arrays/lists)."""
    if isinstance(x, (np.ndarray, Tensor, list, tuple, dict, str, bytes)) or x is None:
        return False
    if hasattr(x, "to_numpy"):
        return False
    if isinstance(x, Iterator):
        return True
    if hasattr(x, "__getitem__") and hasattr(x, "__len__") and not hasattr(x, "shape"):
        return True
    return hasattr(x, "__iter__") and not hasattr(x, "shape") and not hasattr(x, "__array__")


# --- array batching -----------------------------------------------------------------------
class ArrayBatcher:
    """Batches of in-memory arrays: ``epoch(shuffle)`` yields ``(xs, ys, sw)`` lists."""

    def __init__(
        self,
        xs: list[np.ndarray],
        ys: list[np.ndarray],
        sw: np.ndarray | list | None,
        batch_size: int,
        steps: int | None = None,
    ) -> None:
        self.xs, self.ys, self.sw = xs, ys, sw
        self.n = num_samples(xs) if xs else num_samples(ys)
        self.batch_size = int(batch_size)
        self.full_steps = max(1, math.ceil(self.n / self.batch_size))
        self.steps = int(steps) if steps else self.full_steps
        self._cursor = 0
        self._order = None
        self._bufs: dict = {}

    def rebatched(self, batch_size: int) -> ArrayBatcher:
        """The same rows in batches of ``batch_size`` (for order-free passes: evaluation and
        prediction give the same results in larger batches, with less per-batch overhead)."""
        if self.steps != self.full_steps or batch_size <= self.batch_size:
            return self
        return ArrayBatcher(self.xs, self.ys, self.sw, batch_size)

    def _buffers(self, arrays: list, m: int) -> list:
        """Reused output buffers for a batch of ``m`` rows (one per array)."""
        bufs = self._bufs.get(m)
        if bufs is None:
            bufs = [np.empty((m,) + a.shape[1:], dtype=a.dtype) for a in arrays]
            self._bufs[m] = bufs
        return bufs

    def epoch(self, shuffle=False, rng=None):
        """Yield one epoch's batches ``(xs, ys, sw)``; with ``steps`` set, continue where the
        last epoch ended. Shuffled batches are gathered into reused buffers. ``sw`` has the
        form it was given in (``None``, an array, or a list with ``None`` kept per output)."""
        n, bs = self.n, self.batch_size
        nx, ny = len(self.xs), len(self.ys)
        per_output = self.sw if isinstance(self.sw, list) else None
        arrays = self.xs + self.ys + weight_arrays(self.sw)
        has_w = self.sw is not None and per_output is None
        for _ in range(self.steps):
            if self._cursor == 0 or self._order is None:
                self._order = self._new_order(shuffle, rng)
            start = self._cursor
            stop = min(start + bs, n)
            self._cursor = 0 if stop >= n else stop
            order = self._order
            if order is None:
                batch = [a[start:stop] for a in arrays]
            else:
                idx = order[start:stop]
                batch = self._buffers(arrays, stop - start)
                for a, b in zip(arrays, batch):
                    a.take(idx, axis=0, out=b, mode="clip")  # "raise" would buffer
            if per_output is not None:
                yield batch[:nx], batch[nx : nx + ny], _per_output_batch(per_output, batch, nx + ny)
                continue
            yield batch[:nx], batch[nx : nx + ny], (batch[-1] if has_w else None)

    def _new_order(self, shuffle, rng):
        if not shuffle:
            return None
        if rng is None:
            from lamina.backend import rng as _rng

            rng = _rng()
        if shuffle == "batch":
            # Whole batches change places; a partial last batch stays last (as tf.keras).
            n, bs = self.n, self.batch_size
            full = n // bs
            blocks = rng.permutation(full)
            order = (blocks[:, None] * bs + np.arange(bs)).reshape(-1)
            return np.concatenate([order, np.arange(full * bs, n)])
        return rng.permutation(self.n)


def _per_output_batch(weights: list, batch: list, start: int) -> list:
    """The batch's per-output weights: ``batch[start:]`` put back in the ``None`` gaps."""
    out, k = [], start
    for w in weights:
        if w is None:
            out.append(None)
        else:
            out.append(batch[k])
            k += 1
    return out


class GeneratorBatcher:
    """Batches from a generator/iterator or a ``Sequence``-like object."""

    def __init__(self, source, steps: int | None, standardize, what: str = "x") -> None:
        self.source = source
        self.standardize = standardize
        self.is_sequence = hasattr(source, "__getitem__") and hasattr(source, "__len__")
        if self.is_sequence:
            length = len(source)
            self.steps = int(steps) if steps else length
        else:
            self.steps = int(steps) if steps else None
        self._iter = None
        self.what = what
        self.n = None

    def _iterator(self):
        if self.is_sequence:

            def gen():
                while True:
                    for i in range(len(self.source)):
                        yield self.source[i]
                    end = getattr(self.source, "on_epoch_end", None)
                    if callable(end):
                        end()

            return gen()
        return iter(self.source)

    def epoch(self, shuffle=False, rng=None):
        """Yield the next epoch's batches. ``ran_out`` tells afterwards whether the source
        stopped before ``steps`` batches (an exhausted generator)."""
        if self._iter is None:
            self._iter = self._iterator()
        self.ran_out = False
        self.last_count = 0
        count, restarted = 0, False
        while self.steps is None or count < self.steps:
            try:
                item = next(self._iter)
            except StopIteration:
                self._iter = None
                if count == 0 and not restarted and self._reiterable():
                    self._iter = self._iterator()  # a list or other re-iterable starts over
                    restarted = True
                    continue
                if self.steps is not None:
                    self.ran_out = True
                break
            count += 1
            self.last_count = count
            yield self.standardize(item)
        if self.steps is None:
            if count == 0:
                raise ValueError(
                    f"Expected input data to be non-empty: `{self.what}` produced no batches."
                )
            self.steps = count

    def _reiterable(self) -> bool:
        try:
            return iter(self.source) is not self.source
        except TypeError:
            return False

    @property
    def steps_known(self) -> bool:
        return self.steps is not None


def unpack_batch(item):
    """``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` -> a 3-tuple."""
    if isinstance(item, tuple):
        if len(item) == 1:
            return item[0], None, None
        if len(item) == 2:
            return item[0], item[1], None
        if len(item) == 3:
            return item
        raise ValueError(
            "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
            f"found a tuple of {len(item)} elements."
        )
    return item, None, None


def validation_split_arrays(xs, ys, sw, split: float):
    """Keras's split: the **last** ``split`` fraction (before any shuffling) is validation."""
    n = num_samples(xs)
    at = int(math.floor(n * (1.0 - split)))
    if at == 0 or at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split it into a "
            f"validation and training set as specified by `validation_split={split}`. Either "
            "provide more data, or a different value for the `validation_split` argument."
        )

    def cut(arrs, a, b):
        return [None if x is None else x[a:b] for x in arrs]

    def cut_w(a, b):
        if sw is None:
            return None
        return cut(sw, a, b) if isinstance(sw, list) else sw[a:b]

    train = (cut(xs, 0, at), cut(ys, 0, at), cut_w(0, at))
    val = (cut(xs, at, n), cut(ys, at, n), cut_w(at, n))
    return train, val


__all__ = [
    "to_numpy",
    "cast_float",
    "flatten_struct",
    "check_finite",
    "check_cardinality",
    "weight_arrays",
    "ArrayBatcher",
    "GeneratorBatcher",
    "unpack_batch",
    "validation_split_arrays",
    "is_generator_like",
]
