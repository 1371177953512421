"""``monitor notify-test [CHANNEL]`` and ``monitor deliver``."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from monitor.clicontext import Context
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
    _deliveries_commands(main)

    @main.command(name="notify-test")
    @click.argument("channel", required=False)
    @click.option("--json", "as_json", is_flag=True, help="One JSON object per channel.")
    @click.pass_obj
    def notify_test(obj: Context, channel: str | None, as_json: bool) -> None:
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
            if as_json:  # JSON Lines: one object per channel
                for item in results:
                    line = json.dumps(_probe_json(*item), ensure_ascii=False)
                    click.echo(redact_text(line, loaded.secrets))
            else:
                for name, display, result in results:
                    _print_probe(name, display, result, loaded.secrets)
            if any(r.verdict != "sent" for _, _, r in results):
                sys.exit(1)

    @main.command()
    @click.option(
        "--all", "everything", is_flag=True, help="Also send rows waiting for a retry or digest."
    )
    @click.option("--json", "as_json", is_flag=True, help="One JSON object.")
    @click.pass_obj
    def deliver(obj: Context, everything: bool, as_json: bool) -> None:
        """Send due alerts from the outbox, then exit (status 1 if a delivery failed)."""
        with _user_errors():
            loaded: Loaded = obj.loaded
            store = Store(loaded.config.state)
            try:
                report = asyncio.run(deliver_due(store, loaded, everything=everything))
            finally:
                store.close()
            if as_json:
                text = json.dumps(_report_json(report), ensure_ascii=False)
                click.echo(redact_text(text, loaded.secrets))
            else:
                print_report(report, loaded.secrets)
            if report.failed:
                sys.exit(1)


def _deliveries_commands(main: click.Group) -> None:
    """``monitor deliveries [--json] [--status S]`` and ``monitor deliveries retry ID``."""
    from monitor import output
    from monitor.clicontext import GlobalOptionsGroup
    from monitor.notify.outbox import STATUSES, listing, retry
    from monitor.store import utcnow

    @main.group(cls=GlobalOptionsGroup, invoke_without_command=True)
    @click.option("--json", "as_json", is_flag=True, help="One JSON object per delivery.")
    @click.option(
        "--status",
        type=click.Choice(STATUSES),
        help="Only deliveries in this state (failed: waiting for a retry after an error).",
    )
    @click.pass_context
    def deliveries(ctx: click.Context, as_json: bool, status: str | None) -> None:
        """The alert outbox, newest first: what was sent, what waits, what is dead."""
        if ctx.invoked_subcommand is not None:
            return
        with _user_errors():
            loaded: Loaded = ctx.obj.loaded
            store = Store(loaded.config.state)
            try:
                rows = listing(store.engine, status=status)
            finally:
                store.close()
            for row in rows:
                row["last_error"] = redact_text(row["last_error"] or "", loaded.secrets) or None
            if as_json:
                output.echo_json_lines(rows)
                return
            if not rows:
                click.echo("no deliveries match", err=True)
                return
            headers = ("id", "event", "channel", "status", "attempts", "next try", "last error")
            table = [
                (
                    str(r["id"]),
                    f"#{r['event_id']}" if r["event_id"] else r["kind"],
                    r["channel"],
                    r["status"],
                    str(r["attempts"]),
                    r["next_attempt_at"] or "-",
                    r["last_error"] or "-",
                )
                for r in rows
            ]
            output.echo_status_table(headers, table, 3, {"dead": "red", "sent": "green"})

    @deliveries.command(name="retry")
    @click.argument("delivery_id", metavar="ID", type=click.IntRange(1, 2**63 - 1))
    @click.pass_obj
    def retry_command(obj: Context, delivery_id: int) -> None:
        """Send delivery ID again: a dead one gets a fresh set of attempts."""
        with _user_errors():
            loaded: Loaded = obj.loaded
            store = Store(loaded.config.state)
            try:
                was = retry(store.engine, delivery_id, utcnow())
            except LookupError:
                raise NotifyError(f"no delivery {delivery_id} (see `monitor deliveries`)") from None
            except ValueError as exc:
                raise NotifyError(f"delivery {delivery_id} is {exc}: nothing to retry") from None
            finally:
                store.close()
            click.echo(
                f"delivery {delivery_id} ({was}) is queued; `monitor deliver` sends it now, "
                "a running `monitor run` at its next sweep"
            )
