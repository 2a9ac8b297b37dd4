"""Fashion-MNIST: 60,000 training and 10,000 test 28x28 grayscale images of 10 clothing types."""

from __future__ import annotations

import os

from lamina.datasets._common import TF_KERAS_DATASETS, read_idx

#: Folder URL the four IDX files are downloaded from (tests point it at a local server).
BASE_URL = TF_KERAS_DATASETS
#: The files, in the order train labels, train images, test labels, test images.
FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)
#: Label names by class index.
CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def load_data():
    """Load Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``.

    ``x`` is ``uint8`` of shape ``(60000, 28, 28)`` / ``(10000, 28, 28)``, ``y`` is ``uint8``
    of shape ``(60000,)`` / ``(10000,)`` with classes 0..9 (see ``CLASS_NAMES``). The gzip
    IDX files are cached in ``~/.keras/datasets/fashion-mnist``.

    License: the copyright for Fashion-MNIST is held by Zalando SE; MIT license.
    """
    from lamina.utils.data_utils import get_file

    subdir = os.path.join("datasets", "fashion-mnist")
    paths = [get_file(name, origin=BASE_URL + name, cache_subdir=subdir) for name in FILES]
    y_train, x_train, y_test, x_test = (read_idx(p) for p in paths)
    for x, y, part in ((x_train, y_train, "train"), (x_test, y_test, "test")):
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise ValueError(
                f"The Fashion-MNIST {part} files do not match: images {x.shape}, labels "
                f"{y.shape}. Delete them from {os.path.dirname(paths[0])} to download again."
            )
    return (x_train, y_train), (x_test, y_test)


__all__ = ["load_data", "CLASS_NAMES"]
