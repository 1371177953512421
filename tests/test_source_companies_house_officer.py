"""kind: companies_house_officer — one person's appointments across companies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import PageServer, run_cli
from registry_support import by_change, check, events, fixture, observe, serve, write_config

from monitor.config import load_config_text
from monitor.errors import FetchError, ParseError
from monitor.sources.base import Observed
from monitor.sources.companies_house import CompaniesHouseOfficerSpec, person_appointments

KIND = "companies_house_officer"
PERSON = "Eleanor Hargreaves"
MAIN_ID = "Xk3vQm9RtL2pWn8YsA4dBfGh7Jc"
OTHER_ID = "Hg4nBv7CxZ0aSd3FgH6jKl9PoI2"


def path(officer_id: str) -> str:
    return f"/officers/{officer_id}/appointments?items_per_page=50&start_index=0"


def config_text(server: PageServer, state: str) -> str:
    return f"""
state: "{state}"
hosts:
  "127.0.0.1": {{rate: none}}
people:
  - name: {PERSON}
    aliases: ["HARGREAVES, Eleanor Jane"]
    sources:
      - kind: companies_house_officer
        officer_id: [{MAIN_ID}, {OTHER_ID}]
        api_key: "${{CH_TEST_KEY:-test-key}}"
        base_url: {server.base}
"""


def test_two_resignations_and_one_appointment_in_order(
    tmp_path: Path, server: PageServer, db_url: str
) -> None:
    serve(server, path(MAIN_ID), fixture(KIND, "appointments_before.json"))
    serve(server, path(OTHER_ID), fixture(KIND, "appointments_other_id.json"))
    config = write_config(tmp_path, config_text(server, db_url))
    assert check(config).returncode == 0
    assert events(config) == []

    serve(server, path(MAIN_ID), fixture(KIND, "appointments_after.json"))
    second = check(config)
    assert second.returncode == 0, second.stderr
    found = by_change(events(config))
    assert set(found) == {
        ("left", PERSON, "BRIGHTWATER ANALYTICS LTD"),
        ("left", PERSON, "COPPER LANE VENTURES LIMITED"),
        ("joined", PERSON, "EASTGATE ROBOTICS LIMITED"),
    }
    assert found[("left", PERSON, "COPPER LANE VENTURES LIMITED")]["role"] == "secretary"

    timeline = run_cli("-c", str(config), "timeline", "HARGREAVES, Eleanor", "--json")
    assert timeline.returncode == 0, timeline.stderr
    moves = [(e["change"], e["company"], e["effective_date"]) for e in map(json.loads, timeline.stdout.splitlines())]
    assert moves == [
        ("left", "BRIGHTWATER ANALYTICS LTD", "2024-05-31"),
        ("left", "COPPER LANE VENTURES LIMITED", "2024-06-30"),
        ("joined", "EASTGATE ROBOTICS LIMITED", "2024-07-01"),
    ]


def test_several_officer_ids_are_one_person(server: PageServer) -> None:
    serve(server, path(MAIN_ID), fixture(KIND, "appointments_before.json"))
    serve(server, path(OTHER_ID), fixture(KIND, "appointments_other_id.json"))
    spec = CompaniesHouseOfficerSpec(
        kind=KIND, officer_id=[MAIN_ID, OTHER_ID], api_key="k", base_url=server.base
    )
    result = observe(spec.build(PERSON))
    assert isinstance(result, Observed)
    current = sorted(o.company for o in result.extraction.officers if o.active)
    assert current == [
        "ALDER RIDGE HOLDINGS LIMITED",
        "BRIGHTWATER ANALYTICS LTD",
        "COPPER LANE VENTURES LIMITED",
        "FENWICK MEDIA LIMITED",
    ]
    assert {o.name for o in result.extraction.officers} == {PERSON}


def test_appointments_keep_history_and_dates() -> None:
    items = fixture(KIND, "appointments_before.json")["items"]
    rows = {o.company: o for o in person_appointments(items, PERSON)}
    assert rows["DUNMORE TRADING LIMITED"].resigned == "2017-12-31"
    assert rows["BRIGHTWATER ANALYTICS LTD"].appointed == "2020-01-15"
    old = person_appointments(fixture(KIND, "appointments_other_id.json")["items"], PERSON)
    assert old[0].appointed == "1992-01-01"  # appointed_before: the register's earliest date


def test_unknown_officer_id_is_a_clear_error(server: PageServer) -> None:
    spec = CompaniesHouseOfficerSpec(
        kind=KIND, officer_id=MAIN_ID, api_key="k", base_url=server.base
    )
    with pytest.raises(FetchError, match="HTTP 404"):
        observe(spec.build(PERSON))


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"officer_id": []}, "at least one officer id"),
        ({"officer_id": "x", "api_key": ""}, "api_key"),
    ],
)
def test_config_mistakes_are_named(source: dict[str, Any], message: str) -> None:
    entry = {"kind": KIND, "api_key": "k", **source}
    text = json.dumps({"people": [{"name": PERSON, "sources": [entry]}]})
    with pytest.raises(Exception, match=message):
        load_config_text(text)


@pytest.mark.parametrize(
    ("status", "message"),
    [(401, "HTTP 401: check the API key"), (429, "HTTP 429: rate limited")],
)
def test_refusals_are_named(server: PageServer, status: int, message: str) -> None:
    serve(
        server,
        path(MAIN_ID),
        {"errors": [{"error": "refused"}]},
        status=status,
        headers={"Retry-After": "0"},
    )
    spec = CompaniesHouseOfficerSpec(
        kind=KIND, officer_id=MAIN_ID, api_key="wrong-key", base_url=server.base
    )
    with pytest.raises(FetchError, match=message):
        observe(spec.build(PERSON))


def test_a_malformed_answer_is_a_parse_error(server: PageServer) -> None:
    serve(server, path(MAIN_ID), b"<html>Service unavailable</html>")
    spec = CompaniesHouseOfficerSpec(
        kind=KIND, officer_id=MAIN_ID, api_key="k", base_url=server.base
    )
    with pytest.raises(ParseError):
        observe(spec.build(PERSON))
