"""kind: opencorporates_officers — a person found by name search, filtered by identity."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PageServer
from registry_support import by_change, check, events, fixture, observe, serve, write_config

from monitor.errors import FetchError, ParseError
from monitor.sources.base import Observed
from monitor.sources.opencorporates import OpenCorporatesOfficersSpec

KIND = "opencorporates_officers"
PERSON = "Eleanor Hargreaves"


def page(n: int) -> str:
    return f"/officers/search?q=Eleanor+Hargreaves&page={n}"


def test_only_the_watched_person_across_pages(tmp_path: Path, server: PageServer) -> None:
    serve(server, page(1), fixture(KIND, "search_page1.json"))
    serve(server, page(2), fixture(KIND, "search_page2.json"))
    config = write_config(
        tmp_path,
        f"""
state: "sqlite:///{tmp_path / "s.db"}"
hosts:
  "127.0.0.1": {{rate: none}}
people:
  - name: {PERSON}
    sources:
      - kind: opencorporates_officers
        base_url: {server.base}
""",
    )
    assert check(config).returncode == 0
    serve(server, page(2), fixture(KIND, "search_page2_after.json"))
    result = check(config)
    assert result.returncode == 0, result.stderr
    found = by_change(events(config))
    assert set(found) == {("left", PERSON, "COPPER LANE VENTURES LIMITED")}
    assert found[("left", PERSON, "COPPER LANE VENTURES LIMITED")]["effective_date"] == "2024-06-30"


def test_a_similar_name_is_not_the_person(server: PageServer) -> None:
    serve(server, page(1), fixture(KIND, "search_page1.json"))
    serve(server, page(2), fixture(KIND, "search_page2.json"))
    spec = OpenCorporatesOfficersSpec(kind=KIND, base_url=server.base)
    result = observe(spec.build(PERSON))
    assert isinstance(result, Observed)
    companies = sorted(o.company for o in result.extraction.officers)
    assert companies == ["ALDER RIDGE HOLDINGS LIMITED", "COPPER LANE VENTURES LIMITED"]
    assert "HARGROVE BAKERIES LTD" not in companies


def test_too_many_pages_asks_to_narrow_the_search(server: PageServer) -> None:
    serve(server, page(1), fixture(KIND, "search_page1.json"))
    spec = OpenCorporatesOfficersSpec(kind=KIND, base_url=server.base, max_pages=1)
    with pytest.raises(ParseError, match="narrow it with `jurisdiction`"):
        observe(spec.build(PERSON))


@pytest.mark.parametrize(
    ("status", "message"),
    [(401, "HTTP 401: check the API key"), (429, "HTTP 429: rate limited")],
)
def test_refusals_are_named(server: PageServer, status: int, message: str) -> None:
    serve(server, page(1), {"error": "refused"}, status=status, headers={"Retry-After": "0"})
    spec = OpenCorporatesOfficersSpec(kind=KIND, base_url=server.base)
    with pytest.raises(FetchError, match=message):
        observe(spec.build(PERSON))


def test_a_malformed_answer_is_a_parse_error(server: PageServer) -> None:
    serve(server, page(1), b"<html>maintenance</html>")
    spec = OpenCorporatesOfficersSpec(kind=KIND, base_url=server.base)
    with pytest.raises(ParseError):
        observe(spec.build(PERSON))
