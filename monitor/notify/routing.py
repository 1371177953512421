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
from monitor.identity import Match, company_block_key, match_company, match_person
from monitor.normalize import split_roles
from monitor.store import EventRecord


def concerned(event: EventRecord, config: Config) -> list[Entry]:
    """The person and company entries an event is about, people first."""
    people: list[Entry] = [
        p for p in config.people if isinstance(match_person(event.person, [_names(p)]), Match)
    ]
    block = _company_blocks(config).get(company_block_key(event.company), [])
    companies: list[Entry] = [
        c for c in block if isinstance(match_company(event.company, [_names(c)]), Match)
    ]
    return people + companies


_BLOCKS: dict[int, tuple[Config, dict[str, list[Entry]]]] = {}


def _company_blocks(config: Config) -> dict[str, list[Entry]]:
    """Watched companies grouped by block key, built once per configuration."""
    cached = _BLOCKS.get(id(config))
    if cached is not None and cached[0] is config:
        return cached[1]
    blocks: dict[str, list[Entry]] = {}
    for entry in config.companies:
        for name in dict.fromkeys(company_block_key(n) for n in (entry.name, *entry.aliases)):
            blocks.setdefault(name, []).append(entry)
    _BLOCKS.clear()  # one configuration is live at a time (a reload replaces it)
    _BLOCKS[id(config)] = (config, blocks)
    return blocks


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
