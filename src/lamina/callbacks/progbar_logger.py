"""``ProgbarLogger``: prints ``Epoch 1/10`` and the progress bar of each epoch."""

from __future__ import annotations

import time

from lamina.callbacks.callback import Callback
from lamina.utils import output_style as _style
from lamina.utils.console import print_msg


class ProgbarLogger(Callback):
    """Prints training progress to stdout (added by ``fit`` when ``verbose`` is not 0).

    Args:
        count_mode: ``"steps"`` (tf.keras 2.x: batches) or ``"samples"`` (Keras 2.2:
            examples). ``None`` follows the output style (see
            ``lamina.utils.set_output_style``).
        stateful_metrics: names shown as given. The trainer's logs already hold the
            epoch's running means, so every logged value is shown as given.
    """

    def __init__(self, count_mode: str | None = None, stateful_metrics=None) -> None:
        super().__init__()
        if count_mode not in (None, "samples", "steps"):
            raise ValueError(
                f"Unknown `count_mode`: {count_mode!r}. Expected 'samples' or 'steps'."
            )
        self.count_mode = count_mode
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self.use_steps = True
        self._batch_size = None
        self._called_in_fit = False
        self._call_batch_hooks = True
        self._call_test_hooks = True

    def set_params(self, params: dict) -> None:
        from lamina.callbacks.callback_list import resolve_verbose

        super().set_params(params)
        self.verbose = resolve_verbose(params.get("verbose", 1))
        self.epochs = params.get("epochs", 1) or 1
        mode = self.count_mode or ("samples" if _style.is_keras22() else "steps")
        samples = params.get("samples")
        if mode == "samples" and samples is not None:
            self.use_steps = False
            self.target = int(samples)
            self._batch_size = params.get("batch_size")
        else:
            self.use_steps = True
            steps = params.get("steps")
            self.target = None if steps is None else int(steps)
        self._update_batch_hook_need()

    def _update_batch_hook_need(self) -> None:
        from lamina.utils.progbar import _is_dynamic

        # Batch updates matter only for an in-place bar (Keras 2.0 printed its redraws on
        # any stream), or to count steps of unknown total.
        self._call_batch_hooks = self.target is None or (
            self.verbose == 1 and (_is_dynamic() or _style.is_keras20())
        )
        # Validation inside fit is silent; the samples-based styles say when fit validates.
        self._call_test_hooks = self._call_batch_hooks and not self.params.get("do_validation")
        if _style.is_keras22() and self.verbose != 1:
            self._call_test_hooks = False  # Keras 2.x's evaluate printed only for verbose=1

    def _implements_train_batch_hooks(self) -> bool:
        return self._call_batch_hooks

    def _implements_test_batch_hooks(self) -> bool:
        return self._call_test_hooks

    def _implements_predict_batch_hooks(self) -> bool:
        return self._call_batch_hooks

    # -- fit -----------------------------------------------------------------------------
    def on_train_begin(self, logs=None) -> None:
        self._called_in_fit = True  # validation passes inside fit stay silent

    def on_train_end(self, logs=None) -> None:
        self._called_in_fit = False

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and (self.epochs > 1 or _style.is_keras22()):
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None) -> None:
        self._batch_update(batch, logs)

    def on_epoch_end(self, epoch, logs=None) -> None:
        self._finalize(logs)

    # -- evaluate / predict ----------------------------------------------------------------
    def _silent_outside_fit(self) -> bool:
        # Keras 2.0/2.2/2.3's evaluate and predict drew a bar for verbose=1 only.
        return _style.is_keras22() and self.verbose != 1

    def on_test_begin(self, logs=None) -> None:
        if not self._called_in_fit and not self._silent_outside_fit():
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_test_batch_end(self, batch, logs=None) -> None:
        if not self._called_in_fit and not self._silent_outside_fit():
            # Keras 2.x showed only the bar while evaluating; tf.keras 2.x the values too.
            self._batch_update(batch, logs, show_values=not _style.is_keras22())

    def on_test_end(self, logs=None) -> None:
        if not self._called_in_fit and not self._silent_outside_fit():
            # Keras 2.2 showed only the bar when evaluating.
            self._finalize(None if _style.is_keras22() else logs)

    def on_predict_begin(self, logs=None) -> None:
        if not self._silent_outside_fit():
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_batch_end(self, batch, logs=None) -> None:
        if not self._silent_outside_fit():
            self._batch_update(batch, None)  # predictions are not shown

    def on_predict_end(self, logs=None) -> None:
        if not self._silent_outside_fit():
            self._finalize(None)

    # -- helpers ---------------------------------------------------------------------------
    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self) -> None:
        from lamina.utils.progbar import Progbar

        if self.progbar is None:
            self.progbar = Progbar(
                target=self.target,
                verbose=self.verbose,
                stateful_metrics=self.stateful_metrics,
                unit_name="step",
            )

    def _count(self, batch: int, logs) -> None:
        if self.use_steps:
            self.seen = batch + 1
            return
        size = logs.get("size") if logs else None
        if size is not None:
            self.seen += int(size)
        elif self._batch_size:
            self.seen = min((batch + 1) * int(self._batch_size), self.target)
        else:
            self.seen = self.target

    def _items(self, logs) -> list:
        if not logs:
            return []
        skip = ("size", "batch", "num_steps")
        return [(_style.display_name(k), v) for k, v in logs.items() if k not in skip]

    def _batch_update(self, batch, logs, show_values: bool = True) -> None:
        self._maybe_init_progbar()
        self._count(batch, logs)
        bar = self.progbar
        if self.verbose == 1 and (bar._dynamic_display or bar._keras20):
            if bar._keras20 and self.target is not None and self.seen >= self.target:
                return  # Keras 2.0 left the last batch to the epoch's final bar
            if time.time() - bar._last_update < bar.interval:
                return  # the bar would not redraw yet: skip building its values
            items = self._items(logs) if show_values else []
            # The trainer's batch logs are running epoch means: show them as given.
            self.progbar._update_stateful_metrics(k for k, _ in items)
            self.progbar.update(self.seen, items, finalize=False)

    def _finalize(self, logs) -> None:
        self._maybe_init_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.target
        items = self._items(logs)
        self.progbar._update_stateful_metrics(k for k, _ in items)
        self.progbar.update(self.target, items, finalize=True)


ProgbarLogger.__module__ = "lamina.callbacks"
