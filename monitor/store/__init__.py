"""Persistent state: sources, reference snapshots and events (SQLite or PostgreSQL)."""

from monitor.store.store import (
    CheckOutcome,
    Clock,
    EventRecord,
    SourceRecord,
    SourceRow,
    Store,
    utcnow,
)

__all__ = ["CheckOutcome", "Clock", "EventRecord", "SourceRecord", "SourceRow", "Store", "utcnow"]
