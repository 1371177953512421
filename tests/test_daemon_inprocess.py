"""The daemon driven in-process: operator alerts, missed intervals after downtime, no
source checked twice at once. Most run on a clock ten times faster than the wall clock, so
the watch list's 1 s interval passes in a tenth of a second."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from conftest import PageServer, registry_page
from sqlalchemy import select, update
from support.clock import FastClock
from support.xiaomi import BEFORE_WUHAN, WUHAN
from test_notify_e2e import Hooks

from monitor.check import CycleReport
from monitor.config import Loaded, load_config_text
from monitor.daemon import Daemon, Options
from monitor.notify import deliver_due, install
from monitor.store import Store, utcnow
from monitor.store.tables import deliveries, sources


def config_text(server: PageServer, hooks: Hooks, state: Path, interval: str = "1s") -> str:
    return f"""
state: sqlite:///{state}
defaults: {{interval: {interval}, jitter: 0, operator_notify: [ops]}}
channels: {{ops: "{hooks.url("/ops")}"}}
hosts: {{"127.0.0.1": {{rate: none, concurrency: 4}}}}
companies:
  - name: {WUHAN}
    sources:
      - kind: html
        name: wuhan
        url: {server.url("/wuhan")}
        columns: {{name: Name, role: Position, appointed: Appointed}}
"""


RATE = 10.0  # clock seconds per real second
FAST = Options(signals=False, max_sleep=0.02, deliver_every=0.05)  # real seconds


def fast_daemon(loaded: Loaded, store: Store, **hooks: Any) -> Daemon:
    """A daemon on a fast clock whose dispatcher wakes often enough to follow it."""
    return Daemon(loaded, store, FAST, clock=FastClock(RATE), **hooks)


async def run_until(daemon: Daemon, done: object, timeout: float) -> None:
    task = asyncio.create_task(daemon.run())
    started = time.monotonic()
    while not done() and time.monotonic() - started < timeout:  # type: ignore[operator]
        await asyncio.sleep(0.05)
    daemon.stop()
    assert await task == 0


def test_the_operator_hears_once_when_a_source_breaks_and_once_when_it_recovers(
    server: PageServer, tmp_path: Path
) -> None:
    hooks = Hooks()
    hooks.start()
    server.set("/wuhan", "gone", status=404)
    loaded = load_config_text(config_text(server, hooks, tmp_path / "s.db"), "<test>")
    store = Store(loaded.config.state)
    install(store, loaded)
    fixed_at: list[float] = []

    def on_cycle(report: CycleReport) -> None:
        failures = len(server.hits_for("/wuhan"))
        if failures == 5 and not fixed_at:
            server.set("/wuhan", registry_page(WUHAN, BEFORE_WUHAN))
            fixed_at.append(time.monotonic())

    daemon = fast_daemon(loaded, store, on_cycle=on_cycle)
    try:
        asyncio.run(run_until(daemon, lambda: len(hooks.posts) >= 2, 12))
    finally:
        store.close()
        hooks.stop()
    titles = [p.body["title"] for p in hooks.posts]
    assert titles == [
        "monitor: source unhealthy after 3 failed checks: wuhan",
        "monitor: source recovered: wuhan",
    ]
    assert "HTTP 404" in hooks.posts[0].body["message"]
    assert daemon.metrics.checks["error"] == 5


def test_an_operator_alert_waits_in_the_outbox_while_its_channel_is_down(
    server: PageServer, tmp_path: Path
) -> None:
    hooks = Hooks()  # not started: the operator's receiver is down
    server.set("/wuhan", "gone", status=404)
    loaded = load_config_text(config_text(server, hooks, tmp_path / "s.db"), "<test>")
    store = Store(loaded.config.state)
    install(store, loaded)

    def operator_rows() -> list[Any]:
        with store.engine.connect() as conn:
            return list(conn.execute(select(deliveries).where(deliveries.c.kind == "operator")))

    daemon = fast_daemon(loaded, store)
    try:
        tried = lambda: any(r.attempts >= 1 for r in operator_rows())  # noqa: E731
        asyncio.run(run_until(daemon, tried, 12))
        [row] = operator_rows()
        assert (row.status, row.event_id, row.channel) == ("pending", None, "ops")
        assert hooks.posts == []

        hooks.start()  # back up: the next sweep delivers it, once
        report = asyncio.run(deliver_due(store, loaded, everything=True))
        again = asyncio.run(deliver_due(store, loaded, everything=True))
    finally:
        store.close()
        hooks.stop()
    assert (report.delivered, again.claimed) == (1, 0)
    [post] = hooks.posts
    assert post.body["title"] == "monitor: source unhealthy after 3 failed checks: wuhan"
    assert "HTTP 404" in post.body["message"]


def test_after_downtime_an_overdue_source_is_checked_once_then_on_its_interval(
    server: PageServer, tmp_path: Path
) -> None:
    hooks = Hooks()
    server.set("/wuhan", registry_page(WUHAN, BEFORE_WUHAN))
    loaded = load_config_text(config_text(server, hooks, tmp_path / "s.db", "3s"), "<test>")
    store = Store(loaded.config.state)
    install(store, loaded)
    asyncio.run(Daemon(loaded, store, Options(once=True, signals=False)).run())  # baseline
    with store.engine.begin() as conn:  # the process was down for three days
        conn.execute(update(sources).values(next_check_at=utcnow() - timedelta(days=3)))
    hits = len(server.hits_for("/wuhan"))
    daemon = Daemon(loaded, store, Options(signals=False))
    checked: list[float] = []

    def settled() -> bool:  # half a second after the first check: far less than 3 s
        if not checked and len(server.hits_for("/wuhan")) > hits:
            checked.append(time.monotonic())
        return bool(checked) and time.monotonic() - checked[0] > 0.5

    try:
        asyncio.run(run_until(daemon, settled, 10))
    finally:
        store.close()
    assert len(server.hits_for("/wuhan")) == hits + 1  # once, not once per missed interval
    assert daemon.metrics.lag_seconds.count == 1


def test_a_slow_source_is_never_checked_twice_at_once(server: PageServer, tmp_path: Path) -> None:
    """A page slower than the interval: each check starts only after the previous ended."""
    hooks = Hooks()
    server.set("/wuhan", registry_page(WUHAN, BEFORE_WUHAN))
    loaded = load_config_text(config_text(server, hooks, tmp_path / "s.db"), "<test>")
    store = Store(loaded.config.state)
    install(store, loaded)
    spans: list[tuple[float, float]] = []
    daemon = fast_daemon(loaded, store)
    original = daemon.runtime.checker.check

    async def slow_check(source, row):  # type: ignore[no-untyped-def]
        started = time.monotonic()
        await asyncio.sleep(1.5 / RATE)  # longer than the 1 s interval
        outcome = await original(source, row)
        spans.append((started, time.monotonic()))
        return outcome

    daemon.runtime.checker.check = slow_check  # type: ignore[method-assign]
    try:
        asyncio.run(run_until(daemon, lambda: len(spans) >= 3, 10))
    finally:
        store.close()
    assert len(spans) >= 3
    for (_, end), (start, _) in pairwise(spans):
        assert start >= end - 0.01
