"""`monitor run` as an operator runs it: a subprocess, a registry page on 127.0.0.1,
a real webhook receiver, signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import REPO, PageServer, registry_page, run_cli
from sqlalchemy import update
from test_notify_e2e import AFTER_WUHAN, BEFORE_WUHAN, WUHAN, Hooks, free_port

from monitor.store import Store, utcnow
from monitor.store.tables import sources

INTERVAL = 1.0
JITTER = 0.1
GRACE = 5.0


def watch_list(
    server: PageServer, hooks: Hooks, state: Path, extra: str = "", interval: int = int(INTERVAL)
) -> str:
    return f"""
state: sqlite:///{state}
defaults:
  interval: {interval}s
  jitter: {JITTER}
  notify: [hook]
channels:
  hook: "{hooks.url("/alerts")}"
hosts:
  "127.0.0.1": {{rate: none, concurrency: 4}}
companies:
  - name: {WUHAN}
    sources:
      - kind: html
        name: wuhan
        url: {server.url("/wuhan")}
        columns: {{name: Name, role: Position, appointed: Appointed}}
{extra}"""


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)
    return time.monotonic() - started


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@contextmanager
def daemon(config: Path, *args: str) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "-c", str(config), "run", "--grace", str(GRACE), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def stop(proc: subprocess.Popen[str]) -> tuple[int, float, str]:
    """SIGTERM; the exit status, how long it took and the log."""
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=GRACE + 10)
    return proc.returncode, time.monotonic() - started, err


@pytest.mark.e2e
def test_a_change_is_alerted_within_the_interval_and_a_restart_does_not_repeat_it(
    server: PageServer, tmp_path: Path
) -> None:
    hooks = Hooks()
    hooks.start()
    server.set("/wuhan", registry_page(WUHAN, BEFORE_WUHAN))
    config = tmp_path / "monitor.yaml"
    config.write_text(watch_list(server, hooks, tmp_path / "state.db"), encoding="utf-8")
    port = free_port()
    try:
        with daemon(config, "--http", f"127.0.0.1:{port}") as proc:
            # The second check proves the baseline is stored.
            wait_for(lambda: len(server.hits_for("/wuhan")) >= 2, 10, "two checks")
            assert get(f"http://127.0.0.1:{port}/healthz") == (200, "ok\n")
            health = run_cli("health", "--http", f"127.0.0.1:{port}")
            assert health.returncode == 0, health.stderr

            server.set("/wuhan", registry_page(WUHAN, AFTER_WUHAN))
            took = wait_for(lambda: len(hooks.posts) >= 3, 10, "the alerts")
            assert took <= INTERVAL * (1 + JITTER) + 2
            titles = sorted(p.body["title"] for p in hooks.posts)
            assert any(t.startswith("Lei Jun left " + WUHAN) for t in titles)
            assert any(t.startswith("Zeng Xuezhong joined " + WUHAN) for t in titles)

            sent = 'monitor_deliveries_total{result="sent"} 3'
            # The receiver has the posts a moment before the daemon records apprise's verdict.
            wait_for(lambda: sent in get(f"http://127.0.0.1:{port}/metrics")[1], 5, "metrics")
            status, metrics = get(f"http://127.0.0.1:{port}/metrics")
            assert status == 200
            assert 'monitor_checks_total{status="changed"} 1' in metrics
            assert "monitor_events_total 3" in metrics
            assert "monitor_fetch_duration_seconds_count" in metrics

            code, took, log = stop(proc)
        assert code == 0, log
        assert took < GRACE
        assert "status=changed" in log and "changes=3" in log  # one log line per check

        down = run_cli("health", "--http", f"127.0.0.1:{port}", "--timeout", "1")
        assert down.returncode == 1 and "unhealthy" in down.stderr

        hits = len(server.hits_for("/wuhan"))
        with daemon(config) as proc:
            wait_for(lambda: len(server.hits_for("/wuhan")) >= hits + 2, 10, "two more checks")
            code, _, log = stop(proc)
        assert code == 0, log
        assert len(hooks.posts) == 3  # nothing alerted twice
        assert "status=unchanged" in log
    finally:
        hooks.stop()


@pytest.mark.e2e
def test_sighup_with_a_broken_file_keeps_running_and_a_fixed_file_takes_effect(
    server: PageServer, tmp_path: Path
) -> None:
    hooks = Hooks()
    server.set("/wuhan", registry_page(WUHAN, BEFORE_WUHAN))
    server.set("/auto", registry_page("Xiaomi Automobile Co., Ltd.", [("Lei Jun", "Director", "")]))
    config = tmp_path / "monitor.yaml"
    good = watch_list(server, hooks, tmp_path / "state.db")
    config.write_text(good, encoding="utf-8")
    port = free_port()
    with daemon(config, "--http", f"127.0.0.1:{port}") as proc:
        wait_for(lambda: server.hits_for("/wuhan"), 10, "the first check")
        broken = good.replace("  jitter:", "  jiter:")
        config.write_text(broken, encoding="utf-8")
        line = broken.splitlines().index("  jiter: 0.1") + 1
        proc.send_signal(signal.SIGHUP)
        wait_for(
            lambda: (
                'monitor_reloads_total{result="failed"} 1'
                in get(f"http://127.0.0.1:{port}/metrics")[1]
            ),
            5,
            "the failed reload",
        )
        assert get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        before = len(server.hits_for("/wuhan"))
        wait_for(lambda: len(server.hits_for("/wuhan")) > before, 5, "checks to go on")

        extra = f"""  - name: Xiaomi Automobile Co., Ltd.
    sources:
      - kind: html
        url: {server.url("/auto")}
        columns: {{name: Name, role: Position}}
"""
        config.write_text(good + extra, encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: server.hits_for("/auto"), 5, "the new source's first check")
        code, _, log = stop(proc)
    assert code == 0
    assert f"monitor.yaml:{line}:" in log and "reload failed" in log
    assert "reloaded" in log


def test_once_checks_the_due_sources_delivers_and_exits(server: PageServer, tmp_path: Path) -> None:
    hooks = Hooks()
    hooks.start()
    try:
        server.set("/wuhan", registry_page(WUHAN, BEFORE_WUHAN))
        config = tmp_path / "monitor.yaml"
        # An hour's interval: the second pass cannot find the source due, however slow
        # the machine.
        text = watch_list(server, hooks, tmp_path / "state.db", interval=3600)
        config.write_text(text, encoding="utf-8")
        assert run_cli("-c", str(config), "run", "--once").returncode == 0
        server.set("/wuhan", registry_page(WUHAN, AFTER_WUHAN))
        assert run_cli("-c", str(config), "run", "--once").returncode == 0
        assert hooks.posts == []  # not due yet: the interval has not passed
        store = Store(f"sqlite:///{tmp_path / 'state.db'}")
        with store.engine.begin() as conn:  # ... and now it has
            conn.execute(update(sources).values(next_check_at=utcnow()))
        store.close()
        result = run_cli("-c", str(config), "run", "--once")
        assert result.returncode == 0, result.stderr
        assert len(hooks.posts) == 3
        status = json.loads(run_cli("-c", str(config), "status", "--json").stdout)
        assert status["deliveries"]["sent"] == 3
    finally:
        hooks.stop()
