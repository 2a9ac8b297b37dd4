"""Read one CIFAR batch file (a Python pickle) with the restricted reader: no code runs."""

from __future__ import annotations

import os

import numpy as np

from lamina.datasets._restricted_pickle import UnpicklingError, load


def load_batch(fpath: str | os.PathLike, label_key: str = "labels"):
    """``(data, labels)`` of a CIFAR batch: ``uint8`` images ``(n, 3, 32, 32)`` and a label list.

    The batches are dicts written by Python 2 (``data``: an ``(n, 3072)`` uint8 array,
    ``labels`` or ``fine_labels``/``coarse_labels``: lists of ints, plus names); anything that
    is not such plain data is refused with ``UnpicklingError``.
    """
    name = os.path.basename(os.fspath(fpath))
    try:
        batch = load(fpath)
    except UnpicklingError as e:
        raise UnpicklingError(f"Cannot read the CIFAR batch {name}: {e}") from None
    if not isinstance(batch, dict):
        raise UnpicklingError(
            f"The CIFAR batch {name} holds a {type(batch).__name__}, expected a dict."
        )
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    if "data" not in batch or label_key not in batch:
        raise UnpicklingError(
            f"The CIFAR batch {name} lacks the keys 'data' and {label_key!r} "
            f"(it has {sorted(map(str, batch))})."
        )
    data, labels = batch["data"], batch[label_key]
    if not isinstance(data, np.ndarray) or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise UnpicklingError(
            f"The CIFAR batch {name} has data of shape {getattr(data, 'shape', None)}, "
            "expected (n, 3072)."
        )
    if len(labels) != len(data):
        raise UnpicklingError(
            f"The CIFAR batch {name} has {len(data)} images but {len(labels)} labels."
        )
    return data.reshape(data.shape[0], 3, 32, 32), labels


def find_extracted(names: tuple[str, ...], folder: str, target: str) -> str | None:
    """A directory already holding every batch file: the Keras 3 or the Keras 2 cache layout.

    Keras 3 extracts to ``datasets/<target>/<folder>``; Keras 2 (``untar=True``) to
    ``datasets/<folder>``. Either one makes a download unnecessary.
    """
    from lamina.utils.data_utils import cache_root

    datadir = os.path.join(cache_root(), "datasets")
    for candidate in (os.path.join(datadir, target, folder), os.path.join(datadir, folder)):
        if all(os.path.isfile(os.path.join(candidate, n)) for n in names):
            return candidate
    return None


def batches_dir(names: tuple[str, ...], folder: str, origin: str, file_hash: str) -> str:
    """The folder holding the batch files: found in the cache (:func:`find_extracted`), else
    downloaded from ``origin``, hash-checked and extracted by ``get_file``."""
    target = f"{folder}-target"
    path = find_extracted(names, folder, target)
    if path is None:
        from lamina.utils.data_utils import get_file

        path = get_file(fname=target, origin=origin, extract=True, file_hash=file_hash)
        path = os.path.join(path, folder)
    return path


def to_image_format(x: np.ndarray) -> np.ndarray:
    """``(n, 3, 32, 32)`` stays for ``channels_first``; otherwise a ``(n, 32, 32, 3)`` view."""
    from lamina.backend import image_data_format

    return x.transpose(0, 2, 3, 1) if image_data_format() == "channels_last" else x
