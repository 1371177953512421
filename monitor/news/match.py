"""When two reports are the same change. Pure.

A change told by an article and a change shown by a registry are the same change
when they concern the same person (any spelling or script, or two names of one
watched person), the same company (directly, or two names of one watched company),
go the same direction, and happened within a window of each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from monitor.identity import Entry, Match, match_company, match_person, same_company, same_person
from monitor.model import Change

WINDOW = timedelta(days=60)


@dataclass(frozen=True)
class Watch:
    """The watch list's people and companies, with every name each goes by."""

    people: tuple[Entry, ...] = ()
    companies: tuple[Entry, ...] = ()

    @classmethod
    def of(cls, config: Any) -> Watch:
        """From a loaded ``Config`` (its ``people`` and ``companies``)."""
        return cls(
            tuple(Entry(p.name, tuple(p.aliases)) for p in config.people),
            tuple(Entry(c.name, tuple(c.aliases)) for c in config.companies),
        )

    def same_person(self, a: str, b: str) -> bool:
        return same_person(a, b) or _one_entry(a, b, self.people, match_person)

    def same_company(self, a: str, b: str) -> bool:
        return same_company(a, b) or _one_entry(a, b, self.companies, match_company)


def _one_entry(a: str, b: str, entries: Sequence[Entry], match: Any) -> bool:
    if not entries:
        return False
    first, second = match(a, entries), match(b, entries)
    return isinstance(first, Match) and isinstance(second, Match) and first.entry == second.entry


@dataclass(frozen=True)
class Facts:
    """What two reports of a change are compared on."""

    change: str
    person: str
    company: str
    effective_date: str | None
    seen: date  # when the monitor learned of it


def same_change(a: Facts, b: Facts, watch: Watch, window: timedelta = WINDOW) -> bool:
    """Whether ``a`` and ``b`` report one change (see the module docstring)."""
    if a.change != b.change or not _close(a, b, window):
        return False
    return watch.same_person(a.person, b.person) and watch.same_company(a.company, b.company)


def _close(a: Facts, b: Facts, window: timedelta) -> bool:
    day_a, day_b = iso_day(a.effective_date), iso_day(b.effective_date)
    if day_a is None or day_b is None:
        day_a, day_b = a.seen, b.seen
    return abs(day_a - day_b) <= window


def iso_day(value: str | None) -> date | None:
    """``2021-10-15`` → that day; ``2021-10`` → the 1st; ``--10-15`` or None → None."""
    if not value or value.startswith("--"):
        return None
    parts = value.split("-")
    try:
        numbers = [int(p) for p in parts[:3]] + [1] * (3 - len(parts[:3]))
        return date(numbers[0], numbers[1], numbers[2])
    except ValueError:
        return None


def facts(change: Change, seen: datetime) -> Facts:
    return Facts(change.change, change.person, change.company, change.effective_date, seen.date())
