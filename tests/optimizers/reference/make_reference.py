"""Produce keras_values.py: optimizer steps and schedule values computed by real Keras.

Run with the benchmark environment (TensorFlow + Keras 3 + tf_keras), not lamina's:

    /work/benchvenv/bin/python tests/optimizers/reference/make_reference.py

Each optimizer case applies three fixed gradient steps to two float32 variables and records
both variables after every step. The Keras 2 cases (``decay``) use tf_keras's legacy
optimizers. Schedules are evaluated at a handful of steps.
"""

from __future__ import annotations

import os
import pprint
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["KERAS_BACKEND"] = "tensorflow"

import keras  # noqa: E402
import numpy as np  # noqa: E402

INIT = [
    np.array([[0.5, -1.0, 2.0], [0.0, 0.25, -0.75]], dtype=np.float32),
    np.array([0.1, -0.2, 0.3], dtype=np.float32),
]
_rng = np.random.RandomState(0)
GRADS = [
    [_rng.normal(size=(2, 3)).astype(np.float32), _rng.normal(size=(3,)).astype(np.float32)]
    for _ in range(3)
]
GRADS[1][0][0, 1] = 0.0  # a zero gradient entry

S = keras.optimizers.schedules

# name -> (class name, kwargs); schedules are given as ("schedule", class, kwargs).
CASES = {
    "sgd_default": ("SGD", {}),
    "sgd_momentum": ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    "sgd_weight_decay": ("SGD", {"learning_rate": 0.1, "weight_decay": 0.05}),
    "sgd_clipnorm": ("SGD", {"learning_rate": 0.1, "clipnorm": 0.5}),
    "sgd_clipvalue": ("SGD", {"learning_rate": 0.1, "clipvalue": 0.2}),
    "sgd_loss_scale": ("SGD", {"learning_rate": 0.1, "loss_scale_factor": 4.0}),
    "sgd_schedule": (
        "SGD",
        {
            "learning_rate": (
                "ExponentialDecay",
                {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5},
            )
        },
    ),
    "sgd_ema": (
        "SGD",
        {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.5, "ema_overwrite_frequency": 2},
    ),
    "adam_default": ("Adam", {}),
    "adam_amsgrad": ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    "adam_custom": (
        "Adam",
        {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3},
    ),
    "adam_global_clipnorm": ("Adam", {"learning_rate": 0.01, "global_clipnorm": 0.5}),
    "adam_accumulate": ("Adam", {"learning_rate": 0.01, "gradient_accumulation_steps": 2}),
    "rmsprop_default": ("RMSprop", {}),
    "rmsprop_centered_momentum": (
        "RMSprop",
        {"learning_rate": 0.01, "momentum": 0.9, "centered": True},
    ),
    "rmsprop_rho": ("RMSprop", {"learning_rate": 0.01, "rho": 0.8}),
    "adamw_default": ("AdamW", {}),
    "adamw_strong": ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1}),
    "adagrad": ("Adagrad", {"learning_rate": 0.1}),
    "adadelta": ("Adadelta", {"learning_rate": 1.0}),
    "adamax": ("Adamax", {"learning_rate": 0.01}),
    "nadam": ("Nadam", {"learning_rate": 0.01}),
    "ftrl": ("Ftrl", {"learning_rate": 0.1}),
    "ftrl_regularized": (
        "Ftrl",
        {
            "learning_rate": 0.1,
            "l1_regularization_strength": 0.01,
            "l2_regularization_strength": 0.01,
            "l2_shrinkage_regularization_strength": 0.01,
            "beta": 0.1,
        },
    ),
    "lion": ("Lion", {"learning_rate": 0.01}),
    "lion_weight_decay": (
        "Lion",
        {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9, "weight_decay": 0.1},
    ),
    "rmsprop_momentum": ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5}),
    "rmsprop_centered": ("RMSprop", {"learning_rate": 0.01, "centered": True}),
    "sgd_momentum_weight_decay": (
        "SGD",
        {"learning_rate": 0.1, "momentum": 0.5, "weight_decay": 0.1},
    ),
    "adam_cosine_schedule": (
        "Adam",
        {"learning_rate": ("CosineDecay", {"initial_learning_rate": 0.05, "decay_steps": 3})},
    ),
    "adagrad_custom": (
        "Adagrad",
        {"learning_rate": 0.5, "initial_accumulator_value": 0.5, "epsilon": 1e-3},
    ),
    "adadelta_rho": ("Adadelta", {"learning_rate": 0.5, "rho": 0.5, "epsilon": 1e-4}),
    "adamax_clipvalue": ("Adamax", {"learning_rate": 0.01, "clipvalue": 0.3}),
    "nadam_custom": ("Nadam", {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9}),
}

# Keras 2 (tf_keras legacy optimizers) with time-based `decay`.
KERAS2_CASES = {
    "k2_sgd_decay": ("SGD", {"learning_rate": 0.1, "decay": 0.5}),
    "k2_adam_decay": ("Adam", {"learning_rate": 0.01, "decay": 0.1}),
    "k2_rmsprop_decay": ("RMSprop", {"learning_rate": 0.01, "decay": 0.2}),
    "k2_sgd_momentum_decay": (
        "SGD",
        {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True, "decay": 0.3},
    ),
}

SCHEDULES = {
    "exponential": (
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
    ),
    "exponential_staircase": (
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": True},
    ),
    "piecewise": ("PiecewiseConstantDecay", {"boundaries": [5, 20], "values": [1.0, 0.5, 0.1]}),
    "polynomial": (
        "PolynomialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 20, "end_learning_rate": 0.01, "power": 2.0},
    ),
    "polynomial_cycle": (
        "PolynomialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 20, "cycle": True},
    ),
    "inverse_time": (
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
    ),
    "inverse_time_staircase": (
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": True},
    ),
    "cosine": ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 20, "alpha": 0.1}),
    "cosine_warmup": (
        "CosineDecay",
        {"initial_learning_rate": 0.0, "decay_steps": 20, "warmup_target": 0.1, "warmup_steps": 5},
    ),
    "cosine_restarts": (
        "CosineDecayRestarts",
        {"initial_learning_rate": 0.1, "first_decay_steps": 10},
    ),
    "cosine_restarts_mul": (
        "CosineDecayRestarts",
        {
            "initial_learning_rate": 0.1,
            "first_decay_steps": 10,
            "t_mul": 1.0,
            "m_mul": 0.5,
            "alpha": 0.1,
        },
    ),
}
SCHEDULE_STEPS = [0, 1, 4, 5, 6, 10, 15, 20, 21, 29, 35, 45, 100]


def build_kwargs(kwargs: dict) -> dict:
    out = dict(kwargs)
    lr = out.get("learning_rate")
    if isinstance(lr, tuple):
        out["learning_rate"] = getattr(S, lr[0])(**lr[1])
    return out


def run_keras3(cls_name: str, kwargs: dict) -> list:
    opt = getattr(keras.optimizers, cls_name)(**build_kwargs(kwargs))
    vs = [keras.Variable(x.copy(), name=n) for x, n in zip(INIT, ("kernel", "bias"))]
    steps = []
    for g in GRADS:
        opt.apply_gradients(zip([keras.ops.convert_to_tensor(x) for x in g], vs))
        steps.append([np.asarray(v.numpy(), dtype=np.float32).tolist() for v in vs])
    return steps


def run_keras2(cls_name: str, kwargs: dict) -> list:
    import tensorflow as tf
    import tf_keras

    opt = getattr(tf_keras.optimizers.legacy, cls_name)(**kwargs)
    vs = [tf.Variable(x.copy()) for x in INIT]
    steps = []
    for g in GRADS:
        opt.apply_gradients(zip([tf.constant(x) for x in g], vs))
        steps.append([v.numpy().astype(np.float32).tolist() for v in vs])
    return steps


def main() -> None:
    results = {name: run_keras3(c, kw) for name, (c, kw) in CASES.items()}
    results.update({name: run_keras2(c, kw) for name, (c, kw) in KERAS2_CASES.items()})
    schedules = {
        name: [float(getattr(S, c)(**kw)(s)) for s in SCHEDULE_STEPS]
        for name, (c, kw) in SCHEDULES.items()
    }
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "keras_values.py"), "w") as f:
        f.write(
            '"""Generated by make_reference.py with Keras '
            + keras.__version__
            + ' (TensorFlow backend) and tf_keras; do not edit."""\n\n'
        )
        f.write("# ruff: noqa\n")
        f.write(f"INIT = {pprint.pformat([x.tolist() for x in INIT], width=100)}\n\n")
        f.write(
            f"GRADS = {pprint.pformat([[x.tolist() for x in g] for g in GRADS], width=100)}\n\n"
        )
        f.write(f"CASES = {pprint.pformat(CASES, width=100, sort_dicts=False)}\n\n")
        f.write(f"KERAS2_CASES = {pprint.pformat(KERAS2_CASES, width=100, sort_dicts=False)}\n\n")
        f.write(f"STEPS = {pprint.pformat(results, width=100, sort_dicts=False)}\n\n")
        f.write(f"SCHEDULES = {pprint.pformat(SCHEDULES, width=100, sort_dicts=False)}\n\n")
        f.write(f"SCHEDULE_STEPS = {SCHEDULE_STEPS!r}\n\n")
        f.write(f"SCHEDULE_VALUES = {pprint.pformat(schedules, width=100, sort_dicts=False)}\n")
    print("wrote", os.path.join(here, "keras_values.py"), file=sys.stderr)


if __name__ == "__main__":
    main()
