"""uvicorn on the caller's event loop, on a socket bound here (so a busy port is an
error this process reports, not a ``sys.exit`` inside uvicorn)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Generator
from typing import Any

import uvicorn

from monitor.errors import MonitorError

log = logging.getLogger("monitor.web")


class _QuietServer(uvicorn.Server):
    """A server that leaves signals to its host: the daemon handles SIGTERM once, itself.

    ``uvicorn.Server.serve`` installs its own SIGINT/SIGTERM handlers and re-raises the
    signal when it stops, which would run the daemon's handler a second time.
    ``capture_signals`` is internal to uvicorn, hence the pinned version range.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (IPv4 or IPv6).

    Made with ``IPPROTO_TCP`` explicitly: asyncio turns Nagle off (TCP_NODELAY) only on
    sockets that say they are TCP, and with Nagle on every keep-alive response waits ~40 ms
    for the client's delayed ACK between its head and its body.
    """
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
        family, kind, _, _, address = infos[0]
        sock = socket.socket(family, kind, socket.IPPROTO_TCP)
    except OSError as exc:
        raise MonitorError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise MonitorError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.setblocking(False)
    return sock


class WebServer:
    """A running uvicorn server: ``close()`` asks it to stop, ``wait_closed()`` waits."""

    def __init__(self, server: _QuietServer, task: asyncio.Task[None], sock: socket.socket) -> None:
        self.server = server
        self.task = task
        self.socket = sock

    @property
    def port(self) -> int:
        return int(self.socket.getsockname()[1])

    def close(self) -> None:
        self.server.should_exit = True

    async def wait_closed(self) -> None:
        try:
            await self.task
        finally:
            self.socket.close()


async def start(app: Any, host: str, port: int) -> WebServer:
    """Serve ``app`` on ``host:port`` from this event loop; returns once it listens."""
    sock = bind(host, port)
    config = uvicorn.Config(
        app,
        lifespan="off",
        access_log=False,
        log_config=None,  # the product's logging, whose handler masks secrets
        log_level="warning",
        timeout_graceful_shutdown=3,
        server_header=False,
    )
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()  # raises what stopped it
            raise MonitorError(f"the web server on {host}:{port} did not start")
        await asyncio.sleep(0.01)
    shown = f"[{host}]" if ":" in host else host
    log.info("dashboard on http://%s:%d/ (API under /api/v1/)", shown, int(sock.getsockname()[1]))
    return WebServer(server, task, sock)
