"""Merging layers and their functional forms."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina import layers

A = np.array([[1.0, 5.0], [3.0, -2.0]], dtype="float32")
B = np.array([[2.0, 1.0], [-1.0, 4.0]], dtype="float32")


@pytest.mark.parametrize(
    "cls,expected",
    [
        (layers.Add, A + B),
        (layers.Subtract, A - B),
        (layers.Multiply, A * B),
        (layers.Average, (A + B) / 2),
        (layers.Maximum, np.maximum(A, B)),
        (layers.Minimum, np.minimum(A, B)),
    ],
)
def test_elementwise_merges(cls, expected):
    np.testing.assert_allclose(cls()([A, B]).numpy(), expected)
    x1, x2 = lamina.Input((2,)), lamina.Input((2,))
    model = lamina.Model([x1, x2], cls()([x1, x2]))
    assert model.output_shape == (None, 2)
    np.testing.assert_allclose(model.predict([A, B], verbose=0), expected)


def test_functional_forms():
    x1, x2 = lamina.Input((2,)), lamina.Input((3,))
    assert tuple(layers.concatenate([x1, x2]).shape) == (None, 5)
    assert tuple(layers.add([x1, x1]).shape) == (None, 2)
    np.testing.assert_allclose(layers.multiply([A, B]).numpy(), A * B)


def test_concatenate_axis_and_shape_errors():
    out = layers.Concatenate(axis=0)([A, B]).numpy()
    np.testing.assert_array_equal(out, np.concatenate([A, B], axis=0))
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        layers.Concatenate()([lamina.Input((2, 3)), lamina.Input((4, 3))])
    assert layers.Concatenate(axis=2).get_config()["axis"] == 2


def test_merge_needs_a_list_of_two_or_more():
    with pytest.raises(ValueError, match="at least 2 inputs"):
        layers.Add()([lamina.Input((2,))])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([A, B, A])
    with pytest.raises(ValueError, match="incompatible shapes"):
        layers.Add()([lamina.Input((2,)), lamina.Input((3,))])


def test_dot_product_and_cosine():
    np.testing.assert_allclose(
        layers.Dot(axes=1)([A, B]).numpy(), (A * B).sum(1, keepdims=True), rtol=1e-6
    )
    cos = layers.Dot(axes=1, normalize=True)([A, B]).numpy().ravel()
    ref = (A * B).sum(1) / np.linalg.norm(A, axis=1) / np.linalg.norm(B, axis=1)
    np.testing.assert_allclose(cos, ref, rtol=1e-5)
    x = np.random.rand(2, 3, 4).astype("float32")
    y = np.random.rand(2, 5, 4).astype("float32")
    out = layers.Dot(axes=(2, 2))([x, y]).numpy()
    np.testing.assert_allclose(out, np.einsum("bik,bjk->bij", x, y), rtol=1e-5)
    assert tuple(layers.Dot(axes=(2, 2))([lamina.Input((3, 4)), lamina.Input((5, 4))]).shape) == (
        None,
        3,
        5,
    )
