"""When a news report and a registry row are the same change (pure)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.identity import Entry
from monitor.news.match import Facts, Watch, iso_day, same_change

WATCH = Watch(
    people=(Entry("Lei Jun", ("雷军",)),),
    companies=(Entry("Xiaomi Technology (Wuhan) Co., Ltd.", ("小米科技（武汉）有限公司",)),),
)
DAY = date(2021, 12, 10)
NEWS = Facts("left", "Lei Jun", "Xiaomi Technology (Wuhan) Co., Ltd.", "2021-12-07", DAY)


def moved(**changes: object) -> Facts:
    values = {**NEWS.__dict__, **changes}
    return Facts(**values)  # type: ignore[arg-type]


CASES = [
    ("the same report", moved(), True),
    ("the registry's spelling of the person", moved(person="LEI, Jun"), True),
    ("the person in Chinese", moved(person="雷军"), True),
    ("the company in Chinese, through its alias", moved(company="小米科技（武汉）有限公司"), True),
    ("the company with another legal-form spelling", moved(company="Xiaomi Technology (Wuhan) Company Limited"), True),
    ("dates 59 days apart", moved(effective_date="2021-10-09"), True),
    ("a month-precision date", moved(effective_date="2021-12"), True),
    ("no effective date, seen the same week", moved(effective_date=None, seen=DAY + timedelta(days=4)), True),
    ("the opposite direction", moved(change="joined"), False),
    ("another person", moved(person="Zeng Xuezhong"), False),
    ("another company", moved(company="Xiaomi Credit Management Co., Ltd."), False),
    ("dates 70 days apart", moved(effective_date="2021-09-28"), False),
    ("no effective date, seen months later", moved(effective_date=None, seen=DAY + timedelta(days=90)), False),
]  # fmt: skip


@pytest.mark.parametrize(("case", "other", "same"), CASES, ids=[c[0] for c in CASES])
def test_same_change(case: str, other: Facts, same: bool) -> None:
    assert same_change(NEWS, other, WATCH) is same


def test_an_alias_only_counts_through_the_watch_list() -> None:
    chinese = moved(company="小米科技（武汉）有限公司")
    assert same_change(NEWS, chinese, WATCH)
    assert not same_change(NEWS, chinese, Watch())


@pytest.mark.parametrize(
    ("value", "day"),
    [("2021-10-15", date(2021, 10, 15)), ("2021-10", date(2021, 10, 1)), ("2021", date(2021, 1, 1)),
     ("--10-15", None), (None, None), ("2021-02-30", None)],
)  # fmt: skip
def test_iso_day(value: str | None, day: date | None) -> None:
    assert iso_day(value) == day


names = st.sampled_from(["Lei Jun", "LEI, Jun", "雷军", "Zeng Xuezhong", "Wang Hua"])
companies = st.sampled_from(
    [
        "Xiaomi Technology (Wuhan) Co., Ltd.",
        "小米科技（武汉）有限公司",
        "Xiaomi Credit Management Co., Ltd.",
    ]
)
facts = st.builds(
    Facts,
    change=st.sampled_from(["joined", "left", "role_changed"]),
    person=names,
    company=companies,
    effective_date=st.one_of(st.none(), st.dates().map(date.isoformat)),
    seen=st.dates(min_value=date(2020, 1, 1), max_value=date(2022, 1, 1)),
)


@given(facts, facts)
def test_same_change_does_not_depend_on_which_report_came_first(a: Facts, b: Facts) -> None:
    assert same_change(a, b, WATCH) == same_change(b, a, WATCH)


@given(facts)
def test_every_report_is_the_same_change_as_itself(a: Facts) -> None:
    assert same_change(a, a, WATCH)
