"""LearningRateScheduler and ReduceLROnPlateau against a fake and a real optimizer."""

from __future__ import annotations

import pytest
from cb_fakes import FakeModel, simulate_fit

from lamina.callbacks import LearningRateScheduler, ReduceLROnPlateau


def test_one_argument_schedule_sets_rate_and_logs_lr(model):
    lrs = LearningRateScheduler(lambda epoch: 1e-4 * 10 ** (epoch / 20))
    h = simulate_fit(model, [lrs], epochs=3, verbose=0)
    assert h.history["lr"] == pytest.approx([1e-4, 1e-4 * 10**0.05, 1e-4 * 10**0.1])
    assert list(h.history) == ["loss", "accuracy", "lr"]
    assert model.optimizer.learning_rate == pytest.approx(1e-4 * 10**0.1)


def test_two_argument_schedule_gets_current_rate(model):
    seen = []

    def schedule(epoch, lr):
        seen.append(lr)
        return lr * 0.5

    simulate_fit(model, [LearningRateScheduler(schedule)], epochs=3, verbose=0)
    assert seen == pytest.approx([0.01, 0.005, 0.0025])


def test_verbose_message(model, capsys):
    simulate_fit(model, [LearningRateScheduler(lambda e: 0.5, verbose=1)], epochs=1, verbose=0)
    assert capsys.readouterr().out == (
        "\nEpoch 00001: LearningRateScheduler setting learning rate to 0.5.\n"
    )


def test_real_optimizer_rate_is_set_in_place():
    from lamina.optimizers import Adam

    model = FakeModel()
    model.optimizer = Adam()
    var = model.optimizer.learning_rate
    h = simulate_fit(model, [LearningRateScheduler(lambda e: 0.02)], epochs=2, verbose=0)
    assert h.history["lr"] == [0.02, 0.02]  # float32 rate shown as tf.keras shows it
    assert float(var.numpy()) == pytest.approx(0.02)
    assert model.optimizer._current_lr() == pytest.approx(0.02)


@pytest.mark.parametrize("bad", ["0.1", None, [0.1, 0.2], float("nan"), -0.1])
def test_bad_schedule_output_is_a_clear_error(model, bad):
    lrs = LearningRateScheduler(lambda epoch: bad)
    with pytest.raises(ValueError, match=r'output of the "schedule" function.*epoch 0'):
        simulate_fit(model, [lrs], epochs=1, verbose=0)


def test_schedule_must_be_callable():
    with pytest.raises(TypeError, match="schedule"):
        LearningRateScheduler(0.1)


def test_schedule_type_errors_are_not_swallowed(model):
    def schedule(epoch, lr):
        return None + 1  # a bug inside the schedule

    with pytest.raises(TypeError, match="unsupported operand"):
        simulate_fit(model, [LearningRateScheduler(schedule)], epochs=1, verbose=0)


def test_no_optimizer_is_a_clear_error(model):
    model.optimizer = None
    with pytest.raises(ValueError, match="compile"):
        simulate_fit(model, [LearningRateScheduler(lambda e: 0.1)], epochs=1, verbose=0)


# -- ReduceLROnPlateau ------------------------------------------------------------------------


def _flat(e):
    return {"loss": 1.0, "val_loss": 1.0}


def test_reduces_after_patience_and_logs_rate_in_use(model, capsys):
    rlr = ReduceLROnPlateau(factor=0.5, patience=2, verbose=1)
    h = simulate_fit(model, [rlr], epochs=5, verbose=0, epoch_logs=_flat)
    # epoch 0 sets best; epochs 1, 2 wait; reduced at the end of epoch 2 (index), again at 4
    assert h.history["lr"] == pytest.approx([0.01, 0.01, 0.01, 0.005, 0.005])
    assert model.optimizer.learning_rate == pytest.approx(0.0025)
    out = capsys.readouterr().out
    assert "\nEpoch 00003: ReduceLROnPlateau reducing learning rate to 0.005.\n" in out


def test_cooldown_and_min_lr(model):
    rlr = ReduceLROnPlateau(factor=0.1, patience=0, cooldown=1, min_lr=0.0005)
    h = simulate_fit(model, [rlr], epochs=6, verbose=0, epoch_logs=_flat)
    assert h.history["lr"] == pytest.approx([0.01, 0.01, 0.001, 0.0005, 0.0005, 0.0005])


def test_improvement_resets_wait(model):
    values = [1.0, 0.5, 0.4, 0.3, 0.2]
    rlr = ReduceLROnPlateau(monitor="loss", patience=1)
    simulate_fit(model, [rlr], epochs=5, verbose=0, epoch_logs=lambda e: {"loss": values[e]})
    assert model.optimizer.learning_rate == 0.01


def test_epsilon_is_keras2_min_delta():
    assert ReduceLROnPlateau(epsilon=0.3).min_delta == 0.3


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"factor": 1.0}, ValueError, "factor >= 1.0"),
        ({"factor": -0.5}, ValueError, "factor"),
        ({"patience": -1}, ValueError, "patience"),
        ({"min_lr": -1}, ValueError, "min_lr"),
        ({"mode": "down"}, ValueError, "mode"),
        ({"bogus": 1}, TypeError, "bogus"),
    ],
)
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ReduceLROnPlateau(**kwargs)
