"""Functional models (several inputs/outputs, nesting, config) and subclassed models."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina import layers


def two_in_two_out():
    a = lamina.Input(shape=(4,), name="a")
    b = lamina.Input(shape=(3,), name="b")
    h = layers.Dense(8, activation="relu")(a)
    c = layers.concatenate([h, b])
    o1 = layers.Dense(1, activation="sigmoid", name="out1")(c)
    o2 = layers.Dense(3, activation="softmax", name="out2")(c)
    return lamina.Model(inputs=[a, b], outputs=[o1, o2])


def data(n=40):
    rng = np.random.RandomState(0)
    return rng.rand(n, 4), rng.rand(n, 3), rng.randint(0, 2, n), rng.randint(0, 3, n)


def test_layers_order_shapes_and_summary_columns():
    model = two_in_two_out()
    # tf.keras 2.x and Keras 3 order: by depth from the outputs, then first visit
    assert [x.name for x in model.layers] == ["a", "dense", "b", "concatenate", "out1", "out2"]
    assert model.input_shape == [(None, 4), (None, 3)]
    assert model.output_shape == [(None, 1), (None, 3)]
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert lines[0] == 'Model: "model"' and len(lines[1]) == 98
    assert "Connected to" in lines[2]
    # tf_keras 2.21's column positions (0.3, 0.6, 0.7 of 98)
    assert " a (InputLayer)              [(None, 4)]                  0         []" in text
    assert "['dense[0][0]'," in text and "'b[0][0]']" in text
    assert "Total params: 88" in text


def test_multi_output_training_logs_and_evaluate_order():
    xa, xb, ya, yb = data()
    model = two_in_two_out()
    model.compile(
        "adam",
        ["binary_crossentropy", "sparse_categorical_crossentropy"],
        loss_weights=[1.0, 0.5],
        metrics=["accuracy"],
    )
    h = model.fit([xa, xb], [ya, yb], epochs=2, batch_size=8, verbose=0, validation_split=0.25)
    assert list(h.history) == [
        "loss",
        "out1_loss",
        "out2_loss",
        "out1_accuracy",
        "out2_accuracy",
        "val_loss",
        "val_out1_loss",
        "val_out2_loss",
        "val_out1_accuracy",
        "val_out2_accuracy",
    ]
    res = model.evaluate({"a": xa, "b": xb}, {"out1": ya, "out2": yb}, verbose=0)
    assert model.metrics_names == [
        "loss",
        "out1_loss",
        "out2_loss",
        "out1_accuracy",
        "out2_accuracy",
    ]
    assert res[0] == pytest.approx(res[1] + 0.5 * res[2], rel=1e-5)
    p1, p2 = model.predict([xa, xb], verbose=0)
    assert p1.shape == (40, 1) and p2.shape == (40, 3)


def test_dict_losses_and_missing_input_key():
    xa, xb, ya, yb = data()
    model = two_in_two_out()
    model.compile("sgd", {"out1": "binary_crossentropy", "out2": "sparse_categorical_crossentropy"})
    model.fit({"a": xa, "b": xb}, {"out1": ya, "out2": yb}, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="Missing data for input 'b'"):
        model.fit({"a": xa}, {"out1": ya, "out2": yb}, verbose=0)
    with pytest.raises(ValueError, match="Unknown entries in loss dictionary"):
        model.compile("sgd", {"nope": "mse"})


def test_config_round_trip_rebuilds_the_graph():
    model = two_in_two_out()
    config = model.get_config()
    assert config["input_layers"] == [["a", 0, 0], ["b", 0, 0]]
    assert config["output_layers"] == [["out1", 0, 0], ["out2", 0, 0]]
    concat = [e for e in config["layers"] if e["class_name"] == "Concatenate"][0]
    assert concat["inbound_nodes"][0]["args"][0][1]["config"]["keras_history"] == ["b", 0, 0]
    clone = lamina.Model.from_config(config)
    clone.set_weights(model.get_weights())
    xa, xb, _, _ = data(5)
    for p, q in zip(model.predict([xa, xb], verbose=0), clone.predict([xa, xb], verbose=0)):
        np.testing.assert_allclose(p, q, rtol=1e-6)
    assert [(a.name, b.name) for a, b in clone._layer_edges()] == [
        (a.name, b.name) for a, b in model._layer_edges()
    ]


def test_keras2_functional_config():
    config = {
        "name": "model_3",
        "layers": [
            {
                "class_name": "InputLayer",
                "name": "input_1",
                "config": {"batch_input_shape": [None, 2], "name": "input_1"},
                "inbound_nodes": [],
            },
            {
                "class_name": "Dense",
                "name": "dense_9",
                "config": {"name": "dense_9", "units": 3, "activation": "relu"},
                "inbound_nodes": [[["input_1", 0, 0, {}]]],
            },
            {
                "class_name": "Dense",
                "name": "dense_10",
                "config": {"name": "dense_10", "units": 1},
                "inbound_nodes": [[["dense_9", 0, 0, {}]]],
            },
        ],
        "input_layers": [["input_1", 0, 0]],
        "output_layers": [["dense_10", 0, 0]],
    }
    model = lamina.Model.from_config(config)
    assert model.name == "model_3" and model.count_params() == 9 + 4
    assert model.predict(np.ones((2, 2)), verbose=0).shape == (2, 1)


def test_graph_errors():
    a = lamina.Input((2,))
    b = lamina.Input((2,))
    out = layers.add([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        lamina.Model(a, out)
    with pytest.raises(ValueError, match="must come from `keras.Input`"):
        lamina.Model(np.ones((1, 2)), out)
    with pytest.raises(ValueError, match="both `inputs` and `outputs`"):
        lamina.Model(inputs=a)


def test_shared_layer_and_nested_model_as_layer():
    shared = layers.Dense(2, name="shared")
    a, b = lamina.Input((3,)), lamina.Input((3,))
    siamese = lamina.Model([a, b], layers.subtract([shared(a), shared(b)]))
    assert len(siamese.trainable_weights) == 2
    lines: list[str] = []
    siamese.summary(print_fn=lines.append)
    assert any("shared (Dense)" in line and "multiple" not in line for line in lines)
    x = lamina.Input((3,))
    outer = lamina.Model(x, layers.Dense(1)(layers.Activation("tanh")(siamese([x, x]))))
    np.testing.assert_allclose(
        outer.predict(np.ones((2, 3)), verbose=0)[:, 0],
        np.zeros(2) + outer.layers[-1].bias.numpy()[0],
        atol=1e-6,
    )


class TwoLayer(lamina.Model):
    def __init__(self, hidden=8, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden
        self.d1 = layers.Dense(hidden, activation="relu")
        self.drop = layers.Dropout(0.5)
        self.d2 = layers.Dense(1)

    def call(self, inputs, training=None):
        return self.d2(self.drop(self.d1(inputs), training=training))


def test_subclassed_model_trains_and_summarizes():
    xa, _, ya, _ = data()
    model = TwoLayer(name="two")
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    h = model.fit(xa, ya, epochs=3, verbose=0)
    assert list(h.history) == ["loss", "mae"]
    assert len(model.trainable_weights) == 4
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    assert any(line.startswith(" dense (Dense)") and "multiple" in line for line in lines)
    assert model.get_config()["hidden"] == 8
    # Dropout is off at inference: predictions are deterministic.
    np.testing.assert_array_equal(model.predict(xa, verbose=0), model.predict(xa, verbose=0))


def test_subclassed_model_build_and_output_names():
    model = TwoLayer()
    model.build((None, 4))
    assert model.built and model.count_params() == 4 * 8 + 8 + 9
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 4)), np.ones(4), verbose=0)
    assert model.output_names == ["output_1"]


def test_custom_train_step_is_used():
    calls = []

    class Custom(lamina.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(1)

        def call(self, x):
            return self.d(x)

        def train_step(self, data):
            calls.append(len(data))
            return super().train_step(data)

    model = Custom()
    model.compile("sgd", "mse", metrics=["mae"])
    h = model.fit(np.ones((8, 2)), np.ones(8), batch_size=4, epochs=2, verbose=0)
    assert calls == [2, 2, 2, 2]
    assert set(h.history) == {"loss", "mae"}


def test_model_without_call_is_explained():
    with pytest.raises(NotImplementedError, match="must implement `call"):
        lamina.Model()(np.ones((1, 2)))


def test_dict_inputs_and_outputs_use_their_keys():
    a = lamina.Input((2,), name="first")
    b = lamina.Input((2,), name="second")
    s = layers.add([a, b])
    model = lamina.Model({"x": a, "y": b}, {"total": layers.Dense(1)(s), "same": s})
    assert model.input_names == ["x", "y"] and model.output_names == ["total", "same"]
    model.compile("sgd", {"total": "mse", "same": "mae"})
    h = model.fit(
        {"x": np.ones((8, 2)), "y": np.zeros((8, 2))},
        {"total": np.ones(8), "same": np.ones((8, 2))},
        epochs=1,
        verbose=0,
    )
    assert list(h.history) == ["loss", "total_loss", "same_loss"]
    out = model.predict({"x": np.ones((3, 2)), "y": np.ones((3, 2))}, verbose=0)
    assert {k: v.shape for k, v in out.items()} == {"total": (3, 1), "same": (3, 2)}


def test_custom_training_loop_with_gradient_tape():
    rng = np.random.RandomState(0)
    x = rng.rand(64, 3).astype("float32")
    y = (x.sum(1) > 1.5).astype("float32").reshape(-1, 1)
    model = lamina.Sequential(
        [
            layers.Dense(8, activation="relu", input_shape=(3,)),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    loss_fn = lamina.losses.BinaryCrossentropy()
    optimizer = lamina.optimizers.Adam(0.05)
    losses = []
    for _ in range(40):
        with lamina.GradientTape() as tape:
            pred = model(x, training=True)
            loss = loss_fn(y, pred)
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        losses.append(float(loss))
    assert losses[-1] < 0.5 * losses[0]


def test_tf_keras2_style_custom_train_step():
    class Keras2Style(lamina.Model):
        def train_step(self, data):
            x, y = data
            with lamina.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            self.compiled_metrics.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    x = lamina.Input((3,))
    model = Keras2Style(x, layers.Dense(1, activation="sigmoid")(x))
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    rng = np.random.RandomState(0)
    data = rng.rand(32, 3)
    h = model.fit(data, (data.sum(1) > 1.5).astype(int), batch_size=8, epochs=2, verbose=0)
    assert list(h.history) == ["loss", "accuracy"]
    assert all(0 <= v <= 1 for v in h.history["accuracy"])


def test_keras3_style_custom_model_with_own_metric_trackers():
    class Tracked(lamina.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(1)
            self.tracker = lamina.metrics.Mean(name="custom_loss")

        def call(self, x):
            return self.d(x)

        @property
        def metrics(self):
            return [self.tracker]

        def train_step(self, data):
            x, y = data
            with lamina.GradientTape() as tape:
                loss = lamina.reduce_mean(lamina.square(self(x, training=True) - y))
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            self.tracker.update_state(loss)
            return {"custom_loss": self.tracker.result()}

    model = Tracked()
    model.compile(optimizer=lamina.optimizers.SGD(0.1))
    x = np.linspace(0, 1, 16).reshape(-1, 1).astype("float32")
    h = model.fit(x, 2 * x, batch_size=4, epochs=3, verbose=0)
    assert list(h.history) == ["custom_loss"]
    # the tracker is reset every epoch: the epoch means decrease as the model learns
    assert h.history["custom_loss"][2] < h.history["custom_loss"][0]


def test_train_step_receives_x_alone_when_fit_has_no_targets():
    seen = []

    class Unsupervised(lamina.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(2)

        def call(self, x):
            return self.d(x)

        def train_step(self, data):
            seen.append(type(data).__name__)
            with lamina.GradientTape() as tape:
                loss = lamina.reduce_mean(lamina.square(self(data, training=True)))
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            return {"loss": loss}

    model = Unsupervised()
    model.compile(optimizer="sgd")
    h = model.fit(np.ones((8, 3)), batch_size=4, epochs=1, verbose=0)
    assert seen == ["Tensor", "Tensor"] and list(h.history) == ["loss"]


def test_subclassed_model_receives_dict_inputs_as_a_dict():
    class TwoInputs(lamina.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(1)

        def call(self, inputs):
            return self.d(layers.concatenate([inputs["left"], inputs["right"]]))

    model = TwoInputs()
    model.compile("sgd", "mse")
    data = {"left": np.ones((8, 2)), "right": np.zeros((8, 3))}
    model.fit(data, np.ones(8), batch_size=4, epochs=1, verbose=0)
    assert model.predict(data).shape == (8, 1)
    assert model.d.kernel.shape == (5, 1)
