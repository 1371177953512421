"""What the dashboard and the JSON API read and write, in SQL. No web framework here.

Events are listed newest first by (detected_at, id) with keyset pagination, so the
first page of 100,000 events is one index walk. A person or company filter matches
through names and aliases in any script (雷军 = Lei Jun): the distinct names in the
events table are compared once, then the rows are selected by key.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Connection, and_, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from monitor.config import Config
from monitor.identity import same_company, same_person
from monitor.model import Officer
from monitor.query import company_names, person_names
from monitor.store import EventRecord, Store, utcnow
from monitor.store.store import SourceRow, event_record
from monitor.store.tables import deliveries, events, reviews, snapshots

CHANGES = ("joined", "left", "role_changed", "filed_officer_change")
ORIGINS = ("registry", "news", "confirmed")
PAGE_SIZE = 50
MAX_PAGE = 500


class BadFilter(ValueError):
    """A filter value that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class EventFilter:
    """Every filter of the events page and ``/api/v1/events``; each state is a URL."""

    change: tuple[str, ...] = ()
    person: str | None = None
    company: str | None = None
    origin: str | None = None
    since: date | None = None  # detected on or after
    until: date | None = None  # detected on or before
    unread: bool = False
    cursor: str | None = None
    limit: int = PAGE_SIZE

    def __post_init__(self) -> None:
        unknown = [c for c in self.change if c not in CHANGES]
        if unknown:
            raise BadFilter(f"change {unknown[0]!r} is not one of {', '.join(CHANGES)}")
        if self.origin is not None and self.origin not in ORIGINS:
            raise BadFilter(f"origin {self.origin!r} is not one of {', '.join(ORIGINS)}")
        if not 1 <= self.limit <= MAX_PAGE:
            raise BadFilter(f"limit must be between 1 and {MAX_PAGE}")
        if self.cursor is not None:
            decode_cursor(self.cursor)

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query-string pairs of this filter (with ``changes`` applied), defaults left out."""
        f = replace(self, **changes) if changes else self
        pairs = [("change", c) for c in f.change]
        for name in ("person", "company", "origin"):
            value = getattr(f, name)
            if value:
                pairs.append((name, value))
        if f.since:
            pairs.append(("since", f.since.isoformat()))
        if f.until:
            pairs.append(("until", f.until.isoformat()))
        if f.unread:
            pairs.append(("unread", "1"))
        if f.cursor:
            pairs.append(("cursor", f.cursor))
        if f.limit != PAGE_SIZE:
            pairs.append(("limit", str(f.limit)))
        return pairs

    def query(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))

    @property
    def active(self) -> bool:
        return bool(self.params(cursor=None, limit=PAGE_SIZE))


def encode_cursor(detected_at: datetime, event_id: int) -> str:
    raw = f"{detected_at.isoformat()}|{event_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, _, ident = raw.partition("|")
        return datetime.fromisoformat(when).replace(tzinfo=None), int(ident)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadFilter(
            "cursor is not one this server gave out; start from the first page"
        ) from None


@dataclass(frozen=True)
class Review:
    reviewer: str
    comment: str
    reviewed_at: datetime


@dataclass(frozen=True)
class EventView:
    record: EventRecord
    read_at: datetime | None
    reviews: tuple[Review, ...] = ()

    @property
    def unread(self) -> bool:
        return self.read_at is None

    @property
    def reviewed(self) -> Review | None:
        return self.reviews[-1] if self.reviews else None


@dataclass(frozen=True)
class EventPage:
    items: list[EventView]
    next_cursor: str | None
    unread: int  # unread events in the whole database
    newest_id: int  # "mark all read" marks up to here, never what arrived after the page


# ---------------------------------------------------------------- matching names


@lru_cache(maxsize=200_000)
def _person_matches(stored: str, wanted: tuple[str, ...]) -> bool:
    return any(same_person(stored, name) for name in wanted)


@lru_cache(maxsize=200_000)
def _company_matches(stored: str, wanted: tuple[str, ...]) -> bool:
    return any(same_company(stored, name) for name in wanted)


_NAMES: dict[tuple[str, str], tuple[int, list[tuple[str, str]]]] = {}


def _names(conn: Connection, name_col: Any, key_col: Any) -> list[tuple[str, str]]:
    """The distinct (name, key) pairs of a column, read again only when events were added
    (events are appended and never renamed or deleted: the newest id says when)."""
    stamp = int(conn.execute(select(func.max(events.c.id))).scalar_one() or 0)
    cache = (str(conn.engine.url), str(name_col.name))
    cached = _NAMES.get(cache)
    if cached is None or cached[0] != stamp:
        pairs = [(str(n), str(k)) for n, k in conn.execute(select(name_col, key_col).distinct())]
        cached = _NAMES[cache] = (stamp, pairs)
    return cached[1]


def _keys(
    conn: Connection, name_col: Any, key_col: Any, match: Any, wanted: tuple[str, ...]
) -> Any:
    return sorted({key for name, key in _names(conn, name_col, key_col) if match(name, wanted)})


def _conditions(conn: Connection, config: Config, f: EventFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.change:
        where.append(events.c.change.in_(f.change))
    if f.person:
        names = person_names(config, f.person)
        keys = _keys(conn, events.c.person, events.c.person_key, _person_matches, names)
        where.append(events.c.person_key.in_(keys))
    if f.company:
        names = company_names(config, f.company)
        keys = _keys(conn, events.c.company, events.c.company_key, _company_matches, names)
        where.append(events.c.company_key.in_(keys))
    if f.origin == "confirmed":
        where.append(events.c.confirmed_at.is_not(None))
    elif f.origin:
        where.append(events.c.origin == f.origin)
    if f.since:
        where.append(events.c.detected_at >= datetime.combine(f.since, time()))
    if f.until:
        where.append(events.c.detected_at < datetime.combine(f.until + timedelta(days=1), time()))
    if f.unread:
        where.append(events.c.read_at.is_(None))
    return where


# ---------------------------------------------------------------- events


def list_events(store: Store, config: Config, f: EventFilter) -> EventPage:
    """One page of events, newest first, with the cursor of the next page."""
    with store.engine.connect() as conn:
        where = _conditions(conn, config, f)
        if f.cursor:
            when, ident = decode_cursor(f.cursor)
            where.append(
                or_(
                    events.c.detected_at < when,
                    and_(events.c.detected_at == when, events.c.id < ident),
                )
            )
        query = (
            select(events)
            .where(*where)
            .order_by(events.c.detected_at.desc(), events.c.id.desc())
            .limit(f.limit + 1)
        )
        rows = [row._asdict() for row in conn.execute(query)]
        more = len(rows) > f.limit
        rows = rows[: f.limit]
        views = _views(conn, rows)
        unread = conn.execute(
            select(func.count()).select_from(events).where(events.c.read_at.is_(None))
        ).scalar_one()
        newest = conn.execute(select(func.max(events.c.id))).scalar_one() or 0
    last = views[-1].record if views and more else None
    cursor = encode_cursor(last.detected_at, last.id) if last else None
    return EventPage(views, cursor, int(unread), int(newest))


def _views(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[EventView]:
    from monitor.store.news import evidence_items

    ids = [row["id"] for row in rows]
    items = evidence_items(conn, ids)
    found: dict[int, list[Review]] = {}
    if ids:
        query = select(reviews).where(reviews.c.event_id.in_(ids)).order_by(reviews.c.id)
        for r in conn.execute(query):
            found.setdefault(r.event_id, []).append(Review(r.reviewer, r.comment, r.reviewed_at))
    return [
        EventView(
            replace(event_record(row), evidence_items=tuple(items.get(row["id"], ()))),
            row["read_at"],
            tuple(found.get(row["id"], ())),
        )
        for row in rows
    ]


def get_event(store: Store, event_id: int) -> EventView | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(events).where(events.c.id == event_id)).first()
        return _views(conn, [row._asdict()])[0] if row else None


@dataclass(frozen=True)
class Officers:
    """The company's officers as the source listed them before and after an event."""

    before: tuple[Officer, ...] | None  # None: no earlier snapshot (the baseline)
    after: tuple[Officer, ...]


def officers_around(store: Store, event_id: int) -> Officers | None:
    """The snapshot an event came with and the one before it; None for an event without one."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(snapshots.c.id, snapshots.c.source_id, snapshots.c.officers)
            .join(events, events.c.snapshot_id == snapshots.c.id)
            .where(events.c.id == event_id)
        ).first()
        if row is None:
            return None
        before = conn.execute(
            select(snapshots.c.officers)
            .where(snapshots.c.source_id == row.source_id, snapshots.c.id < row.id)
            .order_by(snapshots.c.id.desc())
            .limit(1)
        ).scalar()

    def officers(data: Any) -> tuple[Officer, ...]:
        return tuple(sorted((Officer.from_json(o) for o in data), key=lambda o: o.name))

    return Officers(officers(before) if before is not None else None, officers(row.officers))


def mark_read(store: Store, config: Config, f: EventFilter, up_to: int) -> int:
    """Mark the unread events this filter shows, up to event ``up_to``, as read."""

    def work(conn: Connection) -> int:
        where = _conditions(conn, config, replace(f, unread=True))
        query = update(events).where(*where, events.c.id <= up_to).values(read_at=utcnow())
        return int(conn.execute(query).rowcount or 0)

    return store.write(work)


def mark_one_read(store: Store, event_id: int, read: bool = True) -> bool:
    def work(conn: Connection) -> bool:
        value = utcnow() if read else None
        query = update(events).where(events.c.id == event_id)
        if read:
            query = query.where(events.c.read_at.is_(None))
        conn.execute(query.values(read_at=value))
        return conn.execute(select(events.c.id).where(events.c.id == event_id)).first() is not None

    return store.write(work)


def add_review(store: Store, event_id: int, reviewer: str, comment: str) -> Review | None:
    """Record a review (and mark the event read); None when there is no such event."""
    now = utcnow()

    def work(conn: Connection) -> bool:
        if conn.execute(select(events.c.id).where(events.c.id == event_id)).first() is None:
            return False
        conn.execute(
            insert(reviews).values(
                event_id=event_id, reviewer=reviewer, comment=comment, reviewed_at=now
            )
        )
        conn.execute(
            update(events)
            .where(events.c.id == event_id, events.c.read_at.is_(None))
            .values(read_at=now)
        )
        return True

    return Review(reviewer, comment, now) if store.write(work) else None


def timeline(store: Store, config: Config, person: str) -> list[EventRecord]:
    """One person's events across every company, oldest first by when they happened."""
    from monitor.query import timeline as order

    page = list_events(store, config, EventFilter(person=person, limit=MAX_PAGE))
    records = [v.record for v in page.items]
    while page.next_cursor:
        page = list_events(
            store, config, EventFilter(person=person, limit=MAX_PAGE, cursor=page.next_cursor)
        )
        records.extend(v.record for v in page.items)
    return order(records, config, person)


# ---------------------------------------------------------------- deliveries


@dataclass(frozen=True)
class DeliveryView:
    id: int
    event_id: int | None
    channel: str
    kind: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    title: str  # what the alert is about


DELIVERY_STATES = ("pending", "sending", "sent", "dead", "failed")


def list_deliveries(
    store: Store,
    *,
    status: str | None = None,
    channel: str | None = None,
    event_id: int | None = None,
    limit: int = 200,
) -> list[DeliveryView]:
    d = deliveries
    query = select(d, events.c.person, events.c.change, events.c.company).join(
        events, events.c.id == d.c.event_id, isouter=True
    )
    if status == "failed":  # still being retried after an error
        query = query.where(d.c.status.in_(("pending", "sending")), d.c.attempts > 0)
    elif status:
        query = query.where(d.c.status == status)
    if channel:
        query = query.where(d.c.channel == channel)
    if event_id is not None:
        query = query.where(d.c.event_id == event_id)
    query = query.order_by(d.c.id.desc()).limit(limit)
    with store.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [_delivery(row) for row in rows]


def _delivery(row: Any) -> DeliveryView:
    d = deliveries.c
    if row[d.event_id] is not None:
        title = f"{row['person']} {row['change']} {row['company']}"
    else:
        title = str((row["message"] or {}).get("title", "operator alert"))
    return DeliveryView(
        id=row[d.id],
        event_id=row[d.event_id],
        channel=row[d.channel],
        kind=row[d.kind],
        status=row[d.status],
        attempts=row[d.attempts],
        next_attempt_at=row[d.next_attempt_at],
        last_error=row[d.last_error],
        created_at=row[d.created_at],
        sent_at=row[d.sent_at],
        title=title,
    )


def delivery_counts(store: Store) -> dict[str, int]:
    d = deliveries
    with store.engine.connect() as conn:
        rows = conn.execute(select(d.c.status, func.count()).group_by(d.c.status))
        counts = {str(status): int(n) for status, n in rows}
        failing = conn.execute(
            select(func.count()).where(d.c.status.in_(("pending", "sending")), d.c.attempts > 0)
        ).scalar_one()
    return {
        "pending": counts.get("pending", 0) + counts.get("sending", 0),
        "failed": int(failing),
        "dead": counts.get("dead", 0),
        "sent": counts.get("sent", 0),
    }


def retry_delivery(store: Store, delivery_id: int) -> bool:
    """Put a dead or failing delivery back in the queue, due now, with fresh attempts.

    The last error stays until the next attempt replaces it. False when there is no
    such delivery or it was already sent."""

    def work(conn: Connection) -> bool:
        d = deliveries
        done = conn.execute(
            update(d)
            .where(d.c.id == delivery_id, d.c.status.in_(("dead", "pending")))
            .values(status="pending", attempts=0, next_attempt_at=utcnow())
        )
        return bool(done.rowcount)

    return store.write(work)


# ---------------------------------------------------------------- sources, companies


def list_sources(store: Store, *, errors: bool = False) -> list[SourceRow]:
    rows = store.source_rows()
    if errors:
        rows = [r for r in rows if not r.healthy or r.consecutive_failures or r.last_error]
    return rows


@dataclass(frozen=True)
class CompanyView:
    name: str
    officers: list[tuple[str, Officer]] = field(default_factory=list)  # (source key, officer)
    snapshot_at: datetime | None = None
    sources: list[SourceRow] = field(default_factory=list)


def company(store: Store, config: Config, name: str) -> CompanyView:
    """Current officers from each of the company's sources' last snapshot."""
    names = company_names(config, name)
    mine = [s for s in store.source_rows() if _company_matches(s.entity, names)]
    officers: list[tuple[str, Officer]] = []
    newest: datetime | None = None
    with store.engine.connect() as conn:
        for source in mine:
            row = conn.execute(
                select(snapshots.c.officers, snapshots.c.retrieved_at)
                .where(snapshots.c.source_id == source.id)
                .order_by(snapshots.c.id.desc())
                .limit(1)
            ).first()
            if row is None:
                continue
            newest = max(newest, row.retrieved_at) if newest else row.retrieved_at
            officers.extend((source.key, Officer.from_json(o)) for o in row.officers)
    return CompanyView(name, officers, newest, mine)


# ---------------------------------------------------------------- search


@dataclass(frozen=True)
class Hit:
    kind: str  # person | company
    name: str
    aliases: tuple[str, ...] = ()
    watched: bool = False


def search(store: Store, config: Config, text: str, limit: int = 50) -> list[Hit]:
    """People and companies whose name or alias matches ``text`` in any script."""
    text = text.strip()
    if not text:
        return []
    folded = text.casefold()
    hits: dict[tuple[str, str], Hit] = {}

    def fits(names: Sequence[str], matches: Any) -> bool:
        return any(folded in n.casefold() for n in names) or matches(names[0], (text,))

    for kind, entries, matches in (
        ("person", config.people, _person_matches),
        ("company", config.companies, _company_matches),
    ):
        for entry in entries:
            names = (entry.name, *entry.aliases)
            if any(fits((n,), matches) for n in names):
                hits[(kind, entry.name)] = Hit(kind, entry.name, tuple(entry.aliases), True)
    with store.engine.connect() as conn:
        people = conn.execute(select(events.c.person).distinct()).scalars().all()
        companies = conn.execute(select(events.c.company).distinct()).scalars().all()
    for kind, stored, matches in (
        ("person", people, _person_matches),
        ("company", companies, _company_matches),
    ):
        for name in stored:
            if any(h.kind == kind and matches(name, (h.name, *h.aliases)) for h in hits.values()):
                continue
            if fits((name,), matches):
                hits[(kind, name)] = Hit(kind, name)
    return list(hits.values())[:limit]


def aware(value: datetime | None) -> datetime | None:
    """A stored naive-UTC time as an aware one (RFC 3339 with an offset in JSON)."""
    return value.replace(tzinfo=UTC) if value is not None else None
