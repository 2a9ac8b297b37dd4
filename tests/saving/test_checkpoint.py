"""ModelCheckpoint: Keras's filepath formatting, save_best_only and its messages."""

import os

import numpy as np
import pytest
from saving_helpers import make_model, toy_data

import lamina as keras
from lamina.models import load_model


def test_filepath_formatting_and_every_epoch(tmp_path):
    x, y = toy_data()
    model = make_model()
    pattern = str(tmp_path / "w.{epoch:02d}-{val_loss:.2f}.keras")
    model.fit(
        x,
        y,
        epochs=3,
        verbose=0,
        validation_split=0.25,
        callbacks=[keras.callbacks.ModelCheckpoint(pattern)],
    )
    files = sorted(os.listdir(tmp_path))
    assert len(files) == 3
    assert files[0].startswith("w.01-") and files[2].startswith("w.03-")
    load_model(str(tmp_path / files[-1]))


def test_save_best_only_messages(tmp_path, capsys):
    x, y = toy_data()
    model = make_model()
    path = str(tmp_path / "best.keras")
    cb = keras.callbacks.ModelCheckpoint(path, monitor="loss", save_best_only=True, verbose=1)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[cb])
    out = capsys.readouterr().out
    assert "Epoch 00001: loss improved from inf to " in out
    assert f"saving model to {path}" in out
    assert os.path.exists(path)


def test_weights_only_and_bad_extension(tmp_path):
    with pytest.raises(ValueError, match="weights.h5"):
        keras.callbacks.ModelCheckpoint(str(tmp_path / "x.keras"), save_weights_only=True)
    x, y = toy_data()
    model = make_model()
    path = str(tmp_path / "w.weights.h5")
    model.fit(
        x,
        y,
        epochs=1,
        verbose=0,
        callbacks=[keras.callbacks.ModelCheckpoint(path, save_weights_only=True)],
    )
    fresh = make_model(seed=3)
    fresh.load_weights(path)
    for a, b in zip(model.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(a, b)
