"""Alerts to the operator about the monitor itself: a source went unhealthy, or recovered.

Whether to alert is decided from the failure count before and after a check. The
alert goes into the outbox like any other, so a channel that is down gets it later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection

from monitor.diff import LAYOUT_CHANGED
from monitor.notify.messages import Format, Message, render_notice
from monitor.redact import redact_key, redact_url
from monitor.store import HealthStep, utcnow

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


def alert_for(step: HealthStep, threshold: int) -> OperatorAlert | None:
    """The operator alert one check earns, from the failures in a row before it. Pure.

    A held check (an answer not trusted) counts as a failure (``step.failed``): a
    source that shows a maintenance page for days is as blind as one that does not
    answer. A changed layout is told at once, and only once.
    """
    urgent = _layout(step.error)
    told = bool(step.failures_before and _layout(step.reason_before))
    kind = transition(step.failures_before, step.failed, threshold, urgent=urgent, told=told)
    if kind is None:
        return None
    failures = step.failures_before + (1 if step.failed else 0)
    # The alert goes to every channel and the log: a source's URL without its credentials.
    url = redact_url(step.url) if step.url else ""
    return OperatorAlert(kind, redact_key(step.source), url, failures, step.error)


def _layout(reason: str | None) -> bool:
    return bool(reason and reason.startswith(LAYOUT_CHANGED))


def render(alert: OperatorAlert, fmt: Format) -> Message:
    return render_notice(alert.title, alert.body(), fmt)


class OperatorHook:
    """The store's health hook: decide "unhealthy"/"recovered" from the failure counts the
    saving transaction reads, and queue the alerts in that same transaction, so a process
    killed after a check was saved cannot lose the alert that check earned."""

    def __init__(
        self,
        channels: Sequence[str],
        threshold: int,
        on_alert: Callable[[OperatorAlert], None] | None = None,
    ) -> None:
        self.channels = tuple(channels)
        self.threshold = threshold
        self.on_alert = on_alert

    def alerts(self, steps: Sequence[HealthStep]) -> list[OperatorAlert]:
        """The alerts these checks earn. Pure."""
        return [a for step in steps if (a := alert_for(step, self.threshold)) is not None]

    def __call__(self, conn: Connection, steps: Sequence[HealthStep]) -> None:
        from monitor.notify.outbox import enqueue_operator

        alerts = self.alerts(steps)
        now = utcnow()
        for alert in alerts:
            enqueue_operator(conn, alert.title, alert.body(), self.channels, now)
        for alert in alerts:
            if self.on_alert is not None:
                self.on_alert(alert)
