"""Persistent state: sources, reference snapshots and events (SQLite or PostgreSQL)."""

from monitor.store.store import (
    CheckOutcome,
    Clock,
    EventRecord,
    HealthStep,
    SourceRecord,
    SourceRow,
    Store,
    utcnow,
)

__all__ = [
    "CheckOutcome",
    "Clock",
    "EventRecord",
    "HealthStep",
    "SourceRecord",
    "SourceRow",
    "Store",
    "utcnow",
]
