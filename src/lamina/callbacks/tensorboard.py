"""``TensorBoard``: write training metrics (and weight histograms) as TensorBoard event files.

The files are standard ``events.out.tfevents.*`` records (TFRecord framing with CRC32C, Event
protocol buffers encoded here by hand), so ``tensorboard --logdir logs`` shows them without
TensorFlow installed. As tf.keras 2.x, training values go to ``<log_dir>/train`` and
validation values to ``<log_dir>/validation``, tagged ``epoch_loss``, ``epoch_accuracy`` ...
(and ``batch_*`` with ``update_freq``).
"""

from __future__ import annotations

import os
import socket
import struct
import time

import numpy as np

from lamina.callbacks.callback import Callback

# --- CRC32C and record framing ---------------------------------------------------------------
_CRC_TABLE: list[int] = []


def _crc_table() -> list[int]:
    if not _CRC_TABLE:
        for n in range(256):
            c = n
            for _ in range(8):
                c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
            _CRC_TABLE.append(c)
    return _CRC_TABLE


def crc32c(data: bytes) -> int:
    """The CRC-32C (Castagnoli) checksum TFRecord files use."""
    table = _crc_table()
    crc = 0xFFFFFFFF
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _masked_crc(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _record(data: bytes) -> bytes:
    header = struct.pack("<Q", len(data))
    return (
        header
        + struct.pack("<I", _masked_crc(header))
        + data
        + struct.pack("<I", _masked_crc(data))
    )


# --- protocol buffer encoding (only what Event/Summary need) -------------------------------------
def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        bits = n & 0x7F
        n >>= 7
        if n:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint((field << 3) | wire)


def _bytes_field(field: int, payload: bytes) -> bytes:
    return _key(field, 2) + _varint(len(payload)) + payload


def _double_field(field: int, value: float) -> bytes:
    return _key(field, 1) + struct.pack("<d", value)


def _event(step: int, summary_values: list[bytes] | None = None, file_version=None) -> bytes:
    out = _double_field(1, time.time()) + _key(2, 0) + _varint(int(step))
    if file_version is not None:
        out += _bytes_field(3, file_version.encode())
    if summary_values is not None:
        out += _bytes_field(5, b"".join(_bytes_field(1, v) for v in summary_values))
    return out


def _scalar_value(tag: str, value: float) -> bytes:
    return _bytes_field(1, tag.encode()) + _key(2, 5) + struct.pack("<f", float(value))


def _histogram_value(tag: str, values: np.ndarray, bins: int = 30) -> bytes:
    values = np.asarray(values, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        values = np.zeros(1)
    lo, hi = float(values.min()), float(values.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
    histo = (
        _double_field(1, float(values.min()))
        + _double_field(2, float(values.max()))
        + _double_field(3, float(values.size))
        + _double_field(4, float(values.sum()))
        + _double_field(5, float(np.square(values).sum()))
        + _bytes_field(6, np.asarray(edges[1:], "<f8").tobytes())
        + _bytes_field(7, np.asarray(counts, "<f8").tobytes())
    )
    return _bytes_field(1, tag.encode()) + _bytes_field(5, histo)


class EventFileWriter:
    """Appends summaries to one ``events.out.tfevents.*`` file in ``logdir``."""

    _count = 0

    def __init__(self, logdir: str) -> None:
        os.makedirs(logdir, exist_ok=True)
        EventFileWriter._count += 1
        name = (
            f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}."
            f"{os.getpid()}.{EventFileWriter._count}.v2"
        )
        self.path = os.path.join(logdir, name)
        self._file = open(self.path, "wb")  # noqa: SIM115
        self._file.write(_record(_event(0, file_version="brain.Event:2")))
        self._file.flush()

    def scalar(self, tag: str, value: float, step: int) -> None:
        self._file.write(_record(_event(step, [_scalar_value(tag, value)])))

    def histogram(self, tag: str, values, step: int) -> None:
        self._file.write(_record(_event(step, [_histogram_value(tag, values)])))

    def flush(self) -> None:
        if not self._file.closed:
            self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


def _as_float(value):
    if hasattr(value, "numpy"):
        value = value.numpy()
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return float(arr) if arr.size == 1 else None


class TensorBoard(Callback):
    """Logs metrics per epoch (and per batch with ``update_freq``) for TensorBoard.

    Args:
        log_dir: the folder; training events go to ``log_dir/train``, validation events to
            ``log_dir/validation``.
        histogram_freq: every this many epochs, also log a histogram of each weight
            (0: never).
        write_graph, write_images, profile_batch, embeddings_freq, embeddings_metadata:
            accepted for compatibility; lamina has no TensorFlow graph, image summaries of
            weights, profiler or embedding projector to write, so these log nothing.
        write_steps_per_second: also log ``epoch_steps_per_second``.
        update_freq: ``'epoch'``, ``'batch'``, or an integer: log ``batch_*`` values every
            that many batches.
    """

    def __init__(
        self,
        log_dir="logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq="epoch",
        profile_batch=0,
        embeddings_freq: int = 0,
        embeddings_metadata=None,
        **kwargs,
    ) -> None:
        super().__init__()
        for legacy in ("batch_size", "write_grads"):  # Keras 2 arguments, no longer used
            kwargs.pop(legacy, None)
        if kwargs:
            raise TypeError(f"TensorBoard got unexpected keyword arguments: {sorted(kwargs)}")
        try:
            self.log_dir = os.fspath(log_dir)
        except TypeError:
            raise TypeError(f"TensorBoard `log_dir` must be a path, received {log_dir!r}") from None
        if (
            isinstance(histogram_freq, bool)
            or not isinstance(histogram_freq, int)
            or (histogram_freq < 0)
        ):
            raise ValueError(
                f"TensorBoard `histogram_freq` must be a non-negative integer, received "
                f"{histogram_freq!r}"
            )
        if update_freq not in ("epoch", "batch") and (
            isinstance(update_freq, bool) or not isinstance(update_freq, int) or update_freq < 1
        ):
            raise ValueError(
                "TensorBoard `update_freq` must be 'epoch', 'batch' or a positive integer, "
                f"received {update_freq!r}"
            )
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = bool(write_steps_per_second)
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.profile_batch = profile_batch
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers: dict[str, EventFileWriter] = {}
        self._train_step = 0
        self._epoch_start = None
        self._epoch_steps = 0

    def _writer(self, which: str) -> EventFileWriter:
        if which not in self._writers:
            self._writers[which] = EventFileWriter(os.path.join(self.log_dir, which))
        return self._writers[which]

    def _implements_train_batch_hooks(self) -> bool:
        return self.update_freq != "epoch" or self.write_steps_per_second

    def on_train_begin(self, logs=None) -> None:
        self._train_step = 0

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._epoch_start = time.time()
        self._epoch_steps = 0

    def on_train_batch_end(self, batch, logs=None) -> None:
        self._train_step += 1
        self._epoch_steps += 1
        if self.update_freq == "epoch" or self._train_step % self.update_freq:
            return
        writer = self._writer("train")
        for key, value in (logs or {}).items():
            number = _as_float(value)
            if number is not None:
                writer.scalar("batch_" + key, number, self._train_step)

    def on_epoch_end(self, epoch, logs=None) -> None:
        train, val = {}, {}
        for key, value in (logs or {}).items():
            number = _as_float(value)
            if number is None:
                continue
            if key.startswith("val_"):
                val[key[4:]] = number
            else:
                train[key] = number
        if self.write_steps_per_second and self._epoch_start is not None:
            elapsed = max(time.time() - self._epoch_start, 1e-9)
            train["steps_per_second"] = self._epoch_steps / elapsed
        for which, values in (("train", train), ("validation", val)):
            if values:
                writer = self._writer(which)
                for key, number in values.items():
                    writer.scalar("epoch_" + key, number, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        for writer in self._writers.values():
            writer.flush()

    def _log_weights(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in getattr(self.model, "layers", []) or []:
            for weight in getattr(layer, "weights", []) or []:
                name = str(getattr(weight, "name", "weight")).replace(":", "_")
                if "/" not in name:
                    name = f"{layer.name}/{name}"
                value = weight.numpy() if hasattr(weight, "numpy") else np.asarray(weight)
                writer.histogram(name, value, epoch)

    def on_train_end(self, logs=None) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}


TensorBoard.__module__ = "lamina.callbacks"
