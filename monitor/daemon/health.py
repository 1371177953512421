"""A tiny HTTP endpoint for probes: ``/healthz`` and ``/metrics``. No framework needed."""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from monitor.errors import ConfigError

log = logging.getLogger("monitor.daemon")

# (status, content type, body) for a path; None means 404.
Handler = Callable[[str], tuple[int, str, str] | None]


class HttpServer(Protocol):
    def close(self) -> None: ...
    async def wait_closed(self) -> None: ...


# How the daemon serves its --http address: this module's probe server by default, the
# dashboard (monitor.web) when the command line passes it in.
ServeHttp = Callable[[str, int, Handler], Awaitable[HttpServer]]
REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


def response(status: int, content_type: str, body: str) -> bytes:
    payload = body.encode()
    head = (
        f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + payload


async def serve(host: str, port: int, handler: Handler) -> asyncio.Server:
    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
            method, path, *_ = request.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
            if method not in ("GET", "HEAD"):
                out = response(405, "text/plain", "GET only\n")
            else:
                answer = handler(path.split("?", 1)[0])
                out = response(*answer) if answer else response(404, "text/plain", "not found\n")
            writer.write(out)
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    try:
        server = await asyncio.start_server(on_client, host, port)
    except OSError as exc:  # in use, no such interface, a name that does not resolve
        reason = "the port is already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise ConfigError(
            f"cannot serve health on {host}:{port}: {reason or exc}",
            hint="choose another --http HOST:PORT (or MONITOR_HTTP), or stop what uses it",
        ) from None
    log.info("health endpoint on http://%s:%d/healthz and /metrics", host, port)
    return server
