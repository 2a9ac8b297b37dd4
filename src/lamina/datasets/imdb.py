"""IMDB movie-review sentiment: 25,000 training and 25,000 test reviews as word-index lists."""

from __future__ import annotations

import numpy as np

from lamina.datasets._common import (
    TF_KERAS_DATASETS,
    check_sequence_args,
    limit_vocabulary,
    load_word_index,
    object_array,
    offset_sequences,
    remove_long_seq,
    sequence_kwargs,
)

#: Folder URL the files are downloaded from (tests point it at a local server).
BASE_URL = TF_KERAS_DATASETS
#: sha256 of ``imdb.npz`` and md5 of ``imdb_word_index.json``, as published by Keras.
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(
    path: str = "imdb.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    **kwargs,
):
    """Load IMDB as ``(x_train, y_train), (x_test, y_test)``, processed exactly as Keras does.

    Each review is a list of word indices, words ranked by frequency (index 1 is the most
    frequent word) and shifted by ``index_from``; 0 is padding, ``start_char`` opens every
    review and ``oov_char`` replaces words outside ``[skip_top, num_words)`` (dropped when
    ``oov_char`` is None). With ``maxlen`` only reviews shorter than ``maxlen`` are kept.
    Train and test are each shuffled with ``np.random.RandomState(seed)``.

    Returns 1-D ``object`` arrays of lists for ``x`` and ``int64`` labels (1 = positive) for
    ``y``. The ragged arrays are read from the ``.npz`` without unpickling code.
    Keras 2's ``nb_words`` is accepted as ``num_words``.
    """
    num_words = sequence_kwargs("imdb.load_data", num_words, kwargs)
    check_sequence_args(num_words, skip_top, maxlen, start_char, oov_char, index_from)
    from lamina.datasets._restricted_pickle import load_npz
    from lamina.utils.data_utils import get_file

    path = get_file(fname=path, origin=f"{BASE_URL}imdb.npz", file_hash=FILE_HASH)
    arrays = load_npz(path)
    missing = {"x_train", "y_train", "x_test", "y_test"} - set(arrays)
    if missing:
        raise ValueError(f"{path} lacks the arrays {sorted(missing)}; delete it to download again.")
    x_train, labels_train = arrays["x_train"], arrays["y_train"]
    x_test, labels_test = arrays["x_test"], arrays["y_test"]

    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]

    x_train = offset_sequences(x_train, start_char, index_from)
    x_test = offset_sequences(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(
                f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was "
                "kept. Increase maxlen."
            )
    xs = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(labels_train), np.asarray(labels_test)])
    idx = len(x_train)
    return (object_array(xs[:idx]), labels[:idx]), (object_array(xs[idx:]), labels[idx:])


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """The dict word -> index (1 = most frequent) of the IMDB data; add ``index_from`` to match
    ``load_data`` sequences."""
    from lamina.utils.data_utils import get_file

    path = get_file(fname=path, origin=f"{BASE_URL}imdb_word_index.json", file_hash=WORD_INDEX_HASH)
    return load_word_index(path)


__all__ = ["load_data", "get_word_index"]
