"""Fixtures for the data-set tests: an isolated cache and a local HTTP server.

No test touches the network: the loaders' ``BASE_URL`` constants are pointed at a server on
127.0.0.1 that serves files the tests write in the real formats.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import threading

import pytest


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        self.server.requests.append(self.path)
        if self.server.truncate:
            # Announce the full length, send half, close: an interrupted download.
            with open(self.translate_path(self.path), "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if self.server.omit_length:
            # Stream without Content-Length (chunk-less HTTP/1.0 close-delimited body).
            path = self.translate_path(self.path)
            if not os.path.isfile(path):
                self.send_error(404, "File not found")
                return
            with open(path, "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


class LocalServer:
    """A file server in a thread; ``url`` ends with '/', files go in ``root``."""

    def __init__(self, root):
        self.root = root
        handler = lambda *a, **k: _Handler(*a, directory=str(root), **k)  # noqa: E731
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.requests = []
        self.httpd.omit_length = False
        self.httpd.truncate = False
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def requests(self) -> list[str]:
        return self.httpd.requests

    def put(self, name: str, data: bytes) -> str:
        """Serve ``data`` as ``name``; returns its sha256."""
        path = os.path.join(self.root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return hashlib.sha256(data).hexdigest()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path):
    srv = LocalServer(tmp_path / "served")
    os.makedirs(srv.root, exist_ok=True)
    yield srv
    srv.close()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache root (``$LAMINA_HOME``); returns its ``datasets`` directory path."""
    root = tmp_path / "home"
    monkeypatch.setenv("LAMINA_HOME", str(root))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    return root / "datasets"


@pytest.fixture
def offline_url():
    """A URL that fails fast like an offline machine (nothing listens on the port)."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/"
