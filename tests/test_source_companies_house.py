"""kind: companies_house — a company's officer list from the UK register, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import PageServer
from registry_support import (
    by_change,
    check,
    events,
    fixture,
    max_in_window,
    observe,
    raw_fixture,
    serve,
    switch_after_first_hit,
    write_config,
)

from monitor.errors import FetchError, ParseError
from monitor.fetch import HostPolicy
from monitor.sources.base import FetchState, NotModified, Observed
from monitor.sources.companies_house import CompaniesHouseSpec, company_officers
from monitor.sources.presets import PRESETS, host_policies

KIND = "companies_house"
COMPANY = "Alder Ridge Holdings Limited"
NUMBER = "09876543"
PER_PAGE = 2


def page_path(start: int, per_page: int = PER_PAGE, number: str = NUMBER) -> str:
    return f"/company/{number}/officers?items_per_page={per_page}&start_index={start}"


def serve_pages(
    server: PageServer, document: dict[str, Any], per_page: int = PER_PAGE, **options: Any
) -> list[str]:
    """Split an officer list into the pages the API would answer, and serve them."""
    items = document["items"]
    paths = []
    for start in range(0, max(len(items), 1), per_page):
        page = {**document, "items": items[start : start + per_page], "start_index": start}
        page["items_per_page"] = per_page
        paths.append(page_path(start, per_page))
        serve(server, paths[-1], page, **options)
    return paths


def spec(server: PageServer, **extra: Any) -> CompaniesHouseSpec:
    values: dict[str, Any] = {"items_per_page": PER_PAGE, **extra}
    return CompaniesHouseSpec(
        kind=KIND, company_number=NUMBER, api_key="test-key", base_url=server.base, **values
    )


def config_text(server: PageServer, state: str, hosts: str = "{rate: none}") -> str:
    return f"""
state: "{state}"
hosts:
  "127.0.0.1": {hosts}
companies:
  - name: {COMPANY}
    sources:
      - kind: companies_house
        company_number: "{NUMBER}"
        api_key: "${{CH_TEST_KEY}}"
        base_url: {server.base}
        items_per_page: {PER_PAGE}
"""


KEY = "ch-live-7f3a"


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CH_TEST_KEY", KEY)


def test_resigned_row_and_new_director_become_events(
    tmp_path: Path, server: PageServer, db_url: str
) -> None:
    serve_pages(server, fixture(KIND, "officers_before.json"))
    config = write_config(tmp_path, config_text(server, db_url))
    first = check(config)
    assert first.returncode == 0, first.stderr
    assert events(config) == []

    serve_pages(server, fixture(KIND, "officers_after.json"))
    second = check(config)
    assert second.returncode == 0, second.stderr
    found = by_change(events(config))
    assert set(found) == {
        ("left", "Daniel Chukwuemeka Okafor", COMPANY),
        ("joined", "Wei Lin", COMPANY),
    }
    left = found[("left", "Daniel Chukwuemeka Okafor", COMPANY)]
    assert left["effective_date"] == "2024-02-29"
    assert left["role"] == "director"
    assert "2024-02-29" in left["evidence"]
    joined = found[("joined", "Wei Lin", COMPANY)]
    assert joined["effective_date"] == "2024-03-01"
    assert joined["url"] == f"{server.base}/company/{NUMBER}/officers"
    # every page was read, each with the key as the basic-auth user name
    for start in (0, 2):
        hits = server.hits_for(page_path(start))
        assert hits and hits[-1].headers["Authorization"].startswith("Basic ")

    assert check(config).returncode == 0
    assert len(events(config)) == 2


def test_pagination_reads_every_page_in_process(server: PageServer) -> None:
    paths = serve_pages(server, fixture(KIND, "officers_after.json"))
    result = observe(spec(server).build(COMPANY))
    assert isinstance(result, Observed)
    names = sorted(o.name for o in result.extraction.officers)
    assert names == [
        "Daniel Chukwuemeka Okafor",
        "Eleanor Jane Hargreaves",
        "Marcus Price",
        "Wei Lin",
    ]
    assert [o.name for o in result.extraction.officers if not o.active] == [
        "Daniel Chukwuemeka Okafor"
    ]
    assert [len(server.hits_for(p)) for p in paths] == [1, 1]
    again = observe(spec(server).build(COMPANY), FetchState(content_hash=result.content_hash))
    assert isinstance(again, NotModified)


def test_a_short_list_is_an_error_not_departures(server: PageServer) -> None:
    document = fixture(KIND, "officers_before.json")
    serve_pages(server, document)
    serve(server, page_path(2), {**document, "items": [], "start_index": 2})
    with pytest.raises(ParseError, match="incomplete"):
        observe(spec(server).build(COMPANY))


def test_bad_key_is_reported_as_such(server: PageServer) -> None:
    serve(server, page_path(0), fixture(KIND, "error_401.json"), status=401)
    with pytest.raises(FetchError, match="HTTP 401: check the API key"):
        observe(spec(server).build(COMPANY))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (raw_fixture(KIND, "malformed.html"), "did not answer with JSON"),
        (fixture(KIND, "not_an_officer_list.json"), "not an officer list"),
        (b'{"items": "none", "total_results": 3}', "not a list"),
    ],
)
def test_malformed_body_is_a_parse_error(server: PageServer, body: Any, message: str) -> None:
    serve(server, page_path(0), body)
    with pytest.raises(ParseError, match=message):
        observe(spec(server).build(COMPANY))


def test_malformed_body_through_check_changes_nothing(tmp_path: Path, server: PageServer) -> None:
    serve_pages(server, fixture(KIND, "officers_before.json"))
    config = write_config(tmp_path, config_text(server, f"sqlite:///{tmp_path / 's.db'}"))
    assert check(config).returncode == 0
    serve(server, page_path(0), raw_fixture(KIND, "malformed.html"))
    failed = check(config)
    assert failed.returncode == 1
    assert "FAILED" in failed.stderr and "did not answer with JSON" in failed.stderr
    assert KEY not in failed.stderr + failed.stdout
    assert events(config) == []


def test_429_waits_for_retry_after_then_succeeds(server: PageServer) -> None:
    document = fixture(KIND, "officers_before.json")
    serve_pages(server, document, per_page=5)
    first = page_path(0, per_page=5)
    serve(server, first, fixture(KIND, "error_429.json"), status=429, headers={"Retry-After": "1"})
    page = {**document, "items_per_page": 5}
    watcher = switch_after_first_hit(server, first, page)
    result = observe(spec(server, items_per_page=5).build(COMPANY), retries=2)
    watcher.join()
    assert isinstance(result, Observed) and len(result.extraction.officers) == 3
    hits = [h.at for h in server.hits_for(first)]
    assert len(hits) == 2
    assert hits[1] - hits[0] >= 0.95  # Retry-After: 1 was honoured


def test_configured_rate_holds_across_pages(tmp_path: Path, server: PageServer) -> None:
    document = fixture(KIND, "officers_before.json")
    many = [{**document["items"][0], "name": f"DIRECTOR, Number {i}"} for i in range(12)]
    serve_pages(server, {**document, "items": many, "total_results": 12}, per_page=1)
    text = config_text(server, f"sqlite:///{tmp_path / 's.db'}", "{rate: 5/1s}")
    config = write_config(
        tmp_path, text.replace(f"items_per_page: {PER_PAGE}", "items_per_page: 1")
    )
    assert check(config).returncode == 0
    arrivals = [h.at for h in server.hits if "/officers?" in h.path]
    assert len(arrivals) == 12
    # Starts are spaced by per/rate exactly, so arrival jitter of a few milliseconds can
    # put a sixth request just inside one second; allow that much and no more.
    assert max_in_window(arrivals, 0.95) <= 5
    assert max(arrivals) - min(arrivals) >= 11 * 0.2 * 0.95


def test_presets_follow_published_limits_and_user_hosts_win() -> None:
    ch = PRESETS["api.company-information.service.gov.uk"]
    assert (ch.rate, ch.per) == (600, 300)
    assert (PRESETS["data.sec.gov"].rate, PRESETS["data.sec.gov"].per) == (10, 1)
    mine = HostPolicy(concurrency=1, rate=1, per=10)
    merged = host_policies({"API.Company-Information.Service.GOV.UK": mine})
    assert merged["api.company-information.service.gov.uk"] == mine
    assert merged["www.sec.gov"] == PRESETS["www.sec.gov"]


def test_officer_rows_are_read_as_the_register_writes_them() -> None:
    items = fixture(KIND, "officers_after.json")["items"]
    officers = {o.name: o for o in company_officers(items, COMPANY)}
    assert officers["Eleanor Jane Hargreaves"].roles == frozenset({"director"})
    assert officers["Marcus Price"].roles == frozenset({"secretary"})
    assert officers["Daniel Chukwuemeka Okafor"].resigned == "2024-02-29"
    # addresses and dates of birth are not copied into evidence
    assert "Harbour Street" not in officers["Wei Lin"].evidence
