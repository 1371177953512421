"""The fault suite's servers on 127.0.0.1: a registry whose pages break on command, and
webhook and SMTP receivers that fail on command. Each records what it accepted and when."""

from __future__ import annotations

import email
import email.policy
import html
import random
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

# Fault modes of a registry page.
PAGE_FAULTS = (
    "500",  # an error page
    "503",  # unavailable, Retry-After: 1
    "429",  # rate limited, Retry-After: 1
    "hang",  # no answer until the client gives up
    "reset",  # the connection is reset
    "short",  # a body shorter than its Content-Length
    "close_cut",  # no length, the connection closes inside the officer table
    "flap",  # a close-delimited cut copy and the full page, alternately
    "maintenance",  # HTTP 200 "down for maintenance", with the record's current ETag
    "garbage",  # HTTP 200, random bytes
    "empty",  # HTTP 200, the officer table without rows
)
HOOK_FAULTS = ("500", "hang", "down")
SMTP_FAULTS = ("rcpt451", "data451")
ALERT_ID = re.compile(r"(?<![\w/&])#(\d+)\b")


def page(company: str, officers: list[tuple[str, str]]) -> bytes:
    rows = "".join(
        f"<tr><td>{html.escape(n)}</td><td>{html.escape(r)}</td></tr>" for n, r in officers
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>"
        f"{html.escape(company)}</title></head><body><h1>{html.escape(company)}</h1>"
        "<table id='officers'><tr><th>Name</th><th>Position</th></tr>"
        f"{rows}</table><footer>Registry</footer></body></html>"
    ).encode()


@dataclass
class Page:
    company: str
    officers: list[tuple[str, str]]
    version: int = 1
    fault: str | None = None
    flips: int = 0

    @property
    def etag(self) -> str:
        return f'W/"{self.version}"'  # a weak ETag derived from the record version


class Registry:
    """HTTP/1.1 written by hand, so a fault can break the framing itself."""

    def __init__(self, seed: int) -> None:
        self.pages: dict[str, Page] = {}
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}{path}"

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            while self._one(conn):
                pass
        except OSError:
            pass
        finally:
            conn.close()

    def _one(self, conn: socket.socket) -> bool:
        """Answer one request; whether the connection stays open for the next."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return False
            data += chunk
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        path = head.split(" ", 2)[1]
        headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (line.partition(":") for line in head.split("\r\n")[1:])
        }
        with self.lock:
            found = self.pages.get(path)
            if found is None:
                return _send(conn, 404, b"no such page")
            body, etag, fault = page(found.company, found.officers), found.etag, found.fault
            if fault == "flap":
                found.flips += 1
                fault = "close_cut" if found.flips % 2 else None
            noise = bytes(self.rng.getrandbits(8) for _ in range(2048))
        return _answer(conn, fault, body, etag, headers.get("if-none-match"), found, noise)


def _answer(
    conn: socket.socket,
    fault: str | None,
    body: bytes,
    etag: str,
    if_none_match: str | None,
    found: Page,
    noise: bytes,
) -> bool:
    if fault is None:
        if if_none_match == etag:
            return _send(conn, 304, b"", {"ETag": etag})
        return _send(conn, 200, body, {"ETag": etag})
    if fault in ("500", "503", "429"):
        extra = {} if fault == "500" else {"Retry-After": "1"}
        return _send(conn, int(fault), b"<html><body>busy</body></html>", extra)
    if fault == "hang":
        time.sleep(3.0)
        return False
    if fault == "reset":
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return False
    cut = body[: body.index(b"</tr>", body.index(b"<td>")) + 9]  # inside the second row
    if fault == "short":
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n"
        conn.sendall((head + "Connection: close\r\n\r\n").encode() + cut)
        return False
    if fault == "close_cut":
        head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
        conn.sendall(head.encode() + cut)
        return False
    if fault == "maintenance":
        text = b"<html><body><h1>Down for maintenance</h1></body></html>"
        return _send(conn, 200, text, {"ETag": etag})
    if fault == "garbage":
        return _send(conn, 200, noise, {"ETag": etag})
    if fault == "empty":
        return _send(conn, 200, page(found.company, []), {"ETag": etag})
    raise AssertionError(f"unknown fault {fault}")


def _send(
    conn: socket.socket, status: int, body: bytes, headers: dict[str, str] | None = None
) -> bool:
    lines = [f"HTTP/1.1 {status} X", "Content-Type: text/html; charset=utf-8"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines.append(f"Content-Length: {len(body)}")
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    return True


@dataclass
class Receipt:
    """One message a receiver accepted."""

    at: float
    key: str | None
    ids: tuple[int, ...]
    message_id: str | None = None  # mail: the Message-ID, derived from the key


@dataclass
class Webhook:
    fault: str | None = None
    receipts: list[Receipt] = field(default_factory=list)

    def __post_init__(self) -> None:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", 0))
                text = self.rfile.read(size).decode("utf-8", "replace")
                fault = hook.fault
                if fault == "down":
                    self.close_connection = True
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    return
                if fault == "hang":
                    time.sleep(6.0)  # the sender gives up first; then an error
                if fault is not None:
                    self._reply(500)
                    return
                ids = tuple(int(i) for i in ALERT_ID.findall(text))
                hook.receipts.append(
                    Receipt(time.monotonic(), self.headers.get("Idempotency-Key"), ids)
                )
                self._reply(200)

            def _reply(self, status: int) -> None:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self) -> str:
        return f"json://127.0.0.1:{self.httpd.server_address[1]}/alerts"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Mailbox:
    """aiosmtpd on loopback; a fault answers 451 at RCPT or after DATA."""

    def __init__(self) -> None:
        self.fault: str | None = None
        self.receipts: list[Receipt] = []
        box = self

        class Handler:
            async def handle_RCPT(
                self, server: Any, session: Any, envelope: Any, address: str, options: Any
            ) -> str:
                if box.fault == "rcpt451":
                    return "451 4.3.0 try again later"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                if box.fault == "data451":
                    return "451 4.3.0 try again later"
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                text = " ".join(
                    part.get_content()
                    for part in message.walk()
                    if part.get_content_maintype() == "text"
                )
                ids = tuple(int(i) for i in ALERT_ID.findall(text))
                box.receipts.append(
                    Receipt(
                        time.monotonic(), message["Idempotency-Key"], ids, message["Message-ID"]
                    )
                )
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def url(self) -> str:
        return (
            f"mailto://127.0.0.1:{self.port}"
            "?mode=insecure&from=monitor@example.com&to=desk@example.com"
        )

    def close(self) -> None:
        self.controller.stop()
