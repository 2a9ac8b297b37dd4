"""Sequential: building, layers, summary text (tf.keras 2.x format), add/pop, config."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.models import Sequential

SEED_002_SUMMARY = (
    "\n".join(
        [
            'Model: "sequential"',
            "_________________________________________________________________",
            " Layer (type)                Output Shape              Param #   ",
            "=================================================================",
            " dense (Dense)               (None, 8)                 80        ",
            "                                                                 ",
            " dense_1 (Dense)             (None, 1)                 9         ",
            "                                                                 ",
            "=================================================================",
            "Total params: 89",
            "Trainable params: 89",
            "Non-trainable params: 0",
            "_________________________________________________________________",
        ]
    )
    + "\n"
)


def summary_text(model, **kwargs) -> str:
    lines: list[str] = []
    model.summary(print_fn=lines.append, **kwargs)
    return "\n".join(lines) + "\n"


def test_summary_matches_tf_keras_2_layout(capsys):
    model = Sequential()
    model.add(layers.Dense(8, input_dim=9, activation="relu"))
    model.add(layers.Dense(1, activation="sigmoid"))
    assert summary_text(model) == SEED_002_SUMMARY
    model.summary()
    assert capsys.readouterr().out == SEED_002_SUMMARY


def test_summary_of_rank3_model_with_thousands_separator():
    model = lamina.Sequential(
        [layers.Dense(100, input_shape=(None, 1)), layers.Dense(10), layers.Dense(1)]
    )
    text = summary_text(model)
    assert " dense (Dense)               (None, None, 100)         200       " in text
    assert "Total params: 1,221\n" in text
    wide = summary_text(model, line_length=80)
    assert wide.splitlines()[1] == "_" * 80


def test_deferred_build_on_first_fit_and_summary_before_is_an_error():
    model = lamina.Sequential([layers.Dense(4, activation="relu"), layers.Dense(1)])
    assert not model.built
    with pytest.raises(ValueError, match="not yet been built"):
        model.summary()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.random.rand(10, 2), np.random.rand(10), epochs=1, verbose=0)
    assert model.built and model.input_shape == (None, 2) and model.output_shape == (None, 1)
    assert "(None, 4)" in summary_text(model)
    assert [w.shape for w in model.layers[0].get_weights()] == [(2, 4), (4,)]


def test_layers_list_excludes_input_layer_and_edges_include_it():
    model = Sequential([lamina.Input((3,)), layers.Dense(2), layers.Dense(1)])
    assert [type(x).__name__ for x in model.layers] == ["Dense", "Dense"]
    edges = [(a.name, b.name) for a, b in model._layer_edges()]
    assert edges[0][0].startswith("input") and edges[1] == ("dense", "dense_1")
    assert model.get_layer("dense_1") is model.layers[1]
    assert model.get_layer(index=0) is model.layers[0]
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")


def test_add_validation_and_pop():
    model = Sequential([layers.Dense(2, input_shape=(3,))])
    with pytest.raises(TypeError, match="must be an instance of class Layer"):
        model.add("dense")
    with pytest.raises(ValueError, match="unique names"):
        model.add(layers.Dense(2, name="dense"))
    with pytest.raises(ValueError, match="total size of the new array must be unchanged"):
        model.add(layers.Reshape((5,)))  # 2 values cannot become 5
    assert len(model.layers) == 1
    model.add(layers.Dense(5))
    assert model.output_shape == (None, 5)
    popped = model.pop()
    assert popped.units == 5 and model.output_shape == (None, 2)


def test_model_names_and_nested_sequential():
    a, b = Sequential(), Sequential()
    assert (a.name, b.name) == ("sequential", "sequential_1")
    inner = Sequential([layers.Dense(3, input_shape=(4,))])
    outer = Sequential([inner, layers.Dense(1)])
    assert outer.output_shape == (None, 1)
    assert outer.count_params() == 4 * 3 + 3 + 3 + 1
    assert outer.predict(np.ones((2, 4)), verbose=0).shape == (2, 1)


def test_call_on_data_and_inputs_one_rank_short():
    model = Sequential([layers.Dense(2, input_shape=(None, 1))])
    out = model(np.arange(6.0).reshape(2, 3))  # (2, 3) -> (2, 3, 1), as tf.keras 2.x
    assert tuple(out.shape) == (2, 3, 2)
    flat = Sequential([layers.Dense(1, input_shape=(1,))])
    assert flat.predict(np.arange(50), verbose=0).shape == (50, 1)


def test_get_config_from_config_round_trip_predicts_the_same():
    model = Sequential(
        [
            layers.Dense(
                4, input_dim=3, activation="relu", kernel_regularizer=lamina.regularizers.l2(0.01)
            ),
            layers.Dropout(0.2),
            layers.Dense(2, activation="softmax"),
        ]
    )
    config = model.get_config()
    assert config["layers"][0]["class_name"] == "InputLayer"
    assert config["layers"][0]["config"]["batch_shape"] == (None, 3)
    assert config["layers"][1]["config"]["activation"] == "relu"
    clone = Sequential.from_config(config)
    assert [x.name for x in clone.layers] == [x.name for x in model.layers]
    clone.set_weights(model.get_weights())
    x = np.random.rand(5, 3)
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert float(clone.losses[0]) == pytest.approx(float(model.losses[0]))


def test_from_keras2_style_config():
    config = {
        "name": "sequential_7",
        "layers": [
            {
                "class_name": "InputLayer",
                "config": {
                    "batch_input_shape": [None, 9],
                    "dtype": "float32",
                    "name": "dense_input",
                },
            },
            {
                "class_name": "Dense",
                "config": {
                    "name": "dense_1",
                    "units": 8,
                    "activation": "relu",
                    "batch_input_shape": [None, 9],
                },
            },
            {
                "class_name": "Dense",
                "config": {"name": "dense_2", "units": 1, "activation": "sigmoid"},
            },
        ],
    }
    model = Sequential.from_config(config)
    assert model.name == "sequential_7" and model.count_params() == 89
    assert model.layers[1].activation.__name__ == "sigmoid"


def test_weights_order_and_set_weights_on_model():
    model = Sequential([layers.Dense(2, input_dim=3), layers.Dense(1)])
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(3, 2), (2,), (2, 1), (1,)]
    model.set_weights([np.ones(s) for s in shapes])
    np.testing.assert_allclose(model.predict(np.ones((1, 3)), verbose=0), [[2 * 4 + 1]])
