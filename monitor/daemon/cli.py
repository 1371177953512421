"""``monitor run`` (the daemon) and ``monitor health`` (for a container HEALTHCHECK)."""

from __future__ import annotations

import asyncio
import logging
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import click

from monitor.clicontext import DEFAULT_HTTP, Context, handle_errors, http_address, parse_address
from monitor.errors import ConfigError
from monitor.store import Store


@contextmanager
def single_node(store: Store, file: str) -> Iterator[None]:
    """Hold the database for this one ``monitor run``, or refuse (exit 2) naming who has it."""
    from monitor.store.guard import Busy, Guard

    guard = Guard(store.engine, "run")
    try:
        guard.acquire()
    except Busy as exc:
        raise ConfigError(str(exc), file=file, path="state") from None
    try:
        yield
    finally:
        guard.release()


def register(main: click.Group) -> None:
    """Add ``run`` and ``health`` to the ``monitor`` command group."""

    @main.command()
    @click.option("--once", is_flag=True, help="Check the due sources once, deliver, exit.")
    @click.option(
        "--http",
        envvar="MONITOR_HTTP",
        callback=http_address,
        metavar="HOST:PORT",
        help="Serve /healthz, /metrics and the dashboard here (env MONITOR_HTTP).",
    )
    @click.option(
        "--web/--no-web",
        envvar="MONITOR_WEB",
        default=True,
        show_default=True,
        help="Serve the dashboard and API on --http (env MONITOR_WEB); off: probes only.",
    )
    @click.option("--reload", "watch", is_flag=True, help="Reload when the config file changes.")
    @click.option(
        "--grace",
        type=click.FloatRange(min=0),
        default=10.0,
        show_default=True,
        help="Seconds in-flight checks and deliveries get to finish after SIGTERM.",
    )
    @click.pass_obj
    def run(
        obj: Context, once: bool, http: tuple[str, int] | None, web: bool, watch: bool, grace: float
    ) -> None:
        """Run the monitor: check every source on its schedule and deliver alerts.

        SIGTERM stops it (exit 0), as does Ctrl-C (exit 130); SIGHUP re-reads the config, keeping
        the running one if the new file has an error.
        """
        from monitor.daemon import Daemon, Options

        @handle_errors
        def go() -> int:
            loaded = obj.loaded
            if obj.verbose == 0:
                logging.getLogger("monitor").setLevel(logging.INFO)  # one line per check
            if http and web and not once:
                from monitor.web.cli import check_exposure

                check_exposure(http[0], loaded)
            store = obj.store()
            options = Options(once=once, http=http, watch=watch, grace=grace)

            async def main_loop() -> int:
                from monitor.progress import Progress, ticking

                # On a terminal, the first pass over the sources shows its progress.
                async with ticking(Progress("first pass: checking")) as progress:
                    if not (http and web):
                        return await Daemon(loaded, store, options, first_pass=progress).run()
                    from monitor.web.cli import serve_for

                    daemon = Daemon(
                        loaded,
                        store,
                        options,
                        serve_http=serve_for(store, lambda: daemon.loaded),
                        first_pass=progress,
                    )
                    return await daemon.run()

            try:
                with single_node(store, loaded.file):
                    return asyncio.run(main_loop())
            finally:
                store.close()

        sys.exit(go())

    @main.command()
    @click.option(
        "--http",
        envvar="MONITOR_HTTP",
        default=DEFAULT_HTTP,
        show_default=True,
        metavar="HOST:PORT",
        help="Where `monitor run --http` listens (env MONITOR_HTTP).",
    )
    @click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds.")
    def health(http: str, timeout: float) -> None:
        """Exit 0 when the running monitor reports healthy, 1 otherwise."""
        try:
            host, port = parse_address(http)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1"
        url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as answer:
                click.echo(answer.read().decode().strip() or "ok")
                sys.exit(0)
        except urllib.error.HTTPError as exc:
            click.echo(f"unhealthy: {exc.read().decode().strip() or exc.code}", err=True)
        except (urllib.error.URLError, OSError) as exc:
            click.echo(f"unhealthy: no answer from {url}: {exc}", err=True)
        sys.exit(1)
