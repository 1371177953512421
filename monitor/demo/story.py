"""The demo's story, retold as registry records.

In the second half of 2021 Xiaomi's founder Lei Jun took up positions at the group's new
car-making companies and stepped back from several other Xiaomi-related companies; at the
Wuhan technology company Zeng Xuezhong took over his posts. The simulated registry below
shows those records as they would have stood on each day. Officer names other than the two
people of the story are placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Position:
    person: str
    company: str
    roles: str
    appointed: date
    resigned: date | None = None

    def held_on(self, day: date) -> bool:
        return self.appointed <= day

    def resigned_by(self, day: date) -> date | None:
        return self.resigned if self.resigned and self.resigned <= day else None


LEI = "Lei Jun"
ZENG = "Zeng Xuezhong"
WUHAN = "Xiaomi Technology (Wuhan) Co., Ltd."

POSITIONS: tuple[Position, ...] = (
    Position(
        LEI,
        "Shanghai Xiaomi Finance Information Service Co., Ltd.",
        "Director",
        date(2016, 3, 1),
        resigned=date(2021, 10, 15),
    ),
    Position(
        LEI,
        "Xiaomi Credit Management Co., Ltd.",
        "Director",
        date(2017, 6, 1),
        resigned=date(2021, 10, 20),
    ),
    Position(
        LEI,
        "Chengdu Beida Assets Management Co., Ltd.",
        "Executive Director",
        date(2015, 9, 1),
        resigned=date(2021, 10, 21),
    ),
    Position(LEI, "Xiaomi Automobile Co., Ltd.", "Legal Representative", date(2021, 9, 1)),
    Position(
        LEI,
        "Xiaomi Automobile Technology Co., Ltd.",
        "Manager, Executive Director",
        date(2021, 11, 19),
    ),
    Position(
        LEI, WUHAN, "法定代表人、执行董事兼总经理", date(2015, 6, 1), resigned=date(2021, 12, 7)
    ),
    Position(ZENG, WUHAN, "法定代表人、执行董事兼总经理", date(2021, 12, 7)),
    Position("Supervisor A (placeholder)", WUHAN, "监事", date(2015, 6, 1)),
)

START = date(2021, 8, 20)
END = date(2021, 12, 31)


def person_rows(person: str, day: date) -> list[Position]:
    """A person's page: current positions, and past ones with the date they ended."""
    return [p for p in POSITIONS if p.person == person and p.held_on(day) and p.company != WUHAN]


def company_rows(company: str, day: date) -> list[Position]:
    """A company's page: its officers, past ones with the date they left."""
    return [p for p in POSITIONS if p.company == company and p.held_on(day)]


# The trade-press article retelling these moves appears on this day; the Wuhan registry
# page shows filings two weeks late, so the news of the Wuhan change comes first and the
# registry confirms it afterwards.
ARTICLE_DAY = date(2021, 12, 10)
REGISTRY_LAG = {WUHAN: timedelta(days=14)}
