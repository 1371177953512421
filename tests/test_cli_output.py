"""The output contract (README, "Output"): JSON Lines for lists, one object for one thing,
the same fields for the same event everywhere, RFC 3339 UTC times with Z, labelled tables,
colour only on a terminal."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import PageServer, registry_page

from monitor import output
from monitor.cli import main

WUHAN = "Xiaomi Technology (Wuhan) Co., Ltd."
BEFORE = [("雷军", "Legal Representative", "2015-06-01"), ("Wang Chuan", "Supervisor", "2015-06-01")]
AFTER = [
    ("雷军", "Director", "2015-06-01"),
    ("Zeng Xuezhong", "Legal Representative", "2021-12-07"),
]
ANSI = re.compile(r"\x1b\[")


def invoke(config: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["-c", str(config), *args], env=env, catch_exceptions=False)


def lines(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def watched(tmp_path: Path, server: PageServer) -> Path:
    """A watch list whose one registry page has changed once since the baseline."""
    server.set("/wuhan", registry_page(WUHAN, BEFORE))
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"""
state: "sqlite:///{tmp_path / "state.db"}"
hosts: {{"127.0.0.1": {{rate: none}}}}
people:
  - {{name: Lei Jun, aliases: ["雷军"]}}
companies:
  - name: {WUHAN}
    sources:
      - kind: html
        url: {server.url("/wuhan")}
        rows: "table#officers tr:not(:first-child)"
        fields: {{name: "td:nth-of-type(1)", role: "td:nth-of-type(2)", appointed: "td:nth-of-type(3)"}}
""",
        encoding="utf-8",
    )
    baseline = invoke(config, "check", "--json")
    assert baseline.exit_code == 0 and baseline.stdout == ""  # a baseline reports nothing
    server.set("/wuhan", registry_page(WUHAN, AFTER))
    return config


def test_the_same_event_has_the_same_fields_in_check_events_and_timeline(watched: Path) -> None:
    checked = lines(invoke(watched, "check", "--all", "--json"))
    assert {(e["change"], e["person"]) for e in checked} == {
        ("role_changed", "雷军"),
        ("joined", "Zeng Xuezhong"),
        ("left", "Wang Chuan"),
    }
    listed = {e["id"]: e for e in lines(invoke(watched, "events", "--json"))}
    timeline = lines(invoke(watched, "timeline", "Lei Jun", "--json"))
    for event in checked:
        assert listed[event["id"]] == event
    (lei,) = timeline
    assert listed[lei["id"]] == lei
    assert lei["evidence_items"], "the evidence is listed wherever the event is printed"
    assert lei["roles"] == ["director"] and lei["previous_role"] == "legal representative"
    # normalised for programs; as the registry wrote it too
    assert (lei["role_as_written"], lei["previous_role_as_written"]) == (
        "Director",
        "Legal Representative",
    )
    for event in checked:
        stamp = event["detected_at"]
        assert stamp.endswith("Z") and "+00:00" not in stamp
        datetime.fromisoformat(stamp)


def test_lists_print_nothing_for_nothing_and_one_object_per_line(watched: Path) -> None:
    assert invoke(watched, "events", "--json", "--person", "Nobody").stdout == ""
    assert invoke(watched, "timeline", "Nobody", "--json").stdout == ""
    nothing = invoke(watched, "events", "--person", "Nobody")
    assert nothing.exit_code == 0 and nothing.stdout == "" and "no events" in nothing.stderr
    (source,) = lines(invoke(watched, "preview", "--json"))
    assert source["error"] is None and len(source["officers"]) == 2
    status = invoke(watched, "status", "--json")
    assert len(status.stdout.splitlines()) == 1  # one object, on one line
    (row,) = json.loads(status.stdout)["sources"]
    assert row["next_check_at"].endswith("Z")


def test_tables_label_their_dates_and_say_the_change_in_words(watched: Path) -> None:
    checked = invoke(watched, "check", "--all")
    assert checked.exit_code == 0
    header, *rows = checked.stdout.splitlines()[:4]
    assert header.split() == [
        "ID", "DETECTED", "(UTC)", "EFFECTIVE", "CHANGE", "PERSON", "COMPANY", "ROLE"
    ]  # fmt: skip
    # roles as the registry wrote them
    assert any(" role changed " in r and "Legal Representative → Director" in r for r in rows)
    assert any(" joined " in r and "2021-12-07" in r for r in rows)
    assert "role_changed" not in checked.stdout
    timeline = invoke(watched, "timeline", "雷军").stdout.splitlines()
    assert timeline[0] == "Timeline of 雷军:"
    assert timeline[1].split()[:4] == ["EFFECTIVE", "DETECTED", "(UTC)", "CHANGE"]
    status = invoke(watched, "status").stdout
    assert "{" not in status and "[" not in status  # sections in words, not Python or JSON
    assert "deliveries: 0 pending" in status
    assert not ANSI.search(checked.stdout + checked.stderr + status)  # not a terminal


def test_preview_names_the_source_once_shows_dates_and_fails_when_the_fetch_does(
    watched: Path, server: PageServer
) -> None:
    shown = invoke(watched, "preview")
    assert shown.exit_code == 0
    assert shown.stdout.count(server.url("/wuhan")) == 1
    assert "APPOINTED" in shown.stdout and "2021-12-07" in shown.stdout
    server.set("/wuhan", "down", status=500)
    failed = invoke(watched, "preview")
    assert failed.exit_code == 1 and "FAILED" in failed.stderr and "500" in failed.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert output.colour_enabled(_Terminal())
    assert not output.colour_enabled(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not output.colour_enabled(_Terminal())
    painted = output.table(["change"], [["left"]], colour=lambda *_: "red", enabled=True)
    assert ANSI.search(painted[1]) and "left" in painted[1]


def test_status_sections_read_as_words() -> None:
    from monitor.cli import _section_lines

    processes = [{"role": "run", "host": "box", "pid": 7, "heartbeat_seconds_ago": 1.5}]
    assert _section_lines("processes", processes) == [
        "processes: 1",
        "  - role run, host box, pid 7, heartbeat_seconds_ago 1.5",
    ]
    deliveries = {"pending": 2, "dead": 1, "attention": [{"id": 3, "status": "dead"}]}
    assert _section_lines("deliveries", deliveries) == [
        "deliveries: 2 pending, 1 dead",
        "  attention: id 3, status dead",
    ]
