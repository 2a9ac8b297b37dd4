"""Ops called on symbolic KerasTensors build TFOpLambda layers (tf.keras 2.x / Keras 3)."""

import inspect
import os

import numpy as np
import pytest

import lamina as tf
from lamina import keras
from lamina.backend import clear_session

X = np.random.RandomState(0).rand(16, 4).astype("float32")
Y = np.random.RandomState(1).rand(16, 1).astype("float32")


@pytest.fixture(autouse=True)
def _fresh_names():
    clear_session()
    yield
    clear_session()


def _summary(model) -> str:
    lines = []
    model.summary(print_fn=lines.append, line_length=120)
    return "\n".join(lines)


def test_op_functions_on_symbolic_tensors_build_named_layers():
    inp = keras.Input((4,))
    a = keras.layers.Dense(3)(inp)
    b = tf.concat([a, inp], axis=-1)
    c = tf.reduce_sum(b, axis=1, keepdims=True)
    d = tf.nn.relu(c)
    e = tf.concat([a, inp], axis=-1)
    f = keras.ops.mean(e, axis=-1)
    g = tf.expand_dims(tf.math.log(d + 1.0), 1)
    model = keras.Model(inp, [g, f])
    names = [layer.name for layer in model.layers]
    assert names == [
        "input_1",
        "dense",
        "tf.concat",
        "tf.math.reduce_sum",
        "tf.nn.relu",
        "tf.__operators__.add",
        "tf.math.log",
        "tf.concat_1",
        "tf.expand_dims",
        "mean",
    ]  # tf.keras 2.21's order for the same graph (with tf.reduce_mean for the mean)
    assert type(model.get_layer("tf.concat")).__name__ == "TFOpLambda"
    assert (b.shape.as_list(), c.shape.as_list(), f.shape.as_list(), g.shape.as_list()) == (
        [None, 7],
        [None, 1],
        [None],
        [None, 1, 1],
    )
    text = _summary(model)
    assert "tf.concat (TFOpLambda)" in text
    assert "tf.math.reduce_sum (TFOpLambda)" in text
    assert "['dense[0][0]'," in text and "'input_1[0][0]']" in text
    assert "Trainable params: 15" in text
    out_g, out_f = model.predict(X, verbose=0)
    h = X @ model.get_layer("dense").kernel.numpy() + model.get_layer("dense").bias.numpy()
    full = np.concatenate([h, X], axis=-1)
    expected_g = np.log(np.maximum(full.sum(1, keepdims=True), 0) + 1.0)[:, None, :]
    np.testing.assert_allclose(out_g, expected_g, rtol=1e-5)
    np.testing.assert_allclose(out_f, full.mean(-1), rtol=1e-5)


def test_operators_use_tf_keras_layer_names():
    inp = keras.Input((4,))
    outs = [inp + 1.0, 1.0 - inp, inp * 2, 2.0 / inp, -inp, inp**2, inp[:, :2], inp[..., 1]]
    model = keras.Model(inp, outs)
    assert [layer.name for layer in model.layers[1:]] == [
        "tf.__operators__.add",
        "tf.math.subtract",
        "tf.math.multiply",
        "tf.math.truediv",
        "tf.math.negative",
        "tf.math.pow",
        "tf.__operators__.getitem",
        "tf.__operators__.getitem_1",
    ]
    assert type(model.layers[-1]).__name__ == "SlicingOpLambda"
    scaled = np.full(4, 3.0, "float32") * inp  # NumPy arrays defer to the KerasTensor
    assert scaled.node.layer.name == "tf.math.multiply_1"
    got = model.predict(X, verbose=0)
    want = [X + 1, 1 - X, X * 2, 2 / X, -X, X**2, X[:, :2], X[..., 1]]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-6)
    assert model.layers[-1].output_shape == (None,)


def test_nested_list_and_non_tensor_arguments():
    inp = keras.Input((4,))
    a = keras.layers.Dense(2)(inp)
    padded = tf.pad(a, [[0, 0], [1, 2]])  # a nested list of ints is a constant argument
    stacked = tf.stack([[a, a], [a, -a]], axis=1)  # a nested list of tensors
    joined = keras.ops.concatenate((a, padded), axis=-1)
    model = keras.Model(inp, [padded, stacked, joined])
    assert padded.shape.as_list() == [None, 5]
    assert stacked.shape.as_list() == [2, 2, None, 2]  # as tf.stack: inner lists first
    assert joined.shape.as_list() == [None, 7]
    node = model.get_layer("tf.stack").inbound_nodes[0]
    assert len(node.input_tensors) == 4
    p, s, j = model.predict(X, verbose=0)
    h = model.get_layer("dense")(X).numpy()
    np.testing.assert_allclose(p, np.pad(h, [[0, 0], [1, 2]]), rtol=1e-6)
    np.testing.assert_allclose(s, np.stack([np.stack([h, h]), np.stack([h, -h])], 1))
    np.testing.assert_allclose(j, np.concatenate([h, p], -1), rtol=1e-6)


def test_the_node_keeps_its_own_copy_of_list_arguments():
    inp = keras.Input((4,))
    shape = [-1, 2, 2]
    out = tf.reshape(inp, shape)
    shape[1] = 4  # changing the list afterwards does not change the model
    model = keras.Model(inp, out)
    assert model.predict(X, verbose=0).shape == (16, 2, 2)


def test_multi_output_ops_and_keras_backend_names():
    K = keras.backend
    inp = keras.Input((4,))
    left, right = tf.split(inp, 2, axis=1)
    top = tf.math.top_k(inp, 2)
    m = K.mean(inp, axis=-1)
    model = keras.Model(inp, [left, right, top.values, top.indices, m])
    assert [layer.name for layer in model.layers[1:]] == [
        "tf.split",
        "tf.math.top_k",
        "tf.math.reduce_mean",
    ]
    assert top.indices.dtype == "int32"
    outs = model.predict(X, verbose=0)
    np.testing.assert_allclose(outs[0], X[:, :2])
    np.testing.assert_allclose(outs[1], X[:, 2:])
    np.testing.assert_allclose(outs[2], -np.sort(-X, axis=1)[:, :2])
    np.testing.assert_allclose(outs[4], X.mean(-1), rtol=1e-6)


def test_layer_names_match_tf_keras():
    # Names tf.keras 2.21 (tf_keras) gives the same calls, in its layer order.
    K = keras.backend
    inp = keras.Input((4,))
    outs = [
        tf.shape(inp),
        tf.squeeze(tf.expand_dims(inp, 1), 1),
        tf.gather(inp, [0, 1], axis=1),
        tf.where(inp > 0.5, inp, 0.0),
        tf.norm(inp, axis=1),
        tf.nn.sigmoid(inp),
        tf.nn.l2_normalize(inp, 1),
        tf.einsum("ij,ij->i", inp, inp),
        tf.add_n([inp, inp]),
        tf.random.normal(tf.shape(inp)),
        K.sum(inp, axis=1),
        K.concatenate([inp, inp]),
        K.permute_dimensions(inp, (1, 0)),
        K.batch_flatten(inp),
    ]
    model = keras.Model(inp, outs)
    assert [layer.name for layer in model.layers[1:]] == [
        "tf.expand_dims",
        "tf.math.greater",
        "tf.compat.v1.shape_1",
        "tf.compat.v1.shape",
        "tf.compat.v1.squeeze",
        "tf.compat.v1.gather",
        "tf.where",
        "tf.compat.v1.norm",
        "tf.math.sigmoid",
        "tf.math.l2_normalize",
        "tf.einsum",
        "tf.math.add_n",
        "tf.random.normal",
        "tf.math.reduce_sum",
        "tf.concat",
        "tf.compat.v1.transpose",
        "tf.keras.backend.batch_flatten",
    ]
    outs = model.predict(X, verbose=0)
    np.testing.assert_array_equal(outs[3], np.where(X > 0.5, X, 0.0))
    np.testing.assert_allclose(outs[4], np.linalg.norm(X, axis=1), rtol=1e-6)


def test_shape_arithmetic_on_symbolic_tensors():
    inp = keras.Input((2, 3))
    n = tf.shape(inp)[0]
    flat = tf.reshape(inp, [n, -1])  # the trial value of n follows the placeholder batch
    zeros = tf.zeros(tf.shape(flat))
    flat3 = tf.reshape(tf.reshape(inp, (-1, 3)), (-1, 2, 3))  # sizes 2 and 3 do not divide
    assert (n.shape.as_list(), n.dtype) == ([], "int32")
    assert flat.shape.as_list() == [None, 6] and zeros.shape.as_list() == [None, 6]
    assert flat3.shape.as_list() == [None, 2, 3]
    model = keras.Model(inp, [flat, zeros, flat3])
    x = np.arange(30, dtype="float32").reshape(5, 2, 3)
    f, z, f3 = model.predict(x, verbose=0)
    np.testing.assert_array_equal(f, x.reshape(5, 6))
    np.testing.assert_array_equal(z, np.zeros((5, 6)))
    np.testing.assert_array_equal(f3, x)


def test_eager_calls_are_unchanged():
    x = tf.constant([[1.0, 2.0]])
    assert tf.concat([x, x], 0).numpy().tolist() == [[1.0, 2.0], [1.0, 2.0]]
    assert float(tf.reduce_sum(x)) == 3.0
    assert tf.reduce_sum is tf.math.reduce_sum
    assert keras.ops.expand_dims is tf.expand_dims
    assert "keepdims" in inspect.signature(tf.reduce_sum).parameters
    assert tf.reduce_sum.__name__ == "reduce_sum"
    assert keras.backend.int_shape(keras.Input((3,))) == (None, 3)
    symbolic = tf.reduce_sum(keras.Input((3,)))
    assert keras.backend.is_keras_tensor(symbolic)
    assert not keras.backend.is_keras_tensor(x)


def _build_pair():
    """The same model written with op functions and with Lambda layers."""

    def ops_model():
        inp = keras.Input((4,))
        h = keras.layers.Dense(5, activation="tanh", name="d1")(inp)
        z = tf.concat([h, tf.nn.relu(inp)], axis=-1)
        z = z - tf.reduce_mean(z, axis=-1, keepdims=True)
        out = keras.layers.Dense(1, name="d2")(keras.ops.expand_dims(z, 1)[:, 0])
        return keras.Model(inp, out)

    def lambda_model():
        L = keras.layers.Lambda
        inp = keras.Input((4,))
        h = keras.layers.Dense(5, activation="tanh", name="d1")(inp)
        r = L(lambda t: tf.nn.relu(t))(inp)
        z = L(lambda ts: tf.concat(ts, axis=-1))([h, r])
        z = L(lambda t: t - tf.reduce_mean(t, axis=-1, keepdims=True))(z)
        z = L(lambda t: tf.expand_dims(t, 1)[:, 0])(z)
        out = keras.layers.Dense(1, name="d2")(z)
        return keras.Model(inp, out)

    a, b = ops_model(), lambda_model()
    b.set_weights(a.get_weights())
    return a, b


def test_fit_predict_evaluate_match_the_lambda_model():
    a, b = _build_pair()
    results = []
    for model in (a, b):
        model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
        tf.random.set_seed(3)
        hist = model.fit(X, Y, batch_size=4, epochs=3, verbose=0)
        results.append(
            (
                hist.history,
                model.predict(X, verbose=0),
                model.evaluate(X, Y, verbose=0),
                model.get_weights(),
            )
        )
    (ha, pa, ea, wa), (hb, pb, eb, wb) = results
    assert ha == hb
    np.testing.assert_array_equal(pa, pb)
    assert ea == eb
    for u, v in zip(wa, wb):
        np.testing.assert_array_equal(u, v)


def _penalty_model():
    inp = keras.Input((2,))
    h = keras.layers.Dense(2, kernel_initializer="ones")(inp)
    out = keras.layers.Dense(1, kernel_initializer="ones")(h)
    model = keras.Model(inp, out)
    model.add_loss(0.5 * tf.reduce_mean(tf.square(h)))
    model.add_metric(tf.reduce_sum(h, axis=1), name="hsum")
    return model


XS = np.array([[1.0, 2.0], [0.5, 0.0], [-1.0, 1.0], [0.0, 0.25]], "float32")
YS = np.array([[1.0], [0.0], [2.0], [-1.0]], "float32")


def test_symbolic_add_loss_and_add_metric_match_tf_keras():
    # Reference numbers from tf.keras 2.21 (tf_keras) running the same model.
    model = _penalty_model()
    assert [layer.name for layer in model.layers[3:]] == [
        "tf.math.square",
        "tf.math.reduce_mean",
        "tf.math.multiply",
        "add_loss",
        "tf.math.reduce_sum",
        "add_metric",
    ]
    assert type(model.layers[-1]).__name__ == "AddMetric"
    model.compile(keras.optimizers.SGD(0.01), "mse")
    assert model.metrics_names == ["loss", "hsum"]
    ev = model.evaluate(XS, YS, batch_size=2, verbose=0, return_dict=True)
    assert ev == pytest.approx({"loss": 9.2265625, "hsum": 1.875}, rel=1e-6)
    hist = model.fit(XS, YS, batch_size=2, epochs=2, shuffle=False, verbose=0)
    assert hist.history["loss"] == pytest.approx([9.300873756, 5.559720039], rel=1e-6)
    assert hist.history["hsum"] == pytest.approx([1.765937447, 1.508489370], rel=1e-6)
    np.testing.assert_allclose(
        model.predict(XS, verbose=0).ravel(),
        [3.577895, 0.4252473, -0.2358841, 0.1001462],
        rtol=1e-5,
    )
    assert len(model.losses) == 1


def test_add_loss_is_evaluated_per_batch():
    # The penalty depends on the batch: evaluate uses the user's batches as tf.keras does
    # (tf.keras: 23.125 with one batch of 2, 13.875 with batches of 1).
    inp = keras.Input((2,))
    h = keras.layers.Dense(2, kernel_initializer="ones", use_bias=False)(inp)
    model = keras.Model(inp, h)
    model.add_loss(tf.reduce_sum(tf.square(h)))
    model.add_metric(h, name="hm")
    model.compile("sgd", "mse")
    x = np.array([[1.0, 2.0], [0.5, 0.0]], "float32")
    y = np.zeros((2, 2), "float32")
    assert model.evaluate(x, y, batch_size=2, verbose=0) == pytest.approx([23.125, 1.75])
    assert model.evaluate(x, y, batch_size=1, verbose=0) == pytest.approx([13.875, 1.75])


def test_add_loss_and_add_metric_errors():
    inp = keras.Input((2,))
    h = keras.layers.Dense(2)(inp)
    model = keras.Model(inp, h)
    with pytest.raises(ValueError, match=r"scalar.*\(None, 2\)"):
        model.add_loss(tf.square(h))
    other = keras.Input((2,))
    with pytest.raises(ValueError, match="graph disconnected"):
        model.add_loss(tf.reduce_mean(other))
    with pytest.raises(ValueError, match="needs a `name`"):
        model.add_metric(tf.reduce_mean(h))
    with pytest.raises(TypeError, match="symbolic tensor"):
        model.add_metric(1.0, name="one")

    class Sub(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="functional model"):
        Sub().add_loss(tf.reduce_mean(h))


def test_shape_inference_failure_is_a_clear_error():
    inp = keras.Input((3,))
    outer = inp[:, :, None] * inp[:, None, :]  # rank 1: no Cholesky factor
    with pytest.raises(ValueError) as err:
        tf.linalg.cholesky(outer)
    msg = str(err.value)
    assert "Could not infer the output shape of `tf.linalg.cholesky`" in msg
    assert "(None, 3, 3)" in msg and "keras.layers.Lambda" in msg
    with pytest.raises(ValueError, match="axis 5 is out of range"):
        tf.reduce_sum(inp, axis=5)
    with pytest.raises(TypeError, match="tf.concat: missing a required argument: 'axis'"):
        tf.concat([inp, inp])


def test_save_and_load_models_with_op_layers(tmp_path):
    inp = keras.Input((4,))
    a = keras.layers.Dense(3)(inp)
    c = tf.reduce_sum(tf.concat([a, inp], axis=-1), axis=1, keepdims=True)
    v = keras.ops.mean(inp[:, :2] * 2.0 - 1, axis=-1)
    model = keras.Model(inp, [c, v, inp[..., 1]])
    model.add_loss(0.01 * tf.reduce_mean(tf.square(a)))
    model.add_metric(tf.reduce_mean(a), name="amean")
    model.compile("sgd", ["mse", "mse", "mse"])
    ref = model.predict(X, verbose=0)
    for name in ("m.keras", "m.h5"):
        path = os.fspath(tmp_path / name)
        model.save(path)
        loaded = keras.models.load_model(path)  # safe mode: ops are stored by name only
        for r, o in zip(ref, loaded.predict(X, verbose=0)):
            np.testing.assert_array_equal(r, o)
        assert [x.name for x in loaded.layers] == [x.name for x in model.layers]
        assert loaded.metrics_names[-1] == "amean"
        assert len(loaded.losses) == 1
    weights = os.fspath(tmp_path / "w.weights.h5")
    model.save_weights(weights)
    fresh = keras.models.clone_model(model)
    fresh.load_weights(weights)
    for r, o in zip(ref, fresh.predict(X, verbose=0)):
        np.testing.assert_array_equal(r, o)


def test_an_argument_that_is_code_is_refused_on_loading(tmp_path):
    inp = keras.Input((3,))
    out = tf.scan(lambda acc, t: acc + t, inp)
    model = keras.Model(inp, out)
    np.testing.assert_allclose(model.predict(X[:, :3], verbose=0), np.cumsum(X[:, :3], 0))
    path = os.fspath(tmp_path / "scan.keras")
    with pytest.warns(UserWarning, match="lambda"):
        model.save(path)
    with pytest.raises(Exception, match="lambda"):
        keras.models.load_model(path)


def test_unknown_op_names_are_refused():
    from lamina.layers.op_lambda import TFOpLambda

    with pytest.raises(ValueError, match="unknown op 'os.system'"):
        TFOpLambda.from_config({"name": "x", "function": "os.system"})
    assert TFOpLambda.from_config({"name": "y", "function": "math.reduce_sum"}).symbol == (
        "math.reduce_sum"
    )


# What Keras 3.15 saves for Model(inp, [mean(concatenate([inp, inp])), concatenate(...)[:, :3]]).
KERAS3_OPS_MODEL = {
    "module": "keras.src.models.functional",
    "class_name": "Functional",
    "config": {
        "name": "functional",
        "trainable": True,
        "layers": [
            {
                "module": "keras.layers",
                "class_name": "InputLayer",
                "config": {"batch_shape": [None, 4], "dtype": "float32", "name": "input_layer"},
                "registered_name": None,
                "name": "input_layer",
                "inbound_nodes": [],
            },
            {
                "module": "keras.src.ops.numpy",
                "class_name": "Concatenate",
                "config": {"name": "concatenate", "axis": -1},
                "registered_name": "Concatenate",
                "name": "concatenate",
                "inbound_nodes": [
                    {
                        "args": [
                            [
                                {
                                    "class_name": "__keras_tensor__",
                                    "config": {
                                        "shape": [None, 4],
                                        "dtype": "float32",
                                        "keras_history": ["input_layer", 0, 0],
                                    },
                                },
                                {
                                    "class_name": "__keras_tensor__",
                                    "config": {
                                        "shape": [None, 4],
                                        "dtype": "float32",
                                        "keras_history": ["input_layer", 0, 0],
                                    },
                                },
                            ]
                        ],
                        "kwargs": {},
                    }
                ],
            },
            {
                "module": "keras.src.ops.numpy",
                "class_name": "Mean",
                "config": {"name": "mean", "axis": -1, "keepdims": True},
                "registered_name": "Mean",
                "name": "mean",
                "inbound_nodes": [
                    {
                        "args": [
                            {
                                "class_name": "__keras_tensor__",
                                "config": {
                                    "shape": [None, 8],
                                    "dtype": "float32",
                                    "keras_history": ["concatenate", 0, 0],
                                },
                            }
                        ],
                        "kwargs": {},
                    }
                ],
            },
            {
                "module": "keras.src.ops.numpy",
                "class_name": "GetItem",
                "config": {"name": "get_item"},
                "registered_name": "GetItem",
                "name": "get_item",
                "inbound_nodes": [
                    {
                        "args": [
                            {
                                "class_name": "__keras_tensor__",
                                "config": {
                                    "shape": [None, 8],
                                    "dtype": "float32",
                                    "keras_history": ["concatenate", 0, 0],
                                },
                            },
                            [
                                {
                                    "class_name": "__slice__",
                                    "config": {"start": None, "stop": None, "step": None},
                                },
                                {
                                    "class_name": "__slice__",
                                    "config": {"start": None, "stop": 3, "step": None},
                                },
                            ],
                        ],
                        "kwargs": {},
                    }
                ],
            },
        ],
        "input_layers": ["input_layer", 0, 0],
        "output_layers": [["mean", 0, 0], ["get_item", 0, 0]],
    },
    "registered_name": "Functional",
}


def test_keras3_op_nodes_load_and_round_trip(tmp_path):
    model = keras.layers.deserialize(KERAS3_OPS_MODEL)
    assert [layer.name for layer in model.layers] == [
        "input_layer",
        "concatenate",
        "mean",
        "get_item",
    ]
    assert model.get_layer("mean").arguments == {"axis": -1, "keepdims": True}
    mean, head = model.predict(X, verbose=0)
    both = np.concatenate([X, X], axis=-1)
    np.testing.assert_allclose(mean, both.mean(-1, keepdims=True), rtol=1e-6)
    np.testing.assert_array_equal(head, both[:, :3])
    path = os.fspath(tmp_path / "k3.keras")
    model.save(path)
    again = keras.models.load_model(path)
    for a, b in zip(again.predict(X, verbose=0), (mean, head)):
        np.testing.assert_array_equal(a, b)


FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras_files")


def test_tf_keras_2_h5_with_op_layers_loads():
    # Saved by tf_keras 2.21 (make_op_layer_fixtures.py): TFOpLambda nodes in Keras 2's node
    # format (single refs, "_CONSTANT_VALUE" first arguments, slice dicts) and
    # add_loss/add_metric branches.
    ref = np.load(os.path.join(FIXTURES, "tfk2_op_layers.npz"))
    model = keras.models.load_model(os.path.join(FIXTURES, "tfk2_op_layers.h5"))
    assert [layer.name for layer in model.layers][-4:] == [
        "tf.math.multiply_1",
        "add_loss",
        "tf.math.reduce_mean_1",
        "add_metric",
    ]
    outs = model.predict(ref["x"], verbose=0)
    for i, out in enumerate(outs):
        np.testing.assert_allclose(out, ref[f"y{i}"], rtol=1e-6, atol=1e-6)
    zeros = [np.zeros((5, 1)), np.zeros((5, 7)), np.zeros((5, 3))]
    assert model.metrics_names[-1] == "amean"
    np.testing.assert_allclose(model.evaluate(ref["x"], zeros, verbose=0), ref["evaluate"], 1e-6)


def test_keras3_file_with_ops_loads():
    ref = np.load(os.path.join(FIXTURES, "k3_op_layers.npz"))
    model = keras.models.load_model(os.path.join(FIXTURES, "k3_op_layers.keras"))
    for i, out in enumerate(model.predict(ref["x"], verbose=0)):
        np.testing.assert_allclose(out, ref[f"y{i}"], rtol=1e-6, atol=1e-6)
