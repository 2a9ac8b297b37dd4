"""``Sequence`` (Keras 2) and ``PyDataset`` (Keras 3): indexable batch sources for ``fit``.

Subclass and implement ``__len__`` (batches per epoch) and ``__getitem__(index)`` (one
``(x, y)`` or ``(x, y, sample_weight)`` batch); ``on_epoch_end`` runs after every epoch,
e.g. to reshuffle.
"""

from __future__ import annotations

from collections.abc import Iterator


class Sequence:
    """Base class for an indexable dataset of batches (``keras.utils.Sequence``)."""

    def __getitem__(self, index: int):
        raise NotImplementedError(
            f"{type(self).__name__} must implement __getitem__(index) returning one batch"
        )

    def __len__(self) -> int:
        raise NotImplementedError(
            f"{type(self).__name__} must implement __len__() returning the number of batches"
        )

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch (override to reshuffle)."""

    def __iter__(self) -> Iterator:
        """Every batch in order, once."""
        for i in range(len(self)):
            yield self[i]


class PyDataset(Sequence):
    """Keras 3's name for :class:`Sequence`; ``workers``, ``use_multiprocessing`` and
    ``max_queue_size`` are accepted and recorded (lamina reads batches in the calling thread).
    """

    def __init__(
        self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10
    ) -> None:
        for name, value in (("workers", workers), ("max_queue_size", max_queue_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"`{name}` must be a positive integer, received {value!r}")
        self._workers = workers
        self._use_multiprocessing = bool(use_multiprocessing)
        self._max_queue_size = max_queue_size

    @property
    def workers(self) -> int:
        return getattr(self, "_workers", 1)

    @property
    def use_multiprocessing(self) -> bool:
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    @property
    def num_batches(self) -> int | None:
        """The number of batches (``len(self)``), or None when unknown."""
        try:
            return len(self)
        except (NotImplementedError, TypeError):
            return None


__all__ = ["Sequence", "PyDataset"]
