"""Replay the story: a simulated registry, the real daemon, a local alert channel.

The registry's calendar runs DAYS_PER_SECOND simulated days per real second; the
daemon checks both pages every second, delivers each alert to a ``json://``
receiver on 127.0.0.1 and the demo prints it as it arrives.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from monitor.config import Loaded, load_config_text
from monitor.daemon import Daemon, Options
from monitor.demo import story
from monitor.demo.receiver import Receiver
from monitor.demo.simulator import Registry
from monitor.notify import install
from monitor.query import timeline
from monitor.store import EventRecord, Store, utcnow

DAYS_PER_SECOND = 6.0
PAGES = ("/person/lei-jun", "/company/wuhan")

CONFIG = """
state: "sqlite:///{state}"
defaults: {{interval: 1s, jitter: 0, notify: [demo]}}
channels:
  demo:
    url: "{hook}"
    title_template: >-
      {{% if origin == 'news' and not confirmed %}}[news] {{% endif %}}
      {{{{ person }}}} {{{{ verb }}}} {{{{ company }}}}
      {{% if role_summary %}} — {{{{ role_summary }}}}{{% endif %}}
      {{% if effective_date %}} (effective {{{{ effective_date }}}}){{% endif %}}
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
news:
  - {{name: simulated trade press, kind: feed, url: "{base}/feed.xml"}}
"""

Echo = Callable[[str], None]


def alert_text(event: EventRecord) -> str:
    role = f" — {event.role}" if event.role else ""
    if event.change == "role_changed":
        role = f" — {event.previous_role or '-'} → {event.role or '-'}"
    when = f" (effective {event.effective_date})" if event.effective_date else ""
    return f"{event.person} {event.change.replace('_', ' ')} {event.company}{role}{when}"


def simulated_day(elapsed: float) -> date:
    return min(story.END, story.START + timedelta(days=int(elapsed * DAYS_PER_SECOND)))


async def replay(echo: Echo, workdir: Path, speed: float = 1.0) -> list[EventRecord]:
    """``speed`` runs the calendar and the daemon's clock that many times faster."""
    loop = asyncio.get_running_loop()
    start, started = utcnow(), loop.time()

    def clock() -> datetime:
        return start + timedelta(seconds=(loop.time() - started) * speed)

    alerts: asyncio.Queue[str] = asyncio.Queue()
    with (
        Registry() as registry,
        Receiver(lambda title: loop.call_soon_threadsafe(alerts.put_nowait, title)) as receiver,
    ):
        text = CONFIG.format(state=workdir / "demo.db", base=registry.base, hook=receiver.url)
        loaded: Loaded = load_config_text(text, "<demo>")
        store = Store(loaded.config.state)
        install(store, loaded)
        # The dispatcher wakes often enough to follow a clock faster than the wall's.
        options = Options(signals=False, grace=5.0, deliver_every=1 / speed, max_sleep=1 / speed)
        daemon = Daemon(loaded, store, options, clock=clock)
        running = asyncio.create_task(daemon.run())
        progress = _Progress(echo)
        try:
            while not running.done() and not _finished(registry):
                registry.today = simulated_day((loop.time() - started) * speed)
                progress.show(registry.today)
                _print_alerts(echo, alerts, registry.today)
                await asyncio.sleep(0.1)
            daemon.stop()
            await running
            await asyncio.sleep(0)
            _print_alerts(echo, alerts, registry.today)
            echo("\n")
            return store.events(newest_first=False)
        finally:
            if not running.done():
                daemon.stop()
                await running
            store.close()


def _finished(registry: Registry) -> bool:
    """Both pages were checked on the last day of the story."""
    return all(registry.served.get(page) == story.END for page in PAGES)


def _print_alerts(echo: Echo, alerts: asyncio.Queue[str], day: date) -> None:
    while not alerts.empty():
        title = alerts.get_nowait()
        if title.startswith("Confirmed by registry: "):
            echo(f"\n  CONFIRMED      {day}: {title.removeprefix('Confirmed by registry: ')}")
        elif title.startswith("[news] "):
            echo(f"\n  ALERT (news)   {day}: {title.removeprefix('[news] ')}")
        else:
            echo(f"\n  ALERT          {day}: {title}")


class _Progress:
    """A redrawn bar on a terminal; a line every tenth of the story elsewhere (logs, CI)."""

    def __init__(self, echo: Echo) -> None:
        self.echo = echo
        self.shown = -1
        self.total = (story.END - story.START).days

    def show(self, day: date) -> None:
        done = (day - story.START).days
        width = 30
        filled = width * done // self.total
        line = f"  simulated day {day}  [{'#' * filled}{'-' * (width - filled)}]"
        if sys.stdout.isatty():
            self.echo(f"\r{line}")
        elif done * 10 // self.total > self.shown:
            self.shown = done * 10 // self.total
            self.echo(f"\n{line}")


async def run_demo(echo: Echo, speed: float = 1.0) -> int:
    for name in ("monitor", "apscheduler"):  # the demo prints its own account
        logging.getLogger(name).setLevel(logging.ERROR)
    echo(
        "monitor demo: a simulated registry replays Aug-Dec 2021, when Lei Jun took up posts\n"
        "at Xiaomi's new car companies and left several others (offline, temporary state).\n"
        f"The daemon checks it every second while {DAYS_PER_SECOND:g} simulated days pass.\n"
        "The first check is a silent baseline; every later change is an alert, delivered\n"
        "to a local channel and printed here as it arrives. A simulated trade-press feed\n"
        "reports the Wuhan change before the registry shows it: the registry then confirms\n"
        "the news alert instead of sending a second one.\n"
        + (f"Replayed {speed:g} times faster.\n" if speed != 1 else "")
    )
    with tempfile.TemporaryDirectory(prefix="monitor-demo-") as tmp:
        events = await replay(echo, Path(tmp), speed)
        text = CONFIG.format(
            state=Path(tmp) / "demo.db", base="http://127.0.0.1:1", hook="json://127.0.0.1:1"
        )
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
