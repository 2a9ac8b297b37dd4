import numpy as np
import pytest

import lamina as keras
from lamina.preprocessing.sequence import pad_sequences


def test_pre_padding_and_truncating_are_the_defaults():
    out = pad_sequences([[1, 2, 3], [4], [5, 6, 7, 8, 9]], maxlen=4)
    np.testing.assert_array_equal(out, [[0, 1, 2, 3], [0, 0, 0, 4], [6, 7, 8, 9]])
    assert out.dtype == np.int32


def test_post_and_value_and_default_maxlen():
    out = pad_sequences([[1, 2], [3]], padding="post", truncating="post", value=-1)
    np.testing.assert_array_equal(out, [[1, 2], [3, -1]])
    out = pad_sequences([[1, 2, 3]], maxlen=2, truncating="post", dtype="float32")
    np.testing.assert_array_equal(out, [[1.0, 2.0]])
    assert out.dtype == np.float32


def test_namespaces_and_errors():
    assert keras.preprocessing.sequence.pad_sequences is pad_sequences
    with pytest.raises(ValueError, match="padding"):
        pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match="non-iterable"):
        pad_sequences([1, 2])
    with pytest.raises(AttributeError, match="not available"):
        keras.preprocessing.image  # noqa: B018
