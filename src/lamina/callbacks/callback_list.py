"""``CallbackList``: fans each training hook out to a list of callbacks.

The trainer builds one per ``fit``/``evaluate``/``predict`` call::

    CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=model,
                 verbose=verbose, epochs=epochs, steps=steps,
                 samples=n_train, val_samples=n_val, batch_size=batch_size)

``samples``, ``val_samples``, ``batch_size`` and ``do_validation`` are optional; the Keras 2.2
output style (``lamina.utils.set_output_style("keras2.2")``) uses them for its samples-based
bars, its ``Train on N samples, validate on M samples`` line and its ``History.params``.
Callbacks see ``params`` as the active Keras generation showed them: tf.keras 2.x
``{'verbose': 1, 'epochs': 10, 'steps': 32}`` by default.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator

from lamina.callbacks.callback import Callback
from lamina.callbacks.history import History
from lamina.callbacks.progbar_logger import ProgbarLogger
from lamina.utils import output_style as _style
from lamina.utils.console import print_msg

# Keys the trainer may pass that are run information rather than tf.keras 2.x params.
_RUN_INFO_KEYS = ("samples", "val_samples", "batch_size", "do_validation")


def resolve_verbose(verbose) -> int:
    """``'auto'`` -> 1, ``True``/``False`` -> 1/0, a non-negative int -> itself (as Keras)."""
    if isinstance(verbose, str) and verbose == "auto":
        return 1
    if isinstance(verbose, bool):
        return int(verbose)
    if isinstance(verbose, numbers.Integral) and verbose >= 0:
        return int(verbose)
    raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2 (or a bool), received {verbose!r}")


def _flatten(callbacks) -> list:
    if callbacks is None:
        return []
    if isinstance(callbacks, CallbackList):
        return list(callbacks.callbacks)
    if isinstance(callbacks, Callback):
        return [callbacks]
    if isinstance(callbacks, (str, bytes)) or not isinstance(callbacks, Iterable):
        raise TypeError(
            "`callbacks` must be a list of Callback instances, received "
            f"{type(callbacks).__name__} {callbacks!r}"
        )
    out: list = []
    for item in callbacks:
        if isinstance(item, (list, tuple, CallbackList)):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


def _check(cb, index: int) -> None:
    if isinstance(cb, Callback):
        return
    if isinstance(cb, type) and issubclass(cb, Callback):
        raise TypeError(
            f"`callbacks[{index}]` is the class {cb.__name__}, not an instance: "
            f"pass {cb.__name__}(...) instead."
        )
    raise TypeError(
        f"`callbacks[{index}]` must be a lamina.callbacks.Callback instance, received "
        f"{type(cb).__name__} {cb!r}"
    )


class CallbackList(Callback):
    """A list of callbacks called together; adds ``History`` and the progress bar on demand."""

    def __init__(
        self,
        callbacks=None,
        add_history: bool = False,
        add_progbar: bool = False,
        model=None,
        **params,
    ) -> None:
        super().__init__()
        self.callbacks: list = _flatten(callbacks)
        for i, cb in enumerate(self.callbacks):
            _check(cb, i)
        self._run_info: dict = {}
        self._add_default_callbacks(add_history, add_progbar)
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)
        self._refresh_hook_lists()

    # -- setup ---------------------------------------------------------------------------
    def _add_default_callbacks(self, add_history: bool, add_progbar: bool) -> None:
        self._history = None
        self._progbar = None
        for cb in self.callbacks:
            if isinstance(cb, ProgbarLogger):
                self._progbar = cb
            elif isinstance(cb, History):
                self._history = cb
        # Appended last, so they see what user callbacks add to the logs (``lr``).
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)

    def _refresh_hook_lists(self) -> None:
        cbs = self.callbacks
        self._train_batch_cbs = [cb for cb in cbs if cb._implements_train_batch_hooks()]
        self._test_batch_cbs = [cb for cb in cbs if cb._implements_test_batch_hooks()]
        self._predict_batch_cbs = [cb for cb in cbs if cb._implements_predict_batch_hooks()]

    @property
    def _should_call_train_batch_hooks(self) -> bool:
        """False when no callback needs per-batch calls: the trainer may skip batch logs."""
        return bool(self._train_batch_cbs)

    @property
    def _should_call_test_batch_hooks(self) -> bool:
        return bool(self._test_batch_cbs)

    @property
    def _should_call_predict_batch_hooks(self) -> bool:
        return bool(self._predict_batch_cbs)

    def append(self, callback: Callback) -> None:
        _check(callback, len(self.callbacks))
        self.callbacks.append(callback)
        if self.model is not None:
            callback.set_model(self.model)
        if self.params:
            callback.set_params(self.params)
        self._refresh_hook_lists()

    def set_model(self, model) -> None:
        self.model = model
        if self._history is not None and model is not None:
            try:
                model.history = self._history
            except AttributeError:
                pass
        for cb in self.callbacks:
            cb.set_model(model)

    def set_params(self, params: dict) -> None:
        """Give every callback the run's params, shown as the active output style shows them."""
        params = dict(params)
        if "verbose" in params:
            params["verbose"] = resolve_verbose(params["verbose"])
        self._run_info.update({k: params[k] for k in _RUN_INFO_KEYS if k in params})
        self.params = self._public_params(params)
        for cb in self.callbacks:
            cb.set_params(self.params)
        self._refresh_hook_lists()

    def _public_params(self, raw: dict) -> dict:
        info = self._run_info
        if not _style.is_keras22():
            return {k: v for k, v in raw.items() if k not in _RUN_INFO_KEYS}
        samples = info.get("samples")
        do_validation = info.get("do_validation")
        if do_validation is None:
            do_validation = bool(info.get("val_samples"))
        out = {
            "batch_size": info.get("batch_size"),
            "epochs": raw.get("epochs", 1),
            "steps": None if samples is not None else raw.get("steps"),
            "samples": samples,
            "verbose": raw.get("verbose", 1),
            "do_validation": bool(do_validation),
            "metrics": self._metric_names(bool(do_validation)),
        }
        for k, v in raw.items():
            if k not in out and k not in _RUN_INFO_KEYS:
                out[k] = v
        return out

    def _metric_names(self, do_validation: bool) -> list:
        names = getattr(self.model, "metrics_names", None)
        try:
            names = [_style.display_name(str(n)) for n in (names or [])]
        except TypeError:
            names = []
        if not names:
            names = ["loss"]
        if do_validation:
            names = names + ["val_" + n for n in names]
        return names

    # -- hooks ---------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Callback]:
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)

    def on_train_begin(self, logs=None) -> None:
        info = self._run_info
        if (
            _style.is_keras22()
            and self.params
            and self.params.get("verbose", 0)
            and info.get("samples") is not None
            and info.get("val_samples")
        ):
            print_msg(
                f"Train on {info['samples']} samples, validate on {info['val_samples']} samples"
            )
        if _style.is_keras22() and info.get("do_validation") is False:
            for cb in self.callbacks:  # Keras 2.2 gave callbacks an empty list then
                cb.validation_data = []
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs=None) -> None:
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_epoch_begin(self, epoch, logs=None) -> None:
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None) -> None:
        if logs is None:
            logs = {}
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_batch_begin(self, batch, logs=None) -> None:
        for cb in self._train_batch_cbs:
            cb.on_train_batch_begin(batch, logs)

    def on_batch_end(self, batch, logs=None) -> None:
        for cb in self._train_batch_cbs:
            cb.on_train_batch_end(batch, logs)

    def on_train_batch_begin(self, batch, logs=None) -> None:
        for cb in self._train_batch_cbs:
            cb.on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None) -> None:
        for cb in self._train_batch_cbs:
            cb.on_train_batch_end(batch, logs)

    def on_test_begin(self, logs=None) -> None:
        for cb in self.callbacks:
            cb.on_test_begin(logs)

    def on_test_end(self, logs=None) -> None:
        for cb in self.callbacks:
            cb.on_test_end(logs)

    def on_test_batch_begin(self, batch, logs=None) -> None:
        for cb in self._test_batch_cbs:
            cb.on_test_batch_begin(batch, logs)

    def on_test_batch_end(self, batch, logs=None) -> None:
        for cb in self._test_batch_cbs:
            cb.on_test_batch_end(batch, logs)

    def on_predict_begin(self, logs=None) -> None:
        for cb in self.callbacks:
            cb.on_predict_begin(logs)

    def on_predict_end(self, logs=None) -> None:
        for cb in self.callbacks:
            cb.on_predict_end(logs)

    def on_predict_batch_begin(self, batch, logs=None) -> None:
        for cb in self._predict_batch_cbs:
            cb.on_predict_batch_begin(batch, logs)

    def on_predict_batch_end(self, batch, logs=None) -> None:
        for cb in self._predict_batch_cbs:
            cb.on_predict_batch_end(batch, logs)

    def _implements_train_batch_hooks(self) -> bool:
        return bool(self._train_batch_cbs)

    def _implements_test_batch_hooks(self) -> bool:
        return bool(self._test_batch_cbs)

    def _implements_predict_batch_hooks(self) -> bool:
        return bool(self._predict_batch_cbs)


CallbackList.__module__ = "lamina.callbacks"
