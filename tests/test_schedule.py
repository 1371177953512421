"""When sources are checked, on a clock the test moves: intervals, jitter, downtime."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from pathlib import Path

from conftest import PageServer, registry_page
from support.clock import T0, FakeClock

from monitor.check import Checker, build_sources, make_fetcher, next_check, source_record
from monitor.config import Loaded, load_config_text
from monitor.store import Store

BEFORE = [("Lei Jun", "Director", "2015-06-01")]
AFTER = [("Zeng Xuezhong", "Director", "2021-12-07")]


def watch_list(server: PageServer, state: Path, interval: str, jitter: float) -> Loaded:
    text = f"""
state: sqlite:///{state}
defaults: {{interval: {interval}, jitter: {jitter}}}
hosts: {{"127.0.0.1": {{rate: none, concurrency: 4}}}}
companies:
  - name: Acme Ltd
    sources:
      - kind: html
        name: acme
        url: {server.url("/acme")}
        columns: {{name: Name, role: Position, appointed: Appointed}}
"""
    return load_config_text(text, "<test>")


def cycle(loaded: Loaded, store: Store, clock: FakeClock, rng: random.Random) -> list[str]:
    """One `monitor check` cycle at the clock's time: the statuses of the checked sources."""

    async def run() -> list[str]:
        checker = Checker(loaded.config, store, make_fetcher(loaded.config), clock=clock, rng=rng)
        try:
            report = await checker.run_cycle(build_sources(loaded.config))
        finally:
            await checker.fetcher.aclose()
            checker.close()
        return [r.outcome.status for r in report.results]

    return asyncio.run(run())


def test_a_source_is_checked_again_only_once_its_interval_has_passed(
    server: PageServer, tmp_path: Path
) -> None:
    server.set("/acme", registry_page("Acme Ltd", BEFORE))
    loaded = watch_list(server, tmp_path / "s.db", "1h", 0)
    store = Store(loaded.config.state)
    clock, rng = FakeClock(), random.Random(7)
    try:
        assert cycle(loaded, store, clock, rng) == ["baseline"]
        [row] = store.source_rows()
        assert row.next_check_at == T0 + timedelta(hours=1)
        clock.advance(minutes=59)
        server.set("/acme", registry_page("Acme Ltd", AFTER))
        assert cycle(loaded, store, clock, rng) == []  # not due: nothing fetched
        assert len(server.hits_for("/acme")) == 1
        clock.advance(minutes=1)
        assert cycle(loaded, store, clock, rng) == ["changed"]
        assert [e.detected_at for e in store.events()] == [clock.now, clock.now]
    finally:
        store.close()


def test_after_downtime_an_overdue_source_is_checked_once_and_rescheduled_from_now(
    server: PageServer, tmp_path: Path
) -> None:
    server.set("/acme", registry_page("Acme Ltd", BEFORE))
    loaded = watch_list(server, tmp_path / "s.db", "1h", 0)
    store = Store(loaded.config.state)
    clock, rng = FakeClock(), random.Random(7)
    try:
        cycle(loaded, store, clock, rng)
        clock.advance(days=3)  # the process was down for three days
        assert cycle(loaded, store, clock, rng) == ["unchanged"]  # once, not 72 times
        [row] = store.source_rows()
        assert row.next_check_at == clock.now + timedelta(hours=1)
        assert cycle(loaded, store, clock, rng) == []
    finally:
        store.close()


def test_jitter_spreads_the_next_check_within_its_share_of_the_interval(
    server: PageServer, tmp_path: Path
) -> None:
    loaded = watch_list(server, tmp_path / "s.db", "1h", 0.25)
    [source] = build_sources(loaded.config)
    store = Store(loaded.config.state)
    try:
        row = store.sync_sources([source_record(source, loaded.config)], T0)[source.key]
    finally:
        store.close()

    def draws(seed: int) -> list[float]:
        rng = random.Random(seed)
        times = [next_check(row, source, loaded.config, T0, rng) for _ in range(200)]
        return [(t - T0 - timedelta(hours=1)).total_seconds() for t in times]

    offsets = draws(3)
    assert all(0 <= o <= 15 * 60 for o in offsets)
    assert max(offsets) - min(offsets) > 10 * 60  # spread, not one fixed delay
    assert draws(3) == offsets  # the random source decides, nothing else
