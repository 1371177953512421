"""Pure comparison of two officer observations, and the flap guard.

``diff`` turns two observations into joined/left/role_changed changes; ``assess``
decides whether a new observation may be trusted before anything is emitted: an
extraction that finds nothing, or that suddenly shrinks by more than half, is
held back until a second identical extraction confirms it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from monitor.model import Change, Extraction, Officer, officers_hash
from monitor.normalize import KNOWN_ROLES, split_roles

Key = tuple[str, ...]
VerdictKind = Literal["baseline", "unchanged", "changed", "suspect", "confirmed"]


@dataclass(frozen=True)
class Merged:
    """One person's rows at one company, as one officer.

    ``officer`` holds the roles of the current rows (of all rows when none is current,
    with the latest resignation date); ``ended`` maps each role no longer held to the
    latest resignation date of its rows, and ``since`` each held role to its earliest
    appointment.
    """

    officer: Officer
    ended: Mapping[str, str | None]
    since: Mapping[str, str | None]

    def end_of(self, roles: Iterable[str]) -> str | None:
        """When the last of ``roles`` ended (any ended role when none of them is known)."""
        wanted = set(roles) or {""}
        dates = [d for r, d in self.ended.items() if r in wanted] or list(self.ended.values())
        return _latest(dates)


def merge(officers: Iterable[Officer]) -> dict[Key, Merged]:
    """Index officers by identity; several rows for one person merge into one.

    A resigned row keeps its date even when another row of the same person is
    current, and the order of the rows never decides which date counts.
    """
    groups: dict[Key, list[Officer]] = {}
    for officer in officers:
        groups.setdefault(officer.key, []).append(officer)
    return {key: _merge_rows(rows) for key, rows in groups.items()}


def _merge_rows(rows: list[Officer]) -> Merged:
    current = [o for o in rows if o.active]
    former = [o for o in rows if not o.active]
    base = current or former
    held = frozenset().union(*(o.roles for o in current))
    ended: dict[str, str | None] = {}
    for row in former:
        for role in row.roles or {""}:
            if role not in held:
                ended[role] = _latest([ended.get(role), row.resigned])
    since: dict[str, str | None] = {}
    for row in current:
        for role in row.roles or {""}:
            since[role] = _earliest([since.get(role), row.appointed])
    evidence: list[str] = []
    for row in (*current, *former):
        if row.evidence and row.evidence not in evidence:
            evidence.append(row.evidence)
    first = base[0]
    officer = replace(
        first,
        roles=frozenset().union(*(o.roles for o in base)),
        appointed=_earliest([o.appointed for o in base]),
        resigned=None if current else _latest([o.resigned for o in former]),
        evidence="\n".join(evidence),
        published=next((o.published for o in base if o.published), None),
        role_text=", ".join(dict.fromkeys(o.role_text for o in base if o.role_text)),
    )
    return Merged(officer, ended, since)


_ISO = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2}))?)?")
_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%d/%m/%Y", "%d.%m.%Y")


def _date_order(text: str) -> tuple[int, int, int] | None:
    """A sortable form of a date as registries write it; None when it cannot be read."""
    match = _ISO.match(text.strip())
    if match:
        year, month, day = match.groups()
        return (int(year), int(month or 0), int(day or 0))
    for layout in _FORMATS:
        try:
            parsed = datetime.strptime(text.strip(), layout)
        except ValueError:
            continue
        return (parsed.year, parsed.month, parsed.day)
    return None


def _pick(dates: Iterable[str | None], later: bool) -> str | None:
    known = [d for d in dates if d]
    readable = [d for d in known if _date_order(d) is not None]
    if not readable:
        return known[0] if known else None
    ordered = sorted(readable, key=lambda d: _date_order(d) or (0, 0, 0))
    return ordered[-1] if later else ordered[0]


def _latest(dates: Iterable[str | None]) -> str | None:
    return _pick(dates, later=True)


def _earliest(dates: Iterable[str | None]) -> str | None:
    return _pick(dates, later=False)


def _comparable(
    before: Iterable[Officer], after: Iterable[Officer]
) -> tuple[list[Officer], list[Officer]]:
    """Compare by registry ids only when both sides carry them.

    A snapshot stored before a source read officer ids compares by name, so reading
    ids for the first time is not every officer leaving and joining again.
    """
    old, new = list(before), list(after)
    old_ids, new_ids = any(o.uid for o in old), any(o.uid for o in new)
    if old and new and old_ids != new_ids:
        old = [replace(o, uid=None) for o in old]
        new = [replace(o, uid=None) for o in new]
    return old, new


def diff(before: Iterable[Officer], after: Iterable[Officer]) -> list[Change]:
    """Changes that turn ``before`` into ``after``; order and whitespace do not count."""
    old_all, new_all = (merge(side) for side in _comparable(before, after))
    old = {k: m for k, m in old_all.items() if m.officer.active}
    new = {k: m for k, m in new_all.items() if m.officer.active}
    changes: list[Change] = []
    for key in sorted(old.keys() - new.keys()):
        gone = old[key].officer
        resigned = new_all.get(key)
        changes.append(
            Change(
                "left",
                gone.name,
                gone.company,
                roles=gone.roles,
                effective_date=resigned.end_of(gone.roles) if resigned else None,
                evidence=resigned.officer.evidence if resigned else gone.evidence,
                published_date=resigned.officer.published if resigned else None,
                role_text=gone.role_text,
            )
        )
    for key in sorted(new.keys() - old.keys()):
        came = new[key].officer
        changes.append(
            Change(
                "joined",
                came.name,
                came.company,
                roles=came.roles,
                effective_date=came.appointed,
                evidence=came.evidence,
                published_date=came.published,
                role_text=came.role_text,
            )
        )
    for key in sorted(old.keys() & new.keys()):
        was, now = old[key].officer, new[key].officer
        if was.roles != now.roles:
            changes.append(
                Change(
                    "role_changed",
                    now.name,
                    now.company,
                    roles=now.roles,
                    previous_roles=was.roles,
                    effective_date=_role_change_date(was.roles, new[key]),
                    evidence=now.evidence,
                    published_date=now.published,
                    role_text=now.role_text,
                    previous_role_text=was.role_text,
                )
            )
    return changes


def _role_change_date(was: frozenset[str], now: Merged) -> str | None:
    """When the roles changed: the latest appointment to an added role or end of a dropped one."""
    added = now.officer.roles - was
    dropped = was - now.officer.roles
    dates = [now.since.get(r) for r in added]
    dates += [now.ended.get(r) for r in dropped]
    return _latest(dates)


@dataclass(frozen=True)
class Verdict:
    """What to do with one new observation."""

    kind: VerdictKind
    changes: tuple[Change, ...] = ()
    reason: str | None = None
    fingerprint: str = ""

    @property
    def trusted(self) -> bool:
        """The observation becomes the new reference snapshot."""
        return self.kind != "suspect"


def assess(
    previous: Sequence[Officer] | None,
    current: Extraction,
    *,
    pending: str | None = None,
    max_loss: float = 0.5,
) -> Verdict:
    """Judge ``current`` against the reference snapshot ``previous``.

    ``pending`` is the fingerprint of the last held-back observation: the same
    suspicious observation seen twice in a row is a real mass change.
    """
    fingerprint = officers_hash(current.officers)
    if not current.officers and not current.structured:
        return Verdict("suspect", reason="no officer rows found on the page", fingerprint="")
    if previous is None:
        return Verdict("baseline", fingerprint=fingerprint)
    if officers_hash(tuple(previous)) == fingerprint:
        return Verdict("unchanged", fingerprint=fingerprint)
    changes = tuple(diff(previous, current.officers))
    layout = layout_change(previous, current.officers)
    if layout is not None:
        # Never confirmed by seeing it again: the same broken reading repeats every time.
        return Verdict("suspect", reason=f"{LAYOUT_CHANGED}: {layout}", fingerprint=fingerprint)
    reason = _mass_loss(previous, current.officers, max_loss)
    if reason is None:
        return Verdict("changed" if changes else "unchanged", changes, fingerprint=fingerprint)
    if pending == fingerprint:
        return Verdict("confirmed", changes, reason=reason, fingerprint=fingerprint)
    return Verdict("suspect", reason=reason, fingerprint=fingerprint)


def _mass_loss(
    previous: Sequence[Officer], current: Sequence[Officer], max_loss: float
) -> str | None:
    old, new = _comparable(previous, current)
    before = {k for k, m in merge(old).items() if m.officer.active}
    now = merge(new)
    after = {k for k, m in now.items() if m.officer.active}
    # A row still shown with a resignation date is explicit evidence, not a vanished row.
    vanished = before - now.keys()
    if before and not now.keys() & before and not after:
        return f"all {len(before)} current officers disappeared at once"
    lost = len(vanished)
    # A board replaced seat for seat is a real change; a list that shrinks by more
    # than half at once is far more often a broken or partial page.
    if len(before) >= 2 and lost > max_loss * len(before) and len(after) < max_loss * len(before):
        return f"{lost} of {len(before)} officers disappeared at once"
    return None


LAYOUT_CHANGED = "layout changed"


def layout_change(previous: Sequence[Officer], current: Sequence[Officer]) -> str | None:
    """Why ``current`` looks like a page read with the wrong layout, or None.

    Real boards change a few seats at a time and keep their columns: officers that
    all lose every role at once, a column that empties for everyone, or names that
    read as dates or job titles mean the page changed, not the board.
    """
    old, new = _comparable(previous, current)
    before = {k: m.officer for k, m in merge(old).items() if m.officer.active}
    after = {k: m.officer for k, m in merge(new).items()}
    if not before or not after:
        return None
    if sum(1 for o in before.values() if o.roles) >= 2 and not any(o.roles for o in after.values()):
        return "no officer has a role any more (the role column vanished)"
    dated = sum(1 for o in before.values() if o.appointed)
    if dated >= 2 and dated * 2 >= len(before) and not any(o.appointed for o in after.values()):
        return "no officer has an appointment date any more (the column vanished)"
    stripped = [k for k, o in before.items() if o.roles and k in after and not after[k].roles]
    if len(stripped) >= 2:
        return f"{len(stripped)} officers lost every role at once"
    joined = [o.name for k, o in after.items() if k not in before and o.active]
    odd = [name for name in joined if not looks_like_name(name)]
    if odd and len(odd) * 2 >= len(joined):
        return f"{len(odd)} new name(s) do not read as names, e.g. {odd[0]!r}"
    return None


_DATE_LIKE = re.compile(r"\d{1,4}\s*[-/.年月]\s*\d{1,2}")
_ITEM_ID = re.compile(r"^Q\d+$")  # a Wikidata person without a label


def looks_like_name(name: str) -> bool:
    """A person's or a company's name, not a date, a number or a job title."""
    text = name.strip()
    if not text or _ITEM_ID.match(text):
        return bool(text)
    if _DATE_LIKE.search(text) or len(text) > 120 or len(text.split()) > 12:
        return False
    digits = sum(c.isdigit() for c in text)
    if digits * 3 > len(text) or not any(c.isalpha() for c in text):
        return False
    return not (split_roles(text) and split_roles(text) <= KNOWN_ROLES)
