"""A tiny stand-in for a model and a trainer loop, so callback tests need no real training."""

from __future__ import annotations

import numpy as np

from lamina.callbacks import CallbackList


class FakeOptimizer:
    def __init__(self, learning_rate=0.01):
        self.learning_rate = learning_rate


class FakeModel:
    """Just what callbacks touch: stop_training, an optimizer, weights, metric names."""

    def __init__(self, learning_rate=0.01):
        self.stop_training = False
        self.optimizer = FakeOptimizer(learning_rate)
        self.weights = [np.zeros(3, dtype=np.float32)]
        self.metrics_names = ["loss", "accuracy"]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]


def simulate_fit(
    model,
    callbacks=(),
    epochs=3,
    steps=4,
    verbose=1,
    epoch_logs=None,
    batch_logs=None,
    **extra,
):
    """Drive a CallbackList the way the trainer does; return the History.

    ``epoch_logs(epoch)`` gives each epoch's logs (default: a falling loss);
    ``batch_logs(epoch, step)`` the running batch logs. The weights are set to the epoch
    index at each epoch end, so restore_best_weights can be checked.
    """
    epoch_logs = epoch_logs or (lambda e: {"loss": 1.0 / (e + 1), "accuracy": 0.5})
    batch_logs = batch_logs or (lambda e, s: {"loss": 1.0 / (e + 1), "accuracy": 0.5})
    cl = CallbackList(
        list(callbacks),
        add_history=True,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=epochs,
        steps=steps,
        **extra,
    )
    model.stop_training = False
    cl.on_train_begin()
    logs = None
    for epoch in range(epochs):
        cl.on_epoch_begin(epoch)
        for step in range(steps):
            cl.on_train_batch_begin(step)
            cl.on_train_batch_end(step, batch_logs(epoch, step))
            if model.stop_training:
                break
        model.weights = [np.full(3, float(epoch), dtype=np.float32)]
        logs = dict(epoch_logs(epoch))
        if any(k.startswith("val_") for k in logs):
            cl.on_test_begin()
            cl.on_test_batch_begin(0)
            cl.on_test_batch_end(0, {"loss": 9.0})
            cl.on_test_end({"loss": 9.0})
        cl.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cl.on_train_end(logs)
    return model.history
