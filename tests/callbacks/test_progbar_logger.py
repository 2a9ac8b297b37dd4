"""Printed training output, as tf.keras 2.x (default) and Keras 2.2 (opt-in) printed it."""

from __future__ import annotations

import io
import re
import sys

import pytest
from cb_fakes import simulate_fit

from lamina import callbacks as cbks
from lamina.utils import set_output_style

BAR = re.escape("[==============================]")
TIME = r"\d+(?:s|ms|us)/step"


def _val_logs(e):
    return {"loss": 0.5, "accuracy": 0.75, "val_loss": 0.25, "val_accuracy": 0.0}


def test_verbose1_prints_epoch_lines_and_final_bars(model, capsys):
    simulate_fit(model, epochs=2, steps=32, verbose=1, epoch_logs=_val_logs)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2"
    assert re.fullmatch(
        rf"32/32 {BAR} - \d+s {TIME} - loss: 0\.5000 - accuracy: 0\.7500 - val_loss: 0\.2500"
        r" - val_accuracy: 0\.0000e\+00",
        lines[1],
    ), lines[1]
    assert lines[2] == "Epoch 2/2"
    assert len(lines) == 4  # no intermediate bars when not on a terminal


def test_single_epoch_has_no_epoch_line(model, capsys):
    simulate_fit(model, epochs=1, steps=5, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch" not in out
    assert re.fullmatch(rf"5/5 {BAR} - \d+s {TIME} - loss: 1\.0000 - accuracy: 0\.5000\n", out)


def test_verbose2_one_line_per_epoch(model, capsys):
    simulate_fit(model, epochs=2, steps=25, verbose=2, epoch_logs=_val_logs)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2"
    assert re.fullmatch(
        r"25/25 - \d+s - loss: 0\.5000 - accuracy: 0\.7500 - val_loss: 0\.2500 - "
        r"val_accuracy: 0\.0000e\+00 - \d+(?:s|ms|us)/epoch - \d+(?:s|ms|us)/step",
        lines[1],
    ), lines[1]
    assert "[" not in "".join(lines)


def test_verbose3_prints_only_epoch_numbers(model, capsys):
    simulate_fit(model, epochs=2, steps=3, verbose=3)
    assert capsys.readouterr().out == "Epoch 1/2\nEpoch 2/2\n"


def test_verbose0_prints_nothing(model, capsys):
    simulate_fit(model, epochs=2, steps=3, verbose=0, epoch_logs=_val_logs)
    assert capsys.readouterr().out == ""


def test_small_and_negative_values_format_as_tf_keras(model, capsys):
    logs = lambda e: {"loss": -4016.91666, "accuracy": 0.0, "mae": 0.0005}  # noqa: E731
    simulate_fit(model, epochs=1, steps=5, verbose=1, epoch_logs=logs)
    out = capsys.readouterr().out
    assert out.rstrip().endswith("- loss: -4016.9167 - accuracy: 0.0000e+00 - mae: 5.0000e-04")


def test_lr_scheduler_rate_shows_in_progress_line(model, capsys):
    lrs = cbks.LearningRateScheduler(lambda epoch: 1e-4 * 10 ** (epoch / 20))
    simulate_fit(model, [lrs], epochs=2, steps=25, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].endswith("- loss: 1.0000 - accuracy: 0.5000 - lr: 1.0000e-04")
    assert lines[3].endswith("- loss: 0.5000 - accuracy: 0.5000 - lr: 1.1220e-04")


def test_validation_inside_fit_is_silent_but_evaluate_prints(model, capsys):
    cl = cbks.CallbackList(add_progbar=True, model=model, verbose=1, epochs=1, steps=32)
    cl.on_test_begin()
    for step in range(32):
        cl.on_test_batch_begin(step)
        cl.on_test_batch_end(step, {"loss": 0.6935, "accuracy": 0.5})
    cl.on_test_end({"loss": 0.6934829950332642, "accuracy": 0.5})
    out = capsys.readouterr().out
    assert re.fullmatch(rf"32/32 {BAR} - \d+s {TIME} - loss: 0\.6935 - accuracy: 0\.5000\n", out)


def test_predict_prints_bar_without_values(model, capsys):
    cl = cbks.CallbackList(add_progbar=True, model=model, verbose=1, epochs=1, steps=7)
    cl.on_predict_begin()
    for step in range(7):
        cl.on_predict_batch_end(step, {"outputs": [1, 2]})
    cl.on_predict_end()
    assert re.fullmatch(rf"7/7 {BAR} - \d+s {TIME}\n", capsys.readouterr().out)


def test_unknown_step_count_is_learned_from_first_epoch(model, capsys):
    simulate_fit(model, epochs=2, steps=6, verbose=1, **{})
    capsys.readouterr()
    cl = cbks.CallbackList(add_progbar=True, model=model, verbose=1, epochs=1, steps=None)
    cl.on_train_begin()
    cl.on_epoch_begin(0)
    for step in range(6):
        cl.on_train_batch_end(step, {"loss": 1.0})
    cl.on_epoch_end(0, {"loss": 1.0})
    assert capsys.readouterr().out.startswith("6/6 [")


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_terminal_bar_updates_in_place(model, monkeypatch):
    tty = _Tty()
    monkeypatch.setattr(sys, "stdout", tty)
    simulate_fit(model, epochs=1, steps=3, verbose=1)
    out = tty.getvalue()
    assert out.startswith("\r1/3 [=========>....................] - ETA: 0s - loss: 1.0000")
    assert "\b" in out and out.count("\r") >= 2
    final = out.split("\r")[-1]
    assert re.fullmatch(rf"3/3 {BAR} - \d+s {TIME} - loss: 1\.0000 - accuracy: 0\.5000\s*\n", final)


# -- Keras 2.2 style ------------------------------------------------------------------------


def test_keras22_samples_based_output(model, capsys):
    set_output_style("keras2.2")

    def logs(e):
        return {
            "loss": 2.2511,
            "accuracy": 0.2037,
            "val_loss": 2.1275,
            "val_accuracy": 0.28125,
        }

    h = simulate_fit(
        model,
        epochs=2,
        steps=115,
        verbose=1,
        epoch_logs=logs,
        samples=1149,
        val_samples=288,
        batch_size=10,
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Train on 1149 samples, validate on 288 samples"
    assert lines[1] == "Epoch 1/2"
    assert re.fullmatch(
        rf"1149/1149 {BAR} - \d+s {TIME} - loss: 2\.2511 - acc: 0\.2037 - val_loss: 2\.1275"
        r" - val_acc: 0\.2812",
        lines[2],
    ), lines[2]
    # Keras 2.2 put the validation values into the epoch logs first
    assert list(h.history) == ["val_loss", "val_acc", "loss", "acc"]
    assert h.history["accuracy"] == h.history["acc"]
    assert h.params == {
        "batch_size": 10,
        "epochs": 2,
        "steps": None,
        "samples": 1149,
        "verbose": 1,
        "do_validation": True,
        "metrics": ["loss", "acc", "val_loss", "val_acc"],
    }


def test_keras22_no_train_on_line_without_validation_and_epoch_1_of_1(model, capsys):
    set_output_style("keras2.2")
    simulate_fit(model, epochs=1, steps=12, verbose=1, samples=1149, batch_size=100)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/1"
    assert re.fullmatch(rf"1149/1149 {BAR} - \d+s {TIME} - loss: 1\.0000 - acc: 0\.5000", lines[1])


def test_keras22_verbose2_line(model, capsys):
    set_output_style("keras2.2")
    logs = lambda e: {"loss": 0.6913, "accuracy": 0.5373, "val_loss": 0.6956, "val_accuracy": 0.516}  # noqa: E731
    simulate_fit(
        model,
        epochs=1,
        steps=47,
        verbose=2,
        epoch_logs=logs,
        samples=750,
        val_samples=250,
        batch_size=16,
    )
    assert capsys.readouterr().out.splitlines() == [
        "Train on 750 samples, validate on 250 samples",
        "Epoch 1/1",
        " - 0s - loss: 0.6913 - acc: 0.5373 - val_loss: 0.6956 - val_acc: 0.5160",
    ]


def test_keras22_falls_back_to_steps_without_sample_count(model, capsys):
    set_output_style("keras2.2")
    simulate_fit(model, epochs=1, steps=8, verbose=1)
    assert capsys.readouterr().out.splitlines()[1].startswith("8/8 [")


def test_bad_count_mode():
    import pytest

    with pytest.raises(ValueError, match="count_mode"):
        cbks.ProgbarLogger(count_mode="batches")


def test_keras23_keeps_metric_names_as_written(model, capsys):
    # Seed 002 (Keras 2.3): samples-based lines, but `accuracy` as the user wrote it.
    set_output_style("keras2.3")

    def logs(e):
        return {"loss": 0.6913, "accuracy": 0.5373, "val_loss": 0.6956, "val_accuracy": 0.516}

    h = simulate_fit(
        model,
        epochs=1,
        steps=47,
        verbose=2,
        epoch_logs=logs,
        samples=750,
        val_samples=250,
        batch_size=16,
    )
    assert capsys.readouterr().out.splitlines() == [
        "Train on 750 samples, validate on 250 samples",
        "Epoch 1/1",
        " - 0s - loss: 0.6913 - accuracy: 0.5373 - val_loss: 0.6956 - val_accuracy: 0.5160",
    ]
    assert list(h.history) == ["val_loss", "val_accuracy", "loss", "accuracy"]  # as seed 002
    assert h.params["metrics"] == ["loss", "accuracy", "val_loss", "val_accuracy"]


def test_disable_interactive_logging_sends_output_to_logging(model, capsys, caplog):
    import logging

    from lamina.utils import (
        disable_interactive_logging,
        enable_interactive_logging,
        is_interactive_logging_enabled,
    )

    disable_interactive_logging()
    try:
        assert not is_interactive_logging_enabled()
        es = cbks.EarlyStopping(monitor="loss", verbose=1)
        with caplog.at_level(logging.INFO, logger="lamina"):
            simulate_fit(
                model, [es], epochs=3, steps=2, verbose=1, epoch_logs=lambda e: {"loss": 1.0}
            )
    finally:
        enable_interactive_logging()
    assert capsys.readouterr().out == ""
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "Epoch 1/3"
    assert messages[1].startswith("2/2 [")
    assert messages[-1] == "Epoch 00002: early stopping"


# -- Keras 2.0 style ------------------------------------------------------------------------


@pytest.fixture
def frozen_clock(monkeypatch):
    """Time stands still: the first batch's bar is drawn (Keras 2.0 always drew it), later
    ones fall within the 0.05 s redraw interval, elapsed times and ETAs read 0s."""
    monkeypatch.setattr("lamina.callbacks.progbar_logger.time.time", lambda: 5000.0)


def _keras20_logs(e):
    return {"loss": 2.2511, "accuracy": 0.2037, "val_loss": 2.1275, "val_accuracy": 0.28125}


def test_keras20_verbose1_with_validation(model, frozen_clock, capsys):
    set_output_style("keras2.0")
    h = simulate_fit(
        model,
        epochs=2,
        steps=115,
        verbose=1,
        epoch_logs=_keras20_logs,
        samples=1149,
        val_samples=288,
        batch_size=10,
    )
    first = "  10/1149 [..............................] - ETA: 0s - loss: {} - acc: 0.5000"
    final = (
        "1149/1149 [==============================] - 0s - loss: 2.2511 - acc: 0.2037"
        " - val_loss: 2.1275 - val_acc: 0.2812"
    )
    assert capsys.readouterr().out.split("\n") == [
        "Train on 1149 samples, validate on 288 samples",
        "Epoch 1/2",
        "",  # Keras 2.0's carriage return before the first bar, as captured output shows it
        first.format("1.0000"),
        final,
        "Epoch 2/2",
        "",
        first.format("0.5000"),
        final,
        "",
    ]
    assert list(h.history) == ["val_loss", "val_acc", "loss", "acc"]
    assert h.params == {
        "batch_size": 10,
        "epochs": 2,
        "steps": None,
        "samples": 1149,
        "verbose": 1,
        "do_validation": True,
        "metrics": ["loss", "acc", "val_loss", "val_acc"],
    }


def test_keras20_verbose1_without_validation_pads_the_final_bar(model, frozen_clock, capsys):
    set_output_style("keras2.0")
    simulate_fit(model, epochs=1, steps=4, verbose=1, samples=100, batch_size=32)
    assert capsys.readouterr().out == (
        "Epoch 1/1\n"
        "\n 32/100 [========>.....................] - ETA: 0s - loss: 1.0000 - acc: 0.5000"
        # blanks over the 5 characters " - ETA: 0s" had more than " - 0s"
        "\n100/100 [==============================] - 0s - loss: 1.0000 - acc: 0.5000     \n"
    )


def test_keras20_one_batch_epoch_draws_only_the_final_bar(model, frozen_clock, capsys):
    set_output_style("keras2.0")
    simulate_fit(model, epochs=1, steps=1, verbose=1, samples=20, batch_size=32)
    assert capsys.readouterr().out == (
        "Epoch 1/1\n\n20/20 [==============================] - 0s - loss: 1.0000 - acc: 0.5000\n"
    )


def test_keras20_verbose2_lines(model, frozen_clock, capsys):
    set_output_style("keras2.0")
    simulate_fit(
        model,
        epochs=2,
        steps=47,
        verbose=2,
        epoch_logs=_keras20_logs,
        samples=750,
        val_samples=250,
        batch_size=16,
    )
    line = "0s - loss: 2.2511 - acc: 0.2037 - val_loss: 2.1275 - val_acc: 0.2812"
    assert capsys.readouterr().out.splitlines() == [
        "Train on 750 samples, validate on 250 samples",
        "Epoch 1/2",
        line,
        "Epoch 2/2",
        line,
    ]
    simulate_fit(model, epochs=1, steps=3, verbose=2, samples=40, batch_size=16)
    assert capsys.readouterr().out == "Epoch 1/1\n0s - loss: 1.0000 - acc: 0.5000\n"


def _evaluate(model, verbose, samples=100, batch_size=32):
    steps = -(-samples // batch_size)
    cl = cbks.CallbackList(
        add_progbar=True,
        model=model,
        verbose=verbose,
        epochs=1,
        steps=steps,
        samples=samples,
        batch_size=batch_size,
    )
    cl.on_test_begin()
    for step in range(steps):
        cl.on_test_batch_begin(step)
        cl.on_test_batch_end(step, {"loss": 0.6935, "accuracy": 0.5})
    cl.on_test_end({"loss": 0.6934829950332642, "accuracy": 0.5})
    return cl


def test_keras20_evaluate_bar_counts_samples_without_values(model, frozen_clock, capsys):
    set_output_style("keras2.0")
    cl = _evaluate(model, verbose=1)
    assert cl._should_call_test_batch_hooks  # the first batch's bar needs the batch hooks
    assert capsys.readouterr().out == (
        "\n 32/100 [========>.....................] - ETA: 0s"
        "\n100/100 [==============================] - 0s     \n"
    )


@pytest.mark.parametrize("style", ["keras2.0", "keras2.2", "keras2.3"])
def test_samples_styles_evaluate_and_predict_silent_for_verbose2(model, style, capsys):
    # Keras 2.0-2.3's test and predict loops drew their bar only for verbose=1
    set_output_style(style)
    cl = _evaluate(model, verbose=2)
    assert not cl._should_call_test_batch_hooks
    cl.on_predict_begin()
    cl.on_predict_batch_end(0, {"outputs": [1]})
    cl.on_predict_end()
    assert capsys.readouterr().out == ""


def test_keras22_evaluate_on_a_terminal_shows_no_values_while_running(model, monkeypatch):
    set_output_style("keras2.2")
    tty = _Tty()
    monkeypatch.setattr(sys, "stdout", tty)
    _evaluate(model, verbose=1)
    out = tty.getvalue()
    assert out.startswith("\r 32/100 [========>.....................] - ETA: 0s\b")
    assert re.fullmatch(rf"100/100 {BAR} - \d+s {TIME}\s*\n", out.split("\r")[-1])
    assert "loss" not in out


def test_keras20_validation_inside_fit_needs_no_batch_hooks(model):
    set_output_style("keras2.0")
    cl = cbks.CallbackList(
        add_progbar=True,
        model=model,
        verbose=1,
        epochs=2,
        steps=20,
        samples=623,
        val_samples=268,
        batch_size=32,
        do_validation=True,
    )
    assert cl._should_call_train_batch_hooks and not cl._should_call_test_batch_hooks
