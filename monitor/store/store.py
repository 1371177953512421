"""The Store: every read and write of state goes through here.

Times are naive UTC. A check's snapshot, its events and whatever hooks add for
them (the alert outbox) are written in one transaction, so a crash can lose a
check but never half of one.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from monitor.errors import StoreError
from monitor.model import Change, Officer
from monitor.normalize import name_key
from monitor.store.tables import events, metadata, snapshots, sources

if TYPE_CHECKING:
    from monitor.news.match import Watch

MIGRATIONS = Path(__file__).parent / "migrations"


_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*(None|['\"]([^'\"]+)['\"])", re.M)


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration, read from the migration files themselves."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for name, _, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            if value:
                (revisions if name == "revision" else parents).add(value)
    heads = revisions - parents
    if len(heads) != 1:
        raise StoreError(f"the migrations have {len(heads)} heads; expected exactly one")
    return heads.pop()


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


Clock = Callable[[], datetime]  # naive UTC now; the product passes ``utcnow``, tests a fake


@dataclass(frozen=True)
class SourceRecord:
    """What the configuration says about a source."""

    key: str
    kind: str
    entity: str
    url: str
    interval_s: int


@dataclass(frozen=True)
class SourceRow:
    """What the store remembers about a source."""

    id: int
    key: str
    kind: str
    entity: str
    url: str
    interval_s: int
    next_check_at: datetime
    last_checked_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    healthy: bool
    health_reason: str | None
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    fingerprint: str | None
    pending_fingerprint: str | None
    held_since: datetime | None = None
    retired_at: datetime | None = None


@dataclass(frozen=True)
class CheckOutcome:
    """Everything one check wants to write."""

    source_id: int
    source_name: str
    checked_at: datetime
    next_check_at: datetime
    status: str  # unchanged | baseline | changed | confirmed | suspect | error
    url: str = ""
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    reference: tuple[Officer, ...] | None = None  # new reference snapshot, when it changed
    fingerprint: str | None = None
    pending_fingerprint: str | None = None
    changes: tuple[Change, ...] = ()
    error: str | None = None
    reason: str | None = None
    parsed: bool = False  # the body was parsed (not a 304 or an identical body)
    seen: tuple[str, ...] = ()  # filings now reported (or known at the baseline)
    # News sources: every entry the listing showed (None: no listing read, e.g. a 304).
    listed: tuple[str, ...] | None = None

    @property
    def failed(self) -> bool:
        return self.status == "error"

    @property
    def held(self) -> bool:
        """The answer was read but not trusted: nothing emitted, the source is blind."""
        return self.status == "suspect"

    @property
    def counts_as_failure(self) -> bool:
        return self.failed or self.held


@dataclass(frozen=True)
class EventRecord:
    id: int
    change: str
    person: str
    company: str
    roles: tuple[str, ...]
    previous_roles: tuple[str, ...]
    effective_date: str | None
    published_date: str | None
    detected_at: datetime
    evidence: str
    source: str
    url: str
    origin: str
    confidence: float = 1.0
    confirmed_at: datetime | None = None
    source_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Every registry row and article that showed this change, oldest first.
    evidence_items: tuple[dict[str, Any], ...] = ()
    # The roles as the source wrote them ("Chief Executive Officer"), where it did.
    role_text: str = ""
    previous_role_text: str = ""

    @property
    def notice(self) -> str:
        """What saving this change asks people to be told: alert | confirmed | evidence."""
        return str(self.extra.get("notice", "alert"))

    @property
    def role(self) -> str:
        return ", ".join(self.roles)

    @property
    def previous_role(self) -> str:
        return ", ".join(self.previous_roles)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "change": self.change,
            "person": self.person,
            "company": self.company,
            "role": self.role or None,
            "roles": list(self.roles),
            "previous_role": self.previous_role or None,
            "role_as_written": self.role_text or None,
            "previous_role_as_written": self.previous_role_text or None,
            "effective_date": self.effective_date,
            "published_date": self.published_date,
            "detected_at": _rfc3339(self.detected_at),
            "source": self.source,
            "url": self.url,
            "evidence": self.evidence,
            "origin": self.origin,
            "confidence": self.confidence,
            "confirmed_at": _rfc3339(self.confirmed_at) if self.confirmed_at else None,
            "evidence_items": list(self.evidence_items),
        }


@dataclass(frozen=True)
class HealthStep:
    """One check's effect on its source's failures in a row, for health hooks."""

    source_id: int
    source: str
    url: str
    failures_before: int
    failed: bool  # failed or held: either way the source saw nothing
    error: str | None = None
    reason_before: str | None = None  # why the source was unhealthy before this check


def _rfc3339(value: datetime) -> str:
    """RFC 3339 in UTC with ``Z``, to the second (the store keeps naive UTC)."""
    return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


EventHook = Callable[[Connection, Sequence[EventRecord]], None]
# Called in the transaction that saves the checks, so what a hook writes for a change
# of health (an operator alert) is committed with the check that caused it, or not at all.
HealthHook = Callable[[Connection, Sequence[HealthStep]], None]
T = TypeVar("T")


class Store:
    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = _engine(url)
        self.event_hooks: list[EventHook] = []
        self.health_hooks: list[HealthHook] = []
        # Who is who on the watch list, so that news and registry reports of one
        # change become one event (set by the Checker from the config).
        self.watch: Watch | None = None
        # SQLite has one writer: writes of this process take turns here. PostgreSQL takes
        # concurrent transactions (a `monitor worker` saves many checks at once).
        self._lock: AbstractContextManager[Any] = (
            threading.Lock() if self.engine.dialect.name == "sqlite" else nullcontext()
        )
        if migrate:
            self.migrate()

    def close(self) -> None:
        self.engine.dispose()

    def migrate(self) -> None:
        """Bring the schema to the newest migration (Alembic is loaded only when needed).

        An empty database gets the current tables in one step, stamped with the newest
        revision (what Alembic's documentation recommends for new databases); a test
        keeps ``tables.py`` and the migrations identical.
        """
        revision = self._schema_revision()
        if revision == head_revision():
            return
        if revision is not None:
            self.upgrade()
            return
        try:
            self._create()
        except StoreError:
            # Another process creating the same new database may be finishing it.
            for _ in range(10):
                if self._schema_revision() == head_revision():
                    return
                time.sleep(0.2)
            raise

    def _create(self) -> None:
        """The current tables, then the stamp. Creating only what is missing, so a start
        interrupted between the two (SQLite does not roll DDL back) finishes here."""
        try:
            with self.engine.begin() as conn:
                metadata.create_all(conn, checkfirst=True)
                conn.execute(
                    text(
                        "CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) "
                        "NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
                    )
                )
                conn.execute(
                    text(
                        "INSERT INTO alembic_version (version_num) SELECT :v "
                        "WHERE NOT EXISTS (SELECT 1 FROM alembic_version)"
                    ),
                    {"v": head_revision()},
                )
        except SQLAlchemyError as exc:
            raise StoreError(explain(exc, self.url)) from None

    def upgrade(self, revision: str = "head") -> None:
        """Run the Alembic migrations up to ``revision`` (the newest by default)."""
        from alembic import command
        from alembic.config import Config as AlembicConfig

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
        except SQLAlchemyError as exc:
            raise StoreError(explain(exc, self.url)) from None

    def _schema_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:
            return None

    # --- sources ---------------------------------------------------------

    def sync_sources(self, records: Iterable[SourceRecord], now: datetime) -> dict[str, SourceRow]:
        """Add new sources (due now), update changed ones, return the rows by key.

        Only the given sources' rows are read; new ones are inserted in one batch.
        """
        wanted = {r.key: r for r in records}
        with self._lock, self.engine.begin() as conn:
            existing = {row.key: row for row in _rows_by_key(conn, list(wanted))}
            added = [
                {
                    "key": key,
                    "kind": rec.kind,
                    "entity": rec.entity,
                    "url": rec.url,
                    "interval_s": rec.interval_s,
                    "next_check_at": now,
                    "consecutive_failures": 0,
                    "healthy": True,
                    "created_at": now,
                }
                for key, rec in wanted.items()
                if key not in existing
            ]
            if added:
                conn.execute(insert(sources), added)
            changed = [
                key
                for key, row in existing.items()
                if (row.kind, row.entity, row.url, row.interval_s, row.retired_at)
                != (
                    wanted[key].kind,
                    wanted[key].entity,
                    wanted[key].url,
                    wanted[key].interval_s,
                    None,
                )
            ]
            for key in changed:
                rec, row = wanted[key], existing[key]
                values: dict[str, Any] = {
                    "kind": rec.kind,
                    "entity": rec.entity,
                    "url": rec.url,
                    "interval_s": rec.interval_s,
                    "retired_at": None,  # configured again
                }
                if rec.interval_s < row.interval_s:
                    # A shorter interval counts from now, not from the old plan.
                    soon = now + timedelta(seconds=rec.interval_s)
                    values["next_check_at"] = min(row.next_check_at, soon)
                if row.url != rec.url:
                    # A new address starts over: no validators, and (for news) a baseline.
                    values.update(
                        etag=None, last_modified=None, content_hash=None, last_success_at=None
                    )
                conn.execute(update(sources).where(sources.c.id == row.id).values(**values))
            reread = [str(a["key"]) for a in added] + changed
            existing.update((row.key, row) for row in _rows_by_key(conn, reread))
        return {key: _source_row(row) for key, row in existing.items()}

    def retire_others(self, keys: Iterable[str], now: datetime) -> int:
        """Mark every source not in ``keys`` (the whole watch list) as retired."""
        wanted = set(keys)
        with self._lock, self.engine.begin() as conn:
            current = conn.execute(
                select(sources.c.id, sources.c.key).where(sources.c.retired_at.is_(None))
            ).all()
            gone = [row.id for row in current if row.key not in wanted]
            for start in range(0, len(gone), 900):
                part = gone[start : start + 900]
                conn.execute(update(sources).where(sources.c.id.in_(part)).values(retired_at=now))
        return len(gone)

    def source_rows(self, *, retired: bool = False) -> list[SourceRow]:
        """The sources of the watch list (and, with ``retired``, the ones it dropped)."""
        query = select(sources).order_by(sources.c.key)
        if not retired:
            query = query.where(sources.c.retired_at.is_(None))
        with self.engine.connect() as conn:
            return [_source_row(r) for r in conn.execute(query)]

    def reference(self, source_id: int) -> tuple[Officer, ...] | None:
        """The officers of the latest trusted snapshot, or None before the first one."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(snapshots.c.officers)
                .where(snapshots.c.source_id == source_id)
                .order_by(snapshots.c.id.desc())
                .limit(1)
            ).first()
        if row is None:
            return None
        return tuple(Officer.from_json(o) for o in row.officers)

    # --- checks ----------------------------------------------------------

    def save(
        self, outcomes: Sequence[CheckOutcome], *, guard: Callable[[Connection], None] | None = None
    ) -> list[EventRecord]:
        """Write a batch of checks in one transaction; return the events created.

        Source updates and event-less snapshots go out as one executemany each:
        a cycle over thousands of sources is a handful of statements, not thousands.
        ``guard`` runs first in the transaction; whatever it raises writes nothing.
        """
        created: list[EventRecord] = []
        with self._lock, self.engine.begin() as conn:
            if guard is not None:
                guard(conn)
            before = _failures(conn, [o.source_id for o in outcomes]) if self.health_hooks else {}
            quiet = [o for o in outcomes if o.reference is not None and not o.changes]
            if quiet:
                conn.execute(insert(snapshots), [_snapshot_row(o) for o in quiet])
            for outcome in outcomes:
                created.extend(self._save_outcome(conn, outcome))
            for kind, statement in _UPDATES.items():
                rows = [_source_params(o) for o in outcomes if _update_kind(o) == kind]
                if rows:
                    conn.execute(statement, rows)
            if created:
                for hook in self.event_hooks:
                    hook(conn, created)
            if self.health_hooks:
                steps = [_health_step(o, before.get(o.source_id, (0, None))) for o in outcomes]
                for health_hook in self.health_hooks:
                    health_hook(conn, steps)
        return created

    def _save_outcome(self, conn: Connection, outcome: CheckOutcome) -> list[EventRecord]:
        created = self._save_changes(conn, outcome) if outcome.changes else []
        if outcome.seen:
            from monitor.store.news import mark_seen

            mark_seen(conn, outcome.source_id, outcome.seen, outcome.checked_at)
        if outcome.listed is not None:
            from monitor.store.news import refresh_listed

            refresh_listed(conn, outcome.source_id, outcome.listed, outcome.checked_at)
        return created

    def _save_changes(self, conn: Connection, out: CheckOutcome) -> list[EventRecord]:
        snapshot_id = None
        if out.reference is not None and out.fingerprint is not None:
            result = conn.execute(insert(snapshots), _snapshot_row(out))
            snapshot_id = _new_id(result.inserted_primary_key)
        return [self._insert_event(conn, out, change, snapshot_id) for change in out.changes]

    def _insert_event(
        self, conn: Connection, out: CheckOutcome, change: Change, snapshot_id: int | None
    ) -> EventRecord:
        row = {
            "source_id": out.source_id,
            "snapshot_id": snapshot_id,
            "change": change.change,
            "person": change.person,
            "person_key": name_key(change.person),
            "company": change.company,
            "company_key": name_key(change.company),
            "roles": sorted(change.roles),
            "previous_roles": sorted(change.previous_roles),
            "effective_date": change.effective_date,
            "published_date": change.published_date,
            "detected_at": out.checked_at,
            "evidence": change.evidence,
            "source_name": out.source_name,
            "url": change.url or out.url,
            "origin": change.origin,
            "confidence": change.confidence,
            "role_text": change.role_text or None,
            "previous_role_text": change.previous_role_text or None,
        }
        from monitor.news.match import Watch
        from monitor.store.news import place_change

        placed = place_change(conn, row, change, self.watch or Watch())
        record = event_record(placed.row)
        # A merge is reported with the check that caused it, whichever source made the event.
        notice = {"notice": placed.notice, "by": out.source_name, "by_url": row["url"]}
        return replace(record, source_id=out.source_id, extra=notice)

    # --- news ------------------------------------------------------------

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one transaction, serialised with the store's other writes."""
        with self._lock, self.engine.begin() as conn:
            return work(conn)

    def news_seen(self, source_id: int) -> frozenset[str]:
        """The entries a news source has already read."""
        from monitor.store.news import seen_keys

        with self.engine.connect() as conn:
            return seen_keys(conn, source_id)

    def mark_news_seen(self, source_id: int, keys: Iterable[str], now: datetime) -> None:
        """Remember entries that reported nothing about the watch list as read."""
        from monitor.store.news import mark_seen

        with self._lock, self.engine.begin() as conn:
            mark_seen(conn, source_id, keys, now)

    # --- reading events --------------------------------------------------

    def events(
        self,
        *,
        since: datetime | None = None,
        limit: int | None = None,
        newest_first: bool = True,
        ids: Sequence[int] | None = None,
    ) -> list[EventRecord]:
        query = select(events)
        if since is not None:
            query = query.where(events.c.detected_at >= since)
        if ids is not None:
            query = query.where(events.c.id.in_(list(ids)))
        order = (events.c.detected_at.desc(), events.c.id.desc())
        if not newest_first:
            order = (events.c.detected_at.asc(), events.c.id.asc())
        query = query.order_by(*order)
        if limit is not None:
            query = query.limit(limit)
        from monitor.store.news import evidence_items

        with self.engine.connect() as conn:
            found = [event_record(row._asdict()) for row in conn.execute(query)]
            items = evidence_items(conn, [e.id for e in found])
        return [replace(e, evidence_items=tuple(items.get(e.id, ()))) for e in found]


def _failures(
    conn: Connection, ids: Sequence[int], chunk: int = 900
) -> dict[int, tuple[int, str | None]]:
    """Each source's failures in a row and why it was unhealthy, as the transaction sees
    them before its updates."""
    found: dict[int, tuple[int, str | None]] = {}
    for start in range(0, len(ids), chunk):
        part = list(ids[start : start + chunk])
        query = select(sources.c.id, sources.c.consecutive_failures, sources.c.health_reason).where(
            sources.c.id.in_(part)
        )
        found.update((int(i), (int(n), reason)) for i, n, reason in conn.execute(query))
    return found


def _health_step(out: CheckOutcome, before: tuple[int, str | None]) -> HealthStep:
    """A held check counts as a failure, its reason as the error."""
    failures, reason = before
    return HealthStep(
        out.source_id,
        out.source_name,
        out.url,
        failures,
        out.counts_as_failure,
        out.error or (out.reason if out.held else None),
        reason_before=reason,
    )


def _snapshot_row(out: CheckOutcome) -> dict[str, Any]:
    assert out.reference is not None
    return {
        "source_id": out.source_id,
        "retrieved_at": out.checked_at,
        "fingerprint": out.fingerprint,
        "url": out.url,
        "officers": [o.to_json() for o in out.reference],
    }


def _update_kind(out: CheckOutcome) -> str:
    return "failed" if out.failed else "held" if out.held else "success"


def _source_params(out: CheckOutcome) -> dict[str, Any]:
    suspect = out.status == "suspect"
    return {
        "b_id": out.source_id,
        "b_checked": out.checked_at,
        "b_next": out.next_check_at,
        "b_error": out.error,
        "b_etag": out.etag,
        "b_modified": out.last_modified,
        "b_healthy": not suspect,
        "b_reason": out.reason if suspect else None,
        "b_pending": out.pending_fingerprint,
        "b_hash": out.content_hash,
        "b_fingerprint": out.fingerprint if out.reference is not None else None,
        "b_changed": out.checked_at if out.changes else None,
    }


def _keep(column: Any, param: str) -> Any:
    """The new value when there is one, else what the row already holds."""
    return func.coalesce(bindparam(param), column)


_WHERE = sources.c.id == bindparam("b_id")
_SUCCESS_UPDATE = (
    update(sources)
    .where(_WHERE)
    .values(
        last_checked_at=bindparam("b_checked"),
        next_check_at=bindparam("b_next"),
        last_success_at=bindparam("b_checked"),
        last_error=None,
        consecutive_failures=0,
        etag=bindparam("b_etag"),
        last_modified=bindparam("b_modified"),
        healthy=bindparam("b_healthy"),
        health_reason=bindparam("b_reason"),
        pending_fingerprint=bindparam("b_pending"),
        content_hash=_keep(sources.c.content_hash, "b_hash"),
        fingerprint=_keep(sources.c.fingerprint, "b_fingerprint"),
        last_change_at=_keep(sources.c.last_change_at, "b_changed"),
        held_since=None,
    )
)
# A held check read an answer it does not trust: a failure for the operator, no success,
# and the old validators stay so the next check reads the page again in full.
_HELD_UPDATE = (
    update(sources)
    .where(_WHERE)
    .values(
        last_checked_at=bindparam("b_checked"),
        next_check_at=bindparam("b_next"),
        consecutive_failures=sources.c.consecutive_failures + 1,
        healthy=False,
        health_reason=bindparam("b_reason"),
        pending_fingerprint=bindparam("b_pending"),
        held_since=func.coalesce(sources.c.held_since, bindparam("b_checked")),
    )
)
_FAILURE_UPDATE = (
    update(sources)
    .where(_WHERE)
    .values(
        last_checked_at=bindparam("b_checked"),
        next_check_at=bindparam("b_next"),
        last_error=bindparam("b_error"),
        consecutive_failures=sources.c.consecutive_failures + 1,
        healthy=False,
        health_reason=bindparam("b_error"),
    )
)


_UPDATES = {"success": _SUCCESS_UPDATE, "held": _HELD_UPDATE, "failed": _FAILURE_UPDATE}


def _new_id(key: Any) -> int:
    return int(key[0])


def _rows_by_key(conn: Connection, keys: Sequence[str], chunk: int = 900) -> list[Any]:
    """The ``sources`` rows with these keys, read in chunks under every backend's
    limit on bound parameters."""
    rows: list[Any] = []
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        rows.extend(conn.execute(select(sources).where(sources.c.key.in_(part))))
    return rows


def _source_row(row: Any) -> SourceRow:
    return SourceRow(
        id=row.id,
        key=row.key,
        kind=row.kind,
        entity=row.entity,
        url=row.url,
        interval_s=row.interval_s,
        next_check_at=row.next_check_at,
        last_checked_at=row.last_checked_at,
        last_success_at=row.last_success_at,
        last_error=row.last_error,
        consecutive_failures=row.consecutive_failures,
        healthy=bool(row.healthy),
        health_reason=row.health_reason,
        etag=row.etag,
        last_modified=row.last_modified,
        content_hash=row.content_hash,
        fingerprint=row.fingerprint,
        pending_fingerprint=row.pending_fingerprint,
        held_since=row.held_since,
        retired_at=row.retired_at,
    )


def event_record(row: Mapping[str, Any]) -> EventRecord:
    """An events-table row as an EventRecord."""
    return EventRecord(
        id=row["id"],
        change=row["change"],
        person=row["person"],
        company=row["company"],
        roles=tuple(row["roles"] or ()),
        previous_roles=tuple(row["previous_roles"] or ()),
        effective_date=row["effective_date"],
        published_date=row["published_date"],
        detected_at=row["detected_at"],
        evidence=row["evidence"] or "",
        source=row["source_name"] or "",
        url=row["url"] or "",
        origin=row["origin"],
        confidence=row["confidence"],
        confirmed_at=row["confirmed_at"],
        source_id=row["source_id"],
        role_text=row.get("role_text") or "",
        previous_role_text=row.get("previous_role_text") or "",
    )


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"`state: {url}` is not a database URL; write e.g. sqlite:///state/monitor.db "
            "or postgresql+psycopg://user@host/db"
        ) from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        try:
            return create_engine(parsed, pool_pre_ping=True)
        except (ArgumentError, ImportError) as exc:
            raise StoreError(f"cannot use the state database {_safe(url)}: {exc}") from None
    if (
        parsed.database
        and parsed.database != ":memory:"
        and not parsed.database.startswith("file:")
    ):
        _make_folder(Path(parsed.database).parent)
    engine = create_engine(parsed, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
    except Exception as exc:
        raise OperationalError("PRAGMA", {}, exc) from exc
    finally:
        cursor.close()


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocking = next((p for p in (folder, *folder.parents) if p.is_file()), None)
        why = f"{blocking} is a file, not a folder" if blocking else exc.strerror
        raise StoreError(
            f"cannot create the folder {folder} for the state database: {why}; "
            "fix `state:` in the watch list or move that file away"
        ) from None


def explain(exc: SQLAlchemyError, url: str | None = None) -> str:
    """A database error as a user can act on it, without SQLAlchemy's background link."""
    orig = getattr(exc, "orig", None)
    detail = str(orig if orig is not None else exc).split("\n", 1)[0].strip()
    where = f"the state database {_safe(url)}" if url else "the state database"
    lowered = detail.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return (
            f"{where} is read-only ({detail}); give the monitor write access to the file "
            "and its folder, or point `state:` at a writable place"
        )
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return (
            f"{where} is corrupted or not a SQLite file ({detail}); restore it from a "
            "backup, or move it away to start afresh (the next check is then a silent baseline)"
        )
    if "unable to open database file" in lowered:
        return f"cannot open {where} ({detail}); check that its folder exists and is writable"
    return f"{where} failed: {detail}"
