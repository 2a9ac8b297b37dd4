"""``TerminateOnNaN``: stop training as soon as the loss becomes NaN or infinite."""

from __future__ import annotations

import math

from lamina.callbacks.callback import Callback
from lamina.utils.console import print_msg


class TerminateOnNaN(Callback):
    """Stops ``fit`` at the first batch whose loss is NaN or inf.

    Args:
        raise_error: False prints ``Batch 3: Invalid loss, terminating training`` and sets
            ``model.stop_training`` (callbacks still finish); True raises RuntimeError.
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = bool(raise_error)

    def on_batch_end(self, batch, logs=None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        if hasattr(loss, "numpy"):
            loss = loss.numpy()
        loss = float(loss)
        if math.isnan(loss) or math.isinf(loss):
            if self.raise_error:
                raise RuntimeError(
                    f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                    "Terminating training immediately."
                )
            print_msg(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


TerminateOnNaN.__module__ = "lamina.callbacks"
