"""Conv2D's fused forward (bias and relu inside the convolution's op) and max pooling's tiled
backward give exactly the numbers of the separate ops (values and gradients, bit for bit)."""

import numpy as np
import pytest

import lamina as tf
from lamina.ops import conv_ops, core, nn


@pytest.mark.parametrize(
    "activation,use_bias,padding,strides",
    [("relu", True, "valid", 1), ("relu", False, "same", 2), (None, True, "same", 1)],
)
def test_conv2d_layer_matches_separate_ops_bit_for_bit(activation, use_bias, padding, strides):
    r = np.random.RandomState(0)
    x = tf.Variable(r.randn(2, 7, 8, 3).astype("float32"))
    layer = tf.keras.layers.Conv2D(
        4, 3, strides=strides, padding=padding, activation=activation, use_bias=use_bias
    )
    layer.build((None, 7, 8, 3))
    if use_bias:
        layer.bias.assign(r.randn(4).astype("float32"))
    weights = [x, *layer.trainable_weights]
    with tf.GradientTape() as tape:
        y = layer(x)
        loss = tf.reduce_sum(y * y * y)
    got = [y.numpy()] + [g.numpy() for g in tape.gradient(loss, weights)]
    with tf.GradientTape() as tape:
        ref = conv_ops.conv2d(x, layer.kernel, strides, padding.upper(), "NHWC", 1)
        if use_bias:
            ref = core.add(ref, layer.bias)
        if activation == "relu":
            ref = nn.relu(ref)
        loss = tf.reduce_sum(ref * ref * ref)
    want = [ref.numpy()] + [g.numpy() for g in tape.gradient(loss, weights)]
    assert (got[0] >= 0).all() or activation is None
    for a, b in zip(got, want):
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("shape", [(2, 6, 8, 3), (2, 7, 9, 3)])  # tiled, and with margins
def test_max_pool_gradient_goes_to_first_maximum(shape):
    r = np.random.RandomState(1)
    v = np.round(r.randn(*shape)).astype("float32")  # many ties
    x = tf.Variable(v)
    g = r.randn(2, shape[1] // 2, shape[2] // 2, 3).astype("float32")
    with tf.GradientTape() as tape:
        y = conv_ops.max_pool2d(x, 2, 2, "VALID")
    got = tape.gradient(y, x, output_gradients=tf.constant(g)).numpy()
    want = np.zeros(shape, "float32")
    for n, i, j, c in np.ndindex(g.shape):
        win = v[n, 2 * i : 2 * i + 2, 2 * j : 2 * j + 2, c].ravel()
        a, b = divmod(int(np.argmax(win)), 2)  # argmax: the first maximum, row-major
        want[n, 2 * i + a, 2 * j + b, c] = g[n, i, j, c]
    np.testing.assert_array_equal(got, want)
