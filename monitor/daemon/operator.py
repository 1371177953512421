"""Alerts to the operator about the monitor itself: a source went unhealthy, or recovered.

Whether to alert is decided from the failure count before and after a check. The
alert goes into the outbox like any other, so a channel that is down gets it later.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection

from monitor.notify.messages import Format, Message, render_notice
from monitor.store import Store, utcnow

log = logging.getLogger("monitor.daemon")

Transition = Literal["unhealthy", "recovered"]


def transition(before: int, failed: bool, threshold: int) -> Transition | None:
    """``unhealthy`` on the check that makes ``threshold`` failures in a row;
    ``recovered`` on the first success after that."""
    if failed and before + 1 == threshold:
        return "unhealthy"
    if not failed and before >= threshold:
        return "recovered"
    return None


@dataclass(frozen=True)
class OperatorAlert:
    kind: Transition
    source: str
    url: str
    failures: int
    error: str | None = None

    @property
    def title(self) -> str:
        if self.kind == "unhealthy":
            return f"monitor: source unhealthy after {self.failures} failed checks: {self.source}"
        return f"monitor: source recovered: {self.source}"

    def body(self) -> str:
        if self.kind == "unhealthy":
            return (
                f"The source {self.source} ({self.url}) failed {self.failures} checks in a row.\n"
                f"Last error: {self.error or '-'}\n"
                "No officer changes are seen from it until it works again; "
                "`monitor status` shows every source's health."
            )
        return f"The source {self.source} ({self.url}) works again after {self.failures} failures."


def render(alert: OperatorAlert, fmt: Format) -> Message:
    return render_notice(alert.title, alert.body(), fmt)


def queue_operator(store: Store, alerts: Sequence[OperatorAlert], channels: Sequence[str]) -> int:
    """Put the alerts in the outbox for each operator channel; return the rows written."""
    from monitor.notify.outbox import enqueue_operator

    def write(conn: Connection) -> int:
        now = utcnow()
        return sum(enqueue_operator(conn, a.title, a.body(), channels, now) for a in alerts)

    return store.write(write)
