"""The story that motivated the product: Xiaomi's Lei Jun leaving six companies, joining two.

The article and its expected reading live outside the repository (../shared/seed/); the
test is skipped when they are absent.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from monitor.identity import Entry, same_company, same_person
from monitor.news import Statement, extract_statements

SEED = Path(__file__).parents[1].parent / "shared" / "seed"
ARTICLE = SEED / "lei-jun-gasgoo.txt"
EXPECTED = SEED / "lei-jun-gasgoo.expected.json"

pytestmark = pytest.mark.skipif(
    not (ARTICLE.exists() and EXPECTED.exists()),
    reason=f"seed article not available at {SEED} (it is kept outside the repository)",
)

WATCH = [Entry("Lei Jun", ("雷军",)), Entry("Zeng Xuezhong")]
PUBLISHED = date(2021, 12, 10)


def _expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXPECTED.read_text(encoding="utf-8"))
    return data


def _statements(all_statements: bool = False) -> list[Statement]:
    return extract_statements(
        ARTICLE.read_text(encoding="utf-8"),
        published=PUBLISHED,
        people=WATCH,
        all_statements=all_statements,
    )


def _fits(event: dict[str, Any], found: Statement) -> bool:
    return (
        same_person(event["person"], found.person)
        and same_company(found.company, event["company"])
        and found.change in event["kinds"]
        and (not event.get("role") or event["role"] in (found.role or "").split(", "))
        and (not event.get("date") or (found.date or "").endswith(event["date"]))
    )


def _event_id(event: dict[str, Any]) -> str:
    return f"{event['person']}-{event['company']}"


@pytest.mark.parametrize("event", _expected()["events"] if EXPECTED.exists() else [], ids=_event_id)
def test_every_expected_event_is_found(event: dict[str, Any]) -> None:
    found = _statements()
    assert any(_fits(event, s) for s in found), [
        (s.person, s.company, s.change, s.role, s.date) for s in found
    ]


def test_nothing_is_said_about_people_who_changed_no_office() -> None:
    for name in _expected()["negative_people"]:
        found = _statements(all_statements=True)
        assert not [s for s in found if same_person(name, s.person)]


def test_every_statement_is_an_expected_or_optional_event() -> None:
    data = _expected()
    allowed = data["events"] + data.get("optional", [])
    for found in _statements():
        assert any(_fits(event, found) for event in allowed), found


def test_month_day_dates_take_the_publication_year() -> None:
    dates = {s.company: s.date for s in _statements()}
    assert dates["Chengdu Beida Assets Management Co., Ltd."] == "2021-10-21"
    assert dates["Xiaomi Credit Management Co., Ltd."] == "2021-10-20"  # "five days later"


def test_evidence_is_the_sentence_read() -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    for found in _statements():
        for part in found.evidence.split(". "):
            assert part.rstrip(".") in text
