"""CIFAR-100: 50,000 training and 10,000 test 32x32 colour images, 100 fine / 20 coarse classes."""

from __future__ import annotations

import os

import numpy as np

from lamina.datasets.cifar import batches_dir, load_batch, to_image_format

#: Folder URL the archive is downloaded from (tests point it at a local server).
BASE_URL = "https://www.cs.toronto.edu/~kriz/"
ARCHIVE = "cifar-100-python.tar.gz"
#: sha256 of the archive as published by Keras.
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode: str = "fine"):
    """Load CIFAR-100 as ``(x_train, y_train), (x_test, y_test)``.

    ``x`` is ``uint8`` of shape ``(50000, 32, 32, 3)`` / ``(10000, 32, 32, 3)`` (channels
    first when ``image_data_format()`` says so); ``y`` has shape ``(n, 1)`` and holds the 100
    fine classes (``label_mode='fine'``) or the 20 coarse superclasses (``'coarse'``), as
    ``int64`` like Keras.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(
            f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode}.'
        )
    path = batches_dir(("train", "test"), "cifar-100-python", BASE_URL + ARCHIVE, FILE_HASH)
    key = f"{label_mode}_labels"
    x_train, y_train = load_batch(os.path.join(path, "train"), label_key=key)
    x_test, y_test = load_batch(os.path.join(path, "test"), label_key=key)
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    return (to_image_format(x_train), y_train), (to_image_format(x_test), y_test)


__all__ = ["load_data"]
