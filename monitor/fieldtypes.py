"""Annotated value types shared by the watch-list models and the source kinds."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

from cssselect import GenericTranslator, SelectorError
from pydantic import AfterValidator, BeforeValidator, PlainSerializer

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_UNITS = ("weeks", "days", "hours", "minutes", "seconds")


def parse_duration(value: Any) -> timedelta:
    """``30s``, ``15m``, ``6h``, ``1d``, ``1w`` or combinations like ``1h30m``."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"expected a duration like 30s, 15m, 6h or 1d, got {value!r}")
    text = str(value).strip()
    if isinstance(value, int) or text.isdigit():
        raise ValueError(
            f"duration {text!r} has no unit: write {text}s, {text}m, {text}h or {text}d"
        )
    match = _DURATION.match(text)
    if not text or not match or not any(match.groups()):
        raise ValueError(
            f"{text!r} is not a duration: write a number and a unit, e.g. 30s, 15m, 6h, 1d or 1h30m"
        )
    delta = timedelta(**{unit: int(n) for unit, n in zip(_UNITS, match.groups(), strict=True) if n})
    if delta <= timedelta(0):
        raise ValueError(f"duration {text!r} must be longer than zero")
    return delta


def format_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            out += f"{seconds // size}{unit}"
            seconds %= size
    return out or "0s"


@cache
def zone(name: str) -> ZoneInfo:
    """The time zone called ``name`` (IANA, e.g. ``Europe/London``), or a ValueError."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name such as UTC, Europe/London or "
            "Asia/Shanghai"
        ) from None


@lru_cache(maxsize=4096)
def css_to_xpath(selector: str) -> str:
    """Translate a CSS selector to XPath; raise ValueError naming the problem."""
    try:
        return str(GenericTranslator().css_to_xpath(selector))
    except SelectorError as exc:
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from None


def _check_css(selector: str) -> str:
    css_to_xpath(selector)
    return selector


def _check_url(value: str) -> str:
    try:
        url = urlsplit(value)
        url.port  # noqa: B018 - raises ValueError for a port that is not a number in range
        if url.hostname:
            url.hostname.encode("idna")
    except (ValueError, UnicodeError) as exc:
        raise ValueError(f"malformed URL {value!r}: {exc}") from None
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ValueError(f"malformed URL {value!r}: expected http:// or https:// and a host name")
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise ValueError(
            f"malformed URL {value!r}: spaces and control characters must be percent-encoded (%20)"
        )
    return value


Duration = Annotated[
    timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)
]
CssSelector = Annotated[str, AfterValidator(_check_css)]
HttpUrl = Annotated[str, AfterValidator(_check_url)]
