"""Helpers shared by the data-set loaders."""

from __future__ import annotations

import os

import numpy as np

#: Where Keras hosts most of its data sets; each loader keeps its own ``BASE_URL`` copy so a
#: test (or a mirror) can point one loader elsewhere.
TF_KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def check_test_split(test_split: float) -> float:
    """``test_split`` must be a number in [0, 1)."""
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float, np.number)):
        raise TypeError(
            f"`test_split` must be a float in [0, 1). Received: test_split={test_split!r}"
        )
    if not 0 <= test_split < 1:
        raise ValueError(
            f"Invalid `test_split` argument: {test_split}. "
            "It must be between 0 and 1 (exclusive of 1)."
        )
    return float(test_split)


def shuffled_split(x: np.ndarray, y: np.ndarray, test_split: float, seed: int | None):
    """Shuffle with ``RandomState(seed)`` then cut off the last ``test_split`` part (Keras)."""
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))


def load_plain_npz(path: str | os.PathLike, *keys: str) -> list[np.ndarray]:
    """The named arrays of an ``.npz`` that holds numeric arrays only (pickles refused)."""
    with np.load(path, allow_pickle=False) as f:
        missing = [k for k in keys if k not in f.files]
        if missing:
            raise ValueError(
                f"The file {os.fspath(path)} lacks the arrays {missing} (it has {f.files}); "
                "it is not the expected data set file. Delete it so it is downloaded again."
            )
        return [f[k] for k in keys]


_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (the MNIST format), gzip-compressed or not, checking its header.

    Header: two zero bytes, a type byte (0x08 = unsigned byte ...), the number of dimensions,
    then each dimension as a big-endian int32; the data follow in C order.
    """
    import gzip

    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else open
    with opener(path, "rb") as f:
        raw = f.read()
    name = os.path.basename(os.fspath(path))
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ValueError(
            f"{name} is not an IDX file (bad magic number {raw[:4].hex()!r}); delete it so it "
            "is downloaded again."
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{name} is truncated (incomplete IDX header).")
    shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"{name} has {len(raw) - header} data bytes but its header announces shape "
            f"{shape} ({expected} bytes); the file is truncated or corrupt, delete it so it "
            "is downloaded again."
        )
    data = np.frombuffer(raw, dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def sequence_kwargs(loader: str, num_words, kwargs: dict):
    """Apply the Keras 2 ``nb_words`` spelling and reject unknown keyword arguments."""
    if kwargs:
        from lamina.legacy import rename_kwargs

        kwargs = dict(rename_kwargs("dataset", kwargs))
        if "num_words" in kwargs:
            if num_words is not None:
                raise TypeError(
                    "Both `nb_words` and `num_words` were given; they are the same argument."
                )
            num_words = kwargs.pop("num_words")
        if kwargs:
            raise TypeError(f"{loader}() got unrecognized keyword arguments: {sorted(kwargs)}.")
    return num_words


def _check_int(name: str, value, allow_none: bool, minimum: int = 0) -> None:
    ok = (
        value is None
        if allow_none and value is None
        else (
            isinstance(value, (int, np.integer))
            and not isinstance(value, bool)
            and value >= minimum
        )
    )
    if not ok:
        expected = f"an integer >= {minimum}" + (" or None" if allow_none else "")
        raise ValueError(f"`{name}` must be {expected}. Received: {name}={value!r}")


def check_sequence_args(num_words, skip_top, maxlen, start_char, oov_char, index_from) -> None:
    """Validate the word-index arguments shared by ``imdb`` and ``reuters``."""
    _check_int("num_words", num_words, allow_none=True)
    _check_int("skip_top", skip_top, allow_none=False)
    _check_int("maxlen", maxlen, allow_none=True)
    _check_int("start_char", start_char, allow_none=True)
    _check_int("oov_char", oov_char, allow_none=True)
    _check_int("index_from", index_from, allow_none=False)


def offset_sequences(seqs, start_char, index_from) -> list[list[int]]:
    """Shift word indices by ``index_from`` and prepend ``start_char`` (when not None)."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in seqs]
    if index_from:
        return [[w + index_from for w in x] for x in seqs]
    return [list(x) for x in seqs]


def remove_long_seq(maxlen: int, seqs, labels):
    """Keep only the sequences strictly shorter than ``maxlen`` (Keras's rule)."""
    kept = [(x, y) for x, y in zip(seqs, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(seqs, num_words, skip_top, oov_char):
    """Replace (or, with ``oov_char=None``, drop) words outside ``[skip_top, num_words)``.

    Without ``num_words`` the bound is the largest index present (so, as in Keras, that one
    word itself becomes out-of-vocabulary).
    """
    if not num_words:
        lengths = [max(x) for x in seqs if len(x)]
        if not lengths:
            raise ValueError("No sequence is left to take the vocabulary size from.")
        num_words = max(lengths)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in seqs]
    return [[w for w in x if skip_top <= w < num_words] for x in seqs]


def object_array(seqs) -> np.ndarray:
    """A 1-D object array of lists (never a 2-D array, even when all lengths agree)."""
    out = np.empty(len(seqs), dtype=object)
    for i, seq in enumerate(seqs):
        out[i] = seq
    return out


def load_word_index(path: str | os.PathLike) -> dict[str, int]:
    import json

    with open(path, encoding="utf-8") as f:
        index = json.load(f)
    if not isinstance(index, dict):
        raise ValueError(f"{os.fspath(path)} does not hold a word index (a JSON object).")
    return index
