"""The ``monitor`` command line."""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from monitor import __version__
from monitor.check import Checker, CycleReport, build_sources, make_fetcher
from monitor.config import DEFAULT_CONFIG, Loaded, load_config
from monitor.errors import ConfigError, MonitorError
from monitor.fieldtypes import format_duration
from monitor.redact import RedactingFilter, redact_text, redact_url
from monitor.store import EventRecord, Store, utcnow

if TYPE_CHECKING:
    from monitor.notify.deliver import DeliveryReport

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Turn product errors into a clear message and an exit status; no tracebacks."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            _fail(str(exc), 2)
        except MonitorError as exc:
            _fail(str(exc), 1)
        except SQLAlchemyError as exc:  # e.g. a database that turned read-only
            from monitor.store.store import explain

            _fail(explain(exc), 1)

    return wrapper  # type: ignore[return-value]


class Context:
    def __init__(self, config_path: str, verbose: int) -> None:
        self.config_path = config_path
        self.verbose = verbose
        self._loaded: Loaded | None = None

    @property
    def loaded(self) -> Loaded:
        if self._loaded is None:
            self._loaded = load_config(self.config_path)
            _setup_logging(self.verbose, self._loaded.secrets)
        return self._loaded

    def read_only(self) -> Loaded:
        """The watch list for a command that sends nothing: a channel whose ``${VAR}``
        is unset is not an error there."""
        if self._loaded is None:
            self._loaded = load_config(self.config_path, channels_optional=True)
            _setup_logging(self.verbose, self._loaded.secrets)
        return self._loaded

    def store(self) -> Store:
        """The state database, with the alert outbox hooked in."""
        from monitor.notify import install

        store = Store(self.loaded.config.state)
        install(store, self.loaded)
        return store


def _setup_logging(verbose: int, secrets: frozenset[str]) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "alembic"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


class _Commands(click.Group):
    """The core commands, plus commands other parts of the product register when first
    asked for, so `monitor check` does not import the daemon, the delivery CLI or the
    article extractor."""

    PLUGINS: ClassVar[dict[str, str]] = {
        "deliver": "monitor.notify.cli",
        "notify-test": "monitor.notify.cli",
        "run": "monitor.daemon.cli",
        "health": "monitor.daemon.cli",
        "extract": "monitor.news.cli",
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
@click.version_option(__version__, prog_name="monitor")
@click.pass_context
def main(ctx: click.Context, config_path: str, verbose: int) -> None:
    """Watch company registries and alert when watched people join or leave."""
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
    click.echo(f"{loaded.file}: OK")
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
@click.option("--json", "as_json", is_flag=True, help="Print the new events as JSON lines.")
@click.pass_obj
@handle_errors
def check(obj: Context, everything: bool, as_json: bool) -> None:
    """Run one cycle over the due sources, then exit (status 1 if a source failed)."""
    loaded = obj.loaded
    report, delivery = asyncio.run(_check(obj, everything))
    for result in report.results:
        out = result.outcome
        if out.failed:
            click.echo(
                f"FAILED  {result.source.key}: {redact_text(out.error or '', loaded.secrets)}",
                err=True,
            )
        elif out.status == "suspect":
            click.echo(
                f"HELD    {result.source.key}: {out.reason} (no events; source unhealthy)", err=True
            )
    new = [r for r in report.events if r.notice == "alert"]
    followups = [r for r in report.events if r.notice != "alert"]
    for record in new:
        click.echo(json.dumps(record.to_json(), ensure_ascii=False) if as_json else _line(record))
    if not as_json:
        for record in followups:
            what = "confirmed by" if record.notice == "confirmed" else "new evidence from"
            click.echo(f"{_line(record)}  ({what} {record.extra.get('by', 'another source')})")
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


def _queue_operator_alerts(store: Store, report: CycleReport, config: Any) -> None:
    """ "Source unhealthy" / "recovered", as the daemon sends them: cron users hear too."""
    from monitor.daemon.operator import alert_for, queue_operator

    threshold = config.defaults.unhealthy_after
    alerts = [a for r in report.results if (a := alert_for(r, threshold)) is not None]
    for alert in alerts:
        logging.getLogger("monitor.check").warning("%s", alert.title)
    if alerts and config.defaults.operator_notify:
        queue_operator(store, alerts, list(config.defaults.operator_notify))


async def _check(obj: Context, everything: bool) -> tuple[CycleReport, DeliveryReport]:
    """Poll the due sources, then deliver the alerts that are due (new and retried)."""
    from monitor.notify.deliver import deliver_due

    config = obj.loaded.config
    store = obj.store()
    checker = Checker(config, store, make_fetcher(config))
    try:
        sources = build_sources(config)
        # Rows the watch list no longer has are retired, not shown as ghosts by `status`.
        await asyncio.to_thread(store.retire_others, [s.key for s in sources], utcnow())
        report = await checker.run_cycle(sources, everything=everything)
        await asyncio.to_thread(_queue_operator_alerts, store, report, config)
        return report, await deliver_due(store, obj.loaded)
    finally:
        await checker.fetcher.aclose()
        checker.close()
        store.close()


@main.command()
@click.option("--company", help="Only sources of this company.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@handle_errors
def preview(obj: Context, company: str | None, as_json: bool) -> None:
    """Fetch and extract without storing anything: what would the monitor see?"""
    from monitor.identity import same_company

    config = obj.loaded.config
    sources = [
        s for s in build_sources(config) if company is None or same_company(s.entity, company)
    ]
    if not sources:
        raise MonitorError(f"no active source matches company {company!r}")
    results = asyncio.run(_preview(config, sources))
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
        return
    for item in results:
        click.echo(f"== {item['source']}  ({item['url']})")
        if item.get("error"):
            click.echo(f"   error: {item['error']}")
            continue
        for officer in item["officers"]:
            state = f"  resigned {officer['resigned']}" if officer["resigned"] else ""
            click.echo(f"   {officer['name']:<30} {', '.join(officer['roles']):<40}{state}")
        click.echo(f"   {len(item['officers'])} officer row(s)")


async def _preview(config: Any, sources: Sequence[Any]) -> list[dict[str, Any]]:
    from monitor.sources.base import FetchState, NotModified

    async with make_fetcher(config) as fetcher:

        async def one(source: Any) -> dict[str, Any]:
            item: dict[str, Any] = {"source": source.key, "url": source.url}
            try:
                observed = await source.observe(fetcher, FetchState())
            except MonitorError as exc:
                return {**item, "error": str(exc), "officers": []}
            assert not isinstance(observed, NotModified)
            item["officers"] = [o.to_json() for o in observed.extraction.officers]
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
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
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
    for record in found:
        click.echo(json.dumps(record.to_json(), ensure_ascii=False) if as_json else _line(record))


@main.command(name="timeline")
@click.argument("person")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
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
    if as_json:
        click.echo(json.dumps([r.to_json() for r in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(f"no events for {person}")
        return
    click.echo(f"Timeline of {person}:")
    for record in found:
        when = record.effective_date or record.detected_at.date().isoformat()
        role = record.role or "-"
        click.echo(f"  {when:<12} {record.change:<13} {record.company}  [{role}]")


@main.command()
@handle_errors
def demo() -> None:
    """Replay the Lei Jun story offline against a simulated registry (under a minute)."""
    from monitor.demo.run import run_demo

    sys.exit(asyncio.run(run_demo(lambda text: click.echo(text, nl=False))))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
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
    sources = [_source_status(r) for r in rows]
    if as_json:
        click.echo(json.dumps({"sources": sources, **extra}, ensure_ascii=False, indent=2))
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
        click.echo(f"{name}: {json.dumps(value, ensure_ascii=False)}")


# Other parts of the product add sections to `monitor status` here (e.g. the outbox).
STATUS_SECTIONS: dict[str, Callable[[Store], Any]] = {}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


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


def _line(record: EventRecord) -> str:
    when = record.effective_date or record.detected_at.date().isoformat()
    role = f" as {record.role}" if record.role else ""
    if record.change == "role_changed":
        role = f": {record.previous_role or '-'} → {record.role or '-'}"
    return f"#{record.id} {when} {record.person} {record.change} {record.company}{role}"
