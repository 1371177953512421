"""A local alert channel for the demo: apprise's ``json://`` posts land here."""

from __future__ import annotations

import json
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

from monitor.demo.localserver import LocalServer


class Receiver(LocalServer):
    """An HTTP server on 127.0.0.1 that hands each posted alert's title and body to
    ``on_alert``."""

    def __init__(self, on_alert: Callable[[str, str], object]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", 0))
                try:
                    payload = json.loads(self.rfile.read(size) or b"{}")
                except ValueError:
                    payload = {}
                on_alert(str(payload.get("title", "")), str(payload.get("message", "")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(Handler)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/alerts"
