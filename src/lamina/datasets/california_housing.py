"""California Housing prices: 20,640 districts, 8 attributes, target the median house value."""

from __future__ import annotations

from lamina.datasets._common import (
    TF_KERAS_DATASETS,
    check_test_split,
    load_plain_npz,
    shuffled_split,
)

#: Folder URL the file is downloaded from (tests point it at a local server).
BASE_URL = TF_KERAS_DATASETS
#: sha256 of ``california_housing.npz`` as published by Keras.
FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(
    version: str = "large",
    path: str = "california_housing.npz",
    test_split: float = 0.2,
    seed: int = 113,
):
    """Load California Housing as ``(x_train, y_train), (x_test, y_test)``.

    ``version='large'`` uses all 20,640 rows, ``'small'`` the first 600. Rows are shuffled
    with ``np.random.RandomState(seed)`` and the last ``test_split`` fraction is the test set.
    ``x`` has shape ``(n, 8)``; ``y`` (the median house value in $) has shape ``(n,)``.
    """
    if version not in ("large", "small"):
        raise ValueError(
            f"Argument `version` must be one of 'small', 'large'. Received: version={version}"
        )
    test_split = check_test_split(test_split)
    from lamina.utils.data_utils import get_file

    path = get_file(path, origin=f"{BASE_URL}california_housing.npz", file_hash=FILE_HASH)
    x, y = load_plain_npz(path, "x", "y")
    if version == "small":
        x, y = x[:600], y[:600]
    return shuffled_split(x, y, test_split, seed)


__all__ = ["load_data"]
