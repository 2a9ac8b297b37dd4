"""Seed 000 (classroom notebook: Keras 2.2 on scikit-learn's digits), replayed on lamina.

Only the imports change (``from keras.models import Sequential`` -> ``from lamina.models
import Sequential`` ...). The notebook's output was printed by Keras 2.2, which lamina
reproduces with ``lamina.utils.set_output_style("keras2.2")`` (samples-based bars, ``acc``
in History, ``Train on 1149 samples, validate on 288 samples``). Other changes, noted where
they happen: seaborn and mpld3 are not installed, so ``sns.lineplot(x, y, ax=ax)`` becomes
``ax.plot(x, y)``; scikit-learn 1.2+ renamed ``OneHotEncoder(sparse=False)`` to
``sparse_output=False``; epochs are reduced where the check does not depend on them.
lamina's random weights differ from Keras's, so learned values are checked by range.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import lamina

sk_datasets = pytest.importorskip("sklearn.datasets")
from sklearn.model_selection import train_test_split  # noqa: E402

# "1149/1149 [==============================] - 0s 121us/step - loss: 0.7928 - acc: 0.5039"
BAR = r"\[==============================\] - \d+s \d+[mu]?s/step"
TRAIN_LINE = re.compile(rf"^1149/1149 {BAR} - loss: \d\.\d{{4}} - acc: [01]\.\d{{4}}$")
VAL_LINE = re.compile(
    rf"^1149/1149 {BAR} - loss: \d\.\d{{4}} - acc: [01]\.\d{{4}} - val_loss: \d\.\d{{4}} - "
    rf"val_acc: [01]\.\d{{4}}$"
)
EARLY_STOP = re.compile(r"^Epoch \d{5}: early stopping$", re.MULTILINE)


@pytest.fixture(autouse=True)
def keras22():
    previous = lamina.utils.set_output_style("keras2.2")
    yield
    lamina.utils.set_output_style(previous)


@pytest.fixture
def binary_split():
    """The notebook's even/odd split: 1149 training, 288 validation, 360 test rows."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = digits.data
    y = digits.target
    y_binary = y % 2
    X_train, X_test, y_train, y_test = train_test_split(X, y_binary, random_state=42, test_size=0.2)
    X_t, X_val, y_t, y_val = train_test_split(X_train, y_train, random_state=42, test_size=0.2)
    X_t, X_val, X_test = X_t / 16, X_val / 16, X_test / 16
    return X_t, X_val, X_test, y_t, y_val, y_test


def sigmoid_model(optimizer="SGD"):
    from lamina.layers import Dense
    from lamina.models import Sequential

    model = Sequential()
    model.add(Dense(12, activation="sigmoid", input_dim=64))
    model.add(Dense(8, activation="sigmoid"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model


def relu_model(optimizer="SGD", hidden=(12, 8)):
    from lamina.layers import Dense
    from lamina.models import Sequential

    model = Sequential()
    model.add(Dense(hidden[0], activation="relu", input_dim=64))
    for units in hidden[1:]:
        model.add(Dense(units, activation="relu"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model


def epoch_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("1149/1149 [")]


def test_import_and_tensor_reshapes():
    import lamina as keras  # "import keras" (lamina prints no "Using TensorFlow backend.")

    assert keras.layers.Dense is not None
    # the image cells are NumPy: a (427, 640, 3) picture flattened and unrolled again
    image = np.arange(427 * 640 * 3, dtype=np.uint8).reshape(427, 640, 3)
    flat_image = image.reshape(-1, 1)
    unrowed = flat_image.reshape(427, 640, -1)
    assert image.shape == (427, 640, 3) and np.array_equal(unrowed, image)


def test_solution_cell_fits_the_digits(capsys):
    from sklearn.datasets import load_digits

    from lamina.layers import Dense
    from lamina.models import Sequential

    digits = load_digits()
    X = digits.data
    y = digits.target
    y_binary = y % 2
    assert y_binary[:3].tolist() == [0, 1, 0] and y_binary[-2:].tolist() == [1, 0]

    model = Sequential()
    model.add(Dense(12, activation="relu", input_dim=64))
    model.add(Dense(8, activation="relu"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X, y_binary, epochs=2, batch_size=10)  # the seed: epochs=50
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 1/2" and out[2] == "Epoch 2/2" and len(out) == 4
    assert re.fullmatch(rf"1797/1797 {BAR} - loss: \d\.\d{{4}} - acc: [01]\.\d{{4}}", out[1])


def test_split_shapes(binary_split):
    X_t, X_val, X_test, y_t, y_val, y_test = binary_split
    assert (X_t.shape, X_val.shape, X_test.shape) == ((1149, 64), (288, 64), (360, 64))


def test_sigmoid_sgd_verbose1_and_history_dict(binary_split, plt, capsys):
    X_t, X_val, X_test, y_t, y_val, y_test = binary_split
    np.random.seed(42)
    model = sigmoid_model()
    # Assign the variable history to store the results, and set verbose=1 so we can see the output.
    results = model.fit(X_t, y_t, epochs=10, batch_size=100, verbose=1)
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Epoch 1/10"  # no "Train on ..." line without validation
    assert out.splitlines()[::2] == [f"Epoch {i}/10" for i in range(1, 11)]
    lines = epoch_lines(out)
    assert len(lines) == 10 and all(TRAIN_LINE.match(line) for line in lines), lines

    # results.__dict__ as Keras 2.2 showed it
    state = results.__dict__
    assert list(state) == ["validation_data", "model", "params", "epoch", "history"]
    assert state["validation_data"] == []
    assert state["model"] is model
    assert state["params"] == {
        "batch_size": 100,
        "epochs": 10,
        "steps": None,
        "samples": 1149,
        "verbose": 1,
        "do_validation": False,
        "metrics": ["loss", "acc"],
    }
    assert state["epoch"] == list(range(10))
    assert list(state["history"]) == ["loss", "acc"]
    assert all(isinstance(v, float) for v in state["history"]["loss"])
    # printed values are the History values rounded to 4 digits
    for line, loss, acc in zip(lines, results.history["loss"], results.history["acc"]):
        assert f"loss: {loss:.4f} - acc: {acc:.4f}" in line
    # accuracies are multiples of 1/1149 (the seed: 0.5039164..., 579/1149)
    acc = np.array(results.history["acc"]) * 1149
    np.testing.assert_allclose(acc, np.round(acc), atol=2e-3)

    sigmoid_loss = results.history["loss"]
    sigmoid_accuracy = results.history["acc"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 5))
    ax1.plot(results.epoch, sigmoid_loss, label="loss")  # sns.lineplot(...) in the seed
    ax2.plot(results.epoch, sigmoid_accuracy, label="accuracy")

    # more epochs, batch 32 (the seed: 50 epochs)
    model = sigmoid_model()
    results = model.fit(X_t, y_t, epochs=3, batch_size=32, verbose=1)
    lines = epoch_lines(capsys.readouterr().out)
    assert len(lines) == 3 and all(TRAIN_LINE.match(line) for line in lines)


def test_sgd_batch_size_one_and_learning_rates(binary_split, capsys):
    X_t, X_val, X_test, y_t, y_val, y_test = binary_split
    np.random.seed(42)
    model = sigmoid_model()
    results = model.fit(X_t, y_t, epochs=10, batch_size=1, verbose=1)
    lines = epoch_lines(capsys.readouterr().out)
    assert len(lines) == 10 and all(TRAIN_LINE.match(line) for line in lines)
    # "by 10 epochs, the latter has achieved 90% accuracy" (the seed: 0.8886)
    assert results.history["acc"][-1] > 0.8
    assert results.history["loss"][-1] < results.history["loss"][0]

    from lamina.optimizers import SGD

    with pytest.warns(UserWarning, match="`lr` argument is deprecated"):
        sgd = SGD(lr=0.02)
    assert sgd.learning_rate.numpy() == pytest.approx(0.02)
    model = sigmoid_model(sgd)
    results = model.fit(X_t, y_t, epochs=2, batch_size=1, verbose=1)  # the seed: 10
    lines = epoch_lines(capsys.readouterr().out)
    assert len(lines) == 2 and all(TRAIN_LINE.match(line) for line in lines)
    assert list(results.history) == ["loss", "acc"]

    # a very high learning rate overshoots and bounces around
    with pytest.warns(UserWarning, match="`lr` argument is deprecated"):
        sgd = SGD(lr=9)
    model = sigmoid_model(sgd)
    results = model.fit(X_t, y_t, epochs=30, batch_size=10, verbose=1)
    lines = epoch_lines(capsys.readouterr().out)
    assert len(lines) == 30
    relu_loss = results.history["loss"]
    relu_accuracy = results.history["acc"]
    assert np.all(np.isfinite(relu_loss))
    assert np.any(np.diff(relu_loss) > 0)  # not a steady descent (the seed: 0.95 .. 1.15)
    assert 0.35 < np.mean(relu_accuracy) < 0.65  # the seed: ~0.5 throughout


def test_relu_sgd_and_adam(binary_split, capsys):
    X_t, X_val, X_test, y_t, y_val, y_test = binary_split
    np.random.seed(42)
    model = sigmoid_model()
    sigmoid_results = model.fit(X_t, y_t, epochs=50, batch_size=32, verbose=0)

    model = relu_model("SGD")
    # We can tinker with verbose to show the output
    results = model.fit(X_t, y_t, epochs=50, batch_size=32, verbose=0)
    assert capsys.readouterr().out == ""
    relu_loss = results.history["loss"]
    relu_accuracy = results.history["acc"]
    # "Compared to our original sigmoid with 50 epochs and batch 32, the relu activation
    # reaches a much higher accuracy"
    assert relu_accuracy[-1] > sigmoid_results.history["acc"][-1] + 0.1
    assert relu_loss[-1] < sigmoid_results.history["loss"][-1]

    model = relu_model("SGD")
    results = model.fit(X_t, y_t, epochs=2, batch_size=1, verbose=1)  # the seed: 10
    lines = epoch_lines(capsys.readouterr().out)
    assert len(lines) == 2 and all(TRAIN_LINE.match(line) for line in lines)

    model = relu_model("adam")
    results = model.fit(X_t, y_t, epochs=50, batch_size=32, verbose=0)
    assert results.history["acc"][-1] > 0.95  # "our accuracy is really improving"

    model = relu_model("adam", hidden=(12, 8, 4))
    results = model.fit(X_t, y_t, epochs=100, batch_size=32, verbose=0)
    adam_loss = results.history["loss"]
    model = relu_model("SGD", hidden=(12, 8, 4))
    results = model.fit(X_t, y_t, epochs=100, batch_size=32, verbose=0)
    sgd_loss = results.history["loss"]
    # "look at how much more quickly Adam learns than SGD"
    assert adam_loss[-1] < sgd_loss[-1]
    assert len(results.epoch) == 100


def deep_model(hidden, regularized=(), dropout=None):
    """The notebook's deeper relu stacks (kernel_regularizer / Dropout where it put them)."""
    from lamina import regularizers
    from lamina.layers import Dense, Dropout
    from lamina.models import Sequential

    model = Sequential()
    model.add(Dense(hidden[0], activation="relu", input_dim=64))
    for i, units in enumerate(hidden[1:], start=1):
        if dropout and dropout[i - 1]:
            model.add(Dropout(dropout[i - 1]))
        reg = regularizers.l2(0.01) if i in regularized else None
        model.add(Dense(units, activation="relu", kernel_regularizer=reg))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_validation_data_models_regularizers_and_dropout(binary_split, plt, capsys):
    X_t, X_val, X_test, y_t, y_val, y_test = binary_split
    np.random.seed(42)
    model = relu_model("adam", hidden=(12, 8, 4))
    results = model.fit(
        X_t, y_t, epochs=100, batch_size=32, verbose=0, validation_data=(X_val, y_val)
    )
    assert capsys.readouterr().out == ""
    train_loss = results.history["loss"]
    train_acc = results.history["acc"]
    val_loss = results.history["val_loss"]
    val_acc = results.history["val_acc"]
    assert list(results.history) == ["val_loss", "val_acc", "loss", "acc"]  # Keras 2.2 order
    assert len(train_loss) == len(train_acc) == len(val_loss) == len(val_acc) == 100
    assert val_acc[-1] > 0.9
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 5))
    ax1.plot(results.epoch, train_loss, label="train_loss")
    ax2.plot(results.epoch, train_acc, label="train_accuracy")
    ax1.plot(results.epoch, val_loss, label="val_loss")
    ax2.plot(results.epoch, val_acc, label="val_accuracy")

    np.random.seed(42)
    deep = deep_model((30, 20, 12, 12, 12, 8, 4))
    results = deep.fit(
        X_t, y_t, epochs=100, batch_size=32, verbose=0, validation_data=(X_val, y_val)
    )
    assert results.history["val_acc"][-1] > 0.9
    unregularized_loss = results.history["loss"][-1]

    # the wide model, as the seed builds it (it is trained below with Dropout layers added;
    # the seed's 100 epochs only show a random amount of overfitting)
    np.random.seed(42)
    wide = deep_model((300, 200, 80, 4))
    assert wide.count_params() == 300 * 65 + 200 * 301 + 80 * 201 + 4 * 81 + 5

    # regularizers.l2(0.01) on one, then on every hidden layer: the penalty is in the loss
    np.random.seed(42)
    model = deep_model((30, 20, 12, 12, 12, 8, 4), regularized={1})
    assert len(model.losses) == 1
    np.random.seed(42)
    model = deep_model((30, 20, 12, 12, 12, 8, 4), regularized={1, 2, 3, 4, 5, 6})
    assert len(model.losses) == 6
    results = model.fit(
        X_t, y_t, epochs=100, batch_size=32, verbose=0, validation_data=(X_val, y_val)
    )
    assert results.history["loss"][-1] > unregularized_loss
    assert results.history["val_acc"][-1] > 0.9

    # Dropout(.5), Dropout(.5), Dropout(.1) between the wide layers
    np.random.seed(42)
    model = deep_model((300, 200, 80, 4), dropout=(0.5, 0.5, 0.1))
    assert [type(layer).__name__ for layer in model.layers] == [
        "Dense",
        "Dropout",
        "Dense",
        "Dropout",
        "Dense",
        "Dropout",
        "Dense",
        "Dense",
    ]
    results = model.fit(
        X_t, y_t, epochs=1, batch_size=32, verbose=0, validation_data=(X_val, y_val)
    )
    assert list(results.history) == ["val_loss", "val_acc", "loss", "acc"]


def test_early_stopping(binary_split, capsys):
    from lamina.callbacks import EarlyStopping

    X_t, X_val, X_test, y_t, y_val, y_test = binary_split
    np.random.seed(42)
    model = deep_model((30, 20, 12, 12, 12, 8, 4))
    early_stop = EarlyStopping(
        monitor="val_loss", min_delta=1e-8, patience=0, verbose=1, mode="min"
    )
    results = model.fit(
        X_t,
        y_t,
        epochs=100,
        batch_size=32,
        verbose=0,
        validation_data=(X_val, y_val),
        callbacks=[early_stop],
    )
    out = capsys.readouterr().out
    stopped = len(results.epoch)
    assert stopped < 100  # the seed stops after 6 epochs
    # "Epoch 00006: early stopping": 1-based, 5 digits
    assert EARLY_STOP.findall(out) == [f"Epoch {stopped:05d}: early stopping"]
    val_loss = results.history["val_loss"]
    # patience 0: the last epoch is the first that did not improve on the one before
    assert val_loss[-1] > val_loss[-2] - 1e-8
    assert all(b < a - 1e-8 for a, b in zip(val_loss[:-2], val_loss[1:-1]))

    np.random.seed(42)
    model = deep_model((30, 20, 12, 12, 12, 8, 4))
    early_stop = EarlyStopping(
        monitor="val_loss", min_delta=1e-8, patience=15, verbose=1, mode="min"
    )
    results = model.fit(
        X_t,
        y_t,
        epochs=100,
        batch_size=32,
        verbose=0,
        validation_data=(X_val, y_val),
        callbacks=[early_stop],
    )
    out = capsys.readouterr().out
    val_loss = results.history["val_loss"]
    if len(results.epoch) < 100:  # the seed stops at epoch 44
        assert EARLY_STOP.findall(out) == [f"Epoch {len(results.epoch):05d}: early stopping"]
        assert int(np.argmin(val_loss)) == len(val_loss) - 16
    else:
        assert out == ""
    assert len(results.epoch) > stopped


def test_multiclass_softmax_predict_classes_confusion_matrix(plt, capsys):
    from sklearn.datasets import load_digits
    from sklearn.metrics import confusion_matrix
    from sklearn.preprocessing import OneHotEncoder

    from lamina.layers import Dense
    from lamina.models import Sequential

    digits = load_digits()
    X = digits.data
    y = digits.target
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=42, test_size=0.2)
    X_t, X_val, y_t, y_val = train_test_split(X_train, y_train, random_state=42, test_size=0.2)
    X_t, X_val, X_test = X_t / 16, X_val / 16, X_test / 16

    ohe = OneHotEncoder(sparse_output=False)  # OneHotEncoder(sparse=False) before sklearn 1.2
    y_t = ohe.fit_transform(y_t.reshape(-1, 1))
    y_val = ohe.transform(y_val.reshape(-1, 1))
    y_test = ohe.transform(y_test.reshape(-1, 1))

    np.random.seed(42)
    model = Sequential()
    model.add(Dense(12, activation="relu", input_dim=64))
    model.add(Dense(8, activation="relu"))
    model.add(Dense(10, activation="softmax"))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    results = model.fit(X_t, y_t, epochs=50, batch_size=10, validation_data=(X_val, y_val))
    out = capsys.readouterr().out
    assert out.splitlines()[:2] == ["Train on 1149 samples, validate on 288 samples", "Epoch 1/50"]
    lines = epoch_lines(out)
    assert len(lines) == 50 and all(VAL_LINE.match(line) for line in lines), lines[:2]

    history = results.history
    training_loss = history["loss"]
    val_loss = history["val_loss"]
    training_accuracy = history["acc"]
    val_accuracy = history["val_acc"]
    assert val_accuracy[-1] > 0.9  # the seed: 0.9687
    assert training_loss[-1] < 0.3 and val_loss[-1] < 0.4  # the seed: 0.0486 / 0.1000

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(15, 5))
    ax1.plot(list(range(len(training_loss))), training_loss, c="r", label="training")
    ax1.plot(list(range(len(val_loss))), val_loss, c="b", label="validation")
    ax2.plot(list(range(len(training_loss))), training_accuracy, c="r", label="training")
    ax2.plot(list(range(len(val_loss))), val_accuracy, c="b", label="validation")
    ax1.legend()

    y_hat_test = model.predict_classes(X_test)
    assert y_hat_test.shape == (360,) and y_hat_test.dtype.kind == "i"
    y_test = ohe.inverse_transform(y_test)
    cm = confusion_matrix(y_test, y_hat_test)
    assert cm.shape == (10, 10) and cm.sum() == 360
    assert np.trace(cm) > 320  # the seed: 345 of 360 on the diagonal


def test_predict_classes_shape_for_a_sigmoid_unit(binary_split):
    """Keras 2's predict_classes on one sigmoid unit: a (n, 1) array of 0/1."""
    X_t, X_val, X_test, y_t, y_val, y_test = binary_split
    np.random.seed(42)
    model = relu_model("adam")
    model.fit(X_t, y_t, epochs=5, batch_size=32, verbose=0)
    classes = model.predict_classes(X_test)
    assert classes.shape == (360, 1) and set(np.unique(classes)) <= {0, 1}
    np.testing.assert_array_equal(classes, (model.predict(X_test) > 0.5).astype("int32"))
