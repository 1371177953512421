"""The daemon: APScheduler drives dispatch, delivery and a heartbeat on one event loop.

The job store is APScheduler's in-memory one, rebuilt at every start from the
watch list and the ``sources`` table (a persistent 3.x job store shared between
processes duplicates or misses jobs). The ``dispatch`` job wakes at the earliest
next check, takes the due sources out of the queue and checks them concurrently;
each check puts its source back with its next time (interval plus jitter).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import time
from collections import deque
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text

from monitor.check import (
    Checker,
    CheckResult,
    CycleListener,
    CycleReport,
    build_sources,
    make_fetcher,
)
from monitor.config import Loaded, load_config
from monitor.daemon.health import HttpServer, ServeHttp, serve
from monitor.daemon.metrics import Metrics
from monitor.daemon.operator import OperatorAlert, OperatorHook
from monitor.daemon.schedule import DueQueue
from monitor.errors import ConfigError
from monitor.notify import OutboxHook
from monitor.notify.channels import Channels
from monitor.notify.deliver import DeliveryReport, deliver_due
from monitor.sources.base import Source
from monitor.store import Clock, Store, utcnow

log = logging.getLogger("monitor.daemon")

HEARTBEAT = 5.0  # seconds between liveness beats (scheduler and database)
STALE_AFTER = 4 * HEARTBEAT  # /healthz answers 503 when the last good beat is older
RETRY_BROKEN_CYCLE = timedelta(minutes=1)
# At shutdown, past the grace period: how long a send already under way may still take to
# finish and be recorded (no new send starts then).
SEND_FINISH = 5.0


@dataclass(frozen=True)
class Options:
    once: bool = False
    http: tuple[str, int] | None = None
    watch: bool = False  # reload when the config file changes
    grace: float = 10.0  # seconds in-flight checks and deliveries get to finish on shutdown
    deliver_every: float = 30.0  # seconds between outbox sweeps (retries, digests)
    max_sleep: float = 60.0  # the dispatcher wakes at least this often
    # failures in a row before the operator is told (None: `defaults.unhealthy_after`)
    unhealthy_after: int | None = None
    signals: bool = True  # install SIGTERM/SIGINT/SIGHUP handlers


@dataclass
class _Batch:
    checker: Checker
    keys: frozenset[str]


@dataclass
class _Runtime:
    """What a configuration builds; replaced as a whole on reload."""

    loaded: Loaded
    checker: Checker
    sources: dict[str, Source]
    channels: Channels
    retired: list[Checker] = field(default_factory=list)


def _aware(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC)


class Daemon:
    """Run with ``await Daemon(...).run()``; ``stop()`` and ``reload()`` from anywhere on
    the loop. ``on_cycle`` and ``on_delivery`` see every check cycle and delivery run.
    ``clock`` decides which sources are due (the dispatcher still wakes at least every
    ``max_sleep`` seconds of real time); ``rng`` draws the checks' jitter."""

    def __init__(
        self,
        loaded: Loaded,
        store: Store,
        options: Options | None = None,
        *,
        on_cycle: Callable[[CycleReport], None] | None = None,
        on_delivery: Callable[[DeliveryReport], None] | None = None,
        serve_http: ServeHttp = serve,
        clock: Clock = utcnow,
        rng: random.Random | None = None,
        first_pass: CycleListener | None = None,
    ) -> None:
        self.options = options or Options()
        # Told of the first batch of checks only (a progress display at start-up).
        self.first_pass = first_pass
        self.serve_http = serve_http
        self.clock = clock
        self.rng = rng or random.Random()
        self.store = store
        self.metrics = Metrics()
        self.queue = DueQueue()
        self.failures: dict[str, int] = {}
        self.on_cycle = on_cycle
        self.on_delivery = on_delivery
        # Operator alerts the store's hook queued with their checks, to count and log.
        self._alerts: deque[OperatorAlert] = deque()
        self.operator_hook = OperatorHook(
            loaded.config.defaults.operator_notify,
            self.options.unhealthy_after or loaded.config.defaults.unhealthy_after,
            self._alerts.append,
        )
        store.health_hooks[:] = [
            h for h in store.health_hooks if not isinstance(h, OperatorHook)
        ] + [self.operator_hook]
        self.runtime = self._build(loaded)
        self.stopping = asyncio.Event()
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._batches: dict[asyncio.Task[None], _Batch] = {}
        self._delivery_lock = asyncio.Lock()
        self._delivery_waiting = False  # a delivery run is queued behind the running one
        self._stop_sending = asyncio.Event()  # set at shutdown: no new message starts
        self._background: set[asyncio.Task[None]] = set()
        self._beat_at = 0.0
        self._db_ok = False
        self._config_stamp = self._stamp(loaded.file)
        self._exit_code = 0

    # ------------------------------------------------------------ lifecycle

    def _build(self, loaded: Loaded) -> _Runtime:
        config = loaded.config
        checker = Checker(config, self.store, make_fetcher(config), clock=self.clock, rng=self.rng)
        checker.fetcher.listeners.append(self._observe_fetch)
        sources = {s.key: s for s in build_sources(config)}
        return _Runtime(loaded, checker, sources, Channels(config, loaded.secrets))

    @property
    def loaded(self) -> Loaded:
        return self.runtime.loaded

    async def run(self) -> int:
        """Until stopped (or one cycle with ``once``); the exit status."""
        await self._sync()
        if self.options.once:
            return await self._run_once()
        loop = asyncio.get_running_loop()
        if self.options.signals:
            loop.add_signal_handler(signal.SIGTERM, self.stop)
            loop.add_signal_handler(signal.SIGINT, self._interrupt)
            loop.add_signal_handler(signal.SIGHUP, self._reload_soon)
        server = None
        if self.options.http:
            server = await self.serve_http(*self.options.http, self._http)
        self._add_jobs()
        self.scheduler.start()
        await self._beat()
        log.info("monitor running: %d source(s)", len(self.runtime.sources))
        try:
            await self.stopping.wait()
        finally:
            await self._shutdown(server)
            if self.options.signals:
                for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                    loop.remove_signal_handler(sig)
        return self._exit_code

    def _interrupt(self) -> None:
        """Ctrl-C: the same orderly stop, ending with the shell's status for it (130)."""
        self._exit_code = 130
        self.stop()

    def stop(self) -> None:
        """Take no new work; ``run`` then finishes in-flight checks within the grace period."""
        if not self.stopping.is_set():
            log.info("stopping: finishing in-flight checks (grace %gs)", self.options.grace)
            self.stopping.set()

    def _add_jobs(self) -> None:
        common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        now = datetime.now(UTC)
        self.scheduler.add_job(
            self._dispatch,
            "interval",
            seconds=self.options.max_sleep,
            id="dispatch",
            next_run_time=now,
            **common,
        )
        self.scheduler.add_job(
            self._sweep,
            "interval",
            seconds=self.options.deliver_every,
            id="deliver",
            next_run_time=now,
            **common,
        )
        self.scheduler.add_job(self._beat, "interval", seconds=HEARTBEAT, id="beat", **common)
        if self.options.watch:
            self.scheduler.add_job(self._watch, "interval", seconds=1.0, id="watch", **common)

    async def _shutdown(self, server: HttpServer | None) -> None:
        self.scheduler.shutdown(wait=False)
        if server is not None:
            server.close()
            await server.wait_closed()
        deadline = time.monotonic() + self.options.grace
        pending = set(self._batches)
        if pending:
            _, late = await asyncio.wait(pending, timeout=self.options.grace)
            for task in late:
                task.cancel()
            if late:
                log.warning("abandoned %d in-flight check batch(es) at shutdown", len(late))
                await asyncio.gather(*late, return_exceptions=True)
        await self._flush(deadline)

    async def _flush(self, deadline: float) -> None:
        """Deliver what is due until the grace period ends; then start no new send, and
        give the sends under way a little longer to finish and be recorded. Never cancel
        a send: its receiver may accept it, and an unrecorded send goes out twice."""
        flush = asyncio.ensure_future(self._deliver())
        tasks = {flush, *self._background}
        _, late = await asyncio.wait(tasks, timeout=max(1.0, deadline - time.monotonic()))
        if late:
            self._stop_sending.set()
            _, late = await asyncio.wait(late, timeout=SEND_FINISH)
        for task in late:
            task.cancel()
        if late:
            log.warning("a send at shutdown did not finish; it is sent again at the next start")
            await asyncio.gather(*late, return_exceptions=True)
        for checker in [self.runtime.checker, *self.runtime.retired]:
            await checker.fetcher.aclose()
            checker.close()
        log.info("stopped")

    # ------------------------------------------------------------ scheduling

    async def _sync(self) -> None:
        """Bring the sources table in line with the config; rebuild the queue from it."""
        from monitor.check import source_record

        config = self.loaded.config
        records = [source_record(s, config) for s in self.runtime.sources.values()]
        rows = await asyncio.to_thread(self.store.sync_sources, records, self.clock())
        await asyncio.to_thread(self.store.retire_others, list(rows), self.clock())
        in_flight = {k for b in self._batches.values() for k in b.keys}
        self.queue.discard([k for k in self.queue.queued() if k not in rows])
        for key, row in rows.items():
            self.failures[key] = row.consecutive_failures
            queued = self.queue.when(key)
            # A reload that shortened an interval brings a planned check forward.
            if key not in in_flight and (queued is None or row.next_check_at < queued):
                self.queue.push(key, row.next_check_at)
        for key in list(self.failures):
            if key not in rows:
                del self.failures[key]

    async def _dispatch(self) -> None:
        if self.stopping.is_set():
            return
        now = self.clock()
        due = [k for k, when in self.queue.pop_due(now) if self._lag(k, now - when)]
        if due:
            checker = self.runtime.checker
            task = asyncio.create_task(self._check(checker, due))
            self._batches[task] = _Batch(checker, frozenset(due))
        self._reschedule()

    def _lag(self, key: str, late: timedelta) -> bool:
        """Record how late a due source starts; False for one no longer configured."""
        if key not in self.runtime.sources:
            return False
        self.metrics.lag_seconds.observe(max(0.0, late.total_seconds()))
        return True

    def _reschedule(self) -> None:
        if self.stopping.is_set() or not self.scheduler.running:
            return
        now = datetime.now(UTC)
        latest = now + timedelta(seconds=self.options.max_sleep)
        earliest = self.queue.earliest()
        wake = latest if earliest is None else max(now, min(latest, _aware(earliest)))
        self.scheduler.modify_job("dispatch", next_run_time=wake)

    async def _check(self, checker: Checker, keys: Sequence[str]) -> None:
        sources = [self.runtime.sources[k] for k in keys if k in self.runtime.sources]
        try:
            listener, self.first_pass = self.first_pass, None
            report = await checker.run_cycle(
                sources, everything=True, on_result=self._checked, listener=listener
            )
        except Exception:
            log.exception("a check cycle failed; its sources are retried in a minute")
            retry = self.clock() + RETRY_BROKEN_CYCLE
            for key in keys:
                self.queue.push(key, retry)
            return
        finally:
            self._batches.pop(asyncio.current_task(), None)  # type: ignore[arg-type]
            self._close_retired()
        checked = {r.source.key for r in report.results}
        for key in keys:
            if key not in checked and key in self.runtime.sources:
                self.queue.push(key, self.clock() + RETRY_BROKEN_CYCLE)
        if self.on_cycle is not None:
            self.on_cycle(report)
        self._reschedule()

    def _checked(self, result: CheckResult) -> None:
        """One source's check is saved: requeue it and hand its alerts on at once."""
        self._account(result)
        self.metrics.events += len(result.events)
        if result.events:
            self._deliver_soon()
        self._operator_alerts()
        self._reschedule()

    def _operator_alerts(self) -> None:
        """Count and log the operator alerts queued with their checks; send them soon."""
        queued = 0
        while self._alerts:
            alert = self._alerts.popleft()
            self.metrics.operator_alerts[alert.kind] += 1
            # Only an unhealthy source needs someone to act; a recovery is news.
            log.log(
                logging.WARNING if alert.kind == "unhealthy" else logging.INFO, "%s", alert.title
            )
            queued += 1
        if queued and self.operator_hook.channels:
            self._deliver_soon()

    def _account(self, result: CheckResult) -> None:
        """Requeue one checked source and update its counts."""
        key = result.source.key
        out = result.outcome
        if key in self.runtime.sources and not self.stopping.is_set():
            self.queue.push(key, out.next_check_at)
        self.metrics.checks[out.status] += 1
        self.failures[key] = self.failures.get(key, 0) + 1 if out.failed else 0

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # ------------------------------------------------------------ delivery

    async def _sweep(self) -> None:
        """The outbox sweep (retries, digests): a delivery run the daemon tracks itself,
        so that stopping the scheduler never cancels a send under way."""
        self._deliver_soon()

    def _deliver_soon(self) -> None:
        """Start a delivery run, unless one is already queued to start (it sends these too)."""
        if not self._delivery_waiting:
            self._delivery_waiting = True
            self._spawn(self._deliver())

    async def _deliver(self) -> None:
        async with self._delivery_lock:
            self._delivery_waiting = False
            try:
                report = await deliver_due(
                    self.store, self.loaded, channels=self.runtime.channels, stop=self._stop_sending
                )
            except Exception:
                log.exception("delivering alerts failed; the outbox keeps them for the next sweep")
                return
        self.metrics.deliveries["sent"] += report.delivered
        self.metrics.deliveries["retrying"] += report.retrying
        self.metrics.deliveries["dead"] += report.dead
        if report.claimed:
            log.info(
                "delivered %d alert(s) in %d message(s); %d to retry, %d dead",
                report.delivered,
                report.messages,
                report.retrying,
                report.dead,
            )
        if self.on_delivery is not None:
            self.on_delivery(report)

    # ------------------------------------------------------------ one cycle

    async def _run_once(self) -> int:
        due = [k for k, _ in self.queue.pop_due(self.clock()) if k in self.runtime.sources]
        checker = self.runtime.checker
        try:
            report = await checker.run_cycle(
                [self.runtime.sources[k] for k in due],
                everything=True,
                on_result=self._checked,
                listener=self.first_pass,
            )
            if self.on_cycle is not None:
                self.on_cycle(report)
            await asyncio.gather(*self._background, return_exceptions=True)
            await self._deliver()
        finally:
            await checker.fetcher.aclose()
            checker.close()
        return 1 if report.failures else 0

    # ------------------------------------------------------------ reload

    def _stamp(self, file: str) -> tuple[float, int] | None:
        try:
            st = os.stat(file)
        except OSError:
            return None
        return (st.st_mtime, st.st_size)

    async def _watch(self) -> None:
        stamp = self._stamp(self.loaded.file)
        if stamp is not None and stamp != self._config_stamp:
            self._config_stamp = stamp
            await self.reload()

    def _reload_soon(self) -> None:
        self._spawn(self.reload())

    async def reload(self) -> bool:
        """Re-read the config file; a bad file keeps the running configuration."""
        file = self.loaded.file
        try:
            loaded = await asyncio.to_thread(load_config, file)
        except ConfigError as exc:
            self.metrics.reloads["failed"] += 1
            log.error("reload failed, keeping the running configuration: %s", exc)
            return False
        if loaded.config.state != self.loaded.config.state:
            log.warning("`state:` changed; restart the monitor to use the new database")
        self._config_stamp = self._stamp(file)
        old = self.runtime
        self.runtime = self._build(loaded)
        self.runtime.retired = [*old.retired, old.checker]
        for hook in self.store.event_hooks:
            if isinstance(hook, OutboxHook):
                hook.loaded = loaded
        self.operator_hook.channels = tuple(loaded.config.defaults.operator_notify)
        self.operator_hook.threshold = (
            self.options.unhealthy_after or loaded.config.defaults.unhealthy_after
        )
        await self._sync()
        self._close_retired()
        self._reschedule()
        self.metrics.reloads["ok"] += 1
        log.info("reloaded %s: %d source(s)", file, len(self.runtime.sources))
        return True

    def _close_retired(self) -> None:
        busy = {b.checker for b in self._batches.values()}
        for checker in [c for c in self.runtime.retired if c not in busy]:
            self.runtime.retired.remove(checker)
            self._spawn(checker.fetcher.aclose())
            checker.close()

    # ------------------------------------------------------------ health

    def _observe_fetch(self, host: str, seconds: float, status: int) -> None:
        self.metrics.fetch_seconds.observe(seconds)

    async def _beat(self) -> None:
        def ping() -> bool:
            with self.store.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True

        try:
            self._db_ok = await asyncio.wait_for(asyncio.to_thread(ping), timeout=HEARTBEAT)
        except Exception as exc:
            if self._db_ok:
                log.error("the state database does not answer: %s", exc)
            self._db_ok = False
        self._beat_at = time.monotonic()

    def healthy(self) -> tuple[bool, str]:
        if self.stopping.is_set():
            return False, "stopping"
        if time.monotonic() - self._beat_at > STALE_AFTER:
            return False, "the scheduler loop is stalled"
        if not self._db_ok:
            return False, "the state database does not answer"
        return True, "ok"

    def _gauges(self) -> dict[str, tuple[str, float]]:
        in_flight = sum(len(b.keys) for b in self._batches.values())
        failing = sum(1 for k, n in self.failures.items() if n and k in self.runtime.sources)
        earliest = self.queue.earliest()
        return {
            "monitor_up": (
                "1 while the scheduler and database are alive.",
                float(self.healthy()[0]),
            ),
            "monitor_sources": ("Configured active sources.", float(len(self.runtime.sources))),
            "monitor_sources_failing": ("Sources whose last check failed.", float(failing)),
            "monitor_checks_in_flight": ("Sources being checked now.", float(in_flight)),
            "monitor_next_check_timestamp_seconds": (
                "When the next check is due (Unix time).",
                float(int(_aware(earliest).timestamp())) if earliest else 0.0,
            ),
        }

    def _http(self, path: str) -> tuple[int, str, str] | None:
        if path == "/healthz":
            ok, reason = self.healthy()
            return (200 if ok else 503), "text/plain; charset=utf-8", reason + "\n"
        if path == "/metrics":
            body = self.metrics.render(self._gauges())
            return 200, "text/plain; version=0.0.4; charset=utf-8", body
        return None
