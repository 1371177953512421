"""``monitor notify-test [CHANNEL]`` and ``monitor deliver``."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from monitor.config import Loaded
from monitor.errors import ConfigError, MonitorError, NotifyError
from monitor.notify.channels import Channels, SendResult, send
from monitor.notify.deliver import DeliveryReport, deliver_due
from monitor.notify.messages import probe_message
from monitor.redact import redact_text
from monitor.store import Store


@contextmanager
def _user_errors() -> Iterator[None]:
    try:
        yield
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except MonitorError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


def _probe(loaded: Loaded, names: list[str]) -> list[tuple[str, str, SendResult]]:
    channels = Channels(loaded.config, loaded.secrets)

    async def one(name: str) -> tuple[str, str, SendResult]:
        built = channels.get(name)
        return name, built.display, await send(built, probe_message(name, built.format))

    async def run() -> list[tuple[str, str, SendResult]]:
        return list(await asyncio.gather(*(one(n) for n in names)))

    return asyncio.run(run())


def _probe_json(name: str, display: str, result: SendResult) -> dict[str, Any]:
    return {
        "channel": name,
        "url": display,
        "status": result.status,
        "delivered": result.verdict == "sent",
        "error": result.error,
        "services": [{"name": s.name, "url": s.url, "status": s.status} for s in result.services],
    }


def _print_probe(name: str, display: str, result: SendResult, secrets: frozenset[str]) -> None:
    verdict = "OK" if result.verdict == "sent" else "FAILED"
    click.echo(f"{verdict:<7}{name} ({display}): {result.status}")
    for service in result.services:
        click.echo(f"         {service.name:<12} {service.url}  {service.status}")
    if result.error:
        click.echo(f"         {redact_text(result.error, secrets)}", err=result.verdict != "sent")


def _report_json(report: DeliveryReport) -> dict[str, Any]:
    return {
        "claimed": report.claimed,
        "delivered": report.delivered,
        "messages": report.messages,
        "retrying": report.retrying,
        "dead": report.dead,
        "sends": [
            {
                "channel": s.planned.channel,
                "alerts": [r.event.id for r in s.planned.rows if r.event is not None],
                "operator": sum(1 for r in s.planned.rows if r.event is None),
                "status": s.result.status,
                "verdict": s.result.verdict,
                "error": s.result.error,
            }
            for s in report.sends
        ],
    }


def print_report(report: DeliveryReport, secrets: frozenset[str]) -> None:
    """The lines `monitor deliver` and `monitor check` print about delivery."""
    for sent in report.sends:
        if sent.result.verdict != "sent":
            label = "RETRY" if sent.result.verdict == "retry" else "DEAD"
            error = redact_text(sent.result.error or sent.result.status, secrets)
            click.echo(f"{label:<8}{sent.planned.channel}: {error}", err=True)
    click.echo(
        f"delivered {report.delivered} alert(s) in {report.messages} message(s); "
        f"{report.retrying} to retry, {report.dead} dead"
    )


def _warn_dropped(loaded: Loaded, names: list[str]) -> None:
    """A SUCCESS that sent less than the URL says must not pass unnoticed."""
    from monitor.notify.channels import audit

    for finding in audit(loaded.config, loaded.secrets):
        if not finding.error and finding.path[1] in names:
            warning = loaded.error(finding.path, finding.message, hint=finding.hint)
            click.echo(f"warning: {redact_text(str(warning), loaded.secrets)}", err=True)


def register(main: click.Group) -> None:
    """Add the notification commands to the ``monitor`` command group."""

    @main.command(name="notify-test")
    @click.argument("channel", required=False)
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @click.pass_obj
    def notify_test(obj: Any, channel: str | None, as_json: bool) -> None:
        """Send a test message to CHANNEL (default: every channel); show apprise's result."""
        with _user_errors():
            loaded: Loaded = obj.loaded
            known = list(loaded.config.channels)
            if channel is not None and channel not in known:
                raise NotifyError(
                    f"no channel {channel!r} in {loaded.file} (known: {', '.join(known) or 'none'})"
                )
            if not known:
                raise NotifyError(f"{loaded.file} defines no channels")
            names = [channel] if channel else known
            _warn_dropped(loaded, names)
            results = _probe(loaded, names)
            if as_json:
                payload = [_probe_json(*r) for r in results]
                click.echo(redact_text(json.dumps(payload, indent=2), loaded.secrets))
            else:
                for name, display, result in results:
                    _print_probe(name, display, result, loaded.secrets)
            if any(r.verdict != "sent" for _, _, r in results):
                sys.exit(1)

    @main.command()
    @click.option(
        "--all", "everything", is_flag=True, help="Also send rows waiting for a retry or digest."
    )
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @click.pass_obj
    def deliver(obj: Any, everything: bool, as_json: bool) -> None:
        """Send due alerts from the outbox, then exit (status 1 if a delivery failed)."""
        with _user_errors():
            loaded: Loaded = obj.loaded
            store = Store(loaded.config.state)
            try:
                report = asyncio.run(deliver_due(store, loaded, everything=everything))
            finally:
                store.close()
            if as_json:
                text = json.dumps(_report_json(report), ensure_ascii=False, indent=2)
                click.echo(redact_text(text, loaded.secrets))
            else:
                print_report(report, loaded.secrets)
            if report.failed:
                sys.exit(1)
