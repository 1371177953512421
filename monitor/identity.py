"""Decide whether a name seen in a registry row or an article is a watched person or company.

Pure functions, no I/O.

Persons are compared token by token after folding case, width and accents, dropping
honorifics and writing Chinese names in tone-less pinyin, so "LEI, Jun", "Mr Jun Lei" and
"雷军" agree. Fuzziness is deliberately narrow: a one-letter slip is tolerated only in long
tokens that are not pinyin, because two pinyin given names one letter apart ("Hua" and
"Huan") are different people. Two names written in Chinese characters are compared as
characters, since many different characters share one pinyin reading.

Companies are compared exactly on a key that spells legal forms one way ("Co., Ltd." and
"Company Limited" both become "co ltd"; "有限责任公司" becomes "有限公司"). Names in
different scripts are the same company only through configured aliases: nothing is
translated.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import permutations

from monitor.normalize import fold_han

DEFAULT_THRESHOLD: float = 0.9
AMBIGUITY_MARGIN: float = 0.02
_EPSILON = 1e-9


@dataclass(frozen=True)
class Entry:
    """One watch-list entry (person or company): its name and other names it goes by."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """The entry a name was found to denote, how sure we are, and which of its names matched."""

    entry: Entry
    score: float
    matched: str


@dataclass(frozen=True)
class Ambiguous:
    """Two or more entries fit a name almost equally well; a person has to decide."""

    candidates: tuple[Match, ...]


# --------------------------------------------------------------------------- text folding

_HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_CHAR = re.compile(f"[{_HAN_RANGES}]")
_HAN_RUN = re.compile(f"[{_HAN_RANGES}]+")
_TOKEN = re.compile(f"[{_HAN_RANGES}]+|[^\\W_{_HAN_RANGES}]+")
# Characters that join the parts of one name: "Xue-zhong", "O'Brien".
_JOINERS = re.compile("[-\u2010\u2011\u2012\u2013\u2014\u2015\ufe63'\u2019\u2018\u02bc`\u00b4]")
_OPENERS = "([{\u3010\u3014\u3016\u300c\u300e"
_CLOSERS = ")]}\u3011\u3015\u3017\u300d\u300f"
_BRACKETS = str.maketrans({**dict.fromkeys(_OPENERS, "("), **dict.fromkeys(_CLOSERS, ")")})
_BRACKETED = re.compile(r"\(([^()]*)\)")


# Latin letters that have no decomposition to strip an accent from.
_UNDECOMPOSABLE = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)


def _fold(text: str) -> str:
    """NFKC, casefold, accents removed, traditional Chinese as simplified."""
    text = fold_han(unicodedata.normalize("NFKC", text)).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped.translate(_UNDECOMPOSABLE))


def _is_han(token: str) -> bool:
    return bool(token) and _HAN_CHAR.fullmatch(token[0]) is not None


def _pinyin(text: str) -> str:
    """Tone-less pinyin of Chinese text, syllables joined; ü written u as in passports."""
    from pypinyin import Style, lazy_pinyin  # 60 MB of dictionaries: load on first use

    syllables = [_no_reading(s) for s in lazy_pinyin(text, style=Style.NORMAL)]
    return _fold("".join(syllables)).replace("v", "u")


def _no_reading(syllable: str) -> str:
    """A stable ASCII stand-in for characters pypinyin has no reading for (kept as written)."""
    return "".join(f"u{ord(ch):x}" if _is_han(ch) else ch for ch in syllable)


@cache
def _pinyin_syllables() -> frozenset[str]:
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    readings = (to_normal(r) for value in pinyin_dict.values() for r in value.split(","))
    # Interjections such as "m" and "hng" have no vowel and are never part of a name.
    return frozenset(r for r in readings if r.isascii() and set(r) & set("aeiouv"))


@lru_cache(maxsize=65536)
def _looks_like_pinyin(token: str) -> bool:
    """True when the token splits into pinyin syllables ("xuezhong" = xue + zhong)."""
    syllables = _pinyin_syllables()
    ends = {0}
    for end in range(1, len(token) + 1):
        if any(
            start in ends and token[start:end] in syllables for start in range(max(0, end - 6), end)
        ):
            ends.add(end)
    return len(token) in ends


# --------------------------------------------------------------------------- persons

_HONORIFICS = frozenset(
    ("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "madam",
     "madame", "mme", "herr", "frau")
)  # fmt: skip
_HAN_HONORIFICS = ("先生", "女士", "小姐", "博士", "教授")

# First-character readings a surname takes that differ from the everyday reading.
_SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha",
    "朴": "piao", "乐": "yue", "盖": "ge", "覃": "qin", "缪": "miao", "翟": "zhai",
    "秘": "bi", "召": "shao", "员": "yun", "句": "gou", "折": "she", "重": "chong",
    "种": "chong", "繁": "po", "黑": "he", "隗": "wei", "祭": "zhai", "能": "nai",
    "藏": "zang", "宓": "fu", "郇": "xun", "都": "du", "薄": "bo", "阚": "kan",
    "长": "chang",
}  # fmt: skip
_COMPOUND_SURNAMES = frozenset(
    ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙",
     "夏侯", "端木", "宇文", "司徒", "万俟", "轩辕", "澹台", "闻人", "呼延", "南宫", "独孤",
     "申屠", "钟离", "西门", "单于")
)  # fmt: skip


@dataclass(frozen=True)
class _Person:
    """One reading of a person's name."""

    tokens: tuple[str, ...]  # full name parts, given name first when a comma said so
    initials: tuple[str, ...]  # single-letter parts ("A." in "John A. Smith")
    han: str  # the characters, when the name is written in Chinese only
    written: str  # every part as written, honorifics included

    @property
    def key(self) -> str:
        return " ".join(sorted(self.tokens + self.initials))


def _strip_han_honorific(run: str) -> str:
    for title in _HAN_HONORIFICS:
        if run.endswith(title) and len(run) > len(title):
            return run[: -len(title)]
    return run


def _without_honorifics(tokens: list[str]) -> list[str]:
    kept = [_strip_han_honorific(t) if _is_han(t) else t for t in tokens]
    kept = [t for t in kept if t not in _HONORIFICS]
    return kept or tokens


def _surname_readings(surname: str) -> tuple[str, ...]:
    usual = _pinyin(surname)
    special = _SURNAME_READINGS.get(surname, usual)
    return tuple(dict.fromkeys((special, usual)))


def _han_readings(runs: list[str]) -> list[tuple[str, ...]]:
    """Pinyin token tuples for a name written in Chinese, most likely reading first."""
    first, rest = runs[0], [_pinyin(r) for r in runs[1:]]
    if len(runs) > 1 and len(first) > 1:  # "迪丽热巴·迪力木拉提": parts, no surname split
        return [(_pinyin(first), *rest)]
    cut = 2 if len(first) >= 3 and first[:2] in _COMPOUND_SURNAMES else 1
    surname, given = first[:cut], first[cut:]
    readings = _surname_readings(surname) if cut == 1 else (_pinyin(surname),)
    given_tokens = (_pinyin(given),) if given else ()
    return [(reading, *given_tokens, *rest) for reading in readings]


def _parse_person(text: str) -> tuple[_Person, ...]:
    """Readings of one name written in a single script (more than one for some surnames)."""
    written = _written_tokens(text)
    tokens = _without_honorifics(written)
    if not tokens:
        return ()
    as_written = " ".join(written)
    if all(_is_han(t) for t in tokens):
        han = "".join(tokens)
        readings = _han_readings(tokens)
        return tuple(_Person(reading, (), han, as_written) for reading in readings)
    words = tuple(_pinyin(t) if _is_han(t) else t for t in tokens)
    full = tuple(w for w in words if len(w) > 1 or w.isdigit())
    initials = tuple(w for w in words if len(w) == 1 and not w.isdigit())
    return (_Person(full, initials, "", as_written),)


def _written_tokens(text: str) -> list[str]:
    """Folded name parts; "Smith, John A." is reordered to "john a smith"."""
    folded = _JOINERS.sub("", _fold(text))
    surname, comma, given = folded.partition(",")
    if comma and "," not in given and _TOKEN.search(surname) and _TOKEN.search(given):
        folded = f"{given} {surname}"
    return _TOKEN.findall(folded)


def _split_scripts(text: str) -> list[str]:
    """'Lei Jun (雷军)' and '雷军 Lei Jun' are two spellings of one name: split them."""
    text = unicodedata.normalize("NFKC", text).translate(_BRACKETS)
    parts = [p for p in (_BRACKETED.sub(" ", text), *_BRACKETED.findall(text)) if p.strip()]
    spellings: list[str] = []
    for part in parts or [text]:
        han = " ".join(_HAN_RUN.findall(part))
        other = _HAN_CHAR.sub(" ", part) if han else part
        has_other = any(ch.isalpha() for ch in other)
        spellings += [s for s in (other if has_other else "", han) if s]
    return spellings or [text]


@lru_cache(maxsize=65536)
def _person_forms(name: str) -> tuple[_Person, ...]:
    spellings = _split_scripts(fold_han(unicodedata.normalize("NFKC", name)))
    return tuple(p for spelling in spellings for p in _parse_person(spelling))


def person_key(name: str) -> str:
    """Canonical comparable form of a person's name: "LEI, Jun", "Jun Lei", "雷军" -> "jun lei".

    NFKC, casefold, accents, honorifics and punctuation removed, Chinese written in tone-less
    pinyin (surname readings for the first character), hyphenated parts joined, tokens sorted.
    """
    forms = _person_forms(name)
    return forms[0].key if forms else ""


@lru_cache(maxsize=4096)
def _merges(tokens: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    """Sorted token tuples obtained by joining neighbouring tokens ("Xue Zhong" = "Xuezhong").

    At least two tokens always remain: "Lei Jun" is not the single word "Leijun".
    """
    found = {tuple(sorted(tokens))} if len(tokens) >= 2 else set()
    if len(tokens) > 6:
        return frozenset(found)
    for mask in range(1, 2 ** (len(tokens) - 1)):
        parts = [tokens[0]]
        for i, token in enumerate(tokens[1:]):
            if mask >> i & 1:
                parts[-1] += token
            else:
                parts.append(token)
        if len(parts) >= 2:
            found.add(tuple(sorted(parts)))
    return frozenset(found)


def _multiset_split(a: Iterable[str], b: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
    """Common items, items only in a, items only in b (multiset semantics)."""
    rest_b = list(b)
    common: list[str] = []
    only_a: list[str] = []
    for item in a:
        if item in rest_b:
            rest_b.remove(item)
            common.append(item)
        else:
            only_a.append(item)
    return common, only_a, rest_b


def _absorb(initials: list[str], tokens: list[str]) -> tuple[list[str], list[str]]:
    """Let each initial stand for one token it abbreviates; return what is left of both."""
    tokens, left = list(tokens), []
    for initial in initials:
        hit = next((t for t in tokens if t.startswith(initial)), None)
        if hit is None:
            left.append(initial)
        else:
            tokens.remove(hit)
    return tokens, left


def _token_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    ratio = _similarity(a, b)
    long_enough = min(len(a), len(b)) >= 6
    fuzzy_ok = long_enough and not (_looks_like_pinyin(a) or _looks_like_pinyin(b))
    return ratio if fuzzy_ok else ratio / 2


def _aligned_similarity(a: list[str], b: list[str]) -> float:
    """Sum of token similarities under the best pairing of a's tokens with b's."""
    if len(a) > 6:
        return sum(_token_similarity(x, y) for x, y in zip(sorted(a), sorted(b), strict=True))
    return max(
        sum(_token_similarity(x, y) for x, y in zip(a, order, strict=True))
        for order in permutations(b)
    )


def _tokens_score(
    tokens_a: tuple[str, ...], initials_a: tuple[str, ...],
    tokens_b: tuple[str, ...], initials_b: tuple[str, ...],
) -> float:  # fmt: skip
    common, rest_a, rest_b = _multiset_split(tokens_a, tokens_b)
    _, left_a, left_b = _multiset_split(initials_a, initials_b)
    rest_b, unmatched_a = _absorb(left_a, rest_b)
    rest_a, unmatched_b = _absorb(left_b, rest_a)
    if unmatched_a and unmatched_b:  # "John A. Smith" and "John B. Smith"
        return 0.5
    absorbed = len(left_a) + len(left_b) - len(unmatched_a) - len(unmatched_b)
    dropped = len(unmatched_a) + len(unmatched_b)
    if len(rest_a) == len(rest_b):
        similar = len(common) + _aligned_similarity(rest_a, rest_b)
        score = similar / (len(common) + len(rest_a))
    else:  # a part missing on one side: "Lei" and "Lei Jun" are not the same person
        score = 0.9 * 2 * len(common) / (len(tokens_a) + len(tokens_b))
    score -= 0.03 * absorbed + 0.02 * dropped
    if min(len(tokens_a), len(tokens_b)) < 2:  # a lone surname identifies nobody
        score = min(score, 0.8)
    return max(score, 0.0)


def _form_score(a: _Person, b: _Person) -> float:
    if a.han and b.han:  # both in characters: same pinyin is not enough (王华, 王化)
        return 1.0 if a.han == b.han else 0.8 * _similarity(a.han, b.han)
    if a.key == b.key:
        return _same_key_score(a, b)
    if not a.tokens or not b.tokens:
        return 0.0
    as_written = _tokens_score(
        tuple(sorted(a.tokens)), a.initials, tuple(sorted(b.tokens)), b.initials
    )
    # The same letters split differently ("Xue Zhong", "Xuezhong") must agree exactly;
    # spelling slips are forgiven only in parts as written.
    same_letters = _merges(a.tokens) & _merges(b.tokens)
    by_joining = max(
        (_tokens_score(t, a.initials, t, b.initials) - 0.01 for t in same_letters), default=0.0
    )
    return max(as_written, by_joining, _middle_name_score(a, b))


def _same_key_score(a: _Person, b: _Person) -> float:
    if not a.key:
        return 0.0
    if len(a.tokens) + len(a.initials) >= 2:
        return 1.0
    # One part only ("Smith"): the honorific may be all that tells "Mr" from "Mrs" Smith.
    return 1.0 if a.written == b.written else 0.8


def _middle_name_score(a: _Person, b: _Person) -> float:
    """ "John Michael Smith" and "John Smith": a middle name left out.

    Only for names whose middle parts are not pinyin: "Zhang Wei Ming" is not "Zhang Ming".
    """
    short, long = sorted((a, b), key=lambda p: len(p.tokens))
    middle = long.tokens[1:-1]
    fits = (
        len(short.tokens) == 2
        and 3 <= len(long.tokens) <= 4
        and sorted(short.tokens) == sorted((long.tokens[0], long.tokens[-1]))
        and short.initials == long.initials
        and not any(_looks_like_pinyin(t) for t in middle)
    )
    return 0.9 if fits else 0.0


def person_score(a: str, b: str) -> float:
    """Similarity 0..1 of two person names; 1.0 means the same name in another spelling."""
    if b < a:  # the same answer whichever way round the names are given
        a, b = b, a
    pairs = ((x, y) for x in _person_forms(a) for y in _person_forms(b))
    return round(max((_form_score(x, y) for x, y in pairs), default=0.0), 6)


def same_person(a: str, b: str, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """True when the two names are spellings of one person's name."""
    return person_score(a, b) >= threshold - _EPSILON


def _written_in_chinese(name: str) -> bool:
    forms = _person_forms(name)
    return bool(forms) and bool(forms[0].han)


def _person_names_to_compare(name: str, entry: Entry) -> tuple[str, ...]:
    names = (entry.name, *entry.aliases)
    if _written_in_chinese(name):
        chinese = tuple(n for n in names if _written_in_chinese(n))
        return chinese or names  # pinyin only when the entry has no characters to compare
    return names


def match_person(
    name: str, entries: Sequence[Entry], threshold: float = DEFAULT_THRESHOLD
) -> Match | Ambiguous | None:
    """The watched person `name` denotes, `Ambiguous` when several fit as well, else None."""
    best = (
        _best_match(name, entry, _person_names_to_compare(name, entry), person_score)
        for entry in _unique(entries)
    )
    return _pick(best, threshold)


# --------------------------------------------------------------------------- companies

# Spelled-out legal forms, rewritten before single words so that "public limited company"
# becomes "plc" rather than "public ltd co".
_LEGAL_PHRASES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = tuple(
    (tuple(long.split()), tuple(short.split()))
    for long, short in (
        ("public limited company", "plc"),
        ("limited liability company", "llc"),
        ("limited liability partnership", "llp"),
        ("limited partnership", "lp"),
        ("gesellschaft mit beschrankter haftung", "gmbh"),
        ("sendirian berhad", "sdn bhd"),
        ("kabushiki kaisha", "kk"),
        ("proprietary limited", "pty ltd"),
        ("l l c", "llc"),
        ("l l p", "llp"),
        ("p l c", "plc"),
        ("s p a", "spa"),
        ("s r l", "srl"),
        ("s a", "sa"),
        ("n v", "nv"),
        ("b v", "bv"),
        ("l p", "lp"),
    )
)
_LEGAL_WORDS = {
    "company": "co", "limited": "ltd", "incorporated": "inc", "corporation": "corp",
    "berhad": "bhd", "sendirian": "sdn", "aktiengesellschaft": "ag", "proprietary": "pty",
}  # fmt: skip
_LEGAL_TOKENS = frozenset(
    ("co", "ltd", "inc", "corp", "plc", "llc", "llp", "lp", "ag", "gmbh", "bhd", "sdn", "sa",
     "spa", "srl", "nv", "bv", "kk", "pty")
)  # fmt: skip
# Chinese legal forms, longest first. 股份有限公司 (joint-stock) is a different legal form
# from 有限公司 / 有限责任公司 (limited liability), which are one form written two ways.
_HAN_LEGAL_FORMS = (
    ("股份有限公司", "股份有限公司"),
    ("有限责任公司", "有限公司"),
    ("有限責任公司", "有限公司"),
    ("有限公司", "有限公司"),
    ("公司", "公司"),
)


def _company_tokens(name: str) -> list[str]:
    text = _fold(name).translate(_BRACKETS).replace("&", " and ")
    text = re.sub("['\u2019\u02bc`]", "", text)  # "McDonald's" = "McDonalds"
    tokens = re.findall(f"[{_HAN_RANGES}]+|[^\\W_{_HAN_RANGES}]+|[()]", text)
    return _join_han(tokens)


def _join_han(tokens: list[str]) -> list[str]:
    """'小米 科技' and '小米科技' are one name: join neighbouring runs of characters."""
    joined: list[str] = []
    for token in tokens:
        if joined and _is_han(token) and _is_han(joined[-1]):
            joined[-1] += token
        else:
            joined.append(token)
    return joined


def _drop_empty_brackets(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        if token == ")" and out and out[-1] == "(":
            out.pop()
        else:
            out.append(token)
    return out


def _canonical_legal_forms(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for long, short in _LEGAL_PHRASES:
            if tuple(tokens[i : i + len(long)]) == long:
                out += short
                i += len(long)
                break
        else:
            out.append(_LEGAL_WORDS.get(tokens[i], tokens[i]))
            i += 1
    if out and out[0] == "the" and len(out) > 1:
        out = out[1:]
    return [_canonical_han_form(t) if _is_han(t) else t for t in out]


def _canonical_han_form(run: str) -> str:
    for written, canonical in _HAN_LEGAL_FORMS:
        if run.endswith(written):
            return run[: -len(written)] + canonical
    return run


def _render(tokens: list[str]) -> str:
    text = ""
    for token in tokens:
        tight = not text or text.endswith("(") or token == ")"
        tight = tight or ((_is_han(token) or token == "(") and _is_han(text[-1]))
        tight = tight or (text.endswith(")") and _is_han(token))
        text += token if tight else " " + token
    return text


@lru_cache(maxsize=65536)
def company_key(name: str) -> str:
    """Canonical comparable form of a company name.

    NFKC, casefold, punctuation removed, brackets of every width written "(" and ")", legal
    forms spelled one way: "Xiaomi Technology (Wuhan) Co., Ltd." and "XIAOMI TECHNOLOGY
    （WUHAN） COMPANY LIMITED" -> "xiaomi technology (wuhan) co ltd"; "有限责任公司" -> "有限公司".
    """
    tokens = _drop_empty_brackets(_canonical_legal_forms(_company_tokens(name)))
    return _render(tokens)


def _compact(key: str) -> str:
    return re.sub(r"[\s()]", "", key)


def _without_legal_form(key: str) -> str:
    words = key.split(" ")
    while words and words[-1] in _LEGAL_TOKENS:
        words.pop()
    text = " ".join(words)
    for written, _ in _HAN_LEGAL_FORMS:
        if text.endswith(written) and len(text) > len(written):
            return text[: -len(written)]
    return text


@lru_cache(maxsize=65536)
def company_block_key(name: str) -> str:
    """Two names can match at the default threshold only when these keys are equal.

    Use it to index many watched companies and compare a name only with its block.
    """
    return _compact(company_key(name))


def company_score(a: str, b: str) -> float:
    """Similarity 0..1 of two company names.

    1.0 for the same key, 0.95 when only spacing or brackets differ. Anything else scores
    below DEFAULT_THRESHOLD: names that differ only in legal form 0.85 (a "Ltd" and an
    "Inc" of one name are usually different companies), other names at most 0.8.
    """
    key_a, key_b = company_key(a), company_key(b)
    if not key_a or not key_b:
        return 0.0
    if key_a == key_b:
        return 1.0
    if _compact(key_a) == _compact(key_b):
        return 0.95
    if _compact(_without_legal_form(key_a)) == _compact(_without_legal_form(key_b)):
        return 0.85
    return round(0.8 * _similarity(key_a, key_b), 6)


def same_company(a: str, b: str, aliases: Sequence[str] = ()) -> bool:
    """True when `b` names the company called `a`, directly or through one of `aliases`.

    `aliases` are other names of the company `a` (for example its name in Chinese).
    """
    return any(company_score(n, b) >= DEFAULT_THRESHOLD - _EPSILON for n in (a, *aliases))


def match_company(
    name: str, entries: Sequence[Entry], threshold: float = DEFAULT_THRESHOLD
) -> Match | Ambiguous | None:
    """The watched company `name` denotes, `Ambiguous` when several fit as well, else None."""
    best = (
        _best_match(name, entry, (entry.name, *entry.aliases), company_score)
        for entry in _unique(entries)
    )
    return _pick(best, threshold)


# --------------------------------------------------------------------------- choosing


def _unique(entries: Sequence[Entry]) -> list[Entry]:
    seen: dict[tuple[str, tuple[str, ...]], Entry] = {}
    for entry in entries:
        seen.setdefault((entry.name, tuple(entry.aliases)), entry)
    return list(seen.values())


def _best_match(
    name: str, entry: Entry, names: Iterable[str], score: Callable[[str, str], float]
) -> Match:
    scored = [Match(entry, score(name, candidate), candidate) for candidate in names]
    return max(scored, key=lambda m: m.score)


def _pick(matches: Iterable[Match], threshold: float) -> Match | Ambiguous | None:
    above = sorted((m for m in matches if m.score >= threshold - _EPSILON), key=lambda m: -m.score)
    if not above:
        return None
    close = tuple(m for m in above if above[0].score - m.score <= AMBIGUITY_MARGIN + _EPSILON)
    return Ambiguous(close) if len(close) > 1 else above[0]


def _similarity(a: str, b: str) -> float:
    """Normalised Levenshtein similarity, 0..1 (rapidfuzz, loaded when first compared)."""
    from rapidfuzz.distance import Levenshtein

    return float(Levenshtein.normalized_similarity(a, b))
