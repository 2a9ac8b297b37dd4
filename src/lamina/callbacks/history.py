"""``History``: records each epoch's logs; ``fit`` returns it."""

from __future__ import annotations

from lamina.callbacks.callback import Callback
from lamina.legacy import HISTORY_KEY_ALIASES
from lamina.utils import output_style as _style

_REVERSE_ALIASES = {new: old for old, new in HISTORY_KEY_ALIASES.items()}


def alias_key(mapping, key):
    """The key under which ``mapping`` stores ``key``'s other Keras spelling, else None.

    ``acc`` <-> ``accuracy`` and ``val_acc`` <-> ``val_accuracy`` (``legacy.HISTORY_KEY_ALIASES``).
    """
    try:
        other = HISTORY_KEY_ALIASES.get(key) or _REVERSE_ALIASES.get(key)
    except TypeError:  # unhashable key
        return None
    if other is not None and dict.__contains__(mapping, other):
        return other
    return None


class HistoryDict(dict):
    """``history.history``: a plain dict in Keras key order that also answers old names.

    Keras 2 code reads ``history.history['acc']`` / ``['val_acc']``; tf.keras 2.x stores
    ``accuracy`` / ``val_accuracy``. Both spellings are answered; only the stored ones are
    listed by ``keys()``, so ``pd.DataFrame(history.history)`` has no duplicate columns.
    """

    def __missing__(self, key):
        other = alias_key(self, key)
        if other is None:
            raise KeyError(key)
        return dict.__getitem__(self, other)

    def __contains__(self, key) -> bool:
        return dict.__contains__(self, key) or alias_key(self, key) is not None

    def get(self, key, default=None):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        other = alias_key(self, key)
        return default if other is None else dict.__getitem__(self, other)


class History(Callback):
    """Records the logs of every epoch; ``model.fit`` returns this object.

    ``history`` maps each metric (``loss``, metrics, then ``val_`` ones, then extras like
    ``lr``) to its per-epoch values; ``epoch`` lists the epoch indices; ``params`` holds
    ``verbose``, ``epochs`` and ``steps``; ``model`` is the trained model.
    """

    def __init__(self) -> None:
        super().__init__()
        self.epoch: list[int] = []
        self.history: HistoryDict = HistoryDict()

    def on_train_begin(self, logs=None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.epoch.append(epoch)
        if not isinstance(self.history, HistoryDict):
            self.history = HistoryDict(self.history)
        hist = self.history
        items = (logs or {}).items()
        if not hist and _style.is_keras22():
            # Keras 2.2/2.3 wrote the validation values into the epoch logs first
            items = sorted(items, key=lambda item: not str(item[0]).startswith("val_"))
        for key, value in items:
            name = _style.display_name(key)
            if dict.__contains__(hist, name):
                dict.__getitem__(hist, name).append(value)
            else:
                dict.__setitem__(hist, name, [value])
        if self.model is not None:
            try:
                self.model.history = self
            except AttributeError:
                pass


History.__module__ = "lamina.callbacks"
