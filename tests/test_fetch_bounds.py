"""What a hostile or broken server cannot do to a fetch: exhaust memory, loop, hang, or
hold up the other sources."""

from __future__ import annotations

import asyncio
import gzip
import time
import tracemalloc
from pathlib import Path

import pytest
from conftest import PageServer, registry_page
from fetch_servers import endless_body, gzip_bomb, silent

import monitor.fetch
from monitor.check import Checker, build_sources
from monitor.config import load_config_text
from monitor.errors import FetchError
from monitor.fetch import Fetcher, HostPolicy
from monitor.store import Store

CAP = 1 << 20
OPEN = HostPolicy(concurrency=8, rate=None)


@pytest.fixture(params=["curl", "httpx"], autouse=True)
def http_client(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every bound holds whichever HTTP client a watch list picks."""
    monkeypatch.setattr(monitor.fetch, "DEFAULT_HTTP_CLIENT", request.param)
    __import__("pycurl" if request.param == "curl" else "httpx")  # not in a memory peak
    return str(request.param)


def peak_while(url: str, **options: object) -> tuple[str, int]:
    """Fetch ``url``; the error message and the peak Python memory while doing it."""

    async def fetch() -> str:
        async with Fetcher(default_policy=OPEN, max_bytes=CAP, retries=0, **options) as fetcher:  # type: ignore[arg-type]
            try:
                await fetcher.get(url)
            except FetchError as exc:
                return str(exc)
        return "no error"

    tracemalloc.start()
    try:
        message = asyncio.run(fetch())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return message, peak


def test_an_endless_body_stops_at_the_cap_without_growing() -> None:
    with endless_body() as url:
        started = time.monotonic()
        message, peak = peak_while(url)
    assert "larger than the 1048576 byte cap" in message
    assert peak < 4 * CAP
    assert time.monotonic() - started < 5


def test_a_gzip_bomb_stops_at_the_cap_while_inflating() -> None:
    bomb = gzip_bomb(256)  # 256 MiB once inflated, about 250 KiB on the wire
    assert len(bomb) < 400_000
    with endless_body(encoding="gzip", payload=bomb) as url:
        message, peak = peak_while(url)
    assert "larger than the 1048576 byte cap" in message
    assert peak < 4 * CAP  # one 64 KiB network chunk alone would inflate to ~64 MiB


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "identity"])
def test_compressed_pages_are_decoded(server: PageServer, encoding: str) -> None:
    page = registry_page("Xiaomi Automobile Co., Ltd.", [("Lei Jun", "Legal Representative", "")])
    raw = page.encode()
    body = {"gzip": gzip.compress(raw), "deflate": __import__("zlib").compress(raw)}.get(
        encoding, raw
    )
    server.set("/p", body, headers={"Content-Encoding": encoding})

    async def fetch() -> bytes:
        async with Fetcher(default_policy=OPEN) as fetcher:
            return (await fetcher.get(server.url("/p"))).body

    assert asyncio.run(fetch()) == raw
    assert "gzip" in server.hits[0].headers["Accept-Encoding"]


def test_redirects_are_followed_and_recorded(server: PageServer) -> None:
    server.set("/old", "", status=301, headers={"Location": "/moved"})
    server.set("/moved", "", status=302, headers={"Location": "/new"})
    server.set("/new", "here")

    async def fetch() -> tuple[str, tuple[str, ...], tuple[tuple[int, str], ...]]:
        async with Fetcher(
            default_policy=OPEN, user_agent="acme-compliance/2 (ops@acme.test)"
        ) as f:
            response = await f.get(server.url("/old"))
        return response.final_url, response.history, response.redirects

    final, history, redirects = asyncio.run(fetch())
    assert final == server.url("/new")
    assert history == (server.url("/old"), server.url("/moved"))
    assert redirects == ((301, "/moved"), (302, "/new"))
    assert {h.headers["User-Agent"] for h in server.hits} == {"acme-compliance/2 (ops@acme.test)"}


def test_robots_txt_is_respected_when_asked_and_fetched_once_per_host(
    server: PageServer,
) -> None:
    server.set(
        "/robots.txt",
        "User-agent: *\nDisallow: /private/\n",
        headers={"Content-Type": "text/plain"},
    )
    server.set("/private/officers", "secret")
    server.set("/public/officers", "open")

    async def fetch(robots: bool) -> list[str]:
        results = []
        async with Fetcher(default_policy=OPEN, robots=robots) as fetcher:
            for path in ("/public/officers", "/private/officers", "/public/officers"):
                try:
                    results.append((await fetcher.get(server.url(path))).body.decode())
                except FetchError as exc:
                    results.append(str(exc))
        return results

    allowed, blocked, again = asyncio.run(fetch(True))
    assert (allowed, again) == ("open", "open")
    assert "robots.txt disallows" in blocked
    assert len(server.hits_for("/robots.txt")) == 1
    assert len(server.hits_for("/private/officers")) == 0
    assert asyncio.run(fetch(False))[1] == "secret"  # off by default


def test_broken_sources_are_reported_each_and_do_not_hold_up_the_others(
    server: PageServer, tmp_path: Path
) -> None:
    server.set("/good", registry_page("Good Co", [("Lei Jun", "Director", "2020-01-01")]))
    server.set("/loop", "", status=302, headers={"Location": "/loop"})
    with silent() as hang:
        urls = {
            "good": server.url("/good"),
            "loop": server.url("/loop"),
            "dns": "http://registry.nonexistent.invalid/officers",
            "tls": server.base.replace("http://", "https://") + "/good",
            "hang": hang,
        }
        companies = "\n".join(
            f"""  - name: {name}
    sources:
      - kind: html
        name: {name}
        url: {url}
        columns: {{name: Name, role: Position}}"""
            for name, url in urls.items()
        )
        config = load_config_text(
            f"state: sqlite:///{tmp_path / 's.db'}\ncompanies:\n{companies}\n"
        ).config
        store = Store(config.state)

        async def cycle() -> dict[str, tuple[str, str, float]]:
            fetcher = Fetcher(timeout=1.5, retries=1, backoff=0.1, default_policy=OPEN)
            checker = Checker(config, store, fetcher)
            try:
                report = await checker.run_cycle(build_sources(config))
            finally:
                await fetcher.aclose()
                checker.close()
            return {
                r.source.key: (r.outcome.status, r.outcome.error or "", r.seconds)
                for r in report.results
            }

        started = time.monotonic()
        results = asyncio.run(cycle())
        took = time.monotonic() - started
        store.close()
    assert results["good"][0] == "baseline" and results["good"][2] < 1.0
    assert "redirect loop" in results["loop"][1]
    assert "DNS lookup failed" in results["dns"][1]
    assert "TLS" in results["tls"][1] or "SSL" in results["tls"][1]
    assert "no complete answer within 1.5s" in results["hang"][1]
    assert all(results[k][0] == "error" for k in ("loop", "dns", "tls", "hang"))
    assert took < 6  # the hanging server costs its own timeouts only
