"""The notification commands as a user runs them: `monitor check`, `deliver`, `status`,
`notify-test`, against real receivers on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import test_notify_e2e
from conftest import REPO, PageServer, registry_page, run_cli
from test_notify_e2e import (
    AFTER_WUHAN,
    AUTO,
    BEFORE_AUTO,
    BEFORE_WUHAN,
    SECRETS,
    WUHAN,
    Hooks,
    Inbox,
    watch_list,
)

# The receivers' fixtures, shared with the in-process delivery tests.
hooks = test_notify_e2e.hooks
inbox = test_notify_e2e.inbox

HOOK_TOKEN = "hk_9f8e7d6c5b4a"
ENV = {**SECRETS, "HOOK_TOKEN": HOOK_TOKEN}


def write(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "monitor.yaml"
    config.write_text(text, encoding="utf-8")
    return config


def status(config: Path) -> dict[str, Any]:
    result = run_cli("-c", str(config), "status", "--json", env=ENV)
    assert result.returncode == 0, result.stderr
    deliveries: dict[str, Any] = json.loads(result.stdout)["deliveries"]
    return deliveries


def crash_after(point: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``monitor ARGS`` in a subprocess that SIGKILLs itself at ``point`` (see support.crash)."""
    return subprocess.run(
        [sys.executable, str(REPO / "tests" / "support" / "crash.py"), point, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **ENV},
        cwd=REPO,
    )


@pytest.fixture
def baseline(server: PageServer) -> PageServer:
    server.set("/wuhan", registry_page(WUHAN, BEFORE_WUHAN))
    server.set("/auto", registry_page(AUTO, BEFORE_AUTO))
    return server


@pytest.mark.e2e
def test_killed_right_after_the_commit_the_alert_is_delivered_once_after_restart(
    baseline: PageServer, db_url: str, hooks: Hooks, tmp_path: Path
) -> None:
    config = write(tmp_path, watch_list(baseline, db_url, {"h": hooks.url("/h")}, notify=["h"]))
    assert run_cli("-c", str(config), "check", env=ENV).returncode == 0
    baseline.set("/wuhan", registry_page(WUHAN, AFTER_WUHAN))

    killed = crash_after("commit", "-c", str(config), "check", "--all")
    assert killed.returncode == -9  # SIGKILL after the snapshot and its outbox rows committed
    assert hooks.posts == []
    assert status(config)["pending"] == 3

    again = run_cli("-c", str(config), "check", env=ENV)  # the restart: nothing new to poll
    assert again.returncode == 0, again.stderr
    assert "0 change(s)" in again.stdout
    assert "delivered 3 alert(s) in 3 message(s)" in again.stdout
    assert run_cli("-c", str(config), "deliver", "--all", env=ENV).returncode == 0
    assert len(hooks.posts) == 3
    assert len({p.body["title"] for p in hooks.posts}) == 3
    assert status(config)["sent"] == 3


def test_receiver_down_during_check_then_back(
    baseline: PageServer, db_url: str, inbox: Inbox, tmp_path: Path
) -> None:
    down = Hooks()
    channels = {"mail": inbox.url(), "hook": down.url("/hook")}
    config = write(tmp_path, watch_list(baseline, db_url, channels, notify=["mail", "hook"]))
    assert run_cli("-c", str(config), "check", env=ENV).returncode == 0
    baseline.set("/wuhan", registry_page(WUHAN, AFTER_WUHAN))

    failing = run_cli("-c", str(config), "check", "--all", env=ENV)
    assert failing.returncode == 1
    assert "3 change(s)" in failing.stdout
    assert "RETRY   hook:" in failing.stderr
    state = status(config)
    assert (state["pending"], state["failed"], state["sent"]) == (3, 3, 3)
    assert {(a["channel"], a["attempts"]) for a in state["attention"]} == {("hook", 1)}

    text = run_cli("-c", str(config), "status", env=ENV)
    assert "deliveries: 3 pending, 3 failed, 0 dead, 3 sent" in text.stdout  # in words

    down.start()
    try:
        back = run_cli("-c", str(config), "deliver", "--all", env=ENV)
        assert back.returncode == 0, back.stderr
        assert "delivered 3 alert(s)" in back.stdout
        assert run_cli("-c", str(config), "deliver", "--all", env=ENV).returncode == 0
        assert len(down.posts) == 3
        assert len(down.posts) + len(inbox.messages) == 3 * len(channels)
    finally:
        down.stop()
    assert status(config)["pending"] == 0


def test_notify_test_prints_the_result_per_service(
    baseline: PageServer, db_url: str, hooks: Hooks, tmp_path: Path
) -> None:
    closed = Hooks()
    channels = {"up": hooks.url("/up"), "down": closed.url("/down")}
    config = write(tmp_path, watch_list(baseline, db_url, channels, notify=["up"]))
    one = run_cli("-c", str(config), "notify-test", "up", env=ENV)
    assert one.returncode == 0, one.stderr
    assert one.stdout.startswith("OK     up (json://127.0.0.1:")
    assert "JSON" in one.stdout and "SUCCESS" in one.stdout
    assert [p.body["title"] for p in hooks.posts] == ["monitor: test message"]

    both = run_cli("-c", str(config), "notify-test", "--json", env=ENV)
    assert both.returncode == 1
    result = {r["channel"]: r for r in map(json.loads, both.stdout.splitlines())}
    assert result["up"]["delivered"] is True
    assert result["down"]["delivered"] is False and result["down"]["status"] == "FAILURE"
    assert result["down"]["services"][0]["status"] == "FAILURE"

    unknown = run_cli("-c", str(config), "notify-test", "nope", env=ENV)
    assert unknown.returncode == 1 and "no channel 'nope'" in unknown.stderr


def test_no_secret_appears_in_any_output(
    baseline: PageServer, db_url: str, inbox: Inbox, hooks: Hooks, tmp_path: Path
) -> None:
    closed = Hooks()
    channels = {
        "mail": inbox.url(),
        "hook": hooks.url("/hook/${HOOK_TOKEN}"),
        "dead-hook": closed.url("/hook/${HOOK_TOKEN}"),
        "slack": {
            "url": "slack://${SLACK_A}/${SLACK_B}/${SLACK_C}/#officer-alerts",
            "mode": "digest",
        },
    }
    text = watch_list(baseline, db_url, channels, notify=["mail", "hook", "dead-hook", "slack"])
    config = write(tmp_path, text)
    runs = [
        run_cli("-c", str(config), "-vv", "validate", env=ENV),
        run_cli("-c", str(config), "-vv", "check", env=ENV),
    ]
    baseline.set("/wuhan", registry_page(WUHAN, AFTER_WUHAN))
    runs += [
        run_cli("-c", str(config), "-vv", "check", "--all", env=ENV),
        run_cli("-c", str(config), "-vv", "deliver", "--json", env=ENV),  # slack waits: digest
        run_cli("-c", str(config), "-vv", "status", env=ENV),
        run_cli("-c", str(config), "-vv", "status", "--json", env=ENV),
        run_cli("-c", str(config), "-vv", "notify-test", "mail", env=ENV),
        run_cli("-c", str(config), "-vv", "notify-test", "dead-hook", env=ENV),
    ]
    assert "slack://***/***/***/#officer-alerts" in runs[0].stdout
    assert len(inbox.messages) == 4  # 3 alerts + the test message: the password worked
    assert len(hooks.to(f"/hook/{HOOK_TOKEN}")) == 3
    output = "\n".join(r.stdout + r.stderr for r in runs)
    assert "DEBUG" in output and "RETRY" in output  # the verbose and failing paths ran
    for secret in ENV.values():
        for form in {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}:
            assert form not in output, f"a secret leaked in its form {form[:2]}…"
