"""End to end: what a real ``Sequential.fit`` / ``evaluate`` / ``predict`` prints and records."""

from __future__ import annotations

import re

import numpy as np
import pytest

import lamina as tf
from lamina.utils import set_output_style

BAR = re.escape("[==============================]")
TIME = r"\d+(?:s|ms|us)/step"
NUM = r"-?\d+\.\d{4}(?:e[+-]\d\d)?"


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    x = rng.rand(1000, 2).astype("float32")
    y = (x.sum(axis=1) > 1).astype("float32")
    return x, y


def _model():
    tf.random.set_seed(42)
    model = tf.keras.Sequential(
        [
            tf.keras.layers.Dense(4, activation="relu", input_shape=(2,)),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def test_fit_verbose1_lines(data, capsys):
    history = _model().fit(*data, epochs=2, validation_split=0.2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    pattern = (
        rf"25/25 {BAR} - \d+s {TIME} - loss: ({NUM}) - accuracy: ({NUM}) - val_loss: ({NUM})"
        rf" - val_accuracy: ({NUM})"
    )
    match = re.fullmatch(pattern, lines[3])
    assert match, lines[3]
    printed = [float(g) for g in match.groups()]
    recorded = [history.history[k][1] for k in ("loss", "accuracy", "val_loss", "val_accuracy")]
    assert printed == pytest.approx(recorded, abs=6e-5)  # printed with 4 decimals


def test_fit_verbose2_and_verbose0(data, capsys):
    model = _model()
    model.fit(*data, epochs=1, batch_size=16, validation_split=0.25, verbose=2)
    out = capsys.readouterr().out
    assert re.fullmatch(
        rf"47/47 - \d+s - loss: {NUM} - accuracy: {NUM} - val_loss: {NUM} - val_accuracy: {NUM}"
        r" - \d+(?:s|ms|us)/epoch - \d+(?:s|ms|us)/step\n",
        out,
    ), out
    model.fit(*data, epochs=2, verbose=0)
    model.fit(*data, epochs=1, verbose=False)
    assert capsys.readouterr().out == ""


def test_history_of_a_real_fit(data):
    model = _model()
    history = model.fit(*data, epochs=3, validation_data=(data[0][:100], data[1][:100]), verbose=0)
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert history.history["acc"] == history.history["accuracy"]
    assert history.history["val_acc"] == history.history["val_accuracy"]
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 32}
    assert history.model is model and model.history is history
    assert all(isinstance(v, float) for v in history.history["loss"])


def test_evaluate_and_predict_print_bars(data, capsys):
    model = _model()
    model.fit(*data, epochs=1, verbose=0)
    result = model.evaluate(*data)
    out = capsys.readouterr().out
    match = re.fullmatch(rf"32/32 {BAR} - \d+s {TIME} - loss: ({NUM}) - accuracy: ({NUM})\n", out)
    assert match, out
    assert float(match.group(1)) == pytest.approx(result[0], abs=6e-5)
    model.predict(data[0][:100])  # silent by default, as the tf.keras of the seeds (<= 2.8)
    assert capsys.readouterr().out == ""
    model.predict(data[0][:100], verbose=1)
    assert re.fullmatch(rf"4/4 {BAR} - \d+s {TIME}\n", capsys.readouterr().out)
    model.evaluate(*data, verbose=0)
    assert capsys.readouterr().out == ""


def test_learning_rate_scheduler_in_fit(data, capsys):
    model = _model()
    lrs = tf.keras.callbacks.LearningRateScheduler(lambda epoch: 1e-4 * 10 ** (epoch / 20))
    history = model.fit(*data, epochs=3, callbacks=[lrs])
    assert history.history["lr"] == pytest.approx([1e-4, 1.1220185e-4, 1.2589254e-4], rel=1e-6)
    assert list(history.history) == ["loss", "accuracy", "lr"]
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].endswith(" - lr: 1.0000e-04") and lines[5].endswith(" - lr: 1.2589e-04")
    assert float(np.asarray(model.optimizer.learning_rate)) == pytest.approx(1.2589254e-4)


def test_early_stopping_message_with_silent_fit_and_reuse(data, capsys):
    es = tf.keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=10.0, patience=1, verbose=1)
    model = _model()
    h1 = model.fit(*data, epochs=10, validation_split=0.2, verbose=0, callbacks=[es])
    h2 = model.fit(*data, epochs=10, validation_split=0.2, verbose=0, callbacks=[es])
    assert h1.epoch == h2.epoch == [0, 1]
    assert capsys.readouterr().out == "Epoch 00002: early stopping\nEpoch 00002: early stopping\n"


def test_restore_best_weights_in_fit(data):
    model = _model()
    snapshots = []
    keep = tf.keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append((logs["loss"], model.get_weights()))
    )
    es = tf.keras.callbacks.EarlyStopping(monitor="loss", patience=50, restore_best_weights=True)
    model.fit(*data, epochs=4, verbose=0, callbacks=[keep, es])
    best = min(snapshots, key=lambda s: s[0])[1]
    for got, want in zip(model.get_weights(), best):
        np.testing.assert_array_equal(got, want)


def test_csv_logger_in_fit(data, tmp_path):
    path = tmp_path / "training.log"
    history = _model().fit(
        *data, epochs=2, verbose=0, callbacks=[tf.keras.callbacks.CSVLogger(str(path))]
    )
    rows = path.read_text().splitlines()
    assert rows[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    assert float(rows[2].split(",")[2]) == history.history["loss"][1]


def test_keras22_style_end_to_end(data, capsys):
    set_output_style("keras2.2")
    model = _model()
    history = model.fit(*data, epochs=2, batch_size=100, validation_split=0.2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Train on 800 samples, validate on 200 samples"
    assert lines[1] == "Epoch 1/2"
    assert re.fullmatch(
        rf"800/800 {BAR} - \d+s {TIME} - loss: {NUM} - acc: {NUM} - val_loss: {NUM}"
        rf" - val_acc: {NUM}",
        lines[2],
    ), lines[2]
    assert list(history.history) == ["val_loss", "val_acc", "loss", "acc"]
    assert history.history["val_accuracy"] == history.history["val_acc"]
    assert history.params["samples"] == 800 and history.params["batch_size"] == 100
    model.fit(*data, epochs=1, batch_size=100, verbose=2)
    assert re.fullmatch(
        rf"Epoch 1/1\n - \d+s - loss: {NUM} - acc: {NUM}\n", capsys.readouterr().out
    )


def _keras20_blocks(out: str) -> list[list[str]]:
    """Keras 2.0 output split at its ``Epoch i/n`` lines; each block after the blank line."""
    blocks = re.split(r"^Epoch \d+/\d+\n", out, flags=re.M)[1:]
    assert all(b.startswith("\n") and b.endswith("\n") for b in blocks), out
    return [b[1:-1].split("\n") for b in blocks]


def test_keras20_style_end_to_end(data, capsys):
    set_output_style("keras2.0")
    model = _model()
    history = model.fit(*data, epochs=2, batch_size=100, validation_split=0.2)
    out = capsys.readouterr().out
    assert out.startswith("Train on 800 samples, validate on 200 samples\nEpoch 1/2\n\n")
    for epoch, lines in enumerate(_keras20_blocks(out.split("\n", 1)[1])):
        # the first batch's bar (always drawn), maybe timed redraws, the final bar
        assert re.fullmatch(
            rf"100/800 \[==>\.{{27}}\] - ETA: \d+s - loss: {NUM} - acc: {NUM}", lines[0]
        ), lines[0]
        final = re.fullmatch(
            rf"800/800 {BAR} - \d+s - loss: ({NUM}) - acc: ({NUM}) - val_loss: ({NUM})"
            rf" - val_acc: ({NUM})",
            lines[-1],
        )
        assert final, lines[-1]
        printed = [float(g) for g in final.groups()]
        recorded = [history.history[k][epoch] for k in ("loss", "acc", "val_loss", "val_acc")]
        assert printed == pytest.approx(recorded, abs=6e-5)
    assert list(history.history) == ["val_loss", "val_acc", "loss", "acc"]

    model.fit(*data, epochs=1, batch_size=100, verbose=2)
    assert re.fullmatch(rf"Epoch 1/1\n\d+s - loss: {NUM} - acc: {NUM}\n", capsys.readouterr().out)

    # evaluate counts samples and shows only the bar; verbose=2 printed nothing in Keras 2.0
    result = model.evaluate(*data, batch_size=250)
    lines = capsys.readouterr().out.split("\n")
    assert lines[0] == "" and lines[-1] == ""
    assert re.fullmatch(r" 250/1000 \[======>\.{23}\] - ETA: \d+s", lines[1]), lines[1]
    assert re.fullmatch(rf"1000/1000 {BAR} - \d+s *", lines[-2]), lines[-2]
    assert len(lines[-2]) >= len(lines[-3])  # blanks over the longer ETA bar before it
    assert len(result) == 2
    model.evaluate(*data, verbose=2)
    model.predict(data[0][:10], verbose=2)
    model.predict(data[0][:10])
    assert capsys.readouterr().out == ""
    model.predict(data[0][:10], verbose=1)
    assert re.fullmatch(rf"\n10/10 {BAR} - \d+s\n", capsys.readouterr().out)


@pytest.mark.parametrize("style", ["keras2.2", "keras2.3"])
def test_keras2x_evaluate_bar_counts_samples(data, style, capsys):
    # Keras 2.2/2.3: `1000/1000 [==============================] - 0s 26us/step` (seed 002)
    set_output_style(style)
    model = _model()
    model.evaluate(*data)
    assert re.fullmatch(rf"1000/1000 {BAR} - \d+s {TIME}\n", capsys.readouterr().out)
    model.evaluate(*data, verbose=2)
    assert capsys.readouterr().out == ""
