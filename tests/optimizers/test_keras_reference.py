"""Optimizer steps and schedule values against numbers produced by real Keras.

The constants in reference/keras_values.py come from reference/make_reference.py (Keras 3 with
the TensorFlow backend, and tf_keras for the Keras 2 ``decay`` cases).
"""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina import optimizers
from lamina.optimizers import schedules


def _load_reference():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parent / "reference" / "keras_values.py"
    spec = importlib.util.spec_from_file_location("lamina_keras_reference_values", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ref = _load_reference()


def _build(kwargs: dict) -> dict:
    out = dict(kwargs)
    lr = out.get("learning_rate")
    if isinstance(lr, tuple):
        out["learning_rate"] = getattr(schedules, lr[0])(**lr[1])
    return out


def _run(cls_name: str, kwargs: dict) -> list:
    opt = getattr(optimizers, cls_name)(**_build(kwargs))
    vs = [
        lamina.Variable(np.array(x, dtype=np.float32), name=n)
        for x, n in zip(ref.INIT, ("kernel", "bias"))
    ]
    out = []
    for g in ref.GRADS:
        opt.apply_gradients(zip([np.array(x, dtype=np.float32) for x in g], vs))
        out.append([v.numpy().copy() for v in vs])
    return out


ALL_CASES = {**ref.CASES, **ref.KERAS2_CASES}


@pytest.mark.parametrize("case", sorted(ALL_CASES))
def test_three_steps_match_keras(case):
    cls_name, kwargs = ALL_CASES[case]
    got = _run(cls_name, kwargs)
    for step, (g_step, want_step) in enumerate(zip(got, ref.STEPS[case]), start=1):
        for g, want in zip(g_step, want_step):
            np.testing.assert_allclose(
                g,
                np.array(want, dtype=np.float32),
                rtol=2e-5,
                atol=2e-6,
                err_msg=f"{case} step {step}",
            )


@pytest.mark.parametrize("case", sorted(ref.SCHEDULES))
def test_schedule_values_match_keras(case):
    cls_name, kwargs = ref.SCHEDULES[case]
    sched = getattr(schedules, cls_name)(**kwargs)
    got = [float(sched(s)) for s in ref.SCHEDULE_STEPS]
    np.testing.assert_allclose(got, ref.SCHEDULE_VALUES[case], rtol=1e-5, atol=1e-7, err_msg=case)
