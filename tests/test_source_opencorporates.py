"""kind: opencorporates — a company's officers from the OpenCorporates API."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PageServer
from registry_support import by_change, check, events, fixture, observe, serve, write_config

from monitor.errors import FetchError, ParseError
from monitor.sources.base import Observed
from monitor.sources.opencorporates import OpenCorporatesSpec, to_officer

KIND = "opencorporates"
COMPANY = "Northwind Trading Limited"
PATH = "/companies/gb/07654321?api_token=oc-test"


def spec(server: PageServer) -> OpenCorporatesSpec:
    return OpenCorporatesSpec(
        kind=KIND,
        jurisdiction="gb",
        company_number="07654321",
        api_token="oc-test",
        base_url=server.base,
    )


def test_end_date_and_inactive_become_departures(tmp_path: Path, server: PageServer) -> None:
    serve(server, PATH, fixture(KIND, "company_before.json"))
    config = write_config(
        tmp_path,
        f"""
state: "sqlite:///{tmp_path / "s.db"}"
hosts:
  "127.0.0.1": {{rate: none}}
companies:
  - name: {COMPANY}
    sources:
      - kind: opencorporates
        jurisdiction: gb
        company_number: "07654321"
        api_token: "${{OC_TOKEN:-oc-test}}"
        base_url: {server.base}
""",
    )
    assert check(config).returncode == 0
    assert events(config) == []
    serve(server, PATH, fixture(KIND, "company_after.json"))
    result = check(config)
    assert result.returncode == 0, result.stderr
    found = by_change(events(config))
    assert set(found) == {
        ("left", "Sarah Elizabeth Collins", COMPANY),
        ("left", "Fiona Macleod", COMPANY),
        ("joined", "Amara Nwosu", COMPANY),
    }
    assert found[("left", "Sarah Elizabeth Collins", COMPANY)]["effective_date"] == "2024-01-31"
    assert found[("left", "Fiona Macleod", COMPANY)]["effective_date"] is None  # no end_date given
    assert found[("joined", "Amara Nwosu", COMPANY)]["effective_date"] == "2024-02-01"


def test_inactive_null_is_current_and_true_is_gone() -> None:
    row = {"name": "JAMES OWUSU", "position": "director", "start_date": "2018-09-17"}
    assert to_officer({**row, "inactive": None}, None, COMPANY) is not None
    current = to_officer({**row, "inactive": None}, None, COMPANY)
    assert current is not None and current.active
    assert to_officer({**row, "inactive": True}, None, COMPANY) is None
    ended = to_officer({**row, "inactive": True, "end_date": "2024-01-31"}, None, COMPANY)
    assert ended is not None and ended.resigned == "2024-01-31"


def test_officers_are_read(server: PageServer) -> None:
    serve(server, PATH, fixture(KIND, "company_before.json"))
    result = observe(spec(server).build(COMPANY))
    assert isinstance(result, Observed)
    active = sorted(o.name for o in result.extraction.officers if o.active)
    assert active == ["Fiona Macleod", "James Owusu", "Sarah Elizabeth Collins"]


@pytest.mark.parametrize(
    ("name", "status", "headers", "error", "message"),
    [
        ("error_401.json", 401, {}, FetchError, "HTTP 401: check the API key"),
        ("error_429.json", 429, {"Retry-After": "0"}, FetchError, "HTTP 429: rate limited"),
        ("no_officers.json", 200, {}, ParseError, "no `officers` list"),
    ],
)
def test_errors_are_named(
    server: PageServer,
    name: str,
    status: int,
    headers: dict[str, str],
    error: type[Exception],
    message: str,
) -> None:
    serve(server, PATH, fixture(KIND, name), status=status, headers=headers)
    with pytest.raises(error, match=message):
        observe(spec(server).build(COMPANY), retries=1)
    if status == 429:
        assert len(server.hits_for(PATH)) == 2  # retried once, then reported


def test_an_answer_without_results_is_a_parse_error(server: PageServer) -> None:
    serve(server, PATH, {"api_version": "0.3", "companies": []})
    with pytest.raises(ParseError, match="no `results` object"):
        observe(spec(server).build(COMPANY))
