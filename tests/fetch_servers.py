"""Misbehaving servers on 127.0.0.1 for the fetch tests: endless bodies, gzip bombs,
sockets that never answer."""

from __future__ import annotations

import socket
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager


def gzip_bomb(megabytes: int) -> bytes:
    """``megabytes`` MiB of zeros, gzip-compressed (about a thousand times smaller)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1 << 20)
    return b"".join(packer.compress(block) for _ in range(megabytes)) + packer.flush()


def _serve(handler: object) -> tuple[socket.socket, int]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def loop() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=handler, args=(conn,), daemon=True).start()  # type: ignore[arg-type]

    threading.Thread(target=loop, daemon=True).start()
    return listener, int(listener.getsockname()[1])


def _read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk


@contextmanager
def endless_body(*, encoding: str = "", payload: bytes = b"") -> Iterator[str]:
    """Answers 200 and streams without end (or ``payload`` once, e.g. a gzip bomb)."""

    def handle(conn: socket.socket) -> None:
        try:
            _read_request(conn)
            head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
            if encoding:
                head += f"Content-Encoding: {encoding}\r\n"
            conn.sendall((head + "\r\n").encode())
            if payload:
                conn.sendall(payload)
                return
            block = b"<p>" + b"x" * 65536 + b"</p>"
            while True:
                conn.sendall(block)
        except OSError:
            pass
        finally:
            conn.close()

    listener, port = _serve(handle)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        listener.close()


@contextmanager
def silent() -> Iterator[str]:
    """Accepts connections and never answers."""
    held: list[socket.socket] = []

    def handle(conn: socket.socket) -> None:
        held.append(conn)

    listener, port = _serve(handle)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        listener.close()
        for conn in held:
            conn.close()
