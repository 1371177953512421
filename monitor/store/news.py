"""The store's news queries: read entries, evidence, and one event per change.

A change reaches the store from a registry or from an article. Before a new event
is written, the events of the same direction from the last months are compared with
it (``monitor.news.match.same_change``):

* an article reporting a change that is already an event adds its sentence as
  evidence to that event, and no alert is sent;
* a registry showing a change the news reported marks that event confirmed, adds
  the registry's evidence, and asks for one "confirmed by registry" follow-up;
* anything else is a new event, with its first piece of evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, and_, delete, insert, select, update

from monitor.model import Change
from monitor.news.match import WINDOW, Facts, Watch, facts, same_change
from monitor.store.tables import event_evidence, events, news_seen

Notice = Literal["alert", "evidence", "confirmed"]
# A remembered entry is forgotten when no listing has shown it for this long. Listings
# show recent articles, so one gone this long is not coming back.
FORGET_AFTER = timedelta(days=30)


@dataclass(frozen=True)
class Placed:
    """Where a change went: the event row it is now part of, and what to tell people."""

    row: dict[str, Any]
    notice: Notice


def place_change(
    conn: Connection,
    row: dict[str, Any],
    change: Change,
    watch: Watch,
    window: timedelta = WINDOW,
) -> Placed:
    """Write ``row`` (an event) for ``change``, or merge it into the event it repeats."""
    now: datetime = row["detected_at"]
    if change.origin == "news" and row["source_id"] is not None:
        mark_seen(conn, row["source_id"], [change.url], now)
    existing = _same_event(conn, change, now, watch, window)
    if existing is None:
        key = conn.execute(insert(events), row).inserted_primary_key
        assert key is not None
        event_id = int(key[0])
        _add_evidence(conn, event_id, row, change)
        return Placed({**row, "id": event_id, "confirmed_at": None}, "alert")
    event_id = existing["id"]
    _add_evidence(conn, event_id, row, change)
    if change.origin != "news" and existing["confirmed_at"] is None:
        conn.execute(update(events).where(events.c.id == event_id).values(confirmed_at=now))
        return Placed({**existing, "confirmed_at": now}, "confirmed")
    return Placed(existing, "evidence")


def _same_event(
    conn: Connection, change: Change, now: datetime, watch: Watch, window: timedelta
) -> dict[str, Any] | None:
    """The stored event ``change`` repeats: for a registry change, only news events."""
    query = select(events).where(
        events.c.change == change.change, events.c.detected_at >= now - 2 * window
    )
    if change.origin != "news":
        query = query.where(events.c.origin == "news")
    mine = facts(change, now)
    for found in conn.execute(query.order_by(events.c.id)).mappings():
        theirs = Facts(
            found["change"],
            found["person"],
            found["company"],
            found["effective_date"],
            found["detected_at"].date(),
        )
        if same_change(mine, theirs, watch, window):
            return dict(found)
    return None


def _add_evidence(conn: Connection, event_id: int, row: dict[str, Any], change: Change) -> None:
    url = change.url or row["url"]
    if change.origin == "news" and url:
        duplicate = and_(event_evidence.c.event_id == event_id, event_evidence.c.url == url)
        if conn.execute(select(event_evidence.c.id).where(duplicate)).first() is not None:
            return  # the same article read again
    conn.execute(
        insert(event_evidence),
        {
            "event_id": event_id,
            "origin": change.origin,
            "source_name": row["source_name"],
            "url": url,
            "title": change.title,
            "evidence": change.evidence,
            "published_date": change.published_date,
            "confidence": change.confidence,
            "added_at": row["detected_at"],
        },
    )


def evidence_items(conn: Connection, event_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Each event's evidence, oldest first, as JSON-ready dicts."""
    found: dict[int, list[dict[str, Any]]] = {}
    for start in range(0, len(event_ids), 500):
        chunk = list(event_ids[start : start + 500])
        query = (
            select(event_evidence)
            .where(event_evidence.c.event_id.in_(chunk))
            .order_by(event_evidence.c.id)
        )
        for item in conn.execute(query).mappings():
            found.setdefault(item["event_id"], []).append(_item(item))
    return found


def _item(row: Any) -> dict[str, Any]:
    return {
        "origin": row["origin"],
        "source": row["source_name"],
        "url": row["url"],
        "title": row["title"] or None,
        "evidence": row["evidence"],
        "published_date": row["published_date"],
        "confidence": row["confidence"],
        "added_at": row["added_at"].isoformat(timespec="seconds") + "Z",
    }


# ---------------------------------------------------------------- read entries


def seen_keys(conn: Connection, source_id: int) -> frozenset[str]:
    query = select(news_seen.c.key).where(news_seen.c.source_id == source_id)
    return frozenset(conn.execute(query).scalars())


def mark_seen(conn: Connection, source_id: int, keys: Iterable[str], now: datetime) -> None:
    """Remember entries as read (already remembered ones are left alone)."""
    wanted = {k for k in keys if k}
    if not wanted:
        return
    known = conn.execute(
        select(news_seen.c.key).where(
            news_seen.c.source_id == source_id, news_seen.c.key.in_(wanted)
        )
    ).scalars()
    new = wanted - set(known)
    if new:
        conn.execute(
            insert(news_seen),
            [
                {"source_id": source_id, "key": k, "seen_at": now, "listed_at": now}
                for k in sorted(new)
            ],
        )


def refresh_listed(conn: Connection, source_id: int, listed: Sequence[str], now: datetime) -> int:
    """Note that the listing shows ``listed`` now; forget entries it has not shown for
    ``FORGET_AFTER``. Returns how many were forgotten."""
    keys = sorted({k for k in listed if k})
    mine = news_seen.c.source_id == source_id
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        conn.execute(update(news_seen).where(mine, news_seen.c.key.in_(part)).values(listed_at=now))
    gone = conn.execute(delete(news_seen).where(mine, news_seen.c.listed_at < now - FORGET_AFTER))
    return int(gone.rowcount or 0)
