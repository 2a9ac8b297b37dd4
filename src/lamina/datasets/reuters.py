"""Reuters newswire topics: 11,228 newswires as word-index lists, labelled over 46 topics."""

from __future__ import annotations

import numpy as np

from lamina.datasets._common import (
    TF_KERAS_DATASETS,
    check_sequence_args,
    check_test_split,
    limit_vocabulary,
    load_word_index,
    object_array,
    offset_sequences,
    remove_long_seq,
    sequence_kwargs,
)

#: Folder URL the files are downloaded from (tests point it at a local server).
BASE_URL = TF_KERAS_DATASETS
#: sha256 of ``reuters.npz`` and md5 of ``reuters_word_index.json``, as published by Keras.
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"

_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)  # fmt: skip


def load_data(
    path: str = "reuters.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    **kwargs,
):
    """Load Reuters as ``(x_train, y_train), (x_test, y_test)``, processed exactly as Keras does.

    All newswires are shuffled with ``np.random.RandomState(seed)``, word indices shifted by
    ``index_from`` behind ``start_char``, filtered by ``maxlen`` (kept when shorter), words
    outside ``[skip_top, num_words)`` become ``oov_char``; the last ``test_split`` fraction is
    the test set (8,982 / 2,246 by default). ``x`` are 1-D ``object`` arrays of lists, ``y``
    ``int64`` topic indices (names from :func:`get_label_names`).
    """
    num_words = sequence_kwargs("reuters.load_data", num_words, kwargs)
    check_sequence_args(num_words, skip_top, maxlen, start_char, oov_char, index_from)
    test_split = check_test_split(test_split)
    from lamina.datasets._restricted_pickle import load_npz
    from lamina.utils.data_utils import get_file

    path = get_file(fname=path, origin=f"{BASE_URL}reuters.npz", file_hash=FILE_HASH)
    arrays = load_npz(path)
    if "x" not in arrays or "y" not in arrays:
        raise ValueError(f"{path} lacks the arrays 'x' and 'y'; delete it to download again.")
    xs, labels = arrays["x"], arrays["y"]

    rng = np.random.RandomState(seed)
    indices = np.arange(len(xs))
    rng.shuffle(indices)
    xs, labels = xs[indices], labels[indices]

    xs = offset_sequences(xs, start_char, index_from)
    if maxlen:
        xs, labels = remove_long_seq(maxlen, xs, labels)
    xs = limit_vocabulary(xs, num_words, skip_top, oov_char)
    idx = int(len(xs) * (1 - test_split))
    return (
        (object_array(xs[:idx]), np.array(labels[:idx])),
        (object_array(xs[idx:]), np.array(labels[idx:])),
    )


def get_word_index(path: str = "reuters_word_index.json") -> dict[str, int]:
    """The dict word -> index (1 = most frequent) of the Reuters data; add ``index_from``
    (3 by default) to match ``load_data`` sequences."""
    from lamina.utils.data_utils import get_file

    path = get_file(path, origin=f"{BASE_URL}reuters_word_index.json", file_hash=WORD_INDEX_HASH)
    return load_word_index(path)


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, indexed like the labels of :func:`load_data`."""
    return _LABEL_NAMES


__all__ = ["load_data", "get_word_index", "get_label_names"]
