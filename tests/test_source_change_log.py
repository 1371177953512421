"""kind: change_log — Chinese registry change records (before/after) as officer events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import PageServer
from hypothesis import given
from hypothesis import strategies as st
from registry_support import (
    FIXTURES,
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
from monitor.sources.base import Observed
from monitor.sources.change_log import (
    ChangeLogSpec,
    make_record,
    parse_people,
    replay,
    significant,
    strip_markup,
)

KIND = "change_log"
COMPANY = "深圳市腾讯计算机系统有限公司"
PATH = "/services/v4/open/changeinfo?keyword=440301103448669"
BEFORE = "陈一丹（董事长兼总经理）、许晨晔（监事）、马化腾（董事）"
AFTER = "许晨晔（监事）、马化腾（董事）、沈丹（董事长兼总经理）"


def spec(server: PageServer) -> ChangeLogSpec:
    return ChangeLogSpec.model_validate(
        {
            "kind": KIND,
            "url": server.url(PATH),
            "records": "result.items",
            "fields": {
                "date": "changeTime",
                "item": "changeItem",
                "before": "contentBefore",
                "after": "contentAfter",
            },
        }
    )


def config_text(server: PageServer, state: str) -> str:
    return f"""
state: "{state}"
hosts:
  "127.0.0.1": {{rate: none}}
companies:
  - name: {COMPANY}
    sources:
      - kind: change_log
        url: "{server.url(PATH)}"
        headers: {{Authorization: "${{TYC_TOKEN:-test-token}}"}}
        records: result.items
        fields: {{date: changeTime, item: changeItem, before: contentBefore, after: contentAfter}}
"""


def test_one_change_under_two_labels_is_reported_once(
    tmp_path: Path, server: PageServer, db_url: str
) -> None:
    serve(server, PATH, fixture(KIND, "changes_before.json"))
    config = write_config(tmp_path, config_text(server, db_url))
    first = check(config)
    assert first.returncode == 0, first.stderr
    assert events(config) == []

    serve(server, PATH, fixture(KIND, "changes_after.json"))
    second = check(config)
    assert second.returncode == 0, second.stderr
    found = by_change(events(config))
    assert set(found) == {("left", "陈一丹", COMPANY), ("joined", "沈丹", COMPANY)}
    joined = found[("joined", "沈丹", COMPANY)]
    assert joined["roles"] == ["chairman", "general manager"]
    assert joined["effective_date"] == "2023-05-10"
    assert joined["published_date"] == "2023-05-10"
    left = found[("left", "陈一丹", COMPANY)]
    assert left["roles"] == ["chairman", "general manager"]
    assert left["effective_date"] == "2023-05-10"
    assert "陈一丹(董事长兼总经理)" in left["evidence"] and "<em>" not in left["evidence"]
    assert server.hits_for(PATH)[-1].headers["Authorization"] == "test-token"

    assert check(config).returncode == 0
    assert len(events(config)) == 2


def test_a_no_op_record_yields_nothing(tmp_path: Path, server: PageServer) -> None:
    log = fixture(KIND, "changes_before.json")
    serve(server, PATH, log)
    config = write_config(tmp_path, config_text(server, f"sqlite:///{tmp_path / 's.db'}"))
    assert check(config).returncode == 0
    no_op = {
        "changeItem": "主要人员变更",
        "changeTime": "2024-01-05",
        "contentBefore": "陈一丹（董事长兼总经理）、许晨晔（监事）、马化腾（董事）",
        "contentAfter": "<em>陈一丹(董事长兼总经理)</em> 许晨晔(监事) 马化腾(董事)",
    }
    log["result"]["items"].insert(0, no_op)
    serve(server, PATH, log)
    assert check(config).returncode == 0
    assert events(config) == []


def test_a_broken_answer_is_an_error_and_not_departures(tmp_path: Path, server: PageServer) -> None:
    serve(server, PATH, fixture(KIND, "changes_before.json"))
    config = write_config(tmp_path, config_text(server, f"sqlite:///{tmp_path / 's.db'}"))
    assert check(config).returncode == 0
    for body, message in (
        (fixture(KIND, "malformed.json"), "not a list"),
        (raw_fixture(KIND, "blocked.html"), "did not answer with JSON"),
    ):
        serve(server, PATH, body)
        failed = check(config)
        assert failed.returncode == 1
        assert "FAILED" in failed.stderr and message in failed.stderr
    assert events(config) == []


def test_bad_token_is_reported(server: PageServer) -> None:
    serve(server, PATH, fixture(KIND, "error_401.json"), status=401)
    with pytest.raises(FetchError, match="HTTP 401"):
        observe(spec(server).build(COMPANY))


def test_rate_limit_is_reported(server: PageServer) -> None:
    serve(server, PATH, {"error_code": 300007}, status=429, headers={"Retry-After": "0"})
    with pytest.raises(FetchError, match="HTTP 429: rate limited"):
        observe(spec(server).build(COMPANY))


def test_missing_records_is_a_parse_error(server: PageServer) -> None:
    serve(server, PATH, {"error_code": 300000, "reason": "无数据", "result": None})
    with pytest.raises(ParseError, match=r"nothing at `records: result\.items`"):
        observe(spec(server).build(COMPANY))


def test_only_personnel_records_are_read(server: PageServer) -> None:
    serve(server, PATH, fixture(KIND, "changes_after.json"))
    result = observe(spec(server).build(COMPANY))
    assert isinstance(result, Observed)
    assert result.extraction.rows_seen == 4  # capital and business-scope records skipped
    current = {o.name: o.roles for o in result.extraction.officers if o.active}
    assert current == {
        "许晨晔": frozenset({"supervisor"}),
        "马化腾": frozenset({"director"}),
        "沈丹": frozenset({"chairman", "general manager"}),
    }


CASES = json.loads((FIXTURES / KIND / "cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:12] or "empty" for c in CASES])
def test_personnel_lists_are_parsed(case: dict[str, Any]) -> None:
    seats = [(s.name, sorted(s.roles)) for s in parse_people(case["text"])]
    assert seats == [(name, sorted(roles)) for name, roles in case["seats"]]


def test_markup_is_stripped() -> None:
    assert strip_markup("<em>陈一丹</em>（董事长&amp;总经理）") == "陈一丹(董事长&总经理)"


def test_duplicates_and_no_ops_are_dropped() -> None:
    records = [
        make_record("2023-05-10", "高级管理人员备案", f"<em>{BEFORE}</em>", AFTER),
        make_record(1683648000000, "董事备案", BEFORE, f"<em>{AFTER}</em>"),
        make_record("2023-06-01", "主要人员变更", AFTER, AFTER.replace("、", " ")),
    ]
    kept = significant(records)
    assert len(kept) == 1 and kept[0].date == "2023-05-10"


def test_an_item_label_that_names_a_role_gives_it() -> None:
    record = make_record("2022-01-04", "法定代表人变更", "陈一丹", "沈丹")
    [gone, came] = sorted(replay([record], COMPANY), key=lambda o: o.active)
    assert (gone.name, gone.resigned, gone.roles) == (
        "陈一丹",
        "2022-01-04",
        {"legal representative"},
    )
    assert (came.name, came.appointed, came.roles) == (
        "沈丹",
        "2022-01-04",
        {"legal representative"},
    )


def test_losing_one_role_is_not_leaving() -> None:
    records = [
        make_record("2020-01-01", "主要人员变更", "", "刘德（董事、副总经理）"),
        make_record("2021-01-01", "经理备案", "刘德（副总经理）", ""),
    ]
    [officer] = replay(records, COMPANY)
    assert officer.active and officer.roles == {"director"}


NAMES = ["陈一丹", "许晨晔", "马化腾", "沈丹", "刘德"]
ROLES = ["董事", "监事", "总经理", "董事长兼总经理"]
seat = st.tuples(st.sampled_from(NAMES), st.sampled_from(ROLES)).map(lambda t: f"{t[0]}（{t[1]}）")
listing = st.lists(seat, max_size=4, unique_by=lambda s: s[:2]).map("、".join)
record = st.builds(
    make_record,
    st.sampled_from(["2021-01-01", "2022-02-02", "2023-03-03"]),
    st.sampled_from(["主要人员变更", "董事备案"]),
    listing,
    listing,
)


def _state(records: list[Any]) -> set[tuple[str, frozenset[str], str | None]]:
    return {(o.name, o.roles, o.resigned) for o in replay(records, COMPANY)}


@given(st.lists(record, min_size=1, max_size=6), st.data())
def test_repeating_a_record_changes_nothing(records: list[Any], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(records) - 1))
    doubled = [*records[: i + 1], records[i], *records[i + 1 :]]
    assert _state(doubled) == _state(records)


@given(st.lists(record, max_size=6))
def test_no_op_records_change_nothing(records: list[Any]) -> None:
    kept = [r for r in records if not r.no_op]
    assert _state(records) == _state(kept)
