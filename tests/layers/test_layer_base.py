"""The Layer base class: weights, building, naming, losses, config, gradients."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina import layers


class Scale(layers.Layer):
    """A custom layer written the Keras 2 way (positional name in add_weight)."""

    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight("w", shape=(input_shape[-1],), initializer="ones")
        self.c = self.add_weight(name="count", shape=(), initializer="zeros", trainable=False)

    def call(self, inputs):
        return inputs * self.w * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_auto_names_follow_tf_keras_2():
    a, b, c = layers.Dense(1), layers.Dense(1), layers.Dropout(0.1)
    assert (a.name, b.name, c.name) == ("dense", "dense_1", "dropout")
    assert Scale().name == "scale"
    assert layers.Dense(1, name="out").name == "out"


def test_build_on_first_call_and_weight_lists():
    layer = Scale(factor=2.0)
    assert not layer.built and layer.weights == []
    out = layer(np.ones((3, 4)))
    assert layer.built
    np.testing.assert_allclose(out.numpy(), 2 * np.ones((3, 4)))
    assert [w.name for w in layer.trainable_weights] == ["scale/w"]
    assert [w.name for w in layer.non_trainable_weights] == ["scale/count"]
    assert len(layer.weights) == 2 and layer.count_params() == 5


def test_keras3_add_weight_order_and_unknown_kwarg():
    class K3(layers.Layer):
        def build(self, input_shape):
            self.k = self.add_weight((input_shape[-1], 2), "zeros", name="k")

        def call(self, x):
            return lamina.matmul(x, self.k)

    layer = K3()
    assert layer(np.ones((1, 3))).shape == (1, 2)
    assert layer.k.shape == (3, 2)
    with pytest.raises(TypeError, match="Keyword argument not understood"):
        layers.Dense(2, bogus=1)


def test_trainable_flag_moves_weights():
    layer = layers.Dense(3)
    layer(np.ones((1, 2)))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    layer.trainable = True
    assert len(layer.trainable_weights) == 2


def test_get_set_weights_and_shape_errors():
    layer = layers.Dense(2)
    with pytest.raises(ValueError, match="expecting 0 weights"):
        layer.set_weights([np.zeros((3, 2)), np.zeros(2)])
    layer(np.ones((1, 3)))
    w = [np.arange(6.0).reshape(3, 2), np.array([1.0, -1.0])]
    layer.set_weights(w)
    got = layer.get_weights()
    np.testing.assert_array_equal(got[0], w[0])
    got[0][0, 0] = 99  # a copy: the layer is unchanged
    assert layer.get_weights()[0][0, 0] == 0
    with pytest.raises(ValueError, match=r"\(3, 2\) is not compatible with provided weight shape"):
        layer.set_weights([np.zeros((2, 2)), np.zeros(2)])


def test_count_params_before_build_is_an_error():
    with pytest.raises(ValueError, match="isn't built"):
        layers.Dense(2).count_params()


def test_regularization_and_activity_losses():
    layer = layers.Dense(
        2,
        kernel_regularizer=lamina.regularizers.l2(0.5),
        activity_regularizer=lamina.regularizers.l1(0.1),
        kernel_initializer="ones",
    )
    out = layer(np.ones((4, 3)))
    losses = [float(x) for x in layer.losses]
    assert len(losses) == 2
    assert losses[0] == pytest.approx(0.5 * 6)  # l2 on a 3x2 kernel of ones
    # activity loss is divided by the batch size, as tf.keras 2.x
    assert losses[1] == pytest.approx(0.1 * np.abs(out.numpy()).sum() / 4, rel=1e-6)


def test_add_loss_in_call_resets_each_call():
    class Penalty(layers.Layer):
        def call(self, x):
            self.add_loss(lamina.reduce_sum(x))
            return x

    layer = Penalty()
    layer(np.ones((2, 2)))
    layer(np.ones((1, 2)))
    assert [float(v) for v in layer.losses] == [2.0]


def test_nested_layers_are_tracked():
    class Block(layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = [layers.Dense(3), layers.Dense(1)]

        def call(self, x):
            return self.inner[1](self.inner[0](x))

    block = Block()
    block(np.ones((2, 4)))
    assert len(block.trainable_weights) == 4
    assert block.count_params() == 4 * 3 + 3 + 3 + 1


def test_gradient_flows_through_layers():
    layer = layers.Dense(1, kernel_initializer="ones", activation="sigmoid")
    x = np.array([[1.0, 2.0]], dtype="float32")
    with lamina.GradientTape() as tape:
        y = layer(x)
    gk, gb = tape.gradient(y, [layer.kernel, layer.bias])
    s = 1 / (1 + np.exp(-3.0))
    np.testing.assert_allclose(gk.numpy().ravel(), s * (1 - s) * x.ravel(), rtol=1e-5)
    np.testing.assert_allclose(gb.numpy(), [s * (1 - s)], rtol=1e-5)


def test_float64_and_int_inputs_are_cast_to_floatx():
    layer = layers.Dense(2)
    assert layer(np.ones((1, 3), dtype="float64")).dtype == lamina.float32
    assert layer(np.ones((1, 3), dtype="int64")).dtype == lamina.float32
    with pytest.raises(TypeError, match="strings"):
        layer(np.array([["a", "b", "c"]]))


def test_config_round_trip_of_custom_layer():
    layer = Scale(factor=3.0, name="s")
    clone = Scale.from_config(layer.get_config())
    assert clone.factor == 3.0 and clone.name == "s"


def test_missing_get_config_is_reported():
    class NoConfig(layers.Layer):
        def __init__(self, units):
            super().__init__()
            self.units = units

    with pytest.raises(NotImplementedError, match="must override `get_config"):
        NoConfig(3).get_config()


def test_symbolic_call_records_shapes():
    x = lamina.Input(shape=(None, 5))
    y = layers.Dense(7)(x)
    assert tuple(y.shape) == (None, None, 7)
    assert y._keras_history[0].output_shape == (None, None, 7)
    z = Scale()(y)  # shape inferred by a trial run (no compute_output_shape)
    assert tuple(z.shape) == (None, None, 7)


def test_layer_without_call_data_has_no_output_shape():
    with pytest.raises(AttributeError, match="never been called"):
        _ = layers.Dense(2).output_shape
