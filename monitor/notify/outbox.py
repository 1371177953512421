"""The delivery outbox in SQL: enqueue, claim, settle, summarise.

Rows are written by the store hook inside the transaction that stores their
events. Claiming marks rows ``sending`` with a token, a lease and the claiming
process (host, boot, pid, start time), so two ``monitor deliver`` processes never
send the same row. A process that dies mid-send leaves its claims to the next
process on the same host at once (it can tell the claimer is gone), and to any
other after the lease. A row becomes ``sent`` the moment apprise confirms its
message, and each message carries the idempotency key of its rows.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from monitor.config.models import Config
from monitor.notify.routing import route
from monitor.notify.timing import digest_due
from monitor.store import EventRecord
from monitor.store.store import event_record
from monitor.store.tables import deliveries, events

LEASE = timedelta(minutes=10)
d = deliveries


def delivery_key(event_id: int, channel: str, kind: str = "alert") -> str:
    """One alert per (event, channel), and at most one "confirmed by registry" follow-up."""
    prefix = "event" if kind == "alert" else kind
    return f"{prefix}:{event_id}:{channel}"


def confirmation_note(event: EventRecord) -> str:
    """The line a follow-up opens with: which registry now shows what the news reported."""
    where = " ".join(str(p) for p in (event.extra.get("by"), event.extra.get("by_url")) if p)
    return (
        f"Confirmed by registry: {where or 'a registry source'} now shows this change, "
        "first reported in the news."
    )


@dataclass(frozen=True)
class Delivery:
    """A claimed outbox row with the event it carries (none for an operator alert)."""

    id: int
    key: str
    channel: str
    mode: str
    attempts: int
    created_at: datetime
    event: EventRecord | None
    fallback_of: str | None = None
    note: str | None = None
    # alert | confirmed (the follow-up when a registry confirms news) | operator
    kind: str = "alert"
    message: dict[str, str] | None = None  # an operator alert's title and body
    message_key: str | None = None  # the batch it went out in before, if any


def enqueue_operator(
    conn: Connection, title: str, body: str, channels: Sequence[str], now: datetime
) -> int:
    """Queue an alert about the monitor itself to each of ``channels``."""
    alert = uuid.uuid4().hex  # each alert is its own: two at once never share a key
    rows = [
        {
            "key": f"operator:{alert}:{channel}",
            "event_id": None,
            "channel": channel,
            "mode": "immediate",
            "kind": "operator",
            "message": {"title": title, "body": body},
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for channel in dict.fromkeys(channels)
    ]
    if rows:
        conn.execute(insert(deliveries), rows)
    return len(rows)


def planned_rows(
    records: Sequence[EventRecord], config: Config, now: datetime
) -> list[dict[str, Any]]:
    """The outbox rows for new events: one per (event, routed channel). Pure.

    A change merged into an existing event as more evidence alerts nobody; a registry
    confirming what the news reported gets one follow-up per channel.
    """
    rows: list[dict[str, Any]] = []
    for event in records:
        if event.notice == "evidence":
            continue
        confirmed = event.notice == "confirmed"
        for name in route(event, config):
            channel = config.channel(name)
            digest = channel.mode == "digest"
            rows.append(
                {
                    "key": delivery_key(event.id, name, event.notice),
                    "event_id": event.id,
                    "channel": name,
                    "mode": channel.mode,
                    "kind": event.notice,
                    "note": confirmation_note(event) if confirmed else None,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": digest_due(
                        event.detected_at, channel.every, channel.at, channel.timezone
                    )
                    if digest
                    else now,
                    "created_at": now,
                }
            )
    return rows


def enqueue(conn: Connection, records: Sequence[EventRecord], config: Config, now: datetime) -> int:
    rows = planned_rows(records, config, now)
    if rows:
        conn.execute(insert(deliveries), rows)
    return len(rows)


# ---------------------------------------------------------------- claiming


def message_key(keys: Sequence[str]) -> str:
    """The idempotency key of a message carrying the rows with these keys: the row's own
    key for one row, else a digest of them all, the same for the same rows every time."""
    if len(keys) == 1:
        return keys[0]
    digest = hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:32]
    return f"batch:{digest}"


@lru_cache(maxsize=1)
def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""  # not Linux: a claim is then only ever taken back after its lease


def _started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot), None if there is none."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]  # field 22; the name may hold spaces


def claimer() -> str:
    """This process, as a claim records it: host/boot id/pid/start time."""
    pid = os.getpid()
    return f"{socket.gethostname()}/{_boot_id()}/{pid}/{_started(pid) or ''}"


def gone(holder: str) -> bool:
    """Whether the process that recorded ``holder`` has surely ended: it ran on this host
    since its last boot, and its pid is free or now another process's."""
    host, boot, pid, started = ([*holder.rsplit("/", 3), "", "", ""])[:4]
    if not boot or boot != _boot_id() or host != socket.gethostname() or not pid.isdigit():
        return False
    now = _started(int(pid))
    return now is None or now != started


def reclaim(conn: Connection) -> int:
    """Put the rows held by processes that have ended back in the queue; how many."""
    holders = conn.execute(
        select(d.c.claimed_by)
        .where(d.c.status == "sending", d.c.claimed_by.is_not(None))
        .distinct()
    ).scalars()
    dead = [h for h in holders if gone(h)]
    if not dead:
        return 0
    back = {"status": "pending", "claim_token": None, "claimed_until": None, "claimed_by": None}
    result = conn.execute(
        update(d).where(d.c.status == "sending", d.c.claimed_by.in_(dead)).values(**back)
    )
    return int(result.rowcount or 0)


def remember_batches(engine: Engine, batches: Sequence[tuple[str, Sequence[Delivery]]]) -> None:
    """Record the key each new batch goes out under, before it is sent."""
    fresh = [(key, rows) for key, rows in batches if any(r.message_key != key for r in rows)]
    if not fresh:
        return
    with engine.begin() as conn:
        for key, rows in fresh:
            ids = [r.id for r in rows]
            conn.execute(update(d).where(d.c.id.in_(ids)).values(message_key=key))


def release(engine: Engine, rows: Sequence[Delivery]) -> None:
    """Give back claimed rows that were not sent (a stop came first): due again at once."""
    if not rows:
        return
    back = {"status": "pending", "claim_token": None, "claimed_until": None, "claimed_by": None}
    with engine.begin() as conn:
        conn.execute(
            update(d)
            .where(d.c.id.in_([r.id for r in rows]), d.c.status == "sending")
            .values(**back)
        )


def _due(now: datetime, everything: bool) -> ColumnElement[bool]:
    pending: ColumnElement[bool] = d.c.status == "pending"
    if not everything:
        pending = and_(pending, d.c.next_attempt_at <= now)
    lease_over = and_(d.c.status == "sending", d.c.claimed_until < now)
    return or_(pending, lease_over)


def claim(
    engine: Engine, now: datetime, *, limit: int = 500, everything: bool = False
) -> list[Delivery]:
    """Take due rows for this process; nobody else gets them until the lease ends."""
    token = uuid.uuid4().hex
    due = _due(now, everything)
    take = {
        "status": "sending",
        "claim_token": token,
        "claimed_until": now + LEASE,
        "claimed_by": claimer(),
    }
    oldest_first = (d.c.next_attempt_at, d.c.id)
    with engine.begin() as conn:
        reclaim(conn)
        if conn.dialect.name == "postgresql":
            # Rows another process has locked are skipped, not waited for.
            ids = list(
                conn.execute(
                    select(d.c.id)
                    .where(due)
                    .order_by(*oldest_first)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                ).scalars()
            )
            if ids:
                conn.execute(update(d).where(d.c.id.in_(ids)).values(**take))
        else:
            # SQLite: one conditional UPDATE under the database write lock.
            wanted = select(d.c.id).where(due).order_by(*oldest_first).limit(limit)
            conn.execute(update(d).where(d.c.id.in_(wanted.scalar_subquery()), due).values(**take))
        rows = conn.execute(
            select(d, events)
            .join(events, events.c.id == d.c.event_id, isouter=True)
            .where(d.c.claim_token == token)
            .order_by(d.c.id)
        ).mappings()
        return [_delivery(row) for row in rows]


def _delivery(row: Any) -> Delivery:
    # The join repeats column names (`id`, `url`): read the event's by column object.
    event = None
    if row[d.c.event_id] is not None:
        fields = {column.name: row[column] for column in events.c}
        event = replace(event_record(fields), extra={"notice": row["kind"]})
    return Delivery(
        id=row[d.c.id],
        key=row["key"],
        channel=row["channel"],
        mode=row["mode"],
        attempts=row["attempts"],
        created_at=row[d.c.created_at],
        event=event,
        fallback_of=row["fallback_of"],
        note=row["note"],
        kind=row["kind"],
        message=row["message"],
        message_key=row["message_key"],
    )


# ---------------------------------------------------------------- settling


@dataclass(frozen=True)
class Settlement:
    """What happens to a group of rows sent as one message."""

    rows: tuple[Delivery, ...]
    status: str  # sent | pending | dead
    error: str | None = None
    next_attempt_at: datetime | None = None
    fallback: tuple[str, ...] = ()  # channels to reroute dead rows to


def settle(engine: Engine, settlements: Sequence[Settlement], now: datetime) -> None:
    """Record send results; only rows this process still holds are touched."""
    with engine.begin() as conn:
        for item in settlements:
            for row in item.rows:
                _settle_row(conn, row, item, now)
                if item.status == "dead":
                    _reroute(conn, row, item, now)


def _settle_row(conn: Connection, row: Delivery, item: Settlement, now: datetime) -> None:
    values: dict[str, Any] = {
        "status": item.status,
        "attempts": row.attempts + 1,
        "claim_token": None,
        "claimed_until": None,
        "claimed_by": None,
        "last_error": item.error,
    }
    if item.status == "sent":
        values["sent_at"] = now
    if item.next_attempt_at is not None:
        values["next_attempt_at"] = item.next_attempt_at
    conn.execute(update(d).where(d.c.id == row.id, d.c.status == "sending").values(**values))


def _reroute(conn: Connection, row: Delivery, item: Settlement, now: datetime) -> None:
    for target in item.fallback:
        key = f"{row.key}>{target}"
        if conn.execute(select(d.c.id).where(d.c.key == key)).first() is not None:
            continue
        reason = f"Could not be delivered to channel {row.channel!r}: {item.error}"
        conn.execute(
            insert(deliveries).values(
                key=key,
                event_id=row.event.id if row.event is not None else None,
                channel=target,
                mode="immediate",
                kind=row.kind,
                fallback_of=row.channel,
                note=f"{reason}\n{row.note}" if row.note else reason,
                message=row.message,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )


# ---------------------------------------------------------------- status


def summary(engine: Engine, *, limit: int = 20) -> dict[str, Any]:
    """Counts by state, and the rows that need attention (failing or dead)."""
    failing = and_(d.c.status.in_(("pending", "sending")), d.c.attempts > 0)
    with engine.connect() as conn:
        rows = conn.execute(select(d.c.status, func.count()).group_by(d.c.status))
        counts: dict[str, int] = {str(status): int(n) for status, n in rows}
        failed = conn.execute(select(func.count()).where(failing)).scalar_one()
        problems = conn.execute(
            select(d).where(or_(failing, d.c.status == "dead")).order_by(d.c.id.desc()).limit(limit)
        ).mappings()
        attention = [_problem(p) for p in problems]
    return {
        "pending": counts.get("pending", 0) + counts.get("sending", 0),
        "failed": failed,
        "dead": counts.get("dead", 0),
        "sent": counts.get("sent", 0),
        "attention": attention,
    }


def _problem(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "event_id": row["event_id"],
        "channel": row["channel"],
        "status": "dead" if row["status"] == "dead" else "failed",
        "attempts": row["attempts"],
        "next_attempt_at": _iso(row["next_attempt_at"]) if row["status"] != "dead" else None,
        "last_error": row["last_error"],
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


# ---------------------------------------------------------------- listing and retrying

STATUSES = ("pending", "sending", "sent", "dead", "failed")  # failed: pending after errors


def listing(engine: Engine, *, status: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Outbox rows, newest first, as `monitor deliveries` prints them."""
    query = select(d).order_by(d.c.id.desc()).limit(limit)
    if status == "failed":
        query = query.where(d.c.status.in_(("pending", "sending")), d.c.attempts > 0)
    elif status is not None:
        query = query.where(d.c.status == status)
    with engine.connect() as conn:
        return [_listed(row) for row in conn.execute(query).mappings()]


def _listed(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "event_id": row["event_id"],
        "channel": row["channel"],
        "kind": row["kind"],
        "mode": row["mode"],
        "status": row["status"],
        "attempts": row["attempts"],
        "next_attempt_at": _iso(row["next_attempt_at"]) if row["status"] == "pending" else None,
        "last_error": row["last_error"],
        "fallback_of": row["fallback_of"],
        "created_at": _iso(row["created_at"]),
        "sent_at": _iso(row["sent_at"]),
    }


def retry(engine: Engine, delivery_id: int, now: datetime) -> str:
    """Put a dead or failing delivery back in the queue, due now, with a fresh set of
    attempts; the status it had. Raises LookupError or ValueError (sent, being sent)."""
    with engine.begin() as conn:
        row = conn.execute(select(d.c.status).where(d.c.id == delivery_id)).first()
        if row is None:
            raise LookupError(delivery_id)
        status = str(row.status)
        if status in ("sent", "sending"):
            raise ValueError(status)
        conn.execute(
            update(d)
            .where(d.c.id == delivery_id, d.c.status.in_(("pending", "dead")))
            .values(status="pending", attempts=0, next_attempt_at=now)
        )
    return status
