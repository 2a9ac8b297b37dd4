"""Tensor and Variable behaviour a user sees: printing, operators, indexing, NumPy interop."""

from __future__ import annotations

import numpy as np
import pytest

import lamina as tf


# --- printing -----------------------------------------------------------------------------
def test_repr_and_str_match_tensorflow_formats():
    assert repr(tf.constant(1.0)) == "<lamina.Tensor: shape=(), dtype=float32, numpy=1.0>"
    assert str(tf.constant(3)) == "lamina.Tensor(3, shape=(), dtype=int32)"
    assert repr(tf.range(5)) == (
        "<lamina.Tensor: shape=(5,), dtype=int32, numpy=array([0, 1, 2, 3, 4], dtype=int32)>"
    )
    assert str(tf.range(5)) == "lamina.Tensor([0 1 2 3 4], shape=(5,), dtype=int32)"
    assert repr(tf.constant([[1.5, 2], [3, 4]])) == (
        "<lamina.Tensor: shape=(2, 2), dtype=float32, numpy=\n"
        "array([[1.5, 2. ],\n       [3. , 4. ]], dtype=float32)>"
    )
    assert str(tf.constant([[1.5, 2], [3, 4]])) == (
        "lamina.Tensor(\n[[1.5 2. ]\n [3.  4. ]], shape=(2, 2), dtype=float32)"
    )
    assert repr(tf.constant(True)) == "<lamina.Tensor: shape=(), dtype=bool, numpy=True>"
    assert repr(tf.constant("hi")) == "<lamina.Tensor: shape=(), dtype=string, numpy=b'hi'>"
    assert str(tf.constant(["a", "bc"])) == (
        "lamina.Tensor([b'a' b'bc'], shape=(2,), dtype=string)"
    )
    assert repr(tf.constant(np.float64(2.5))) == (
        "<lamina.Tensor: shape=(), dtype=float64, numpy=2.5>"
    )


def test_variable_repr():
    v = tf.Variable([1.0, 2.0])
    expected = (
        "<lamina.Variable 'Variable:0' shape=(2,) dtype=float32, "
        "numpy=array([1., 2.], dtype=float32)>"
    )
    assert repr(v) == expected and str(v) == expected
    assert repr(tf.Variable(3, name="v")) == (
        "<lamina.Variable 'v:0' shape=() dtype=int32, numpy=3>"
    )


def test_print_range_and_format(capsys):
    print(tf.range(3))
    assert capsys.readouterr().out == "lamina.Tensor([0 1 2], shape=(3,), dtype=int32)\n"
    assert f"{tf.constant(3.0)}" == "3.0"
    assert f"{tf.constant(3.14159):.2f}" == "3.14"
    assert f"{tf.constant([1, 2])}" == "[1 2]"
    tf.print(tf.range(10))
    assert capsys.readouterr().err == "[0 1 2 ... 7 8 9]\n"


def test_shape_objects():
    t = tf.zeros((2, 3))
    assert t.shape == (2, 3) and t.shape.as_list() == [2, 3]
    assert repr(t.shape) == "TensorShape([2, 3])" and str(t.shape) == "(2, 3)"
    assert t.shape.rank == 2 and t.shape.num_elements() == 6
    assert t.ndim == 2 and len(t) == 2
    assert tf.shape(t).numpy().tolist() == [2, 3]
    assert int(tf.size(t)) == 6 and int(tf.rank(t)) == 2
    assert tf.TensorShape([None, 3]).is_fully_defined() is False


# --- dtypes -------------------------------------------------------------------------------
def test_dtype_rules():
    assert tf.constant(1.0).dtype == tf.float32
    assert tf.constant(1).dtype == tf.int32
    assert tf.constant(np.array([1.0])).dtype == tf.float64
    assert (tf.constant([1.0]) + 1).dtype == tf.float32
    assert (tf.constant([1, 2]) / tf.constant([2, 2])).dtype == tf.float64
    assert tf.as_dtype("float16") == tf.float16 and tf.float32 == np.float32
    assert repr(tf.float32) == "lamina.float32" and str(tf.float32) == "<dtype: 'float32'>"


def test_dtype_errors():
    with pytest.raises(TypeError, match="same dtype.*float32 and int32"):
        tf.constant([1.0]) + tf.constant([1])
    with pytest.raises(TypeError, match="Python float 1.5.*int32"):
        tf.constant([1]) * 1.5
    with pytest.raises(TypeError, match="Cannot convert 'floaty' to a lamina dtype"):
        tf.cast(tf.constant(1.0), "floaty")
    with pytest.raises(TypeError, match="exp: expected a float tensor"):
        tf.exp(tf.constant([1, 2]))


# --- operators ----------------------------------------------------------------------------
def test_arithmetic_operators():
    a = tf.constant([5, -5])
    assert (a // 3).numpy().tolist() == [1, -2]
    assert (a % 3).numpy().tolist() == [2, 1]
    assert (tf.constant([5.0, -5.0]) % 3).numpy().tolist() == [2.0, 1.0]
    assert float(tf.constant(2.0) ** 3) == 8.0 and float(2 ** tf.constant(3.0)) == 8.0
    assert abs(tf.constant([-1, 2])).numpy().tolist() == [1, 2]
    assert (-tf.constant([1.0])).numpy().tolist() == [-1.0]
    assert (10 - tf.constant([1, 2])).numpy().tolist() == [9, 8]
    assert (1 / tf.constant([2.0, 4.0])).numpy().tolist() == [0.5, 0.25]
    m = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert (m @ m).numpy().tolist() == [[7.0, 10.0], [15.0, 22.0]]
    assert (np.eye(2, dtype=np.float32) @ m).numpy().tolist() == m.numpy().tolist()


def test_comparison_and_logical_operators():
    a, b = tf.constant([1, 2, 3]), tf.constant([3, 2, 1])
    assert (a < b).numpy().tolist() == [True, False, False]
    assert (a >= 2).numpy().tolist() == [False, True, True]
    assert (a == b).numpy().tolist() == [False, True, False]
    assert (a != b).dtype == tf.bool
    assert (a == None) is False  # noqa: E711
    assert bool(tf.reduce_any(tf.constant([1, 2]) == tf.constant([1, 2, 3]))) is False
    t, f = tf.constant([True, True]), tf.constant([True, False])
    assert (t & f).numpy().tolist() == [True, False]
    assert (t | f).numpy().tolist() == [True, True]
    assert (t ^ f).numpy().tolist() == [False, True]
    assert (~f).numpy().tolist() == [False, True]
    assert (tf.constant([6]) & tf.constant([3])).numpy().tolist() == [2]
    assert (~tf.constant([0])).numpy().tolist() == [-1]


def test_python_conversions():
    assert float(tf.constant(2.5)) == 2.5 and int(tf.constant(7)) == 7
    assert [10, 20, 30][tf.constant(1)] == 20
    assert bool(tf.constant([True]))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(tf.constant([1, 2]))
    with pytest.raises(TypeError, match="scalar"):
        len(tf.constant(1.0))
    with pytest.raises(TypeError, match="Only integer tensors"):
        [1, 2][tf.constant(1.0)]


# --- indexing and iteration ---------------------------------------------------------------
def test_indexing_forms():
    x = tf.reshape(tf.range(12), [3, 4])
    assert x[1].numpy().tolist() == [4, 5, 6, 7]
    assert x[1, 2].numpy() == 6 and x[-1, -1].numpy() == 11
    assert x[:, 1:3].shape == (3, 2)
    assert x[..., tf.newaxis].shape == (3, 4, 1)
    assert x[tf.newaxis, ::2].shape == (1, 2, 4)
    assert x[tf.constant(2)].numpy().tolist() == [8, 9, 10, 11]
    assert x[tf.constant([2, 0])][:, 0].numpy().tolist() == [8, 0]
    assert x[x > 9].numpy().tolist() == [10, 11]
    assert x[tf.constant(1) : tf.constant(3), 0].numpy().tolist() == [4, 8]
    with pytest.raises(IndexError, match=r"out of bounds for a tensor of shape \(3, 4\)"):
        x[5]


def test_iteration_and_unpacking():
    rows = list(tf.constant([[1, 2], [3, 4]]))
    assert [r.numpy().tolist() for r in rows] == [[1, 2], [3, 4]]
    a, b = tf.constant([1.0, 2.0])
    assert float(a) == 1.0 and float(b) == 2.0
    with pytest.raises(TypeError, match="scalar"):
        iter(tf.constant(1.0))


# --- NumPy, scikit-learn, pandas, matplotlib ----------------------------------------------
def test_numpy_interop():
    t = tf.constant([1.0, 2.0])
    assert np.asarray(t).dtype == np.float32
    assert isinstance(np.array([1.0, 2.0]) + t, tf.Tensor)
    assert isinstance(np.float32(2.0) * t, tf.Tensor)
    e = np.exp(t)
    assert isinstance(e, np.ndarray) and e.dtype == np.float32
    assert np.allclose(np.mean(tf.constant([1.0, 3.0])), 2.0)
    assert np.array([tf.constant(1), tf.constant(2)]).tolist() == [1, 2]


def test_sklearn_pandas_matplotlib_accept_tensors():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    from sklearn.metrics import accuracy_score, confusion_matrix

    y = np.array([0, 1, 1, 0])
    p = tf.constant([[0.2], [0.9], [0.4], [0.1]])
    assert confusion_matrix(y, tf.round(p)).tolist() == [[2, 0], [1, 1]]
    assert accuracy_score(y, tf.round(p)) == 0.75
    assert pd.Series(tf.constant([1.0, 2.0])).tolist() == [1.0, 2.0]
    assert pd.DataFrame(tf.ones((2, 3))).shape == (2, 3)
    fig, ax = plt.subplots()
    (line,) = ax.plot(tf.range(-3.0, 3.0), tf.nn.relu(tf.range(-3.0, 3.0)))
    assert line.get_ydata(orig=False).tolist() == [0, 0, 0, 0, 1, 2]
    plt.close(fig)


# --- Variables ----------------------------------------------------------------------------
def test_variable_in_place_updates_and_snapshots():
    v = tf.Variable([1.0, 2.0, 3.0], name="w")
    buf = v._value
    view_like = [v[0:2], tf.reshape(v, [3, 1]), tf.identity(v), tf.cast(v, tf.float32)]
    v.assign([4.0, 5.0, 6.0])
    assert v._value is buf
    assert v.numpy().tolist() == [4.0, 5.0, 6.0]
    # tensors computed earlier keep the old values, as in TensorFlow
    assert view_like[0].numpy().tolist() == [1.0, 2.0]
    assert view_like[1].numpy().ravel().tolist() == [1.0, 2.0, 3.0]
    assert view_like[2].numpy().tolist() == [1.0, 2.0, 3.0]
    assert view_like[3].numpy().tolist() == [1.0, 2.0, 3.0]
    assert isinstance(v + 1.0, tf.Tensor) and not isinstance(v + 1.0, tf.Variable)
    assert v.trainable and v.name == "w" and v.dtype == tf.float32 and v.shape == (3,)


def test_variable_errors():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match=r"shape \(3,\) to variable 'Variable' of shape \(2,\)"):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="assign_add"):
        v.assign_add([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="initial_value"):
        tf.Variable()
    with pytest.raises(TypeError, match="unexpected keyword"):
        tf.Variable(1.0, trainabel=False)
    with pytest.raises(ValueError, match="does not match"):
        tf.Variable([1.0, 2.0], shape=(3,))


# --- tf-level helpers ---------------------------------------------------------------------
def test_tf_level_helpers():
    @tf.function
    def f(x):
        return x * 2

    @tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.float32)])
    def g(x):
        return x + 1

    assert float(f(tf.constant(2.0))) == 4.0 and g(tf.constant([1.0])).numpy().tolist() == [2.0]
    assert tf.newaxis is None and tf.executing_eagerly()
    assert tf.is_tensor(tf.constant(1)) and not tf.is_tensor(np.ones(2))
    spec = tf.TensorSpec([None, 3], tf.float32)
    assert spec.is_compatible_with(tf.zeros((5, 3))) and not spec.is_compatible_with(
        tf.zeros((5, 4))
    )
    assert tf.keras is tf
    assert tf.config.list_physical_devices("GPU") == []
    assert tf.config.list_physical_devices()[0].device_type == "CPU"
    with tf.device("/GPU:0"):
        assert float(tf.constant(1.0) + 1.0) == 2.0


def test_random_seeding_is_repeatable():
    tf.random.set_seed(42)
    a = tf.random.normal([3]).numpy()
    b1, b2 = tf.random.uniform([2], seed=7).numpy(), tf.random.uniform([2], seed=7).numpy()
    tf.random.set_seed(42)
    assert np.array_equal(a, tf.random.normal([3]).numpy())
    assert not np.array_equal(b1, b2)  # an op seed gives a sequence, as TensorFlow
    assert np.array_equal(b1, tf.random.uniform([2], seed=7).numpy())
    np.random.seed(3)
    c = tf.random.uniform([4]).numpy()
    np.random.seed(3)
    assert np.array_equal(c, tf.random.uniform([4]).numpy())


def test_random_distributions():
    tf.random.set_seed(0)
    n = tf.random.normal([20000], mean=2.0, stddev=3.0)
    assert n.dtype == tf.float32 and abs(float(tf.reduce_mean(n)) - 2.0) < 0.1
    t = tf.random.truncated_normal([5000], stddev=1.0)
    assert float(tf.reduce_max(tf.abs(t))) <= 2.0
    u = tf.random.uniform([1000], 5, 10, dtype=tf.int32)
    assert u.dtype == tf.int32 and 5 <= int(tf.reduce_min(u)) and int(tf.reduce_max(u)) < 10
    s = tf.random.shuffle(tf.range(10))
    assert sorted(s.numpy().tolist()) == list(range(10))
    c = tf.random.categorical(tf.math.log([[0.0, 1.0], [1.0, 0.0]]), 5)
    assert c.dtype == tf.int64 and c.numpy().tolist() == [[1] * 5, [0] * 5]
    with pytest.raises(ValueError, match="maxval"):
        tf.random.uniform([2], dtype=tf.int32)


def test_variable_slice_assignment():
    v = tf.Variable([1.0, 2.0, 3.0])
    v[0].assign(10.0)
    v[1:].assign_add([1.0, 1.0])
    assert v.numpy().tolist() == [10.0, 3.0, 4.0]
    m = tf.Variable([[1, 2], [3, 4]])
    m[:, 0].assign([7, 8])
    assert m.numpy().tolist() == [[7, 2], [8, 4]]
    with tf.GradientTape() as tape:
        y = v[1] * 3.0  # slices stay differentiable
    assert tape.gradient(y, v).numpy().tolist() == [0.0, 3.0, 0.0]
    with pytest.raises(ValueError, match="slice of shape"):
        v[:2].assign([1.0, 2.0, 3.0])


def test_tensor_shape_helpers():
    s = tf.zeros((2, 3)).shape
    assert s == [2, 3] and s == (2, 3) and s != [2, 4]
    assert s.concatenate([4]) == [2, 3, 4]
    assert tf.TensorShape([None, 3]).is_compatible_with(s)
    assert tf.TensorShape([None, 3]).merge_with([2, None]) == [2, 3]
    with pytest.raises(ValueError, match="rank 3"):
        s.with_rank(3)
    assert tf.saturate_cast([300.0, -5.0], tf.uint8).numpy().tolist() == [255, 0]


def test_numpy_operands_adopt_the_tensor_dtype():
    i = tf.constant([1, 2])
    assert tf.add(i, np.array([1.0, 2.0])).dtype == tf.int32  # integral floats: as TensorFlow
    with pytest.raises(TypeError, match="without losing their fractions"):
        tf.add(i, np.array([1.5, 2.0]))
    assert (tf.constant([1.0, 2.0]) + np.array([1, 2])).dtype == tf.float32
    assert (np.float64(2.0) * tf.constant([1.0])).dtype == tf.float32


def test_variable_numpy_is_a_snapshot():
    v = tf.Variable([1.0, 2.0])
    before, arr = v.numpy(), np.asarray(v)
    v.assign_add([1.0, 1.0])
    assert before.tolist() == [1.0, 2.0] and arr.tolist() == [1.0, 2.0]
    assert v.numpy().tolist() == [2.0, 3.0]
