"""A person's moves across companies as one SVG, drawn on the server. Pure.

One lane per company, time running left to right: a bar for each tenure (joined
to left, or to today), a mark for every event. No script; the text uses the page's
fonts, so Chinese names render like the rest of the page. Every label is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from monitor.store import EventRecord

LANE = 34
LABEL = 270
WIDTH = 900
TOP = 28
PAD = 12


@dataclass(frozen=True)
class Mark:
    when: date
    change: str
    role: str
    event_id: int


def _day(record: EventRecord) -> date:
    text = record.effective_date or ""
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return record.detected_at.date()


def _lanes(records: Sequence[EventRecord]) -> dict[str, list[Mark]]:
    lanes: dict[str, list[Mark]] = {}
    for r in records:
        lanes.setdefault(r.company, []).append(Mark(_day(r), r.change, r.role, r.id))
    for marks in lanes.values():
        marks.sort(key=lambda m: (m.when, m.event_id))
    return lanes


def _spans(marks: Sequence[Mark], first: date, today: date) -> list[tuple[date, date, str]]:
    """(start, end, class) tenures: a join opens one, a departure closes it. A departure
    with no join seen began before the chart does; a tenure not closed runs to today."""
    spans: list[tuple[date, date, str]] = []
    start: date | None = None
    for mark in marks:
        if mark.change == "joined" and start is None:
            start = mark.when
        elif mark.change == "left":
            spans.append(
                (start, mark.when, "tenure") if start else (first, mark.when, "tenure before")
            )
            start = None
    if start is not None:
        spans.append((start, today, "tenure open"))
    return spans


def timeline_svg(records: Sequence[EventRecord], today: date, link: str = "/events/") -> str:
    """The SVG markup for ``records`` (one person's events)."""
    lanes = _lanes(records)
    if not lanes:
        return ""
    days = [m.when for marks in lanes.values() for m in marks] + [today]
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    inner = WIDTH - LABEL - 2 * PAD

    def x(day: date) -> float:
        return round(LABEL + PAD + inner * (day - first).days / span, 1)

    height = TOP + LANE * len(lanes) + PAD
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" aria-label="timeline">',
        f'<text class="axis" x="{LABEL + PAD}" y="16">{first.isoformat()}</text>',
        f'<text class="axis" x="{WIDTH - PAD}" y="16" text-anchor="end">{last.isoformat()}</text>',
    ]
    for index, (company, marks) in enumerate(sorted(lanes.items(), key=lambda kv: kv[1][0].when)):
        y = TOP + LANE * index + LANE / 2
        out.append(f'<line class="lane" x1="{LABEL}" x2="{WIDTH - PAD}" y1="{y}" y2="{y}"/>')
        out.append(
            f'<text class="company" x="{LABEL - 6}" y="{y + 4}" text-anchor="end">'
            f"<title>{escape(company)}</title>{escape(_short(company))}</text>"
        )
        for start, end, kind in _spans(marks, first, today):
            width = max(x(end) - x(start), 2.0)
            out.append(
                f'<rect class="{kind}" x="{x(start)}" y="{y - 5}" width="{width}" height="10"/>'
            )
        for mark in marks:
            label = f"{mark.when.isoformat()} {mark.change} {mark.role}".strip()
            out.append(
                f'<a href="{link}{mark.event_id}"><circle class="mark {escape(mark.change)}" '
                f'cx="{x(mark.when)}" cy="{y}" r="6"><title>{escape(label)}</title></circle></a>'
            )
    out.append("</svg>")
    return "\n".join(out)


def _short(name: str, limit: int = 34) -> str:
    """At most ``limit`` half-width cells (a Han character takes two)."""
    cells = 0
    for index, char in enumerate(name):
        cells += 2 if ord(char) >= 0x2E80 else 1
        if cells > limit:
            return name[:index] + "…"
    return name
