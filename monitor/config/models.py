"""The watch-list schema. Unknown keys are errors; every source names its ``kind``."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from monitor.fetch import DEFAULT_USER_AGENT, HostPolicy
from monitor.fieldtypes import Duration, parse_duration
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
    interval: Duration = timedelta(hours=6)
    jitter: float = Field(default=0.1, ge=0, le=1, description="fraction of the interval")
    notify: list[str] = []
    operator_notify: list[str] = []
    unhealthy_after: int = Field(
        default=3, ge=1, description="failed or held checks in a row before the operator hears"
    )
    user_agent: str = DEFAULT_USER_AGENT
    timeout: Duration = timedelta(seconds=30)
    max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    robots: bool = Field(default=False, description="honour each host's robots.txt")
    http_client: Literal["curl", "httpx"] = Field(
        default="curl", description="libcurl (fast) or httpx (pure Python)"
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
    rate: Any = "1/s"
    concurrency: int = Field(default=2, ge=1, le=1000)

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

    url: str
    mode: Literal["immediate", "digest"] = "immediate"
    every: Duration | None = None
    at: str | None = Field(default=None, description="digest: daily at this local time, HH:MM")
    timezone: str = Field(default="UTC", description="digest: the zone `at` is read in")
    title_template: str | None = None
    body_template: str | None = None
    fallback: str | None = None

    @field_validator("at")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        if value is not None and not _CLOCK.match(value.strip()):
            raise ValueError(f"{value!r} is not a time of day: write it as HH:MM, e.g. 08:00")
        return value.strip() if value is not None else None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from monitor.notify.timing import zone

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
    name: str = Field(min_length=1)
    sources: list[SourceSpec] = []
    aliases: list[str] = []
    notify: list[str] | None = None
    changes: list[ChangeKind] | None = None
    roles: list[str] | None = None


class Person(Entry):
    sources: list[PersonSource] = []


class Company(Entry):
    sources: list[CompanySource] = []


class Config(Strict):
    state: str = DEFAULT_STATE
    defaults: Defaults = Defaults()
    channels: dict[str, str | Channel] = {}
    hosts: dict[str, HostLimits] = {}
    people: list[Person] = []
    companies: list[Company] = []
    news: list[NewsSource] = []

    @property
    def entries(self) -> list[Entry]:
        """Every watched company and person."""
        return [*self.companies, *self.people]

    def channel(self, name: str) -> Channel:
        value = self.channels[name]
        return Channel(url=value) if isinstance(value, str) else value
