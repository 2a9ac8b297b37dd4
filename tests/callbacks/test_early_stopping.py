"""EarlyStopping: tf.keras semantics, the printed message, reuse, and argument checks."""

from __future__ import annotations

import numpy as np
import pytest
from cb_fakes import simulate_fit

from lamina.callbacks import EarlyStopping


def _val_losses(values, key="val_loss"):
    return lambda e: {"loss": 1.0, key: values[e]}


def test_patience_zero_stops_at_first_non_improvement(model, capsys):
    # Seed 000: improvement on epochs 1-5, none on epoch 6 -> "Epoch 00006: early stopping".
    es = EarlyStopping(monitor="val_loss", min_delta=1e-8, patience=0, verbose=1, mode="min")
    values = [0.9, 0.8, 0.7, 0.6, 0.5, 0.55, 0.4, 0.3]
    h = simulate_fit(model, [es], epochs=8, verbose=0, epoch_logs=_val_losses(values))
    assert h.epoch == [0, 1, 2, 3, 4, 5]
    assert es.stopped_epoch == 5
    assert capsys.readouterr().out == "Epoch 00006: early stopping\n"


def test_patience_counts_epochs_without_improvement(model):
    es = EarlyStopping(patience=2)
    values = [1.0, 0.9, 0.95, 0.91, 0.92, 0.1]
    h = simulate_fit(model, [es], epochs=6, verbose=0, epoch_logs=_val_losses(values))
    assert h.epoch == [0, 1, 2, 3]


def test_min_delta_decides_what_counts(model):
    es = EarlyStopping(monitor="loss", min_delta=0.05, patience=0)
    values = [1.0, 0.97, 0.5]
    h = simulate_fit(model, [es], epochs=3, verbose=0, epoch_logs=lambda e: {"loss": values[e]})
    assert h.epoch == [0, 1]


def test_auto_mode_maximises_accuracy_including_keras2_names(model):
    for monitor in ("val_accuracy", "val_acc", "acc", "val_auc", "val_precision_1"):
        es = EarlyStopping(monitor=monitor)
        assert es.monitor_op is np.greater, monitor
    assert EarlyStopping(monitor="val_loss").monitor_op is np.less
    assert EarlyStopping(monitor="val_mae").monitor_op is np.less


def test_monitor_keras2_name_reads_keras3_log_key(model):
    es = EarlyStopping(monitor="val_acc", patience=0)
    values = [0.5, 0.6, 0.55, 0.9]
    h = simulate_fit(
        model, [es], epochs=4, verbose=0, epoch_logs=_val_losses(values, "val_accuracy")
    )
    assert h.epoch == [0, 1, 2]


def test_message_prints_when_fit_is_verbose(model, capsys):
    es = EarlyStopping(monitor="loss", patience=0, verbose=1)
    simulate_fit(model, [es], epochs=4, steps=2, verbose=2, epoch_logs=lambda e: {"loss": 1.0})
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "Epoch 00002: early stopping"
    assert lines[-2].startswith("2/2 - ")  # after the last progress line


def test_silent_by_default(model, capsys):
    es = EarlyStopping(monitor="loss")
    h = simulate_fit(model, [es], epochs=4, verbose=0, epoch_logs=lambda e: {"loss": 1.0})
    assert h.epoch == [0, 1]
    assert capsys.readouterr().out == ""


def test_reused_callback_starts_fresh(model):
    es = EarlyStopping(patience=1)
    values = [1.0, 1.1, 1.2, 1.3]
    h1 = simulate_fit(model, [es], epochs=4, verbose=0, epoch_logs=_val_losses(values))
    h2 = simulate_fit(model, [es], epochs=4, verbose=0, epoch_logs=_val_losses(values))
    assert h1.epoch == h2.epoch == [0, 1]
    assert es.best == 1.0


def test_restore_best_weights(model, capsys):
    es = EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    values = [1.0, 0.5, 0.7, 0.8, 0.1]
    simulate_fit(model, [es], epochs=5, verbose=0, epoch_logs=_val_losses(values))
    np.testing.assert_array_equal(model.weights[0], np.full(3, 1.0))  # epoch index 1
    assert capsys.readouterr().out.splitlines() == [
        "Epoch 00004: early stopping",
        "Restoring model weights from the end of the best epoch: 2.",
    ]


def test_restore_best_weights_also_when_training_runs_to_the_end(model):
    es = EarlyStopping(patience=5, restore_best_weights=True)
    values = [1.0, 0.2, 0.7]
    simulate_fit(model, [es], epochs=3, verbose=0, epoch_logs=_val_losses(values))
    np.testing.assert_array_equal(model.weights[0], np.full(3, 1.0))


def test_baseline_must_be_beaten(model):
    # Not beating the baseline keeps the wait running (an improvement itself never stops).
    es = EarlyStopping(patience=2, baseline=0.5)
    values = [0.9, 0.95, 0.97, 0.99, 0.4]
    h = simulate_fit(model, [es], epochs=5, verbose=0, epoch_logs=_val_losses(values))
    assert h.epoch == [0, 1]
    es = EarlyStopping(patience=2, baseline=0.5)
    values = [0.9, 0.8, 0.7, 0.6, 0.4]
    h = simulate_fit(model, [es], epochs=5, verbose=0, epoch_logs=_val_losses(values))
    assert h.epoch == [0, 1, 2, 3, 4]


def test_start_from_epoch_delays_monitoring(model):
    es = EarlyStopping(monitor="loss", patience=0, start_from_epoch=3)
    h = simulate_fit(model, [es], epochs=6, verbose=0, epoch_logs=lambda e: {"loss": 1.0})
    assert h.epoch == [0, 1, 2, 3, 4]


def test_missing_monitor_warns_and_does_not_stop(model):
    es = EarlyStopping(monitor="val_loss", patience=0)
    with pytest.warns(UserWarning, match=r"`val_loss` which is not available.*loss,accuracy"):
        h = simulate_fit(model, [es], epochs=3, verbose=0)
    assert h.epoch == [0, 1, 2]


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"patience": -1}, ValueError, "patience"),
        ({"patience": 1.5}, TypeError, "patience"),
        ({"mode": "minimum"}, ValueError, "mode"),
        ({"monitor": 3}, TypeError, "monitor"),
        ({"baseline": "low"}, TypeError, "baseline"),
        ({"start_from_epoch": -2}, ValueError, "start_from_epoch"),
        ({"verbose": "yes"}, ValueError, "verbose"),
    ],
)
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        EarlyStopping(**kwargs)
