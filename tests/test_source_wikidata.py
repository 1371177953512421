"""kind: wikidata — officer statements on a company's item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import PageServer
from registry_support import by_change, check, events, fixture, observe, serve, write_config

from monitor.errors import FetchError, ParseError
from monitor.sources.base import FetchState, NotModified, Observed
from monitor.sources.wikidata import WikidataSource, WikidataSpec, positions, wikidata_date

KIND = "wikidata"
COMPANY = "Harbour Line Logistics"
BEFORE_IDS = ["Q7101", "Q7102", "Q7103", "Q7104", "Q7105", "Q7199"]
AFTER_IDS = ["Q484876", "Q7101", "Q7104", "Q7105", "Q7106", "Q7199"]


def source(server: PageServer) -> WikidataSource:
    spec = WikidataSpec(kind=KIND, item="Q7001", contact="ops@example.org", base_url=server.base)
    return spec.build(COMPANY)


def local(server: PageServer, url: str) -> str:
    return url.removeprefix(server.base)


def serve_item(server: PageServer, when: str, ids: list[str]) -> None:
    wiki = source(server)
    serve(server, local(server, wiki.revision_url), fixture(KIND, f"info_{when}.json"))
    serve(server, local(server, wiki.entity_url), fixture(KIND, f"entity_{when}.json"))
    serve(server, local(server, wiki.labels_url(ids)), fixture(KIND, "labels.json"))


def test_end_time_deprecation_and_deletion(tmp_path: Path, server: PageServer) -> None:
    serve_item(server, "before", BEFORE_IDS)
    config = write_config(
        tmp_path,
        f"""
state: "sqlite:///{tmp_path / "s.db"}"
hosts:
  "127.0.0.1": {{rate: none}}
companies:
  - name: {COMPANY}
    sources:
      - kind: wikidata
        item: Q7001
        contact: ops@example.org
        base_url: {server.base}
""",
    )
    assert check(config).returncode == 0
    serve_item(server, "after", AFTER_IDS)
    result = check(config)
    assert result.returncode == 0, result.stderr
    found = by_change(events(config))
    assert set(found) == {
        ("left", "Alice Mercer", COMPANY),
        ("left", "Bruno Silva", COMPANY),
        ("left", "Chen Hao", COMPANY),
        ("joined", "Elena Petrova", COMPANY),
    }
    assert found[("left", "Alice Mercer", COMPANY)]["effective_date"] == "2024-06-30"
    assert found[("left", "Alice Mercer", COMPANY)]["role"] == "ceo"
    assert found[("left", "Bruno Silva", COMPANY)]["effective_date"] is None  # deprecated
    joined = found[("joined", "Elena Petrova", COMPANY)]
    assert (joined["role"], joined["effective_date"]) == ("cfo", "2024-07")
    agent = server.hits[-1].headers["User-Agent"]
    assert "ops@example.org" in agent


def test_an_unmoved_revision_costs_one_request(server: PageServer) -> None:
    serve_item(server, "before", BEFORE_IDS)
    first = observe(source(server))
    assert isinstance(first, Observed)
    officers = {o.name: o for o in first.extraction.officers}
    assert officers["王芳"].roles == {"director"}  # only a Chinese label
    assert officers["Gordon Pike"].resigned == "2015-06-30"
    assert officers["Bruno Silva"].appointed == "2016"
    count = len(server.hits)
    again = observe(source(server), FetchState(content_hash=first.content_hash))
    assert isinstance(again, NotModified)
    assert len(server.hits) == count + 1


@pytest.mark.parametrize(
    ("time", "precision", "expected"),
    [
        ("+2024-06-30T00:00:00Z", 11, "2024-06-30"),
        ("+2019-04-00T00:00:00Z", 10, "2019-04"),
        ("+2016-00-00T00:00:00Z", 9, "2016"),
        ("+2016-05-17T00:00:00Z", 9, "2016"),
        ("+1999-12-31T00:00:00Z", 7, "1999"),
    ],
)
def test_time_precision(time: str, precision: int, expected: str) -> None:
    snak = {"snaktype": "value", "datavalue": {"value": {"time": time, "precision": precision}}}
    assert wikidata_date(snak) == expected


def test_deprecated_and_unknown_value_statements_are_skipped() -> None:
    entity: dict[str, Any] = fixture(KIND, "entity_after.json")["entities"]["Q7001"]
    people = {p.person for p in positions(entity)}
    assert "Q7102" not in people  # deprecated rank
    assert people == {"Q7101", "Q7104", "Q7105", "Q7106", "Q7199"}


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("missing.json", ParseError, "does not exist"),
        ("error_maxlag.json", ParseError, "no `entities`"),
    ],
)
def test_errors_are_named(
    server: PageServer, name: str, error: type[Exception], message: str
) -> None:
    wiki = source(server)
    serve(server, local(server, wiki.revision_url), fixture(KIND, name))
    with pytest.raises(error, match=message):
        observe(wiki)


def test_forbidden_without_contact_is_reported(server: PageServer) -> None:
    wiki = source(server)
    serve(server, local(server, wiki.revision_url), b"Please set a user-agent", status=403)
    with pytest.raises(FetchError, match="HTTP 403"):
        observe(wiki)


def test_contact_and_item_are_validated() -> None:
    with pytest.raises(ValueError, match="contact"):
        WikidataSpec.model_validate({"kind": KIND, "item": "Q1"})
    with pytest.raises(ValueError, match="not a Wikidata item id"):
        WikidataSpec.model_validate({"kind": KIND, "item": "P169", "contact": "a@b.org"})


def test_rate_limited_answer_is_reported(server: PageServer) -> None:
    wiki = source(server)
    serve(
        server,
        local(server, wiki.revision_url),
        b"Too many requests",
        status=429,
        headers={"Retry-After": "0"},
    )
    with pytest.raises(FetchError, match="HTTP 429: rate limited"):
        observe(wiki)
