"""The watch-list schema. Unknown keys are errors; every source names its ``kind``."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from monitor.fetch import DEFAULT_USER_AGENT, HostPolicy
from monitor.fieldtypes import Duration, parse_duration, zone
from monitor.model import ChangeKind
from monitor.sources import SourceSpec, kinds

DEFAULT_STATE = "sqlite:///state/monitor.db"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _NoKindsYet(BaseModel):
    """Stands in where no source kind exists yet: every entry is an error."""

    @model_validator(mode="before")
    @classmethod
    def _reject(cls, value: Any) -> Any:
        kind = value.get("kind") if isinstance(value, dict) else None
        raise ValueError(f"no source kind {kind!r} can be used here in this version")


def _union(scope: Literal["company", "person", "news"]) -> Any:
    """A discriminated union of every registered kind for one place in the file."""
    members = tuple(kinds(scope).values())
    if not members:
        return _NoKindsYet
    if len(members) == 1:
        return members[0]
    return Annotated[Union[members], Field(discriminator="kind")]  # noqa: UP007


if TYPE_CHECKING:
    CompanySource: TypeAlias = SourceSpec
    PersonSource: TypeAlias = SourceSpec
    NewsSource: TypeAlias = SourceSpec
else:
    CompanySource = _union("company")
    PersonSource = _union("person")
    NewsSource = _union("news")


class Defaults(Strict):
    """Settings every source and entry uses unless it sets its own."""

    interval: Duration = Field(
        default=timedelta(hours=6), description="time between two checks of a source"
    )
    jitter: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="up to this fraction of the interval is added at random, to spread checks",
        examples=[0.1],
    )
    notify: list[str] = Field(
        default=[], description="channels for entries without their own `notify`"
    )
    operator_notify: list[str] = Field(
        default=[], description="channels for source health alerts and dead deliveries"
    )
    unhealthy_after: int = Field(
        default=3, ge=1, description="failed or held checks in a row before the operator hears"
    )
    user_agent: str = Field(
        default=DEFAULT_USER_AGENT,
        description="the User-Agent header sent to every host",
        examples=["monitor (compliance@example.com)"],
    )
    timeout: Duration = Field(
        default=timedelta(seconds=30),
        description="per attempt: no complete answer within this is a failed attempt",
        examples=["20s"],
    )
    max_bytes: int = Field(
        default=10 * 1024 * 1024,
        gt=0,
        description="largest response read, in bytes (after decompression), for every source",
        examples=[20971520],
    )
    robots: bool = Field(
        default=False, description="honour each host's robots.txt", examples=[True]
    )
    http_client: Literal["curl", "httpx"] = Field(
        default="curl", description="libcurl (fast) or httpx (pure Python)", examples=["httpx"]
    )


_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\w+)\s*$")


def parse_rate(value: Any) -> tuple[float, float] | None:
    """``"1/s"``, ``"600/5m"``, ``"10/1s"`` or ``none`` → (requests, per seconds)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "off")):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (float(value), 1.0)
    match = _RATE.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a rate: write e.g. 1/s, 10/s, 600/5m or none")
    count, unit = match.groups()
    per = parse_duration(unit if unit[0].isdigit() else f"1{unit}")
    return (float(count), per.total_seconds())


class HostLimits(Strict):
    """Politeness towards one host name; overrides the registry presets."""

    rate: Any = Field(default="1/s", description="requests per period (`1/s`, `600/5m`) or `none`")
    concurrency: int = Field(default=2, ge=1, le=1000, description="requests at once")

    @field_validator("rate")
    @classmethod
    def _rate(cls, value: Any) -> Any:
        parse_rate(value)
        return value

    def policy(self) -> HostPolicy:
        parsed = parse_rate(self.rate)
        if parsed is None:
            return HostPolicy(concurrency=self.concurrency, rate=None)
        return HostPolicy(concurrency=self.concurrency, rate=parsed[0], per=parsed[1])


_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class Channel(Strict):
    """A named destination: any apprise URL, with delivery options."""

    url: str = Field(description="an apprise URL (mailto://, slack://, json://, ...)")
    mode: Literal["immediate", "digest"] = Field(
        default="immediate", description="one message per alert, or one per digest period"
    )
    every: Duration | None = Field(
        default=None,
        description="digest: send every this long (from midnight UTC)",
        examples=["6h"],
    )
    at: str | None = Field(default=None, description="digest: daily at this local time, HH:MM")
    timezone: str = Field(default="UTC", description="digest: the zone `at` is read in")
    title_template: str | None = Field(
        default=None, description="sandboxed Jinja2 for the title (see the README's Alerts)"
    )
    body_template: str | None = Field(
        default=None,
        description="sandboxed Jinja2 for the body",
        examples=["{{ person }} {{ verb }} {{ company }} ({{ effective_date }})"],
    )
    fallback: str | None = Field(
        default=None, description="the channel that gets this channel's dead deliveries"
    )

    @field_validator("at")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        if value is not None and not _CLOCK.match(value.strip()):
            raise ValueError(f"{value!r} is not a time of day: write it as HH:MM, e.g. 08:00")
        return value.strip() if value is not None else None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        zone(value)  # raises ValueError naming the zone
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> Channel:
        if self.at is not None and self.every is not None:
            raise ValueError("give a digest either `every` (a period) or `at` (a daily time)")
        if (self.at is not None or self.every is not None) and self.mode != "digest":
            raise ValueError("`every` and `at` schedule digests: add `mode: digest`")
        return self


class Entry(Strict):
    name: str = Field(min_length=1, description="the name alerts use")
    sources: list[SourceSpec] = Field(default=[], description="where to look (each needs `kind`)")
    aliases: list[str] = Field(default=[], description="other names and scripts that match")
    notify: list[str] | None = Field(
        default=None, description="channels for this entry's alerts (else `defaults.notify`)"
    )
    changes: list[ChangeKind] | None = Field(
        default=None, description="only these changes are alerted (default: all)"
    )
    roles: list[str] | None = Field(
        default=None, description="only changes in these roles are alerted (default: all)"
    )


class Person(Entry):
    sources: list[PersonSource] = Field(
        default=[], description="registry sources about this person's positions"
    )


class Company(Entry):
    sources: list[CompanySource] = Field(
        default=[], description="registry sources listing this company's officers"
    )


class Web(Strict):
    """The dashboard and JSON API (``monitor web``, ``monitor run --http``)."""

    token: str | None = Field(
        default=None,
        description='Bearer token for the API, HTTP Basic password for browsers: "${VAR}"',
    )

    @field_validator("token")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        if value is not None and len(value) < 16:
            raise ValueError(
                "the web token must be at least 16 characters (e.g. openssl rand -hex 16)"
            )
        return value


class Config(Strict):
    state: str = Field(default=DEFAULT_STATE, description="the state database (SQLAlchemy URL)")
    defaults: Defaults = Field(default=Defaults(), description="settings shared by every source")
    web: Web = Field(default=Web(), description="the dashboard and JSON API")
    channels: dict[str, str | Channel] = Field(
        default={}, description="name → apprise URL, or a mapping with delivery options"
    )
    hosts: dict[str, HostLimits] = Field(default={}, description="host name → politeness limits")
    people: list[Person] = Field(default=[], description="watched people")
    companies: list[Company] = Field(default=[], description="watched companies")
    news: list[NewsSource] = Field(default=[], description="news feeds and listing pages")

    @property
    def entries(self) -> list[Entry]:
        """Every watched company and person."""
        return [*self.companies, *self.people]

    def channel(self, name: str) -> Channel:
        value = self.channels[name]
        return Channel(url=value) if isinstance(value, str) else value
