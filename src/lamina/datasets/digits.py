"""The 8x8 handwritten digits (UCI optical digits, 1,797 images), shipped inside lamina.

Available offline. ``load_data()`` splits it like the other Keras loaders;
``load_digits()`` returns it in the original order, as scikit-learn's ``load_digits`` does,
so code written for scikit-learn's copy gets the same rows from lamina's.
License CC BY 4.0; citation: Alpaydin, E. & Kaynak, C. (1998), Optical Recognition of
Handwritten Digits, UCI Machine Learning Repository, https://doi.org/10.24432/C50P49.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.datasets._common import check_test_split, shuffled_split

DESCR = """Optical recognition of handwritten digits dataset
-------------------------------------------------

Number of instances: 1797 (about 180 per class), 10 classes (digits 0..9).
Attributes: an 8x8 image of integer pixels in the range 0..16.
Creator: E. Alpaydin, C. Kaynak, Bogazici University, 1998.

The test part of the UCI "Optical Recognition of Handwritten Digits" data set. NIST
preprocessing turned 32x32 bitmaps of handwritten digits into 8x8 images by counting the
"on" pixels in each 4x4 block, giving values 0..16.

License: CC BY 4.0. Citation: Alpaydin, E. & Kaynak, C. (1998). Optical Recognition of
Handwritten Digits. UCI Machine Learning Repository. https://doi.org/10.24432/C50P49
"""


def _raw() -> tuple[np.ndarray, np.ndarray]:
    """``images`` (uint8, (1797, 8, 8)) and ``target`` (int64, (1797,)) from the package."""
    from importlib.resources import files

    with (files("lamina.datasets") / "data" / "digits.npz").open("rb") as fh:
        with np.load(fh, allow_pickle=False) as f:
            return f["images"], f["target"].astype(np.int64)


def load_data(test_split: float = 0.2, seed: int = 113):
    """Load the digits as ``(x_train, y_train), (x_test, y_test)``, no download needed.

    The 1,797 images are shuffled with ``np.random.RandomState(seed)`` and the last
    ``test_split`` fraction becomes the test set (1,437 / 360 by default). ``x`` is ``uint8``
    of shape ``(n, 8, 8)`` with values 0..16; ``y`` is ``int64`` with digits 0..9.
    """
    test_split = check_test_split(test_split)
    images, target = _raw()
    return shuffled_split(images, target, test_split, seed)


class Bunch(dict):
    """A dict whose keys are also attributes (``digits.data`` or ``digits['data']``)."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __dir__(self):
        return list(self.keys())


def load_digits(*, n_class: int = 10, return_X_y: bool = False):
    """The digits in their original order, like ``sklearn.datasets.load_digits``.

    Returns a :class:`Bunch` with ``data`` (``float64``, ``(n, 64)``), ``target``
    (``int64``), ``images`` (``float64``, ``(n, 8, 8)``), ``target_names``,
    ``feature_names`` and ``DESCR``; or ``(data, target)`` with ``return_X_y=True``.
    ``n_class`` keeps only the digits ``0 .. n_class - 1``.
    """
    if isinstance(n_class, bool) or not isinstance(n_class, (int, np.integer)):
        raise TypeError(f"`n_class` must be an integer in [1, 10]. Received: n_class={n_class!r}")
    if not 1 <= n_class <= 10:
        raise ValueError(f"`n_class` must be in [1, 10]. Received: n_class={n_class}")
    images, target = _raw()
    if n_class < 10:
        keep = target < n_class
        images, target = images[keep], target[keep]
    images = images.astype(np.float64)
    data = images.reshape(len(images), 64)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=None,
        feature_names=[f"pixel_{r}_{c}" for r in range(8) for c in range(8)],
        target_names=np.arange(10),
        images=images,
        DESCR=DESCR,
    )


__all__ = ["load_data", "load_digits", "Bunch", "DESCR"]
