"""An operator alert is decided and queued in the transaction of the check that earns it,
so a daemon killed right after that check still tells the operator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, PageServer
from sqlalchemy import select

from monitor.store import Store
from monitor.store.tables import deliveries

# Runs the daemon and SIGKILLs it the moment the check that made the source unhealthy
# has been saved (before anything else happens in the process).
KILLED_AFTER_THIRD_FAILURE = """
import asyncio, os, signal, sys
from monitor.config import load_config
from monitor.daemon import Daemon, Options
from monitor.notify import install
from monitor.store import Store

loaded = load_config(sys.argv[1])
store = Store(loaded.config.state)
install(store, loaded)

def on_cycle(report):
    if store.source_rows()[0].consecutive_failures >= 3:
        os.kill(os.getpid(), signal.SIGKILL)

options = Options(signals=False, deliver_every=3600, unhealthy_after=3)
asyncio.run(Daemon(loaded, store, options, on_cycle=on_cycle).run())
"""


@pytest.mark.e2e
def test_a_kill_right_after_the_third_failure_keeps_the_unhealthy_alert(
    server: PageServer, tmp_path: Path, db_url: str
) -> None:
    server.set("/gone", "no such company", status=404)
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"""
state: "{db_url}"
defaults: {{interval: 1s, jitter: 0, operator_notify: [ops]}}
channels: {{ops: "json://127.0.0.1:9/ops"}}
hosts: {{"127.0.0.1": {{rate: none, concurrency: 4}}}}
companies:
  - name: Gone Ltd
    sources:
      - {{kind: html, name: gone, url: "{server.url("/gone")}", columns: {{name: Name}}}}
""",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_THIRD_FAILURE, str(config)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == -9, proc.stderr[-2000:]
    store = Store(db_url)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(select(deliveries.c.kind, deliveries.c.message)).all()
        assert store.source_rows()[0].consecutive_failures == 3
    finally:
        store.close()
    assert [(kind, message["title"]) for kind, message in rows] == [
        ("operator", "monitor: source unhealthy after 3 failed checks: gone")
    ]
