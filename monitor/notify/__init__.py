"""Alerts that are never lost: routing, a durable outbox, apprise delivery, digests.

``install`` hooks the outbox into a Store, so each event's delivery rows are
written in the transaction that stores the event; ``deliver_due`` sends what
is due and records apprise's verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from monitor.config import Loaded
from monitor.store import EventRecord, Store, utcnow

if TYPE_CHECKING:
    from monitor.notify.channels import Channels
    from monitor.notify.deliver import DeliveryReport


def __getattr__(name: str) -> Any:
    """Delivery pulls in apprise (slow to import): load it only when it is used."""
    if name in ("deliver_due", "DeliveryReport"):
        from monitor.notify import deliver

        return getattr(deliver, name)
    if name == "Channels":
        from monitor.notify.channels import Channels

        return Channels
    raise AttributeError(name)


__all__ = ["Channels", "DeliveryReport", "deliver_due", "install"]


class OutboxHook:
    """The store hook that writes delivery rows next to new events."""

    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded

    def __call__(self, conn: Connection, records: Sequence[EventRecord]) -> None:
        from monitor.notify.outbox import enqueue

        enqueue(conn, records, self.loaded.config, utcnow())


def install(store: Store, loaded: Loaded) -> None:
    """Queue alerts for every event the store saves."""
    if not any(isinstance(hook, OutboxHook) for hook in store.event_hooks):
        store.event_hooks.append(OutboxHook(loaded))
