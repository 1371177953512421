"""``monitor web``: the dashboard and JSON API against the state database, without the
scheduler (for a machine whose checks run elsewhere, or not at all)."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import click

from monitor.clicontext import DEFAULT_HTTP, Context, http_address
from monitor.config import Loaded
from monitor.errors import ConfigError
from monitor.store import Store

# The daemon's probes: a path -> (status, content type, body), or None.
Probes = Callable[[str], tuple[int, str, str] | None]


def web_app(store: Store, loaded: Callable[[], Loaded], host: str, probes: Any = None) -> Any:
    """The dashboard's ASGI application for a server on ``host`` (FastAPI is imported
    here, on first use)."""
    from monitor.web.app import Site, create_app
    from monitor.web.security import is_loopback

    return create_app(Site(store, loaded, probes, exposed=not is_loopback(host)))


def serve_for(
    store: Store, loaded: Callable[[], Loaded]
) -> Callable[[str, int, Probes], Awaitable[Any]]:
    """The daemon's --http server: the dashboard, with the daemon's /healthz and /metrics."""

    async def serve(host: str, port: int, probes: Probes) -> Any:
        from monitor.web.serve import start

        return await start(web_app(store, loaded, host, probes), host, port)

    return serve


def check_exposure(host: str, loaded: Loaded) -> None:
    """Refuse to open the dashboard beyond loopback without a token (exit status 2)."""
    from monitor.web.security import refuse_reason

    reason = refuse_reason(host, loaded.config.web.token)
    if reason is not None:
        raise ConfigError(reason, file=loaded.file, path="web.token")


def register(main: click.Group) -> None:
    @main.command()
    @click.option(
        "--http",
        envvar="MONITOR_HTTP",
        default=DEFAULT_HTTP,
        show_default=True,
        callback=http_address,
        metavar="HOST:PORT",
        help="Where to serve (env MONITOR_HTTP). Off loopback it needs `web.token`.",
    )
    @click.pass_obj
    def web(obj: Context, http: tuple[str, int]) -> None:
        """Serve the dashboard and the JSON API (/api/v1/) on the state database.

        Pages need the config's `web.token` (HTTP Basic password; Bearer for the API)
        unless bound to loopback; SIGTERM or SIGINT stops it.
        """
        from monitor.clicontext import handle_errors

        @handle_errors
        def go() -> int:
            loaded = obj.loaded
            check_exposure(http[0], loaded)
            store = Store(loaded.config.state)
            try:
                return asyncio.run(_serve(web_app(store, lambda: loaded, http[0]), *http))
            finally:
                store.close()

        sys.exit(go())


async def _serve(app: Any, host: str, port: int) -> int:
    from monitor.web.serve import start

    server = await start(app, host, port)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"dashboard on http://{shown}:{server.port}/  (Ctrl-C stops it)", err=True)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, server.close)
    try:
        await server.wait_closed()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
    return 0
