"""Boston Housing prices: 506 samples of 13 attributes, target the median value in k$.

The data set has an ethical problem (its attribute "B" encodes a racial assumption); use it
only to discuss such issues, as the Keras documentation advises.
"""

from __future__ import annotations

from lamina.datasets._common import (
    TF_KERAS_DATASETS,
    check_test_split,
    load_plain_npz,
    shuffled_split,
)

#: Folder URL the file is downloaded from (tests point it at a local server).
BASE_URL = TF_KERAS_DATASETS
#: sha256 of ``boston_housing.npz`` as published by Keras.
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113):
    """Load Boston Housing as ``(x_train, y_train), (x_test, y_test)``.

    The 506 rows are shuffled with ``np.random.RandomState(seed)`` and the last
    ``test_split`` fraction becomes the test set (404 / 102 rows by default, as in Keras).
    ``x`` is ``float64`` of shape ``(n, 13)``, ``y`` is ``float64`` of shape ``(n,)``.
    """
    test_split = check_test_split(test_split)
    from lamina.utils.data_utils import get_file

    path = get_file(path, origin=f"{BASE_URL}boston_housing.npz", file_hash=FILE_HASH)
    x, y = load_plain_npz(path, "x", "y")
    return shuffled_split(x, y, test_split, seed)


__all__ = ["load_data"]
