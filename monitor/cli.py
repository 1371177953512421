"""The ``monitor`` command line."""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

import click

from monitor import __version__
from monitor.check import Checker, CycleReport, build_sources, make_fetcher
from monitor.clicontext import Context, GlobalOptionsGroup, handle_errors
from monitor.config import DEFAULT_CONFIG
from monitor.errors import MonitorError
from monitor.fieldtypes import format_duration
from monitor.redact import redact_key, redact_text, redact_url
from monitor.store import EventRecord, Store, utcnow

if TYPE_CHECKING:
    from monitor.notify.deliver import DeliveryReport


class _Commands(GlobalOptionsGroup):
    """The core commands, plus commands other parts of the product register when first
    asked for, so `monitor check` does not import the daemon, the delivery CLI or the
    article extractor."""

    PLUGINS: ClassVar[dict[str, str]] = {
        "deliver": "monitor.notify.cli",
        "deliveries": "monitor.notify.cli",
        "notify-test": "monitor.notify.cli",
        "run": "monitor.daemon.cli",
        "health": "monitor.daemon.cli",
        "extract": "monitor.news.cli",
        "worker": "monitor.worker.cli",
        "web": "monitor.web.cli",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.PLUGINS})

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)  # the shell's convention for Ctrl-C

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.PLUGINS:
            importlib.import_module(self.PLUGINS[cmd_name]).register(self)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-c",
    "--config",
    "config_path",
    envvar="MONITOR_CONFIG",
    default=DEFAULT_CONFIG,
    show_default=True,
    help="Watch-list file (env MONITOR_CONFIG).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(__version__, "-V", "--version", prog_name="monitor")
@click.pass_context
def main(ctx: click.Context, config_path: str, verbose: int) -> None:
    """Watch company registries and alert when watched people join or leave.

    -c and -v may come before or after the command.
    """
    ctx.obj = Context(config_path, verbose)


@main.command()
@click.pass_obj
@handle_errors
def validate(obj: Context) -> None:
    """Check the watch list and print a short summary."""
    from monitor.config import ConfigErrors
    from monitor.notify.channels import audit

    loaded = obj.loaded
    config = loaded.config
    findings = audit(config, loaded.secrets)
    errors = [loaded.error(f.path, f.message, hint=f.hint) for f in findings if f.error]
    if errors:
        raise ConfigErrors(errors)
    for finding in findings:
        warning = loaded.error(finding.path, finding.message, hint=finding.hint)
        click.echo(f"warning: {redact_text(str(warning), loaded.secrets)}", err=True)
    sources = [(e.name, s) for e in config.entries for s in e.sources]
    if not sources and not config.news:
        click.echo(
            f"warning: {loaded.file} watches nothing: add `companies:` or `people:` with "
            "`sources:`, or `news:` (see config/example.yaml)",
            err=True,
        )
    click.echo(f"{loaded.file}: OK" if sources or config.news else f"{loaded.file}: valid, empty")
    click.echo(f"  state:     {redact_url(config.state, loaded.secrets)}")
    click.echo(f"  people:    {len(config.people)}")
    click.echo(f"  companies: {len(config.companies)}")
    click.echo(f"  sources:   {len(sources)} registry, {len(config.news)} news")
    for entity, spec in sources:
        interval = format_duration(spec.interval or config.defaults.interval)
        inactive = "" if type(spec).active else "  (not active in this version)"
        click.echo(f"    - {entity}: {spec.kind} every {interval}{inactive}")
    for spec in config.news:
        inactive = "" if type(spec).active else "  (not active in this version)"
        click.echo(f"    - news {spec.name or spec.locator()}: {spec.kind}{inactive}")
    click.echo(f"  channels:  {len(config.channels)}")
    for name in config.channels:
        click.echo(f"    - {name}: {redact_url(config.channel(name).url, loaded.secrets)}")


@main.command()
@click.option("--all", "everything", is_flag=True, help="Check every source, due or not.")
@click.option("--json", "as_json", is_flag=True, help="Print the new events as JSON Lines.")
@click.pass_obj
@handle_errors
def check(obj: Context, everything: bool, as_json: bool) -> None:
    """Run one cycle over the due sources, then exit (status 1 if a source failed)."""
    from monitor import output

    loaded = obj.loaded
    if not build_sources(loaded.config):
        click.echo(f"warning: {loaded.file} has no active sources: nothing to check", err=True)
    report, records, delivery = asyncio.run(_check(obj, everything))
    colour = output.colour_enabled(sys.stderr)
    for result in report.results:
        out = result.outcome
        if out.failed:
            label = output.paint("FAILED", "red", colour)
            error = redact_text(out.error or "", loaded.secrets)
            click.echo(
                f"{label}  {redact_key(result.source.key, loaded.secrets)}: {error}", err=True
            )
        elif out.status == "suspect":
            label = output.paint("HELD", "yellow", colour)
            click.echo(
                f"{label}    {redact_key(result.source.key, loaded.secrets)}: {out.reason}"
                " (no events; source unhealthy)",
                err=True,
            )
    new = [r for r in records if r.notice == "alert"]
    followups = [r for r in records if r.notice != "alert"]
    if as_json:
        output.echo_json_lines(output.event_json(r) for r in new)
    else:
        if new:
            for line in output.event_table(new, enabled=output.colour_enabled()):
                click.echo(line)
        for record in followups:
            what = "confirmed by" if record.notice == "confirmed" else "new evidence from"
            change = output.CHANGE_WORDS.get(record.change, record.change)
            click.echo(
                f"#{record.id} {record.person} {change} {record.company}"
                f"  ({what} {record.extra.get('by', 'another source')})"
            )
        click.echo(
            f"checked {len(report.results)} source(s): {len(new)} change(s), "
            f"{len(report.failures)} failed, "
            + (f"{len(report.held)} held, " if report.held else "")
            + f"{report.parsed} parsed"
            + (f", {len(followups)} confirmation(s) of earlier events" if followups else "")
        )
    if delivery.claimed and not as_json:
        from monitor.notify.cli import print_report

        print_report(delivery, loaded.secrets)
    if report.failures or report.held or delivery.retrying or delivery.dead:
        sys.exit(1)


async def _check(
    obj: Context, everything: bool
) -> tuple[CycleReport, list[EventRecord], DeliveryReport]:
    """Poll the due sources, then deliver the alerts that are due (new and retried).

    The new events are read back from the store, so they carry every field (the evidence
    items too) that `monitor events` shows for them.
    """
    from dataclasses import replace

    from monitor.daemon.operator import OperatorHook
    from monitor.notify.deliver import deliver_due
    from monitor.progress import Progress, ticking

    config = obj.loaded.config
    store = obj.store()
    # "Source unhealthy" / "recovered" as the daemon sends them: cron users of `check` hear too.
    store.health_hooks.append(
        OperatorHook(config.defaults.operator_notify, config.defaults.unhealthy_after)
    )
    checker = Checker(config, store, make_fetcher(config))
    try:
        sources = build_sources(config)
        # Rows the watch list no longer has are retired, not shown as ghosts by `status`.
        await asyncio.to_thread(store.retire_others, [s.key for s in sources], utcnow())
        async with ticking(Progress("checking")) as progress:
            report = await checker.run_cycle(sources, everything=everything, listener=progress)
        made = report.events
        stored = {e.id: e for e in store.events(ids=[r.id for r in made])} if made else {}
        records = [replace(stored.get(r.id, r), extra=r.extra) for r in made]
        return report, records, await deliver_due(store, obj.loaded)
    finally:
        await checker.fetcher.aclose()
        checker.close()
        store.close()


@main.command()
@click.option("--company", help="Only sources of this company.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source (JSON Lines).")
@click.pass_obj
@handle_errors
def preview(obj: Context, company: str | None, as_json: bool) -> None:
    """Fetch and extract without storing anything: what would the monitor see?

    Exit status 1 if a source could not be fetched or read.
    """
    from monitor import output
    from monitor.identity import same_company

    config = obj.loaded.config
    sources = [
        s for s in build_sources(config) if company is None or same_company(s.entity, company)
    ]
    if not sources:
        raise MonitorError(f"no active source matches company {company!r}")
    secrets = obj.loaded.secrets
    results = [
        {
            **item,
            "source": redact_key(item["source"], secrets),
            "url": redact_url(item["url"], secrets) if item["url"] else "",
            "error": redact_text(item["error"], secrets) if item["error"] else None,
        }
        for item in asyncio.run(_preview(config, sources))
    ]
    if as_json:
        output.echo_json_lines(results)
    else:
        _print_preview(results)
    if any(item["error"] for item in results):
        sys.exit(1)


def _print_preview(results: list[dict[str, Any]]) -> None:
    from monitor import output

    colour = output.colour_enabled()
    for n, item in enumerate(results):
        where = (
            item["source"] if item["url"] in item["source"] else f"{item['source']} ({item['url']})"
        )
        click.echo(("\n" if n else "") + output.paint(where, None, colour, bold=True))
        if item["error"]:
            label = output.paint("FAILED", "red", output.colour_enabled(sys.stderr))
            click.echo(f"{label}  {item['source']}: {item['error']}", err=True)
            continue
        rows = [
            (o["name"], ", ".join(o["roles"]) or "-", o["appointed"] or "-", o["resigned"] or "-")
            for o in item["officers"]
        ]
        headers = ("name", "role", "appointed", "resigned")
        for line in output.table(headers, rows, enabled=colour):
            click.echo(f"  {line}")
        click.echo(f"  {len(rows)} officer row(s)")


async def _preview(config: Any, sources: Sequence[Any]) -> list[dict[str, Any]]:
    from monitor.progress import Progress, ticking
    from monitor.sources.base import FetchState, NotModified

    async with make_fetcher(config) as fetcher, ticking(Progress("fetching")) as progress:
        progress.start(len(sources))

        async def one(source: Any) -> dict[str, Any]:
            item: dict[str, Any] = {"source": source.key, "url": source.url, "error": None}
            try:
                observed = await source.observe(fetcher, FetchState())
            except MonitorError as exc:
                progress.advance(failed=True)
                return {**item, "error": str(exc), "officers": []}
            assert not isinstance(observed, NotModified)
            item["officers"] = [o.to_json() for o in observed.extraction.officers]
            progress.advance()
            return item

        return list(await asyncio.gather(*(one(s) for s in sources)))


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    from monitor.fieldtypes import parse_duration
    from monitor.store import utcnow

    try:
        return utcnow() - parse_duration(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: give a date (2026-03-31) or a duration back from now (7d)"
        ) from None


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per event (JSON Lines).")
@click.option("--person", help="Only this person (matched through names and aliases).")
@click.option("--company", help="Only this company (matched through names and aliases).")
@click.option("--since", help="Only events detected since a date (2026-03-31) or duration (7d).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many events.")
@click.pass_obj
@handle_errors
def events(
    obj: Context,
    as_json: bool,
    person: str | None,
    company: str | None,
    since: str | None,
    limit: int | None,
) -> None:
    """Stored events, newest first."""
    from monitor.query import filter_events

    config = obj.read_only().config
    store = obj.store()
    try:
        found = store.events(since=_parse_since(since))
    finally:
        store.close()
    found = filter_events(found, config, person=person, company=company)
    if limit is not None:
        found = found[:limit]
    _print_events(found, as_json, table="events")


def _print_events(found: Sequence[EventRecord], as_json: bool, *, table: str) -> None:
    """JSON Lines (nothing for none), or a labelled table (a note on stderr for none)."""
    from monitor import output

    if as_json:
        output.echo_json_lines(output.event_json(r) for r in found)
        return
    if not found:
        click.echo("no events match", err=True)
        return
    render = output.event_table if table == "events" else output.timeline_table
    for line in render(found, enabled=output.colour_enabled()):
        click.echo(line)


@main.command(name="timeline")
@click.argument("person")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per event (JSON Lines).")
@click.pass_obj
@handle_errors
def timeline_command(obj: Context, person: str, as_json: bool) -> None:
    """One person's appointments and departures across every company, oldest first."""
    from monitor.query import timeline

    config = obj.read_only().config
    store = obj.store()
    try:
        found = timeline(store.events(newest_first=False), config, person)
    finally:
        store.close()
    if found and not as_json:
        click.echo(f"Timeline of {person}:")
    _print_events(found, as_json, table="timeline")


@main.command(name="sources")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
@click.pass_obj
@handle_errors
def sources_command(obj: Context, as_json: bool) -> None:
    """Every active source in the watch list: kind, schedule, health, next check."""
    from monitor import output

    config = obj.loaded.config
    built = build_sources(config)
    store = obj.store()
    try:
        rows = {row.key: row for row in store.source_rows()}
    finally:
        store.close()
    secrets = obj.loaded.secrets
    items = [_shown(_source_item(s, rows.get(s.key), config), secrets) for s in built]
    if as_json:
        output.echo_json_lines(items)
        return
    if not items:
        click.echo(f"{obj.loaded.file} has no active sources", err=True)
        return
    headers = ("entity", "kind", "every", "health", "next check (UTC)", "url")
    table = [
        (
            i["entity"],
            i["kind"],
            i["interval"],
            "never checked" if i["healthy"] is None else "ok" if i["healthy"] else "UNHEALTHY",
            (i["next_check_at"] or "-").replace("T", " ").removesuffix("Z"),
            i["url"] or i["key"],
        )
        for i in items
    ]
    output.echo_status_table(headers, table, 3, {"ok": "green", "UNHEALTHY": "red"})


def _source_item(source: Any, row: Any, config: Any) -> dict[str, Any]:
    checked = row is not None and row.last_checked_at is not None
    return {
        "key": source.key,
        "kind": source.spec.kind,
        "entity": source.entity,
        "url": source.url,
        "interval": format_duration(source.interval(config.defaults.interval)),
        "healthy": row.healthy if checked else None,
        "last_success_at": _iso(row.last_success_at) if row else None,
        "next_check_at": _iso(row.next_check_at) if checked else None,
        "last_error": row.last_error if row else None,
    }


@main.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script: eval "$(monitor completion bash)"."""
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None
    click.echo(cls(main, {}, "monitor", "_MONITOR_COMPLETE").source())


@main.command()
@click.option(
    "--speed",
    type=click.FloatRange(min=1, max=10),
    default=1.0,
    show_default=True,
    help="Replay this many times faster.",
)
@handle_errors
def demo(speed: float) -> None:
    """Replay the Lei Jun story offline against a simulated registry (under a minute)."""
    from monitor.demo.run import run_demo

    sys.exit(asyncio.run(run_demo(lambda text: click.echo(text, nl=False), speed)))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@click.pass_obj
@handle_errors
def status(obj: Context, as_json: bool) -> None:
    """Health of every source: last success, last error, failures, next check."""
    obj.read_only()
    store = obj.store()
    try:
        rows = store.source_rows()
        extra = {name: probe(store) for name, probe in STATUS_SECTIONS.items()}
    finally:
        store.close()
    sources = [_shown(_source_status(r), obj.loaded.secrets) for r in rows]
    if as_json:
        from monitor.output import json_line

        click.echo(json_line({"sources": sources, **extra}))
        return
    for item in sources:
        health = "ok" if item["healthy"] else f"UNHEALTHY ({item['health_reason']})"
        if item["held_since"]:
            health += f"; held since {item['held_since']}"
        click.echo(f"{item['key']}")
        click.echo(
            f"  {health}; last success {item['last_success_at'] or 'never'}; "
            f"failures in a row {item['consecutive_failures']}; next check {item['next_check_at']}"
        )
        if item["last_error"]:
            click.echo(f"  last error: {item['last_error']}")
    for name, value in extra.items():
        for line in _section_lines(name, value):
            click.echo(line)


def _section_lines(name: str, value: Any) -> list[str]:
    """A status section in words: its counts on one line, then one line per listed item."""
    if isinstance(value, list):
        items = [_fields(i) if isinstance(i, dict) else str(i) for i in value]
        return [f"{name}: {len(items)}", *(f"  - {text}" for text in items)]
    if not isinstance(value, dict):
        return [f"{name}: {value}"]
    counts = [f"{v} {k}" for k, v in value.items() if not isinstance(v, list | dict)]
    lines = [f"{name}: {', '.join(counts)}" if counts else f"{name}:"]
    for key, items in value.items():
        if isinstance(items, list):
            for item in items:
                text = item if not isinstance(item, dict) else _fields(item)
                lines.append(f"  {key}: {text}")
    return lines


def _fields(item: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in item.items() if v is not None and v != "")


def _deliveries(store: Store) -> Any:
    from monitor.notify.outbox import summary

    return summary(store.engine)


# More sections of `monitor status`, after the sources.
STATUS_SECTIONS: dict[str, Callable[[Store], Any]] = {"deliveries": _deliveries}


def _processes(store: Store) -> Any:
    """The `monitor run` or `monitor worker` processes on this database, with their heartbeat."""
    from monitor.store.guard import summary

    return summary(store.engine)


STATUS_SECTIONS["processes"] = _processes


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def _shown(item: dict[str, Any], secrets: frozenset[str]) -> dict[str, Any]:
    """A source's fields as printed: credentials and `${VAR}` values masked."""
    shown = {**item, "key": redact_key(item["key"], secrets)}
    if item.get("url"):
        shown["url"] = redact_url(item["url"], secrets)
    for name in ("last_error", "health_reason"):
        if item.get(name):
            shown[name] = redact_text(item[name], secrets)
    return shown


def _source_status(row: Any) -> dict[str, Any]:
    return {
        "key": row.key,
        "kind": row.kind,
        "entity": row.entity,
        "url": row.url,
        "healthy": row.healthy,
        "health_reason": row.health_reason,
        "last_checked_at": _iso(row.last_checked_at),
        "last_success_at": _iso(row.last_success_at),
        "last_error": row.last_error,
        "consecutive_failures": row.consecutive_failures,
        "next_check_at": _iso(row.next_check_at),
        "held_since": _iso(row.held_since),
    }
