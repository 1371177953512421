"""Identity matching: the tables of name pairs, the watch-list matchers and invariants."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.identity import (
    DEFAULT_THRESHOLD,
    Ambiguous,
    Entry,
    Match,
    company_key,
    company_score,
    match_company,
    match_person,
    person_key,
    person_score,
    same_company,
    same_person,
)

FIXTURES = Path(__file__).parent / "fixtures" / "identity"
SEED = Path(__file__).parents[1].parent / "shared" / "seed"
MIN_RECALL = 0.95


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    expected: bool
    note: str
    aliases: tuple[str, ...] = ()


def _load(name: str) -> list[Pair]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        assert row["expected"] in {"yes", "no"}, row
    return [
        Pair(
            row["a"],
            row["b"],
            row["expected"] == "yes",
            row["note"],
            tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip()),
        )
        for row in rows
    ]


PERSON_PAIRS = _load("person_pairs.tsv")
COMPANY_PAIRS = _load("company_pairs.tsv")


@dataclass(frozen=True)
class Quality:
    precision: float
    recall: float
    false_matches: list[Pair]
    misses: list[Pair]

    def report(self, table: str) -> str:
        def show(pairs: list[Pair]) -> str:
            return "; ".join(f"{p.a!r} ~ {p.b!r} ({p.note})" for p in pairs) or "none"

        return (
            f"{table}: precision={self.precision:.3f} recall={self.recall:.3f}\n"
            f"  false matches: {show(self.false_matches)}\n"
            f"  misses: {show(self.misses)}"
        )


def _quality(pairs: list[Pair], decide: Callable[[Pair], bool]) -> Quality:
    said = [(pair, decide(pair)) for pair in pairs]
    true_pos = sum(1 for pair, yes in said if yes and pair.expected)
    false_matches = [pair for pair, yes in said if yes and not pair.expected]
    misses = [pair for pair, yes in said if not yes and pair.expected]
    predicted = true_pos + len(false_matches)
    actual = true_pos + len(misses)
    return Quality(
        precision=true_pos / predicted if predicted else 1.0,
        recall=true_pos / actual if actual else 1.0,
        false_matches=false_matches,
        misses=misses,
    )


def test_tables_are_large_and_balanced() -> None:
    pairs = PERSON_PAIRS + COMPANY_PAIRS
    assert len(pairs) >= 200
    for table in (PERSON_PAIRS, COMPANY_PAIRS):
        yes = sum(p.expected for p in table)
        assert yes >= 30 and len(table) - yes >= 30


def test_person_pairs_precision_and_recall() -> None:
    quality = _quality(PERSON_PAIRS, lambda p: same_person(p.a, p.b))
    report = quality.report("persons")
    print(report)
    assert not quality.false_matches and quality.recall >= MIN_RECALL, report


def test_company_pairs_precision_and_recall() -> None:
    quality = _quality(COMPANY_PAIRS, lambda p: same_company(p.a, p.b, p.aliases))
    report = quality.report("companies")
    print(report)
    assert not quality.false_matches and quality.recall >= MIN_RECALL, report


def test_person_table_is_symmetric() -> None:
    lopsided = [p for p in PERSON_PAIRS if person_score(p.a, p.b) != person_score(p.b, p.a)]
    assert not lopsided


# --------------------------------------------------------------------------- keys


@pytest.mark.parametrize(
    "name",
    [
        "Lei Jun",
        "LEI, Jun",
        "Jun Lei",
        "lei jun",
        "雷军",
        "Mr. Lei Jun",
        "雷军先生",
        "Ｌｅｉ Ｊｕｎ",
    ],
)
def test_person_key_of_lei_jun(name: str) -> None:
    assert person_key(name) == "jun lei"


@pytest.mark.parametrize(
    "name", ["Zeng Xue-zhong", "Zeng Xuezhong", "Xuezhong Zeng", "曾学忠", "ZENG, Xuezhong"]
)
def test_person_key_joins_given_name_and_reads_surname(name: str) -> None:
    assert person_key(name) == "xuezhong zeng"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("单田芳", "shan tianfang"),
        ("解缙", "jin xie"),
        ("仇英", "qiu ying"),
        ("区伟", "ou wei"),
        ("查良镛", "liangyong zha"),
        ("朴槿惠", "jinhui piao"),
        ("乐嘉", "jia yue"),
        ("欧阳娜娜", "nana ouyang"),
    ],
)
def test_person_key_uses_surname_readings(name: str, key: str) -> None:
    assert person_key(name) == key


def test_person_key_of_a_name_without_letters_is_empty() -> None:
    assert person_key("") == ""
    assert person_key(" ., -") == ""
    assert not same_person("", "")


@pytest.mark.parametrize(
    "name",
    [
        "Xiaomi Technology (Wuhan) Co., Ltd.",
        "Xiaomi Technology (Wuhan) Co., Ltd",
        "Xiaomi Technology (Wuhan) Co Ltd",
        "Xiaomi Technology (Wuhan) Company Limited",
        "Xiaomi Technology (Wuhan) Co. Limited",
        "XIAOMI TECHNOLOGY （WUHAN） CO., LTD.",
    ],
)
def test_company_key_spells_legal_forms_one_way(name: str) -> None:
    assert company_key(name) == "xiaomi technology (wuhan) co ltd"


@pytest.mark.parametrize(
    "name",
    ["小米科技（武汉）有限公司", "小米科技(武汉)有限责任公司", "小米 科技 （武汉） 有限公司"],
)
def test_company_key_of_chinese_names(name: str) -> None:
    assert company_key(name) == "小米科技(武汉)有限公司"


def test_company_key_keeps_joint_stock_apart() -> None:
    assert company_key("比亚迪股份有限公司") != company_key("比亚迪有限公司")


def test_company_score_ladder() -> None:
    assert company_score("Apple Inc.", "APPLE INC") == 1.0
    assert (
        company_score("Xiaomi Technology (Wuhan) Co Ltd", "Xiaomi Technology Wuhan Co Ltd") == 0.95
    )
    assert company_score("Xiaomi Inc.", "Xiaomi Corp.") < DEFAULT_THRESHOLD
    assert company_score("Xiaomi Automobile Co Ltd", "Xiaomi Automobile Technology Co Ltd") < 0.9


# --------------------------------------------------------------------------- match_person

LEI_JUN = Entry("Lei Jun", ("雷军",))
ZENG = Entry("Zeng Xuezhong", ("曾学忠",))
WATCHED = [LEI_JUN, ZENG]


@pytest.mark.parametrize(
    ("seen", "entry"),
    [
        ("LEI, Jun", LEI_JUN),
        ("雷军", LEI_JUN),
        ("Mr Jun Lei", LEI_JUN),
        ("Zeng Xue-zhong", ZENG),
        ("曾学忠先生", ZENG),
    ],
)
def test_match_person_finds_the_watched_person(seen: str, entry: Entry) -> None:
    found = match_person(seen, WATCHED)
    assert isinstance(found, Match)
    assert found.entry == entry
    assert found.score >= DEFAULT_THRESHOLD


def test_match_person_reports_which_name_matched() -> None:
    found = match_person("雷军", [Entry("Lei Jun", ("雷军",))])
    assert isinstance(found, Match) and found.matched == "雷军" and found.score == 1.0


@pytest.mark.parametrize("seen", ["Lei Jin", "Lei", "Wang Hua", "雷君", "Zeng Xue", ""])
def test_match_person_returns_none_for_other_people(seen: str) -> None:
    assert match_person(seen, WATCHED) is None


def test_match_person_is_ambiguous_between_two_equal_candidates() -> None:
    first, second = Entry("Wang Hua", ("王华",)), Entry("Wang Hua", ("王化",))
    found = match_person("WANG, Hua", [first, second])
    assert isinstance(found, Ambiguous)
    assert {m.entry for m in found.candidates} == {first, second}


def test_match_person_is_ambiguous_within_the_margin() -> None:
    # "John A. Smith" is 0.98 to "John Smith" and 1.0 to "John A. Smith": too close to call.
    plain, initialled = Entry("John Smith"), Entry("John A. Smith")
    found = match_person("John A. Smith", [plain, initialled])
    assert isinstance(found, Ambiguous)
    assert found.candidates[0].entry == initialled


def test_match_person_prefers_a_clear_winner() -> None:
    plain, middle = Entry("John Smith"), Entry("John Michael Smith")
    found = match_person("John Michael Smith", [plain, middle])
    assert isinstance(found, Match) and found.entry == middle


def test_match_person_compares_characters_when_the_entry_has_them() -> None:
    # Both read "wang hua"; with characters on both sides the characters decide.
    hua, hua2 = Entry("Wang Hua", ("王华",)), Entry("Wang Hua", ("王化",))
    found = match_person("王化", [hua, hua2])
    assert isinstance(found, Match) and found.entry == hua2
    assert match_person("王化", [hua]) is None
    # Without characters in the entry, pinyin is all there is to compare.
    found = match_person("王化", [Entry("Wang Hua")])
    assert isinstance(found, Match) and found.matched == "Wang Hua"


def test_match_person_threshold_is_configurable() -> None:
    entries = [Entry("Wang Hua")]
    assert match_person("Wang Huan", entries) is None
    loose = match_person("Wang Huan", entries, threshold=0.6)
    assert isinstance(loose, Match) and loose.score < DEFAULT_THRESHOLD
    assert match_person("Wang Hua", entries, threshold=1.0) is not None


def test_match_person_counts_a_repeated_entry_once() -> None:
    found = match_person("Lei Jun", [LEI_JUN, Entry("Lei Jun", ("雷军",))])
    assert isinstance(found, Match)


# --------------------------------------------------------------------------- match_company

WUHAN = Entry("Xiaomi Technology (Wuhan) Co., Ltd.", ("小米科技（武汉）有限公司",))
AUTO = Entry("Xiaomi Automobile Co., Ltd.")
AUTO_TECH = Entry("Xiaomi Automobile Technology Co., Ltd.")
COMPANIES = [WUHAN, AUTO, AUTO_TECH]


@pytest.mark.parametrize(
    ("seen", "entry", "matched"),
    [
        ("Xiaomi Technology (Wuhan) Co., Ltd", WUHAN, WUHAN.name),
        ("XIAOMI TECHNOLOGY (WUHAN) COMPANY LIMITED", WUHAN, WUHAN.name),
        ("小米科技(武汉)有限责任公司", WUHAN, "小米科技（武汉）有限公司"),
        ("Xiaomi Automobile Co Ltd", AUTO, AUTO.name),
        ("Xiaomi Automobile Technology Company Limited", AUTO_TECH, AUTO_TECH.name),
    ],
)
def test_match_company_with_aliases(seen: str, entry: Entry, matched: str) -> None:
    found = match_company(seen, COMPANIES)
    assert isinstance(found, Match)
    assert (found.entry, found.matched) == (entry, matched)


@pytest.mark.parametrize(
    "seen", ["小米汽车有限公司", "Xiaomi Technology Co., Ltd.", "Xiaomi Automobile", "Xiaomi Inc."]
)
def test_match_company_returns_none_for_other_companies(seen: str) -> None:
    assert match_company(seen, COMPANIES) is None


def test_match_company_without_alias_does_not_translate() -> None:
    assert match_company("小米科技（武汉）有限公司", [Entry(WUHAN.name)]) is None


def test_match_company_is_ambiguous_when_two_entries_share_a_name() -> None:
    holding = Entry("Acme Holdings Ltd", ("Acme Ltd",))
    found = match_company("ACME LIMITED", [Entry("Acme Ltd"), holding])
    assert isinstance(found, Ambiguous) and len(found.candidates) == 2


# --------------------------------------------------------------------------- the seed story


def _seed() -> dict[str, object]:
    path = SEED / "lei-jun-gasgoo.expected.json"
    if not path.exists():
        pytest.skip("seed article not available")
    loaded: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def test_seed_people_and_companies_are_told_apart() -> None:
    seed = _seed()
    events = [e for e in seed["events"] if isinstance(e, dict)]  # type: ignore[attr-defined]
    people = [Entry(name) for name in sorted({str(e["person"]) for e in events})]
    companies = [Entry(name) for name in sorted({str(e["company"]) for e in events})]
    for event in events:
        found = match_person(str(event["person"]), people)
        assert isinstance(found, Match) and found.entry.name == event["person"]
        for spelling in (event["company"], str(event["company"]).rstrip(".") + "."):
            hit = match_company(str(spelling), companies)
            assert isinstance(hit, Match) and hit.entry.name == event["company"], spelling
    for bystander in seed["negative_people"]:  # type: ignore[attr-defined]
        assert match_person(str(bystander), people) is None


# --------------------------------------------------------------------------- properties

LATIN = st.text(alphabet=st.characters(categories=["Lu", "Ll"], max_codepoint=0x24F), min_size=1)
HAN = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1)
PUNCT = st.sampled_from([" ", ", ", "-", ". ", " (", ") ", "'"])
NAMES = st.lists(st.one_of(LATIN, HAN, PUNCT), min_size=1, max_size=6).map("".join)
ANY_TEXT = st.one_of(NAMES, st.text(max_size=20))


@given(NAMES)
def test_person_key_is_idempotent(name: str) -> None:
    key = person_key(name)
    assert person_key(key) == key


@given(ANY_TEXT, ANY_TEXT)
def test_same_person_is_symmetric(a: str, b: str) -> None:
    assert same_person(a, b) == same_person(b, a)


@given(ANY_TEXT)
def test_every_name_is_its_own_person(name: str) -> None:
    if person_key(name):
        assert same_person(name, name)


@given(NAMES)
def test_a_name_with_letters_has_a_key(name: str) -> None:
    if any(ch.isalpha() for ch in name):
        assert person_key(name)


@given(ANY_TEXT)
def test_company_key_is_idempotent(name: str) -> None:
    key = company_key(name)
    assert company_key(key) == key


@given(ANY_TEXT)
def test_every_company_is_itself(name: str) -> None:
    if company_key(name):
        assert same_company(name, name)


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [("雷軍", "雷军"), ("曾學忠", "曾学忠"), ("劉德", "刘德")],
)
def test_a_name_in_traditional_characters_is_the_same_person(
    traditional: str, simplified: str
) -> None:
    assert same_person(traditional, simplified)
    assert person_key(traditional) == person_key(simplified)


def test_a_company_in_traditional_characters_is_the_same_company() -> None:
    assert same_company("小米科技（武漢）有限公司", "小米科技（武汉）有限公司")
    assert company_key("小米通訊技術有限公司") == company_key("小米通讯技术有限公司")
    assert not same_company("小米科技（武漢）有限公司", "小米科技（北京）有限公司")
