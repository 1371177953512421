"""Which channels an event goes to. Pure: no I/O.

An event goes to the channels of every watched person and company entry it
concerns (matched through names and aliases), each channel once. An entry
without ``notify`` uses ``defaults.notify``. An entry's ``changes`` and
``roles`` filters narrow what it asks for; an event no entry concerns goes to
``defaults.notify``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from monitor.config.models import Config, Entry
from monitor.identity import Entry as Names
from monitor.identity import Match, match_company, match_person
from monitor.normalize import split_roles
from monitor.store import EventRecord


def concerned(event: EventRecord, config: Config) -> list[Entry]:
    """The person and company entries an event is about, people first."""
    people: list[Entry] = [
        p for p in config.people if isinstance(match_person(event.person, [_names(p)]), Match)
    ]
    companies: list[Entry] = [
        c for c in config.companies if isinstance(match_company(event.company, [_names(c)]), Match)
    ]
    return people + companies


def wants(entry: Entry, event: EventRecord) -> bool:
    """Whether the entry's ``changes`` and ``roles`` filters let the event through."""
    if entry.changes is not None and event.change not in entry.changes:
        return False
    if entry.roles is None:
        return True
    wanted = _canonical_roles(entry.roles)
    held = {r.casefold() for r in (*event.roles, *event.previous_roles)}
    return bool(wanted & held)


def route(event: EventRecord, config: Config) -> tuple[str, ...]:
    """The channel names to deliver an event to, in a stable order, each once."""
    entries = concerned(event, config)
    if not entries:
        return _unique(config.defaults.notify)
    names: list[str] = []
    for entry in entries:
        if wants(entry, event):
            names.extend(entry.notify if entry.notify is not None else config.defaults.notify)
    return _unique(names)


def _names(entry: Entry) -> Names:
    return Names(entry.name, tuple(entry.aliases))


def _canonical_roles(roles: Sequence[str]) -> set[str]:
    out: set[str] = set()
    for role in roles:
        out |= {r.casefold() for r in split_roles(role)} or {role.strip().casefold()}
    return out


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))
