"""Sources that go blind say so: held checks, layout changes, operator alerts, intervals.

Each test serves registry pages from 127.0.0.1, runs `monitor check` in-process on a
real database (SQLite and PostgreSQL) and reads what a user would: the output, the
exit status, `monitor status`, the events and the operator's webhook.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import test_notify_e2e
from click.testing import CliRunner
from conftest import PageServer
from test_notify_e2e import Hooks

from monitor.cli import main

hooks = test_notify_e2e.hooks

COMPANY = "Example Holdings Ltd"
BOARD = [
    ("Jane Smith", "Chairman", "2019-04-01"),
    ("Liu De", "Director", "2020-01-15"),
    ("Wang Hua", "Secretary", "2021-06-30"),
]


def page(rows: list[tuple[str, str, str]], headers: tuple[str, str, str]) -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<html><body><h1>{COMPANY}</h1><table><tr>{head}</tr>{body}</table></body></html>"


GOOD = page(BOARD, ("Name", "Position", "Appointed"))


def write_config(
    tmp_path: Path,
    server: PageServer,
    state: str,
    *,
    ops: str | None = None,
    interval: str = "6h",
    extra: str = "",
) -> Path:
    channels = f"channels: {{ops: {json.dumps(ops)}}}\n" if ops else ""
    operator = "  operator_notify: [ops]\n" if ops else ""
    path = tmp_path / "monitor.yaml"
    path.write_text(
        f"""
state: "{state}"
hosts:
  "127.0.0.1": {{rate: none}}
defaults:
  jitter: 0
{operator}{extra}{channels}companies:
  - name: {COMPANY}
    sources:
      - kind: html
        url: {server.url("/board")}
        interval: {interval}
        columns: {{name: Name, role: Position, appointed: Appointed}}
""",
        encoding="utf-8",
    )
    return path


def cli(config: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["-c", str(config), *args], catch_exceptions=False)


def status(config: Path) -> dict[str, Any]:
    result = cli(config, "status", "--json")
    assert result.exit_code == 0, result.output
    [source] = json.loads(result.output)["sources"]
    return dict(source)


def events(config: Path) -> list[dict[str, Any]]:
    result = cli(config, "events", "--json")
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def titles(receiver: Hooks) -> list[str]:
    return [str(p.body.get("title", "")) for p in receiver.to("/ops")]


# --- item 3: a layout change is held, said, and forgotten when the layout returns -----


@pytest.mark.parametrize(
    "broken",
    [
        page(BOARD, ("Name", "Post", "Appointed")),  # the role column renamed
        page([(d, r, n) for n, r, d in BOARD], ("Name", "Position", "Appointed")),  # swapped
    ],
    ids=["role-column-renamed", "name-and-date-swapped"],
)
def test_a_layout_change_seen_twice_is_held_and_told_not_reported(
    server: PageServer, db_url: str, tmp_path: Path, hooks: Hooks, broken: str
) -> None:
    config = write_config(tmp_path, server, db_url, ops=hooks.url("/ops"))
    server.set("/board", GOOD)
    checked = cli(config, "check", "--all")
    assert checked.exit_code == 0, checked.output
    server.set("/board", broken)
    for _ in range(3):
        result = cli(config, "check", "--all")
        assert result.exit_code == 1
        assert "HELD" in result.output and "layout changed" in result.output
    assert events(config) == []
    seen = status(config)
    assert not seen["healthy"] and seen["health_reason"].startswith("layout changed")
    assert seen["held_since"] is not None
    assert len([t for t in titles(hooks) if "layout changed" in t]) == 1
    server.set("/board", GOOD)
    checked = cli(config, "check", "--all")
    assert checked.exit_code == 0, checked.output
    assert events(config) == []
    assert status(config)["healthy"]


# --- items 4 and 5: held checks are failures, and `check` tells the operator --------------


def test_a_page_held_on_every_check_is_escalated(
    server: PageServer, db_url: str, tmp_path: Path, hooks: Hooks
) -> None:
    config = write_config(tmp_path, server, db_url, ops=hooks.url("/ops"))
    server.set("/board", GOOD)
    checked = cli(config, "check", "--all")
    assert checked.exit_code == 0, checked.output
    success = status(config)["last_success_at"]
    server.set("/board", "<html><body><p>Down for maintenance</p></body></html>")
    for checks in (1, 2, 3):
        result = cli(config, "check", "--all")
        assert result.exit_code == 1, result.output
        seen = status(config)
        assert seen["consecutive_failures"] == checks
        assert seen["last_success_at"] == success
        assert seen["held_since"] is not None
        unhealthy = [t for t in titles(hooks) if "unhealthy" in t]
        assert len(unhealthy) == (1 if checks == 3 else 0)
    text = cli(config, "status").output
    assert "held since" in text and "failures in a row 3" in text
    server.set("/board", GOOD)
    checked = cli(config, "check", "--all")
    assert checked.exit_code == 0, checked.output
    assert any("recovered" in t for t in titles(hooks))
    assert status(config)["held_since"] is None


def test_check_tells_the_operator_when_a_source_dies(
    server: PageServer, db_url: str, tmp_path: Path, hooks: Hooks
) -> None:
    config = write_config(
        tmp_path, server, db_url, ops=hooks.url("/ops"), extra="  unhealthy_after: 2\n"
    )
    server.set("/board", "gone", status=500)
    assert cli(config, "check", "--all").exit_code == 1
    assert titles(hooks) == []
    assert cli(config, "check", "--all").exit_code == 1
    [title] = titles(hooks)
    assert "unhealthy after 2 failed checks" in title


# --- item 6: a shorter interval takes effect at once ------------------------------------


def test_a_shorter_interval_brings_the_next_check_forward(
    server: PageServer, db_url: str, tmp_path: Path
) -> None:
    server.set("/board", GOOD)
    config = write_config(tmp_path, server, db_url, interval="6h")
    checked = cli(config, "check", "--all")
    assert checked.exit_code == 0, checked.output
    config = write_config(tmp_path, server, db_url, interval="30s")
    before = datetime.now(UTC)
    assert cli(config, "check").exit_code == 0  # nothing due yet; the schedule is re-read
    due = datetime.fromisoformat(status(config)["next_check_at"])
    assert due <= before + timedelta(seconds=31)
    # A longer interval never postpones a check already planned.
    config = write_config(tmp_path, server, db_url, interval="1d")
    assert cli(config, "check").exit_code == 0
    assert datetime.fromisoformat(status(config)["next_check_at"]) == due


def test_a_reload_with_a_shorter_interval_brings_the_daemons_next_check_forward(
    server: PageServer, tmp_path: Path
) -> None:
    import asyncio
    import time

    from support.clock import FastClock

    from monitor.config import load_config
    from monitor.daemon import Daemon, Options
    from monitor.store import Store

    server.set("/board", GOOD)
    state = f"sqlite:///{tmp_path / 's.db'}"
    config = write_config(tmp_path, server, state, interval="1h")
    loaded = load_config(config)
    store = Store(state)
    options = Options(signals=False, max_sleep=0.02, deliver_every=0.05)
    daemon = Daemon(loaded, store, options, clock=FastClock(10.0))

    async def scenario() -> int:
        task = asyncio.create_task(daemon.run())
        deadline = time.monotonic() + 10
        while not server.hits_for("/board") and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        write_config(tmp_path, server, state, interval="5s")  # 0.5 s on this clock
        assert await daemon.reload()
        while len(server.hits_for("/board")) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        daemon.stop()
        return await task

    try:
        assert asyncio.run(scenario()) == 0
    finally:
        store.close()
    assert len(server.hits_for("/board")) >= 2
