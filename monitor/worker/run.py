"""One ``monitor worker`` process: procrastinate workers for checks and for control jobs.

Two procrastinate workers share the process's pool: ``checks`` runs up to
``concurrency`` source checks at once; ``control`` runs the periodic jobs
(dispatch, sweep, deliver) on slots of their own, so a backlog of checks waiting
for a host's limit never starves the dispatcher or the stalled-job sweeper.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException, UniqueViolation
from procrastinate.jobs import Job, Status
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from monitor.check import Checker, build_sources, make_fetcher, source_record
from monitor.config import Loaded
from monitor.daemon.health import serve
from monitor.daemon.metrics import Metrics
from monitor.daemon.operator import OperatorAlert, OperatorHook
from monitor.notify.channels import Channels
from monitor.notify.deliver import deliver_due
from monitor.redact import redact_key
from monitor.sources.base import Source
from monitor.store import CheckOutcome, EventRecord, SourceRow, Store, utcnow
from monitor.worker import fence
from monitor.worker.dispatch import CHECK_QUEUE, dispatch
from monitor.worker.limits import SharedLimiter

log = logging.getLogger("monitor.worker")

CONTROL_QUEUE = "control"
OVERDUE_AFTER = 30.0  # seconds past its time before a source counts as overdue
CHANGES_LOCK = 0x6D6F6E6C  # advisory lock id: one save with changes at a time
ANALYZE_AFTER = 500  # jobs queued in one tick that call for fresh planner statistics


@dataclass(frozen=True)
class Options:
    concurrency: int = 16  # checks at once in this process
    http: tuple[str, int] | None = None
    tick: int = 2  # seconds between dispatcher runs (1-59)
    heartbeat: float = 5.0  # seconds between worker heartbeats
    stalled_after: float = 20.0  # a worker silent this long is dead; its jobs run elsewhere
    sweep_every: int = 5  # seconds between sweeps for a dead worker's jobs
    deliver_every: int = 5  # seconds between outbox sweeps (retries, digests)
    grace: float = 10.0  # seconds running checks get to finish on shutdown
    unhealthy_after: int = 3
    signals: bool = True
    name: str | None = None


def conninfo(url: str) -> str:
    """The libpq address of a SQLAlchemy ``postgresql+psycopg://`` URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _quiet_late_jobs(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """One line, not a traceback, for a job that ran on after it was handed elsewhere.

    A worker paused past the stalled timeout wakes up with jobs that another worker
    has re-run meanwhile; procrastinate then cannot record them as finished.
    """
    exc = context.get("exception")
    task = context.get("future")
    name = task.get_name() if isinstance(task, asyncio.Task) else ""
    if isinstance(exc, ConnectorException) and name.startswith("process job"):
        log.warning("%s: it was handed to another worker while this one was paused", name)
        return
    loop.default_exception_handler(context)


def every(seconds: int) -> str:
    """A procrastinate cron for every ``seconds`` (seconds are the sixth, last field)."""
    return f"* * * * * */{max(1, min(59, seconds))}"


class Worker:
    def __init__(self, loaded: Loaded, store: Store, options: Options | None = None) -> None:
        self.options = options or Options()
        self.loaded = loaded
        self.store = store
        self.name = self.options.name or f"{socket.gethostname()}:{os.getpid()}"
        config = loaded.config
        self.checker = Checker(config, store, make_fetcher(config))
        self.limiter = SharedLimiter(store.engine)
        self.checker.fetcher.gates.append(self.limiter)
        self.checker.fetcher.listeners.append(self._observe_fetch)
        self.sources: dict[str, Source] = {s.key: s for s in build_sources(config)}
        self.channels = Channels(config, loaded.secrets)
        self.metrics = Metrics()
        self.gauges: dict[str, float] = {}
        self.stale_results = 0
        self.db_seconds = 0.0  # time spent in the state database by checks
        self.stopping = asyncio.Event()
        # Operator alerts are decided and queued in the check's own transaction.
        self._alerts: list[OperatorAlert] = []
        hook = OperatorHook(
            config.defaults.operator_notify, self.options.unhealthy_after, self._alerts.append
        )
        store.health_hooks[:] = [
            h for h in store.health_hooks if not isinstance(h, OperatorHook)
        ] + [hook]
        self._gauges_at = 0.0
        self._delivering = asyncio.Lock()
        self.app = self._app()

    # ------------------------------------------------------------ tasks

    def _app(self) -> App:
        options = self.options
        app = App(
            connector=PsycopgConnector(conninfo=conninfo(self.store.url), min_size=2),
            worker_defaults={
                "update_heartbeat_interval": options.heartbeat,
                "stalled_worker_timeout": options.stalled_after,
                "shutdown_graceful_timeout": options.grace,
                "install_signal_handlers": False,
                "fetch_job_polling_interval": 1.0,
                "delete_jobs": "successful",
            },
            periodic_defaults={"max_delay": 60},
        )

        @app.task(name="monitor.check", queue=CHECK_QUEUE, pass_context=True)
        async def check(context: JobContext, key: str) -> None:
            await self.check(key)

        @app.periodic(cron=every(options.tick), periodic_id="dispatch")
        @app.task(name="monitor.dispatch", queue=CONTROL_QUEUE, priority=10, pass_context=True)
        async def dispatch_tick(context: JobContext, timestamp: int) -> None:
            await self.dispatch()

        @app.periodic(cron=every(options.sweep_every), periodic_id="sweep")
        @app.task(name="monitor.sweep", queue=CONTROL_QUEUE, priority=10, pass_context=True)
        async def sweep(context: JobContext, timestamp: int) -> None:
            await self.sweep()

        @app.periodic(cron=every(options.deliver_every), periodic_id="deliver")
        @app.task(
            name="monitor.deliver",
            queue=CONTROL_QUEUE,
            lock="deliver",
            queueing_lock="deliver",
            pass_context=True,
        )
        async def deliver(context: JobContext, timestamp: int = 0) -> None:
            await self.deliver()

        return app

    async def check(self, key: str) -> None:
        """Check one source; save its result only if no newer check of it started."""
        source = self.sources.get(key)
        if source is None:
            return  # no longer in this worker's watch list
        row, token, opened = await asyncio.to_thread(self._open, source)
        outcome = await self.checker.check(source, row)
        try:
            events, saved = await asyncio.to_thread(self._save, outcome, token)
        except fence.StaleCheck as exc:
            self.stale_results += 1
            log.warning("check source=%r: %s", redact_key(key), exc)
            return
        self.db_seconds += opened + saved
        self.metrics.checks[outcome.status] += 1
        self.metrics.events += len(events)
        log.info(
            "check source=%r status=%s changes=%d%s",
            key,
            outcome.status,
            len(outcome.changes),
            f" error={outcome.error!r}" if outcome.error else "",
        )
        alerts, self._alerts[:] = list(self._alerts), []
        for alert in alerts:
            self.metrics.operator_alerts[alert.kind] += 1
            log.warning("%s", alert.title)
        if events or (alerts and self.loaded.config.defaults.operator_notify):
            await self._defer_delivery()

    def _open(self, source: Source) -> tuple[SourceRow, int, float]:
        """The source's row and a new fencing token; the seconds it took."""
        started = time.perf_counter()
        record = source_record(source, self.loaded.config)
        row = self.store.sync_sources([record], utcnow())[source.key]
        token = fence.take(self.store.engine, row.id, self.name)
        return row, token, time.perf_counter() - started

    def _save(self, outcome: CheckOutcome, token: int) -> tuple[list[EventRecord], float]:
        """Save the check if its token is still current; the events and the seconds."""
        started = time.perf_counter()
        fenced = fence.guard(outcome.source_id, token)

        def guard(conn: Connection) -> None:
            fenced(conn)
            if outcome.changes:
                # Two workers saving one change reported by two sources must see each
                # other's event to merge it into one: changes are saved one at a time.
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHANGES_LOCK})

        events = self.store.save([outcome], guard=guard)
        return events, time.perf_counter() - started

    async def _defer_delivery(self) -> None:
        # AlreadyEnqueued: a delivery run is already waiting; it takes these alerts too.
        with contextlib.suppress(AlreadyEnqueued):
            await self.app.tasks["monitor.deliver"].defer_async(timestamp=0)

    async def dispatch(self) -> None:
        async with self.app.connector.pool.connection() as conn:  # type: ignore[attr-defined]
            try:
                result = await dispatch(self.app, conn, utcnow(), self.sources.keys())
            except AlreadyEnqueued:
                log.info("dispatch met a check queued meanwhile; the next tick takes it")
                return
            if result.queued >= ANALYZE_AFTER:
                # Fresh statistics, or the job fetch's plan turns quadratic in the queue's
                # length (8 s a fetch at 10,000 jobs) until autovacuum gets to the table.
                async with conn.transaction():
                    await conn.execute("ANALYZE procrastinate_jobs")
        if result.queued:
            log.info("dispatched %d check(s)", result.queued)

    async def sweep(self) -> None:
        """Re-queue the running jobs of workers whose heartbeat stopped."""
        manager = self.app.job_manager
        stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=self.options.stalled_after)
        for job in stalled:
            try:
                await self._retry(job)
            except ConnectorException as exc:
                # Finished meanwhile by its own worker waking up, or by another sweep.
                log.info("left %s[%s] alone: %s", job.task_name, job.id, exc.__cause__ or exc)

    async def _retry(self, job: Job) -> None:
        manager = self.app.job_manager
        try:
            await manager.retry_job(job)
            log.warning("re-queued %s for %r of a dead worker", job.task_name, job.lock)
        except UniqueViolation:
            # Another job with this queueing lock already waits (procrastinate #1446):
            # it will do the work; close this one so it stops holding the lock.
            await manager.finish_job(job, status=Status.FAILED, delete_job=False)
            log.warning("closed %s of a dead worker; a newer one waits", job.task_name)

    async def deliver(self) -> None:
        async with self._delivering:
            report = await deliver_due(self.store, self.loaded, channels=self.channels)
        self.metrics.deliveries["sent"] += report.delivered
        self.metrics.deliveries["retrying"] += report.retrying
        self.metrics.deliveries["dead"] += report.dead

    # ------------------------------------------------------------ lifecycle

    async def run(self) -> int:
        config = self.loaded.config
        records = [source_record(s, config) for s in self.sources.values()]
        await asyncio.to_thread(self._sync, records)
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(_quiet_late_jobs)
        # Database calls run in threads: enough for every running check and the control jobs.
        loop.set_default_executor(ThreadPoolExecutor(self.options.concurrency + 4))
        if self.options.signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self.stop)
        server = None
        if self.options.http:
            server = await serve(*self.options.http, self._http)
        async with self.app.open_async():
            runs = [
                asyncio.create_task(self._keep_running([CHECK_QUEUE], self.options.concurrency)),
                asyncio.create_task(self._keep_running([CONTROL_QUEUE], 2)),
            ]
            gauges = asyncio.create_task(self._refresh_loop())
            log.info("monitor worker %s running: %d source(s)", self.name, len(self.sources))
            stopped = asyncio.create_task(self.stopping.wait())
            await asyncio.wait([stopped, *runs], return_when=asyncio.FIRST_COMPLETED)
            for task in [*runs, gauges]:
                task.cancel()
            results = await asyncio.gather(*runs, gauges, stopped, return_exceptions=True)
        if server is not None:
            server.close()
        await self.checker.fetcher.aclose()
        self.checker.close()
        if self.options.signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
        failed = [r for r in results if isinstance(r, Exception)]
        for exc in failed:
            log.error("a worker loop ended with an error: %s", exc)
        log.info("stopped")
        return 1 if failed else 0

    async def _keep_running(self, queues: list[str], concurrency: int) -> None:
        """Run a procrastinate worker until stopped; start a new one if it ends early
        (a worker paused longer than the stalled timeout was pruned and exits on its
        next fetch)."""
        name = f"{self.name}/{queues[0]}"
        while not self.stopping.is_set():
            try:
                await self.app.run_worker_async(queues=queues, concurrency=concurrency, name=name)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("worker %s ended (%s); starting it again", name, exc)
                await asyncio.sleep(1.0)

    def _sync(self, records: list[Any]) -> None:
        """Add this watch list's sources; workers starting together may race on new keys."""
        from sqlalchemy.exc import IntegrityError

        for attempt in range(3):
            try:
                self.store.sync_sources(records, utcnow())
                # Sources the watch list dropped are retired, not shown as ghosts.
                self.store.retire_others([r.key for r in records], utcnow())
                return
            except IntegrityError:
                if attempt == 2:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if not self.stopping.is_set():
            log.info("stopping: finishing running checks (grace %gs)", self.options.grace)
            self.stopping.set()

    # ------------------------------------------------------------ health

    def _observe_fetch(self, host: str, seconds: float, status: int) -> None:
        self.metrics.fetch_seconds.observe(seconds)

    async def _refresh_loop(self) -> None:
        while True:
            try:
                self.gauges = await asyncio.to_thread(self._read_gauges)
                self._gauges_at = time.monotonic()
            except Exception as exc:
                log.warning("could not read the queue's state: %s", exc)
            await asyncio.sleep(self.options.heartbeat)

    def _read_gauges(self) -> dict[str, float]:
        late = utcnow() - timedelta(seconds=OVERDUE_AFTER)
        with self.store.engine.connect() as conn:
            queued = conn.execute(
                text(
                    "SELECT count(*) FROM procrastinate_jobs "
                    "WHERE status = 'todo' AND queue_name = :q"
                ),
                {"q": CHECK_QUEUE},
            ).scalar_one()
            overdue = conn.execute(
                text("SELECT count(*) FROM sources WHERE next_check_at < :t"),
                {"t": late},
            ).scalar_one()
            stalled = conn.execute(
                text(
                    "SELECT count(*) FROM procrastinate_jobs j LEFT JOIN procrastinate_workers w "
                    "ON w.id = j.worker_id WHERE j.status = 'doing' AND (w.id IS NULL OR "
                    "w.last_heartbeat < now() - make_interval(secs => :s))"
                ),
                {"s": self.options.stalled_after},
            ).scalar_one()
            workers = conn.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar_one()
        return {
            "queued": float(queued),
            "overdue": float(overdue),
            "stalled": float(stalled),
            "workers": float(workers),
        }

    def healthy(self) -> tuple[bool, str]:
        if self.stopping.is_set():
            return False, "stopping"
        if time.monotonic() - self._gauges_at > 4 * self.options.heartbeat:
            return False, "the state database does not answer"
        return True, "ok"

    def _http(self, path: str) -> tuple[int, str, str] | None:
        if path == "/healthz":
            ok, reason = self.healthy()
            return (200 if ok else 503), "text/plain; charset=utf-8", reason + "\n"
        if path == "/metrics":
            g = self.gauges
            gauges = {
                "monitor_up": (
                    "1 while this worker and the database are alive.",
                    float(self.healthy()[0]),
                ),
                "monitor_sources": (
                    "Sources in this worker's watch list.",
                    float(len(self.sources)),
                ),
                "monitor_queue_depth": ("Check jobs waiting for a worker.", g.get("queued", 0.0)),
                "monitor_sources_overdue": (
                    f"Sources more than {OVERDUE_AFTER:g}s past their check time.",
                    g.get("overdue", 0.0),
                ),
                "monitor_jobs_stalled": (
                    "Running jobs of workers whose heartbeat stopped.",
                    g.get("stalled", 0.0),
                ),
                "monitor_workers": (
                    "procrastinate workers registered (two per process).",
                    g.get("workers", 0.0),
                ),
                "monitor_host_slots_missed": (
                    "Host-limit slots given up because other workers started meanwhile.",
                    float(self.limiter.missed),
                ),
                "monitor_stale_results": (
                    "Late results dropped by the fencing token.",
                    float(self.stale_results),
                ),
                "monitor_check_db_seconds": (
                    "Database time spent by this worker's checks.",
                    self.db_seconds,
                ),
            }
            body = self.metrics.render(gauges)
            return 200, "text/plain; version=0.0.4; charset=utf-8", body
        return None
