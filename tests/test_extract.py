"""The news extractor, measured on the corpus in tests/fixtures/news/ and unit by unit.

Each corpus case is ``case-NN.txt`` (the article) plus ``case-NN.json``::

    {"published": "2024-03-05", "watch_people": [{"name": ..., "aliases": [...]}],
     "watch_companies": [...], "all_statements": false,
     "expected": [{"person", "company", "change" | "kinds", "role"?, "date"?}]}

A found statement is a true positive when person, company and change match an expected
one; role (contained in the found roles) and date are checked where the case gives them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.identity import Entry, same_company, same_person
from monitor.news import Statement, extract_statements, split_sentences
from monitor.news.dates import DateMention, PartialDate, find_dates, resolve

CORPUS = Path(__file__).parent / "fixtures" / "news"
CASES = sorted(CORPUS.glob("case-*.json"))
ISO = re.compile(r"^(?:\d{4}-\d{2}-\d{2}|\d{4}-\d{2}|--\d{2}-\d{2})$")


def _entries(items: list[dict[str, Any]]) -> list[Entry]:
    return [Entry(i["name"], tuple(i.get("aliases", ()))) for i in items]


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    spec: dict[str, Any]

    def run(self) -> list[Statement]:
        published = self.spec.get("published")
        return extract_statements(
            self.text,
            published=date.fromisoformat(published) if published else None,
            people=_entries(self.spec.get("watch_people", [])),
            companies=_entries(self.spec.get("watch_companies", [])),
            all_statements=self.spec.get("all_statements", False),
        )


def _load(path: Path) -> Case:
    text = path.with_suffix(".txt").read_text(encoding="utf-8")
    return Case(path.stem, text, json.loads(path.read_text(encoding="utf-8")))


def matches(expected: dict[str, Any], found: Statement) -> bool:
    kinds = expected.get("kinds") or [expected["change"]]
    if found.change not in kinds:
        return False
    if not same_person(expected["person"], found.person):
        return False
    if not same_company(found.company, expected["company"]):
        return False
    role = expected.get("role")
    if role and role not in (found.role or "").split(", "):
        return False
    want = expected.get("date")
    return not want or (found.date is not None and found.date.endswith(want))


def score(expected: list[dict[str, Any]], found: list[Statement]) -> tuple[int, int, int]:
    """True positives, false positives, false negatives (each found statement used once)."""
    unused = list(found)
    tp = 0
    for item in expected:
        hit = next((f for f in unused if matches(item, f)), None)
        if hit is not None:
            unused.remove(hit)
            tp += 1
    return tp, len(found) - tp, len(expected) - tp


def test_corpus_is_big_and_mixed() -> None:
    texts = [path.with_suffix(".txt").read_text(encoding="utf-8") for path in CASES]
    chinese = sum(1 for t in texts if re.search(r"[\u4e00-\u9fff]{10}", t))
    assert len(texts) >= 40
    assert 0.3 <= chinese / len(texts) <= 0.5


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_output_is_well_formed(path: Path) -> None:
    case = _load(path)
    found = case.run()
    sentences = split_sentences(case.text)
    for item in found:
        assert item.change in {"joined", "left", "role_changed"}
        assert item.date is None or ISO.match(item.date), item.date
        assert 0.0 <= item.confidence <= 1.0
        assert all(part in sentences for part in _evidence_sentences(item, sentences))
    if not case.spec["expected"]:
        assert found == [], "a case without changes must stay silent"


def _evidence_sentences(item: Statement, sentences: list[str]) -> list[str]:
    if item.evidence in sentences:
        return [item.evidence]
    return [s for s in sentences if s in item.evidence] or [item.evidence]


def test_corpus_precision_and_recall(capsys: pytest.CaptureFixture[str]) -> None:
    tp = fp = fn = 0
    report: list[str] = []
    for path in CASES:
        case = _load(path)
        found = case.run()
        t, f, n = score(case.spec["expected"], found)
        tp, fp, fn = tp + t, fp + f, fn + n
        if f or n:
            report.append(f"{case.name}: tp={t} fp={f} fn={n}")
            report.extend(
                f"    found {s.person} | {s.company} | {s.change} | {s.role} | {s.date}"
                for s in found
            )
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    with capsys.disabled():
        print(
            f"\nnews corpus: {len(CASES)} articles, tp={tp} fp={fp} fn={fn}, "
            f"precision={precision:.3f} recall={recall:.3f}"
        )
        print("\n".join(report))
    assert recall >= 0.9
    assert precision >= 0.95


# ---------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------

SPLITS = [
    (
        "Acme Co., Ltd. appointed Jane Doe. She starts Monday.",
        ["Acme Co., Ltd. appointed Jane Doe.", "She starts Monday."],
    ),
    (
        "He left Beta Co., Ltd. On May 2 he joined Acme Inc. as CFO.",
        ["He left Beta Co., Ltd.", "On May 2 he joined Acme Inc. as CFO."],
    ),
    ("Acme Inc. CEO John Smith resigned.", ["Acme Inc. CEO John Smith resigned."]),
    ("Mr. J. Smith quit. Ms. Roe stayed.", ["Mr. J. Smith quit.", "Ms. Roe stayed."]),
    (
        "雷军卸任法定代表人。曾学忠接任！是否还有变动？",
        ["雷军卸任法定代表人。", "曾学忠接任！", "是否还有变动？"],
    ),
    ("“我会离开。”他说。", ["“我会离开。”", "他说。"]),
    ("Headline without a stop\nBody text here.", ["Headline without a stop", "Body text here."]),
]


@pytest.mark.parametrize(("text", "expected"), SPLITS)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@given(
    st.lists(
        st.sampled_from(["Jane Doe resigned.", "雷军卸任董事。", "Acme Co., Ltd. grew."]),
        min_size=1,
        max_size=6,
    )
)
def test_sentences_are_verbatim_pieces(parts: list[str]) -> None:
    text = " ".join(parts)
    pieces = split_sentences(text)
    assert pieces == parts
    assert all(p in text for p in pieces)


# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------

PUBLISHED = date(2021, 12, 10)

DATES = [
    ("on March 31, 2026", None, "2026-03-31"),
    ("on 31 March 2026", None, "2026-03-31"),
    ("on 2026-03-31", None, "2026-03-31"),
    ("于2026年3月31日", None, "2026-03-31"),
    ("On October 15th", PUBLISHED, "2021-10-15"),
    ("On December 7th", PUBLISHED, "2021-12-07"),
    ("On December 20", PUBLISHED, "2020-12-20"),  # after publication: the year before
    ("On October 15th", None, "--10-15"),
    ("in July 2020", PUBLISHED, "2020-07"),
    ("2020年7月", PUBLISHED, "2020-07"),
    ("12月7日", PUBLISHED, "2021-12-07"),
    ("today", PUBLISHED, "2021-12-10"),
    ("yesterday", PUBLISHED, "2021-12-09"),
    ("on Monday", PUBLISHED, "2021-12-06"),  # 10 December 2021 was a Friday
]


@pytest.mark.parametrize(("text", "published", "iso"), DATES)
def test_dates(text: str, published: date | None, iso: str) -> None:
    (mention,) = find_dates(text)
    value = resolve(mention, published, None)
    assert value is not None and value.iso() == iso


RELATIVE = [
    ("Five days later", PartialDate(2021, 10, 15), "2021-10-20"),
    ("Two months later", PartialDate(2021, 9, 1), "2021-11-01"),
    ("the next day", PartialDate(2021, 12, 31), "2022-01-01"),
    ("a week later", PartialDate(None, 10, 28), "--11-04"),
    ("次日", PartialDate(2024, 3, 1), "2024-03-02"),
    ("三天后", PartialDate(2024, 3, 1), "2024-03-04"),
    ("two months later", PartialDate(2020, 7, None), "2020-09"),
]


@pytest.mark.parametrize(("text", "anchor", "iso"), RELATIVE)
def test_relative_dates(text: str, anchor: PartialDate, iso: str) -> None:
    (mention,) = find_dates(text)
    value = resolve(mention, PUBLISHED, anchor)
    assert value is not None and value.iso() == iso


def test_relative_date_without_anchor_is_unknown() -> None:
    (mention,) = find_dates("Five days later")
    assert resolve(mention, PUBLISHED, None) is None


def test_may_the_verb_is_not_a_date() -> None:
    assert find_dates("He may step down next year.") == []


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(1, 12),
    st.integers(1, 28),
)
def test_month_day_never_lands_after_publication(published: date, month: int, day: int) -> None:
    mention = DateMention(0, 0, "explicit", None, month, day)
    value = resolve(mention, published, None)
    assert value is not None and value.year is not None
    assert date(value.year, month, day) <= published
    assert (published - date(value.year, month, day)).days < 366


def test_relative_dates_follow_the_previous_dated_sentence() -> None:
    text = (
        "On October 15th, Lei Jun resigned from the board of Alpha Co., Ltd. "
        "Five days later, Lei Jun was removed from Beta Co., Ltd."
    )
    found = extract_statements(text, published=PUBLISHED, people=[Entry("Lei Jun")])
    assert [(s.company, s.date) for s in found] == [
        ("Alpha Co., Ltd.", "2021-10-15"),
        ("Beta Co., Ltd.", "2021-10-20"),
    ]


# ---------------------------------------------------------------------------------------
# What is and is not a change
# ---------------------------------------------------------------------------------------

LEI = [Entry("Lei Jun", ("雷军",))]

NOT_CHANGES = [
    "Alpha Co., Ltd. denied reports that Lei Jun would step down as chairman.",
    "Lei Jun has no plans to leave Alpha Co., Ltd., a spokesman said.",
    "Lei Jun is rumoured to be stepping down from Alpha Co., Ltd.",
    "Lei Jun, who founded Alpha Co., Ltd. in 2011, spoke at the fair.",
    "Lei Jun has served as chairman of Alpha Co., Ltd. since 2015.",
    "Lei Jun did not resign from Alpha Co., Ltd.",
    "Lei Jun, who joined Alpha Co., Ltd. in 2011, spoke at the fair.",
    "Lei Jun was re-elected chairman of Alpha Co., Ltd.",
    "网传雷军将卸任北京阿尔法科技有限公司董事长，公司否认。",
    "雷军没有离任北京阿尔法科技有限公司的计划。",
    "雷军目前担任北京阿尔法科技有限公司董事长。",
    "北京阿尔法科技有限公司否认雷军已辞去董事长职务。",
]


@pytest.mark.parametrize("text", NOT_CHANGES)
def test_not_a_change(text: str) -> None:
    assert extract_statements(text, published=PUBLISHED, people=LEI) == []


CHANGES = [
    ("Lei Jun resigned as executive director of Alpha Co., Ltd.", "left", "executive director"),
    ("Alpha Co., Ltd. appointed Lei Jun as its chairman.", "joined", "chairman"),
    ("Lei Jun stepped down as CEO of Alpha Co., Ltd. on Monday.", "left", "CEO"),
    ("Lei Jun was promoted from COO to CEO of Alpha Co., Ltd.", "role_changed", "CEO"),
    (
        "雷军卸任北京阿尔法科技有限公司执行董事兼总经理。",
        "left",
        "executive director, general manager",
    ),
    ("雷军出任北京阿尔法科技有限公司董事长。", "joined", "chairman"),
    ("北京阿尔法科技有限公司法定代表人由雷军变更为张伟。", "left", "legal representative"),
]


@pytest.mark.parametrize(("text", "change", "role"), CHANGES)
def test_a_change(text: str, change: str, role: str) -> None:
    (found,) = extract_statements(text, published=PUBLISHED, people=LEI)
    assert (found.person, found.change, found.role) == ("Lei Jun", change, role)
    assert found.evidence == text


def test_succession_gives_two_statements() -> None:
    text = "Zhang Wei will succeed Lei Jun as chairman of Alpha Co., Ltd. on 1 March 2022."
    found = extract_statements(text, all_statements=True)
    assert {(s.person, s.change, s.role, s.date) for s in found} == {
        ("Zhang Wei", "joined", "chairman", "2022-03-01"),
        ("Lei Jun", "left", "chairman", "2022-03-01"),
    }


def test_pronoun_takes_the_last_person_and_both_sentences_are_evidence() -> None:
    text = "Lei Jun left Alpha Co., Ltd. in May. He then resigned as director of Beta Co., Ltd."
    found = extract_statements(text, people=LEI)
    beta = next(s for s in found if s.company == "Beta Co., Ltd.")
    assert beta.person == "Lei Jun" and beta.change == "left"
    assert beta.evidence == text


def test_watch_list_filters_people_and_companies() -> None:
    text = (
        "Zhang Wei resigned as director of Alpha Co., Ltd. "
        "Li Na resigned as director of Beta Co., Ltd."
    )
    assert extract_statements(text) == []
    by_person = extract_statements(text, people=[Entry("Li Na")])
    assert [(s.person, s.company) for s in by_person] == [("Li Na", "Beta Co., Ltd.")]
    by_company = extract_statements(text, companies=[Entry("Alpha Company Limited")])
    assert [(s.person, s.company) for s in by_company] == [("Zhang Wei", "Alpha Company Limited")]
    assert len(extract_statements(text, all_statements=True)) == 2


def test_watched_chinese_alias_is_reported_with_the_canonical_name() -> None:
    (found,) = extract_statements("雷军卸任北京阿尔法科技有限公司董事。", people=LEI)
    assert found.person == "Lei Jun" and found.role == "director"


WORDS = [
    "Lei Jun",
    "雷军",
    "resigned",
    "卸任",
    "as",
    "CEO",
    "董事长",
    "of",
    "Alpha Co., Ltd.",
    "北京阿尔法科技有限公司",
    "denied",
    "On May 5,",
    "Five days later,",
    "he",
    "其",
    "由",
    "变更为",
    "changed from",
    "to",
    "。",
    ".",
    ",",
    "，",
    "and",
    "、",
    "appointed",
    "新增",
    "2021年3月1日",
]


@given(st.lists(st.sampled_from(WORDS), max_size=25), st.booleans())
def test_any_text_gives_well_formed_statements(words: list[str], everything: bool) -> None:
    text = " ".join(words)
    for item in extract_statements(
        text, published=PUBLISHED, people=LEI, all_statements=everything
    ):
        assert item.change in {"joined", "left", "role_changed"}
        assert item.date is None or ISO.match(item.date)
        assert item.person and item.company
        assert everything or same_person("Lei Jun", item.person)
