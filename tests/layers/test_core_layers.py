"""Dense, Dropout, Activation, Flatten, Reshape, Permute, RepeatVector, Lambda, Input."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina import layers


def run_layer_test(layer, input_shape, expected_output_shape):
    """Build + call + symbolic shape + config round trip, as every built-in layer must pass."""
    x = np.random.rand(*input_shape).astype("float32")
    out = layer(x)
    assert tuple(out.shape) == tuple(expected_output_shape)
    sym = layer(lamina.Input(batch_shape=(None,) + tuple(input_shape[1:])))
    assert tuple(sym.shape) == (None,) + tuple(expected_output_shape[1:])
    assert tuple(layer.compute_output_shape((None,) + tuple(input_shape[1:]))) == tuple(sym.shape)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(x).numpy(), out.numpy(), rtol=1e-6)
    return out


@pytest.mark.parametrize(
    "layer,in_shape,out_shape",
    [
        (lambda: layers.Dense(3), (2, 4), (2, 3)),
        (lambda: layers.Dense(3, activation="relu", use_bias=False), (2, 5, 4), (2, 5, 3)),
        (lambda: layers.Dropout(0.3), (2, 4), (2, 4)),
        (lambda: layers.Activation("tanh"), (2, 4), (2, 4)),
        (lambda: layers.Flatten(), (2, 3, 4), (2, 12)),
        (lambda: layers.Reshape((2, -1)), (2, 6), (2, 2, 3)),
        (lambda: layers.Permute((2, 1)), (2, 3, 4), (2, 4, 3)),
        (lambda: layers.RepeatVector(3), (2, 4), (2, 3, 4)),
    ],
)
def test_generic_layer_contract(layer, in_shape, out_shape):
    run_layer_test(layer(), in_shape, out_shape)


def test_dense_computes_affine_map_with_activation():
    layer = layers.Dense(2, activation="relu")
    x = np.array([[1.0, -2.0, 0.5]], dtype="float32")
    layer(x)
    k = np.array([[1.0, -1.0], [0.5, 1.0], [2.0, 0.0]], dtype="float32")
    b = np.array([0.1, -0.2], dtype="float32")
    layer.set_weights([k, b])
    np.testing.assert_allclose(layer(x).numpy(), np.maximum(x @ k + b, 0), rtol=1e-6)
    assert layer.activation.__name__ == "relu"


def test_dense_keras_initialisation_is_glorot_uniform_and_zero_bias():
    layer = layers.Dense(50)
    layer(np.ones((1, 30)))
    limit = np.sqrt(6 / (30 + 50))
    k = layer.kernel.numpy()
    assert np.abs(k).max() <= limit and np.abs(k).max() > 0.8 * limit
    assert np.all(layer.bias.numpy() == 0)


def test_dense_is_reproducible_with_numpy_seed():
    np.random.seed(7)
    a = layers.Dense(4)
    a(np.ones((1, 3)))
    np.random.seed(7)
    b = layers.Dense(4)
    b(np.ones((1, 3)))
    np.testing.assert_array_equal(a.kernel.numpy(), b.kernel.numpy())


def test_dense_accepts_numpy_integer_units():
    assert layers.Dense(np.int64(3)).units == 3
    assert type(layers.Dense(np.int64(3)).get_config()["units"]) is int


def test_dense_argument_errors():
    with pytest.raises(ValueError, match="positive integer. Received: units=0"):
        layers.Dense(0)
    with pytest.raises(ValueError, match="Unknown activation|Could not interpret"):
        layers.Dense(2, activation="relux")
    layer = layers.Dense(2)
    layer(np.ones((1, 3)))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer(np.ones((1, 4)))
    with pytest.raises(ValueError, match="min_ndim=2"):
        layers.Dense(2)(np.ones(3))


def test_dense_input_dim_and_input_shape_fix_the_batch_shape():
    assert layers.Dense(2, input_dim=9)._batch_input_shape == (None, 9)
    assert layers.Dense(2, input_shape=(None, 1))._batch_input_shape == (None, None, 1)
    assert layers.Dense(2, input_dim=9).get_config()["batch_input_shape"] == (None, 9)


def test_dropout_only_in_training_with_inverted_scaling():
    layer = layers.Dropout(0.5)
    x = np.ones((200, 50), dtype="float32")
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    out = layer(x, training=True).numpy()
    assert set(np.unique(out)) <= {0.0, 2.0}
    assert 0.45 < (out == 0).mean() < 0.55
    assert out.mean() == pytest.approx(1.0, abs=0.05)


def test_dropout_noise_shape_seed_and_bad_rate():
    layer = layers.Dropout(0.5, noise_shape=(None, 1), seed=3)
    out = layer(np.ones((6, 4), dtype="float32"), training=True).numpy()
    assert all(len(set(row)) == 1 for row in out)  # one mask value per row
    a = layers.Dropout(0.5, seed=11)(np.ones((5, 5)), training=True).numpy()
    b = layers.Dropout(0.5, seed=11)(np.ones((5, 5)), training=True).numpy()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="Received: rate=1.5"):
        layers.Dropout(1.5)
    assert np.all(layers.Dropout(1.0)(np.ones((2, 2)), training=True).numpy() == 0)


def test_flatten_of_rank_one_and_channels_first():
    assert layers.Flatten()(np.ones(4)).shape == (4, 1)
    x = np.arange(12.0).reshape(1, 2, 3, 2).astype("float32")
    out = layers.Flatten(data_format="channels_first")(x).numpy()
    np.testing.assert_array_equal(out, np.transpose(x, (0, 2, 3, 1)).reshape(1, -1))


def test_reshape_permute_repeat_values_and_errors():
    x = np.arange(12.0).reshape(2, 6).astype("float32")
    np.testing.assert_array_equal(layers.Reshape((3, 2))(x).numpy(), x.reshape(2, 3, 2))
    with pytest.raises(ValueError, match="total size"):
        layers.Reshape((4, 2))(x)
    with pytest.raises(ValueError, match="at most one unknown"):
        layers.Reshape((-1, -1))
    y = np.arange(24.0).reshape(2, 3, 4).astype("float32")
    np.testing.assert_array_equal(layers.Permute((2, 1))(y).numpy(), y.transpose(0, 2, 1))
    with pytest.raises(ValueError, match="consecutive and start from 1"):
        layers.Permute((0, 1))
    r = layers.RepeatVector(2)(x).numpy()
    np.testing.assert_array_equal(r[:, 0], x)
    np.testing.assert_array_equal(r[:, 1], x)


def test_activation_layer_accepts_names_and_callables():
    x = np.array([[-1.0, 2.0]], dtype="float32")
    np.testing.assert_allclose(layers.Activation("relu")(x).numpy(), [[0.0, 2.0]])
    np.testing.assert_allclose(layers.Activation(lamina.nn.relu)(x).numpy(), [[0.0, 2.0]])
    assert layers.Activation("sigmoid").get_config()["activation"] == "sigmoid"


def test_lambda_layer_runs_and_infers_shapes():
    lam = layers.Lambda(lambda t, k: t[:, :k] * 2, arguments={"k": 2})
    out = lam(np.ones((3, 5), dtype="float32"))
    np.testing.assert_array_equal(out.numpy(), 2 * np.ones((3, 2)))
    sym = lam(lamina.Input((5,)))
    assert tuple(sym.shape) == (None, 2)
    fixed = layers.Lambda(lambda t: t, output_shape=(5,))
    assert tuple(fixed(lamina.Input((5,))).shape) == (None, 5)
    with pytest.raises(TypeError, match="must be callable"):
        layers.Lambda(3)


def test_lambda_with_python_lambda_is_refused_when_loading():
    lam = layers.Lambda(lambda t: t + 1)
    with pytest.warns(UserWarning):
        config = lam.get_config()
    with pytest.raises(ValueError, match="never executes code"):
        layers.Lambda.from_config(config)


def test_input_and_input_layer():
    x = lamina.Input(shape=(3,), name="features")
    assert tuple(x.shape) == (None, 3) and x.dtype == "float32"
    layer = x._keras_history[0]
    assert isinstance(layer, layers.InputLayer) and layer.name == "features"
    assert layer.output_shape == [(None, 3)]
    assert lamina.Input((2,))._keras_history[0].name.startswith("input_")
    assert tuple(lamina.Input(batch_shape=(8, 2)).shape) == (8, 2)
    with pytest.raises(ValueError, match="shape"):
        lamina.Input()
    il = layers.InputLayer(input_shape=(4,))
    assert il.get_config()["batch_input_shape"] == (None, 4)
    assert layers.InputLayer.from_config({"batch_shape": [None, 4], "name": "z"}).batch_shape == (
        None,
        4,
    )


def test_symbolic_tensor_operators_make_op_layers():
    x = lamina.Input((3,))
    y = x * 2 + 1
    model = lamina.Model(x, y)
    np.testing.assert_allclose(model(np.ones((2, 3))).numpy(), 3 * np.ones((2, 3)))
    with pytest.raises(TypeError, match="symbolic"):
        np.asarray(x)


def test_functional_dropout_with_training_true_stays_active():
    x = lamina.Input((50,))
    model = lamina.Model(x, layers.Dropout(0.5)(x, training=True))
    out = model.predict(np.ones((4, 50)), verbose=0)
    assert (out == 0).any() and set(np.unique(out)) <= {0.0, 2.0}
    plain = lamina.Model(x, layers.Dropout(0.5)(x))
    np.testing.assert_array_equal(plain.predict(np.ones((4, 50)), verbose=0), np.ones((4, 50)))
