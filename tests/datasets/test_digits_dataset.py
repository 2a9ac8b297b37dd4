"""The shipped 8x8 digits: offline, Keras-style split, and scikit-learn's order."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from lamina.datasets import digits


def test_load_data_split_and_types():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.int64
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert x_train.min() == 0 and x_train.max() == 16
    assert set(np.unique(np.concatenate([y_train, y_test]))) == set(range(10))
    # The split is the Keras one: RandomState(seed) shuffle, the last test_split part is test.
    images, target = digits._raw()
    idx = np.arange(1797)
    np.random.RandomState(113).shuffle(idx)
    np.testing.assert_array_equal(x_train, images[idx[:1437]])
    np.testing.assert_array_equal(y_test, target[idx[1437:]])
    (a, _), (c, _) = digits.load_data(test_split=0.5, seed=0)
    assert len(a) == 898 and len(c) == 899
    with pytest.raises(ValueError, match="test_split"):
        digits.load_data(test_split=1.0)


def test_load_digits_matches_scikit_learn():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    ref = sklearn_datasets.load_digits()
    ours = digits.load_digits()
    assert ours.data.dtype == np.float64 and ours.data.shape == (1797, 64)
    np.testing.assert_array_equal(ours.data, ref.data)
    np.testing.assert_array_equal(ours.target, ref.target)
    np.testing.assert_array_equal(ours.images, ref.images)
    assert ours.feature_names == ref.feature_names
    assert list(ours["target_names"]) == list(ref.target_names)
    x, y = digits.load_digits(n_class=4, return_X_y=True)
    rx, ry = sklearn_datasets.load_digits(n_class=4, return_X_y=True)
    np.testing.assert_array_equal(x, rx)
    np.testing.assert_array_equal(y, ry)
    assert "CC BY 4.0" in ours.DESCR
    with pytest.raises(ValueError, match="n_class"):
        digits.load_digits(n_class=11)


def test_shipped_file_and_license_note_exist():
    from importlib.resources import files

    data = files("lamina.datasets") / "data"
    assert (data / "digits.npz").is_file()
    assert "CC BY 4.0" in (data / "README.md").read_text()


def test_import_is_lazy_and_offline():
    code = (
        "import sys, lamina, lamina.datasets;"
        "before = {m for m in ('urllib.request', 'h5py', 'http.client') if m in sys.modules};"
        "assert 'lamina.datasets.mnist' not in sys.modules;"
        "assert callable(lamina.datasets.mnist.load_data);"
        "import lamina.datasets.imdb, lamina.datasets.cifar10;"
        "after = {m for m in ('urllib.request', 'h5py', 'http.client') if m in sys.modules};"
        "assert after == before, after - before"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_keras_namespace_paths():
    import lamina

    assert lamina.keras.datasets.digits.load_data is digits.load_data
    names = set(dir(lamina.datasets))
    assert {"mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters"} <= names
    assert {"boston_housing", "california_housing", "digits"} <= names
    with pytest.raises(AttributeError):
        lamina.datasets.no_such_set  # noqa: B018
