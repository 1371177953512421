"""The sources table follows the watch list: new sources are due at once, a moved
source forgets the old address's validators, and other rows are left alone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from monitor.store import SourceRecord, Store
from monitor.store.tables import sources

NOW = datetime(2026, 11, 25, 8, 0)


def record(i: int, *, url: str | None = None, interval_s: int = 3600) -> SourceRecord:
    return SourceRecord(
        key=f"Company {i} · html",
        kind="html",
        entity=f"Company {i}",
        url=url or f"https://registry.example.com/c/{i}",
        interval_s=interval_s,
    )


def test_many_new_sources_are_added_once_and_due_now(db_url: str) -> None:
    store = Store(db_url)
    wanted = [record(i) for i in range(1234)]  # more keys than one query may bind
    first = store.sync_sources(wanted, NOW)
    again = store.sync_sources(wanted, NOW.replace(hour=9))
    assert len(first) == 1234 and set(first) == {r.key for r in wanted}
    assert all(row.next_check_at == NOW for row in first.values())
    assert {k: r.id for k, r in again.items()} == {k: r.id for k, r in first.items()}
    assert len(store.source_rows()) == 1234
    store.close()


def test_a_moved_source_forgets_its_validators_and_a_new_interval_keeps_them(
    db_url: str,
) -> None:
    store = Store(db_url)
    rows = store.sync_sources([record(1), record(2)], NOW)
    with store.engine.begin() as conn:
        conn.execute(
            update(sources).values(
                etag='"v1"',
                last_modified="Tue, 24 Nov 2026 10:00:00 GMT",
                content_hash="abc",
                last_success_at=NOW,
            )
        )
    after = store.sync_sources(
        [record(1, url="https://registry.example.com/moved/1"), record(2, interval_s=60)], NOW
    )
    moved, slower = after[record(1).key], after[record(2).key]
    assert (moved.url, moved.etag, moved.last_modified, moved.content_hash) == (
        "https://registry.example.com/moved/1",
        None,
        None,
        None,
    )
    assert moved.last_success_at is None  # a moved news feed starts with a baseline
    assert (slower.interval_s, slower.etag, slower.content_hash) == (60, '"v1"', "abc")
    assert slower.last_success_at == NOW
    assert moved.id == rows[record(1).key].id
    store.close()


def test_sources_missing_from_the_list_are_neither_returned_nor_changed(db_url: str) -> None:
    store = Store(db_url)
    store.sync_sources([record(1), record(2)], NOW)
    only = store.sync_sources([record(2)], NOW)
    assert list(only) == [record(2).key]
    assert {r.key for r in store.source_rows()} == {record(1).key, record(2).key}
    store.close()
