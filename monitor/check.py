"""One check cycle: fetch → extract → assess → persist, for every due source.

Each step returns a value; "nothing changed" is a value, not an exception. The
store is written from one worker thread in batches, so the event loop keeps
fetching while a batch commits.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from monitor.config import Config
from monitor.diff import assess
from monitor.errors import MonitorError
from monitor.fetch import Fetcher, HostPolicy
from monitor.model import Change, Officer
from monitor.news.match import Watch
from monitor.redact import redact_key
from monitor.sources.base import FetchState, NotModified, Reported, Source
from monitor.sources.feed import NEWS_ENTITY
from monitor.store import (
    CheckOutcome,
    Clock,
    EventRecord,
    SourceRecord,
    SourceRow,
    Store,
    utcnow,
)

log = logging.getLogger("monitor.check")


def build_sources(config: Config) -> list[Source]:
    """Runtime sources of every active kind in the watch list."""
    built: list[Source] = []
    for entry in config.entries:
        for spec in entry.sources:
            if type(spec).active:
                built.append(spec.build(entry.name))
    built.extend(spec.build(NEWS_ENTITY) for spec in config.news if type(spec).active)
    return built


def source_record(source: Source, config: Config) -> SourceRecord:
    interval = source.interval(config.defaults.interval)
    return SourceRecord(
        key=source.key,
        kind=source.spec.kind,
        entity=source.entity,
        url=source.url,
        interval_s=int(interval.total_seconds()),
    )


def make_fetcher(config: Config) -> Fetcher:
    """The process's one HTTP client: registry presets, overridden by the user's ``hosts:``."""
    from monitor.sources.presets import host_policies

    configured = {host: limits.policy() for host, limits in config.hosts.items()}
    return Fetcher(
        user_agent=config.defaults.user_agent,
        timeout=config.defaults.timeout.total_seconds(),
        max_bytes=config.defaults.max_bytes,
        default_policy=HostPolicy(),
        host_policies=host_policies(configured),
        robots=config.defaults.robots,
        http_client=config.defaults.http_client,
    )


def next_check(
    row: SourceRow, source: Source, config: Config, now: datetime, rng: random.Random
) -> datetime:
    """The interval plus up to ``jitter`` of it, so checks spread out."""
    interval = source.interval(config.defaults.interval)
    jitter = source.spec.jitter if source.spec.jitter is not None else config.defaults.jitter
    return now + interval + timedelta(seconds=rng.uniform(0, jitter * interval.total_seconds()))


class CycleListener(Protocol):
    """Told how many sources are due, then of each one checked (e.g. a progress display)."""

    def start(self, total: int) -> None: ...

    def advance(self, *, failed: bool = False) -> None: ...


def renamed(reference: tuple[Officer, ...] | None, source: Source) -> tuple[Officer, ...] | None:
    """The reference as if taken under the entity's current name.

    A source is keyed by where it reads, not by whose it is: after a company (or a
    watched person) is renamed in the watch list, its stored officers still carry the
    old name, which must not read as everyone leaving and joining.
    """
    if not reference:
        return reference
    companies = {o.company for o in reference}
    if source.spec.scope == "company" and len(companies) == 1 and companies != {source.entity}:
        return tuple(replace(o, company=source.entity) for o in reference)
    names = {o.name for o in reference}
    if source.spec.scope == "person" and len(names) == 1 and names != {source.entity}:
        return tuple(replace(o, name=source.entity) for o in reference)
    return reference


@dataclass
class CheckResult:
    source: Source
    outcome: CheckOutcome
    seconds: float
    events: list[EventRecord] = field(default_factory=list)


@dataclass
class CycleReport:
    results: list[CheckResult] = field(default_factory=list)

    @property
    def events(self) -> list[EventRecord]:
        return [e for r in self.results for e in r.events]

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome.failed]

    @property
    def held(self) -> list[CheckResult]:
        return [r for r in self.results if r.outcome.held]

    @property
    def parsed(self) -> int:
        return sum(1 for r in self.results if r.outcome.parsed)


class Checker:
    """Checks sources against the store; owns the store's writer thread.

    ``clock`` tells the time of checks and schedules; ``rng`` draws the jitter.
    """

    def __init__(
        self,
        config: Config,
        store: Store,
        fetcher: Fetcher,
        *,
        clock: Clock = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.clock = clock
        self.rng = rng or random.Random()
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitor-db")
        store.watch = Watch.of(config)  # one event per change, whoever reports it

    def close(self) -> None:
        self._db.shutdown(wait=True)

    async def run_cycle(
        self,
        sources: Sequence[Source],
        *,
        everything: bool = False,
        concurrency: int = 64,
        on_result: Callable[[CheckResult], None] | None = None,
        listener: CycleListener | None = None,
    ) -> CycleReport:
        """Check the due sources concurrently. ``on_result`` sees each result as soon as
        its check is saved, without waiting for the slowest check of the cycle."""
        now = self.clock()
        records = [source_record(s, self.config) for s in sources]
        loop = asyncio.get_running_loop()
        rows = await loop.run_in_executor(self._db, self.store.sync_sources, records, now)
        due = [s for s in sources if everything or rows[s.key].next_check_at <= now]
        if listener is not None:
            listener.start(len(due))
        report = CycleReport()
        writer = _BatchWriter(self.store, self._db)
        checking = asyncio.Semaphore(concurrency)
        # Checks go on while earlier outcomes wait for their commit, up to this many.
        unwritten = asyncio.Semaphore(concurrency * 4)

        async def one(source: Source) -> None:
            async with unwritten:
                async with checking:
                    started = time.monotonic()
                    outcome = await self.check(source, rows[source.key])
                result = CheckResult(source, outcome, time.monotonic() - started)
                result.events = await writer.write(outcome)
            result.outcome = replace(outcome, reference=None)  # written; free the memory
            report.results.append(result)
            _log(result)
            if on_result is not None:
                on_result(result)
            if listener is not None:
                listener.advance(failed=outcome.failed)

        await asyncio.gather(*(one(s) for s in due))
        await writer.flush()
        return report

    async def check(self, source: Source, row: SourceRow) -> CheckOutcome:
        """Fetch and judge one source; never raises for a source's own failure."""
        now = self.clock()
        base = CheckOutcome(
            source_id=row.id,
            source_name=source.key,
            checked_at=now,
            next_check_at=next_check(row, source, self.config, now, self.rng),
            status="error",
            url=source.url,
        )
        state = FetchState(row.etag, row.last_modified, row.content_hash)
        if source.spec.scope == "news":
            seen = await asyncio.get_running_loop().run_in_executor(
                self._db, self.store.news_seen, row.id
            )
            state = replace(state, seen=seen, first=row.last_success_at is None)
        try:
            observation = await source.observe(self.fetcher, state)
        except MonitorError as exc:
            return replace(base, error=str(exc))
        except Exception as exc:  # a defect must cost this source's check, not the cycle's
            log.exception("checking %s failed unexpectedly", redact_key(source.key))
            return replace(
                base, error=f"unexpected error ({type(exc).__name__}: {exc}); see the log"
            )
        if isinstance(observation, Reported):
            return await self._reported(base, observation)
        if isinstance(observation, NotModified):
            return replace(
                base,
                status="unchanged",
                etag=observation.etag,
                last_modified=observation.last_modified,
                pending_fingerprint=None,  # the reference seen again: a good reading
            )
        previous = None
        if row.fingerprint is not None:
            loop = asyncio.get_running_loop()
            previous = await loop.run_in_executor(self._db, self.store.reference, row.id)
            previous = renamed(previous, source)
        verdict = assess(previous, observation.extraction, pending=row.pending_fingerprint)
        common = replace(
            base,
            parsed=True,
            status=verdict.kind,
            etag=observation.etag,
            last_modified=observation.last_modified,
            url=observation.url or source.url,
            reason=verdict.reason,
        )
        if not verdict.trusted:
            # Nothing of a held page becomes the reference: keep the reference's content
            # hash and validators, so the next check reads the page in full again.
            return replace(
                common,
                etag=row.etag,
                last_modified=row.last_modified,
                pending_fingerprint=verdict.fingerprint or None,
            )
        changed_reference = verdict.fingerprint != row.fingerprint
        filings, remembered = await self._new_filings(row, observation.extraction.filings)
        return replace(
            common,
            content_hash=observation.content_hash,
            reference=observation.extraction.officers if changed_reference else None,
            fingerprint=verdict.fingerprint if changed_reference else None,
            changes=verdict.changes + filings,
            seen=remembered,
        )

    async def _new_filings(
        self, row: SourceRow, filings: tuple[Change, ...]
    ) -> tuple[tuple[Change, ...], tuple[str, ...]]:
        """Filings not reported before, and the keys to remember them by.

        At the silent baseline every filing is remembered and none is reported.
        """
        if not filings:
            return (), ()
        keys = tuple(f.url for f in filings)
        if row.fingerprint is None:
            return (), keys
        loop = asyncio.get_running_loop()
        known = await loop.run_in_executor(self._db, self.store.news_seen, row.id)
        new = tuple(f for f in filings if f.url not in known)
        return new, tuple(f.url for f in new)

    async def _reported(self, base: CheckOutcome, reported: Reported) -> CheckOutcome:
        """Articles → changes about the watch list; articles that told none are done with."""
        from monitor.news.events import reported_changes  # the extractor, only when news is read

        watch = self.store.watch or Watch()
        changes, quiet = await asyncio.to_thread(reported_changes, reported.articles, watch)
        done = (*quiet, *reported.gone, *reported.baseline)
        if done:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(
                self._db, self.store.mark_news_seen, base.source_id, done, base.checked_at
            )
        return replace(
            base,
            parsed=True,
            status="changed" if changes else "unchanged",
            etag=reported.etag,
            last_modified=reported.last_modified,
            url=reported.url or base.url,
            changes=changes,
            listed=reported.listed,
        )


class _BatchWriter:
    """Funnel outcomes into few transactions: whatever queued while one commits."""

    def __init__(self, store: Store, executor: ThreadPoolExecutor) -> None:
        self.store = store
        self.executor = executor
        self.queue: list[tuple[CheckOutcome, asyncio.Future[list[EventRecord]]]] = []
        self.running: asyncio.Task[None] | None = None

    async def write(self, outcome: CheckOutcome) -> list[EventRecord]:
        future: asyncio.Future[list[EventRecord]] = asyncio.get_running_loop().create_future()
        self.queue.append((outcome, future))
        if self.running is None or self.running.done():
            self.running = asyncio.create_task(self._drain())
        return await future

    async def flush(self) -> None:
        while self.running is not None and not self.running.done():
            await self.running

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self.queue:
            batch, self.queue = self.queue, []
            try:
                created = await loop.run_in_executor(
                    self.executor, self.store.save, [o for o, _ in batch]
                )
            except Exception as exc:
                for _, future in batch:
                    future.set_exception(exc)
                continue
            by_source: dict[int, list[EventRecord]] = {}
            for record in created:
                by_source.setdefault(record.source_id or 0, []).append(record)
            for outcome, future in batch:
                future.set_result(by_source.get(outcome.source_id, []))


def _log(result: CheckResult) -> None:
    out = result.outcome
    # One failed check needs no action (it is retried; `check` prints it, and the operator
    # is alerted after several in a row): INFO, like every other check's line.
    log.info(
        "check source=%r status=%s duration=%.3fs changes=%d%s",
        redact_key(result.source.key),
        out.status,
        result.seconds,
        len(out.changes),
        f" error={out.error!r}" if out.error else (f" reason={out.reason!r}" if out.reason else ""),
    )
