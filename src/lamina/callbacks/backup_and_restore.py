"""``BackupAndRestore``: resume a training run that was killed, where it stopped.

At the end of every epoch (``save_freq='epoch'``) the callback writes one file, atomically:
the weights, the optimizer state, the epoch to resume at, the History so far and the random
state. When ``fit`` starts again with the same backup directory it restores all of it and
continues from the next epoch, so a run killed at any moment ends with the same weights and
History as a run never interrupted (with the same seed).

With an integer ``save_freq`` it also backs up every ``save_freq`` batches; as in Keras, a
run restored from a mid-epoch backup restarts that epoch from its first batch (with the
weights of the backup and the epoch's original shuffling).
"""

from __future__ import annotations

import json
import os
import random as _pyrandom

import numpy as np

from lamina.callbacks.callback import Callback

_FILE = "latest.backup.h5"


class BackupAndRestore(Callback):
    """Back up training state to ``backup_dir`` and restore it when ``fit`` restarts."""

    def __init__(
        self,
        backup_dir,
        save_freq="epoch",
        delete_checkpoint: bool = True,
        save_before_preemption: bool = False,
    ) -> None:
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed to BackupAndRestore.")
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(
                f"Invalid value for `save_freq`: {save_freq!r}. Expected 'epoch' or a "
                "positive integer."
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = bool(delete_checkpoint)
        self.save_before_preemption = save_before_preemption
        self._path = os.path.join(self.backup_dir, _FILE)
        self._epoch = 0
        self._batches = 0
        self._epoch_start_rng = None
        self._history: dict[str, list] = {}
        self._epochs: list[int] = []

    # --- restore ---------------------------------------------------------------------
    def on_train_begin(self, logs=None) -> None:
        self._history, self._epochs = {}, []
        if not os.path.exists(self._path):
            return
        import h5py

        from lamina.saving.h5_weights import load_model_weights, read_array

        with h5py.File(self._path, "r") as h5:
            load_model_weights(h5, self.model, self._path, load_optimizer=True)
            meta = json.loads(h5.attrs["lamina_backup"])
            state = read_array(h5["rng/keys"], "rng/keys", self._path)
        np.random.set_state(
            (
                "MT19937",
                state.astype(np.uint32),
                int(meta["rng_pos"]),
                int(meta["rng_has_gauss"]),
                float(meta["rng_gauss"]),
            )
        )
        py_state = meta.get("py_random")
        if py_state is not None:
            _pyrandom.setstate((py_state[0], tuple(py_state[1]), py_state[2]))
        self._history = {k: list(v) for k, v in meta["history"].items()}
        self._epochs = [int(e) for e in meta["epochs"]]
        # The trainer starts at this epoch and seeds this fit's History with the restored
        # epochs, so the resumed run's History is the whole run's.
        self.model._initial_epoch = int(meta["resume_epoch"])
        self.model._resume_history = (
            list(self._epochs),
            {k: list(v) for k, v in self._history.items()},
        )

    # --- back up ---------------------------------------------------------------------
    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._epoch = epoch
        if self.save_freq != "epoch":
            self._epoch_start_rng = (np.random.get_state(), _pyrandom.getstate())

    def on_train_batch_end(self, batch, logs=None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches += 1
        if self._batches % self.save_freq == 0:
            # Resume this epoch from its start, drawing the same shuffling again.
            self._backup(self._epoch, *self._epoch_start_rng)

    def on_epoch_end(self, epoch, logs=None) -> None:
        from lamina.utils.output_style import display_name

        self._epochs.append(int(epoch))
        for key, value in (logs or {}).items():
            self._history.setdefault(display_name(key), []).append(float(value))
        self._backup(epoch + 1, np.random.get_state(), _pyrandom.getstate())

    def on_train_end(self, logs=None) -> None:
        if (
            self.delete_checkpoint
            and os.path.exists(self._path)
            and not getattr(self.model, "_interrupted", False)
        ):
            os.remove(self._path)
            try:
                os.rmdir(self.backup_dir)
            except OSError:
                pass

    def _backup(self, resume_epoch: int, np_state, py) -> None:
        """Write the state to resume at ``resume_epoch`` with these random states."""
        import h5py

        from lamina.saving.atomic import atomic_path
        from lamina.saving.h5_weights import write_model_weights

        kind, keys, pos, has_gauss, gauss = np_state
        meta = {
            "resume_epoch": int(resume_epoch),
            "history": self._history,
            "epochs": self._epochs,
            "rng_pos": int(pos),
            "rng_has_gauss": int(has_gauss),
            "rng_gauss": float(gauss),
            "py_random": [py[0], list(py[1]), py[2]],
        }
        with atomic_path(self._path) as tmp, h5py.File(tmp, "w") as h5:
            write_model_weights(h5, self.model, include_optimizer=True)
            h5.create_dataset("rng/keys", data=np.asarray(keys, dtype=np.uint32))
            h5.attrs["lamina_backup"] = json.dumps(meta)


BackupAndRestore.__module__ = "lamina.callbacks"
