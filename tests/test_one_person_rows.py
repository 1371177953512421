"""One person on several rows of a registry page, end to end: the date of the row that
ended is the date reported, whatever the order of the rows (SQLite and PostgreSQL)."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import PageServer

from monitor.cli import main

HEAD = ("Name", "Position", "Appointed", "Resigned")


def page(rows: list[tuple[str, str, str, str]]) -> str:
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    head = "".join(f"<th>{h}</th>" for h in HEAD)
    return f"<html><body><table><tr>{head}</tr>{cells}</table></body></html>"


def cli(config: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["-c", str(config), *args], catch_exceptions=False)


@pytest.mark.parametrize("reorder", [False, True], ids=["as-listed", "rows-moved"])
def test_jane_leaves_as_chairman_on_her_own_date(
    server: PageServer, db_url: str, tmp_path: Path, reorder: bool
) -> None:
    old_row = ("Jane Smith", "Director", "2015-01-05", "2026-11-28")
    chair = ("Jane Smith", "Chairman", "2020-02-01", "")
    other = ("Liu De", "Director", "2019-03-01", "")
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"""
state: "{db_url}"
hosts:
  "127.0.0.1": {{rate: none}}
companies:
  - name: Example Holdings Ltd
    sources:
      - kind: html
        url: {server.url("/board")}
        columns: {{name: Name, role: Position, appointed: Appointed, resigned: Resigned}}
""",
        encoding="utf-8",
    )
    server.set("/board", page([old_row, chair, other]))
    assert cli(config, "check").exit_code == 0
    ended = (*chair[:3], "2026-11-30")
    rows = [ended, old_row, other] if reorder else [old_row, ended, other]
    server.set("/board", page(rows))
    assert cli(config, "check", "--all").exit_code == 0
    found = [json.loads(line) for line in cli(config, "events", "--json").output.splitlines()]
    assert [(e["change"], e["person"], e["role"], e["effective_date"]) for e in found] == [
        ("left", "Jane Smith", "chairman", "2026-11-30")
    ]
