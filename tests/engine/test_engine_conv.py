"""Convolution and pooling: values against a direct loop, gradients by finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import check_grad, check_second_order

import lamina as tf
import lamina.ops as kops

R = np.random.RandomState(0)


def naive_conv2d(x, f, s, pads):
    x = np.pad(x, [[0, 0], pads[0], pads[1], [0, 0]])
    kh, kw, _, o = f.shape
    oh = (x.shape[1] - kh) // s + 1
    ow = (x.shape[2] - kw) // s + 1
    out = np.zeros((x.shape[0], oh, ow, o))
    for i in range(oh):
        for j in range(ow):
            win = x[:, i * s : i * s + kh, j * s : j * s + kw, :]
            out[:, i, j, :] = np.tensordot(win, f, axes=([1, 2, 3], [0, 1, 2]))
    return out


@pytest.mark.parametrize(
    "padding,stride,pads",
    [
        ("VALID", 1, [[0, 0], [0, 0]]),
        ("VALID", 2, [[0, 0], [0, 0]]),
        ("SAME", 1, [[1, 1], [0, 1]]),  # kernel (3, 2): TensorFlow puts the odd pad after
        ("SAME", 2, [[1, 1], [0, 0]]),
    ],
)
def test_conv2d_matches_direct_loop(padding, stride, pads):
    x, f = R.randn(2, 5, 4, 3), R.randn(3, 2, 3, 2)
    got = tf.nn.conv2d(x, f, stride, padding).numpy()
    np.testing.assert_allclose(got, naive_conv2d(x, f, stride, pads), atol=1e-10)


def test_pooling_values():
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    assert tf.nn.max_pool2d(x, 2, 2, "VALID").numpy().ravel().tolist() == [5, 7, 13, 15]
    assert tf.nn.avg_pool2d(x, 2, 2, "VALID").numpy().ravel().tolist() == [2.5, 4.5, 10.5, 12.5]
    # SAME average pooling counts only real entries at the border
    assert tf.nn.avg_pool2d(x, 2, 2, "SAME").shape == (1, 2, 2, 1)
    assert float(tf.nn.avg_pool2d(np.ones((1, 3, 3, 1)), 2, 2, "SAME")[0, 1, 1, 0]) == 1.0
    assert float(tf.nn.max_pool2d(-np.ones((1, 3, 3, 1)), 2, 2, "SAME")[0, 1, 1, 0]) == -1.0


def test_channels_first_and_conv_transpose_shapes():
    x = R.randn(2, 3, 5, 5)
    f = R.randn(3, 3, 3, 4)
    y = tf.nn.conv2d(x, f, 1, "SAME", data_format="NCHW")
    assert y.shape == (2, 4, 5, 5)
    t = tf.nn.conv2d_transpose(R.randn(2, 4, 4, 3), R.randn(3, 3, 6, 3), [2, 8, 8, 6], 2, "SAME")
    assert t.shape == (2, 8, 8, 6)


CASES = [
    ("conv2d_valid", lambda x, f: tf.nn.conv2d(x, f, 1, "VALID"), (1, 4, 4, 2), (2, 2, 2, 3)),
    ("conv2d_same_s2", lambda x, f: tf.nn.conv2d(x, f, 2, "SAME"), (2, 5, 4, 2), (3, 2, 2, 2)),
    (
        "conv2d_dilated",
        lambda x, f: tf.nn.conv2d(x, f, 1, "SAME", dilations=2),
        (1, 5, 5, 1),
        (2, 2, 1, 2),
    ),
    ("conv1d", lambda x, f: tf.nn.conv1d(x, f, 2, "SAME"), (2, 7, 2), (3, 2, 3)),
    (
        "depthwise",
        lambda x, f: tf.nn.depthwise_conv2d(x, f, [1, 1, 1, 1], "SAME"),
        (1, 4, 4, 2),
        (2, 2, 2, 2),
    ),
    (
        "conv2d_transpose",
        lambda x, f: tf.nn.conv2d_transpose(x, f, [1, 6, 6, 2], 2, "SAME"),
        (1, 3, 3, 3),
        (3, 3, 2, 3),
    ),
    (
        "keras_conv",
        lambda x, f: kops.conv(x, f, strides=1, padding="same"),
        (1, 4, 4, 2),
        (3, 3, 2, 2),
    ),
]


@pytest.mark.parametrize("name,fn,sx,sf", CASES, ids=[c[0] for c in CASES])
def test_conv_gradients(name, fn, sx, sf):
    check_grad(fn, R.randn(*sx), R.randn(*sf))


@pytest.mark.parametrize(
    "name,fn",
    [
        ("max_pool_valid", lambda x: tf.nn.max_pool2d(x, 2, 2, "VALID")),
        ("max_pool_same", lambda x: tf.nn.max_pool2d(x, 3, 2, "SAME")),
        ("avg_pool_valid", lambda x: tf.nn.avg_pool2d(x, 2, 1, "VALID")),
        ("avg_pool_same", lambda x: tf.nn.avg_pool2d(x, 3, 2, "SAME")),
        ("max_pool1d", lambda x: tf.nn.max_pool1d(tf.reshape(x, [2, 10, 1]), 2, 2, "VALID")),
        ("keras_max_pool", lambda x: kops.max_pool(x, 2)),
        ("keras_average_pool", lambda x: kops.average_pool(x, 2, padding="same")),
    ],
)
def test_pool_gradients(name, fn):
    x = R.permutation(20).astype(float).reshape(2, 5, 2, 1) / 7.0  # distinct: no max ties
    check_grad(fn, x)


def test_conv_second_order():
    f = tf.constant(R.randn(2, 2, 1, 1))
    check_second_order(
        lambda x: tf.nn.conv2d(tf.reshape(x * x, [1, 3, 3, 1]), f, 1, "VALID"), R.randn(9)
    )


def test_conv_errors():
    with pytest.raises(
        ValueError, match="conv2d: the input has 3 channels but the filters expect 2"
    ):
        tf.nn.conv2d(np.ones((1, 4, 4, 3)), np.ones((2, 2, 2, 1)), 1, "VALID")
    with pytest.raises(ValueError, match="`padding` must be 'VALID' or 'SAME'"):
        tf.nn.conv2d(np.ones((1, 4, 4, 1)), np.ones((2, 2, 1, 1)), 1, "FULL")
    with pytest.raises(ValueError, match="larger than"):
        tf.nn.max_pool2d(np.ones((1, 2, 2, 1)), 3, 1, "VALID")
