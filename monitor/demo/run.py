"""Replay the story: a simulated registry, the real daemon, a local alert channel.

The registry's calendar moves a week at a time, in step with the daemon: a new
simulated week begins once every source has been checked on the current day and
every alert has been delivered. So each change is detected on the same simulated day,
and printed in the same order, at every run. Each alert is printed as the local
``json://`` receiver on 127.0.0.1 got it: its title, then its body (the effective date,
the source and the evidence).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from monitor.check import CycleReport
from monitor.config import Loaded, load_config_text
from monitor.daemon import Daemon, Options
from monitor.demo import story
from monitor.demo.receiver import Receiver
from monitor.demo.simulator import Registry
from monitor.notify import install
from monitor.notify.outbox import summary
from monitor.output import role_text
from monitor.query import timeline
from monitor.store import EventRecord, Store, utcnow

STEP = timedelta(days=7)  # the simulated time between two checks of every source

CONFIG = """
state: "sqlite:///{state}"
defaults: {{interval: 1s, jitter: 0, notify: [demo]}}
channels:
  demo:
    url: "{hook}"
    title_template: >-
      {{% if origin == 'news' and not confirmed %}}[news] {{% endif %}}
      {{{{ person }}}} {{{{ verb }}}} {{{{ company }}}}
      {{% if role_as_written %}} — {{{{ role_as_written }}}}{{% endif %}}
    body_template: |-
      effective  {{{{ effective_date or 'not stated' }}}}
      source     {{{{ source }}}}
      evidence   {{{{ evidence }}}}
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
    role = f" — {role_text(event)}" if event.role_text or event.role else ""
    when = f" (effective {event.effective_date})" if event.effective_date else ""
    return f"{event.person} {event.change.replace('_', ' ')} {event.company}{role}{when}"


def story_days() -> list[date]:
    """The simulated days the registry is checked on, a week apart, ending on END."""
    days = [story.START]
    while days[-1] < story.END:
        days.append(min(story.END, days[-1] + STEP))
    return days


Alert = tuple[str, str]  # title, body


async def replay(echo: Echo, workdir: Path, speed: float = 1.0) -> list[EventRecord]:
    """``speed`` runs the calendar and the daemon's clock that many times faster."""
    loop = asyncio.get_running_loop()
    start, started = utcnow(), loop.time()

    def clock() -> datetime:
        return start + timedelta(seconds=(loop.time() - started) * speed)

    alerts: list[Alert] = []
    checked: dict[str, date | None] = {}  # source key -> the day its last check saw
    with (
        Registry() as registry,
        Receiver(lambda *alert: loop.call_soon_threadsafe(alerts.append, alert)) as receiver,
    ):

        def on_cycle(report: CycleReport) -> None:
            for result in report.results:
                checked[result.source.key] = registry.served.get(urlsplit(result.source.url).path)

        text = CONFIG.format(state=workdir / "demo.db", base=registry.base, hook=receiver.url)
        loaded: Loaded = load_config_text(text, "<demo>")
        store = Store(loaded.config.state)
        install(store, loaded)
        # The dispatcher wakes often enough to follow a clock faster than the wall's.
        options = Options(signals=False, grace=5.0, deliver_every=1 / speed, max_sleep=1 / speed)
        daemon = Daemon(loaded, store, options, clock=clock, on_cycle=on_cycle)
        running = asyncio.create_task(daemon.run())
        progress = _Progress(echo)
        try:
            for day in story_days():
                registry.today = day
                progress.show(day)
                while not running.done() and not await _settled(store, checked, day):
                    await asyncio.sleep(0.05 / speed)
                await asyncio.sleep(0.05)  # the receiver's last call_soon_threadsafe
                _print_alerts(echo, sorted(alerts, key=_order), day)
                alerts.clear()
            echo("\n")
            return store.events(newest_first=False)
        finally:
            daemon.stop()
            await running
            store.close()


async def _settled(store: Store, checked: dict[str, date | None], day: date) -> bool:
    """Every source was checked on ``day`` and every alert delivered."""
    if len(checked) < 3 or any(seen != day for seen in checked.values()):
        return False
    pending: int = (await asyncio.to_thread(summary, store.engine))["pending"]
    return pending == 0


def _order(alert: Alert) -> tuple[int, str]:
    title = alert[0]
    return (2 if title.startswith("Confirmed") else 0 if title.startswith("[news]") else 1, title)


def _print_alerts(echo: Echo, alerts: list[Alert], day: date) -> None:
    for title, body in alerts:
        if title.startswith("Confirmed by registry: "):
            label, title = "CONFIRMED", title.removeprefix("Confirmed by registry: ")
        elif title.startswith("[news] "):
            label, title = "ALERT (news)", title.removeprefix("[news] ")
        else:
            label = "ALERT"
        echo(f"\n  detected {day}  {label:<12}  {title}")
        for line in body.splitlines():
            echo(f"\n  {'':<19}  {'':<12}  {line}")
        echo("\n")


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
        "monitor demo: a simulated registry replays Aug-Dec 2021, when Lei Jun joined two of\n"
        "Xiaomi's new car companies and left four others (offline, temporary state).\n"
        "The simulated calendar moves a week at a time, and the daemon checks every page\n"
        "each week. The first check is a silent baseline; every later change is an alert,\n"
        "delivered to a local channel and printed here with the day it was detected, the\n"
        "day it took effect, its source and its evidence. A simulated trade-press feed\n"
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
    joined = sum(1 for e in lei if e.change == "joined")
    left = sum(1 for e in lei if e.change == "left")
    echo(
        f"\nTimeline of Lei Jun (matched through the alias 雷军): {len(lei)} moves, "
        f"{joined} joined and {left} left\n"
    )
    echo(f"  {'effective':<10}  {'change':<8}  company  [role]\n")
    for event in lei:
        when = event.effective_date or "-"
        echo(f"  {when:<10}  {event.change:<8}  {event.company}  [{role_text(event)}]\n")
    zeng = timeline(events, config, "Zeng Xuezhong")
    for event in zeng:
        echo(f"\nAnd: {alert_text(event)}\n")
    return 0 if lei else 1
