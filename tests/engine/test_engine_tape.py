"""GradientTape behaviour: watching, persistence, nesting, structures, misuse."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import check_grad

import lamina as tf
from lamina.autodiff import tape as tape_mod


def test_variables_are_watched_automatically():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    assert float(tape.gradient(y, x)) == 6.0
    assert tape.watched_variables() == (x,)


def test_constants_need_watch():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x) is None
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert float(tape.gradient(y, x)) == 6.0


def test_watch_accessed_variables_false():
    a, b = tf.Variable(2.0), tf.Variable(5.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(a)
        y = a * b
    ga, gb = tape.gradient(y, [a, b])
    assert float(ga) == 5.0 and gb is None


def test_non_trainable_variable_not_watched():
    v = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as tape:
        y = v * v
    assert tape.gradient(y, v) is None


def test_non_persistent_tape_used_twice_raises():
    x = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = x * 2.0
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="persistent"):
        tape.gradient(y, x)


def test_persistent_tape_many_gradients():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
        z = y * y
    assert float(tape.gradient(y, x)) == 4.0
    assert float(tape.gradient(z, x)) == 32.0  # d x^4 = 4 x^3
    assert float(tape.gradient(z, y)) == 8.0


def test_nested_tapes_second_derivative():
    x = tf.Variable(3.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x**3
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    assert float(dy) == 27.0 and float(d2y) == 18.0


def test_third_derivative():
    x = tf.constant(2.0)
    with tf.GradientTape() as t3:
        t3.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = tf.sin(x)
            g1 = t1.gradient(y, x)
        g2 = t2.gradient(g1, x)
    g3 = t3.gradient(g2, x)
    assert float(g3) == pytest.approx(-np.cos(2.0), rel=1e-6)


def test_stop_recording():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * x
        with tape.stop_recording():
            z = x * 10.0
        w = y + z
    assert float(tape.gradient(w, x)) == 4.0


def test_stop_recording_outside_block_raises():
    tape = tf.GradientTape()
    with pytest.raises(RuntimeError, match="with"):
        with tape.stop_recording():
            pass


def test_stop_gradient():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = x * tf.stop_gradient(x)
    assert float(tape.gradient(y, x)) == 2.0


def test_dict_and_nested_sources():
    a, b, c = tf.Variable(1.0), tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = a * b * c
    g = tape.gradient(y, {"a": a, "rest": [b, (c,)]})
    assert float(g["a"]) == 6.0
    assert float(g["rest"][0]) == 3.0
    assert float(g["rest"][1][0]) == 2.0
    assert isinstance(g["rest"], list) and isinstance(g["rest"][1], tuple)


def test_nonscalar_target_is_summed():
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x).numpy().tolist() == [2.0, 4.0, 6.0]


def test_list_of_targets_and_output_gradients():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        y1 = x * 2.0
        y2 = x * x
    assert tape.gradient([y1, y2], x).numpy().tolist() == [4.0, 6.0]
    g = tape.gradient(y2, x, output_gradients=tf.constant([1.0, 10.0]))
    assert g.numpy().tolist() == [2.0, 40.0]


def test_unconnected_and_integer_sources():
    x = tf.Variable(1.0)
    u = tf.Variable(5.0)
    i = tf.constant(3)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(i)
        y = x * 2.0 + tf.cast(i, tf.float32)
    gx, gu, gi = tape.gradient(y, [x, u, i])
    assert float(gx) == 2.0 and gu is None and gi is None
    gz = tape.gradient(y, u, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert float(gz) == 0.0
    assert tape.gradient(y, u, unconnected_gradients="zero").shape == ()


def test_broadcast_gradient_reduces_to_input_shape():
    b = tf.Variable([1.0, 2.0, 3.0])
    x = tf.ones((4, 3))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(x * b + b)
    assert tape.gradient(y, b).numpy().tolist() == [8.0, 8.0, 8.0]


def test_reused_input_accumulates():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x + x * x + tf.exp(x * 0.0)
    assert float(tape.gradient(y, x)) == 7.0


def test_gradient_without_sources_raises():
    x = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = x * 2.0
    with pytest.raises(TypeError, match="sources"):
        tape.gradient(y)


def test_bad_sources_and_watch_raise():
    with tf.GradientTape() as tape:
        with pytest.raises(TypeError, match="Tensors or Variables"):
            tape.watch(3.0)
    with pytest.raises(TypeError, match="source"):
        tape.gradient(tf.constant(1.0), [1.0])
    with pytest.raises(ValueError, match="unconnected_gradients"):
        tf.GradientTape().gradient(
            tf.constant(1.0), tf.constant(1.0), unconnected_gradients="maybe"
        )


def test_record_is_free_without_tape():
    x = tf.Variable(2.0)
    y = x * x  # no tape active: nothing recorded anywhere
    assert not tape_mod._active
    with tf.GradientTape() as tape:
        z = tf.constant(1.0) * 2.0  # no watched input: not recorded
    assert tape._nodes == []
    assert float(y) == 4.0 and float(z) == 2.0


def test_jacobian_and_batch_jacobian():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    j = tape.jacobian(y, x)
    assert j.shape == (2, 2, 2, 2)
    assert float(j[1, 0, 1, 0]) == 6.0 and float(j[1, 0, 0, 0]) == 0.0
    bj = tape.batch_jacobian(y, x)
    assert bj.shape == (2, 2, 2)
    assert bj[1].numpy().tolist() == [[6.0, 0.0], [0.0, 8.0]]


def test_custom_gradient_and_checker_detects_wrong_gradient():
    @tf.custom_gradient
    def clipped_identity(x):
        def grad(g):
            return g * 0.5

        return tf.identity(x), grad

    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = clipped_identity(x)
    assert tape.gradient(y, x).numpy().tolist() == [0.5, 0.5]
    with pytest.raises(AssertionError):
        check_grad(clipped_identity, np.array([1.0, 2.0]))


def test_tape_through_variable_assign_values():
    v = tf.Variable([1.0, 2.0])
    opt_like = v._value
    v.assign([3.0, 4.0])
    assert opt_like is v._value and v.numpy().tolist() == [3.0, 4.0]
    v.assign_add([1.0, 1.0])
    v.assign_sub(tf.constant([0.5, 0.5]))
    assert v.numpy().tolist() == [3.5, 4.5]
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v * v)
    assert tape.gradient(y, v).numpy().tolist() == [7.0, 9.0]


def test_gradients_keep_float32():
    x = tf.Variable(tf.ones((2, 2)))
    with tf.GradientTape() as tape:
        y = tf.reduce_mean(tf.nn.softmax(x @ x) * 3.0)
    g = tape.gradient(y, x)
    assert g.dtype == tf.float32 and g.shape == (2, 2)


def test_ops_without_gradient_raise_a_clear_error():
    x = tf.Variable([[4.0, 1.0], [1.0, 3.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.linalg.pinv(x))
    with pytest.raises(LookupError, match="No gradient is implemented for `pinv`"):
        tape.gradient(y, x)
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.stop_gradient(tf.linalg.pinv(x))) + tf.reduce_sum(x)
    assert tape.gradient(y, x).numpy().tolist() == [[1.0, 1.0], [1.0, 1.0]]
    # non-differentiable by nature (as in TensorFlow): no gradient, no error
    with tf.GradientTape() as tape:
        y = tf.cast(tf.argmax(x), tf.float32) + tf.round(x)
    assert tape.gradient(y, x) is None
