"""Reading an article costs the same with an empty watch list and with 10,000 names."""

from __future__ import annotations

import random
import time
from datetime import date

import pytest

from monitor.identity import Entry
from monitor.news import extract_statements

GIVEN = ["Anna", "Ben", "Clara", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
         "Kira", "Liam", "Maya", "Noah", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tara"]  # fmt: skip
FAMILY = ["Abbott", "Becker", "Castro", "Dunn", "Eriksen", "Fischer", "Gomez", "Hale", "Ivanov",
          "Jensen", "Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quist",
          "Rossi", "Schmidt", "Tanaka", "Ueda", "Varga", "Weber", "Xu", "Young", "Zeller"]  # fmt: skip
WORDS = ["Harbor", "Granite", "Summit", "Cobalt", "Meridian", "Aurora", "Beacon", "Cedar",
         "Delta", "Ember", "Falcon", "Juniper", "Keystone", "Lumen", "Nimbus", "Orchid"]  # fmt: skip
FORMS = ["Inc.", "Ltd.", "plc", "Holdings Ltd.", "Corp."]
ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
ZH_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚"

ARTICLE = (
    "Granite Beacon Holdings Ltd. said on Monday that it has appointed Clara Moreau as chief "
    "financial officer, effective April 1. Moreau replaces Hugo Lindqvist, who resigned in "
    "February to pursue other opportunities. The company's shares rose 2% in early trading. "
    "Separately, Summit Cedar Inc. named Pavel Novak chairman, succeeding Rosa Tanaka, who "
    "will retire at the end of the month after nine years on the board. "
    "北方锦程科技股份有限公司公告称，董事会于近日收到董事长王明辉的书面辞职报告，王明辉因工作调整原因"
    "申请辞去公司董事长职务，辞职后不再担任公司任何职务。董事会同意选举李静为公司第三届董事会董事长。"
    "Analysts at several banks said the changes were expected and that both companies had "
    "been preparing their succession plans for some time. Neither company gave a reason "
    "beyond the statements quoted above, and both declined to comment further on Tuesday. "
)
ARTICLE = (ARTICLE * 3)[:2000]


def _watch(n: int, seed: int = 7) -> tuple[tuple[Entry, ...], tuple[Entry, ...]]:
    rng = random.Random(seed)
    people: list[Entry] = []
    companies: list[Entry] = []
    for i in range(n):
        name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}{i}"
        zh = rng.choice(ZH_SURNAMES) + rng.choice(ZH_GIVEN) + rng.choice(ZH_GIVEN)
        people.append(Entry(name, (zh,)))
        company = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i} {rng.choice(FORMS)}"
        companies.append(Entry(company, (f"{zh}{i}科技有限公司",)))
    # a few that do occur in the article, so matching really happens
    people.append(Entry("Clara Moreau"))
    companies.append(Entry("Granite Beacon Holdings Ltd."))
    return tuple(people), tuple(companies)


def _cpu_per_article(people: tuple[Entry, ...], companies: tuple[Entry, ...]) -> float:
    extract_statements(ARTICLE, published=date(2024, 3, 4), people=people, companies=companies)
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        found = extract_statements(
            ARTICLE, published=date(2024, 3, 4), people=people, companies=companies
        )
        best = min(best, time.process_time() - start)
    if people:
        assert any(s.person == "Clara Moreau" for s in found)
    return best


@pytest.mark.slow  # compiling 20,000 names (pinyin for the Chinese ones) takes seconds
def test_watch_list_size_does_not_slow_reading() -> None:
    empty = _cpu_per_article((), ())
    people, companies = _watch(10_000)
    large = _cpu_per_article(people, companies)
    assert large < 2 * max(empty, 0.002), (empty, large)
    assert large < 0.05  # the budget for a 2,000-character article
