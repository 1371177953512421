"""Pure comparison of two officer observations, and the flap guard.

``diff`` turns two observations into joined/left/role_changed changes; ``assess``
decides whether a new observation may be trusted before anything is emitted: an
extraction that finds nothing, or that suddenly shrinks by more than half, is
held back until a second identical extraction confirms it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from monitor.model import Change, Extraction, Officer, officers_hash

Key = tuple[str, str]
VerdictKind = Literal["baseline", "unchanged", "changed", "suspect", "confirmed"]


def merge(officers: Iterable[Officer]) -> dict[Key, Officer]:
    """Index officers by identity; several rows for one person merge their roles."""
    index: dict[Key, Officer] = {}
    for officer in officers:
        seen = index.get(officer.key)
        if seen is None:
            index[officer.key] = officer
            continue
        if seen.active != officer.active:
            # A current row beats a historic one for the same person.
            if officer.active:
                index[officer.key] = officer
            continue
        index[officer.key] = replace(
            seen,
            roles=seen.roles | officer.roles,
            appointed=_earliest(seen.appointed, officer.appointed),
            evidence=seen.evidence
            if officer.evidence in seen.evidence
            else f"{seen.evidence}\n{officer.evidence}".strip(),
        )
    return index


def _earliest(a: str | None, b: str | None) -> str | None:
    return min(x for x in (a, b) if x) if (a or b) else None


def diff(before: Iterable[Officer], after: Iterable[Officer]) -> list[Change]:
    """Changes that turn ``before`` into ``after``; order and whitespace do not count."""
    old_all, new_all = merge(before), merge(after)
    old = {k: o for k, o in old_all.items() if o.active}
    new = {k: o for k, o in new_all.items() if o.active}
    changes: list[Change] = []
    for key in sorted(old.keys() - new.keys()):
        gone = old[key]
        resigned = new_all.get(key)
        changes.append(
            Change(
                "left",
                gone.name,
                gone.company,
                roles=gone.roles,
                effective_date=resigned.resigned if resigned else None,
                evidence=resigned.evidence if resigned else gone.evidence,
                published_date=resigned.published if resigned else None,
            )
        )
    for key in sorted(new.keys() - old.keys()):
        came = new[key]
        changes.append(
            Change(
                "joined",
                came.name,
                came.company,
                roles=came.roles,
                effective_date=came.appointed,
                evidence=came.evidence,
                published_date=came.published,
            )
        )
    for key in sorted(old.keys() & new.keys()):
        was, now = old[key], new[key]
        if was.roles != now.roles:
            changes.append(
                Change(
                    "role_changed",
                    now.name,
                    now.company,
                    roles=now.roles,
                    previous_roles=was.roles,
                    effective_date=now.appointed if now.appointed != was.appointed else None,
                    evidence=now.evidence,
                    published_date=now.published,
                )
            )
    return changes


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
    if current.rows_seen == 0 or not current.officers:
        return Verdict("suspect", reason="no officer rows found on the page", fingerprint="")
    if previous is None:
        return Verdict("baseline", fingerprint=fingerprint)
    if officers_hash(tuple(previous)) == fingerprint:
        return Verdict("unchanged", fingerprint=fingerprint)
    changes = tuple(diff(previous, current.officers))
    reason = _mass_loss(previous, current.officers, max_loss)
    if reason is None:
        return Verdict("changed" if changes else "unchanged", changes, fingerprint=fingerprint)
    if pending == fingerprint:
        return Verdict("confirmed", changes, reason=reason, fingerprint=fingerprint)
    return Verdict("suspect", reason=reason, fingerprint=fingerprint)


def _mass_loss(
    previous: Sequence[Officer], current: Sequence[Officer], max_loss: float
) -> str | None:
    before = {k for k, o in merge(previous).items() if o.active}
    now = merge(current)
    after = {k for k, o in now.items() if o.active}
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
