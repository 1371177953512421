"""One hanging page must not slow the others: each source is requeued, and its alerts
sent, as soon as its own check ends."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from conftest import PageServer, registry_page
from fetch_servers import silent
from test_notify_e2e import Hooks

from monitor.config import load_config_text
from monitor.daemon import Daemon, Options
from monitor.notify import install
from monitor.store import Store

COMPANY = "Quayside Shipping Ltd"
BOARD = [("Ada Moss", "Director", "2019-01-01"), ("Ben Holt", "Director", "2019-01-01")]


def test_a_hanging_page_delays_neither_the_other_checks_nor_their_alerts(
    server: PageServer, tmp_path: Path
) -> None:
    hooks = Hooks()
    hooks.start()
    server.set("/quayside", registry_page(COMPANY, BOARD))
    with silent() as hung_url:
        loaded = load_config_text(
            f"""
state: sqlite:///{tmp_path / "s.db"}
defaults: {{interval: 1s, jitter: 0, timeout: 20s, notify: [desk]}}
channels: {{desk: "{hooks.url("/desk")}"}}
hosts: {{"127.0.0.1": {{rate: none, concurrency: 8}}}}
companies:
  - name: {COMPANY}
    sources:
      - {{kind: html, name: quayside, url: "{server.url("/quayside")}",
          columns: {{name: Name, role: Position, appointed: Appointed}}}}
  - name: Hung Ltd
    sources:
      - {{kind: html, name: hung, url: "{hung_url}", columns: {{name: Name}}}}
""",
            "<test>",
        )
        store = Store(loaded.config.state)
        install(store, loaded)
        daemon = Daemon(loaded, store, Options(signals=False, grace=0.2))
        changed_at: list[float] = []

        async def scenario() -> None:
            task = asyncio.create_task(daemon.run())
            started = time.monotonic()
            while time.monotonic() - started < 5.0:
                if not changed_at and len(server.hits_for("/quayside")) >= 2:
                    joined = [*BOARD, ("Cai Wen", "Secretary", "2026-12-01")]
                    server.set("/quayside", registry_page(COMPANY, joined))
                    changed_at.append(time.monotonic())
                await asyncio.sleep(0.05)
            daemon.stop()
            await task

        try:
            asyncio.run(scenario())
        finally:
            store.close()
            hooks.stop()
    # The hanging check lasts the whole run; the other source keeps its 1 s interval.
    assert len(server.hits_for("/quayside")) >= 4
    assert changed_at
    titles = [p.body["title"] for p in hooks.to("/desk")]
    assert len(titles) == 1 and titles[0].startswith(f"Cai Wen joined {COMPANY}")
