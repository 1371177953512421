"""Selecting stored events by person and company, through names and aliases."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.config import Config
from monitor.identity import same_company, same_person
from monitor.store import EventRecord


def person_names(config: Config, person: str) -> tuple[str, ...]:
    """``person`` plus the aliases of every watched person it matches."""
    names = [person]
    for entry in config.people:
        candidates = (entry.name, *entry.aliases)
        if any(same_person(person, c) for c in candidates):
            names.extend(candidates)
    return tuple(dict.fromkeys(names))


def company_names(config: Config, company: str) -> tuple[str, ...]:
    names = [company]
    for entry in config.companies:
        candidates = (entry.name, *entry.aliases)
        if any(same_company(company, c) for c in candidates):
            names.extend(candidates)
    return tuple(dict.fromkeys(names))


def filter_events(
    records: Sequence[EventRecord],
    config: Config,
    *,
    person: str | None = None,
    company: str | None = None,
) -> list[EventRecord]:
    found = list(records)
    if person:
        people = person_names(config, person)
        verdicts: dict[str, bool] = {}
        found = [
            r
            for r in found
            if verdicts.setdefault(r.person, any(same_person(r.person, p) for p in people))
        ]
    if company:
        companies = company_names(config, company)
        found = [r for r in found if any(same_company(r.company, c) for c in companies)]
    return found


def timeline(records: Sequence[EventRecord], config: Config, person: str) -> list[EventRecord]:
    """Oldest first by when it happened (effective date, else when it was detected)."""
    mine = filter_events(records, config, person=person)
    return sorted(mine, key=lambda r: (_when(r), r.id))


def _when(record: EventRecord) -> str:
    return _iso(record.effective_date) or record.detected_at.date().isoformat()


def _iso(value: str | None) -> str | None:
    return value if value and value[:4].isdigit() else None
