"""Seed 003 (TensorFlow 2 classification notebook), replayed with ``import lamina as tf``.

The cells run as the notebook wrote them; what changes is noted where it happens:
``import tensorflow as tf`` -> ``import lamina as tf``; lamina's random streams differ from
TensorFlow's, so seeded results are checked by range (and one seed is chosen to give the
degenerate initialisation the notebook's model_6 got); Fashion-MNIST cannot be downloaded
here, so a small stand-in with the same dtypes and image shape replaces it.
"""

from __future__ import annotations

import itertools
import random
import re

import numpy as np
import pytest
from seed_helpers import as_seed_repr, collapse

import lamina as tf

pd = pytest.importorskip("pandas")
sk_datasets = pytest.importorskip("sklearn.datasets")
from sklearn.metrics import confusion_matrix  # noqa: E402

STEPS_LINE = r"\[==============================\] - \d+s \d+[mu]?s/step"
LR_WARNING = "The `lr` argument is deprecated, use `learning_rate` instead."

MODEL_3_SUMMARY = (
    'Model: "sequential_2" _________________________________________________________________ '
    "Layer (type) Output Shape Param # "
    "================================================================= "
    "dense_3 (Dense) (None, None, 100) 200 dense_4 (Dense) (None, None, 10) 1010 "
    "dense_5 (Dense) (None, None, 1) 11 "
    "================================================================= "
    "Total params: 1,221 Trainable params: 1,221 Non-trainable params: 0 "
    "_________________________________________________________________"
)

# The notebook's tensor cells, as printed by TensorFlow 2.7 (whitespace collapsed).
A_REPR = (
    "<tf.Tensor: shape=(20,), dtype=float32, numpy= array([-10., -9., -8., -7., -6., -5., "
    "-4., -3., -2., -1., 0., 1., 2., 3., 4., 5., 6., 7., 8., 9.], dtype=float32)>"
)
SIGMOID_REPR = (
    "<tf.Tensor: shape=(20,), dtype=float32, numpy= array([4.5397872e-05, 1.2339458e-04, "
    "3.3535014e-04, 9.1105117e-04, 2.4726233e-03, 6.6928510e-03, 1.7986210e-02, 4.7425874e-02, "
    "1.1920292e-01, 2.6894143e-01, 5.0000000e-01, 7.3105860e-01, 8.8079703e-01, 9.5257413e-01, "
    "9.8201376e-01, 9.9330717e-01, 9.9752742e-01, 9.9908900e-01, 9.9966466e-01, 9.9987662e-01], "
    "dtype=float32)>"
)
RELU_REPR = (
    "<tf.Tensor: shape=(20,), dtype=float32, numpy= array([0., 0., 0., 0., 0., 0., 0., 0., 0., "
    "0., 0., 1., 2., 3., 4., 5., 6., 7., 8., 9.], dtype=float32)>"
)
EQUAL_REPR = (
    "<tf.Tensor: shape=(20,), dtype=bool, numpy= array([ True, True, True, True, True, True, "
    "True, True, True, True, True, True, True, True, True, True, True, True, True, True])>"
)


@pytest.fixture
def circles():
    from sklearn.datasets import make_circles

    # Make 1000 examples
    n_samples = 1000
    # Create circles
    X, y = make_circles(n_samples, noise=0.03, random_state=42)
    return X, y


def plot_decision_boundary(model, X, y):
    """The notebook's helper, verbatim (plots into the current matplotlib figure)."""
    import matplotlib.pyplot as plt

    # Define the axis boundaries of the plot and create a meshgrid
    x_min, x_max = X[:, 0].min() - 0.1, X[:, 0].max() + 0.1
    y_min, y_max = X[:, 1].min() - 0.1, X[:, 1].max() + 0.1
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, 100), np.linspace(y_min, y_max, 100))
    # Create X values (we're going to predict on all of these)
    x_in = np.c_[xx.ravel(), yy.ravel()]
    # Make predictions using the trained model
    y_pred = model.predict(x_in)
    # Check for multi-class
    if len(y_pred[0]) > 1:
        print("doing multiclass classification...")
        # We have to reshape our predictions to get them ready for plotting
        y_pred = np.argmax(y_pred, axis=1).reshape(xx.shape)
    else:
        print("doing binary classifcation...")
        y_pred = np.round(y_pred).reshape(xx.shape)
    # Plot decision boundary
    plt.contourf(xx, yy, y_pred, cmap=plt.cm.RdYlBu, alpha=0.7)
    plt.scatter(X[:, 0], X[:, 1], c=y, s=40, cmap=plt.cm.RdYlBu)
    plt.xlim(xx.min(), xx.max())
    plt.ylim(yy.min(), yy.max())


def fit_lines(out: str, steps: int) -> list[str]:
    """The final progress line of each epoch (steps-based, tf.keras 2.x)."""
    return [line for line in out.splitlines() if line.startswith(f"{steps}/{steps} [")]


def numbers(line: str, name: str) -> float:
    return float(re.search(rf" - {name}: (-?\d+\.\d+(?:e[-+]\d+)?)", line).group(1))


# --- version, data ------------------------------------------------------------------


def test_version_and_data(circles, plt, capsys):
    print(tf.__version__)
    assert re.match(r"^\d+\.\d+\.\d+", capsys.readouterr().out)  # the seed's TF: 2.7.0
    X, y = circles
    assert (X.shape, y.shape) == ((1000, 2), (1000,))
    assert y[:10].tolist() == [1, 1, 1, 1, 0, 1, 1, 1, 1, 0]
    circles_df = pd.DataFrame({"X0": X[:, 0], "X1": X[:, 1], "label": y})
    assert circles_df.label.value_counts().to_dict() == {1: 500, 0: 500}
    plt.scatter(X[:, 0], X[:, 1], c=y, cmap=plt.cm.RdYlBu)


# --- model_1 ... model_3: linear models and the (None, 1) input -------------------------


def test_models_1_to_3(circles, plt, capsys):
    X, y = circles
    # Set random seed
    tf.random.set_seed(42)
    # 1. Create the model using the Sequential API
    model_1 = tf.keras.Sequential([tf.keras.layers.Dense(1)])
    # 2. Compile the model
    model_1.compile(
        loss=tf.keras.losses.BinaryCrossentropy(),
        optimizer=tf.keras.optimizers.SGD(),
        metrics=["accuracy"],
    )
    # 3. Fit the model
    history = model_1.fit(X, y, epochs=5)
    from IPython.lib.pretty import pretty  # how the notebook displays the cell's value

    # the seed: <keras.callbacks.History at 0x7ff186346190>
    assert re.fullmatch(r"<lamina\.callbacks\.History at 0x[0-9a-f]+>", pretty(history))
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("Epoch")] == [
        f"Epoch {i}/5" for i in range(1, 6)
    ]
    lines = fit_lines(out, 32)
    assert len(lines) == 5
    for line in lines:
        assert re.fullmatch(
            rf"32/32 {STEPS_LINE} - loss: \d+\.\d{{4}} - accuracy: 0\.\d{{4}}", line
        )

    # Train our model for longer (more chances to look at the data)
    model_1.fit(X, y, epochs=200, verbose=0)
    result = model_1.evaluate(X, y)
    out = capsys.readouterr().out
    assert re.fullmatch(rf"32/32 {STEPS_LINE} - loss: 0\.\d{{4}} - accuracy: 0\.\d{{4}}\n", out)
    assert isinstance(result, list) and len(result) == 2
    assert result[0] == pytest.approx(0.6935, abs=0.01)  # the seed: [0.69348, 0.5]
    assert 0.4 <= result[1] <= 0.6

    tf.random.set_seed(42)
    model_2 = tf.keras.Sequential([tf.keras.layers.Dense(1), tf.keras.layers.Dense(1)])
    model_2.compile(
        loss=tf.keras.losses.BinaryCrossentropy(),
        optimizer=tf.keras.optimizers.SGD(),
        metrics=["accuracy"],
    )
    model_2.fit(X, y, epochs=100, verbose=0)
    loss, accuracy = model_2.evaluate(X, y, verbose=0)
    assert 0.4 <= accuracy <= 0.6  # the seed: [0.69333, 0.5]: still guessing

    tf.random.set_seed(42)
    model_3 = tf.keras.Sequential(
        [
            tf.keras.layers.Dense(100, input_shape=(None, 1)),
            tf.keras.layers.Dense(10),
            tf.keras.layers.Dense(1),
        ]
    )
    model_3.compile(
        loss=tf.keras.losses.BinaryCrossentropy(),
        optimizer=tf.keras.optimizers.Adam(),
        metrics=["accuracy"],
    )
    model_3.fit(X, y, epochs=10, verbose=0)  # the seed: 100 (the shapes do not depend on it)
    capsys.readouterr()
    # (1000, 2) data went in as (1000, 2, 1): predictions are (N, 2, 1) -> "multiclass"
    plot_decision_boundary(model_3, X, y)
    assert capsys.readouterr().out.endswith("doing multiclass classification...\n")

    # Regression data into the classification model: BCE of targets >> 1 goes negative
    tf.random.set_seed(42)
    X_regression = np.arange(0, 1000, 5)
    y_regression = np.arange(100, 1100, 5)
    X_reg_train = X_regression[:150]
    X_reg_test = X_regression[150:]
    y_reg_train = y_regression[:150]
    y_reg_test = y_regression[150:]
    model_3.fit(tf.expand_dims(X_reg_train, axis=-1), y_reg_train, epochs=100)
    lines = fit_lines(capsys.readouterr().out, 5)
    assert len(lines) == 100
    for line in lines:
        assert re.fullmatch(
            rf"5/5 {STEPS_LINE} - loss: -\d+\.\d{{4}} - accuracy: 0\.0000e\+00", line
        ), line
    assert numbers(lines[-1], "loss") < -1000  # the seed: -7190.0151

    model_3.summary()
    assert collapse(capsys.readouterr().out) == MODEL_3_SUMMARY

    # Setup random seed
    tf.random.set_seed(42)
    # Recreate the model
    model_3 = tf.keras.Sequential(
        [tf.keras.layers.Dense(100), tf.keras.layers.Dense(10), tf.keras.layers.Dense(1)]
    )
    # Change the loss and metrics of our compiled model
    model_3.compile(
        loss=tf.keras.losses.mae,
        optimizer=tf.keras.optimizers.Adam(),
        metrics=["mae"],
    )
    # Fit the recompiled model
    model_3.fit(tf.expand_dims(X_reg_train, axis=-1), y_reg_train, epochs=100)
    lines = fit_lines(capsys.readouterr().out, 5)
    assert len(lines) == 100
    for line in lines:
        assert re.fullmatch(rf"5/5 {STEPS_LINE} - loss: \d+\.\d{{4}} - mae: \d+\.\d{{4}}", line)
        # the same number (two float32 running means: at most 1 in the last digit apart)
        assert numbers(line, "loss") == pytest.approx(numbers(line, "mae"), abs=1.5e-4)
    # the seed: 248.2 at the first epoch, ~41 at the 20th: the mae trends down
    assert numbers(lines[-1], "loss") < 100 < numbers(lines[0], "loss")

    # Make predictions with our trained model: a (50,) array into a (None, 1) model
    y_reg_preds = model_3.predict(y_reg_test)
    assert y_reg_preds.shape == (50, 1)
    plt.figure(figsize=(10, 7))
    plt.scatter(X_reg_train, y_reg_train, c="b", label="Training data")
    plt.scatter(X_reg_test, y_reg_test, c="g", label="Testing data")
    plt.scatter(X_reg_test, y_reg_preds.squeeze(), c="r", label="Predictions")
    plt.legend()


# --- model_4 ... model_7: non-linearity -----------------------------------------------


def test_models_4_and_5_linear_and_one_relu_do_not_learn(circles, plt, capsys):
    X, y = circles
    tf.random.set_seed(42)
    model_4 = tf.keras.Sequential(
        [
            tf.keras.layers.Dense(1, activation=tf.keras.activations.linear),
            tf.keras.layers.Dense(1),
        ]
    )
    with pytest.warns(UserWarning, match=re.escape(LR_WARNING)):
        model_4.compile(
            loss=tf.keras.losses.binary_crossentropy,
            optimizer=tf.keras.optimizers.Adam(lr=0.001),
            metrics=["accuracy"],
        )
    history = model_4.fit(X, y, epochs=100)
    lines = fit_lines(capsys.readouterr().out, 32)
    assert len(lines) == 100
    assert list(history.history) == ["loss", "accuracy"]
    assert history.history["accuracy"][-1] < 0.6  # the seed: 0.5000 throughout
    plot_decision_boundary(model_4, X, y)
    assert capsys.readouterr().out.endswith("doing binary classifcation...\n")

    tf.random.set_seed(42)
    model_5 = tf.keras.Sequential(
        [tf.keras.layers.Dense(1, activation=tf.keras.activations.relu), tf.keras.layers.Dense(1)]
    )
    model_5.compile(
        loss=tf.keras.losses.binary_crossentropy,
        optimizer=tf.keras.optimizers.Adam(),
        metrics=["accuracy"],
    )
    history = model_5.fit(X, y, epochs=100, verbose=0)
    assert history.history["accuracy"][-1] < 0.6  # the seed: ~0.49 after 20 epochs


def dead_output_seed(X) -> int:
    """The first random seed for which model_6's initial outputs are all <= 0 on ``X``.

    TensorFlow's seed 42 gave the notebook's model_6 such weights (every probability is
    clipped to epsilon and no gradient flows); lamina's streams differ (its seed 42 learns),
    so the replay looks for a lamina seed with the same starting point (2 at the time of
    writing).
    """
    for seed in range(100):
        tf.random.set_seed(seed)
        model = tf.keras.Sequential(
            [
                tf.keras.layers.Dense(4, activation="relu"),
                tf.keras.layers.Dense(4, activation="relu"),
                tf.keras.layers.Dense(1),
            ]
        )
        if np.all(model.predict(X, verbose=0) <= 0):
            tf.keras.backend.clear_session()
            return seed
    raise AssertionError("no seed below 100 gives model_6 all-negative outputs")


def test_model_6_dead_relus_report_clipped_bce_7_712474(circles, capsys):
    X, y = circles
    tf.random.set_seed(dead_output_seed(X))  # the notebook: tf.random.set_seed(42)
    model_6 = tf.keras.Sequential(
        [
            tf.keras.layers.Dense(4, activation=tf.keras.activations.relu),
            tf.keras.layers.Dense(4, activation=tf.keras.activations.relu),
            tf.keras.layers.Dense(1),
        ]
    )
    with pytest.warns(UserWarning, match=re.escape(LR_WARNING)):
        model_6.compile(
            loss=tf.keras.losses.binary_crossentropy,
            optimizer=tf.keras.optimizers.Adam(lr=0.001),
            metrics=["accuracy"],
        )
    history = model_6.fit(X, y, epochs=100)
    lines = fit_lines(capsys.readouterr().out, 32)
    assert len(lines) == 100
    for line in lines:
        assert re.fullmatch(rf"32/32 {STEPS_LINE} - loss: 7\.7125 - accuracy: 0\.5000", line)
    assert history.history["loss"] == pytest.approx([7.712474346160889] * 100, abs=1e-6)

    result = model_6.evaluate(X, y)
    out = capsys.readouterr().out
    assert re.fullmatch(rf"32/32 {STEPS_LINE} - loss: 7\.7125 - accuracy: 0\.5000\n", out)
    assert result == pytest.approx([7.712474346160889, 0.5], abs=1e-6)


def test_model_7_relu_and_sigmoid_learn_the_circles(circles, plt, capsys):
    X, y = circles
    tf.random.set_seed(42)
    model_7 = tf.keras.Sequential(
        [
            tf.keras.layers.Dense(4, activation=tf.keras.activations.relu),
            tf.keras.layers.Dense(4, activation=tf.keras.activations.relu),
            tf.keras.layers.Dense(1, activation=tf.keras.activations.sigmoid),
        ]
    )
    model_7.compile(
        loss=tf.keras.losses.binary_crossentropy,
        optimizer=tf.keras.optimizers.Adam(),
        metrics=["accuracy"],
    )
    model_7.fit(X, y, epochs=100, verbose=0)
    result = model_7.evaluate(X, y)
    out = capsys.readouterr().out
    assert re.fullmatch(rf"32/32 {STEPS_LINE} - loss: 0\.\d{{4}} - accuracy: 0\.\d{{4}}\n", out)
    assert result[1] > 0.9  # the seed: [0.2948, 0.991]
    plot_decision_boundary(model_7, X, y)
    assert capsys.readouterr().out.endswith("doing binary classifcation...\n")


# --- the activation-function tensor cells ---------------------------------------------


def sigmoid(x):
    return 1 / (1 + tf.exp(-x))


def relu(x):
    return tf.maximum(0, x)


def test_tensor_cells_range_cast_maximum_linear(plt):
    # Create a toy tensor (similar to the data we pass into our model)
    A = tf.cast(tf.range(-10, 10), tf.float32)
    assert as_seed_repr(A) == A_REPR
    plt.plot(A)
    assert as_seed_repr(relu(A)) == RELU_REPR
    plt.plot(relu(A))
    assert as_seed_repr(tf.keras.activations.linear(A)) == A_REPR
    assert as_seed_repr(A == tf.keras.activations.linear(A)) == EQUAL_REPR
    plt.plot(sigmoid(A))


def test_tensor_cell_sigmoid_values():
    A = tf.cast(tf.range(-10, 10), tf.float32)
    out = sigmoid(A)
    assert out.dtype == tf.float32 and out.shape == (20,)
    shown = np.array(re.findall(r"\d\.\d{7}e[-+]\d\d", SIGMOID_REPR), dtype=np.float32)
    np.testing.assert_allclose(out.numpy(), shown, rtol=1e-6)


def test_tensor_cell_sigmoid_repr_exact():
    # bit for bit: tf.exp follows TensorFlow's float32 CPU kernel, not NumPy's exp
    A = tf.cast(tf.range(-10, 10), tf.float32)
    assert as_seed_repr(sigmoid(A)) == SIGMOID_REPR


# --- train/test split, model_8 ... model_10, learning-rate finder, confusion matrix -----


def test_model_8_train_test_split_and_loss_curves(circles, plt, capsys):
    X, y = circles
    assert len(X) == 1000
    # Split data into train and test sets
    X_train, y_train = X[:800], y[:800]
    X_test, y_test = X[800:], y[800:]
    assert (X_train.shape, X_test.shape) == ((800, 2), (200, 2))

    tf.random.set_seed(42)
    model_8 = tf.keras.Sequential(
        [
            tf.keras.layers.Dense(4, activation="relu"),
            tf.keras.layers.Dense(4, activation="relu"),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    with pytest.warns(UserWarning, match=re.escape(LR_WARNING)):
        model_8.compile(
            loss=tf.keras.losses.binary_crossentropy,
            optimizer=tf.keras.optimizers.Adam(lr=0.01),
            metrics=["accuracy"],
        )
    history = model_8.fit(X_train, y_train, epochs=25)
    assert len(fit_lines(capsys.readouterr().out, 25)) == 25  # 800 rows: 25 steps

    loss, accuracy = model_8.evaluate(X_test, y_test)
    print(f"Model loss on the test set: {loss}")
    print(f"Model accuracy on the test set: {100 * accuracy:.2f}%")
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(rf"7/7 {STEPS_LINE} - loss: 0\.\d{{4}} - accuracy: [01]\.\d{{4}}", out[0])
    assert re.fullmatch(r"Model loss on the test set: 0\.\d+", out[1])
    assert re.fullmatch(r"Model accuracy on the test set: \d+\.\d\d%", out[2])
    assert accuracy > 0.9  # the seed: 100.00%

    plt.figure(figsize=(12, 6))
    plt.subplot(1, 2, 1)
    plt.title("Train")
    plot_decision_boundary(model_8, X=X_train, y=y_train)
    plt.subplot(1, 2, 2)
    plt.title("Test")
    plot_decision_boundary(model_8, X=X_test, y=y_test)
    plt.show()

    frame = pd.DataFrame(history.history)
    assert list(frame.columns) == ["loss", "accuracy"] and frame.shape == (25, 2)
    assert frame["loss"].iloc[-1] < frame["loss"].iloc[0]  # loss down, accuracy up
    assert frame["accuracy"].iloc[-1] > frame["accuracy"].iloc[0]
    ax = pd.DataFrame(history.history).plot()
    plt.title("Model_8 training curves")
    assert [line.get_label() for line in ax.lines] == ["loss", "accuracy"]


def test_model_9_learning_rate_finder(circles, plt, capsys):
    X, y = circles
    X_train, y_train = X[:800], y[:800]
    tf.random.set_seed(42)
    model_9 = tf.keras.Sequential(
        [
            tf.keras.layers.Dense(4, activation="relu"),
            tf.keras.layers.Dense(4, activation="relu"),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model_9.compile(loss="binary_crossentropy", optimizer="Adam", metrics=["accuracy"])
    lr_scheduler = tf.keras.callbacks.LearningRateScheduler(lambda epoch: 1e-4 * 10 ** (epoch / 20))
    history = model_9.fit(X_train, y_train, epochs=100, callbacks=[lr_scheduler])
    lines = fit_lines(capsys.readouterr().out, 25)
    assert len(lines) == 100
    assert re.fullmatch(
        rf"25/25 {STEPS_LINE} - loss: 0\.\d{{4}} - accuracy: 0\.\d{{4}} - lr: 1\.0000e-04", lines[0]
    )
    assert lines[1].endswith(" - lr: 1.1220e-04") and lines[2].endswith(" - lr: 1.2589e-04")
    assert list(history.history) == ["loss", "accuracy", "lr"]

    ax = pd.DataFrame(history.history).plot(figsize=(10, 7), xlabel="epochs")
    assert ax.get_xlabel() == "epochs" and len(ax.lines) == 3
    lrs = 1e-4 * (10 ** (np.arange(100) / 20))
    np.testing.assert_allclose(history.history["lr"], lrs, rtol=1e-6)
    plt.figure(figsize=(10, 7))
    plt.semilogx(lrs, history.history["loss"])
    plt.xlabel("Learning Rate")
    plt.ylabel("Loss")
    plt.title("Learning rate vs. loss")
    # the loss bottoms out at a learning rate of ~1e-2 and rises again at the far end
    best = lrs[int(np.argmin(history.history["loss"]))]
    assert 1e-3 < best < 1.0


def test_model_10_evaluate_and_confusion_matrix(circles, plt, capsys):
    X, y = circles
    X_train, y_train = X[:800], y[:800]
    X_test, y_test = X[800:], y[800:]
    tf.random.set_seed(42)
    model_10 = tf.keras.Sequential(
        [
            tf.keras.layers.Dense(4, activation="relu"),
            tf.keras.layers.Dense(4, activation="relu"),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    with pytest.warns(UserWarning, match=re.escape(LR_WARNING)):
        model_10.compile(
            loss="binary_crossentropy",
            optimizer=tf.keras.optimizers.Adam(lr=0.02),
            metrics=["accuracy"],
        )
    assert model_10.optimizer.learning_rate.numpy() == pytest.approx(0.02)
    history = model_10.fit(X_train, y_train, epochs=20)
    assert len(fit_lines(capsys.readouterr().out, 25)) == 20
    assert len(history.epoch) == 20

    result = model_10.evaluate(X_test, y_test)
    assert re.fullmatch(
        rf"7/7 {STEPS_LINE} - loss: 0\.\d{{4}} - accuracy: [01]\.\d{{4}}\n",
        capsys.readouterr().out,
    )
    assert len(result) == 2 and result[1] > 0.9  # the seed: [0.0574, 0.99]

    # Check the accuracy of our model
    loss, accuracy = model_10.evaluate(X_test, y_test)
    print(f"Model loss on test set: {loss}")
    print(f"Model accuracy on test set: {(accuracy * 100):.2f}%")
    out = capsys.readouterr().out.splitlines()
    assert out[1] == f"Model loss on test set: {result[0]}"
    assert re.fullmatch(r"Model accuracy on test set: \d+\.\d\d%", out[2])

    # Make predictions
    y_preds = model_10.predict(X_test)
    capsys.readouterr()
    # Create confusion matrix: probabilities are refused by scikit-learn, as in the seed
    with pytest.raises(
        ValueError, match="Classification metrics can't handle a mix of binary and continuous"
    ):
        confusion_matrix(y_test, y_preds)
    # View the first 10 predictions
    assert isinstance(y_preds, np.ndarray)
    assert y_preds[:10].shape == (10, 1) and y_preds.dtype == np.float32
    assert y_test[:10].dtype.kind == "i"

    # Convert prediction probabilities to binary format and view the first 10
    rounded = tf.round(y_preds)[:10]
    assert re.fullmatch(
        r"<tf\.Tensor: shape=\(10, 1\), dtype=float32, numpy= array\(\[(\[[01]\.\], ){9}"
        r"\[[01]\.\]\], dtype=float32\)>",
        as_seed_repr(rounded),
    )
    cm = confusion_matrix(y_test, tf.round(y_preds))
    assert cm.shape == (2, 2) and cm.sum() == 200
    assert np.trace(cm) > 180  # the seed: [[99, 2], [0, 99]]

    # The seed's table of evaluation methods: tf.keras.metrics next to sklearn.metrics
    from sklearn.metrics import accuracy_score, precision_score, recall_score

    y_labels = tf.round(y_preds)
    pairs = [
        (tf.keras.metrics.Accuracy(), accuracy_score),
        (tf.keras.metrics.Precision(), precision_score),
        (tf.keras.metrics.Recall(), recall_score),
    ]
    for metric, sk_score in pairs:
        metric.update_state(y_test, y_labels if sk_score is accuracy_score else y_preds)
        assert float(metric.result()) == pytest.approx(sk_score(y_test, y_labels), abs=1e-6)

    # The prettified confusion matrix cell
    figsize = (10, 10)
    cm = confusion_matrix(y_test, tf.round(y_preds))
    cm_norm = cm.astype("float") / cm.sum(axis=1)[:, np.newaxis]
    n_classes = cm.shape[0]
    fig, ax = plt.subplots(figsize=figsize)
    cax = ax.matshow(cm, cmap=plt.cm.Blues)
    fig.colorbar(cax)
    labels = np.arange(cm.shape[0])
    ax.set(
        title="Confusion Matrix",
        xlabel="Predicted label",
        ylabel="True label",
        xticks=np.arange(n_classes),
        yticks=np.arange(n_classes),
        xticklabels=labels,
        yticklabels=labels,
    )
    threshold = (cm.max() + cm.min()) / 2.0
    for i, j in itertools.product(range(cm.shape[0]), range(cm.shape[1])):
        plt.text(
            j,
            i,
            f"{cm[i, j]} ({cm_norm[i, j] * 100:.1f}%)",
            horizontalalignment="center",
            color="white" if cm[i, j] > threshold else "black",
            size=15,
        )
    assert len(ax.texts) == 4


# --- Fashion-MNIST (stand-in data) ----------------------------------------------------

CLASS_NAMES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]


def fashion_stand_in(n_train: int = 3000, n_test: int = 500):
    """Fashion-MNIST's dtypes and image shape (uint8 28x28 images, uint8 labels 0-9).

    The real files cannot be downloaded here. Each class is a fixed random template plus
    noise, so the notebook's 4-unit networks have something to learn.
    """
    rng = np.random.RandomState(7)
    templates = rng.randint(0, 256, size=(10, 28, 28)).astype(np.float64)

    def draw(n):
        labels = rng.randint(0, 10, size=n).astype(np.uint8)
        images = templates[labels] * rng.uniform(0.6, 1.0, size=(n, 1, 1))
        images += rng.normal(0, 40, size=(n, 28, 28))
        return np.clip(images, 0, 255).astype(np.uint8), labels

    return draw(n_train), draw(n_test)


def fashion_model():
    return tf.keras.Sequential(
        [
            tf.keras.layers.Flatten(input_shape=(28, 28)),
            tf.keras.layers.Dense(4, activation="relu"),
            tf.keras.layers.Dense(4, activation="relu"),
            tf.keras.layers.Dense(10, activation="softmax"),
        ]
    )


FASHION_SUMMARY = """\
Model: "sequential"
_________________________________________________________________
 Layer (type)                Output Shape              Param #   
=================================================================
 flatten (Flatten)           (None, 784)               0         
                                                                 
 dense (Dense)               (None, 4)                 3140      
                                                                 
 dense_1 (Dense)             (None, 4)                 20        
                                                                 
 dense_2 (Dense)             (None, 10)                50        
                                                                 
=================================================================
Total params: 3,210
Trainable params: 3,210
Non-trainable params: 0
_________________________________________________________________
"""


def test_fashion_mnist_models(plt, capsys, tmp_path, monkeypatch):
    from lamina.datasets import fashion_mnist

    assert callable(fashion_mnist.load_data)  # downloads; not reachable from here
    (train_data, train_labels), (test_data, test_labels) = fashion_stand_in()
    print(f"Training sample:\n{train_data[0]}\n")
    print(f"Training label: {train_labels[0]}")
    assert capsys.readouterr().out.startswith("Training sample:\n[[")
    assert train_data[0].shape == (28, 28) and train_labels[0].shape == ()
    class_names = CLASS_NAMES
    assert len(class_names) == 10
    plt.imshow(train_data[17], cmap=plt.cm.binary)
    plt.title(class_names[train_labels[17]])

    # model_11: non-normalised data
    tf.random.set_seed(42)
    model_11 = fashion_model()
    model_11.compile(
        loss=tf.keras.losses.SparseCategoricalCrossentropy(),
        optimizer=tf.keras.optimizers.Adam(),
        metrics=["accuracy"],
    )
    non_norm_history = model_11.fit(
        train_data, train_labels, epochs=10, validation_data=(test_data, test_labels)
    )
    lines = fit_lines(capsys.readouterr().out, 94)  # 3000 rows: 94 steps (60000: 1875)
    assert len(lines) == 10
    for line in lines:
        assert re.fullmatch(
            rf"94/94 {STEPS_LINE} - loss: \d+\.\d{{4}} - accuracy: 0\.\d{{4}} - "
            rf"val_loss: \d+\.\d{{4}} - val_accuracy: 0\.\d{{4}}",
            line,
        ), line
    model_11.summary()
    assert capsys.readouterr().out == FASHION_SUMMARY

    assert (train_data.min(), train_data.max()) == (0, 255)
    train_data = train_data / 255.0
    test_data = test_data / 255.0
    assert (train_data.min(), train_data.max()) == (0.0, 1.0)

    # model_12: the same model on normalised data
    tf.random.set_seed(42)
    model_12 = fashion_model()
    model_12.compile(
        loss=tf.keras.losses.SparseCategoricalCrossentropy(),
        optimizer=tf.keras.optimizers.Adam(),
        metrics=["accuracy"],
    )
    norm_history = model_12.fit(
        train_data, train_labels, epochs=10, validation_data=(test_data, test_labels), verbose=0
    )
    for history in (non_norm_history, norm_history):
        assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    pd.DataFrame(non_norm_history.history).plot(title="Non-normalized Data")
    pd.DataFrame(norm_history.history).plot(title="Normalized data")
    # the seed: ~35% without normalisation, far better with it
    assert norm_history.history["accuracy"][-1] > 0.5
    assert norm_history.history["accuracy"][-1] > non_norm_history.history["accuracy"][-1] + 0.2

    # model_13: the learning-rate finder with validation data
    tf.random.set_seed(42)
    model_13 = fashion_model()
    model_13.compile(
        loss=tf.keras.losses.SparseCategoricalCrossentropy(),
        optimizer=tf.keras.optimizers.Adam(),
        metrics=["accuracy"],
    )
    lr_scheduler = tf.keras.callbacks.LearningRateScheduler(lambda epoch: 1e-3 * 10 ** (epoch / 20))
    find_lr_history = model_13.fit(
        train_data,
        train_labels,
        epochs=40,
        validation_data=(test_data, test_labels),
        callbacks=[lr_scheduler],
        verbose=0,
    )
    assert list(find_lr_history.history) == ["loss", "accuracy", "val_loss", "val_accuracy", "lr"]
    lrs = 1e-3 * (10 ** (np.arange(40) / 20))
    plt.figure()
    plt.semilogx(lrs, find_lr_history.history["loss"])

    # model_14: the chosen learning rate
    tf.random.set_seed(42)
    model_14 = fashion_model()
    with pytest.warns(UserWarning, match=re.escape(LR_WARNING)):
        model_14.compile(
            loss=tf.keras.losses.SparseCategoricalCrossentropy(),
            optimizer=tf.keras.optimizers.Adam(lr=0.001),
            metrics=["accuracy"],
        )
    model_14.fit(
        train_data, train_labels, epochs=20, validation_data=(test_data, test_labels), verbose=0
    )

    y_probs = model_14.predict(test_data)
    assert y_probs[:5].shape == (5, 10) and y_probs.dtype == np.float32
    np.testing.assert_allclose(y_probs.sum(axis=1), 1.0, rtol=1e-5)
    assert class_names[y_probs[0].argmax()] in class_names
    y_preds = y_probs.argmax(axis=1)
    cm = confusion_matrix(y_true=test_labels, y_pred=y_preds)
    assert cm.shape == (10, 10) and cm.sum() == len(test_labels)
    assert np.trace(cm) / cm.sum() > 0.5

    # plot_random_image's cell (random.randint(0, len(images)) can pick one past the end)
    random.seed(3)
    i = random.randint(0, len(test_data) - 1)
    target_image = test_data[i]
    pred_probs = model_14.predict(target_image.reshape(1, 28, 28))
    pred_label = class_names[pred_probs.argmax()]
    true_label = class_names[test_labels[i]]
    plt.figure()
    plt.imshow(target_image, cmap=plt.cm.binary)
    text = "Pred: {} {:2.0f}% (True: {})".format(  # noqa: UP032 (the seed's code)
        pred_label, 100 * tf.reduce_max(pred_probs), true_label
    )
    assert re.fullmatch(r"Pred: .+ +\d+% \(True: .+\)", text)

    # What patterns is our model learning?
    assert [type(layer).__name__ for layer in model_14.layers] == [
        "Flatten",
        "Dense",
        "Dense",
        "Dense",
    ]
    weights, biases = model_14.layers[1].get_weights()
    assert weights.shape == (784, 4) and biases.shape == (4,)
    capsys.readouterr()
    model_14.summary()
    assert "Total params: 3,210" in capsys.readouterr().out

    from lamina.utils import plot_model

    monkeypatch.chdir(tmp_path)
    image = plot_model(model_14, show_shapes=True)
    assert (tmp_path / "model.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert image is not None
