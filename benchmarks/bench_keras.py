"""The Keras-API side of the benchmarks: one code path for lamina, tf.keras and Keras 3 on JAX.

``keras`` is the module under test (``import lamina as keras``, ``tf.keras`` or ``keras``);
only the public Keras API is used, written as a tutorial would write it.
"""

from __future__ import annotations

import time

import numpy as np

from common import LEARNING_RATES, WORKLOADS, load_data, per_call


def build_mlp(keras, workload: str, input_dim: int):
    spec = WORKLOADS[workload]
    model = keras.Sequential(
        [keras.Input(shape=(input_dim,))]
        + [keras.layers.Dense(units, activation=act) for units, act in spec["layers"]]
    )
    optimizer = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD}[spec["optimizer"]]
    model.compile(
        optimizer=optimizer(learning_rate=LEARNING_RATES[spec["optimizer"]]),
        loss=spec["loss"],
        metrics=["accuracy"],
    )
    return model


def fit_time(keras, workload: str, data_path: str | None, repeats: int, epochs: int | None) -> dict:
    """T / T1: wall time of ``fit`` on a freshly built and compiled model (best of ``repeats``)."""
    spec = WORKLOADS[workload]
    x, y, xv, yv = load_data(workload, data_path)
    epochs = epochs or spec["epochs"]
    times, final = [], {}
    for _ in range(repeats):
        model = build_mlp(keras, workload, x.shape[1])
        start = time.perf_counter()
        history = model.fit(
            x,
            y,
            batch_size=spec["batch_size"],
            epochs=epochs,
            validation_data=(xv, yv) if spec["validation"] else None,
            verbose=0,
        )
        times.append(time.perf_counter() - start)
        final = {k: float(v[-1]) for k, v in history.history.items()}
    return {"seconds": min(times), "all_seconds": times, "epochs": epochs, "final_logs": final}


def epoch_time(keras, workload: str, epochs: int, rows: int | None) -> dict:
    """M: best seconds per epoch, after a one-epoch warm-up fit on a slice (tracing, plans)."""
    spec = WORKLOADS[workload]
    x, y, _, _ = load_data(workload, None, rows)
    model = build_mlp(keras, workload, x.shape[1])
    model.fit(x[:1280], y[:1280], batch_size=spec["batch_size"], epochs=1, verbose=0)
    times = []
    for _ in range(epochs):  # one fit call per epoch: the best epoch is the least disturbed one
        start = time.perf_counter()
        history = model.fit(x, y, batch_size=spec["batch_size"], epochs=1, verbose=0)
        times.append(time.perf_counter() - start)
    final = {k: float(v[-1]) for k, v in history.history.items()}
    return {"seconds": min(times), "all_seconds": times, "rows": len(x), "final_logs": final}


def op_overhead(tf, n: int) -> dict:
    """O: microseconds per eager elementwise op and per GradientTape step on 100 floats."""
    x = tf.constant(np.linspace(0.0, 1.0, 100, dtype=np.float32))
    y = tf.constant(np.linspace(1.0, 2.0, 100, dtype=np.float32))
    w = tf.Variable(np.ones(100, dtype=np.float32))

    def add():
        return x + y

    def tape_step():
        with tf.GradientTape() as tape:
            d = w * x - y
            loss = tf.reduce_sum(d * d)
        (grad,) = tape.gradient(loss, [w])
        w.assign_sub(0.01 * grad)

    return {"add_us": per_call(add, n), "tape_step_us": per_call(tape_step, max(n // 10, 100))}
