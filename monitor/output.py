"""What the command line prints: JSON Lines for programs, labelled tables for people.

The contract (the README's "Output"): every ``--json`` command that lists things prints
one JSON object per line and nothing when there is nothing; a command about one thing
prints one JSON object. An event has the same fields wherever it is printed. Times are
RFC 3339 in UTC with a ``Z``. Colour only on a terminal, and never with ``NO_COLOR`` set.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import IO, Any

import click

from monitor.store import EventRecord

CHANGE_WORDS = {
    "joined": "joined",
    "left": "left",
    "role_changed": "role changed",
    "filed_officer_change": "officer-change filing",
}
CHANGE_COLOURS = {"joined": "green", "left": "red", "role_changed": "yellow"}


def utc(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with ``Z``; the store keeps naive UTC datetimes."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds") + "Z"


def json_line(item: Mapping[str, Any]) -> str:
    return json.dumps(item, ensure_ascii=False, separators=(", ", ": "))


def echo_json_lines(items: Iterable[Mapping[str, Any]]) -> None:
    """One object per line; nothing at all for no items."""
    for item in items:
        click.echo(json_line(item))


def colour_enabled(stream: IO[Any] | None = None) -> bool:
    """On a terminal, unless ``NO_COLOR`` is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    target = stream if stream is not None else sys.stdout
    try:
        return target.isatty()
    except (AttributeError, ValueError):
        return False


def paint(text: str, colour: str | None, enabled: bool, *, bold: bool = False) -> str:
    if not enabled or (colour is None and not bold):
        return text
    return click.style(text, fg=colour, bold=bold)


def width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    colour: Callable[[int, str, int], str | None] | None = None,
    enabled: bool = False,
) -> list[str]:
    """Left-aligned columns under upper-case headers; the last column is not padded.

    ``colour(row_index, cell, column)`` names a colour for a cell, or None.
    """
    widths = [max([width(h), *(width(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str], styled: Callable[[int, str], str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            pad = "" if i == len(cells) - 1 else " " * (widths[i] - width(cell))
            out.append(styled(i, cell) + pad)
        return "  ".join(out).rstrip()

    def header(i: int, cell: str) -> str:
        return paint(cell, None, enabled, bold=True)

    lines = [line([h.upper() for h in headers], header)]
    for n, row in enumerate(rows):

        def cell(i: int, text: str, n: int = n) -> str:
            return paint(text, colour(n, text, i) if colour else None, enabled)

        lines.append(line(row, cell))
    return lines


def event_json(record: EventRecord) -> dict[str, Any]:
    """An event as every ``--json`` command prints it."""
    return record.to_json()


def role_text(record: EventRecord) -> str:
    """The roles as the source wrote them, else in the normalised vocabulary."""
    now = record.role_text or record.role or "-"
    if record.change == "role_changed":
        return f"{record.previous_role_text or record.previous_role or '-'} → {now}"
    return now


def detected(record: EventRecord) -> str:
    return record.detected_at.strftime("%Y-%m-%d %H:%M")


def event_table(records: Sequence[EventRecord], *, enabled: bool) -> list[str]:
    """``monitor events`` and ``monitor check``: one labelled row per event."""
    headers = ("id", "detected (UTC)", "effective", "change", "person", "company", "role")
    rows = [
        (
            f"#{r.id}",
            detected(r),
            r.effective_date or "-",
            CHANGE_WORDS.get(r.change, r.change),
            r.person,
            r.company,
            role_text(r),
        )
        for r in records
    ]
    return table(headers, rows, colour=_change_colour(records, 3), enabled=enabled)


def timeline_table(records: Sequence[EventRecord], *, enabled: bool) -> list[str]:
    """``monitor timeline``: one person's moves, oldest first."""
    headers = ("effective", "detected (UTC)", "change", "company", "role")
    rows = [
        (
            r.effective_date or "-",
            detected(r),
            CHANGE_WORDS.get(r.change, r.change),
            r.company,
            role_text(r),
        )
        for r in records
    ]
    return table(headers, rows, colour=_change_colour(records, 2), enabled=enabled)


def _change_colour(
    records: Sequence[EventRecord], column: int
) -> Callable[[int, str, int], str | None]:
    def pick(row: int, cell: str, col: int) -> str | None:
        return CHANGE_COLOURS.get(records[row].change) if col == column else None

    return pick


def echo_status_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], column: int, colours: Mapping[str, str]
) -> None:
    """Print ``table`` on stdout, the cells of the status ``column`` in their colour."""
    for line in table(
        headers,
        rows,
        colour=lambda n, cell, col: colours.get(cell) if col == column else None,
        enabled=colour_enabled(),
    ):
        click.echo(line)
