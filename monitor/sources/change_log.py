"""``kind: change_log`` — registry change records (before/after text) as an officer list.

Chinese registries and aggregators publish key-personnel changes as records like
``{date, item: "主要人员变更", before: "陈一丹（董事长兼总经理）、马化腾（董事）",
after: "马化腾（董事）、沈丹（董事长兼总经理）"}``. Removed or added names may be
wrapped in ``<em>``; the same change is often repeated on one day under several
item labels (高级管理人员备案 / 董事备案 / 主要人员变更); some records change nothing.

The records are replayed oldest first into the officer list they imply, so the usual
diff turns a new record into joined/left/role_changed events with the record's date.
Replaying is idempotent, which is what makes a repeated record harmless; no-op and
same-day duplicate records are also dropped explicitly (``significant``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from monitor.errors import ParseError
from monitor.fetch import Fetcher, require_ok
from monitor.fieldtypes import HttpUrl
from monitor.model import Officer
from monitor.normalize import canonical_role, clean_text, name_key, normalize_name, split_roles
from monitor.sources.base import FetchState, NotModified, Observation, Source, SourceSpec, register
from monitor.sources.json_api import (
    JmesPath,
    decode_json,
    expect_list,
    fetch_pages,
    normalize_date,
    observation,
    search,
    text_of,
    with_published,
)

DEFAULT_ITEMS = (
    "人员",
    "董事",
    "监事",
    "经理",
    "高级管理",
    "法定代表人",
    "负责人",
    "合伙人",
    "officer",
    "director",
)

# --- parsing (pure) ----------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
_OPEN = "(（[【"
_CLOSE = ")）]】"
_SEPARATORS = "、，,;；\n"
_CJK = re.compile(r"[\u3400-\u9fff]")
_ENTRY = re.compile(r"^(?P<name>[^(（\[【]+?)\s*(?:[(（\[【](?P<role>[^)）\]】]*)[)）\]】])?\s*$")


def strip_markup(text: str) -> str:
    """Drop ``<em>`` and any other tags, unescape entities, normalise width and spaces."""
    return clean_text(html.unescape(_TAG.sub("", text)))


def _splits_at_space(text: str, i: int) -> bool:
    """A space separates two entries only next to Chinese text or after a bracket."""
    before = text[:i].rstrip()
    after = text[i:].lstrip()
    if not before or not after:
        return False
    prev, nxt = before[-1], after[0]
    return bool(_CJK.match(prev) or prev in _CLOSE or _CJK.match(nxt))


def split_entries(text: str) -> list[str]:
    """Split a personnel list at 、，,;； (and spaces between Chinese names), never
    inside brackets: ``"陈一丹（董事长、总经理）"`` stays one entry."""
    entries: list[str] = []
    depth = 0
    current: list[str] = []
    for i, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        is_space_split = char.isspace() and depth == 0 and _splits_at_space(text, i)
        if depth == 0 and (char in _SEPARATORS or is_space_split):
            entries.append("".join(current))
            current = []
            continue
        current.append(char)
    entries.append("".join(current))
    return [e.strip() for e in entries if e.strip()]


@dataclass(frozen=True)
class Seat:
    """One name in a before/after list, with the roles written beside it."""

    name: str
    roles: frozenset[str] = frozenset()

    @property
    def name_key(self) -> str:
        return name_key(self.name)


def parse_people(text: str | None, default_roles: frozenset[str] = frozenset()) -> tuple[Seat, ...]:
    """``"陈一丹（董事长兼总经理）、许晨晔（监事）"`` → seats; unknown shapes keep the name."""
    if not text:
        return ()
    seats: list[Seat] = []
    for entry in split_entries(strip_markup(text)):
        match = _ENTRY.match(entry)
        name = match.group("name") if match else entry
        role = match.group("role") if match else None
        if not name or name in ("无", "-", "—", "--", "空"):
            continue
        roles = split_roles(role) if role else default_roles
        seats.append(Seat(normalize_name(name), roles or default_roles))
    return tuple(seats)


def item_roles(item: str) -> frozenset[str]:
    """The role an item label itself names (法定代表人变更 → legal representative)."""
    cleaned = clean_text(item).casefold().strip(" .:-")
    role = canonical_role(cleaned)
    return frozenset({role}) if role and role != cleaned else frozenset()


@dataclass(frozen=True)
class Record:
    date: str | None
    item: str
    before: tuple[Seat, ...]
    after: tuple[Seat, ...]
    evidence: str = ""

    @property
    def signature(self) -> tuple[str | None, frozenset[Any], frozenset[Any]]:
        return (self.date, _as_set(self.before), _as_set(self.after))

    @property
    def no_op(self) -> bool:
        return _as_set(self.before) == _as_set(self.after)


def _as_set(seats: Sequence[Seat]) -> frozenset[tuple[str, frozenset[str]]]:
    return frozenset((name_key(s.name), s.roles) for s in seats)


def make_record(date: Any, item: Any, before: Any, after: Any, utc_offset: float = 8) -> Record:
    label = text_of(item) or ""
    default = item_roles(label)
    before_text, after_text = _list_text(before), _list_text(after)
    day = normalize_date(date, utc_offset)
    return Record(
        date=day,
        item=label,
        before=parse_people(before_text, default),
        after=parse_people(after_text, default),
        evidence=f"{day or '?'} {label}: {strip_markup(before_text or '')} → "
        f"{strip_markup(after_text or '')}",
    )


def _list_text(value: Any) -> str | None:
    if isinstance(value, list):
        return "、".join(str(v) for v in value if isinstance(v, str | int | float))
    return value if isinstance(value, str) else text_of(value)


def chronological(records: Sequence[Record]) -> list[Record]:
    """Oldest first. Logs are usually newest first; same-day records keep their
    relative order as if read from the oldest end."""
    dated = [r for r in records if r.date]
    if len(dated) >= 2 and (dated[0].date or "") > (dated[-1].date or ""):
        records = list(reversed(records))
    return sorted(records, key=lambda r: r.date or "")


def significant(records: Sequence[Record]) -> list[Record]:
    """Drop records that change nothing and repeats of a change on the same day."""
    kept: list[Record] = []
    seen: set[tuple[str | None, frozenset[Any], frozenset[Any]]] = set()
    for record in chronological([r for r in records if not r.no_op]):
        if record.signature in seen:
            continue
        seen.add(record.signature)
        kept.append(record)
    return kept


@dataclass
class _Position:
    name: str
    roles: set[str] = field(default_factory=set)
    appointed: str | None = None
    resigned: str | None = None
    changed_on: str | None = None
    evidence: str = ""


def replay(records: Sequence[Record], company: str) -> list[Officer]:
    """The officer list the change records imply: current officers, and former ones
    with the date they were removed."""
    state: dict[str, _Position] = {}
    for record in significant(records):
        _apply(state, record)
    return [
        with_published(
            Officer(
                name=p.name,
                company=company,
                roles=frozenset(p.roles),
                appointed=p.appointed,
                resigned=p.resigned,
                evidence=p.evidence,
            ),
            p.changed_on,
        )
        for p in state.values()
    ]


def _apply(state: dict[str, _Position], record: Record) -> None:
    before = {name_key(s.name): s for s in record.before}
    after = {name_key(s.name): s for s in record.after}
    for key in before.keys() - after.keys():
        _remove(state, before[key], record)
    for key, seat in after.items():
        _add(state, seat, before.get(key), record)


def _remove(state: dict[str, _Position], seat: Seat, record: Record) -> None:
    position = state.get(seat.name_key)
    if position is None:
        state[seat.name_key] = _Position(seat.name, set(seat.roles), resigned=record.date)
        _touch(state[seat.name_key], record)
        return
    if position.resigned is not None:
        return
    remaining = position.roles - seat.roles if seat.roles else set()
    if not remaining:
        position.resigned = record.date or "unknown"
    else:
        position.roles = remaining
    _touch(position, record)


def _add(state: dict[str, _Position], seat: Seat, old: Seat | None, record: Record) -> None:
    position = state.get(seat.name_key)
    if position is None:
        appointed = record.date if old is None else None
        position = state[seat.name_key] = _Position(seat.name, set(seat.roles), appointed)
        if old is None:
            _touch(position, record)
        return
    if position.resigned is not None:
        position.roles, position.resigned, position.appointed = set(seat.roles), None, record.date
        _touch(position, record)
        return
    kept = position.roles - old.roles if old else position.roles
    roles = kept | seat.roles
    if roles != position.roles:
        position.roles = roles
        _touch(position, record)


def _touch(position: _Position, record: Record) -> None:
    position.changed_on = record.date
    position.evidence = record.evidence


# --- the source --------------------------------------------------------------


class ChangeLogFields(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    date: JmesPath
    item: JmesPath | None = None
    before: JmesPath
    after: JmesPath


@register("change_log")
class ChangeLogSpec(SourceSpec):
    kind: Literal["change_log"]
    url: HttpUrl
    records: JmesPath
    fields: ChangeLogFields
    items: list[str] = Field(
        default=list(DEFAULT_ITEMS),
        description="records whose item label contains one of these are about people",
    )
    next: JmesPath | None = None
    max_pages: int = Field(default=20, ge=1, le=1000)
    headers: dict[str, str] = Field(default_factory=dict)
    utc_offset: float = Field(
        default=8, ge=-14, le=14, description="hours; how epoch timestamps are read"
    )

    def build(self, entity: str) -> ChangeLogSource:
        return ChangeLogSource(self, entity)


class ChangeLogSource(Source):
    spec: ChangeLogSpec

    async def observe(self, fetcher: Fetcher, state: FetchState) -> Observation:
        spec = self.spec
        if spec.next is None:
            response = require_ok(
                await fetcher.get(spec.url, etag=state.etag, headers=spec.headers)
            )
            if response.not_modified:
                return NotModified(response.etag or state.etag, state.last_modified, spec.url)
            pages = [
                (spec.url, decode_json(response.body, spec.url, "the change log"), response.body)
            ]
        else:
            pages = await fetch_pages(
                fetcher, spec.url, spec.next, spec.max_pages, spec.headers, None
            )
        records = [r for url, data, _ in pages for r in read_records(data, spec, url)]
        officers = replay(records, self.entity)
        return observation(
            officers, [body for _, _, body in pages], state, spec.url, rows_seen=len(records)
        )


def read_records(data: Any, spec: ChangeLogSpec, url: str) -> list[Record]:
    """Pure: one decoded page → the personnel change records on it."""
    found = search(spec.records, data)
    if found is None:
        raise ParseError(
            f"the change log at {url} has nothing at `records: {spec.records}`; "
            "the response format has changed or the expression is wrong"
        )
    records: list[Record] = []
    for row in expect_list(found, url, "the change log", spec.records):
        if not isinstance(row, Mapping):
            continue
        f = spec.fields
        item = search(f.item, row) if f.item else ""
        label = text_of(item) or ""
        if f.item and not _about_people(label, spec.items):
            continue
        records.append(
            make_record(
                search(f.date, row),
                label,
                search(f.before, row),
                search(f.after, row),
                spec.utc_offset,
            )
        )
    return records


def _about_people(label: str, wanted: Sequence[str]) -> bool:
    folded = label.casefold()
    return any(w.casefold() in folded for w in wanted)
