"""Persistent state: sources, reference snapshots and events (SQLite or PostgreSQL)."""

from monitor.store.store import CheckOutcome, EventRecord, SourceRecord, SourceRow, Store, utcnow

__all__ = ["CheckOutcome", "EventRecord", "SourceRecord", "SourceRow", "Store", "utcnow"]
