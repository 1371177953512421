"""Alerts that are never lost: routing, a durable outbox, apprise delivery, digests.

``install`` hooks the outbox into a Store, so each event's delivery rows are
written in the transaction that stores the event; ``deliver_due`` sends what
is due and records apprise's verdict.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from monitor.config import Loaded
from monitor.notify.channels import Channels
from monitor.notify.deliver import DeliveryReport, deliver_due
from monitor.notify.outbox import enqueue, summary
from monitor.store import EventRecord, Store, utcnow

__all__ = ["Channels", "DeliveryReport", "deliver_due", "install"]


class OutboxHook:
    """The store hook that writes delivery rows next to new events."""

    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded

    def __call__(self, conn: Connection, records: Sequence[EventRecord]) -> None:
        enqueue(conn, records, self.loaded.config, utcnow())


def install(store: Store, loaded: Loaded) -> None:
    """Queue alerts for every event the store saves; add deliveries to `monitor status`."""
    if not any(isinstance(hook, OutboxHook) for hook in store.event_hooks):
        store.event_hooks.append(OutboxHook(loaded))
    from monitor.cli import STATUS_SECTIONS

    STATUS_SECTIONS["deliveries"] = lambda s: summary(s.engine)
