"""MNIST handwritten digits: 60,000 training and 10,000 test 28x28 grayscale images."""

from __future__ import annotations

from lamina.datasets._common import TF_KERAS_DATASETS, load_plain_npz

#: Folder URL the file is downloaded from (tests point it at a local server).
BASE_URL = TF_KERAS_DATASETS
#: sha256 of ``mnist.npz`` as published by Keras.
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path: str = "mnist.npz"):
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``.

    ``x`` is ``uint8`` of shape ``(60000, 28, 28)`` / ``(10000, 28, 28)`` with values 0..255,
    ``y`` is ``uint8`` of shape ``(60000,)`` / ``(10000,)`` with digits 0..9.
    ``path`` is the file name inside ``~/.keras/datasets``.

    License: Yann LeCun and Corinna Cortes hold the copyright of MNIST, a derivative of the
    NIST data sets, made available under CC BY-SA 3.0.
    """
    from lamina.utils.data_utils import get_file

    path = get_file(fname=path, origin=f"{BASE_URL}mnist.npz", file_hash=FILE_HASH)
    x_train, y_train, x_test, y_test = load_plain_npz(
        path, "x_train", "y_train", "x_test", "y_test"
    )
    return (x_train, y_train), (x_test, y_test)


__all__ = ["load_data"]
