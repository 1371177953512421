"""kind: sec_edgar — Form 3 and 8-K Item 5.02 filings as officer events."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PageServer
from registry_support import (
    by_change,
    check,
    events,
    fixture,
    observe,
    raw_fixture,
    serve,
    write_config,
)

from monitor.errors import FetchError, ParseError
from monitor.sources.base import FetchState, NotModified, Observed
from monitor.sources.sec_edgar import (
    Filing,
    SecEdgarSpec,
    document_path,
    form3_owners,
    item_tokens,
    owner_name,
)

KIND = "sec_edgar"
COMPANY = "Northwind Traders, Inc."
AGENT = "Example Compliance ops@example.com"
SUBMISSIONS = "/submissions/CIK0001234567.json"
PAGE = "/submissions/CIK0001234567-submissions-001.json"
ARCHIVE = "/Archives/edgar/data/1234567"
DOCS = {
    f"{ARCHIVE}/000123456722000031/wf-form3_165523.xml": "form3_smith.xml",
    f"{ARCHIVE}/000123456721000102/wf-form3_163595.xml": "form3_okonkwo.xml",
    f"{ARCHIVE}/000123456724000031/wf-form3_171339.xml": "form3_patel.xml",
    f"{ARCHIVE}/000123456724000012/nwtr-20240304.htm": "8k_20240304.htm",
}
NOT_OFFICER_8K = f"{ARCHIVE}/000123456723000058/nwtr-20230710.htm"  # items 1.01,15.02


def serve_filings(server: PageServer, when: str) -> None:
    serve(server, SUBMISSIONS, fixture(KIND, f"submissions_{when}.json"))
    serve(server, PAGE, fixture(KIND, "submissions_page_001.json"))
    for path, name in DOCS.items():
        kind = "text/html" if name.endswith(".htm") else "application/xml"
        server.set(path, raw_fixture(KIND, name), headers={"Content-Type": kind})


def spec(server: PageServer) -> SecEdgarSpec:
    return SecEdgarSpec(
        kind=KIND,
        cik="1234567",
        user_agent=AGENT,
        since="2021-01-01",
        base_url=server.base,
        archives_url=server.base,
    )


def test_new_filings_become_events(tmp_path: Path, server: PageServer) -> None:
    serve_filings(server, "before")
    config = write_config(
        tmp_path,
        f"""
state: "sqlite:///{tmp_path / "s.db"}"
hosts:
  "127.0.0.1": {{rate: 10/1s, concurrency: 2}}
companies:
  - name: {COMPANY}
    sources:
      - kind: sec_edgar
        cik: 1234567
        user_agent: "{AGENT}"
        since: 2021-01-01
        base_url: {server.base}
        archives_url: {server.base}
""",
    )
    first = check(config)
    assert first.returncode == 0, first.stderr
    assert events(config) == []
    serve_filings(server, "after")
    second = check(config)
    assert second.returncode == 0, second.stderr
    found = by_change(events(config))
    assert set(found) == {
        ("left", "Jane Smith", COMPANY),
        ("joined", "Robert Chen", COMPANY),
        ("joined", "Anjali Patel", COMPANY),
        ("filed_officer_change", "Jane Smith, Robert Chen", COMPANY),
    }
    filed = found[("filed_officer_change", "Jane Smith, Robert Chen", COMPANY)]
    assert filed["url"].endswith("nwtr-20240304.htm")
    assert filed["published_date"] == "2024-03-06"
    assert filed["evidence"].startswith("8-K Item 5.02 filed 2024-03-06")
    left = found[("left", "Jane Smith", COMPANY)]
    assert (left["role"], left["effective_date"]) == ("cfo", "2024-03-04")
    assert "nwtr-20240304.htm" in left["evidence"]
    assert left["published_date"] == "2024-03-06"
    assert found[("joined", "Robert Chen", COMPANY)]["role"] == "cfo"
    patel = found[("joined", "Anjali Patel", COMPANY)]
    assert (patel["role"], patel["effective_date"]) == ("director", "2024-04-15")
    assert patel["published_date"] == "2024-04-17"
    assert not server.hits_for(NOT_OFFICER_8K)
    assert all(h.headers["User-Agent"] == AGENT for h in server.hits)
    # A filing is reported once: when the list changes again (a new 10-K), the 8-K already
    # reported is read again but not reported twice.
    later = fixture(KIND, "submissions_after.json")
    recent = later["filings"]["recent"]
    for column, value in {"form": "10-K", "items": "", "filingDate": "2024-05-01"}.items():
        recent[column] = [value, *recent[column]]
    for column in recent:
        if column not in ("form", "items", "filingDate"):
            recent[column] = [recent[column][0], *recent[column]]
    serve(server, SUBMISSIONS, later)
    assert check(config).returncode == 0
    assert len(events(config)) == 4


def test_older_pages_are_read_back_to_since(server: PageServer) -> None:
    serve_filings(server, "before")
    result = observe(spec(server).build(COMPANY))
    assert isinstance(result, Observed)
    officers = {o.name: o for o in result.extraction.officers}
    assert set(officers) == {"Jane Smith", "David Okonkwo"}
    assert officers["Jane Smith"].roles == {"cfo"}
    assert officers["David Okonkwo"].appointed == "2021-11-01"
    assert len(server.hits_for(PAGE)) == 1
    count = len(server.hits)
    again = observe(spec(server).build(COMPANY), FetchState(content_hash=result.content_hash))
    assert isinstance(again, NotModified)
    assert len(server.hits) == count + 2  # submissions and the older page, no documents


@pytest.mark.parametrize(
    ("items", "expected"),
    [("5.02,9.01", True), ("15.02", False), ("1.01, 5.02", True), ("5.021", False), ("", False)],
)
def test_item_502_is_matched_by_whole_token(items: str, expected: bool) -> None:
    filing = Filing("a", "8-K", "2024-01-01", "", item_tokens(items), "x.htm")
    assert filing.officer_change is expected


def test_form3_is_read_from_its_xml_not_the_rendering() -> None:
    filing = Filing("0001234567-24-000031", "3", "2024-04-17", "", (), "xslF345X02/wf-form3_1.xml")
    assert document_path(filing, "0001234567").endswith("/000123456724000031/wf-form3_1.xml")
    [owner] = form3_owners(raw_fixture(KIND, "form3_smith.xml"), "form3_smith.xml")
    assert (owner.name, owner.roles, owner.period) == (
        "JANE SMITH",  # display form comes from the officer model
        ("Chief Financial Officer",),
        "2022-06-10",
    )
    assert owner_name("COOK TIMOTHY D") == "TIMOTHY D COOK"


@pytest.mark.parametrize(
    ("path", "body", "status", "error", "message"),
    [
        (SUBMISSIONS, raw_fixture(KIND, "error_403_undeclared.html"), 403, FetchError, "HTTP 403"),
        (SUBMISSIONS, fixture(KIND, "error_429.json"), 429, FetchError, "HTTP 429"),
        (SUBMISSIONS, b"<html>", 200, ParseError, "did not answer with JSON"),
        (SUBMISSIONS, {"cik": "1234567", "filings": {}}, 200, ParseError, "filings.recent"),
    ],
)
def test_errors_are_named(
    server: PageServer,
    path: str,
    body: object,
    status: int,
    error: type[Exception],
    message: str,
) -> None:
    serve_filings(server, "before")
    serve(server, path, body, status=status, headers={"Retry-After": "0"})
    with pytest.raises(error, match=message):
        observe(spec(server).build(COMPANY))


def test_a_broken_form3_is_a_parse_error(server: PageServer) -> None:
    serve_filings(server, "before")
    server.set(f"{ARCHIVE}/000123456722000031/wf-form3_165523.xml", b"<ownershipDocument><oops")
    with pytest.raises(ParseError, match="not readable XML"):
        observe(spec(server).build(COMPANY))


def test_user_agent_needs_a_contact() -> None:
    with pytest.raises(ValueError, match="contact e-mail"):
        SecEdgarSpec(kind=KIND, cik="1", user_agent="monitor", since="2024-01-01")
