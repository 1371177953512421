"""The values that flow through the pipeline: officers, changes, observations."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Literal

from monitor.normalize import format_roles, name_key, normalize_name, split_roles

# A filed officer change is a filing that announces officer changes (SEC 8-K Item 5.02),
# reported once per filing next to the joined/left events read from it.
ChangeKind = Literal["joined", "left", "role_changed", "filed_officer_change"]
CHANGE_KINDS: tuple[ChangeKind, ...] = ("joined", "left", "role_changed", "filed_officer_change")


@dataclass(frozen=True)
class Officer:
    """One person's position at one company, as a source shows it."""

    name: str
    company: str
    roles: frozenset[str] = frozenset()
    appointed: str | None = None
    resigned: str | None = None
    evidence: str = ""
    published: str | None = None  # filed or published, where the source says
    # The registry's own id for the person (officer id, else date of birth): two rows
    # with the same name but different ids are two people.
    uid: str | None = None
    role_text: str = ""  # the roles as the source wrote them; shown, never compared

    @classmethod
    def from_cells(
        cls,
        name: str,
        company: str,
        role: str | None = None,
        appointed: str | None = None,
        resigned: str | None = None,
        evidence: str = "",
        uid: str | None = None,
    ) -> Officer:
        return cls(
            name=normalize_name(name),
            company=company,
            roles=split_roles(role),
            appointed=appointed or None,
            resigned=resigned or None,
            evidence=evidence,
            uid=uid or None,
            role_text=" ".join((role or "").split()),
        )

    @cached_property
    def key(self) -> tuple[str, ...]:
        names = (name_key(self.name), name_key(self.company))
        return (*names, self.uid) if self.uid else names

    @property
    def active(self) -> bool:
        return self.resigned is None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "company": self.company,
            "roles": sorted(self.roles),
            "appointed": self.appointed,
            "resigned": self.resigned,
            "evidence": self.evidence,
            "published": self.published,
            **({"uid": self.uid} if self.uid else {}),
            **({"role_text": self.role_text} if self.role_text else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Officer:
        return cls(
            name=data["name"],
            company=data["company"],
            roles=frozenset(data.get("roles") or ()),
            appointed=data.get("appointed"),
            resigned=data.get("resigned"),
            evidence=data.get("evidence") or "",
            published=data.get("published"),
            uid=data.get("uid"),
            role_text=data.get("role_text") or "",
        )


# json.dumps(..., ensure_ascii=False) builds a new encoder per call; the output is the same.
_CANONICAL = json.JSONEncoder(ensure_ascii=False)


def officers_hash(officers: list[Officer] | tuple[Officer, ...]) -> str:
    """Order-insensitive fingerprint of what a diff compares."""
    encode = _CANONICAL.encode
    rows = sorted(encode([*o.key, sorted(o.roles), o.resigned]) for o in officers)
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


@dataclass(frozen=True)
class Change:
    """A joined/left/role_changed difference between two observations."""

    change: ChangeKind
    person: str
    company: str
    roles: frozenset[str] = frozenset()
    previous_roles: frozenset[str] = frozenset()
    effective_date: str | None = None
    evidence: str = ""
    published_date: str | None = None
    origin: str = "registry"  # "registry" or "news"
    confidence: float = 1.0
    url: str = ""  # for news: the article that reports the change
    title: str = ""  # for news: the article's headline
    role_text: str = ""  # the roles as the source wrote them, where it did
    previous_role_text: str = ""

    @property
    def role(self) -> str:
        return format_roles(self.roles)

    @property
    def previous_role(self) -> str:
        return format_roles(self.previous_roles)


@dataclass(frozen=True)
class Extraction:
    """What one fetch of an officer-list source yielded."""

    officers: tuple[Officer, ...]
    rows_seen: int
    warnings: tuple[str, ...] = field(default=())
    # A structured answer (an API's JSON) whose format says the list is empty; an empty
    # HTML extraction far more often means the page is not the one expected.
    structured: bool = False
    # Changes the source reports directly (one per filing, keyed by their `url`): each is
    # emitted once; those present at the silent baseline are remembered, not emitted.
    filings: tuple[Change, ...] = field(default=())


@dataclass(frozen=True)
class Article:
    """One news article, read: its main text without navigation, ads or comments."""

    key: str  # what the source remembers it by: the link, else the feed entry id
    url: str
    title: str
    text: str
    published: date | None = None
