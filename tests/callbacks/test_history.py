"""History: Keras key order, acc/accuracy aliases, attributes as tf.keras 2.x."""

from __future__ import annotations

import pandas as pd
import pytest
from cb_fakes import simulate_fit

from lamina import callbacks as cbks
from lamina.callbacks.history import HistoryDict


def _logs(e):
    return {"loss": 1.0 - 0.1 * e, "accuracy": 0.5 + 0.1 * e, "val_loss": 2.0, "val_accuracy": 0.4}


def test_keys_in_keras_order_and_values(model):
    h = simulate_fit(model, epochs=3, verbose=0, epoch_logs=_logs)
    assert list(h.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert h.history["loss"] == pytest.approx([1.0, 0.9, 0.8])
    assert h.epoch == [0, 1, 2]
    assert h.params == {"verbose": 0, "epochs": 3, "steps": 4}
    assert h.model is model


def test_keras2_names_are_answered_but_not_listed(model):
    h = simulate_fit(model, epochs=2, verbose=0, epoch_logs=_logs)
    assert h.history["acc"] == h.history["accuracy"]
    assert h.history["val_acc"] == [0.4, 0.4]
    assert "acc" in h.history and "val_acc" in h.history
    assert h.history.get("acc") == h.history["accuracy"]
    assert "acc" not in h.history.keys()
    assert h.history.get("nothing", 7) == 7
    with pytest.raises(KeyError):
        h.history["precision"]


def test_alias_works_the_other_way_for_acc_metrics():
    d = HistoryDict(acc=[0.5], val_acc=[0.25])
    assert d["accuracy"] == [0.5] and d["val_accuracy"] == [0.25]


def test_dataframe_has_no_alias_columns(model):
    h = simulate_fit(model, epochs=3, verbose=0, epoch_logs=_logs)
    df = pd.DataFrame(h.history)
    assert list(df.columns) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert df.shape == (3, 4)


def test_dict_holds_model_params_epoch_history(model):
    h = simulate_fit(model, epochs=1, verbose=0)
    assert list(vars(h)) == ["validation_data", "model", "params", "epoch", "history"]
    assert isinstance(h.history, dict)


def test_repr_names_the_public_module(model):
    h = simulate_fit(model, epochs=1, verbose=0)
    assert repr(h).startswith("<lamina.callbacks.History object at 0x")


def test_each_fit_gets_a_new_history(model):
    h1 = simulate_fit(model, epochs=2, verbose=0)
    h2 = simulate_fit(model, epochs=1, verbose=0)
    assert h1 is not h2
    assert len(h1.history["loss"]) == 2 and len(h2.history["loss"]) == 1


def test_history_reused_as_user_callback_resets_epochs_only(model):
    # tf.keras 2.x: a History passed in callbacks keeps appending values, epochs restart.
    h = cbks.History()
    simulate_fit(model, [h], epochs=2, verbose=0)
    simulate_fit(model, [h], epochs=1, verbose=0)
    assert h.epoch == [0]
    assert len(h.history["loss"]) == 3
