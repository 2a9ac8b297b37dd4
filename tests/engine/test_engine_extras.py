"""Less common TensorFlow API: control flow, structures, Module, segments, Generator ..."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import check_grad

import lamina as tf


def test_cond_case_while_scan():
    assert tf.cond(tf.constant(3) > 2, lambda: "yes", lambda: "no") == "yes"
    assert tf.switch_case(1, [lambda: 10, lambda: 20]) == 20
    assert tf.case([(tf.constant(False), lambda: 1)], default=lambda: 2) == 2
    i, total = tf.while_loop(
        lambda i, t: i < 4, lambda i, t: (i + 1, t + i), (tf.constant(0), tf.constant(0))
    )
    assert int(i) == 4 and int(total) == 6
    assert tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3])).numpy().tolist() == [1, 3, 6]
    assert int(tf.foldl(lambda a, x: a * x, tf.constant([1, 2, 3, 4]))) == 24
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = tf.while_loop(lambda v: v < 100.0, lambda v: v * x, [x])[0]
    assert float(y) == 128.0 and float(tape.gradient(y, x)) == pytest.approx(7 * 2.0**6)


def test_nest_and_tensor_array():
    s = {"b": [1, (2, 3)], "a": 4}
    assert tf.nest.flatten(s) == [4, 1, 2, 3]
    assert tf.nest.map_structure(lambda v: v * 10, s) == {"a": 40, "b": [10, (20, 30)]}
    ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
    for i in range(3):
        ta = ta.write(i, float(i) * 2)
    assert ta.stack().numpy().tolist() == [0.0, 2.0, 4.0] and int(ta.size()) == 3
    with pytest.raises(IndexError, match="dynamic_size"):
        tf.TensorArray(tf.float32, size=1).write(3, 1.0)


def test_debugging_asserts():
    tf.debugging.assert_equal(tf.constant([1, 2]), [1, 2])
    with pytest.raises(ValueError, match="x == y"):
        tf.debugging.assert_equal(1, 2)
    with pytest.raises(ValueError, match="rank 2"):
        tf.debugging.assert_rank(tf.ones(3), 2)
    with pytest.raises(ValueError, match="NaN or Inf"):
        tf.debugging.check_numerics(tf.constant([np.nan]), "bad")


def test_module_collects_variables():
    class Dense(tf.Module):
        def __init__(self, n_in, n_out, name=None):
            super().__init__(name=name)
            self.w = tf.Variable(tf.ones((n_in, n_out)))
            self.b = tf.Variable(tf.zeros((n_out,)), trainable=False)

    class MLP(tf.Module):
        def __init__(self):
            super().__init__()
            self.layers = [Dense(2, 3), Dense(3, 1)]

    m = MLP()
    assert m.name == "mlp" and len(m.submodules) == 2
    assert len(m.variables) == 4 and len(m.trainable_variables) == 2


def test_segment_ops():
    data = tf.constant([1.0, 2.0, 3.0, 4.0])
    ids = [0, 0, 1, 1]
    assert tf.math.segment_sum(data, ids).numpy().tolist() == [3.0, 7.0]
    assert tf.math.segment_mean(data, ids).numpy().tolist() == [1.5, 3.5]
    assert tf.math.unsorted_segment_max(data, ids, 3).numpy()[:2].tolist() == [2.0, 4.0]
    check_grad(
        lambda t: tf.math.unsorted_segment_max(t, [0, 1, 0, 1], 2), np.array([1.0, 4.0, 3.0, 2.0])
    )
    check_grad(lambda t: tf.math.unsorted_segment_mean(t, [1, 0, 0], 2), np.array([1.0, 4.0, 3.0]))


def test_array_extras():
    x = np.arange(24).reshape(2, 3, 4)
    assert (
        tf.strided_slice(x, [0, 1, 0], [2, 3, 4], [1, 1, 2]).numpy().tolist()
        == x[0:2, 1:3, 0:4:2].tolist()
    )
    assert tf.searchsorted([1, 3, 5], [2, 6]).numpy().tolist() == [1, 3]
    assert tf.reverse_sequence(
        np.arange(8).reshape(2, 4), [2, 3], seq_axis=1, batch_axis=0
    ).numpy().tolist() == [[1, 0, 2, 3], [6, 5, 4, 7]]
    y, idx, count = tf.unique_with_counts([3, 1, 3, 2])
    assert y.numpy().tolist() == [3, 1, 2] and count.numpy().tolist() == [2, 1, 1]
    assert tf.unravel_index([5], [2, 3]).numpy().ravel().tolist() == [1, 2]
    assert tf.histogram_fixed_width([0.0, 0.1, 0.9, 1.0], [0.0, 1.0], nbins=2).numpy().tolist() == [
        2,
        2,
    ]


def test_random_generator_and_stateless():
    g1, g2 = tf.random.Generator.from_seed(5), tf.random.Generator.from_seed(5)
    assert np.array_equal(g1.normal([3]), g2.normal([3]))
    assert g1.uniform([4], 0, 10, dtype=tf.int32).dtype == tf.int32
    a = tf.random.stateless_normal([3], seed=[1, 2])
    assert np.array_equal(a, tf.random.stateless_normal([3], seed=[1, 2]))
    c = tf.random.stateless_categorical(tf.math.log([[0.0, 1.0]]), 3, seed=[0, 1])
    assert c.numpy().tolist() == [[1, 1, 1]]


def test_nn_and_linalg_extras():
    assert tf.nn.crelu([1.0, -2.0]).numpy().tolist() == [1.0, 0.0, 0.0, 2.0]
    np.testing.assert_allclose(
        tf.nn.lrn(np.ones((1, 1, 1, 3)), 1).numpy().ravel(), [3**-0.5, 0.5, 3**-0.5], rtol=1e-6
    )
    x = tf.linalg.lstsq(np.array([[1.0, 0], [0, 1], [1, 1]]), np.array([[1.0], [2], [3]]))
    np.testing.assert_allclose(x.numpy().ravel(), [1.0, 2.0])
    assert tf.linalg.set_diag(np.zeros((2, 3)), np.array([1.0, 2.0])).numpy().tolist() == [
        [1.0, 0.0, 0.0],
        [0.0, 2.0, 0.0],
    ]
    y = tf.nn.separable_conv2d(
        np.ones((1, 4, 4, 2)), np.ones((3, 3, 2, 1)), np.ones((1, 1, 2, 3)), [1, 1, 1, 1], "VALID"
    )
    assert y.shape == (1, 2, 2, 3) and float(y[0, 0, 0, 0]) == 18.0
    check_grad(
        lambda t: tf.nn.local_response_normalization(t, 1),
        np.random.RandomState(0).uniform(0.5, 1.5, (1, 2, 1, 4)),
    )
