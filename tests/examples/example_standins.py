"""Small generated stand-ins for data sets the tutorials download (no network in the tests)."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

FASHION_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


def _idx(array: np.ndarray) -> bytes:
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=">u1").tobytes()


def write_fashion_mnist(keras_home: Path, n_train: int = 1200, n_test: int = 300) -> Path:
    """Fashion-MNIST-format files under ``keras_home/datasets/fashion-mnist``.

    28x28 uint8 images of ten classes: scikit-learn's 8x8 digits scaled up (a learnable
    ten-class picture task, not clothes), labels 0..9.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.RandomState(28)
    index = rng.choice(len(digits.images), size=n_train + n_test, replace=True)
    images = np.kron(digits.images[index] / 16.0, np.ones((3, 3)))
    images = np.pad(images, ((0, 0), (2, 2), (2, 2)))
    images = np.round(images * 255).astype(np.uint8)
    labels = digits.target[index].astype(np.uint8)
    folder = Path(keras_home) / "datasets" / "fashion-mnist"
    folder.mkdir(parents=True, exist_ok=True)
    parts = (
        labels[:n_train],
        images[:n_train],
        labels[n_train:],
        images[n_train:],
    )
    for name, part in zip(FASHION_FILES, parts):
        with gzip.open(folder / name, "wb") as f:
            f.write(_idx(part))
    return folder
