"""CIFAR-10: 50,000 training and 10,000 test 32x32 colour images in 10 classes."""

from __future__ import annotations

import os

import numpy as np

from lamina.datasets.cifar import batches_dir, load_batch, to_image_format

#: Folder URL the archive is downloaded from (tests point it at a local server).
BASE_URL = "https://www.cs.toronto.edu/~kriz/"
ARCHIVE = "cifar-10-python.tar.gz"
#: sha256 of the archive as published by Keras.
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
#: Label names by class index.
CLASS_NAMES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)


def load_data():
    """Load CIFAR-10 as ``(x_train, y_train), (x_test, y_test)``.

    ``x`` is ``uint8`` of shape ``(50000, 32, 32, 3)`` / ``(10000, 32, 32, 3)`` (channels
    first when ``image_data_format()`` says so), ``y`` is ``uint8`` of shape ``(50000, 1)`` /
    ``(10000, 1)`` with classes 0..9 (see ``CLASS_NAMES``). The pickled batches are read by a
    restricted reader that never runs code from the file.
    """
    path = batches_dir(_BATCHES, "cifar-10-batches-py", BASE_URL + ARCHIVE, FILE_HASH)
    parts = [load_batch(os.path.join(path, name)) for name in _BATCHES[:-1]]
    x_train = np.concatenate([x for x, _ in parts]).astype("uint8", copy=False)
    y_train = np.concatenate([np.asarray(y) for _, y in parts]).astype("uint8")
    x_test, y_test = load_batch(os.path.join(path, _BATCHES[-1]))
    y_train = y_train.reshape(len(y_train), 1)
    y_test = np.reshape(y_test, (len(y_test), 1)).astype(y_train.dtype)
    x_train = to_image_format(x_train)
    x_test = to_image_format(x_test).astype(x_train.dtype)
    return (x_train, y_train), (x_test, y_test)


__all__ = ["load_data", "CLASS_NAMES"]
