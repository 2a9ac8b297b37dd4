"""``lamina.backend`` (``keras.backend``): settings and the Keras 2 backend functions."""

from __future__ import annotations

import numpy as np
import pytest

import lamina as tf
from lamina import backend as K


def test_settings_round_trip():
    assert K.floatx() == "float32" and K.epsilon() == 1e-7
    assert K.image_data_format() == "channels_last"
    K.set_epsilon(1e-5)
    try:
        assert K.epsilon() == 1e-5
    finally:
        K.set_epsilon(1e-7)
    with pytest.raises(ValueError, match="floatx"):
        K.set_floatx("float8")


def test_keras2_custom_loss_and_metric_style():
    def rmse(y_true, y_pred):
        return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))

    y = tf.constant([[1.0, 0.0]])
    p = tf.Variable([[0.8, 0.2]])
    with tf.GradientTape() as tape:
        loss = rmse(y, p)
    assert float(loss[0]) == pytest.approx(0.2)
    assert tape.gradient(loss, p).shape == (1, 2)
    assert K.eval(K.clip(p, 0.3, 0.7)).tolist() == [[pytest.approx(0.7), pytest.approx(0.3)]]
    assert float(K.sum(K.cast(K.equal(K.argmax(y), K.argmax(p)), "float32"))) == 1.0


def test_keras2_variables_and_shapes():
    v = K.variable(np.zeros((2, 3)), name="v")
    assert isinstance(v, tf.Variable) and v.dtype == tf.float32
    assert K.int_shape(v) == (2, 3) and K.ndim(v) == 2 and K.count_params(v) == 6
    K.set_value(v, np.ones((2, 3)))
    assert K.get_value(v).sum() == 6.0
    K.update_add(v, np.ones((2, 3)))
    assert K.eval(v)[0, 0] == 2.0
    assert K.batch_dot(np.ones((2, 3)), np.ones((2, 3)), axes=1).numpy().tolist() == [[3.0], [3.0]]
    assert K.batch_flatten(np.ones((2, 3, 4))).shape == (2, 12)
    assert K.permute_dimensions(np.ones((2, 3, 4)), (0, 2, 1)).shape == (2, 4, 3)
    assert K.repeat(np.ones((2, 3)), 4).shape == (2, 4, 3)
    s = K.switch(
        K.greater(tf.constant([1.0, -1.0]), 0.0), tf.constant([1.0, 1.0]), tf.constant([0.0, 0.0])
    )
    assert s.numpy().tolist() == [1.0, 0.0]
    with pytest.raises(AttributeError, match="no attribute 'not_a_function'"):
        K.not_a_function  # noqa: B018
