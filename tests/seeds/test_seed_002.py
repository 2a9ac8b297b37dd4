"""Seed 002 (the arguments of ``fit``), replayed on lamina with only the imports changed.

The seed's output was printed by Keras 2.3 (``Train on 750 samples, validate on 250
samples``, samples-based verbose=2 lines, ``accuracy`` as written): lamina reproduces it with
``lamina.utils.set_output_style("keras2.3")``; the default style prints as tf.keras 2.x.
The data are random (no seed in the notebook), so values are checked by range and format.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import lamina

SUMMARY = """\
Model: "sequential"
_________________________________________________________________
 Layer (type)                Output Shape              Param #   
=================================================================
 dense (Dense)               (None, 8)                 80        
                                                                 
 dense_1 (Dense)             (None, 1)                 9         
                                                                 
=================================================================
Total params: 89
Trainable params: 89
Non-trainable params: 0
_________________________________________________________________
"""

# The seed's Keras 2.3 table, verbatim (its "=====" rules were lost when the notebook was
# converted to text: a line of "=" under a line of text is a Markdown heading marker).
SEED_SUMMARY_KERAS23 = """\
Model: "sequential_1"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
dense_1 (Dense)              (None, 8)                 80        
_________________________________________________________________
dense_2 (Dense)              (None, 1)                 9         
Total params: 89
Trainable params: 89
Non-trainable params: 0
_________________________________________________________________
"""

# " - 0s - loss: 0.6913 - accuracy: 0.5373 - val_loss: 0.6956 - val_accuracy: 0.5160"
KERAS23_VERBOSE2 = re.compile(
    r"^ - \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - "
    r"val_accuracy: \d\.\d{4}$"
)


@pytest.fixture
def data():
    # In [1]
    np.random.seed(2)
    X = np.random.rand(1000, 9)
    y = np.random.choice([0, 1], size=(1000,))
    return X, y


def build_model():
    # In [2] (also In [28])
    from lamina.layers import Dense
    from lamina.models import Sequential

    N = 3
    model = Sequential()
    model.add(Dense(N * N - 1, input_dim=(N * N), activation="relu"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    return model


def test_in1_random_data(data, capsys):
    X, y = data
    print(X[0:9], y[0:9])
    out = capsys.readouterr().out
    assert out.startswith("[[0.") and re.search(r"\]\] \[[01]( [01]){8}\]\n$", out)
    assert X.shape == (1000, 9) and set(np.unique(y)) == {0, 1}


def test_in2_summary(capsys):
    from IPython.display import SVG  # noqa: F401  (imported by the seed cell)

    model = build_model()
    model.summary()
    # tf.keras 2.x table and names (the seed's Keras 2.2 printed sequential_1 / dense_1 / dense_2)
    assert capsys.readouterr().out == SUMMARY
    assert model.count_params() == 89


def test_in2_summary_keras23_style(capsys):
    lamina.utils.set_output_style("keras2.3")  # before the layers are named
    model = build_model()
    model.summary()
    out = capsys.readouterr().out
    lines = out.splitlines(keepends=True)
    assert lines[3] == lines[7] == "=" * 65 + "\n"
    assert "".join(line for line in lines if not line.startswith("=")) == SEED_SUMMARY_KERAS23


def test_in3_fit_verbose2_keras23_output(data, capsys):
    X, y = data
    model = build_model()
    lamina.utils.set_output_style("keras2.3")
    history = model.fit(X, y, validation_split=0.25, epochs=10, batch_size=16, verbose=2)
    print(
        "Loss: ", history.history["val_loss"][-1], "Accuracy: ", history.history["val_accuracy"][-1]
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Train on 750 samples, validate on 250 samples"
    assert lines[1:21:2] == [f"Epoch {i}/10" for i in range(1, 11)]
    for line in lines[2:21:2]:
        assert KERAS23_VERBOSE2.match(line), line
    assert re.match(r"^Loss:  0\.\d+ Accuracy:  0\.\d+$", lines[21])
    assert len(lines) == 22
    # random labels: the model cannot learn (the seed: loss 0.6946, accuracy 0.516)
    assert 0.6 < history.history["val_loss"][-1] < 0.8
    assert 0.35 < history.history["val_accuracy"][-1] < 0.65


def test_in3_fit_verbose2_default_tf_keras_output(data, capsys):
    X, y = data
    model = build_model()
    model.fit(X, y, validation_split=0.25, epochs=2, batch_size=16, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    # 750 training rows in batches of 16: 47 steps (the last one partial)
    assert re.match(
        r"^47/47 - \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - "
        r"val_accuracy: \d\.\d{4} - \d+m?s/epoch - \d+[mu]?s/step$",
        lines[1],
    )


def test_in4_history_dict(data, capsys):
    X, y = data
    model = build_model()
    lamina.utils.set_output_style("keras2.3")
    history = model.fit(X, y, validation_split=0.25, epochs=10, batch_size=16, verbose=0)
    capsys.readouterr()
    print(history.history)
    out = capsys.readouterr().out
    assert isinstance(history.history, dict)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(v) == 10 for v in history.history.values())
    assert re.match(r"^\{'[a-z_]+': \[0\.\d+, ", out)
    # the seed's accuracies are multiples of 1/750 (training) and 1/250 (validation)
    acc = np.array(history.history["accuracy"]) * 750
    np.testing.assert_allclose(acc, np.round(acc), atol=1e-3)
    val_acc = np.array(history.history["val_accuracy"]) * 250
    np.testing.assert_allclose(val_acc, np.round(val_acc), atol=1e-3)


def test_in4_history_key_order_as_keras23(data, capsys):
    """Keras 2.3 stored the validation values first: {'val_loss': ..., 'val_accuracy': ...,
    'loss': ..., 'accuracy': ...} is what the seed prints."""
    X, y = data
    model = build_model()
    lamina.utils.set_output_style("keras2.3")
    history = model.fit(X, y, validation_split=0.25, epochs=2, batch_size=16, verbose=0)
    assert list(history.history) == ["val_loss", "val_accuracy", "loss", "accuracy"]


def test_in5_plot_history(data, plt):
    X, y = data
    model = build_model()
    history = model.fit(X, y, validation_split=0.25, epochs=3, batch_size=16, verbose=0)
    # In [5] (mpld3.display() is left out: mpld3 is not installed here)
    xValues = np.arange(1.0, len(history.history["loss"]) + 1, 1)
    plt.subplot(1, 2, 1)
    for key, vector in history.history.items():
        if key in ["val_accuracy", "accuracy"]:
            plt.plot(xValues, vector, label=key)
    plt.legend(loc="center left")
    plt.subplot(1, 2, 2)
    for key, vector in history.history.items():
        if key in ["val_loss", "loss"]:
            plt.plot(xValues, vector, label=key)
    plt.legend(loc="right")
    plt.tight_layout(pad=3.0)
    axes = plt.gcf().axes
    assert [len(ax.lines) for ax in axes] == [2, 2]
    assert sorted(line.get_label() for line in axes[0].lines) == ["accuracy", "val_accuracy"]


def test_in24_to_in38_learnable_data(data, capsys):
    X, _ = data
    # In [24]
    labels = np.array([int(round(sum(xv) / len(xv))) for xv in X])
    # In [28]
    model = build_model()
    # In [29]
    history = model.fit(X, labels, validation_split=0.25, epochs=1000, batch_size=256, verbose=0)
    print(
        "Loss: ", history.history["val_loss"][-1], "Accuracy: ", history.history["val_accuracy"][-1]
    )
    assert re.match(r"^Loss:  0\.\d+ Accuracy:  0\.\d+\n$", capsys.readouterr().out)
    # the seed reaches loss 0.0999 and accuracy 0.976
    assert history.history["val_loss"][-1] < 0.2
    assert history.history["val_accuracy"][-1] > 0.95
    assert len(history.epoch) == 1000

    # In [31]
    text_X = np.random.rand(1000, 9)
    test_y = np.random.choice([0, 1], size=(1000,))
    test_y = np.array([int(round(sum(xv) / len(xv))) for xv in text_X])
    print(text_X[0:10], test_y[0:10])
    capsys.readouterr()

    # In [38]
    result = model.evaluate(text_X, test_y)
    scores = dict(zip(model.metrics_names, result))
    out = capsys.readouterr().out
    assert re.match(
        r"^32/32 \[==============================\] - \d+s \d+[mu]?s/step - "
        r"loss: 0\.\d{4} - accuracy: 0\.\d{4}\n$",
        out,
    )
    assert list(scores) == ["loss", "accuracy"]
    assert all(isinstance(v, float) for v in scores.values())
    # the seed: {'loss': 0.0996, 'accuracy': 0.984}
    assert scores["loss"] < 0.2 and scores["accuracy"] > 0.95


def test_in38_evaluate_bar_in_keras23_style(data, capsys):
    """Keras 2.3's evaluate showed a samples-based bar without values (the seed's cell output
    is blank in the document; this is what Keras 2.3 printed there)."""
    X, _ = data
    labels = np.array([int(round(sum(xv) / len(xv))) for xv in X])
    model = build_model()
    lamina.utils.set_output_style("keras2.3")
    model.fit(X, labels, validation_split=0.25, epochs=2, batch_size=256, verbose=0)
    result = model.evaluate(X, labels)
    assert re.fullmatch(
        r"1000/1000 \[==============================\] - \d+s \d+[mu]?s/step\n",
        capsys.readouterr().out,
    )
    assert list(dict(zip(model.metrics_names, result))) == ["loss", "accuracy"]
