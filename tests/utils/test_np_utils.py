"""to_categorical and normalize, as keras.utils."""

import numpy as np
import pandas as pd
import pytest

import lamina
from lamina.utils.np_utils import normalize, to_categorical


def test_to_categorical_basic_shapes_and_dtype():
    out = to_categorical([0, 2, 1])
    assert out.dtype == np.float32 and out.shape == (3, 3)
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert to_categorical(np.array([[1], [0]]), num_classes=4).shape == (2, 4)
    assert to_categorical(np.array([[0, 1], [2, 0]])).shape == (2, 2, 3)
    assert to_categorical([1, 0], dtype="int32").dtype == np.int32
    assert to_categorical(np.array([1.0, 0.0])).tolist() == [[0, 1], [1, 0]]


def test_to_categorical_accepts_pandas_and_tensors():
    # seed 001: to_categorical(df.survived)
    s = pd.Series([0, 1, 1, 0], name="survived")
    np.testing.assert_array_equal(to_categorical(s), np.eye(2)[[0, 1, 1, 0]])
    t = lamina.constant(np.array([2, 0]))
    np.testing.assert_array_equal(to_categorical(t, 3), [[0, 0, 1], [1, 0, 0]])
    assert lamina.utils.to_categorical is to_categorical
    assert lamina.utils.normalize is normalize


def test_to_categorical_bad_input():
    with pytest.raises(ValueError, match="num_classes=3"):
        to_categorical([0, 3], num_classes=3)
    with pytest.raises(ValueError, match=">= 0"):
        to_categorical([-1, 0])
    with pytest.raises(ValueError, match="integer class ids"):
        to_categorical([0.5, 1])
    with pytest.raises(ValueError, match="NaN"):
        to_categorical([np.nan, 1])
    with pytest.raises(TypeError, match="numeric"):
        to_categorical(["cat", "dog"])
    with pytest.raises(ValueError, match="num_classes"):
        to_categorical([0, 1], num_classes=0)


def test_normalize():
    out = normalize([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])
    out = normalize(np.array([[1.0, 1.0], [3.0, 1.0]]), axis=0, order=1)
    np.testing.assert_allclose(out, [[0.25, 0.5], [0.75, 0.5]])
    assert normalize(np.array([3, 4])).dtype == np.float32
