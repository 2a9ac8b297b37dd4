"""Seed 001: the notes of the course "Introduction to Deep Learning in Python", run on lamina.

Every snippet is the seed's own code with only its imports changed (``import lamina as
keras``, ``from lamina.models import Sequential`` ...). The course's wage, Titanic and MNIST
files are private: ``conftest_course`` generates stand-ins with the same columns, shapes and
dtypes, so learned numbers differ from the seed's and the tests check what does not depend on
the data (formats, keys, shapes, parameter counts, the validation split) and sensible ranges.

The seed's outputs come from Keras 2.0 (samples-based bars, ``acc``, no per-sample time);
lamina prints them with ``lamina.utils.set_output_style("keras2.0")``, Keras 2.2's variant with
``"keras2.2"``, and tf.keras 2.x's output by default. Where the seed's Keras 2.0 behaves
differently (not only prints differently), the test is a strict xfail and the difference is
described in /work/notes/seed_gaps.md.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest_course import (
    DEEP_WEIGHTS,
    FORWARD_INPUT,
    FORWARD_WEIGHTS,
    MSE_INPUT,
    MSE_TARGETS,
    MSE_WEIGHTS_0,
    MSE_WEIGHTS_1,
    ROWS_INPUT,
    get_mse,
    get_slope,
    mnist_sample,
    one_blas_thread,
    titanic,
    titanic_predictors,
    wages,
)

import lamina

# Keras 2.0 / 2.2 progress line at the end of an epoch, e.g.
# ``623/623 [==============================] - 0s 46us/step - loss: 1.3096 - acc: 0.6003``
# (the seed's Keras 2.0 printed no per-sample time: ``- 0s - loss``).
SAMPLES_LINE = r"(\d+)/\1 \[={30}\] - \d+s( \d+us/step| \d+ms/step)?"
FLOAT = r"\d+\.\d{4}"


@pytest.fixture
def keras22():
    """The seed's samples-based output (``Train on N samples``, ``acc``)."""
    previous = lamina.utils.set_output_style("keras2.2")
    yield
    lamina.utils.set_output_style(previous)


@pytest.fixture
def keras20():
    """The seed's own Keras 2.0 output (``534/534 [====] - 0s - loss: 21.5538``)."""
    previous = lamina.utils.set_output_style("keras2.0")
    yield
    lamina.utils.set_output_style(previous)


def keras20_epochs(out: str, epochs: int) -> list[list[str]]:
    """The lines after each ``Epoch i/n`` line of Keras 2.0 output (``out`` starts at the
    first one), checked for the blank line where the capture shows Keras's carriage return."""
    chunks = re.split(r"^Epoch (\d+)/(\d+)\n", out, flags=re.M)
    assert chunks[0] == "", chunks[0]
    numbers = [(int(a), int(b)) for a, b in zip(chunks[1::3], chunks[2::3])]
    assert numbers == [(i, epochs) for i in range(1, epochs + 1)]
    blocks = []
    for body in chunks[3::3]:
        assert body.startswith("\n") and body.endswith("\n"), repr(body)
        blocks.append(body[1:-1].split("\n"))
    return blocks


def check_keras20_bars(lines: list[str], n: int, values: str, end: str = "") -> list[float]:
    """Every redraw as Keras 2.0 drew it (the first batch's bar, one per 0.05 s, then the
    final bar followed by ``end``); returns the numbers the final bar shows."""
    digits = len(str(n))
    assert lines[0].lstrip().startswith("32/"), lines[0]
    for line in lines[:-1]:
        m = re.fullmatch(rf" *(\d+)/{n} \[([=>.]{{30}})\] - ETA: \d+s{values}", line)
        assert m and len(line.split("/")[0]) == digits, line
        done = int(30 * int(m.group(1)) / n)
        assert m.group(2) == ("=" * (done - 1) + ">" if done else "") + "." * (30 - done)
    final = lines[-1]
    assert re.fullmatch(rf"{n}/{n} \[={{30}}\] - \d+s{values}{end} *", final), final
    # blanks over whatever the previous redraw left, as Keras 2.0 wrote them
    width = len(lines[-2]) if len(lines) > 1 else 0
    assert len(final) == max(width, len(final.rstrip())), (final, width)
    return [float(v) for v in re.findall(r": (-?\d+\.\d{4})", final)]


@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def final_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if re.match(r"\s*\d+/\d+ \[=+\]", line)]


# ==== 1. Basics: forward propagation by hand in NumPy =======================================
def test_forward_propagation_prints_minus_39(capsys):
    input_data, weights = FORWARD_INPUT, FORWARD_WEIGHTS
    assert (input_data * weights["node_0"]).tolist() == [6, 20]
    assert (input_data * weights["node_0"]).sum() == 26

    # Calculate node 0 value: node_0_value
    node_0_value = (input_data * weights["node_0"]).sum()
    # Calculate node 1 value: node_1_value
    node_1_value = (input_data * weights["node_1"]).sum()
    # Put node values into array: hidden_layer_outputs
    hidden_layer_outputs = np.array([node_0_value, node_1_value])
    # Calculate output: output
    output = (hidden_layer_outputs * weights["output"]).sum()
    # Print output
    print(output)
    assert capsys.readouterr().out == "-39\n"


def test_relu_network_prints_52(capsys):
    input_data, weights = FORWARD_INPUT, FORWARD_WEIGHTS

    def relu(input):
        """Define your relu activation function here"""
        # Calculate the value for the output of the relu function: output
        output = max(input, 0)
        # Return the value just calculated
        return output

    node_0_input = (input_data * weights["node_0"]).sum()
    node_0_output = relu(node_0_input)
    node_1_input = (input_data * weights["node_1"]).sum()
    node_1_output = relu(node_1_input)
    hidden_layer_outputs = np.array([node_0_output, node_1_output])
    model_output = (hidden_layer_outputs * weights["output"]).sum()
    print(model_output)
    assert capsys.readouterr().out == "52\n"


def test_network_over_many_rows_prints_52_63_0_148(capsys):
    input_data, weights = ROWS_INPUT, FORWARD_WEIGHTS

    def relu(input):
        """Define relu activation function"""
        return max(input, 0)

    def predict_with_network(input_data_row, weights):
        node_0_input = (input_data_row * weights["node_0"]).sum()
        node_0_output = relu(node_0_input)
        node_1_input = (input_data_row * weights["node_1"]).sum()
        node_1_output = relu(node_1_input)
        hidden_layer_outputs = np.array([node_0_output, node_1_output])
        input_to_final_layer = (hidden_layer_outputs * weights["output"]).sum()
        model_output = relu(input_to_final_layer)
        return model_output

    results = []
    for input_data_row in input_data:
        results.append(predict_with_network(input_data_row, weights))
    # NumPy >= 2 prints scalars as ``np.int64(52)`` inside a list; the seed ran NumPy 1.x.
    with np.printoptions(legacy="1.25"):
        print(results)
    assert capsys.readouterr().out == "[52, 63, 0, 148]\n"


def test_deeper_network_prints_182(capsys):
    input_data, weights = FORWARD_INPUT, DEEP_WEIGHTS

    def relu(input):
        return max(input, 0)

    def predict_with_network(input_data):
        node_0_0_output = relu((input_data * weights["node_0_0"]).sum())
        node_0_1_output = relu((input_data * weights["node_0_1"]).sum())
        hidden_0_outputs = np.array([node_0_0_output, node_0_1_output])
        node_1_0_output = relu((hidden_0_outputs * weights["node_1_0"]).sum())
        node_1_1_output = relu((hidden_0_outputs * weights["node_1_1"]).sum())
        hidden_1_outputs = np.array([node_1_0_output, node_1_1_output])
        model_output = (hidden_1_outputs * weights["output"]).sum()
        return model_output

    output = predict_with_network(input_data)
    print(output)
    assert capsys.readouterr().out == "182\n"


# ==== 2. Optimizing: errors, MSE, slopes, gradient descent (NumPy) ===========================
def test_weight_change_errors_print_6_and_0(capsys):
    from conftest_course import predict_with_network

    input_data = np.array([0, 3])
    weights_0 = {"node_0": [2, 1], "node_1": [1, 2], "output": [1, 1]}
    target_actual = 3
    model_output_0 = predict_with_network(input_data, weights_0)
    error_0 = model_output_0 - target_actual
    weights_1 = {"node_0": [2, 1], "node_1": [1, 2], "output": [1, 0]}
    model_output_1 = predict_with_network(input_data, weights_1)
    error_1 = model_output_1 - target_actual
    print(error_0)
    print(error_1)
    assert capsys.readouterr().out == "6\n0\n"


def test_mean_squared_errors_37_5_and_49_890625(capsys):
    from conftest_course import predict_with_network
    from sklearn.metrics import mean_squared_error

    input_data, target_actuals = MSE_INPUT, MSE_TARGETS
    weights_0, weights_1 = MSE_WEIGHTS_0, MSE_WEIGHTS_1
    model_output_0 = []
    model_output_1 = []
    for row in input_data:
        model_output_0.append(predict_with_network(row, weights_0))
        model_output_1.append(predict_with_network(row, weights_1))
    mse_0 = mean_squared_error(target_actuals, model_output_0)
    mse_1 = mean_squared_error(target_actuals, model_output_1)
    print("Mean squared error with weights_0: %f" % mse_0)  # noqa: UP031 (the seed's code)
    print("Mean squared error with weights_1: %f" % mse_1)  # noqa: UP031
    assert capsys.readouterr().out == (
        "Mean squared error with weights_0: 37.500000\n"
        "Mean squared error with weights_1: 49.890625\n"
    )


def test_slope_prints_minus_14_28_42(capsys):
    input_data, weights, target = np.array([1, 2, 3]), np.array([0, 2, 1]), 0
    preds = (weights * input_data).sum()
    error = target - preds
    slope = 2 * input_data * error
    print(slope)
    assert capsys.readouterr().out == "[-14 -28 -42]\n"


def test_one_weight_update_lowers_error_from_7_to_5_04(capsys):
    input_data, weights, target = np.array([1, 2, 3]), np.array([0, 2, 1]), 0
    learning_rate = 0.01
    preds = (weights * input_data).sum()
    error = preds - target
    slope = 2 * input_data * error
    assert slope.tolist() == [14, 28, 42]
    weights_updated = weights - learning_rate * slope
    assert np.allclose(weights_updated, [-0.14, 1.72, 0.58])
    preds_updated = (weights_updated * input_data).sum()
    error_updated = preds_updated - target
    print(error)
    print(error_updated)
    assert capsys.readouterr().out == "7\n5.04\n"


def test_twenty_updates_lower_the_mse(plt):
    input_data, target, weights = np.array([1, 2, 3]), 0, np.array([0, 2, 1])
    n_updates = 20
    mse_hist = []
    for i in range(n_updates):  # noqa: B007 (the seed's code)
        slope = get_slope(input_data, target, weights)
        weights = weights - slope * 0.01
        mse = get_mse(input_data, target, weights)
        mse_hist.append(mse)
    plt.plot(mse_hist)
    plt.xlabel("Iterations")
    plt.ylabel("Mean Squared Error")
    plt.show()
    # "the mean squared error decreases as the number of iterations go up"
    assert all(b < a for a, b in zip(mse_hist, mse_hist[1:]))
    assert mse_hist[0] == pytest.approx(5.04**2) and mse_hist[-1] < 1e-3


# ==== 3. Building deep learning models with keras ===========================================
@pytest.fixture
def wage_data():
    df = wages()
    predictors = df.drop(columns="wage_per_hour").values
    target = df.wage_per_hour.values
    assert predictors.shape == (534, 9) and predictors.dtype == np.int64
    return predictors, target


def build_wage_model(predictors):
    # Import necessary modules
    import lamina as keras  # noqa: F401 (the seed imports it)
    from lamina.layers import Dense
    from lamina.models import Sequential

    # Specify the model
    n_cols = predictors.shape[1]
    model = Sequential()
    model.add(Dense(50, activation="relu", input_shape=(n_cols,)))
    model.add(Dense(32, activation="relu"))
    model.add(Dense(1))
    return model


def test_specifying_the_wage_model(wage_data):
    predictors, _ = wage_data
    model = build_wage_model(predictors)
    assert len(model.layers) == 3
    assert [layer.output_shape for layer in model.layers] == [(None, 50), (None, 32), (None, 1)]
    assert [layer.count_params() for layer in model.layers] == [500, 1632, 33]


def test_compiling_keeps_the_loss_name(wage_data, capsys):
    predictors, _ = wage_data
    model = build_wage_model(predictors)
    # Compile the model
    model.compile(optimizer="adam", loss="mean_squared_error")
    # Verify that model contains information from compiling
    print("Loss function: " + model.loss)
    assert capsys.readouterr().out == "Loss function: mean_squared_error\n"


def test_fitting_the_wage_model_tf_keras_output(wage_data, capsys):
    from IPython.lib.pretty import pretty

    predictors, target = wage_data
    np.random.seed(1)
    model = build_wage_model(predictors)
    model.compile(optimizer="adam", loss="mean_squared_error")
    # Fit the model
    history = model.fit(predictors, target)
    out = capsys.readouterr().out
    # tf.keras 2.x: one epoch by default, 534 rows in 17 batches, no "Epoch 1/1" line
    assert re.fullmatch(rf"17/17 \[={{30}}\] - \d+s \d+(us|ms)/step - loss: {FLOAT}\n", out), out
    assert list(history.history) == ["loss"] and history.params["steps"] == 17
    # the cell's value, as IPython shows it: <keras.callbacks.History at 0x7f0fc2b49390>
    assert re.fullmatch(r"<lamina\.callbacks\.History at 0x[0-9a-f]+>", pretty(history))


def test_fitting_the_wage_model_keras22_output(wage_data, keras22, capsys):
    predictors, target = wage_data
    np.random.seed(1)
    model = build_wage_model(predictors)
    model.compile(optimizer="adam", loss="mean_squared_error")
    history = model.fit(predictors, target, epochs=10)  # the seed's Keras 2.0 default: 10
    out = capsys.readouterr().out
    assert [f"Epoch {i}/10" for i in range(1, 11)] == re.findall(r"Epoch \d+/10", out)
    lines = final_lines(out)
    assert len(lines) == 10
    for line in lines:
        assert re.fullmatch(rf"{SAMPLES_LINE} - loss: {FLOAT}", line), line
        assert line.startswith("534/534 [")
    loss = history.history["loss"]
    # the seed: 78.1 -> 21.6 (the wage variance is about 26)
    assert loss[-1] < loss[0] and loss[-1] < 2 * np.var(target)


@pytest.mark.xfail(
    strict=True,
    reason="Keras 2.0's Sequential.fit defaulted to epochs=10 (the seed's `Epoch 1/10` from "
    "`model.fit(predictors, target)`); lamina follows tf.keras 2.x/Keras 2.2 (epochs=1) in "
    "every output style, the keras2.0 one included (a style changes printing, not training)",
)
def test_fit_default_runs_ten_epochs_as_keras_2_0(wage_data, keras20, capsys):
    predictors, target = wage_data
    model = build_wage_model(predictors)
    model.compile(optimizer="adam", loss="mean_squared_error")
    model.fit(predictors, target)
    assert "Epoch 1/10" in capsys.readouterr().out


def test_fitting_the_wage_model_keras20_output(wage_data, keras20, capsys):
    """The seed's text, line for line in form: per epoch ``Epoch i/10``, a blank line, the
    first batch's bar `` 32/534 [>....] - ETA: 0s - loss: 146.0927``, possibly timed
    redraws, then ``534/534 [====] - 0s - loss: 78.4764`` padded with blanks to the width of
    the line before it (no per-sample time: that came with Keras 2.0.9/2.1)."""
    predictors, target = wage_data
    np.random.seed(1)
    model = build_wage_model(predictors)
    model.compile(optimizer="adam", loss="mean_squared_error")
    history = model.fit(predictors, target, epochs=10)
    out = capsys.readouterr().out
    assert out.startswith("Epoch 1/10\n\n 32/534 [>.............................] - ETA: ")
    for epoch, lines in enumerate(keras20_epochs(out, 10)):
        printed = check_keras20_bars(lines, 534, rf" - loss: {FLOAT}")
        # the final bar shows the epoch's loss, as History records it
        assert printed == pytest.approx([history.history["loss"][epoch]], abs=6e-5)
    assert list(history.history) == ["loss"] and history.params["samples"] == 534
    loss = history.history["loss"]
    assert loss[-1] < loss[0]


# ---- 3.3 / 3.4 classification on the Titanic data ------------------------------------------
@pytest.fixture
def titanic_data():
    df = titanic()
    assert df.shape == (891, 11) and df.age.max() == 80.0
    predictors = titanic_predictors(df)
    return df, predictors, predictors.shape[1]


def test_classification_model_with_to_categorical(titanic_data, keras22, capsys):
    df, predictors, n_cols = titanic_data
    np.random.seed(3)
    # Import necessary modules
    import lamina as keras  # noqa: F401
    from lamina.layers import Dense
    from lamina.models import Sequential
    from lamina.utils import to_categorical

    # Convert the target to categorical: target
    target = to_categorical(df.survived)
    assert target.shape == (891, 2) and target.dtype == np.float32
    assert target[:, 1].tolist() == df.survived.astype(float).tolist()

    model = Sequential()
    model.add(Dense(32, activation="relu", input_shape=(n_cols,)))
    model.add(Dense(2, activation="softmax"))
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(predictors, target, epochs=10)
    out = capsys.readouterr().out
    lines = final_lines(out)
    assert len(lines) == 10
    for line in lines:
        assert re.fullmatch(rf"{SAMPLES_LINE} - loss: {FLOAT} - acc: {FLOAT}", line), line
    assert list(history.history) == ["loss", "acc"]
    # "This simple model is generating an accuracy of 68": unscaled fares make SGD noisy; the
    # model must at least match the majority class (0.62) on the stand-in data.
    assert 0.55 <= history.history["acc"][-1] <= 0.9


def test_making_predictions(titanic_data, capsys):
    df, predictors, n_cols = titanic_data
    from lamina.layers import Dense
    from lamina.models import Sequential
    from lamina.utils import to_categorical

    target = to_categorical(df.survived)
    pred_data = predictors[-91:]
    np.random.seed(4)
    model = Sequential()
    model.add(Dense(32, activation="relu", input_shape=(n_cols,)))
    model.add(Dense(2, activation="softmax"))
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(predictors, target, verbose=0)
    # Calculate predictions: predictions
    predictions = model.predict(pred_data)
    # Calculate predicted probability of survival: predicted_prob_true
    predicted_prob_true = predictions[:, 1]
    print(predicted_prob_true)
    out = capsys.readouterr().out
    assert isinstance(predictions, np.ndarray) and predictions.shape == (91, 2)
    assert predictions.dtype == np.float32
    assert np.allclose(predictions.sum(axis=1), 1.0, atol=1e-6)
    assert predicted_prob_true.shape == (91,)
    assert ((predicted_prob_true >= 0) & (predicted_prob_true <= 1)).all()
    # predict is silent by default (Keras 2.x, tf.keras <= 2.8): only the float32 array prints
    assert re.match(r"\[0\.\d+ ", out), out
    assert repr(predicted_prob_true).endswith("dtype=float32)")


# ==== 4. Fine-tuning keras models ===========================================================
def titanic_target(df):
    from lamina.utils import to_categorical

    return to_categorical(df.survived)


def get_new_model(input_shape):
    """The course's pre-loaded ``get_new_model``: 100-100-2 ReLU/softmax, not compiled."""
    from lamina.layers import Dense
    from lamina.models import Sequential

    model = Sequential()
    model.add(Dense(100, activation="relu", input_shape=input_shape))
    model.add(Dense(100, activation="relu"))
    model.add(Dense(2, activation="softmax"))
    return model


def test_learning_rate_sweep_with_sgd_lr(titanic_data, keras22, capsys):
    df, predictors, n_cols = titanic_data
    target = titanic_target(df)
    np.random.seed(5)
    # Import the SGD optimizer
    from lamina.optimizers import SGD

    # Create list of learning rates: lr_to_test
    lr_to_test = [0.000001, 0.01, 1]
    losses = {}
    # Loop over learning rates
    for lr in lr_to_test:
        print("\n\nTesting model with learning rate: %f\n" % lr)  # noqa: UP031
        # Build new model to test, unaffected by previous models
        model = get_new_model((n_cols,))
        # Create SGD optimizer with specified learning rate: my_optimizer
        with pytest.warns(UserWarning, match="lr"):
            my_optimizer = SGD(lr=lr)
        assert float(my_optimizer.learning_rate.numpy()) == pytest.approx(lr)
        # Compile the model
        model.compile(optimizer=my_optimizer, loss="categorical_crossentropy")
        # Fit the model
        losses[lr] = model.fit(predictors, target, epochs=10).history["loss"]
    out = capsys.readouterr().out
    for lr in ("0.000001", "0.010000", "1.000000"):
        assert f"\n\nTesting model with learning rate: {lr}\n\n" in out
    lines = final_lines(out)
    assert len(lines) == 30
    assert all(re.fullmatch(rf"{SAMPLES_LINE} - loss: {FLOAT}", line) for line in lines)
    assert all(line.startswith("891/891 [") for line in lines)
    # too low: barely moves (seed: 3.61 -> 3.25); just right: ~0.58; too high: worse
    tiny, right, high = losses[0.000001], losses[0.01], losses[1]
    assert 0.8 * tiny[0] < tiny[-1] < tiny[0]
    assert right[-1] < 0.7 and right[-1] < tiny[-1]
    assert min(high) > min(right)


@pytest.mark.xfail(
    strict=True,
    reason="Keras 2.0/2.2 clipped softmax probabilities in categorical_crossentropy, so the "
    "seed's saturated lr=1 model reports 6.1867 (= 342/891 * -log(1e-7)) and stops learning; "
    "lamina's fit follows tf.keras 2.x/Keras 3 (cross-entropy from the softmax logits)",
)
def test_saturated_model_reports_clipped_loss_6_1867(titanic_data, keras22):
    df, predictors, n_cols = titanic_data
    target = titanic_target(df)
    from lamina.optimizers import SGD

    model = get_new_model((n_cols,))
    # the state the seed's lr=1 run fell into: every ReLU dead, the output saturated
    first, second, last = model.layers
    first.set_weights([np.zeros((n_cols, 100)), np.full(100, -5.0)])
    last.set_weights([np.zeros((100, 2)), np.array([30.0, -30.0])])
    model.compile(optimizer=SGD(learning_rate=1.0), loss="categorical_crossentropy")
    history = model.fit(predictors, target, epochs=3, verbose=0)
    assert history.history["loss"] == pytest.approx([6.1867] * 3, abs=1e-4)


def validation_model(n_cols):
    from lamina.layers import Dense
    from lamina.models import Sequential

    # Save the number of columns in predictors: n_cols
    input_shape = (n_cols,)
    # Specify the model
    model = Sequential()
    model.add(Dense(100, activation="relu", input_shape=input_shape))
    model.add(Dense(100, activation="relu"))
    model.add(Dense(2, activation="softmax"))
    # Compile the model
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def test_validation_split_keras22(titanic_data, keras22, capsys):
    df, predictors, n_cols = titanic_data
    target = titanic_target(df)
    np.random.seed(6)
    model = validation_model(n_cols)
    # Fit the model
    hist = model.fit(predictors, target, validation_split=0.3, epochs=10)
    out = capsys.readouterr().out
    assert out.startswith("Train on 623 samples, validate on 268 samples\nEpoch 1/10\n")
    lines = final_lines(out)
    assert len(lines) == 10
    for line in lines:
        assert re.fullmatch(
            rf"{SAMPLES_LINE} - loss: {FLOAT} - acc: {FLOAT} - val_loss: {FLOAT} - "
            rf"val_acc: {FLOAT}",
            line,
        ), line
        assert line.startswith("623/623 [")
    # Keras 2.x recorded the validation values first (its epoch logs held them before the
    # averaged training values were added)
    assert list(hist.history) == ["val_loss", "val_acc", "loss", "acc"]
    assert hist.params["samples"] == 623 and hist.params["epochs"] == 10
    # validation_split holds out the LAST 30% (rows 623..890), before any shuffling
    val_loss, val_acc = model.evaluate(predictors[623:], target[623:], verbose=0)
    assert hist.history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-5)
    assert hist.history["val_acc"][-1] == pytest.approx(val_acc, rel=1e-6)
    assert 0.55 < hist.history["val_acc"][-1] <= 1.0  # the seed: 0.7351


def test_validation_split_keras20_lines(titanic_data, keras20, capsys):
    """The seed's cell as Keras 2.0 printed it: ``Train on 623 samples, validate on 268
    samples``, ``Epoch 1/10``, a blank line, `` 32/623 [>...] - ETA: 0s - loss: 3.3028 -
    acc: 0.4062``, ..., ``623/623 [====] - 0s - loss: 1.3096 - acc: 0.6003 - val_loss:
    0.6805 - val_acc: 0.7201``."""
    df, predictors, n_cols = titanic_data
    target = titanic_target(df)
    np.random.seed(6)
    model = validation_model(n_cols)
    hist = model.fit(predictors, target, validation_split=0.3, epochs=3)
    out = capsys.readouterr().out
    assert out.startswith("Train on 623 samples, validate on 268 samples\nEpoch 1/3\n\n 32/623 [")
    metrics = rf" - loss: {FLOAT} - acc: {FLOAT}"
    val = rf" - val_loss: {FLOAT} - val_acc: {FLOAT}"
    for epoch, lines in enumerate(keras20_epochs(out.split("\n", 1)[1], 3)):
        printed = check_keras20_bars(lines, 623, metrics, end=val)
        recorded = [hist.history[k][epoch] for k in ("loss", "acc", "val_loss", "val_acc")]
        assert printed == pytest.approx(recorded, abs=6e-5)
    assert list(hist.history) == ["val_loss", "val_acc", "loss", "acc"]


def test_validation_split_tf_keras_history_keys(titanic_data, capsys):
    df, predictors, n_cols = titanic_data
    target = titanic_target(df)
    np.random.seed(6)
    model = validation_model(n_cols)
    hist = model.fit(predictors, target, validation_split=0.3, epochs=2)
    out = capsys.readouterr().out
    assert "Train on" not in out
    assert re.search(
        rf"Epoch 2/2\n20/20 \[={{30}}\] - \d+s \d+(us|ms)/step - loss: {FLOAT} - "
        rf"accuracy: {FLOAT} - val_loss: {FLOAT} - val_accuracy: {FLOAT}\n",
        out,
    ), out
    assert list(hist.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    # the Keras 2 names the course uses still answer
    assert hist.history["val_acc"] == hist.history["val_accuracy"]


@pytest.mark.parametrize("style", ["keras2.2", "tf.keras2"])
def test_early_stopping_patience_2(titanic_data, style, capsys):
    df, predictors, n_cols = titanic_data
    target = titanic_target(df)
    np.random.seed(7)
    previous = lamina.utils.set_output_style(style)
    try:
        # Import EarlyStopping
        from lamina.callbacks import EarlyStopping

        model = validation_model(n_cols)
        # Define early_stopping_monitor
        early_stopping_monitor = EarlyStopping(patience=2)
        # Fit the model
        hist = model.fit(
            predictors,
            target,
            epochs=30,
            validation_split=0.3,
            callbacks=[early_stopping_monitor],
        )
    finally:
        lamina.utils.set_output_style(previous)
    out = capsys.readouterr().out
    val_loss = hist.history["val_loss"]
    best = int(np.argmin(val_loss))
    # stops once val_loss has not improved for 2 epochs (the seed: after 7 of 30 epochs)
    assert len(val_loss) < 30, "no early stop in 30 epochs: choose another seed"
    assert len(val_loss) == best + 1 + 2
    assert all(v >= val_loss[best] for v in val_loss[best + 1 :])
    assert f"Epoch {len(val_loss)}/30" in out and f"Epoch {len(val_loss) + 1}/30" not in out
    assert "early stopping" not in out  # verbose=0 by default, as in the seed
    if style == "keras2.2":
        assert out.startswith("Train on 623 samples, validate on 268 samples\nEpoch 1/30\n")


# ---- model capacity: wider and deeper networks, summaries ----------------------------------
SUMMARY_TF_KERAS_MODEL_1 = """\
Model: "sequential"
_________________________________________________________________
 Layer (type)                Output Shape              Param #
=================================================================
 dense (Dense)               (None, 10)                110

 dense_1 (Dense)             (None, 10)                110

 dense_2 (Dense)             (None, 2)                 22

=================================================================
Total params: 242
Trainable params: 242
Non-trainable params: 0
_________________________________________________________________
"""

SUMMARY_TF_KERAS_MODEL_2 = """\
Model: "sequential_1"
_________________________________________________________________
 Layer (type)                Output Shape              Param #
=================================================================
 dense_3 (Dense)             (None, 100)               1100

 dense_4 (Dense)             (None, 100)               10100

 dense_5 (Dense)             (None, 2)                 202

=================================================================
Total params: 11,402
Trainable params: 11,402
Non-trainable params: 0
_________________________________________________________________
"""

# The seed's tables (Keras 2.0) without its float artefact (``Total params: 242.0``): the
# Keras 2.2 format, names counted from 1, no model-name line, rows separated by underscores.
SUMMARY_KERAS22_MODEL_1 = """\
_________________________________________________________________
Layer (type)                 Output Shape              Param #
=================================================================
dense_1 (Dense)              (None, 10)                110
_________________________________________________________________
dense_2 (Dense)              (None, 10)                110
_________________________________________________________________
dense_3 (Dense)              (None, 2)                 22
=================================================================
Total params: 242
Trainable params: 242
Non-trainable params: 0
_________________________________________________________________
"""

SUMMARY_KERAS22_MODEL_2 = """\
_________________________________________________________________
Layer (type)                 Output Shape              Param #
=================================================================
dense_4 (Dense)              (None, 100)               1100
_________________________________________________________________
dense_5 (Dense)              (None, 100)               10100
_________________________________________________________________
dense_6 (Dense)              (None, 2)                 202
=================================================================
Total params: 11,402
Trainable params: 11,402
Non-trainable params: 0
_________________________________________________________________
"""


def stripped(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def wider_models(n_cols):
    from lamina.callbacks import EarlyStopping
    from lamina.layers import Dense
    from lamina.models import Sequential

    input_shape = (n_cols,)
    # the pre-loaded model_1: 10 units in each hidden layer
    model_1 = Sequential()
    model_1.add(Dense(10, activation="relu", input_shape=input_shape))
    model_1.add(Dense(10, activation="relu"))
    model_1.add(Dense(2, activation="softmax"))
    model_1.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])

    # Define early_stopping_monitor
    early_stopping_monitor = EarlyStopping(patience=2)
    # Create the new model: model_2
    model_2 = Sequential()
    # Add the first and second layers
    model_2.add(Dense(100, activation="relu", input_shape=input_shape))
    model_2.add(Dense(100, activation="relu"))
    # Add the output layer
    model_2.add(Dense(2, activation="softmax"))
    # Compile model_2
    model_2.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model_1, model_2, early_stopping_monitor


def test_wider_networks(titanic_data, plt, capsys):
    df, predictors, n_cols = titanic_data
    target = titanic_target(df)
    np.random.seed(8)
    lamina.backend.clear_session()
    model_1, model_2, early_stopping_monitor = wider_models(n_cols)
    # Fit model_1
    model_1_training = model_1.fit(
        predictors,
        target,
        epochs=15,
        validation_split=0.2,
        callbacks=[early_stopping_monitor],
        verbose=False,
    )
    # Fit model_2
    model_2_training = model_2.fit(
        predictors,
        target,
        epochs=15,
        validation_split=0.2,
        callbacks=[early_stopping_monitor],
        verbose=False,
    )
    assert capsys.readouterr().out == ""  # verbose=False prints nothing
    # Create the plot
    plt.plot(model_1_training.history["val_loss"], "r", model_2_training.history["val_loss"], "b")
    plt.xlabel("Epochs")
    plt.ylabel("Validation score")
    plt.show()
    for training in (model_1_training, model_2_training):
        assert 1 <= len(training.history["val_loss"]) <= 15
        assert training.params["epochs"] == 15 and training.params["steps"] == 23  # 712 rows
    assert len(plt.gca().lines) == 2
    # the shared monitor started fresh for model_2: its best is model_2's, not model_1's
    assert early_stopping_monitor.best == min(model_2_training.history["val_loss"])

    model_1.summary()
    model_2.summary()
    out = capsys.readouterr().out
    assert stripped(out) == SUMMARY_TF_KERAS_MODEL_1 + SUMMARY_TF_KERAS_MODEL_2
    assert all(len(line) == 65 for line in out.splitlines()[1:4])


def test_wider_networks_summary_in_keras22_style(titanic_data, keras22, capsys):
    _, _, n_cols = titanic_data
    lamina.backend.clear_session()
    model_1, model_2, _ = wider_models(n_cols)
    model_1.summary()
    model_2.summary()
    assert stripped(capsys.readouterr().out) == SUMMARY_KERAS22_MODEL_1 + SUMMARY_KERAS22_MODEL_2


def test_adding_layers_deeper_network(titanic_data, plt, capsys):
    df, predictors, n_cols = titanic_data
    target = titanic_target(df)
    np.random.seed(9)
    from lamina.callbacks import EarlyStopping
    from lamina.layers import Dense
    from lamina.models import Sequential

    early_stopping_monitor = EarlyStopping(patience=2)
    # the pre-loaded baseline model_1: one hidden layer of 50 units
    model_1 = Sequential()
    model_1.add(Dense(50, activation="relu", input_shape=(n_cols,)))
    model_1.add(Dense(2, activation="softmax"))
    model_1.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])

    # The input shape to use in the first hidden layer
    input_shape = (n_cols,)
    # Create the new model: model_2
    model_2 = Sequential()
    # Add the first, second, and third hidden layers
    model_2.add(Dense(50, activation="relu", input_shape=input_shape))
    model_2.add(Dense(50, activation="relu"))
    model_2.add(Dense(50, activation="relu"))
    # Add the output layer
    model_2.add(Dense(2, activation="softmax"))
    # Compile model_2
    model_2.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    # Fit model 1
    model_1_training = model_1.fit(
        predictors,
        target,
        epochs=20,
        validation_split=0.4,
        callbacks=[early_stopping_monitor],
        verbose=False,
    )
    # Fit model 2
    model_2_training = model_2.fit(
        predictors,
        target,
        epochs=20,
        validation_split=0.4,
        callbacks=[early_stopping_monitor],
        verbose=False,
    )
    plt.plot(model_1_training.history["val_loss"], "r", model_2_training.history["val_loss"], "b")
    plt.xlabel("Epochs")
    plt.ylabel("Validation score")
    plt.show()
    assert capsys.readouterr().out == ""
    for training in (model_1_training, model_2_training):
        assert set(training.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
        assert training.params["steps"] == 17  # 534 training rows, 357 held out
    model_1.summary()
    model_2.summary()
    out = capsys.readouterr().out
    assert re.findall(r"Total params: ([\d,]+)", out) == ["652", "5,752"]
    assert re.findall(r"\(None, (\d+)\)\s+(\d+)", out) == [
        ("50", "550"),
        ("2", "102"),
        ("50", "550"),
        ("50", "2550"),
        ("50", "2550"),
        ("2", "102"),
    ]


# ---- 4.4 stepping up to images: the MNIST sample --------------------------------------------
@pytest.fixture(scope="module")
def mnist():
    X, y = mnist_sample()
    assert X.shape == (2500, 784) and X.dtype == np.float32
    assert y.shape == (2500, 10) and (y.sum(axis=1) == 1).all()
    return X, y


def digit_model(X, y):
    from lamina.layers import Dense
    from lamina.models import Sequential

    # Create the model: model
    model = Sequential()
    # Add the first hidden layer
    model.add(Dense(50, activation="relu", input_shape=(X.shape[1],)))
    # Add the second hidden layer
    model.add(Dense(50, activation="relu"))
    # Add the output layer
    model.add(Dense(y.shape[1], activation="softmax"))
    # Compile the model
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def test_digit_recognition_model(mnist, keras22, capsys):
    X, y = mnist
    np.random.seed(10)
    model = digit_model(X, y)
    # Fit the model (the seed's Keras 2.0 ran its default of 10 epochs)
    with one_blas_thread():
        history = model.fit(X, y, validation_split=0.3, epochs=10)
    out = capsys.readouterr().out
    assert out.startswith("Train on 1750 samples, validate on 750 samples\nEpoch 1/10\n")
    lines = final_lines(out)
    assert len(lines) == 10
    for line in lines:
        assert re.fullmatch(
            rf"{SAMPLES_LINE} - loss: {FLOAT} - acc: {FLOAT} - val_loss: {FLOAT} - "
            rf"val_acc: {FLOAT}",
            line,
        ), line
        assert line.startswith("1750/1750 [")
    # "You should see better than 90% accuracy" (the seed: val_acc 0.9053 on real MNIST)
    assert history.history["val_acc"][-1] > 0.9
    assert history.history["acc"][-1] > history.history["acc"][0]
    assert model.predict(X[:3], verbose=0).shape == (3, 10)


def test_keras2x_summary_variants(capsys):
    """The same Keras 2.x table in the keras2.3 style (seed 002 shows its ``Model:`` line) and
    for a branching functional model (``Connected to``, one inbound tensor a row)."""
    from lamina.layers import Concatenate, Dense, Input
    from lamina.models import Model, Sequential

    lamina.backend.clear_session()
    with lamina.utils.output_style.output_style("keras2.3"):
        model = Sequential()
        model.add(Dense(8, input_dim=9, activation="relu"))
        model.add(Dense(1, activation="sigmoid"))
        model.summary()
    lines = stripped(capsys.readouterr().out).splitlines()
    assert lines[:6] == [
        'Model: "sequential_1"',
        "_" * 65,
        "Layer (type)                 Output Shape              Param #",
        "=" * 65,
        "dense_1 (Dense)              (None, 8)                 80",
        "_" * 65,
    ]
    with lamina.utils.output_style.output_style("keras2.2"):
        a, b = Input((3,)), Input((4,))
        x = Concatenate()([Dense(2)(a), Dense(2)(b)])
        Model([a, b], Dense(1)(x)).summary()
    lines = stripped(capsys.readouterr().out).splitlines()
    assert lines[1].startswith("Layer (type)                    Output Shape         Param #")
    assert lines[3] == "input_1 (InputLayer)            (None, 3)            0"
    i = lines.index(
        "concatenate_1 (Concatenate)     (None, 4)            0           dense_3[0][0]"
    )
    assert lines[i + 1] == " " * 65 + "dense_4[0][0]"
    assert lines[i + 2] == "_" * 98 and lines[-5] == "=" * 98
