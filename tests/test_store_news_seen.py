"""What a news source has read is remembered while its listing shows it, and forgotten a
month after the listing stopped showing it, so the table does not grow for ever."""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor.store import CheckOutcome, SourceRecord, Store
from monitor.store.news import FORGET_AFTER

DAY0 = datetime(2026, 1, 1, 9, 0)


def feed(store: Store) -> int:
    record = SourceRecord(
        key="news · feed",
        kind="feed",
        entity="news",
        url="https://n.example/feed",
        interval_s=900,
    )
    return store.sync_sources([record], DAY0)[record.key].id


def listing(source_id: int, day: int, *keys: str) -> CheckOutcome:
    at = DAY0 + timedelta(days=day)
    return CheckOutcome(
        source_id=source_id,
        source_name="news · feed",
        checked_at=at,
        next_check_at=at + timedelta(minutes=15),
        status="unchanged",
        parsed=True,
        listed=keys,
    )


def test_entries_are_forgotten_a_month_after_the_listing_dropped_them(db_url: str) -> None:
    store = Store(db_url)
    source = feed(store)
    store.mark_news_seen(source, ["a", "b", "c"], DAY0)
    store.save([listing(source, 0, "a", "b", "c")])
    store.save([listing(source, 20, "a", "b")])  # c dropped off the feed
    assert store.news_seen(source) == {"a", "b", "c"}
    store.save([listing(source, FORGET_AFTER.days + 1, "a")])
    # c was last listed a month and a day ago; b eleven days ago
    assert store.news_seen(source) == {"a", "b"}
    store.close()


def test_a_listing_that_shows_nothing_forgets_only_what_was_long_gone(db_url: str) -> None:
    """An error page served as a feed lists nothing; what the feed showed yesterday stays."""
    store = Store(db_url)
    source = feed(store)
    store.mark_news_seen(source, ["a"], DAY0)
    store.save([listing(source, 0, "a")])
    store.save([listing(source, 1)])
    assert store.news_seen(source) == {"a"}
    store.close()


def test_an_unchanged_listing_forgets_nothing(db_url: str) -> None:
    """A 304 shows no listing at all: nothing is touched and nothing forgotten."""
    store = Store(db_url)
    source = feed(store)
    store.mark_news_seen(source, ["a"], DAY0)
    quiet = listing(source, 90)
    store.save([CheckOutcome(**{**quiet.__dict__, "listed": None, "parsed": False})])
    assert store.news_seen(source) == {"a"}
    store.close()
