"""``Callback``: the base class of everything that hooks into ``fit``/``evaluate``/``predict``."""

from __future__ import annotations

from typing import Any

# Hooks a subclass must override for the trainer to call it once per batch.
_TRAIN_BATCH_HOOKS = (
    "on_batch_begin",
    "on_batch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
)
_TEST_BATCH_HOOKS = ("on_test_batch_begin", "on_test_batch_end")
_PREDICT_BATCH_HOOKS = ("on_predict_batch_begin", "on_predict_batch_end")


class Callback:
    """Base class for training callbacks (the Keras protocol, every hook included).

    Subclass it and override the hooks you need. ``self.model`` is the model being trained
    and ``self.params`` holds the run's settings (``verbose``, ``epochs``, ``steps``).
    Batch hooks that a subclass does not override are never called, so a callback that
    only looks at epochs costs nothing per batch.
    """

    # Class-level defaults, so subclasses that skip ``super().__init__()`` still work.
    validation_data = None
    model: Any = None
    params: dict | None = None

    def __init__(self) -> None:
        self.validation_data = None
        self.model = None
        self.params = {}

    def set_params(self, params: dict) -> None:
        """Receive the run's parameters (``{'verbose': 1, 'epochs': 10, 'steps': 32}``)."""
        self.params = params

    def set_model(self, model) -> None:
        """Receive the model the callback acts on."""
        self.model = model

    # -- epochs ------------------------------------------------------------------------
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of epoch ``epoch`` (0-based) of ``fit``."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of an epoch; ``logs`` holds its metrics, ``val_*`` included."""

    # -- batches (Keras 2 names, which the train hooks forward to) -----------------------
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Keras 2 name of ``on_train_batch_begin``."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Keras 2 name of ``on_train_batch_end``."""

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before training batch ``batch`` (0-based index within the epoch)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after a training batch; ``logs`` holds the epoch's running metrics."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before an ``evaluate`` (or validation) batch."""

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after an ``evaluate`` (or validation) batch."""

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before a ``predict`` batch."""

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after a ``predict`` batch."""

    # -- whole runs -----------------------------------------------------------------------
    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called once when ``fit`` starts."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """Called once when ``fit`` ends (also after early stopping)."""

    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called when ``evaluate`` (or a validation pass) starts."""

    def on_test_end(self, logs: dict | None = None) -> None:
        """Called when ``evaluate`` (or a validation pass) ends."""

    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called when ``predict`` starts."""

    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called when ``predict`` ends."""

    # -- which batch hooks are really implemented ----------------------------------------
    def _overrides(self, names: tuple[str, ...]) -> bool:
        inst = self.__dict__
        cls = type(self)
        return any(
            name in inst or getattr(cls, name, None) is not getattr(Callback, name)
            for name in names
        )

    def _implements_train_batch_hooks(self) -> bool:
        return self._overrides(_TRAIN_BATCH_HOOKS)

    def _implements_test_batch_hooks(self) -> bool:
        return self._overrides(_TEST_BATCH_HOOKS)

    def _implements_predict_batch_hooks(self) -> bool:
        return self._overrides(_PREDICT_BATCH_HOOKS)


Callback.__module__ = "lamina.callbacks"
