"""Pure normalisation of officer names and roles.

Names: Unicode NFKC, whitespace collapsed, honorifics dropped, "SURNAME, Forenames"
reordered, all-caps words title-cased. Roles: mapped onto one canonical English
vocabulary from English and Chinese registry wording; one cell may hold several
roles ("执行董事兼总经理", "Director and CEO"). Comparison keys read traditional
Chinese as simplified (雷軍 = 雷军, 執行董事 = 执行董事): registries in Hong Kong and
Taiwan write the same names in the other script.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

_SPACE = re.compile(r"\s+")
_HONORIFIC = re.compile(
    r"^(?:mr|mrs|ms|miss|mx|dr|prof|professor|sir|dame|lord|lady|hon)\.?\s+", re.IGNORECASE
)
_HONORIFIC_ZH = re.compile(r"(?:先生|女士|博士|教授)$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_TRAILING_NOTE = re.compile(r"\s*[(（][^)）]*[)）]\s*$")


@lru_cache(maxsize=65536)
def fold_han(text: str) -> str:
    """Traditional Chinese characters as simplified ones; other text as is.

    Character by character, with OpenCC's t2s table (``monitor/data/t2s.txt``). For
    comparison keys only: what is shown keeps the source's own script.
    """
    if text.isascii() or not _HAN.search(text):
        return text
    return text.translate(_t2s())


@lru_cache(maxsize=1)
def _t2s() -> dict[int, int]:
    """The table, read the first time Chinese text is compared."""
    lines = resources.files("monitor.data").joinpath("t2s.txt").read_text(encoding="utf-8")
    traditional, simplified = (line for line in lines.splitlines() if not line.startswith("#"))
    return str.maketrans(traditional, simplified)


def clean_text(text: str) -> str:
    """NFKC and collapsed whitespace; the basis of every comparison."""
    if not text.isascii():  # NFKC leaves ASCII as it is
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())  # str.split() splits on exactly what `\s` matches


@lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """Display form of a person's name; idempotent."""
    text = clean_text(name).strip(" ,;")
    previous = None
    while previous != text:
        previous = text
        text = _HONORIFIC.sub("", text)
    if _CJK.search(text):
        return _HONORIFIC_ZH.sub("", text.replace(" ", "")) or text.replace(" ", "")
    if text.count(",") == 1:
        surname, forenames = (part.strip() for part in text.split(","))
        if surname and forenames:
            text = f"{forenames} {surname}"
    return " ".join(_fix_case(word) for word in text.split(" ") if word)


def _fix_case(word: str) -> str:
    if len(word) > 1 and word.isupper() and word.isalpha():
        return word.capitalize()
    return word


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Comparison key: case, order and punctuation do not matter."""
    text = fold_han(normalize_name(name)).casefold()
    tokens = re.findall(r"\w+", text)
    return " ".join(sorted(tokens))


# Canonical roles, most specific first: "独立董事" must win over "董事".
_ROLE_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "legal representative",
        ("法定代表人", "法人代表", "法人", "legal representative", "legal rep"),
    ),
    (
        "chairman of supervisors",
        ("监事会主席", "chairman of the supervisory board", "chairman of supervisors"),
    ),
    (
        "vice chairman",
        ("副董事长", "vice chairman", "vice-chairman", "deputy chairman", "vice chair"),
    ),
    ("chairman", ("董事长", "chairman", "chairwoman", "chairperson", "chair")),
    (
        "independent director",
        ("独立董事", "independent non-executive director", "independent director"),
    ),
    ("non-executive director", ("非执行董事", "non-executive director", "non executive director")),
    ("executive director", ("执行董事", "executive director")),
    (
        "secretary",
        (
            "董事会秘书",
            "董秘",
            "company secretary",
            "corporate secretary",
            "corporate nominee secretary",
            "nominee secretary",
            "secretary",
        ),
    ),
    (
        "director",
        (
            "董事",
            "director",
            "board member",
            "member of the board",
            "corporate director",
            "corporate nominee director",
            "nominee director",
        ),
    ),
    ("vice president", ("副总裁", "vice president", "vice-president", "vp")),
    ("president", ("总裁", "president")),
    ("deputy general manager", ("副总经理", "deputy general manager")),
    ("general manager", ("总经理", "general manager", "managing director")),
    ("manager", ("经理", "manager")),
    ("supervisor", ("监事", "supervisor")),
    ("ceo", ("首席执行官", "chief executive officer", "chief executive", "ceo")),
    ("cfo", ("首席财务官", "财务负责人", "财务总监", "chief financial officer", "cfo")),
    ("coo", ("首席运营官", "chief operating officer", "coo")),
    ("cto", ("首席技术官", "chief technology officer", "cto")),
    ("partner", ("执行事务合伙人", "合伙人", "managing partner", "partner")),
)
KNOWN_ROLES: frozenset[str] = frozenset(role for role, _ in _ROLE_PATTERNS)
_ROLE_SPLIT = re.compile(r"\s*(?:兼|、|，|,|;|；|/|&|\band\b|\+)\s*", re.IGNORECASE)
_ROLE_INDEX: dict[str, str] = {alias: role for role, aliases in _ROLE_PATTERNS for alias in aliases}


def canonical_role(text: str) -> str:
    """One role cell fragment → canonical label (unknown wording kept, lower-cased)."""
    cleaned = fold_han(clean_text(text)).casefold().strip(" .:-")
    cleaned = re.sub(r"^(?:the|a|an)\s+", "", cleaned).strip(" .:-")  # "A: director"
    if cleaned in _ROLE_INDEX:
        return _ROLE_INDEX[cleaned]
    if cleaned.replace("-", " ") in _ROLE_INDEX:  # registry codes: "nominee-director"
        return _ROLE_INDEX[cleaned.replace("-", " ")]
    for role, aliases in _ROLE_PATTERNS:
        for alias in aliases:
            # Patterns are ordered most specific first, so "独立董事…" never becomes "董事".
            if _CJK.search(alias) and alias in cleaned:
                return role
    return cleaned


@lru_cache(maxsize=4096)
def split_roles(text: str | None) -> frozenset[str]:
    """A role cell → the set of canonical roles it names."""
    if not text:
        return frozenset()
    cell = _TRAILING_NOTE.sub("", fold_han(clean_text(text)))
    parts = [p for p in _ROLE_SPLIT.split(cell) if p and p.strip()]
    return frozenset(canonical_role(p) for p in parts if canonical_role(p))


def format_roles(roles: frozenset[str] | tuple[str, ...] | list[str]) -> str:
    return ", ".join(sorted(roles))
