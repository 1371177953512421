"""Persistent state: sources, reference snapshots and events (SQLite or PostgreSQL)."""

from monitor.store.store import (
    CheckOutcome,
    EventRecord,
    HealthStep,
    SourceRecord,
    SourceRow,
    Store,
    utcnow,
)

__all__ = [
    "CheckOutcome",
    "EventRecord",
    "HealthStep",
    "SourceRecord",
    "SourceRow",
    "Store",
    "utcnow",
]
