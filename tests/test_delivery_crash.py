"""Delivery survives kills and stops: each message is recorded when its receiver accepts
it, a restart takes over a dead process's claims at once, a stop lets sends under way
finish, and every message carries an idempotency key so a receiver can drop a repeat."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, PageServer, registry_page
from sqlalchemy import select

from monitor.check import Checker, build_sources, make_fetcher
from monitor.config import Loaded, load_config
from monitor.notify import deliver_due, install
from monitor.store import Store
from monitor.store.tables import deliveries

COMPANY = "Saltmarsh Ferries Ltd"
BOARD = [("Ada Moss", "Director", "2019-01-01"), ("Ben Holt", "Director", "2019-01-01")]
JOINED = [*BOARD, ("Cai Wen", "Secretary", "2026-12-01")]


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Receiver:
    """A webhook receiver that answers after ``delay`` seconds (0: at once)."""

    delay: float = 0.0
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(size) or b"{}")
                receiver.requests.append(Request(self.path, dict(self.headers), body))
                time.sleep(receiver.delay)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    fast, slow = Receiver(), Receiver(delay=5.0)
    yield fast, slow
    fast.close()
    slow.close()


def setup(
    tmp_path: Path, server: PageServer, db_url: str, fast: Receiver, slow: Receiver
) -> tuple[Path, Loaded]:
    """A watch list routing every alert to both receivers, and one change in its outbox."""
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"""
state: "{db_url}"
defaults: {{interval: 1s, jitter: 0, notify: [fast, slow]}}
channels: {{fast: "{fast.url("/fast")}", slow: "{slow.url("/slow")}"}}
hosts: {{"127.0.0.1": {{rate: none, concurrency: 4}}}}
companies:
  - name: {COMPANY}
    sources:
      - {{kind: html, name: saltmarsh, url: "{server.url("/saltmarsh")}",
          columns: {{name: Name, role: Position, appointed: Appointed}}}}
""",
        encoding="utf-8",
    )
    loaded = load_config(str(config))
    store = Store(loaded.config.state)
    install(store, loaded)
    checker = Checker(loaded.config, store, make_fetcher(loaded.config))

    async def two_checks() -> None:
        try:
            server.set("/saltmarsh", registry_page(COMPANY, BOARD))
            await checker.run_cycle(build_sources(loaded.config), everything=True)
            server.set("/saltmarsh", registry_page(COMPANY, JOINED))
            await checker.run_cycle(build_sources(loaded.config), everything=True)
        finally:
            await checker.fetcher.aclose()

    try:
        asyncio.run(two_checks())
    finally:
        checker.close()
        store.close()
    return config, loaded


def statuses(db_url: str) -> dict[str, str]:
    store = Store(db_url)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(select(deliveries.c.channel, deliveries.c.status))
            return {channel: status for channel, status in rows}
    finally:
        store.close()


def wait_for(condition: Any, timeout: float, what: str = "") -> bool:
    """Whether ``condition`` came true in time; an AssertionError if ``what`` is said."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            if what:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            return False
        time.sleep(0.01)
    return True


def monitor(config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", "-c", str(config), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )


@pytest.mark.e2e
def test_a_kill_mid_delivery_repeats_nothing_accepted_and_delays_nothing(
    tmp_path: Path,
    server: PageServer,
    db_url: str,
    receivers: tuple[Receiver, Receiver],
) -> None:
    fast, slow = receivers
    config, loaded = setup(tmp_path, server, db_url, fast, slow)
    proc = monitor(config, "deliver")
    try:
        wait_for(lambda: fast.requests and slow.requests, 30, "both sends to start")
        wait_for(lambda: statuses(db_url)["fast"] == "sent", 2)  # the slow one takes 5 s
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    assert statuses(db_url) == {"fast": "sent", "slow": "sending"}

    # The next process takes over the dead one's claim at once, not after the lease.
    slow.delay = 0.0
    store = Store(db_url)
    try:
        report = asyncio.run(deliver_due(store, loaded))
    finally:
        store.close()
    assert report.delivered == 1
    assert statuses(db_url) == {"fast": "sent", "slow": "sent"}
    assert len(fast.requests) == 1
    # The repeat of the message the dead process had under way carries the same key.
    keys = [r.headers.get("Idempotency-Key") for r in slow.requests]
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]
    assert fast.requests[0].headers.get("Idempotency-Key") not in (None, keys[0])


@pytest.mark.e2e
def test_sigterm_lets_a_send_under_way_finish_and_records_it(
    tmp_path: Path,
    server: PageServer,
    db_url: str,
    receivers: tuple[Receiver, Receiver],
) -> None:
    fast, slow = receivers
    slow.delay = 1.5
    config, _ = setup(tmp_path, server, db_url, fast, slow)
    proc = monitor(config, "run", "--grace", "5")
    try:
        wait_for(lambda: slow.requests, 30, "the slow send to start")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert statuses(db_url) == {"fast": "sent", "slow": "sent"}, err[-3000:]
    assert len(slow.requests) == 1 and len(fast.requests) == 1


def test_a_batch_sent_before_goes_out_again_as_the_same_message_under_its_key() -> None:
    """A batch a dead process had under way is sent again as that batch, under its key,
    even when new alerts for the channel are due with it (they go in a message of their own)."""
    from datetime import datetime

    from monitor.config import load_config_text
    from monitor.notify.channels import Channels
    from monitor.notify.deliver import plan
    from monitor.notify.outbox import Delivery
    from monitor.store import EventRecord

    loaded = load_config_text('channels: {desk: "json://127.0.0.1:9/desk"}\n', "<test>")
    when = datetime(2026, 12, 1, 12, 0)

    def row(i: int, batch: str | None) -> Delivery:
        event = EventRecord(i, "joined", f"Person {i}", COMPANY, (), (), None, None, when, "",
                            "s", "", "registry")  # fmt: skip
        return Delivery(i, f"event:{i}:desk", "desk", "immediate", 0, when, event,
                        message_key=batch)  # fmt: skip

    earlier = [row(i, "batch:0123abcd") for i in range(1, 5)]
    planned = plan([*earlier, row(5, None)], Channels(loaded.config))
    assert sorted((p.key, tuple(r.id for r in p.rows)) for p in planned) == [
        ("batch:0123abcd", (1, 2, 3, 4)),
        ("event:5:desk", (5,)),
    ]
    fresh = plan([row(i, None) for i in range(1, 6)], Channels(loaded.config))
    assert len(fresh) == 1 and fresh[0].key.startswith("batch:")
    assert (
        fresh[0].key
        == plan([row(i, None) for i in range(5, 0, -1)], Channels(loaded.config))[0].key
    )
