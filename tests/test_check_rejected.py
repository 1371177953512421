"""A rejected reading leaves no trace in the reference; a good reading clears a held one.

Real HTTP server on 127.0.0.1, real databases, the Checker called directly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from conftest import PageServer, registry_page

from monitor.check import Checker, CycleReport, build_sources, make_fetcher
from monitor.config import load_config_text
from monitor.store import Store

COMPANY = "Harbour Freight Holdings Ltd"
BOARD = [
    ("Ada Moss", "Director", "2019-01-01"),
    ("Ben Holt", "Director", "2019-01-01"),
    ("Cai Wen", "Secretary", "2019-01-01"),
    ("Dora Lind", "Director", "2020-03-01"),
]
CUT = BOARD[:1]  # a page cut short: three of four officers "gone"
MAINTENANCE = "<html><body><h1>Down for maintenance</h1></body></html>"


def checker_for(server: PageServer, db_url: str) -> tuple[Checker, Store]:
    loaded = load_config_text(
        f"""
state: "{db_url}"
defaults: {{interval: 1s, jitter: 0}}
hosts: {{"127.0.0.1": {{rate: none, concurrency: 4}}}}
companies:
  - name: {COMPANY}
    sources:
      - kind: html
        name: harbour
        url: {server.url("/harbour")}
        columns: {{name: Name, role: Position, appointed: Appointed}}
""",
        "<test>",
    )
    store = Store(loaded.config.state)
    return Checker(loaded.config, store, make_fetcher(loaded.config)), store


def check(checker: Checker) -> CycleReport:
    return asyncio.run(checker.run_cycle(build_sources(checker.config), everything=True))


def changes(store: Store) -> set[tuple[str, str]]:
    return {(e.change, e.person) for e in store.events()}


@pytest.fixture
def harbour(server: PageServer, db_url: str) -> Iterator[tuple[Checker, Store]]:
    server.set("/harbour", registry_page(COMPANY, BOARD), etag='W/"v1"')
    checker, store = checker_for(server, db_url)
    yield checker, store
    asyncio.run(checker.fetcher.aclose())
    checker.close()
    store.close()


def test_the_validator_of_a_held_page_never_hides_the_real_change(
    server: PageServer, harbour: tuple[Checker, Store]
) -> None:
    """A registry whose ETag is its record version serves a maintenance page with the new
    version's ETag: holding the page must not keep that ETag, or the next check gets 304
    and the real new page is never read."""
    checker, store = harbour
    assert check(checker).results[0].outcome.status == "baseline"

    server.set("/harbour", MAINTENANCE, etag='W/"v2"')
    assert check(checker).results[0].outcome.status == "suspect"

    joined = [*BOARD, ("Eli Park", "Director", "2026-11-30")]
    server.set("/harbour", registry_page(COMPANY, joined), etag='W/"v2"')
    outcome = check(checker).results[0].outcome
    assert outcome.status == "changed"
    assert changes(store) == {("joined", "Eli Park")}
    assert server.hits_for("/harbour")[-1].headers.get("If-None-Match") == 'W/"v1"'


@pytest.mark.parametrize("unchanged_by", ["hash", "304"])
def test_a_good_reading_between_two_cut_pages_clears_the_held_reading(
    server: PageServer, harbour: tuple[Checker, Store], unchanged_by: str
) -> None:
    """A page flapping between a cut copy and the full one: the full copy in between (an
    identical body, or a 304) is a good reading, so the second cut copy is held again
    instead of "confirming" three departures that never happened."""
    checker, store = harbour
    full_etag = 'W/"v1"' if unchanged_by == "304" else None
    server.set("/harbour", registry_page(COMPANY, BOARD), etag=full_etag)
    check(checker)
    for _ in range(3):
        server.set("/harbour", registry_page(COMPANY, CUT), etag='W/"cut"' if full_etag else None)
        assert check(checker).results[0].outcome.status == "suspect"
        server.set("/harbour", registry_page(COMPANY, BOARD), etag=full_etag)
        assert check(checker).results[0].outcome.status == "unchanged"
    if unchanged_by == "304":
        assert server.hits_for("/harbour")[-1].headers.get("If-None-Match") == 'W/"v1"'
    assert changes(store) == set()


def test_the_same_cut_page_twice_in_a_row_is_still_a_real_mass_change(
    server: PageServer, harbour: tuple[Checker, Store]
) -> None:
    """Clearing the held reading on good readings must not stop a confirmed mass change."""
    checker, store = harbour
    check(checker)
    server.set("/harbour", registry_page(COMPANY, CUT), etag='W/"v2"')
    assert check(checker).results[0].outcome.status == "suspect"
    assert check(checker).results[0].outcome.status == "confirmed"
    assert changes(store) == {("left", "Ben Holt"), ("left", "Cai Wen"), ("left", "Dora Lind")}
