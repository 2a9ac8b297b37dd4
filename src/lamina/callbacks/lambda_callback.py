"""``LambdaCallback``: a callback made of plain functions."""

from __future__ import annotations

from lamina.callbacks.callback import Callback

_HOOKS = (
    "on_epoch_begin",
    "on_epoch_end",
    "on_batch_begin",
    "on_batch_end",
    "on_train_begin",
    "on_train_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_begin",
    "on_test_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_begin",
    "on_predict_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
)


class LambdaCallback(Callback):
    """Builds a callback from functions given for the hooks you need.

    ``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch, logs)``, ``on_batch_begin(batch,
    logs)``, ``on_batch_end(batch, logs)``, ``on_train_begin(logs)``, ``on_train_end(logs)``
    and the other ``on_*`` hooks (Keras 3 names such as ``on_train_batch_end`` too).
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_batch_begin=None,
        on_batch_end=None,
        on_train_begin=None,
        on_train_end=None,
        **kwargs,
    ) -> None:
        super().__init__()
        given = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_batch_begin": on_batch_begin,
            "on_batch_end": on_batch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
        }
        for name, fn in kwargs.items():
            if name.startswith("on_") and name not in _HOOKS:
                raise TypeError(
                    f"LambdaCallback got an unknown hook {name!r}; hooks are {', '.join(_HOOKS)}"
                )
            if name in _HOOKS:
                given[name] = fn
            else:
                setattr(self, name, fn)  # extra attributes, as Keras allows
        for name, fn in given.items():
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(f"LambdaCallback `{name}` must be callable, received {fn!r}")
            setattr(self, name, fn)


LambdaCallback.__module__ = "lamina.callbacks"
