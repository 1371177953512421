"""Channels: named apprise URLs, each built into an ``Apprise`` object once.

Sending reads apprise's ``AppriseResult`` honestly: only SUCCESS counts as
delivered; FAILURE, TIMEOUT and PARTIAL are retried; NOMATCH (nothing usable
behind the URL) is a configuration problem that retrying cannot fix.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from monitor.config.models import Channel, Config
from monitor.notify.messages import Format, Message, check_template
from monitor.notify.urls import encode_secrets
from monitor.redact import redact_text, redact_url

if TYPE_CHECKING:
    import apprise

log = logging.getLogger("monitor.notify")

SEND_TIMEOUT = 60.0  # seconds for one message to one channel, all its services
# The header that carries a message's idempotency key (webhooks, and mail as a header;
# mail also takes a Message-ID derived from it, see notify/mail.py): the same alert sent
# again after a crash carries the same key.
KEY_HEADER = "Idempotency-Key"
Verdict = Literal["sent", "retry", "dead"]


@dataclass(frozen=True)
class Built:
    """One channel ready to send, or the reason it cannot."""

    name: str
    channel: Channel
    apobj: apprise.Apprise | None
    format: Format
    display: str  # the URL with credentials and tokens masked
    error: str | None = None
    secrets: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ServiceResult:
    name: str
    url: str  # masked
    status: str  # SUCCESS | FAILURE | TIMEOUT ...


@dataclass(frozen=True)
class SendResult:
    verdict: Verdict
    status: str  # apprise's overall status name, or CONFIG
    error: str | None = None
    services: tuple[ServiceResult, ...] = ()


def _format_of(service: Any) -> Format:
    declared = service.notify_format
    first = declared[0] if isinstance(declared, tuple | list) else declared
    value = str(getattr(first, "value", first)).lower()
    return "html" if value == "html" else "markdown" if value == "markdown" else "text"


def build(name: str, channel: Channel, secrets: frozenset[str]) -> Built:
    import apprise  # slow to import: only when a channel is first used

    display = redact_url(channel.url, secrets)
    problems = [
        f"{key}: {err}"
        for key, source in (("title_template", channel.title_template),
                            ("body_template", channel.body_template))
        if source and (err := check_template(source))
    ]  # fmt: skip
    for problem in problems:
        log.warning("channel %s: %s; the default template is used", name, problem)
    from monitor.notify.mail import keyed

    url = encode_secrets(channel.url, secrets)
    apobj = apprise.Apprise()
    if apobj.add(url) and len(apobj) == 1 and (service := keyed(apobj[0], url)) is not apobj[0]:
        apobj = apprise.Apprise()
        apobj.add(service)  # mail under a Message-ID derived from its idempotency key
    if len(apobj) == 0:
        return Built(
            name,
            channel,
            None,
            "text",
            display,
            error=f"channel {name!r}: apprise does not understand the URL {display} "
            "(check the scheme and its required parts; see apprise's URL list)",
            secrets=secrets,
        )
    return Built(name, channel, apobj, _format_of(apobj[0]), display, secrets=secrets)


@dataclass(frozen=True)
class Finding:
    """A problem with a channel URL, found before anything is sent."""

    path: tuple[str, ...]  # where the URL sits in the watch list
    message: str
    hint: str | None = None
    error: bool = True  # False: a warning (the channel works, but not as written)


# Query keys apprise reads for every service (URLBase.parse_url), besides each plugin's own.
_COMMON_ARGS = frozenset(
    {"format", "overflow", "emojis", "verify", "rto", "cto", "tz", "store", "interpret-emojis"}
)


@contextmanager
def _apprise_silenced() -> Iterator[None]:
    """apprise's own log records off for a while (the finding says it in its place)."""
    logger = logging.getLogger("apprise")
    was, logger.disabled = logger.disabled, True
    try:
        yield
    finally:
        logger.disabled = was


def audit(config: Config, secrets: Iterable[str] = ()) -> list[Finding]:
    """Channel URLs apprise cannot use (errors) or would use without part of what was
    written (a warning naming the dropped query keys)."""
    import apprise  # slow to import: only when the channels are checked

    found: list[Finding] = []
    hidden = frozenset(secrets)
    for name, value in config.channels.items():
        path = ("channels", name) if isinstance(value, str) else ("channels", name, "url")
        url = config.channel(name).url
        apobj = apprise.Apprise()
        with _apprise_silenced():  # its "Unparseable URL u:p...d@host" shows a password's ends
            added = bool(url.strip()) and apobj.add(encode_secrets(url, hidden))
        if not added or len(apobj) == 0:
            shown = redact_url(url, hidden) if url.strip() else "an empty URL"
            found.append(
                Finding(
                    path,
                    f"apprise cannot send to {shown}: unknown service or missing parts",
                    hint="write a full apprise URL, e.g. mailtos://user:pass@host?to=addr "
                    "or json://host/path (see apprise's list of services)",
                )
            )
            continue
        dropped = _dropped_query_keys(url, apobj[0])
        if dropped:
            keys = ", ".join(f"`{k}`" for k in dropped)
            found.append(
                Finding(
                    path,
                    f"apprise ignores the query part {keys} of this URL: it is not sent",
                    hint="for an HTTP header write `?+Name=value`, for a payload field "
                    "`?:name=value` (json://, form://, xml://)",
                    error=False,
                )
            )
    return found


def _dropped_query_keys(url: str, service: Any) -> list[str]:
    from urllib.parse import parse_qsl, urlsplit

    known = set(_COMMON_ARGS) | set(service.template_args) | set(service.template_tokens)
    for spec in service.template_args.values():
        alias = spec.get("alias_of") if isinstance(spec, dict) else None
        known |= {alias} if isinstance(alias, str) else set(alias or ())
    try:
        query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    except ValueError:
        return []
    return [k for k, _ in query if k.lower() not in known and k[:1] not in "+-:"]


class Channels:
    """Every channel of a watch list, built on first use and then reused."""

    def __init__(self, config: Config, secrets: Iterable[str] = ()) -> None:
        self.config = config
        self.secrets = frozenset(secrets)
        self._built: dict[str, Built] = {}

    def __contains__(self, name: object) -> bool:
        return name in self.config.channels

    def get(self, name: str) -> Built:
        if name not in self._built:
            if name not in self.config.channels:
                self._built[name] = Built(
                    name,
                    Channel(url=""),
                    None,
                    "text",
                    "",
                    error=f"channel {name!r} is no longer defined in the watch list",
                )
            else:
                self._built[name] = build(name, self.config.channel(name), self.secrets)
        return self._built[name]


# apprise logs the cause of a failure (an SMTP server's reply, an HTTP body) at DEBUG,
# after a WARNING that only names the failure ("Connection error ...").
_CAUSE = re.compile(r"(?i)exception|error|refused|denied|not supported|reply|response details")


def _error_text(result: Any, secrets: frozenset[str]) -> str | None:
    lines = [
        entry.message
        for entry in result.logs()
        if str(entry.level).upper() in ("WARNING", "ERROR", "CRITICAL")
        or _CAUSE.search(str(entry.message))
    ]
    if not lines:
        return None
    return redact_text("; ".join(dict.fromkeys(lines)), secrets)[:2000]


async def _notify(apobj: Any, message: Message, timeout: float) -> Any:
    """Send, asking apprise to keep its DEBUG lines in the result where it can (the
    ``log_level`` of newer apprise versions)."""
    kwargs: dict[str, Any] = {
        "body": message.body,
        "title": message.title,
        "body_format": message.format,
        "timeout": timeout,
    }
    try:
        return await apobj.async_notify(**kwargs, log_level=logging.DEBUG)
    except TypeError as exc:
        if "log_level" not in str(exc):
            raise
        return await apobj.async_notify(**kwargs)


def read_result(result: Any, secrets: frozenset[str]) -> SendResult:
    """Translate an ``AppriseResult`` into what the outbox does next."""
    import apprise

    status = result.status
    services = tuple(
        ServiceResult(r.name, redact_url(r.url, secrets), r.status.name) for r in result.results
    )
    if status == apprise.AppriseResultStatus.SUCCESS and services:
        return SendResult("sent", status.name, None, services)
    error = _error_text(result, secrets) or f"apprise reported {status.name}"
    if status == apprise.AppriseResultStatus.NOMATCH:
        return SendResult("dead", status.name, error, services)
    return SendResult("retry", status.name, error, services)


def _stamp(apobj: apprise.Apprise, key: str | None) -> None:
    """Put the idempotency key in the headers of every service that sends headers
    (webhooks, mail). A channel's messages go one at a time, so this cannot race."""
    for service in apobj:
        headers = getattr(service, "headers", None)
        if isinstance(headers, dict):
            if key:
                headers[KEY_HEADER] = key
            else:
                headers.pop(KEY_HEADER, None)


async def send(
    built: Built, message: Message, *, key: str | None = None, timeout: float = SEND_TIMEOUT
) -> SendResult:
    """Send one message through one channel; never raises. ``key`` is the message's
    idempotency key, sent as a header wherever the service allows headers."""
    secrets = built.secrets
    if built.apobj is None:
        return SendResult("dead", "CONFIG", built.error)
    try:
        _stamp(built.apobj, key)
        result = await _notify(built.apobj, message, timeout)
    except Exception as exc:  # apprise plugins may raise anything; the row is retried
        return SendResult("retry", "ERROR", redact_text(f"{type(exc).__name__}: {exc}", secrets))
    return read_result(result, secrets)
