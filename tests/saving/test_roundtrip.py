"""Saving and loading lamina's own models: every format, optimizer state included."""

import json
import zipfile

import numpy as np
import pytest
from saving_helpers import make_model, toy_data

import lamina as keras
from lamina.models import load_model


@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_save_load_predicts_the_same_and_keeps_compile(tmp_path, ext):
    x, y = toy_data()
    model = make_model()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    path = str(tmp_path / f"m{ext}")
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=0, atol=1e-7
    )
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert type(loaded.optimizer).__name__ == "Adam"
    assert loaded.loss == "sparse_categorical_crossentropy"


def test_keras_archive_training_continues_exactly(tmp_path):
    """Optimizer state is saved: one more epoch on the loaded model equals one more epoch on
    the original."""
    x, y = toy_data()
    model = make_model()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = load_model(path)
    assert int(loaded.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy())
    np.random.seed(5)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    np.random.seed(5)
    loaded.fit(x, y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_keras_archive_layout_is_keras3(tmp_path):
    model = make_model()
    model.fit(*toy_data(), epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        config = json.loads(zf.read("config.json"))
        assert json.loads(zf.read("metadata.json"))["keras_version"].startswith("3.")
        zf.extract("model.weights.h5", tmp_path)
    assert config["class_name"] == "Sequential"
    assert config["compile_config"]["loss"] == "sparse_categorical_crossentropy"
    layers = config["config"]["layers"]
    assert [entry["class_name"] for entry in layers] == ["InputLayer", "Dense", "Dropout", "Dense"]
    import h5py

    with h5py.File(tmp_path / "model.weights.h5") as h5:
        assert h5["layers/dense/vars/0"].shape == (6, 5)
        assert h5["layers/dense_1/vars/1"].shape == (3,)
        assert h5["layers/dense/vars"].attrs["name"] == model.layers[0].name
        assert "optimizer/vars/0" in h5


def test_include_optimizer_false(tmp_path):
    model = make_model()
    model.fit(*toy_data(), epochs=1, verbose=0)
    path = str(tmp_path / "m.keras")
    model.save(path, include_optimizer=False)
    loaded = load_model(path)
    np.testing.assert_allclose(
        loaded.predict(toy_data()[0], verbose=0), model.predict(toy_data()[0], verbose=0), atol=1e-7
    )


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5"])
def test_save_and_load_weights(tmp_path, name):
    x, _ = toy_data()
    a = make_model(seed=0)
    a.fit(x, np.arange(40) % 3, epochs=1, verbose=0)
    b = make_model(seed=1)
    path = str(tmp_path / name)
    a.save_weights(path)
    b.load_weights(path)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_load_weights_shape_mismatch_is_a_clear_error(tmp_path):
    a = make_model()
    path = str(tmp_path / "w.weights.h5")
    a.save_weights(path)
    other = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match=r"w\.weights\.h5.*shape"):
        other.load_weights(path)


def test_save_weights_requires_a_weights_extension(tmp_path):
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        make_model().save_weights(str(tmp_path / "w.bin"))


def test_model_save_rejects_unknown_extension(tmp_path):
    with pytest.raises(ValueError, match=r"\.keras"):
        make_model().save(str(tmp_path / "model.pb"))


def test_json_round_trip():
    model = make_model(compile=False)
    text = model.to_json()
    doc = json.loads(text)
    assert doc["class_name"] == "Sequential"
    clone = keras.models.model_from_json(text)
    assert [type(layer).__name__ for layer in clone.layers] == ["Dense", "Dropout", "Dense"]
    assert clone.count_params() == model.count_params()


def test_functional_model_round_trip(tmp_path):
    a = keras.Input((4,), name="a")
    b = keras.Input((2,), name="b")
    h = keras.layers.Dense(3, activation="relu")(a)
    c = keras.layers.Concatenate()([h, b])
    out = keras.layers.Dense(1)(c)
    model = keras.Model([a, b], out)
    model.compile(optimizer="sgd", loss="mse")
    xa = np.random.RandomState(0).rand(5, 4).astype("float32")
    xb = np.random.RandomState(1).rand(5, 2).astype("float32")
    for ext in (".keras", ".h5"):
        path = str(tmp_path / f"f{ext}")
        model.save(path)
        loaded = load_model(path)
        np.testing.assert_allclose(
            loaded.predict([xa, xb], verbose=0), model.predict([xa, xb], verbose=0), atol=1e-7
        )
