"""Fault injection: a real `monitor run` polls registry pages that break in every common
way, delivers to receivers that fail, and is SIGKILLed again and again. Every scripted
change must reach every channel, nothing false may be sent, and nothing twice (save a
message repeated because a kill fell between its acceptance and its record, which
carries the same idempotency key and is counted apart).

Replay a run with ``MONITOR_FAULT_SEED=<seed>`` (the seed is printed with the numbers).
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
from conftest import REPO
from servers import HOOK_FAULTS, PAGE_FAULTS, SMTP_FAULTS, Mailbox, Page, Receipt, Registry, Webhook
from sqlalchemy import func, select

from monitor.config import load_config
from monitor.notify import deliver_due
from monitor.notify.outbox import summary
from monitor.store import Store
from monitor.store.tables import events

pytestmark = pytest.mark.faults

SEED = int(os.environ.get("MONITOR_FAULT_SEED", "1201"))
PAGES = 8
CHANGES = 40
KILLS = 5
SPAN = 26.0  # seconds of scripted changes
CALM = 8.0  # the last seconds: changes only, to measure latency against
HORIZON = SPAN - CALM  # faults and kills happen before this
INTERVAL = 1.0
FIRST = ["Ada", "Ben", "Cai", "Dora", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kit", "Lea"]
LAST = ["Moss", "Holt", "Wen", "Lind", "Park", "Rao", "Sato", "Tran", "Ueda", "Vale", "Wolf"]
# No apprise throttle in the test (apprise spaces mail 5.5 s apart by default).
LAUNCH = """
import sys
from apprise.plugins.base import NotifyBase
from apprise.plugins.email.base import NotifyEmail
NotifyBase.request_rate_per_sec = 0
NotifyEmail.request_rate_per_sec = 0
sys.argv = ["monitor", *sys.argv[1:]]
from monitor.cli import main
main()
"""


@dataclass(frozen=True)
class Step:
    at: float
    kind: str  # change | fault | heal | kill
    target: str = ""  # a page path, "hook" or "mail"
    arg: Any = None


@dataclass
class Script:
    boards: dict[str, list[tuple[str, str]]]
    steps: list[Step]
    expected: dict[tuple[str, str, str], float] = field(default_factory=dict)  # → injected at


def company(i: int) -> str:
    return f"Faultline {i:02d} Ltd"


def make_script(seed: int) -> Script:
    """Changes, page faults, receiver faults and kills, all drawn from ``seed``."""
    rng = random.Random(seed)
    names = iter(rng.sample([f"{f} {s}" for f in FIRST for s in LAST], len(FIRST) * len(LAST)))
    boards = {f"/c{i}": [(next(names), "Director") for _ in range(5)] for i in range(PAGES)}
    steps: list[Step] = []
    # Only people on the first board leave, and nobody comes back: every change stays
    # visible however many of them a check finds at once (e.g. after a restart).
    leavers = {path: [name for name, _ in board] for path, board in boards.items()}
    for at in sorted(rng.uniform(1.0, SPAN - 2.0) for _ in range(CHANGES)):
        path = f"/c{rng.randrange(PAGES)}"
        if len(leavers[path]) > 2 and rng.random() < 0.5:
            gone = leavers[path].pop(rng.randrange(len(leavers[path])))
            steps.append(Step(at, "change", path, ("leave", gone)))
        else:
            steps.append(Step(at, "change", path, ("join", next(names))))
    for mode in PAGE_FAULTS:
        start = rng.uniform(0.5, HORIZON - 2.5)
        path = f"/c{rng.randrange(PAGES)}"
        steps += [
            Step(start, "fault", path, mode),
            Step(start + rng.uniform(1.0, 2.5), "heal", path),
        ]
    for target, faults in (("hook", HOOK_FAULTS), ("mail", SMTP_FAULTS)):
        for mode in faults:
            start = rng.uniform(1.0, HORIZON - 2.5)
            steps += [
                Step(start, "fault", target, mode),
                Step(start + rng.uniform(1.0, 2.5), "heal", target),
            ]
    gap = (HORIZON - 2.0) / KILLS
    steps += [Step(2.0 + k * gap + rng.uniform(0, gap / 3), "kill") for k in range(KILLS)]
    return Script(boards, sorted(steps, key=lambda s: s.at))


@dataclass
class World:
    registry: Registry
    hook: Webhook
    mail: Mailbox
    config: Path
    logs: Path
    proc: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    starts: int = 0
    crashes: int = 0
    kills: list[float] = field(default_factory=list)
    down: list[tuple[float, int]] = field(default_factory=list)  # killed at, next start
    windows: list[tuple[str, float, float]] = field(default_factory=list)  # target, from, to

    def start(self) -> None:
        self.starts += 1
        self.log = (self.logs / f"daemon-{self.starts}.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, "-c", str(self.config), "run", "--grace", "3"],
            cwd=REPO,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def alive(self) -> None:
        """Restart a daemon that ended without being told to (a crash)."""
        assert self.proc is not None
        if self.proc.poll() is not None:
            self.crashes += 1
            self.start()

    def working(self) -> bool:
        """The current daemon has finished a check."""
        return b"check source=" in (self.logs / f"daemon-{self.starts}.log").read_bytes()

    def kill(self, rng: random.Random) -> None:
        """SIGKILL the daemon once it is at work (a slow start is no kill target), and
        start the next one at once."""
        assert self.proc is not None
        self.alive()
        wait(self.working, 30)
        time.sleep(rng.uniform(0.0, 1.0))
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.kills.append(time.monotonic())
        self.start()
        self.down.append((self.kills[-1], self.starts))

    def downtimes(self) -> list[tuple[float, float]]:
        """(killed, the next daemon at work) on the monotonic clock, from the logs."""
        offset = time.time() - time.monotonic()
        out = []
        for killed, start in self.down:
            text = (self.logs / f"daemon-{start}.log").read_text(errors="replace")
            line = next((ln for ln in text.splitlines() if "monitor running" in ln), None)
            up = float("inf")
            if line is not None:
                stamp, millis = line[:23].split(",")
                up = time.mktime(time.strptime(stamp, "%Y-%m-%d %H:%M:%S")) + int(millis) / 1000
                up -= offset
            out.append((killed, up))
        return out

    def stop(self) -> int:
        assert self.proc is not None
        self.alive()
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


def config_text(world: World, db_url: str, script: Script) -> str:
    sources = "\n".join(
        f"""  - name: {company(int(path[2:]))}
    sources:
      - {{kind: html, name: "{path}", url: "{world.registry.url(path)}",
          columns: {{name: Name, role: Position}}}}"""
        for path in script.boards
    )
    return f"""
state: "{db_url}"
defaults: {{interval: {INTERVAL:g}s, jitter: 0.1, timeout: 2s, notify: [hook, mail]}}
channels: {{hook: "{world.hook.url()}", mail: "{world.mail.url()}"}}
hosts: {{"127.0.0.1": {{rate: none, concurrency: 16}}}}
companies:
{sources}
"""


def apply(world: World, script: Script, step: Step, rng: random.Random) -> None:
    now = time.monotonic()
    if step.kind == "kill":
        world.kill(rng)
        return
    if step.target in ("hook", "mail"):
        receiver: Any = world.hook if step.target == "hook" else world.mail
        receiver.fault = step.arg if step.kind == "fault" else None
        if step.kind == "fault":
            world.windows.append((step.target, now, float("inf")))
        else:
            _close_window(world, step.target, now)
        return
    page = world.registry.pages[step.target]
    with world.registry.lock:
        if step.kind == "fault":
            page.fault, page.flips = step.arg, 0
            world.windows.append((step.target, now, float("inf")))
        elif step.kind == "heal":
            page.fault = None
            _close_window(world, step.target, now)
        elif step.arg[0] == "leave":
            page.officers = [o for o in page.officers if o[0] != step.arg[1]]
            page.version += 1
            script.expected[("left", step.arg[1], page.company)] = now
        else:
            page.officers.append((step.arg[1], "Director"))
            page.version += 1
            script.expected[("joined", step.arg[1], page.company)] = now


def _close_window(world: World, target: str, now: float) -> None:
    for i, (name, start, end) in enumerate(world.windows):
        if name == target and end == float("inf"):
            world.windows[i] = (name, start, now)


def wait(condition: Any, timeout: float) -> bool:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            return False
        time.sleep(0.1)
    return True


@dataclass
class Tally:
    lost: int = 0
    duplicates: int = 0
    what: list[str] = field(default_factory=list)  # each duplicate, explained
    repeats: list[str] = field(default_factory=list)  # idempotency keys of kill repeats
    false: int = 0
    latencies: list[float] = field(default_factory=list)


def tally(world: World, script: Script, store: Store) -> Tally:
    with store.engine.connect() as conn:
        rows = conn.execute(select(events.c.id, events.c.change, events.c.person, events.c.company))
        by_id = {r.id: (r.change, r.person, r.company) for r in rows}
    out = Tally(false=sum(1 for key in by_id.values() if key not in script.expected))
    ids = {key: i for i, key in by_id.items()}
    down = world.downtimes()
    for name, receipts in (("hook", world.hook.receipts), ("mail", world.mail.receipts)):
        out.false += sum(1 for r in receipts for i in r.ids if by_id.get(i) not in script.expected)
        for key, injected in script.expected.items():
            got = sorted((r for r in receipts if ids.get(key) in r.ids), key=lambda r: r.at)
            if not got:
                out.lost += 1
                continue
            for before, again in itertools.pairwise(got):
                # Sent again by a later process: the kill fell before the record. A mail
                # repeat has the Message-ID of the first, so a mail system can drop it.
                killed = any(before.at <= k <= again.at for k in world.kills)
                same = again.key == before.key and again.message_id == before.message_id
                if again.key is not None and same and killed:
                    out.repeats.append(again.key)
                else:
                    out.duplicates += 1
                    near = min((k - before.at for k in world.kills), key=abs, default=None)
                    out.what.append(
                        f"{name} {key}: keys {before.key} then {again.key}, "
                        f"Message-IDs {before.message_id} then {again.message_id}, "
                        f"{again.at - before.at:.2f}s apart, nearest kill {near}"
                    )
            if _fault_free(world, name, key[2], injected, got[0], down):
                out.latencies.append(got[0].at - injected)
    return out


def _fault_free(
    world: World, channel: str, name: str, injected: float, first: Receipt, down: list[Any]
) -> bool:
    """No fault of its page or channel, and no daemon down, between change and alert."""
    path = next(p for p, page in world.registry.pages.items() if page.company == name)
    for target, start, end in world.windows:
        if target in (path, channel) and start <= first.at and end >= injected - INTERVAL:
            return False
    return not any(killed <= first.at and up >= injected for killed, up in down)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    registry, hook, mail = Registry(SEED), Webhook(), Mailbox()
    built = World(registry, hook, mail, tmp_path / "monitor.yaml", tmp_path)
    yield built
    if built.proc is not None and built.proc.poll() is None:
        built.proc.kill()
        built.proc.wait()
    registry.close()
    hook.close()
    mail.close()


def test_no_alert_is_lost_repeated_or_false_under_faults_and_kills(
    world: World, db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    script = make_script(SEED)
    for path, board in script.boards.items():
        world.registry.pages[path] = Page(company(int(path[2:])), list(board))
    world.config.write_text(config_text(world, db_url, script), encoding="utf-8")
    store = Store(db_url)
    try:
        world.start()
        baseline = wait(
            lambda: (
                len(store.source_rows()) == PAGES
                and all(r.last_success_at for r in store.source_rows())
            ),
            30,
        )
        assert baseline, "the daemon never checked every page once"
        started = time.monotonic()
        rng = random.Random(SEED)
        for step in script.steps:
            while time.monotonic() - started < step.at:
                world.alive()
                time.sleep(0.02)
            before = time.monotonic()
            apply(world, script, step, rng)
            if step.kind == "kill":  # the script's clock stops while a kill waits for work
                started += time.monotonic() - before
        for page in world.registry.pages.values():
            page.fault = None
        world.hook.fault = world.mail.fault = None

        def detected() -> bool:
            with store.engine.connect() as conn:
                return conn.execute(select(func.count()).select_from(events)).scalar_one() >= len(
                    script.expected
                )

        wait(detected, 20)
        assert world.stop() == 0, "SIGTERM did not stop the daemon cleanly"
        # Retries wait 30 s and more; send what is left now, as `monitor deliver --all` does.
        from apprise.plugins.base import NotifyBase
        from apprise.plugins.email.base import NotifyEmail

        monkeypatch.setattr(NotifyBase, "request_rate_per_sec", 0)
        monkeypatch.setattr(NotifyEmail, "request_rate_per_sec", 0)
        loaded = load_config(str(world.config))
        for _ in range(5):
            asyncio.run(deliver_due(store, loaded, everything=True))
            if summary(store.engine)["pending"] == 0:
                break
        result = tally(world, script, store)
        tracebacks = sum(
            path.read_text(errors="replace").count("Traceback")
            for path in world.logs.glob("daemon-*.log")
        )
    finally:
        store.close()
    crashes = world.crashes + tracebacks
    lat = sorted(result.latencies)
    p95 = lat[math.ceil(0.95 * len(lat)) - 1] if lat else float("nan")  # nearest rank
    backend = db_url.split(":", 1)[0].split("+")[0]
    with capsys.disabled():
        print(
            f"\nfaults[{backend}] seed={SEED} changes={len(script.expected)} "
            f"kills={len(world.kills)} lost={result.lost} duplicates={result.duplicates} "
            f"repeats={len(result.repeats)} {result.repeats} false={result.false} "
            f"crashes={crashes} latency p50={statistics.median(lat) if lat else float('nan'):.2f}s "
            f"p95={p95:.2f}s max={max(lat) if lat else float('nan'):.2f}s "
            f"(fault-free alerts: {len(lat)})" + "".join(f"\n  duplicate: {w}" for w in result.what)
        )
    assert len(script.expected) >= CHANGES and len(world.kills) >= KILLS
    assert (result.lost, result.false, crashes, result.duplicates) == (0, 0, 0, 0)
    assert lat and p95 <= INTERVAL + 10.0
