"""Per-host politeness as a registry would see it: rates observed at the server."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from itertools import pairwise
from pathlib import Path

from conftest import PageServer, registry_page
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.check import Checker, build_sources, make_fetcher
from monitor.config import load_config_text
from monitor.fetch import WINDOW_MARGIN, Fetcher, HostPolicy, earliest_start
from monitor.sources.presets import PRESETS
from monitor.store import Store


def most_in_window(times: list[float], window: float) -> int:
    """The most events in any half-open window [t, t + window)."""
    times = sorted(times)
    best = 0
    for i, start in enumerate(times):
        best = max(best, sum(1 for t in times[i:] if t < start + window))
    return best


@settings(max_examples=200, deadline=None)
@given(
    rate=st.integers(min_value=1, max_value=12),
    per=st.sampled_from([0.5, 1.0, 2.0, 300.0]),
    arrivals=st.lists(st.floats(min_value=0, max_value=5, allow_nan=False), max_size=40),
)
def test_no_window_ever_holds_more_starts_than_the_limit(
    rate: int, per: float, arrivals: list[float]
) -> None:
    """Whenever requests ask to start, the starts granted never exceed rate per window."""
    policy = HostPolicy(concurrency=1, rate=rate, per=per)
    starts: deque[float] = deque()
    clock = 0.0
    for ask in sorted(arrivals):
        clock = earliest_start(starts, max(clock, ask), policy)
        starts.append(clock)
    granted = list(starts)
    assert most_in_window(granted, per + WINDOW_MARGIN / 2) <= rate
    gaps = [b - a for a, b in pairwise(granted)]
    assert all(g >= per / rate - 1e-9 for g in gaps)


def test_fractional_rates_become_one_request_per_longer_window() -> None:
    assert HostPolicy(rate=0.5, per=1).window == (1, 2.0)
    assert HostPolicy(rate=600, per=300).window == (600, 300.0)
    assert earliest_start([10.0], 10.0, HostPolicy(rate=0.5, per=1)) >= 12.0
    assert earliest_start([10.0], 10.0, HostPolicy(rate=None)) == 10.0
    assert earliest_start([], 3.0, HostPolicy(), not_before=5.0) == 5.0


def test_twenty_sources_on_one_host_stay_under_the_configured_rate(
    server: PageServer, tmp_path: Path
) -> None:
    for i in range(20):
        server.set(f"/c{i}", registry_page(f"Company {i}", [("Lei Jun", "Director", "2020")]))
    companies = "\n".join(
        f"""  - name: Company {i}
    sources:
      - kind: html
        url: {server.url(f"/c{i}")}
        columns: {{name: Name, role: Position, appointed: Appointed}}"""
        for i in range(20)
    )
    text = f"""
state: sqlite:///{tmp_path / "s.db"}
hosts: {{"127.0.0.1": {{rate: "10/s", concurrency: 5}}}}
companies:
{companies}
"""
    config = load_config_text(text).config
    store = Store(config.state)

    async def cycle() -> int:
        checker = Checker(config, store, make_fetcher(config))
        try:
            report = await checker.run_cycle(build_sources(config))
        finally:
            await checker.fetcher.aclose()
            checker.close()
        return len([r for r in report.results if not r.outcome.failed])

    assert asyncio.run(cycle()) == 20
    store.close()
    arrivals = [h.at for h in server.hits]
    assert len(arrivals) == 20
    assert most_in_window(arrivals, 1.0) <= 10
    assert max(arrivals) - min(arrivals) >= 1.0  # 20 requests at 10/s take a second or more


def test_retry_after_holds_every_request_to_that_host(server: PageServer) -> None:
    server.set("/busy", "slow down", status=429, headers={"Retry-After": "1"})
    server.set("/other", "fine")

    async def fetch() -> tuple[int, int]:
        policy = HostPolicy(concurrency=4, rate=None)
        async with Fetcher(default_policy=policy, retries=0) as fetcher:
            first = await fetcher.get(server.url("/busy"))
            second = await fetcher.get(server.url("/other"))
        return first.status, second.status

    assert asyncio.run(fetch()) == (429, 200)
    busy, other = server.hits_for("/busy")[0].at, server.hits_for("/other")[0].at
    assert other - busy >= 1.0


def test_a_retried_429_waits_for_retry_after(server: PageServer) -> None:
    server.set("/busy", "slow down", status=429, headers={"Retry-After": "1"})

    async def fetch() -> int:
        async with Fetcher(default_policy=HostPolicy(rate=None), retries=1) as fetcher:
            return (await fetcher.get(server.url("/busy"))).status

    started = time.monotonic()
    assert asyncio.run(fetch()) == 429
    hits = [h.at for h in server.hits_for("/busy")]
    assert len(hits) == 2 and hits[1] - hits[0] >= 1.0
    assert time.monotonic() - started < 5


def test_registry_presets_reach_the_fetcher_and_the_watch_list_wins() -> None:
    text = """
hosts: {"data.sec.gov": {rate: "2/s", concurrency: 1}}
"""
    fetcher = make_fetcher(load_config_text(text).config)
    assert fetcher.policy_for("data.sec.gov") == HostPolicy(concurrency=1, rate=2, per=1)
    host = "api.company-information.service.gov.uk"
    assert fetcher.policy_for(host.upper()) == PRESETS[host]
    assert fetcher.policy_for("registry.example.com") == HostPolicy()  # 1 request/s
    asyncio.run(fetcher.aclose())


def test_one_site_spelled_two_ways_shares_one_robots_origin() -> None:
    from urllib.parse import urlsplit

    from monitor.fetch import _origin

    spellings = ["https://Registry.example.com:443/a", "https://registry.example.com/b"]
    assert {_origin(urlsplit(u)) for u in spellings} == {"https://registry.example.com"}
    assert _origin(urlsplit("http://user:pw@Example.com:8080/x")) == "http://example.com:8080"
