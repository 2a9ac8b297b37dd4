"""``RemoteMonitor``: POST each epoch's logs as JSON to a server (standard library only)."""

from __future__ import annotations

import json
import warnings

import numpy as np

from lamina.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """Sends ``{'epoch': epoch, **logs}`` to ``root + path`` at the end of every epoch.

    Args:
        root: the server's root URL.
        path: the path, relative to ``root``, events are posted to.
        field: the form field holding the JSON (when ``send_as_json`` is False).
        headers: extra HTTP headers.
        send_as_json: send the payload as ``application/json`` instead of a form.
    """

    def __init__(
        self,
        root: str = "http://localhost:9000",
        path: str = "/publish/epoch/end/",
        field: str = "data",
        headers: dict | None = None,
        send_as_json: bool = False,
        timeout: float = 10.0,
    ) -> None:
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = bool(send_as_json)
        self.timeout = timeout

    def on_epoch_end(self, epoch, logs=None) -> None:
        import urllib.error
        import urllib.parse
        import urllib.request

        send = {"epoch": epoch}
        for k, v in (logs or {}).items():
            send[k] = v.item() if isinstance(v, (np.ndarray, np.generic)) else v
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(
            self.root + self.path, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn(
                "Warning: could not reach RemoteMonitor root server at " + str(self.root),
                stacklevel=2,
            )


RemoteMonitor.__module__ = "lamina.callbacks"
