"""Embedding against tf_keras 2.21 (reference values computed in /work/benchvenv with the same
weights and data, hard-coded here)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import lamina
from lamina import keras, layers

TABLE = np.arange(10, dtype="float32").reshape(5, 2)


def _emb(**kw):
    layer = layers.Embedding(5, 2, **kw)
    layer.build((None,))
    layer.set_weights([TABLE])
    return layer


def test_lookup_values_dtypes_and_shapes():
    emb = _emb()
    assert emb.name == "embedding"
    out = emb(np.array([[1, 0, 4]]))
    assert out.dtype == lamina.float32 and tuple(out.shape) == (1, 3, 2)
    np.testing.assert_array_equal(out.numpy(), [[[2, 3], [0, 1], [8, 9]]])
    # float ids are truncated as TensorFlow's cast (tf_keras gives row 1 for 1.7)
    np.testing.assert_array_equal(emb(np.array([[1.7, 0.0, 4.2]])).numpy(), out.numpy())
    np.testing.assert_array_equal(emb(lamina.constant([[1, 0, 4]], dtype="int64")), out.numpy())
    np.testing.assert_array_equal(emb([3]).numpy(), [[6, 7]])
    assert tuple(emb(np.zeros((2, 3, 4), "int32")).shape) == (2, 3, 4, 2)
    assert emb.compute_output_shape((None, 3)) == (None, 3, 2)
    # the default initializer is Keras's RandomUniform(-0.05, 0.05)
    big = layers.Embedding(200, 50)
    big(np.array([[0]]))
    w = big.embeddings.numpy()
    assert -0.05 <= w.min() < -0.045 and 0.045 < w.max() <= 0.05


def test_mask_zero_compute_mask():
    emb = _emb(mask_zero=True)
    mask = emb.compute_mask(np.array([[1, 0, 4]]))
    np.testing.assert_array_equal(mask.numpy(), [[True, False, True]])
    assert _emb().compute_mask(np.array([[1, 0]])) is None
    assert emb.get_config()["mask_zero"] is True


def test_gradient_is_a_scatter_add_like_tf_keras():
    emb = layers.Embedding(4, 3)
    emb.build((None,))
    emb.set_weights([np.arange(12, dtype="float32").reshape(4, 3)])
    w = np.linspace(0.5, 1.5, 18).reshape(2, 3, 3).astype("float32")
    with lamina.GradientTape() as tape:
        loss = lamina.reduce_sum(emb(np.array([[1, 1, 3], [0, 1, 3]])) * w)
    grad = tape.gradient(loss, emb.embeddings)
    # tf_keras 2.21 (its IndexedSlices densified): repeated ids accumulate, unused row 2 is 0
    ref = [
        [1.0294118, 1.0882353, 1.1470588],
        [2.3823528, 2.5588236, 2.7352939],
        [0.0, 0.0, 0.0],
        [2.2352941, 2.352941, 2.4705882],
    ]
    np.testing.assert_allclose(grad.numpy(), ref, rtol=1e-6)


def test_second_order_through_the_lookup():
    emb = layers.Embedding(3, 2, dtype="float64")
    emb.build((None,))
    ids = np.array([0, 2, 2])
    with lamina.GradientTape() as outer:
        with lamina.GradientTape() as inner:
            y = lamina.reduce_sum(emb(ids) ** 3)
        g = inner.gradient(y, emb.embeddings)
        s = lamina.reduce_sum(g)
    h = outer.gradient(s, emb.embeddings).numpy()
    table = emb.embeddings.numpy()
    counts = np.array([1, 0, 2])[:, None]
    np.testing.assert_allclose(h, 6 * table * counts, rtol=1e-12)


def test_embedding_flatten_dense_fit_matches_tf_keras():
    ids = np.array([[1, 2, 0], [3, 3, 1], [4, 0, 2], [2, 1, 4]])
    y = np.array([[1.0], [0.0], [1.0], [0.0]], "float32")
    model = keras.Sequential(
        [
            layers.Embedding(5, 2, input_length=3),
            layers.Flatten(),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    table = (np.arange(10).reshape(5, 2) / 10 - 0.4).astype("float32")
    kernel = (np.arange(6).reshape(6, 1) / 6 - 0.4).astype("float32")
    model.set_weights([table, kernel, np.zeros(1, "float32")])
    model.compile(keras.optimizers.SGD(0.5), "binary_crossentropy")
    hist = model.fit(ids, y, batch_size=2, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(hist.history["loss"], [0.7543642, 0.6905563, 0.6455657], rtol=1e-5)
    ref = [
        [-0.3718125, -0.1338468],
        [-0.3680999, -0.3374527],
        [0.2216996, 0.3922229],
        [0.3615192, 0.3511221],
        [0.1453151, 0.2378343],
    ]
    np.testing.assert_allclose(model.layers[0].embeddings.numpy(), ref, rtol=1e-5, atol=1e-6)


def test_embedding_model_learns_a_tiny_task():
    # label: does the sequence contain token 7?
    rs = np.random.RandomState(0)
    x = rs.randint(1, 10, size=(256, 6))
    y = (x == 7).any(axis=1).astype("float32")
    model = keras.Sequential(
        [layers.Embedding(10, 4, input_length=6), layers.Flatten(), layers.Dense(1, "sigmoid")]
    )
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=40, batch_size=32, verbose=0)
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc > 0.95 and loss < 0.2


def test_summary_shapes_like_tf_keras():
    model = keras.Sequential(
        [
            layers.Embedding(10000, 16, input_length=100),
            layers.Flatten(),
            layers.Dense(1, "sigmoid"),
        ]
    )
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert re.search(r"embedding \(Embedding\) +\(None, 100, 16\) +160000 ", text)
    assert re.search(r"\(None, 1600\) +0 ", text)
    assert "Total params: 161,601" in text and "Non-trainable params: 0" in text
    # without input_length tf.keras 2.x still builds the model: (None, None, 8)
    plain = keras.Sequential([layers.Embedding(1000, 8)])
    assert plain.output_shape == (None, None, 8)
    assert plain.count_params() == 8000


def test_config_round_trip_and_keras_paths():
    emb = layers.Embedding(
        10, 3, input_length=4, mask_zero=True, embeddings_regularizer="l2", name="tok"
    )
    config = emb.get_config()
    assert list(config) == [
        "name", "trainable", "batch_input_shape", "dtype", "input_dim", "output_dim",
        "embeddings_initializer", "embeddings_regularizer", "activity_regularizer",
        "embeddings_constraint", "mask_zero", "input_length",
    ]  # fmt: skip
    assert config["batch_input_shape"] == (None, 4)
    assert config["embeddings_initializer"]["config"] == {
        "seed": None,
        "minval": -0.05,
        "maxval": 0.05,
    }
    clone = layers.Embedding.from_config(config)
    assert clone.get_config() == config
    clone(np.array([[1, 2, 3, 4]]))
    assert len(clone.losses) == 1
    assert keras.layers.Embedding is layers.Embedding
    # Keras 1 spellings
    old = layers.Embedding(5, 2, init="zeros", W_regularizer="l1")
    assert type(old.embeddings_initializer).__name__ == "Zeros"
    assert type(old.embeddings_regularizer).__name__ == "L1"


def test_compat_paths_find_the_layers():
    from lamina import compat

    compat.install()
    try:
        import keras
        import tensorflow as tf

        assert tf.keras.layers.Embedding is layers.Embedding
        assert keras.layers.BatchNormalization is layers.BatchNormalization
        assert tf.keras.layers.LayerNormalization is layers.LayerNormalization
    finally:
        compat.uninstall()


@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_save_load_round_trip(tmp_path, ext):
    model = keras.Sequential(
        [layers.Embedding(20, 3, input_length=4), layers.Flatten(), layers.Dense(2)]
    )
    model.compile("adam", "mse")
    x = np.random.randint(0, 20, size=(8, 4))
    model.fit(x, np.random.rand(8, 2), verbose=0)
    path = tmp_path / f"e{ext}"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.layers[0].embeddings.numpy(), model.get_weights()[0])
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[0].input_length == 4


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"input_dim": 0, "output_dim": 3}, "Received input_dim = 0 and output_dim = 3"),
        ({"input_dim": 3, "output_dim": -1}, "Received input_dim = 3 and output_dim = -1"),
        ({"input_dim": 3.5, "output_dim": 2}, "input_dim = 3.5"),
        ({"input_dim": 3, "output_dim": 2, "input_length": 0}, "input_length=0"),
        ({"input_dim": 3, "output_dim": 2, "sparse": True}, "sparse=True"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.Embedding(**kwargs)


def test_out_of_range_ids_raise_a_clear_error():
    emb = _emb()
    with pytest.raises(ValueError, match=r"id 7 \(at index \[0, 1\]\) is out of range.*\[0, 5\)"):
        emb(np.array([[1, 7]]))
    with pytest.raises(ValueError, match=r"id -1 .*\[0, 5\)"):
        emb(np.array([[-1, 2]]))
    with pytest.raises(ValueError, match="finite"):
        emb(np.array([[np.nan]]))
    model = keras.Sequential([layers.Embedding(5, 2, input_length=2), layers.Flatten()])
    with pytest.raises(ValueError, match="id 5"):
        model.predict(np.array([[1, 5]]), verbose=0)


def test_input_length_per_axis_and_mismatch():
    emb = layers.Embedding(10, 3, input_length=[2, None])
    assert emb.compute_output_shape((None, 2, 5)) == (None, 2, 5, 3)
    assert keras.Sequential([emb]).output_shape == (None, 2, None, 3)
    with pytest.raises(ValueError, match=r'"input_length" is 6, but received input has shape'):
        layers.Embedding(10, 3, input_length=6).compute_output_shape((None, 5))
    with pytest.raises(ValueError, match=r"input_length=\[0\]"):
        layers.Embedding(10, 3, input_length=[0])
