"""Files written by real Keras 3 and tf.keras 2.x load in lamina and predict the same.

The fixtures were written by tests/fixtures/keras_files/make_fixtures.py in the benchmark
environment. When a Python with Keras is named in LAMINA_KERAS_PYTHON, lamina's files are
also loaded by real Keras, live.
"""

import os
import subprocess
import textwrap

import numpy as np
import pytest

import lamina as keras
from lamina.models import load_model


def _expected(fixtures_dir, name):
    data = np.load(os.path.join(fixtures_dir, name + ".npz"))
    inputs = [data[k] for k in sorted(k for k in data.files if k.startswith("x"))]
    return inputs, data["pred"]


@pytest.mark.parametrize(
    "filename",
    [
        "k3_sequential.keras",
        "k3_sequential.h5",
        "k3_functional.keras",
        "k3_functional.h5",
        "tfk2_sequential.h5",
        "tfk2_functional.h5",
        "tfk2_nested.h5",
    ],
)
def test_keras_written_model_files_predict_the_same(fixtures_dir, filename):
    model = load_model(os.path.join(fixtures_dir, filename))
    inputs, expected = _expected(fixtures_dir, filename.split(".")[0])
    pred = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    np.testing.assert_allclose(pred, expected, rtol=1e-6, atol=1e-6)


def test_keras_written_files_keep_their_training_config(fixtures_dir):
    model = load_model(os.path.join(fixtures_dir, "k3_sequential.keras"))
    assert model.loss == "sparse_categorical_crossentropy"
    assert type(model.optimizer).__name__ == "Adam"
    assert model.optimizer.learning_rate.numpy() == pytest.approx(0.01)
    # Adam's state came along: iterations equal the 2 epochs x 4 batches Keras ran.
    assert int(model.optimizer.iterations.numpy()) == 8
    old = load_model(os.path.join(fixtures_dir, "tfk2_sequential.h5"))
    assert old.loss == "binary_crossentropy"
    assert type(old.optimizer).__name__ == "Adam"


def test_keras_weights_file_loads_into_the_same_architecture(fixtures_dir):
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(5, activation="relu"),
            keras.layers.Dropout(0.25),
            keras.layers.Dense(4, activation="tanh"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.load_weights(os.path.join(fixtures_dir, "k3_sequential.weights.h5"))
    inputs, expected = _expected(fixtures_dir, "k3_sequential")
    np.testing.assert_allclose(model.predict(inputs[0], verbose=0), expected, atol=1e-6)


KERAS_PYTHON = os.environ.get("LAMINA_KERAS_PYTHON")


@pytest.mark.keras
@pytest.mark.skipif(not KERAS_PYTHON, reason="set LAMINA_KERAS_PYTHON to a Python with Keras 3")
@pytest.mark.parametrize(
    "loader, ext", [("keras", ".keras"), ("keras", ".h5"), ("tf_keras", ".h5")]
)
def test_real_keras_loads_lamina_files(tmp_path, loader, ext):
    """Keras 3 loads both formats; tf.keras 2.x (the tf_keras package) loads the HDF5 file.

    HDF5 files number a nested model's calls as tf.keras 2.x did (from 1), which Keras 3
    cannot read, for tf.keras's own files too: its HDF5 case has no nested model."""
    np.random.seed(0)
    a = keras.Input((4,), name="a")
    b = keras.Input((2,), name="b")
    h = keras.layers.Dense(3, activation="relu")(a)
    c = keras.layers.Concatenate()([h, b])
    inner = keras.Sequential([keras.layers.Dense(2, activation="sigmoid")], name="inner")
    nested = not (loader == "keras" and ext == ".h5")
    out = keras.layers.Dense(1)(inner(c) if nested else keras.layers.Dense(2)(c))
    model = keras.Model([a, b], out)
    model.compile(optimizer="adam", loss="mse")
    xa = np.random.RandomState(0).rand(6, 4).astype("float32")
    xb = np.random.RandomState(1).rand(6, 2).astype("float32")
    model.fit([xa, xb], np.ones((6, 1)), epochs=1, verbose=0)
    path = str(tmp_path / f"lamina{ext}")
    model.save(path)
    np.save(tmp_path / "xa.npy", xa)
    np.save(tmp_path / "xb.npy", xb)
    np.save(tmp_path / "pred.npy", model.predict([xa, xb], verbose=0))
    script = textwrap.dedent(f"""
        import os
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        import numpy as np
        try:
            import {loader} as keras
        except ImportError:
            print("SKIP no {loader}")
            raise SystemExit(0)
        m = keras.models.load_model({path!r})
        d = {str(tmp_path)!r}
        p = m.predict([np.load(d + "/xa.npy"), np.load(d + "/xb.npy")], verbose=0)
        np.testing.assert_allclose(p, np.load(d + "/pred.npy"), atol=1e-6)
        print("OK", type(m.optimizer).__name__)
    """)
    out = subprocess.run([KERAS_PYTHON, "-c", script], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    if "SKIP" in out.stdout:
        pytest.skip(out.stdout.strip())
    assert "OK" in out.stdout


def test_h5_files_number_nested_model_calls_as_tf_keras(tmp_path):
    """tf.keras 2.x counted a nested model's calls from 1 (node 0 is its own graph's): lamina
    writes and reads that numbering, and its .h5 round trip keeps the predictions."""
    import json

    import h5py

    a = keras.Input((4,), name="a")
    inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)], name="inner")
    out = keras.layers.Dense(1, name="head")(inner(keras.layers.Dense(3)(a)))
    model = keras.Model(a, out)
    path = str(tmp_path / "nested.h5")
    model.save(path)
    with h5py.File(path) as f:
        config = json.loads(f.attrs["model_config"])["config"]
    head = next(e for e in config["layers"] if e["name"] == "head")
    assert head["inbound_nodes"] == [[["inner", 1, 0, {}]]]
    x = np.random.RandomState(0).rand(3, 4).astype("float32")
    np.testing.assert_array_equal(
        load_model(path).predict(x, verbose=0), model.predict(x, verbose=0)
    )
