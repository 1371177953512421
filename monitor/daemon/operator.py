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

from monitor.check import CheckResult
from monitor.diff import LAYOUT_CHANGED
from monitor.notify.messages import Format, Message, render_notice
from monitor.store import Store, utcnow

log = logging.getLogger("monitor.daemon")

Transition = Literal["unhealthy", "recovered"]


def transition(
    before: int, failed: bool, threshold: int, *, urgent: bool = False, told: bool = False
) -> Transition | None:
    """``unhealthy`` on the check that makes ``threshold`` failures in a row, or at once
    when ``urgent`` (a page whose layout changed will not mend itself); ``told`` says
    the operator already heard about this run of failures. ``recovered`` on the first
    success after an ``unhealthy``."""
    told = told or before >= threshold
    if failed and not told and (before + 1 == threshold or urgent):
        return "unhealthy"
    if not failed and told:
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
        if self.kind == "unhealthy" and self.error and self.error.startswith(LAYOUT_CHANGED):
            return f"monitor: source unhealthy, {LAYOUT_CHANGED}: {self.source}"
        if self.kind == "unhealthy":
            return f"monitor: source unhealthy after {self.failures} failed checks: {self.source}"
        return f"monitor: source recovered: {self.source}"

    def body(self) -> str:
        if self.kind == "unhealthy":
            return (
                f"The source {self.source} ({self.url}) failed or was held back "
                f"{self.failures} check(s) in a row.\n"
                f"Last error: {self.error or '-'}\n"
                "No officer changes are seen from it until it works again; "
                "`monitor status` shows every source's health."
            )
        return f"The source {self.source} ({self.url}) works again after {self.failures} failures."


def alert_for(result: CheckResult, threshold: int) -> OperatorAlert | None:
    """The operator alert one check earns, from the failures in a row before it.

    A held check (an answer not trusted) counts as a failure: a source that shows a
    maintenance page for days is as blind as one that does not answer.
    """
    out = result.outcome
    failed = out.counts_as_failure
    why = out.error or out.reason
    urgent = _layout(why)
    told = bool(result.failures_before and _layout(result.reason_before))
    kind = transition(result.failures_before, failed, threshold, urgent=urgent, told=told)
    if kind is None:
        return None
    failures = result.failures_before + 1 if failed else result.failures_before
    return OperatorAlert(kind, result.source.key, result.source.url, failures, why)


def _layout(reason: str | None) -> bool:
    return bool(reason and reason.startswith(LAYOUT_CHANGED))


def render(alert: OperatorAlert, fmt: Format) -> Message:
    return render_notice(alert.title, alert.body(), fmt)


def queue_operator(store: Store, alerts: Sequence[OperatorAlert], channels: Sequence[str]) -> int:
    """Put the alerts in the outbox for each operator channel; return the rows written."""
    from monitor.notify.outbox import enqueue_operator

    def write(conn: Connection) -> int:
        now = utcnow()
        return sum(enqueue_operator(conn, a.title, a.body(), channels, now) for a in alerts)

    return store.write(write)
