"""Alerts to the operator about the monitor itself: a source went unhealthy, or recovered.

Whether to alert is decided from the failure count before and after a check,
which the store keeps, so a restart neither repeats nor forgets an alert.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import Literal

from monitor.notify.channels import Channels, send
from monitor.notify.messages import Format, Message, md_escape

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
    body = alert.body()
    if fmt == "html":
        body = "<p>" + html.escape(body).replace("\n", "<br/>") + "</p>"
    elif fmt == "markdown":
        body = md_escape(body)
    return Message(title=alert.title, body=body, format=fmt)


async def notify_operator(alert: OperatorAlert, names: list[str], channels: Channels) -> int:
    """Send to every operator channel; return how many confirmed. Never raises."""
    sent = 0
    for name in names:
        built = channels.get(name)
        result = await send(built, render(alert, built.format))
        if result.verdict == "sent":
            sent += 1
        else:
            log.warning("operator alert to %s failed: %s", name, result.error or result.status)
    log.warning("%s", alert.title)
    return sent
