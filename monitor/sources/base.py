"""What every source kind shares: its config base, its observation types, the registry.

A source kind is one module in ``monitor/sources/`` that registers a pydantic
config model under its YAML ``kind``. The model builds the runtime source. The
``kind`` key is always required; it is never guessed from the other keys.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from monitor.fetch import Fetcher
from monitor.fieldtypes import Duration
from monitor.model import Article, Extraction

Scope = Literal["company", "person", "news"]


class SourceSpec(BaseModel):
    """Keys every source accepts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    name: str | None = Field(default=None, description="stable name; defaults to entity + URL")
    interval: Duration | None = None
    jitter: float | None = Field(default=None, ge=0, le=1)

    scope: ClassVar[Scope] = "company"
    also_scopes: ClassVar[tuple[Scope, ...]] = ()  # a kind usable in more than one place
    active: ClassVar[bool] = True

    def locator(self) -> str:
        """What distinguishes this source from another of the same kind."""
        return str(getattr(self, "url", "") or self.kind)

    def build(self, entity: str) -> Source:
        raise NotImplementedError(f"source kind {self.kind!r} is not active in this version")


@dataclass(frozen=True)
class FetchState:
    """What the store remembers of a source's last answer."""

    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    seen: frozenset[str] = frozenset()  # news sources: the entries already read
    first: bool = False  # never checked successfully: this check sets the baseline


@dataclass(frozen=True)
class NotModified:
    """The source answered, and nothing changed since last time (no parsing done)."""

    etag: str | None = None
    last_modified: str | None = None
    url: str = ""


@dataclass(frozen=True)
class Observed:
    """A fresh officer list."""

    extraction: Extraction
    content_hash: str
    etag: str | None = None
    last_modified: str | None = None
    url: str = ""


@dataclass(frozen=True)
class Reported(Observed):
    """What a news source read this time: the new articles (it lists no officers).

    ``retry`` are entries that could not be read now and will be tried again;
    ``gone`` are entries that will never be readable (e.g. 404), remembered as read;
    ``baseline`` are entries a first check found already listed, remembered as read
    without being read.
    """

    articles: tuple[Article, ...] = ()
    retry: tuple[str, ...] = ()
    gone: tuple[str, ...] = ()
    baseline: tuple[str, ...] = ()
    listed: tuple[str, ...] = ()  # every entry the listing shows


Observation = NotModified | Observed


class Source(ABC):
    """A runtime source: fetch and extract, nothing else (no store, no notifier)."""

    def __init__(self, spec: SourceSpec, entity: str) -> None:
        self.spec = spec
        self.entity = entity

    @property
    def key(self) -> str:
        return self.spec.name or source_key(self.spec)

    @property
    def url(self) -> str:
        return str(getattr(self.spec, "url", "") or "")

    def interval(self, default: timedelta) -> timedelta:
        return self.spec.interval or default

    @abstractmethod
    async def observe(self, fetcher: Fetcher, state: FetchState) -> Observation:
        """Fetch and extract; raise FetchError or ParseError on failure."""


def content_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def source_key(spec: SourceSpec) -> str:
    """What a source is remembered by: its kind and where it reads, not whose it is, so
    renaming a company or person keeps its history (urlwatch keys jobs the same way)."""
    return spec.name or f"{spec.kind} · {spec.locator()}"


SpecT = TypeVar("SpecT", bound=type[SourceSpec])
REGISTRY: dict[str, type[SourceSpec]] = {}


def register(kind: str) -> Callable[[SpecT], SpecT]:
    """Class decorator: make a config model the handler of ``kind:``."""

    def add(cls: SpecT) -> SpecT:
        if kind in REGISTRY:
            raise RuntimeError(f"source kind {kind!r} registered twice")
        REGISTRY[kind] = cls
        return cls

    return add


def kinds(scope: Scope) -> dict[str, type[SourceSpec]]:
    return {
        kind: cls
        for kind, cls in REGISTRY.items()
        if cls.scope == scope or scope in cls.also_scopes
    }
