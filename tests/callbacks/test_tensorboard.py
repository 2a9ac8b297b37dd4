"""TensorBoard: event files with valid TFRecord framing and the tags tf.keras 2.x writes."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from cb_fakes import simulate_fit

from lamina.callbacks import TensorBoard
from lamina.callbacks.tensorboard import _masked_crc, crc32c


def _varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def _fields(buf):
    """Decode a protocol buffer message into (field, wire, value) triples."""
    i, out = 0, []
    while i < len(buf):
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i : i + 8], i + 8
        elif wire == 5:
            value, i = buf[i : i + 4], i + 4
        else:
            n, i = _varint(buf, i)
            value, i = buf[i : i + n], i + n
        out.append((field, wire, value))
    return out


def read_events(path):
    """(step, tag, kind, value) for every summary value, checking every CRC."""
    data = path.read_bytes()
    i, events = 0, []
    while i < len(data):
        header = data[i : i + 8]
        (length,) = struct.unpack("<Q", header)
        assert struct.unpack("<I", data[i + 8 : i + 12])[0] == _masked_crc(header)
        payload = data[i + 12 : i + 12 + length]
        assert struct.unpack("<I", data[i + 12 + length : i + 16 + length])[0] == _masked_crc(
            payload
        )
        i += 16 + length
        fields = _fields(payload)
        step = next((v for f, w, v in fields if f == 2), 0)
        for f, _, v in fields:
            if f == 3:
                events.append((step, None, "version", v.decode()))
            if f == 5:
                for _, _, value in _fields(v):
                    parts = {fld: val for fld, _, val in _fields(value)}
                    tag = parts[1].decode()
                    if 2 in parts:
                        events.append((step, tag, "scalar", struct.unpack("<f", parts[2])[0]))
                    else:
                        histo = {fld: val for fld, _, val in _fields(parts[5])}
                        counts = np.frombuffer(histo[7], "<f8")
                        events.append((step, tag, "histogram", counts))
    return events


def test_crc32c_known_value():
    assert crc32c(b"123456789") == 0xE3069283


def _logs(e):
    return {"loss": 1.0 / (e + 1), "accuracy": 0.5, "val_loss": 2.0, "val_accuracy": 0.25}


def test_epoch_scalars_for_train_and_validation(model, tmp_path):
    simulate_fit(model, [TensorBoard(tmp_path)], epochs=2, verbose=0, epoch_logs=_logs)
    (train_file,) = (tmp_path / "train").iterdir()
    (val_file,) = (tmp_path / "validation").iterdir()
    assert train_file.name.startswith("events.out.tfevents.")
    train = read_events(train_file)
    assert train[0] == (0, None, "version", "brain.Event:2")
    assert train[1:] == [
        (0, "epoch_loss", "scalar", 1.0),
        (0, "epoch_accuracy", "scalar", 0.5),
        (1, "epoch_loss", "scalar", 0.5),
        (1, "epoch_accuracy", "scalar", 0.5),
    ]
    val = read_events(val_file)[1:]
    assert val[:2] == [(0, "epoch_loss", "scalar", 2.0), (0, "epoch_accuracy", "scalar", 0.25)]


def test_batch_scalars_and_histograms(model, tmp_path):
    cb = TensorBoard(str(tmp_path), histogram_freq=1, update_freq=2)
    simulate_fit(model, [cb], epochs=1, steps=4, verbose=0)
    events = read_events(next((tmp_path / "train").iterdir()))
    batch = [(s, t) for s, t, k, _ in events if t and t.startswith("batch_")]
    assert batch == [
        (2, "batch_loss"),
        (2, "batch_accuracy"),
        (4, "batch_loss"),
        (4, "batch_accuracy"),
    ]
    assert cb._implements_train_batch_hooks()


def test_weight_histograms_from_model_layers(tmp_path):
    import lamina as keras

    model = keras.Sequential([keras.layers.Dense(3, input_shape=(2,))])
    model.compile("sgd", "mse")
    x = np.ones((8, 2), "float32")
    model.fit(
        x,
        x[:, :1].repeat(3, 1),
        epochs=2,
        verbose=0,
        callbacks=[TensorBoard(tmp_path, histogram_freq=2)],
    )
    events = read_events(next((tmp_path / "train").iterdir()))
    hist = [(s, t, v) for s, t, k, v in events if k == "histogram"]
    name = model.layers[0].name
    assert [(s, t) for s, t, _ in hist] == [(0, f"{name}/kernel"), (0, f"{name}/bias")]
    assert hist[0][2].sum() == 6  # all 2x3 kernel entries counted


def test_epoch_only_callback_needs_no_batch_hooks():
    assert not TensorBoard()._implements_train_batch_hooks()
    assert TensorBoard(update_freq="batch")._implements_train_batch_hooks()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"update_freq": "step"}, "update_freq"),
        ({"update_freq": 0}, "update_freq"),
        ({"histogram_freq": -1}, "histogram_freq"),
        ({"log_dir": 3}, "log_dir"),
        ({"bogus": True}, "bogus"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        TensorBoard(**kwargs)


KERAS_PYTHON = __import__("os").environ.get("LAMINA_KERAS_PYTHON")


@pytest.mark.keras
@pytest.mark.skipif(not KERAS_PYTHON, reason="set LAMINA_KERAS_PYTHON to a Python with TensorFlow")
def test_tensorflow_reads_the_event_files(model, tmp_path):
    import json
    import subprocess

    simulate_fit(
        model,
        [TensorBoard(tmp_path, update_freq=1)],
        epochs=2,
        steps=2,
        verbose=0,
        epoch_logs=_logs,
    )
    path = next((tmp_path / "train").iterdir())
    code = (
        "import os, sys, json; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'\n"
        "import tensorflow as tf\n"
        "out = [(e.step, v.tag, round(v.simple_value, 6)) for e in "
        "tf.compat.v1.train.summary_iterator(sys.argv[1]) for v in e.summary.value]\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run(
        [KERAS_PYTHON, "-c", code, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    events = [tuple(x) for x in json.loads(result.stdout.strip().splitlines()[-1])]
    assert (0, "epoch_loss", 1.0) in events and (1, "epoch_loss", 0.5) in events
    assert (4, "batch_loss", 0.5) in events
