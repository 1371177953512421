"""What every ``monitor`` command shares: the context object and error handling.

A module of its own so that the command modules of each part of the product (the
daemon, delivery, news) use it without importing the top-level command group.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from monitor.config import DEFAULT_CONFIG, Loaded, load_config
from monitor.errors import ConfigError, MonitorError
from monitor.redact import RedactingFilter
from monitor.store import Store

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Turn product errors into a clear message and an exit status; no tracebacks."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            fail(str(exc), 2)
        except MonitorError as exc:
            fail(str(exc), 1)
        except SQLAlchemyError as exc:  # e.g. a database that turned read-only
            from monitor.store.store import explain

            fail(explain(exc), 1)

    return wrapper  # type: ignore[return-value]


class Context:
    """The ``monitor`` group's options; the watch list is loaded when first asked for."""

    def __init__(self, config_path: str, verbose: int) -> None:
        self.config_path = config_path
        self.verbose = verbose
        self._loaded: Loaded | None = None

    @property
    def loaded(self) -> Loaded:
        if self._loaded is None:
            self._loaded = load_config(self.config_path)
            setup_logging(self.verbose, self._loaded.secrets)
        return self._loaded

    def read_only(self) -> Loaded:
        """The watch list for a command that sends nothing: a channel whose ``${VAR}``
        is unset is not an error there."""
        if self._loaded is None:
            self._loaded = load_config(self.config_path, channels_optional=True)
            setup_logging(self.verbose, self._loaded.secrets)
        return self._loaded

    def store(self) -> Store:
        """The state database, with the alert outbox hooked in."""
        from monitor.notify import install

        store = Store(self.loaded.config.state)
        install(store, self.loaded)
        return store


def setup_logging(verbose: int, secrets: frozenset[str]) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "alembic"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    # apprise keeps its DEBUG lines in each send's result, where the cause of a failure is
    # (monitor.notify.channels reads it from there); they are shown only at -vv, and
    # apprise's own warning, which the command's one line repeats with the cause, at -v.
    logging.getLogger("apprise").setLevel(logging.DEBUG)
    shown = logging.ERROR if verbose == 0 else level
    handler.addFilter(lambda r: not r.name.startswith("apprise") or r.levelno >= shown)


DEFAULT_HTTP = "127.0.0.1:8080"  # where `monitor web` serves and `monitor health` asks


def parse_address(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6) → (host, port)."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"{value!r} is not HOST:PORT (e.g. 127.0.0.1:8080)")
    host = host.strip("[]") or "0.0.0.0"
    if re.fullmatch(r"[\d.]+", host) or ":" in host:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise ValueError(f"{host!r} in {value!r} is not an IP address") from None
    return host, int(port)


def http_address(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """The click callback of ``--http`` (``monitor run``, ``monitor web``)."""
    if value is None:
        return None
    try:
        return parse_address(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _late_config(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None and ctx.obj is not None:
        ctx.obj.config_path = value


def _late_verbose(ctx: click.Context, param: click.Parameter, value: int) -> None:
    if value and ctx.obj is not None:
        ctx.obj.verbose += value


def _global_options() -> list[click.Option]:
    """`-c` and `-v` after the subcommand too: `monitor validate -c FILE`."""
    return [
        click.Option(
            ["-c", "--config"],
            metavar="PATH",
            expose_value=False,
            callback=_late_config,
            help=f"Watch-list file (default {DEFAULT_CONFIG}, or $MONITOR_CONFIG).",
        ),
        click.Option(
            ["-v", "--verbose"],
            count=True,
            expose_value=False,
            callback=_late_verbose,
            help="More log output (-vv for debug).",
        ),
    ]


class GlobalOptionsGroup(click.Group):
    """A group whose subcommands also accept the global options."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None and not getattr(command, "_has_global_options", False):
            taken = {opt for param in command.params for opt in getattr(param, "opts", ())}
            command.params.extend(o for o in _global_options() if not taken & set(o.opts))
            command._has_global_options = True  # type: ignore[attr-defined]
        return command
