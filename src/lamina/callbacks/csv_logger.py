"""``CSVLogger``: append each epoch's logs as a row of a CSV file."""

from __future__ import annotations

import csv
import os

import numpy as np

from lamina.callbacks.callback import Callback
from lamina.utils import output_style as _style


def _cell(value):
    if isinstance(value, str):
        return value
    if hasattr(value, "numpy"):
        value = value.numpy()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple, np.ndarray)):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Streams epoch results to a CSV file: an ``epoch`` column, then the sorted log keys.

    Args:
        filename: the CSV file (``str`` or path-like).
        separator: the one-character field separator.
        append: True continues an existing file (no second header); False overwrites it.
    """

    def __init__(self, filename, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        try:
            filename = os.fspath(filename)
        except TypeError:
            raise TypeError(f"CSVLogger `filename` must be a path, received {filename!r}") from None
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(
                f"CSVLogger `separator` must be a one-character string, received {separator!r}"
            )
        self.filename = filename
        self.sep = separator
        self.append = bool(append)
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None) -> None:
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, encoding="utf-8") as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            self.append_header = True
            mode = "w"
        self.writer = None
        self.keys = None
        self.csv_file = open(self.filename, mode, newline="", encoding="utf-8")  # noqa: SIM115

    def on_epoch_end(self, epoch, logs=None) -> None:
        logs = {_style.display_name(k): v for k, v in (logs or {}).items()}
        if self.csv_file is None:
            self.on_train_begin()
        if self.keys is None:
            self.keys = sorted(logs)
            if not any(k.startswith("val_") for k in self.keys):
                # Validation may run on later epochs only (validation_freq): keep its columns.
                self.keys.extend("val_" + k for k in list(self.keys))
        if self.writer is None:
            fieldnames = ["epoch", *self.keys]
            self.writer = csv.DictWriter(
                self.csv_file, fieldnames=fieldnames, delimiter=self.sep, lineterminator="\r\n"
            )
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((k, _cell(logs.get(k, "NA"))) for k in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None) -> None:
        if self.csv_file is not None:
            self.csv_file.close()
        self.csv_file = None
        self.writer = None


CSVLogger.__module__ = "lamina.callbacks"
