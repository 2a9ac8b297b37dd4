"""Conv/pooling layers: shapes, summary rows, configs, saving, Keras files, training, errors.

Output shapes below are tf_keras 2.21's ``compute_output_shape`` for the same arguments
(computed with /work/benchvenv, Nov 2026). Forward values and gradients against tf_keras are
in test_conv_reference.py.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

import lamina
from lamina import layers

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "conv")

# key: (class, padding, a, b, data_format) with (a, b) = (strides, dilation_rate) for the
# convolutions (Conv2D kernel (3, 2), 5 filters, input (None, 11, 12, 3); Conv1D kernel 3,
# 4 filters, input (None, 10, 2)) and (pool_size, strides) for pooling (input (None, 11, 12, 3)
# or (None, 11, 3)); channels_first inputs are (None, 3, 11, 12).
TF_KERAS_SHAPES = {
    ("Conv2D", "valid", 1, 1, "channels_last"): (None, 9, 11, 5),
    ("Conv2D", "valid", 1, 1, "channels_first"): (None, 5, 9, 11),
    ("Conv2D", "valid", 1, 2, "channels_last"): (None, 7, 10, 5),
    ("Conv2D", "valid", 1, 2, "channels_first"): (None, 5, 7, 10),
    ("Conv2D", "valid", 1, (1, 3), "channels_last"): (None, 9, 9, 5),
    ("Conv2D", "valid", 1, (1, 3), "channels_first"): (None, 5, 9, 9),
    ("Conv2D", "valid", 2, 1, "channels_last"): (None, 5, 6, 5),
    ("Conv2D", "valid", 2, 1, "channels_first"): (None, 5, 5, 6),
    ("Conv2D", "valid", (2, 3), 1, "channels_last"): (None, 5, 4, 5),
    ("Conv2D", "valid", (2, 3), 1, "channels_first"): (None, 5, 5, 4),
    ("Conv2D", "same", 1, 1, "channels_last"): (None, 11, 12, 5),
    ("Conv2D", "same", 1, 1, "channels_first"): (None, 5, 11, 12),
    ("Conv2D", "same", 1, 2, "channels_last"): (None, 11, 12, 5),
    ("Conv2D", "same", 1, 2, "channels_first"): (None, 5, 11, 12),
    ("Conv2D", "same", 1, (1, 3), "channels_last"): (None, 11, 12, 5),
    ("Conv2D", "same", 1, (1, 3), "channels_first"): (None, 5, 11, 12),
    ("Conv2D", "same", 2, 1, "channels_last"): (None, 6, 6, 5),
    ("Conv2D", "same", 2, 1, "channels_first"): (None, 5, 6, 6),
    ("Conv2D", "same", (2, 3), 1, "channels_last"): (None, 6, 4, 5),
    ("Conv2D", "same", (2, 3), 1, "channels_first"): (None, 5, 6, 4),
    ("Conv1D", "valid", 1, 1, "channels_last"): (None, 8, 4),
    ("Conv1D", "valid", 1, 2, "channels_last"): (None, 6, 4),
    ("Conv1D", "valid", 3, 1, "channels_last"): (None, 3, 4),
    ("Conv1D", "same", 1, 1, "channels_last"): (None, 10, 4),
    ("Conv1D", "same", 1, 2, "channels_last"): (None, 10, 4),
    ("Conv1D", "same", 3, 1, "channels_last"): (None, 4, 4),
    ("Conv1D", "causal", 1, 1, "channels_last"): (None, 10, 4),
    ("Conv1D", "causal", 1, 2, "channels_last"): (None, 10, 4),
    ("Conv1D", "causal", 3, 1, "channels_last"): (None, 4, 4),
    ("MaxPooling2D", "valid", 2, None, "channels_last"): (None, 5, 6, 3),
    ("MaxPooling2D", "valid", 2, None, "channels_first"): (None, 3, 5, 6),
    ("MaxPooling2D", "same", 2, None, "channels_last"): (None, 6, 6, 3),
    ("MaxPooling2D", "same", 2, None, "channels_first"): (None, 3, 6, 6),
    ("MaxPooling2D", "valid", 2, 1, "channels_last"): (None, 10, 11, 3),
    ("MaxPooling2D", "valid", 2, 1, "channels_first"): (None, 3, 10, 11),
    ("MaxPooling2D", "same", 2, 1, "channels_last"): (None, 11, 12, 3),
    ("MaxPooling2D", "same", 2, 1, "channels_first"): (None, 3, 11, 12),
    ("MaxPooling2D", "valid", 2, 2, "channels_last"): (None, 5, 6, 3),
    ("MaxPooling2D", "valid", 2, 2, "channels_first"): (None, 3, 5, 6),
    ("MaxPooling2D", "same", 2, 2, "channels_last"): (None, 6, 6, 3),
    ("MaxPooling2D", "same", 2, 2, "channels_first"): (None, 3, 6, 6),
    ("MaxPooling2D", "valid", 3, None, "channels_last"): (None, 3, 4, 3),
    ("MaxPooling2D", "valid", 3, None, "channels_first"): (None, 3, 3, 4),
    ("MaxPooling2D", "same", 3, None, "channels_last"): (None, 4, 4, 3),
    ("MaxPooling2D", "same", 3, None, "channels_first"): (None, 3, 4, 4),
    ("MaxPooling2D", "valid", 3, 1, "channels_last"): (None, 9, 10, 3),
    ("MaxPooling2D", "valid", 3, 1, "channels_first"): (None, 3, 9, 10),
    ("MaxPooling2D", "same", 3, 1, "channels_last"): (None, 11, 12, 3),
    ("MaxPooling2D", "same", 3, 1, "channels_first"): (None, 3, 11, 12),
    ("MaxPooling2D", "valid", 3, 2, "channels_last"): (None, 5, 5, 3),
    ("MaxPooling2D", "valid", 3, 2, "channels_first"): (None, 3, 5, 5),
    ("MaxPooling2D", "same", 3, 2, "channels_last"): (None, 6, 6, 3),
    ("MaxPooling2D", "same", 3, 2, "channels_first"): (None, 3, 6, 6),
    ("MaxPooling2D", "valid", (2, 3), None, "channels_last"): (None, 5, 4, 3),
    ("MaxPooling2D", "valid", (2, 3), None, "channels_first"): (None, 3, 5, 4),
    ("MaxPooling2D", "same", (2, 3), None, "channels_last"): (None, 6, 4, 3),
    ("MaxPooling2D", "same", (2, 3), None, "channels_first"): (None, 3, 6, 4),
    ("MaxPooling2D", "valid", (2, 3), 1, "channels_last"): (None, 10, 10, 3),
    ("MaxPooling2D", "valid", (2, 3), 1, "channels_first"): (None, 3, 10, 10),
    ("MaxPooling2D", "same", (2, 3), 1, "channels_last"): (None, 11, 12, 3),
    ("MaxPooling2D", "same", (2, 3), 1, "channels_first"): (None, 3, 11, 12),
    ("MaxPooling2D", "valid", (2, 3), 2, "channels_last"): (None, 5, 5, 3),
    ("MaxPooling2D", "valid", (2, 3), 2, "channels_first"): (None, 3, 5, 5),
    ("MaxPooling2D", "same", (2, 3), 2, "channels_last"): (None, 6, 6, 3),
    ("MaxPooling2D", "same", (2, 3), 2, "channels_first"): (None, 3, 6, 6),
    ("AveragePooling2D", "valid", 2, None, "channels_last"): (None, 5, 6, 3),
    ("AveragePooling2D", "valid", 2, None, "channels_first"): (None, 3, 5, 6),
    ("AveragePooling2D", "same", 2, None, "channels_last"): (None, 6, 6, 3),
    ("AveragePooling2D", "same", 2, None, "channels_first"): (None, 3, 6, 6),
    ("AveragePooling2D", "valid", 2, 1, "channels_last"): (None, 10, 11, 3),
    ("AveragePooling2D", "valid", 2, 1, "channels_first"): (None, 3, 10, 11),
    ("AveragePooling2D", "same", 2, 1, "channels_last"): (None, 11, 12, 3),
    ("AveragePooling2D", "same", 2, 1, "channels_first"): (None, 3, 11, 12),
    ("AveragePooling2D", "valid", 2, 2, "channels_last"): (None, 5, 6, 3),
    ("AveragePooling2D", "valid", 2, 2, "channels_first"): (None, 3, 5, 6),
    ("AveragePooling2D", "same", 2, 2, "channels_last"): (None, 6, 6, 3),
    ("AveragePooling2D", "same", 2, 2, "channels_first"): (None, 3, 6, 6),
    ("AveragePooling2D", "valid", 3, None, "channels_last"): (None, 3, 4, 3),
    ("AveragePooling2D", "valid", 3, None, "channels_first"): (None, 3, 3, 4),
    ("AveragePooling2D", "same", 3, None, "channels_last"): (None, 4, 4, 3),
    ("AveragePooling2D", "same", 3, None, "channels_first"): (None, 3, 4, 4),
    ("AveragePooling2D", "valid", 3, 1, "channels_last"): (None, 9, 10, 3),
    ("AveragePooling2D", "valid", 3, 1, "channels_first"): (None, 3, 9, 10),
    ("AveragePooling2D", "same", 3, 1, "channels_last"): (None, 11, 12, 3),
    ("AveragePooling2D", "same", 3, 1, "channels_first"): (None, 3, 11, 12),
    ("AveragePooling2D", "valid", 3, 2, "channels_last"): (None, 5, 5, 3),
    ("AveragePooling2D", "valid", 3, 2, "channels_first"): (None, 3, 5, 5),
    ("AveragePooling2D", "same", 3, 2, "channels_last"): (None, 6, 6, 3),
    ("AveragePooling2D", "same", 3, 2, "channels_first"): (None, 3, 6, 6),
    ("AveragePooling2D", "valid", (2, 3), None, "channels_last"): (None, 5, 4, 3),
    ("AveragePooling2D", "valid", (2, 3), None, "channels_first"): (None, 3, 5, 4),
    ("AveragePooling2D", "same", (2, 3), None, "channels_last"): (None, 6, 4, 3),
    ("AveragePooling2D", "same", (2, 3), None, "channels_first"): (None, 3, 6, 4),
    ("AveragePooling2D", "valid", (2, 3), 1, "channels_last"): (None, 10, 10, 3),
    ("AveragePooling2D", "valid", (2, 3), 1, "channels_first"): (None, 3, 10, 10),
    ("AveragePooling2D", "same", (2, 3), 1, "channels_last"): (None, 11, 12, 3),
    ("AveragePooling2D", "same", (2, 3), 1, "channels_first"): (None, 3, 11, 12),
    ("AveragePooling2D", "valid", (2, 3), 2, "channels_last"): (None, 5, 5, 3),
    ("AveragePooling2D", "valid", (2, 3), 2, "channels_first"): (None, 3, 5, 5),
    ("AveragePooling2D", "same", (2, 3), 2, "channels_last"): (None, 6, 6, 3),
    ("AveragePooling2D", "same", (2, 3), 2, "channels_first"): (None, 3, 6, 6),
    ("MaxPooling1D", "valid", 2, None, "channels_last"): (None, 5, 3),
    ("MaxPooling1D", "same", 2, None, "channels_last"): (None, 6, 3),
    ("MaxPooling1D", "valid", 2, 1, "channels_last"): (None, 10, 3),
    ("MaxPooling1D", "same", 2, 1, "channels_last"): (None, 11, 3),
    ("MaxPooling1D", "valid", 2, 2, "channels_last"): (None, 5, 3),
    ("MaxPooling1D", "same", 2, 2, "channels_last"): (None, 6, 3),
    ("MaxPooling1D", "valid", 3, None, "channels_last"): (None, 3, 3),
    ("MaxPooling1D", "same", 3, None, "channels_last"): (None, 4, 3),
    ("MaxPooling1D", "valid", 3, 1, "channels_last"): (None, 9, 3),
    ("MaxPooling1D", "same", 3, 1, "channels_last"): (None, 11, 3),
    ("MaxPooling1D", "valid", 3, 2, "channels_last"): (None, 5, 3),
    ("MaxPooling1D", "same", 3, 2, "channels_last"): (None, 6, 3),
    ("AveragePooling1D", "valid", 2, None, "channels_last"): (None, 5, 3),
    ("AveragePooling1D", "same", 2, None, "channels_last"): (None, 6, 3),
    ("AveragePooling1D", "valid", 2, 1, "channels_last"): (None, 10, 3),
    ("AveragePooling1D", "same", 2, 1, "channels_last"): (None, 11, 3),
    ("AveragePooling1D", "valid", 2, 2, "channels_last"): (None, 5, 3),
    ("AveragePooling1D", "same", 2, 2, "channels_last"): (None, 6, 3),
    ("AveragePooling1D", "valid", 3, None, "channels_last"): (None, 3, 3),
    ("AveragePooling1D", "same", 3, None, "channels_last"): (None, 4, 3),
    ("AveragePooling1D", "valid", 3, 1, "channels_last"): (None, 9, 3),
    ("AveragePooling1D", "same", 3, 1, "channels_last"): (None, 11, 3),
    ("AveragePooling1D", "valid", 3, 2, "channels_last"): (None, 5, 3),
    ("AveragePooling1D", "same", 3, 2, "channels_last"): (None, 6, 3),
}


def _make(key):
    cls, pad, a, b, fmt = key
    if cls == "Conv2D":
        return layers.Conv2D(5, (3, 2), strides=a, padding=pad, dilation_rate=b, data_format=fmt)
    if cls == "Conv1D":
        return layers.Conv1D(4, 3, strides=a, padding=pad, dilation_rate=b)
    return getattr(layers, cls)(a, b, pad, fmt)


def _input_shape(key):
    cls, fmt = key[0], key[4]
    if cls == "Conv1D":
        return (None, 10, 2)
    if cls.endswith("1D"):
        return (None, 11, 3)
    return (None, 11, 12, 3) if fmt == "channels_last" else (None, 3, 11, 12)


@pytest.mark.parametrize("key", list(TF_KERAS_SHAPES), ids=[str(k) for k in TF_KERAS_SHAPES])
def test_output_shapes_match_tf_keras(key):
    layer = _make(key)
    shape = _input_shape(key)
    expected = TF_KERAS_SHAPES[key]
    assert layer.compute_output_shape(shape) == expected
    y = layer(np.zeros((1,) + shape[1:], "float32"))
    assert tuple(y.shape) == (1,) + expected[1:]
    assert tuple(layer(lamina.Input(shape[1:])).shape) == expected


def mnist_cnn():
    L = layers
    return lamina.keras.Sequential(
        [
            lamina.keras.Input((28, 28, 1)),
            L.Conv2D(32, 3, activation="relu"),
            L.MaxPooling2D(),
            L.Conv2D(64, (3, 3), activation="relu"),
            L.MaxPooling2D(),
            L.Flatten(),
            L.Dense(10, activation="softmax"),
        ]
    )


def test_summary_rows_names_and_param_counts(capsys):
    model = mnist_cnn()
    model.summary()
    text = capsys.readouterr().out
    assert " conv2d (Conv2D)             (None, 26, 26, 32)        320       " in text
    assert " conv2d_1 (Conv2D)           (None, 11, 11, 64)        18496     " in text
    assert "max_pooling2d_1" in text and "(None, 5, 5, 64)" in text
    assert "Total params: 34,826" in text  # tf.keras: 34826 as well
    assert [w.name.split(":")[0] for w in model.layers[0].weights] == [
        "conv2d/kernel",
        "conv2d/bias",
    ]
    assert model.layers[0].kernel.shape == (3, 3, 1, 32)
    assert model.layers[2].kernel.shape == (3, 3, 32, 64)


def test_auto_names_and_aliases():
    names = [
        layers.Conv2D(1, 1).name,
        layers.Convolution2D(1, 1).name,
        layers.Conv1D(1, 1).name,
        layers.MaxPool2D().name,
        layers.MaxPooling2D().name,
        layers.AvgPool1D().name,
        layers.GlobalAvgPool2D().name,
        layers.GlobalMaxPool1D().name,
        layers.ZeroPadding2D().name,
        layers.UpSampling2D().name,
        layers.Cropping1D().name,
    ]
    assert names == [
        "conv2d",
        "conv2d_1",
        "conv1d",
        "max_pooling2d",
        "max_pooling2d_1",
        "average_pooling1d",
        "global_average_pooling2d",
        "global_max_pooling1d",
        "zero_padding2d",
        "up_sampling2d",
        "cropping1d",
    ]
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.Convolution1D is layers.Conv1D


def test_import_paths():
    import lamina.keras as lk
    from lamina.layers import AveragePooling2D, Conv2D, GlobalAveragePooling1D

    assert lk.layers.Conv2D is Conv2D
    assert lk.layers.AveragePooling2D is AveragePooling2D
    assert lk.layers.GlobalAveragePooling1D is GlobalAveragePooling1D


def test_keras_and_tf_keras_import_paths_through_the_hook():
    import subprocess
    import sys

    code = (
        "import lamina.compat as c; c.install()\n"
        "import keras, tensorflow as tf\n"
        "from keras.layers import Conv2D, MaxPooling2D\n"
        "from keras.layers.convolutional import Conv1D\n"
        "from tensorflow.keras.layers import GlobalAveragePooling2D\n"
        "assert tf.keras.layers.Conv2D is Conv2D is keras.layers.Conv2D\n"
        "print(Conv2D.__module__, MaxPooling2D.__name__, Conv1D.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["lamina.layers.convolutional", "MaxPooling2D", "Conv1D"]


# tf_keras 2.21 get_config() (names aside), the keys in order
TF_KERAS_CONFIGS = {
    "Conv2D": {
        "filters": 32, "kernel_size": (3, 3), "strides": (1, 1), "padding": "valid",
        "data_format": "channels_last", "dilation_rate": (1, 1), "groups": 1,
        "activation": "linear", "use_bias": True,
    },
    "Conv1D": {
        "filters": 4, "kernel_size": (3,), "strides": (1,), "padding": "causal",
        "data_format": "channels_last", "dilation_rate": (1,), "groups": 1,
        "activation": "linear", "use_bias": True,
    },
    "MaxPooling2D": {
        "pool_size": (2, 2), "padding": "valid", "strides": (2, 2), "data_format": "channels_last"
    },
    "AveragePooling1D": {
        "strides": (2,), "pool_size": (2,), "padding": "valid", "data_format": "channels_last"
    },
    "GlobalAveragePooling2D": {"data_format": "channels_last", "keepdims": False},
    "GlobalMaxPooling1D": {"data_format": "channels_last", "keepdims": False},
    "ZeroPadding2D": {"padding": ((1, 1), (1, 1)), "data_format": "channels_last"},
    "ZeroPadding1D": {"padding": (1, 1)},
    "UpSampling2D": {"size": (2, 2), "data_format": "channels_last", "interpolation": "nearest"},
    "UpSampling1D": {"size": 2},
    "Cropping2D": {"cropping": ((0, 0), (0, 0)), "data_format": "channels_last"},
    "Cropping1D": {"cropping": (1, 1)},
}  # fmt: skip
CONSTRUCT = {"Conv2D": ((32, 3), {}), "Conv1D": ((4, 3), {"padding": "causal"})}


@pytest.mark.parametrize("cls", list(TF_KERAS_CONFIGS))
def test_config_matches_tf_keras_and_round_trips(cls):
    args, kwargs = CONSTRUCT.get(cls, ((), {}))
    layer = getattr(layers, cls)(*args, **kwargs)
    config = layer.get_config()
    base = ["name", "trainable", "dtype"]
    want = TF_KERAS_CONFIGS[cls]
    got_keys = [k for k in config if k not in base]
    if cls.startswith("Conv"):
        assert got_keys[: len(want)] == list(want)
        assert got_keys[len(want) :] == [
            "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
            "activity_regularizer", "kernel_constraint", "bias_constraint",
        ]  # fmt: skip
        assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    else:
        assert got_keys == list(want)
    assert {k: config[k] for k in want} == want
    clone = type(layer).from_config(config)
    assert clone.get_config() == config


def test_conv_with_regularizer_constraint_and_initializer_round_trips():
    layer = layers.Conv2D(
        3, 2, kernel_regularizer="l2", bias_constraint="non_neg", kernel_initializer="ones",
        activation="relu", groups=1, data_format="channels_first",
    )  # fmt: skip
    y = layer(np.ones((1, 2, 4, 4), "float32"))
    np.testing.assert_allclose(y.numpy(), 8.0)  # 2x2x2 ones
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0]), 0.01 * 24)
    clone = layers.Conv2D.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


def test_keras2_spellings():
    conv = layers.Convolution2D(nb_filter=8, kernel_size=3, border_mode="same", subsample=(2, 2))
    assert (conv.filters, conv.padding, conv.strides) == (8, "same", (2, 2))
    c1 = layers.Conv1D(nb_filter=2, filter_length=4, subsample_length=2, init="ones")
    assert (c1.kernel_size, c1.strides) == ((4,), (2,))
    assert layers.MaxPooling1D(pool_length=3).pool_size == (3,)
    assert layers.MaxPooling2D(border_mode="same").padding == "same"


def build_small_cnn():
    L = layers
    img = lamina.keras.Input((8, 8, 2))
    h = L.Conv2D(4, 3, padding="same", activation="relu")(img)
    h = L.MaxPooling2D()(h)
    h = L.Conv2D(3, 2, dilation_rate=2, groups=1)(h)
    h = L.GlobalAveragePooling2D()(h)
    return lamina.keras.Model(img, L.Dense(2, activation="softmax")(h))


@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_save_and_load_round_trip(tmp_path, ext):
    from lamina.models import load_model

    model = build_small_cnn()
    model.compile("adam", "sparse_categorical_crossentropy")
    x = np.random.rand(6, 8, 8, 2).astype("float32")
    model.fit(x, np.arange(6) % 2, epochs=1, verbose=0)
    path = str(tmp_path / f"cnn{ext}")
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), 1e-6)
    assert [type(la).__name__ for la in loaded.layers] == [type(la).__name__ for la in model.layers]
    assert loaded.layers[1].get_config() == model.layers[1].get_config()


@pytest.mark.parametrize("name", ["tfk2_cnn.h5", "k3_cnn.keras"])
def test_files_written_by_keras_load_with_equal_predictions(name):
    from lamina.models import load_model

    spec = importlib.util.spec_from_file_location(
        "make_cnn_files", os.path.join(FIXTURES, "make_cnn_files.py")
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    model = load_model(os.path.join(FIXTURES, name))
    expected = np.load(os.path.join(FIXTURES, "cnn_predictions.npz"))[name.split(".")[0]]
    np.testing.assert_allclose(model.predict(list(mod.probes()), verbose=0), expected, atol=1e-6)
    kinds = {type(la).__name__ for la in model.layers}
    assert {"Conv2D", "Conv1D", "MaxPooling2D", "UpSampling2D", "Cropping2D"} <= kinds


def test_cnn_learns_a_synthetic_task():
    rng = np.random.RandomState(0)
    x = rng.rand(96, 8, 8, 2).astype("float32")
    y = (x[:, :4, :, 0].mean(axis=(1, 2)) > x[:, 4:, :, 0].mean(axis=(1, 2))).astype(int)
    lamina.random.set_seed(0)
    model = build_small_cnn()
    model.compile(lamina.keras.optimizers.Adam(0.02), "sparse_categorical_crossentropy")
    hist = model.fit(x, y, epochs=12, batch_size=16, verbose=0)
    loss = hist.history["loss"]
    assert loss[-1] < 0.6 * loss[0]


def test_conv1d_causal_output_does_not_see_the_future():
    layer = layers.Conv1D(1, 3, padding="causal", dilation_rate=2, kernel_initializer="ones")
    x = np.zeros((1, 9, 1), "float32")
    base = layer(x).numpy()
    x[0, 6, 0] = 1.0
    changed = np.nonzero(layer(x).numpy()[0, :, 0] - base[0, :, 0])[0].tolist()
    assert changed == [6, 8]


def test_global_average_pooling1d_mask():
    x = np.arange(12, dtype="float32").reshape(1, 4, 3)
    mask = np.array([[True, True, False, False]])
    y = layers.GlobalAveragePooling1D()(x, mask=mask)
    np.testing.assert_allclose(y.numpy(), [[1.5, 2.5, 3.5]])


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: layers.Conv2D(0, 3), "Invalid value for argument `filters`. Expected a strictly"),
        (lambda: layers.Conv2D(2.5, 3), "Received filters=2.5"),
        (lambda: layers.Conv2D(4, 0), "`kernel_size` argument must be a tuple of 2 integers"),
        (lambda: layers.Conv2D(4, (3, 3, 3)), r"Received: \(3, 3, 3\)"),
        (lambda: layers.Conv2D(4, "a"), "`kernel_size` argument must be a tuple of 2"),
        (lambda: layers.Conv2D(4, 3, padding="full"), "`padding` argument must be one of"),
        (lambda: layers.Conv2D(4, 3, padding="causal"), "Causal padding is only supported for"),
        (lambda: layers.Conv2D(4, 3, strides=0), "requirement `> 0`"),
        (lambda: layers.Conv2D(4, 3, strides=2, dilation_rate=2), "`strides > 1` not supported"),
        (lambda: layers.Conv2D(4, 3, data_format="nhwc"), "`data_format` argument must be one"),
        (lambda: layers.Conv2D(4, 3, groups=3), "filters must be evenly divisible by the number"),
        (lambda: layers.Conv2D(4, 3, groups=0), "Invalid value for argument `groups`"),
        (lambda: layers.Conv2D(4, 3)(np.zeros((1, 5, 5), "f")), "expected min_ndim=4, found"),
        (lambda: layers.Conv2D(4, 7)(np.zeros((1, 5, 5, 1), "f")), "dimensions in the output"),
        (
            lambda: layers.Conv1D(4, 3, groups=2)(np.zeros((1, 5, 3), "f")),
            "number of input channels must be evenly divisible",
        ),
        (lambda: layers.MaxPooling2D(padding="x"), "`padding` argument must be one of"),
        (lambda: layers.MaxPooling2D(pool_size=0), "`pool_size` argument must be a tuple of 2"),
        (lambda: layers.MaxPooling2D(strides=0), "`strides` argument must be a tuple of 2"),
        (lambda: layers.MaxPooling1D(padding="causal"), "Causal padding is only supported"),
        (lambda: layers.MaxPooling2D(3)(np.zeros((1, 2, 2, 1), "f")), "dimensions in the output"),
        (lambda: layers.GlobalAveragePooling2D(data_format="x"), "`data_format` argument"),
        (lambda: layers.GlobalMaxPooling2D()(np.zeros((1, 2, 2), "f")), "expected ndim=4"),
        (lambda: layers.ZeroPadding2D(padding=(1, 2, 3)), "`padding` should have two elements"),
        (lambda: layers.ZeroPadding2D(padding=-1), "`padding` amounts must be >= 0"),
        (lambda: layers.UpSampling2D(interpolation="cubic"), "not recognized for `interpolation`"),
        (lambda: layers.UpSampling2D(size=0), "`size` argument must be a tuple of 2 integers"),
        (lambda: layers.Cropping2D(cropping=(1, 2, 3)), "`cropping` should have two elements"),
        (lambda: layers.Cropping2D(5)(np.zeros((1, 5, 5, 1), "f")), "removes all of axis 1"),
        (lambda: layers.Conv2D(4), "need a `kernel_size` argument"),
    ],
)
def test_bad_arguments_raise_clear_errors(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_conv_transpose_config_shapes_and_errors():
    layer = layers.Conv2DTranspose(3, 3, strides=2, padding="same", output_padding=1)
    assert layer.name == "conv2d_transpose"
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    config = layer.get_config()
    # tf_keras 2.21: Conv2D's keys, then output_padding ("groups" left out: Keras 3 refuses it)
    assert list(config)[-1] == "output_padding" and config["output_padding"] == (1, 1)
    assert "groups" not in config
    assert layers.Conv2DTranspose.from_config(config).get_config() == config
    assert layers.Conv2DTranspose.from_config(dict(config, groups=1)).get_config() == config
    # tf_keras 2.21 compute_output_shape values
    assert layer.compute_output_shape((None, 7, 7, 4)) == (None, 14, 14, 3)
    assert layers.Conv2DTranspose(2, 3).compute_output_shape((None, 5, 6, 1)) == (None, 7, 8, 2)
    assert layers.Conv2DTranspose(2, 4, strides=3).compute_output_shape((None, 5, 6, 1)) == (
        None, 16, 19, 2,
    )  # fmt: skip
    assert layers.Conv1DTranspose(2, 3, strides=2).compute_output_shape((None, 5, 1)) == (
        None, 11, 2,
    )  # fmt: skip
    y = layer(np.ones((2, 7, 7, 4), "float32"))
    assert tuple(y.shape) == (2, 14, 14, 3) and layer.kernel.shape == (3, 3, 3, 4)
    with pytest.raises(ValueError, match="Strides must be greater than output padding"):
        layers.Conv2DTranspose(3, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="Causal padding is only supported"):
        layers.Conv1DTranspose(3, 3, padding="causal")
    with pytest.raises(ValueError, match="`groups` must be 1"):
        layers.Conv2DTranspose(4, 3, groups=2)


def test_conv_autoencoder_learns_and_round_trips(tmp_path):
    from lamina.models import load_model

    L = layers
    lamina.random.set_seed(1)
    model = lamina.keras.Sequential(
        [
            lamina.keras.Input((8, 8, 1)),
            L.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
            L.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu"),
            L.Conv2D(1, 3, padding="same", activation="sigmoid"),
        ]
    )
    model.compile(lamina.keras.optimizers.Adam(0.02), "binary_crossentropy")
    x = (np.random.rand(32, 8, 8, 1) > 0.5).astype("float32")
    loss = model.fit(x, x, epochs=15, batch_size=8, verbose=0).history["loss"]
    assert loss[-1] < 0.8 * loss[0]
    model.save(str(tmp_path / "ae.keras"))
    loaded = load_model(str(tmp_path / "ae.keras"))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), 1e-6)


def test_depthwise_and_separable_configs_names_and_weights():
    dw = layers.DepthwiseConv2D(3, depth_multiplier=2)
    sep = layers.SeparableConv2D(4, 3, depth_multiplier=2)
    assert (dw.name, sep.name) == ("depthwise_conv2d", "separable_conv2d")
    assert layers.SeparableConvolution2D is layers.SeparableConv2D
    dw(np.ones((1, 5, 5, 3), "float32"))
    sep(np.ones((1, 5, 5, 3), "float32"))
    # tf_keras 2.21 weight names and shapes
    assert [(w.name.split(":")[0].split("/")[-1], w.shape) for w in sep.weights] == [
        ("depthwise_kernel", (3, 3, 3, 2)),
        ("pointwise_kernel", (1, 1, 6, 4)),
        ("bias", (4,)),
    ]
    assert [tuple(w.shape) for w in dw.weights] == [(3, 3, 3, 2), (6,)]
    # tf_keras 2.21 get_config keys, in order, less those Keras 3 refuses to load ("groups",
    # Separable's unused kernel_*)
    assert list(dw.get_config())[3:] == [
        "kernel_size", "strides", "padding", "data_format", "dilation_rate",
        "activation", "use_bias", "bias_initializer", "bias_regularizer",
        "activity_regularizer", "bias_constraint", "depth_multiplier", "depthwise_initializer",
        "depthwise_regularizer", "depthwise_constraint",
    ]  # fmt: skip
    assert list(sep.get_config())[3:] == [
        "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
        "activation", "use_bias", "bias_initializer",
        "bias_regularizer", "activity_regularizer",
        "bias_constraint", "depth_multiplier", "depthwise_initializer",
        "pointwise_initializer", "depthwise_regularizer", "pointwise_regularizer",
        "depthwise_constraint", "pointwise_constraint",
    ]  # fmt: skip
    for layer in (dw, sep, layers.SeparableConv1D(2, 3, padding="causal")):
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
        tf_keras_config = dict(config, groups=1)  # as tf.keras 2.x writes it
        assert type(layer).from_config(tf_keras_config).get_config() == config
    assert dw.count_params() == 3 * 3 * 3 * 2 + 6
    with pytest.raises(ValueError, match="Causal padding is only supported"):
        layers.DepthwiseConv1D(3, padding="causal")
    with pytest.raises(ValueError, match="`depth_multiplier`"):
        layers.DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        sep(np.ones((1, 5, 5, 2), "float32"))


def test_built_conv_refuses_inputs_with_other_channel_counts():
    conv = layers.Conv2D(2, 3)
    conv(np.ones((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        conv(np.ones((1, 5, 5, 4), "float32"))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        conv(lamina.keras.Input((5, 5, 4)))
    first = layers.Conv2D(2, 3, data_format="channels_first")
    y = first(np.ones((2, 3, 4, 6, 6), "float32"))  # extra leading batch axis, 4 channels
    assert tuple(y.shape) == (2, 3, 2, 4, 4) == first.compute_output_shape((2, 3, 4, 6, 6))
    with pytest.raises(ValueError, match="expected axis -3 of input shape to have value 4"):
        first(np.ones((1, 3, 6, 6), "float32"))


KERAS_PYTHON = os.environ.get("LAMINA_KERAS_PYTHON")


@pytest.mark.keras
@pytest.mark.skipif(not KERAS_PYTHON, reason="set LAMINA_KERAS_PYTHON to a Python with Keras 3")
# (tf_keras 2.21 cannot read lamina's .h5 files of any model yet: they carry Keras 3 configs.)
@pytest.mark.parametrize("ext,module", [(".keras", "keras"), (".h5", "keras")])
def test_real_keras_loads_lamina_cnn_files(tmp_path, ext, module):
    import subprocess
    import textwrap

    L = layers
    seq = lamina.keras.Input((9, 2))
    s = L.Conv1D(3, 3, padding="causal", dilation_rate=2, activation="relu")(seq)
    s = L.GlobalAveragePooling1D()(L.AveragePooling1D(padding="same")(s))
    img = lamina.keras.Input((8, 8, 2))
    h = L.Conv2D(4, 3, strides=2, padding="same", activation="relu")(L.ZeroPadding2D(1)(img))
    h = L.UpSampling2D(interpolation="bilinear")(L.MaxPooling2D(padding="same")(h))
    h = L.SeparableConv2D(3, 2, depth_multiplier=2)(L.DepthwiseConv2D(3, padding="same")(h))
    h = L.Conv2DTranspose(2, 3, strides=2, output_padding=1)(h)
    h = L.GlobalMaxPooling2D()(L.Cropping2D(((1, 0), (0, 1)))(h))
    out = L.Dense(2)(L.Concatenate()([h, s]))
    model = lamina.keras.Model([img, seq], out)
    model.compile("adam", "mse")
    xs = [np.random.rand(4, 8, 8, 2).astype("float32"), np.random.rand(4, 9, 2).astype("float32")]
    model.fit(xs, np.ones((4, 2)), epochs=1, verbose=0)
    path = str(tmp_path / f"cnn{ext}")
    model.save(path)
    np.savez(tmp_path / "data.npz", a=xs[0], b=xs[1], p=model.predict(xs, verbose=0))
    script = textwrap.dedent(f"""
        import os
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        import numpy as np, {module} as k
        m = k.models.load_model({path!r})
        d = np.load({str(tmp_path / "data.npz")!r})
        np.testing.assert_allclose(m.predict([d["a"], d["b"]], verbose=0), d["p"], atol=1e-5)
        print("OK")
    """)
    res = subprocess.run([KERAS_PYTHON, "-c", script], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "OK" in res.stdout
