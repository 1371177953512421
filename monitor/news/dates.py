"""Find dates in a sentence and resolve them to ISO strings.

A date can be explicit ("March 31, 2026", "2026年3月31日"), month-day ("On October
15th"), month precision ("in July 2020"), relative ("five days later", "次日") or tied
to the publication day ("today", "on Monday"). Resolution is pure: it takes the
publication date and the previous dated sentence (the anchor) as arguments.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<mon>(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_ZH_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}

_EXPLICIT: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b"),
    re.compile(r"\b(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})\b"),
    re.compile(r"(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号]"),
    re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r"(?:,?\s+" + _YEAR + r")?(?![\w])"),
    re.compile(r"\b" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+" + _YEAR + r")?(?![\w])"),
    re.compile(r"(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月(?![\d份]*\s*[日号\d])"),
    re.compile(r"(?<![\d年])(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号]"),
    re.compile(r"\b" + _MONTH + r",?\s+" + _YEAR + r"\b"),
)
_RELATIVE_EN = re.compile(
    r"\b(?P<n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d+)\s+"
    r"(?P<unit>day|week|month)s?\s+later\b"
    r"|\bthe\s+(?:next|following)\s+(?P<unit2>day|week|month)\b"
    r"|\b(?P<same>the same (?:day|date)|later that day|that same day|that day|that date)\b"
    r"|\b(?P<dayafter>the day after)\b",
    re.IGNORECASE,
)
_RELATIVE_ZH = re.compile(
    r"(?P<n>\d+|[一二两三四五六七八九十]+)\s*(?P<unit>天|日|周|个月|月)(?:之)?后"
    r"|(?P<next>次日|翌日|隔天|第二天)|(?P<same>同日|当天|当日|同一天)"
)
_TODAY = re.compile(
    r"\b(?P<today>today|this morning|this afternoon|tonight)\b|\b(?P<yesterday>yesterday)\b"
    r"|(?P<ztoday>今日|今天)|(?P<zyesterday>昨日|昨天)",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(
    r"\bon\s+(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|(?:周|星期)(?P<zwd>[一二三四五六日天])"
)


@dataclass(frozen=True)
class PartialDate:
    """A calendar date, possibly without a year or a day."""

    year: int | None
    month: int
    day: int | None

    def iso(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day or 1:02d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True)
class DateMention:
    """A date expression at ``start:end`` in a sentence; how to read it is in the fields."""

    start: int
    end: int
    kind: str  # "explicit" | "relative" | "today" | "weekday"
    year: int | None = None
    month: int | None = None
    day: int | None = None
    days: int = 0  # relative offset or today/yesterday offset
    months: int = 0
    weekday: int | None = None

    @property
    def is_relative(self) -> bool:
        return self.kind == "relative"


def find_dates(sentence: str) -> list[DateMention]:
    """Every date expression in ``sentence``, in order, without overlaps."""
    found: list[DateMention] = []
    for pattern in _EXPLICIT:
        for m in pattern.finditer(sentence):
            mention = _explicit(m)
            if mention is not None:
                found.append(mention)
    found.extend(_relative(sentence))
    found.extend(_today(sentence))
    return _without_overlaps(found)


def _explicit(m: re.Match[str]) -> DateMention | None:
    groups = m.groupdict()
    month = _month_number(groups)
    day = int(groups["day"]) if groups.get("day") else None
    year = int(groups["year"]) if groups.get("year") else None
    if month is None or not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    return DateMention(m.start(), m.end(), "explicit", year, month, day)


def _month_number(groups: dict[str, str | None]) -> int | None:
    if groups.get("month"):
        return int(groups["month"] or 0)
    name = (groups.get("mon") or "").rstrip(".").lower()
    return _MONTHS.get(name)


def _relative(sentence: str) -> list[DateMention]:
    out: list[DateMention] = []
    for m in _RELATIVE_EN.finditer(sentence):
        g = m.groupdict()
        if g["same"]:
            out.append(DateMention(m.start(), m.end(), "relative"))
        elif g["dayafter"]:
            out.append(DateMention(m.start(), m.end(), "relative", days=1))
        else:
            n = _number(g["n"]) if g["n"] else 1
            unit = (g["unit"] or g["unit2"] or "day").lower()
            out.append(_offset(m, n, unit))
    for m in _RELATIVE_ZH.finditer(sentence):
        g = m.groupdict()
        if g["next"]:
            out.append(DateMention(m.start(), m.end(), "relative", days=1))
        elif g["same"]:
            out.append(DateMention(m.start(), m.end(), "relative"))
        else:
            unit = {"天": "day", "日": "day", "周": "week"}.get(g["unit"], "month")
            out.append(_offset(m, _number(g["n"]), unit))
    return out


def _offset(m: re.Match[str], n: int, unit: str) -> DateMention:
    if unit == "month":
        return DateMention(m.start(), m.end(), "relative", months=n)
    return DateMention(m.start(), m.end(), "relative", days=n * (7 if unit == "week" else 1))


def _number(word: str) -> int:
    if word.isdigit():
        return int(word)
    if word.lower() in _NUMBER_WORDS:
        return _NUMBER_WORDS[word.lower()]
    if word.startswith("十"):
        return 10 + (_ZH_DIGITS.get(word[1:], 0) if len(word) > 1 else 0)
    if "十" in word:
        tens, _, ones = word.partition("十")
        return _ZH_DIGITS.get(tens, 1) * 10 + _ZH_DIGITS.get(ones, 0)
    return _ZH_DIGITS.get(word, 1)


def _today(sentence: str) -> list[DateMention]:
    out: list[DateMention] = []
    for m in _TODAY.finditer(sentence):
        back = 1 if (m.group("yesterday") or m.group("zyesterday")) else 0
        out.append(DateMention(m.start(), m.end(), "today", days=-back))
    for m in _WEEKDAY.finditer(sentence):
        name = m.group("wd")
        wd = _WEEKDAYS[name.lower()] if name else _ZH_WEEKDAYS[m.group("zwd")]
        out.append(DateMention(m.start(), m.end(), "weekday", weekday=wd))
    return out


def _without_overlaps(found: list[DateMention]) -> list[DateMention]:
    # earlier patterns are more specific: keep the first of two overlapping mentions
    kept: list[DateMention] = []
    for mention in found:
        if all(mention.end <= k.start or mention.start >= k.end for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda d: d.start)


def resolve(
    mention: DateMention,
    published: date | None,
    anchor: PartialDate | None,
    *,
    forward: bool = False,
) -> PartialDate | None:
    """Read ``mention`` as a date.

    Month-day dates take the publication year, or the year before when the day would
    fall after publication; told of a coming change (``forward``: "will retire on
    April 30", "effective March 1") they are the first such day on or after it.
    Relative dates count from ``anchor`` (the previous dated sentence). Without enough
    context the answer is None.
    """
    if mention.kind == "explicit":
        return _resolve_explicit(mention, published, anchor, forward)
    if mention.kind == "relative":
        return _shift(anchor, mention.days, mention.months) if anchor else None
    if published is None:
        return None
    if mention.kind == "today":
        day = published + timedelta(days=mention.days)
        return PartialDate(day.year, day.month, day.day)
    back = (published.weekday() - (mention.weekday or 0)) % 7
    day = published - timedelta(days=back)
    return PartialDate(day.year, day.month, day.day)


def _resolve_explicit(
    mention: DateMention, published: date | None, anchor: PartialDate | None, forward: bool
) -> PartialDate | None:
    month = mention.month or 1
    if mention.year is not None:
        return PartialDate(mention.year, month, mention.day)
    if published is not None:
        later = (month, mention.day or 1) > (published.month, published.day)
        if forward:
            return PartialDate(published.year + (0 if later else 1), month, mention.day)
        return PartialDate(published.year - (1 if later else 0), month, mention.day)
    year = anchor.year if anchor is not None else None
    return PartialDate(year, month, mention.day)


def _shift(anchor: PartialDate, days: int, months: int) -> PartialDate | None:
    if anchor.day is None:
        if days:
            return None
        year, month = _add_months(anchor.year or 2000, anchor.month, months)
        return PartialDate(anchor.year and year, month, None)
    # a leap year stands in when the year is unknown, so that 29 February exists
    year = anchor.year if anchor.year is not None else 2000
    year, month = _add_months(year, anchor.month, months)
    day = min(anchor.day, calendar.monthrange(year, month)[1])
    moved = date(year, month, day) + timedelta(days=days)
    if anchor.year is None:
        return PartialDate(None, moved.month, moved.day)
    return PartialDate(moved.year, moved.month, moved.day)


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1
