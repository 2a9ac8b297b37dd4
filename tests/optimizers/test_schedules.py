"""Learning-rate schedules: config round trips, errors, use inside optimizers."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina.optimizers import schedules

SCHEDULES = [
    schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.9, staircase=True),
    schedules.PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001]),
    schedules.PolynomialDecay(0.1, 100, end_learning_rate=0.001, power=0.5, cycle=True),
    schedules.InverseTimeDecay(0.1, 10, 0.5),
    schedules.CosineDecay(0.1, 100, alpha=0.01, warmup_target=0.2, warmup_steps=10),
    schedules.CosineDecayRestarts(0.1, 50, t_mul=2.0, m_mul=0.9, alpha=0.0),
]


@pytest.mark.parametrize("sched", SCHEDULES, ids=lambda s: type(s).__name__)
def test_config_round_trip_and_serialize(sched):
    again = type(sched).from_config(sched.get_config())
    assert again.get_config() == sched.get_config()
    blob = schedules.serialize(sched)
    assert blob["module"] == "keras.optimizers.schedules"
    assert blob["class_name"] == type(sched).__name__
    back = schedules.deserialize(blob)
    for step in (0, 7, 33, 250):
        assert float(back(step)) == float(sched(step))


def test_keras2_shaped_config():
    sched = schedules.deserialize(
        {
            "class_name": "ExponentialDecay",
            "config": {
                "initial_learning_rate": 0.5,
                "decay_steps": 1,
                "decay_rate": 0.5,
                "staircase": False,
                "name": None,
            },
        }
    )
    assert float(sched(2)) == pytest.approx(0.125)


def test_returns_float32_scalar_tensor_and_accepts_variable_steps():
    sched = schedules.ExponentialDecay(0.1, 10, 0.5)
    step = lamina.Variable(np.array(10, np.int64))
    out = sched(step)
    assert isinstance(out, lamina.Tensor) and out.dtype == lamina.float32 and out.shape == ()
    assert float(out) == pytest.approx(0.05)


def test_bad_arguments():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.CosineDecay(0.1, -5)
    with pytest.raises(ValueError, match="first_decay_steps"):
        schedules.CosineDecayRestarts(0.1, 0)
    with pytest.raises(ValueError, match="1 less than"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1])
    with pytest.raises(ValueError, match="initial_learning_rate"):
        schedules.InverseTimeDecay(-0.1, 10, 0.5)
    with pytest.raises(TypeError, match="initial_learning_rate"):
        schedules.PolynomialDecay("0.1", 10)


def test_base_class_requires_call_and_config():
    class Half(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 0.5 ** (float(step) + 1)

    with pytest.raises(NotImplementedError, match="get_config"):
        Half().get_config()
    with pytest.raises(NotImplementedError, match="__call__"):
        schedules.LearningRateSchedule()(0)
    opt = lamina.optimizers.SGD(learning_rate=Half())
    v = lamina.Variable(np.zeros(2, np.float32))
    for _ in range(2):
        opt.apply_gradients([(np.ones(2, np.float32), v)])
    np.testing.assert_allclose(v.numpy(), -(0.5 + 0.25))
