"""CSVLogger, TerminateOnNaN, LambdaCallback, RemoteMonitor, and the lazy ModelCheckpoint names."""

from __future__ import annotations

import csv
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from cb_fakes import simulate_fit

from lamina import callbacks as cbks


def _logs(e):
    return {"loss": 1.0 / (e + 1), "accuracy": 0.5, "val_loss": 2.0, "val_accuracy": 0.25}


def test_csv_logger_writes_sorted_columns(model, tmp_path):
    path = tmp_path / "log.csv"
    simulate_fit(model, [cbks.CSVLogger(path)], epochs=2, verbose=0, epoch_logs=_logs)
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert rows[1] == ["0", "0.5", "1.0", "0.25", "2.0"]
    assert rows[2][0] == "1" and float(rows[2][2]) == 0.5
    assert len(rows) == 3


def test_csv_logger_append_and_separator(model, tmp_path):
    path = tmp_path / "log.tsv"
    logger = cbks.CSVLogger(str(path), separator="\t", append=True)
    simulate_fit(model, [logger], epochs=1, verbose=0, epoch_logs=_logs)
    simulate_fit(model, [logger], epochs=2, verbose=0, epoch_logs=_logs)
    lines = path.read_text().splitlines()
    assert lines[0].split("\t") == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [ln.split("\t")[0] for ln in lines[1:]] == ["0", "0", "1"]  # one header only


def test_csv_logger_overwrites_by_default_and_marks_missing_val_columns(model, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("old contents\n")
    simulate_fit(model, [cbks.CSVLogger(path)], epochs=1, verbose=0)
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert rows[1][3:] == ["NA", "NA"]


def test_csv_logger_bad_arguments():
    with pytest.raises(ValueError, match="separator"):
        cbks.CSVLogger("x.csv", separator=", ")
    with pytest.raises(TypeError, match="filename"):
        cbks.CSVLogger(3.5)


def test_terminate_on_nan_stops_at_the_bad_batch(model, capsys):
    def batch_logs(e, s):
        return {"loss": float("nan") if (e, s) == (1, 2) else 1.0}

    h = simulate_fit(
        model, [cbks.TerminateOnNaN()], epochs=4, steps=5, verbose=0, batch_logs=batch_logs
    )
    assert h.epoch == [0, 1]
    assert capsys.readouterr().out == "Batch 2: Invalid loss, terminating training\n"


def test_terminate_on_nan_can_raise(model):
    cb = cbks.TerminateOnNaN(raise_error=True)
    with pytest.raises(RuntimeError, match="batch 0"):
        simulate_fit(
            model,
            [cb],
            epochs=1,
            steps=1,
            verbose=0,
            batch_logs=lambda e, s: {"loss": float("inf")},
        )


def test_lambda_callback_calls_given_functions(model):
    events = []
    cb = cbks.LambdaCallback(
        on_train_begin=lambda logs: events.append("begin"),
        on_epoch_end=lambda epoch, logs: events.append(("epoch", epoch, logs["loss"])),
        on_batch_end=lambda batch, logs: events.append(("batch", batch)),
        on_train_end=lambda logs: events.append("end"),
    )
    simulate_fit(model, [cb], epochs=2, steps=2, verbose=0)
    assert events == [
        "begin",
        ("batch", 0),
        ("batch", 1),
        ("epoch", 0, 1.0),
        ("batch", 0),
        ("batch", 1),
        ("epoch", 1, 0.5),
        "end",
    ]


def test_lambda_callback_keras3_hook_names_and_errors(model):
    seen = []
    cb = cbks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))
    simulate_fit(model, [cb], epochs=1, steps=3, verbose=0)
    assert seen == [0, 1, 2]
    with pytest.raises(TypeError, match="on_epoch_finish"):
        cbks.LambdaCallback(on_epoch_finish=print)
    with pytest.raises(TypeError, match="callable"):
        cbks.LambdaCallback(on_epoch_end=3)


class _Collector(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Collector.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Collector.received = []
    httpd = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_remote_monitor_posts_epoch_logs(model, server):
    simulate_fit(model, [cbks.RemoteMonitor(root=server)], epochs=1, verbose=0)
    simulate_fit(
        model, [cbks.RemoteMonitor(root=server, send_as_json=True, path="/j")], epochs=1, verbose=0
    )
    (path, ctype, body), (path2, ctype2, body2) = _Collector.received
    assert path == "/publish/epoch/end/" and ctype == "application/x-www-form-urlencoded"
    payload = json.loads(urllib.parse.parse_qs(body.decode())["data"][0])
    assert payload == {"epoch": 0, "loss": 1.0, "accuracy": 0.5}
    assert path2 == "/j" and ctype2 == "application/json"
    assert json.loads(body2) == {"epoch": 0, "loss": 1.0, "accuracy": 0.5}


def test_remote_monitor_warns_when_server_is_down(model):
    cb = cbks.RemoteMonitor(root="http://127.0.0.1:9", timeout=2)
    with pytest.warns(UserWarning, match="could not reach"):
        simulate_fit(model, [cb], epochs=1, verbose=0)


def test_public_names():
    for name in [
        "Callback",
        "CallbackList",
        "History",
        "ProgbarLogger",
        "EarlyStopping",
        "LearningRateScheduler",
        "ReduceLROnPlateau",
        "CSVLogger",
        "TerminateOnNaN",
        "LambdaCallback",
        "RemoteMonitor",
    ]:
        assert getattr(cbks, name).__module__ == "lamina.callbacks"
    with pytest.raises(AttributeError, match="TensorBoardX"):
        cbks.TensorBoardX  # noqa: B018
