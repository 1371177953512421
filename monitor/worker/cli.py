"""``monitor worker``: one of any number of worker processes sharing one PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

import click

from monitor.clicontext import Context, http_address


def register(main: click.Group) -> None:
    @main.command()
    @click.option(
        "--concurrency",
        type=click.IntRange(min=1),
        default=16,
        show_default=True,
        help="Checks this process runs at once.",
    )
    @click.option(
        "--http",
        envvar="MONITOR_HTTP",
        callback=http_address,
        metavar="HOST:PORT",
        help="Serve /healthz and /metrics here (env MONITOR_HTTP).",
    )
    @click.option(
        "--stalled-after",
        type=click.FloatRange(min=1),
        default=20.0,
        show_default=True,
        help="Seconds without a heartbeat before a worker's jobs run elsewhere.",
    )
    @click.option(
        "--grace",
        type=click.FloatRange(min=0),
        default=10.0,
        show_default=True,
        help="Seconds running checks get to finish after SIGTERM.",
    )
    @click.option("--init", is_flag=True, help="Create the database schema, then exit.")
    @click.pass_obj
    def worker(
        obj: Context,
        concurrency: int,
        http: tuple[str, int] | None,
        stalled_after: float,
        grace: float,
        init: bool,
    ) -> None:
        """Run checks and deliveries as one of several workers sharing a PostgreSQL `state:`.

        Start one on each machine (more processes for more throughput); each source is
        checked by one worker at a time, and the jobs of a worker that dies run
        elsewhere within about --stalled-after seconds. Run it under a supervisor
        that restarts it (systemd, compose `restart: unless-stopped`).
        """
        from monitor.clicontext import handle_errors

        @handle_errors
        def go() -> int:
            loaded = obj.loaded
            if obj.verbose == 0:
                logging.getLogger("monitor").setLevel(logging.INFO)
            return _start(obj, loaded, concurrency, http, stalled_after, grace, init)

        sys.exit(go())


def _start(
    obj: Context,
    loaded: Any,
    concurrency: int,
    http: tuple[str, int] | None,
    stalled_after: float,
    grace: float,
    init: bool,
) -> int:
    from monitor.errors import ConfigError
    from monitor.store.guard import Busy, Guard

    if not loaded.config.state.startswith("postgresql"):
        raise ConfigError(
            "`monitor worker` needs a PostgreSQL state database "
            "(state: postgresql+psycopg://user@host/db); with SQLite, run `monitor run`",
            file=loaded.file,
            path="state",
        )
    from monitor.worker.run import Options, Worker
    from monitor.worker.schema import ensure_schema

    store = obj.store()
    try:
        created = ensure_schema(store.engine)
        if init:
            click.echo("schema created" if created else "schema already in place")
            return 0
        guard = Guard(store.engine, "worker")
        try:
            guard.acquire()
        except Busy as exc:
            raise ConfigError(str(exc), file=loaded.file, path="state") from None
        try:
            heartbeat = min(5.0, stalled_after / 4)
            options = Options(
                concurrency=concurrency,
                http=http,
                heartbeat=heartbeat,
                stalled_after=stalled_after,
                sweep_every=max(1, int(heartbeat)),
                grace=grace,
            )
            return asyncio.run(Worker(loaded, store, options).run())
        finally:
            guard.release()
    finally:
        store.close()
