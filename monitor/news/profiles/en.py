"""The English profile: what English company news needs beyond single sentences.

A company is named in full once ("Flight Dynamics Inc", "<Terrapet Energy Corp>") and
then by a shorter name ("Flight Dynamics", "Terrapet"), or by "the company" and "it".
So before the sentences are read, the whole document's full names give the short names
it may use later, and the company the story is about (the announcing company) is the
one the headline names, else the first one named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["SELF_REFERENCE", "DocumentCompanies", "document_companies"]

# "it said", "the company said", "its board": the company the story is about
SELF_REFERENCE = re.compile(
    r"(?:^|[,;]\s*|\bthat\s+)(?:It|it)\s+(?:also\s+)?(?:said|named|appointed|elected|announced)\b"
    r"|\bthe (?:company|firm|group|bank|corporation|concern)\b|\bits\b",
    re.IGNORECASE,
)

_LEGAL = re.compile(
    r"(?:,?\s+(?:Co\.?,?\s*Ltd\.?|Company|Co\.?|Inc\.?|Incorporated|Corp\.?|Corporation|Ltd\.?"
    r"|Limited|plc|PLC|LLC|L\.P\.|LP|AG|SE|N\.V\.|S\.A\.|NV|SA|Group|Holdings?|Cos\.?))+$"
)
# Reuters writes a company's name in angle brackets: "<Terrapet Energy Corp>"
_BRACKETED = re.compile(r"<([A-Z][^<>]{1,60})>")
# words that begin many company names and mean nothing alone
_GENERIC = frozenset(
    [
        "american",
        "national",
        "general",
        "first",
        "united",
        "international",
        "new",
        "north",
        "south",
        "east",
        "west",
        "western",
        "eastern",
        "northern",
        "southern",
        "central",
        "pacific",
        "atlantic",
        "continental",
        "federal",
        "commercial",
        "industrial",
        "financial",
        "savings",
        "security",
        "standard",
        "great",
        "royal",
        "global",
        "the",
        "a",
        "an",
        "and",
        "of",
        "for",
        "in",
        "on",
        "at",
        "by",
        "to",
    ]
)


@dataclass(frozen=True)
class DocumentCompanies:
    """Short names the document uses for its companies (short -> full), and the company
    the story is about."""

    names: Mapping[str, str]
    announcing: str | None


def stem(name: str) -> str:
    """The name without its legal form: "Flight Dynamics Inc" -> "Flight Dynamics"."""
    return _LEGAL.sub("", name.strip()).strip(" ,")


def document_companies(text: str, full_names: Iterable[str]) -> DocumentCompanies:
    """Short names for the companies named in full (``full_names``, in text order)."""
    full = list(dict.fromkeys([*full_names, *_bracketed(text)]))
    owners: dict[str, set[str]] = {}
    for name in full:
        for short in _short_forms(name, text):
            owners.setdefault(short, set()).add(name)
    # "Xiaomi" for both "Xiaomi Technology Co." and "Xiaomi Automobile Co.": neither
    names = {short: next(iter(fulls)) for short, fulls in owners.items() if len(fulls) == 1}
    return DocumentCompanies(names, _announcing(text, full))


def _bracketed(text: str) -> list[str]:
    return [
        m.group(1).strip()
        for m in _BRACKETED.finditer(text)
        if re.search(r"[a-z]", m.group(1)) and " " in m.group(1).strip()
    ]


def _short_forms(name: str, text: str) -> list[str]:
    """The stem, and leading parts of it that the text uses on their own."""
    base = stem(name)
    words = base.split()
    if not words or not words[0][:1].isupper():
        return []
    out = [base] if base != name and len(base) >= 3 else []
    for n in range(len(words) - 1, 0, -1):
        head = " ".join(words[:n])
        if _usable(words[:n], text) and re.search(r"(?<![\w-])" + re.escape(head) + r"\b", text):
            out.append(head)
    return out


def _usable(words: list[str], text: str) -> bool:
    """A leading part is a name when it does not end in a linking word and is not a
    common word ("American", or a word the text also writes in lower case)."""
    last = words[-1]
    if last.lower() in _GENERIC or not last[:1].isupper():
        return False
    if len(words) == 1:
        word = words[0]
        lowered = re.search(r"\b" + re.escape(word.lower()) + r"\b", text) is not None
        return len(word) >= 3 and word.lower() not in _GENERIC and not lowered
    return True


def _announcing(text: str, full: list[str]) -> str | None:
    """The company the headline names, else the first company of the text."""
    if not full:
        return None
    headline = next((line for line in text.splitlines() if line.strip()), "").upper()
    for name in full:
        words = stem(name).upper().split()
        if words and " ".join(words[: max(1, min(2, len(words)))]) in headline:
            return name
    return full[0]
