"""``lamina.ops`` is ``keras.ops``: Keras 3 names, arguments and type promotion."""

from __future__ import annotations

import numpy as np

import lamina as tf
from lamina import ops

X = np.array([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]], np.float32)
XI = np.array([[1, -2, 3], [0, 4, -1]], np.int32)


def test_keras_semantics_where_tensorflow_differs():
    assert int(ops.argmax(X)) == 4 and ops.argmax(X).dtype == tf.int32  # flattened
    assert int(tf.argmax(X)[0]) == 0 and tf.argmax(X).dtype == tf.int64  # TF: axis 0
    assert ops.shape(X) == (2, 3) and isinstance(ops.shape(X), tuple)
    assert [t.shape for t in ops.split(X, [1], axis=1)] == [(2, 1), (2, 2)]  # cut indices
    assert ops.cumsum(X).shape == (6,)
    assert ops.divide(XI, 2).dtype == tf.float32 and tf.divide(XI, 2).dtype == tf.float64
    assert ops.minimum(XI, 0.5).dtype == tf.float32
    assert ops.mean(XI).dtype == tf.float32 and float(ops.mean(XI)) == np.float32(np.mean(XI))
    assert ops.count_nonzero(XI).dtype == tf.int32
    assert ops.full((2,), 3).dtype == tf.float32


def test_numpy_style_names():
    assert ops.moveaxis(np.zeros((2, 3, 4)), 0, -1).shape == (3, 4, 2)
    assert ops.diagonal(X).numpy().tolist() == [1.5, 4.0]
    assert ops.concatenate([X, X], axis=0).shape == (4, 3)
    assert ops.take(X, [0, 2], axis=1).numpy().tolist() == [[1.5, 3.0], [0.5, -1.0]]
    assert ops.clip(X, -1, 1).numpy().max() == 1.0
    assert float(ops.std(X)) == np.float32(np.std(X))
    assert ops.arange(5).dtype == tf.int32 and ops.arange(0.0, 1.0, 0.5).dtype == tf.float32
    assert ops.convert_to_numpy(tf.constant([1, 2])).tolist() == [1, 2]
    assert ops.one_hot(np.array([0, 2]), 3).numpy().tolist() == [[1, 0, 0], [0, 0, 1]]
    np.testing.assert_allclose(ops.gelu(X), tf.nn.gelu(X, approximate=True), rtol=1e-6)


def test_keras_control_flow_and_numpy_extras():
    assert ops.fori_loop(0, 4, lambda i, v: v + i, 0) == 6
    carry, ys = ops.scan(lambda c, x: (c + x, c * x), 0.0, np.array([1.0, 2.0, 3.0]))
    assert float(carry) == 6.0 and ys.numpy().tolist() == [0.0, 2.0, 9.0]
    assert ops.switch(1, [lambda x: x, lambda x: -x], 3) == -3
    assert ops.cond(True, lambda: 1, lambda: 2) == 1
    assert ops.diff(np.array([1.0, 4.0, 9.0])).numpy().tolist() == [3.0, 5.0]
    np.testing.assert_allclose(ops.logaddexp(0.0, 0.0), np.log(2.0), rtol=1e-6)
    assert float(ops.median(np.array([1.0, 3.0, 2.0]))) == 2.0
    assert ops.segment_sum(np.array([1.0, 2.0, 3.0]), [0, 0, 1]).numpy().tolist() == [3.0, 3.0]
    u, s, vh = ops.svd(np.eye(2))
    assert s.numpy().tolist() == [1.0, 1.0]
