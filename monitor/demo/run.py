"""Replay the story: a simulated registry, the real check pipeline, a temporary state."""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from monitor.check import Checker, build_sources, make_fetcher
from monitor.config import Loaded, load_config_text
from monitor.demo import story
from monitor.demo.simulator import Registry
from monitor.query import timeline
from monitor.store import EventRecord, Store

STEP = timedelta(days=3)

CONFIG = """
state: "sqlite:///{state}"
hosts:
  "127.0.0.1": {{rate: none, concurrency: 4}}
people:
  - name: Lei Jun
    aliases: ["雷军"]
    sources:
      - kind: html
        name: Lei Jun's positions (simulated registry)
        url: {base}/person/lei-jun
        columns: {{company: Company, role: Position, appointed: Appointed, resigned: Resigned}}
  - name: Zeng Xuezhong
    aliases: ["曾学忠"]
companies:
  - name: Xiaomi Technology (Wuhan) Co., Ltd.
    aliases: ["小米科技（武汉）有限公司"]
    sources:
      - kind: html
        name: Xiaomi Technology (Wuhan) officers (simulated registry)
        url: {base}/company/wuhan
        columns: {{name: 姓名, role: 职务, appointed: 任职日期, resigned: 离任日期}}
"""

Echo = Callable[[str], None]


def alert_text(event: EventRecord) -> str:
    role = f" — {event.role}" if event.role else ""
    if event.change == "role_changed":
        role = f" — {event.previous_role or '-'} → {event.role or '-'}"
    when = f" (effective {event.effective_date})" if event.effective_date else ""
    return f"{event.person} {event.change.replace('_', ' ')} {event.company}{role}{when}"


async def replay(echo: Echo, workdir: Path) -> list[EventRecord]:
    with Registry() as registry:
        text = CONFIG.format(state=workdir / "demo.db", base=registry.base)
        loaded: Loaded = load_config_text(text, "<demo>")
        store = Store(loaded.config.state)
        checker = Checker(loaded.config, store, make_fetcher(loaded.config))
        sources = build_sources(loaded.config)
        total = (story.END - story.START) // STEP + 1
        try:
            for step in range(total):
                registry.today = story.START + step * STEP
                report = await checker.run_cycle(sources, everything=True)
                _progress(echo, step + 1, total, registry.today.isoformat())
                for result in report.failures:
                    echo(f"\n  ! {result.source.key}: {result.outcome.error}")
                for event in report.events:
                    echo(f"\n  ALERT  seen {registry.today}: {alert_text(event)}")
            echo("\n")
            return store.events(newest_first=False)
        finally:
            await checker.fetcher.aclose()
            checker.close()
            store.close()


def _progress(echo: Echo, done: int, total: int, day: str) -> None:
    """A redrawn bar on a terminal; a line every tenth step elsewhere (logs, CI)."""
    width = 30
    filled = width * done // total
    line = f"  simulated day {day}  [{'#' * filled}{'-' * (width - filled)}] {done}/{total}"
    if sys.stdout.isatty():
        echo(f"\r{line}")
    elif done % 10 == 0 or done == total:
        echo(f"\n{line}")


async def run_demo(echo: Echo) -> int:
    logging.getLogger("monitor").setLevel(logging.ERROR)  # the demo prints its own account
    echo(
        "monitor demo: a simulated registry replays Aug-Dec 2021, when Lei Jun took up posts\n"
        "at Xiaomi's new car companies and left several others (offline, temporary state).\n"
        "The first check is a silent baseline; every later change is an alert.\n\n"
    )
    with tempfile.TemporaryDirectory(prefix="monitor-demo-") as tmp:
        events = await replay(echo, Path(tmp))
        text = CONFIG.format(state=Path(tmp) / "demo.db", base="http://127.0.0.1:1")
        config = load_config_text(text, "<demo>").config
    lei = timeline(events, config, "雷军")
    echo(f"\nTimeline of Lei Jun (matched through the alias 雷军), {len(lei)} moves:\n")
    for event in lei:
        when = event.effective_date or event.detected_at.date().isoformat()
        echo(f"  {when}  {event.change:<8} {event.company}  [{event.role or '-'}]\n")
    zeng = timeline(events, config, "Zeng Xuezhong")
    for event in zeng:
        echo(f"\nAnd: {alert_text(event)}\n")
    return 0 if lei else 1
