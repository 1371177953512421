"""Find the pieces of an officer-change sentence: companies, people, roles, change verbs.

Each finder takes one sentence and returns spans in sentence order. Spans found
earlier take precedence: people are never looked for inside company names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from monitor.identity import Entry
from monitor.news import lexicon as lx
from monitor.news.gazetteer import Gazetteer
from monitor.news.profiles import en, zh


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class CompanyMention(Span):
    name: str  # the watch entry's name when it matched one, else the text
    watched: bool


@dataclass(frozen=True)
class PersonMention(Span):
    name: str
    watched: bool
    pronoun: bool = False


@dataclass(frozen=True)
class RoleMention(Span):
    label: str


@dataclass(frozen=True)
class TriggerMention(Span):
    change: str
    kind: str
    passive: bool
    needs_role: bool
    chinese: bool


HAN = re.compile(r"[\u4e00-\u9fff]")

# ---------------------------------------------------------------------------------------
# Companies
# ---------------------------------------------------------------------------------------

_EN_WORD = r"(?:[A-Z][\w&'’.-]*|\([A-Z][\w .-]*\)|&)"
_EN_LINK = r"(?:\s+(?:of|and|for|de|du|der|und|&)\s+|\s+)"
_EN_FORM = (
    r"(?:Co\.?,?\s*Ltd\.?|Company\s+Limited|Co\.,?\s+Limited|Holdings?\s+(?:Ltd\.?|Limited|Inc\.?"
    r"|Corp\.?|Co\.?|plc|PLC|Bhd\.?|Berhad)|Group\s+(?:Co\.?,?\s*Ltd\.?|Ltd\.?|Limited|Inc\.?"
    r"|plc|PLC|Corp\.?|AG|SE)|Sdn\.?\s+Bhd\.?|Inc\.?|Incorporated|plc|PLC|AG|SE|GmbH|Berhad"
    r"|Bhd\.?|Corp\.?|Corporation|Limited|Ltd\.?|LLC|L\.L\.C\.|LLP|S\.A\.|N\.V\.|Group"
    r"|Holdings|Co\.)"
)
_EN_COMPANY = re.compile(
    r"(?<![\w])(?P<name>"
    + _EN_WORD
    + r"(?:"
    + _EN_LINK
    + _EN_WORD
    + r"){0,7}?)"
    + r",?\s+(?P<form>"
    + _EN_FORM
    + r")(?![\w])"
)
_ZH_FORM = r"(?:集团股份有限公司|集团有限公司|股份有限公司|有限责任公司|有限公司|集团)"
_ZH_COMPANY = re.compile(r"[\u4e00-\u9fff（）()A-Za-z0-9·]{2,40}?" + _ZH_FORM)
_EN_LEADING_NOISE = re.compile(
    r"^(?:(?:The|On|In|At|As|And|But|While|Both|Its|His|Her|Their|Former|Then|Meanwhile"
    r"|Also|According|Shares|Sources|Today|Yesterday|Notably|Earlier|Later|Separately"
    r"|Last|This|That|Beijing-based|Shanghai-based|Shareholders|Investors|Employees|Staff"
    r"|Workers|Executives|Directors|Members|Officials|Analysts|Customers|Founder|Owner|Head"
    r"|Chairman|Chief|President|Board|CEO|CFO|COO|CTO|VP|Vice|Secretary|Manager|Partner)"
    r"\s+(?:(?:of|at|in|for)\s+)?)+"
)


def find_companies(
    sentence: str, watch: Gazetteer, known: Mapping[str, str] | None = None
) -> list[CompanyMention]:
    """Company names by legal form (Co., Ltd.; Inc.; 有限公司; 集团 ...), watch-list names
    and ``known`` names (the short names the document gives its companies, each with the
    name to report it by)."""
    watched = watch.spans(sentence)
    found: list[CompanyMention] = []
    for start, end in _legal_form_spans(sentence):
        found.append(_company(sentence, start, end, watch, watched))
    for start, end, entry in watched:
        if not any(c.overlaps(start, end) for c in found):
            found.append(CompanyMention(start, end, sentence[start:end], entry.name, True))
    for start, end, full in _known_spans(sentence, known or {}):
        if not any(c.overlaps(start, end) for c in found):
            listed = watch.lookup(full)
            name = listed.name if listed is not None else full
            found.append(CompanyMention(start, end, sentence[start:end], name, listed is not None))
    return sorted(found, key=lambda c: c.start)


def _known_spans(sentence: str, known: Mapping[str, str]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for name in sorted(known, key=len, reverse=True):
        if HAN.search(name):
            at = sentence.find(name)
            while at >= 0:
                out.append((at, at + len(name), known[name]))
                at = sentence.find(name, at + len(name))
            continue
        pattern = r"(?<![A-Za-z0-9-])" + re.escape(name) + r"(?![A-Za-z0-9-])(?!\s+[A-Z][a-z])"
        out.extend((m.start(), m.end(), known[name]) for m in re.finditer(pattern, sentence))
    return out


def _legal_form_spans(sentence: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _EN_COMPANY.finditer(sentence):
        name = m.group("name")
        lead = _EN_LEADING_NOISE.match(name)
        start = m.start() + (lead.end() if lead else 0)
        if start < m.start("form") and not _is_stop_phrase(sentence[start : m.start("form")]):
            spans.append((start, m.end()))
    for m in _ZH_COMPANY.finditer(sentence):
        text = m.group()
        form = re.search(_ZH_FORM + "$", text)
        head = text[: form.start()] if form else text
        start = m.start() + len(head) - len(zh.trim_company_lead(head))
        if m.end() - start >= 4 and _has_name_before_form(sentence[start : m.end()]):
            spans.append((start, m.end()))
    return spans


def _is_stop_phrase(name: str) -> bool:
    words = [w.lower().strip(",.") for w in name.split()]
    return all(w in lx.NOT_NAME_WORDS for w in words)


def _has_name_before_form(text: str) -> bool:
    stripped = re.sub(_ZH_FORM + "$", "", text)
    return len(stripped) >= 2


def _company(
    sentence: str,
    start: int,
    end: int,
    watch: Gazetteer,
    watched: Sequence[tuple[int, int, Entry]] = (),
) -> CompanyMention:
    """A company named with its legal form; watched when the watch list names it, with or
    without the legal form ("Acme" on the list, "Acme Inc" in the text)."""
    text = sentence[start:end]
    entry = watch.lookup(text)
    if entry is None:
        entry = next((e for lo, hi, e in watched if lo == start and hi <= end), None)
    if entry is not None:
        return CompanyMention(start, end, text, entry.name, True)
    return CompanyMention(start, end, text, text, False)


# ---------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_EN_NAME_TOKEN = (
    rf"(?!(?:Jr|Sr)\b)"  # a suffix is no name part
    rf"(?:[{_UP}][{_LOW}]+(?:[{_UP}][{_LOW}]+)?(?:[-'’][{_UP}]?[{_LOW}]+)?"  # McAfee, Smith-Jones
    rf"|[{_UP}]['’][{_UP}][{_LOW}]+"  # O'Reilly
    rf"|[{_UP}]{{2,}}(?=[\s,]+[{_UP}][{_LOW}])"
    rf"|[{_UP}]\.(?:[{_UP}]\.)*)"  # initials: "R.", "W.D."
)
_SINGLE_NAME = re.compile(
    rf"(?<![A-Za-z0-9_À-ÿ.])[{_UP}][{_LOW}]+(?:[-'’][{_UP}]?[{_LOW}]+)?(?![A-Za-z0-9_À-ÿ])"
)
_EN_PARTICLE = r"(?:de|da|di|van|von|der|den|la|le|bin|al|del)"
_EN_SUFFIX = r"(?:,?\s+(?:Jr|Sr)\.?|\s+(?:II|III|IV))"  # "Lloyd U. Noland Jr.", "Ely II"
_EN_NAME = re.compile(
    r"(?<![\w.])"
    + _EN_NAME_TOKEN
    + r"(?:\s+(?:"
    + _EN_PARTICLE
    + r"\s+)?"
    + _EN_NAME_TOKEN
    + r"){1,7}"  # a longer run is cut at words that are no name parts (below)
    + _EN_SUFFIX
    + r"?(?![\w])"
)
_EN_TITLED = re.compile(
    rf"\b(?:Mr|Mrs|Ms|Dr)\.?\s+(?P<name>[{_UP}][{_LOW}]+(?:[-'][{_UP}][{_LOW}]+)?)(?![\w])"
)


def find_people(
    sentence: str,
    watch: Gazetteer,
    taken: Sequence[Span],
    known: Mapping[str, PersonMention] | None = None,
) -> list[PersonMention]:
    """People named in ``sentence`` (watched names first, then name-shaped words, then
    single words that are part of a name seen before, as in "Santos will succeed Klein")
    and subject pronouns, outside the ``taken`` spans (companies)."""
    found: list[PersonMention] = []
    blocked: list[Span] = list(taken)
    for start, end, entry in watch.spans(sentence):
        if not any(b.overlaps(start, end) for b in blocked):
            mention = PersonMention(start, end, sentence[start:end], entry.name, True)
            found.append(mention)
            blocked.append(mention)
    for start, end in _name_shaped(sentence):
        if not any(b.overlaps(start, end) for b in blocked):
            mention = _person(sentence[start:end], start, end, watch)
            found.append(mention)
            blocked.append(mention)
    for m in _SINGLE_NAME.finditer(sentence):
        earlier = (known or {}).get(m.group())
        if earlier is not None and not any(b.overlaps(m.start(), m.end()) for b in blocked):
            mention = PersonMention(m.start(), m.end(), m.group(), earlier.name, earlier.watched)
            found.append(mention)
            blocked.append(mention)
    for m in (*lx.EN_PRONOUN.finditer(sentence), *_zh_pronouns(sentence)):
        if not any(b.overlaps(m.start(), m.end()) for b in blocked):
            found.append(PersonMention(m.start(), m.end(), m.group(), m.group(), False, True))
    return sorted(found, key=lambda p: p.start)


def _zh_pronouns(sentence: str) -> list[re.Match[str]]:
    # 其 is a pronoun only right before a change verb ("其不再担任")
    out = []
    for m in lx.ZH_PRONOUN.finditer(sentence):
        rest = sentence[m.end() : m.end() + 6]
        if any(rule.pattern.match(rest) for rule in lx.ZH_TRIGGERS) or rest.startswith(
            ("已", "将", "同时", "也", "还", "正式", "随后", "则", "又", "于")
        ):
            out.append(m)
    return out


def _person(text: str, start: int, end: int, watch: Gazetteer) -> PersonMention:
    entry = watch.lookup(text)
    if entry is not None:
        return PersonMention(start, end, text, entry.name, True)
    return PersonMention(start, end, text, text, False)


def _name_shaped(sentence: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _EN_NAME.finditer(sentence):
        spans.extend(
            (a, b)
            for a, b in _clean_en_name(sentence, m.start(), m.end())
            if not _UNIT_OF.search(sentence, 0, a)
        )
    for m in _EN_TITLED.finditer(sentence):
        spans.append((m.start("name"), m.end("name")))
    spans.extend(zh.find_names(sentence))
    return spans


# "the company's Consumer Durables": a part of the company, not a person
_UNIT_OF = re.compile(r"\b(?:company|firm|group|corporation|bank)['’]s\s+$", re.IGNORECASE)


def _clean_en_name(sentence: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a run of capitalised words at words that are not name parts. An
    organisation word ("Boeing Military Aircraft") makes the words around it no person,
    up to an office word ("Acme Bank Chairman Tom Lee")."""
    out: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    organisation = False
    words = list(re.finditer(r"\S+", sentence[start:end]))
    for k, w in enumerate(words):
        word = w.group().strip(".,").lower()
        if word in en.ORG_WORDS:
            run, organisation = [], True
        elif word in en.PLACES and not run and not organisation and _name_follows(words, k):
            run.append((start + w.start(), start + w.end()))  # "Chengdu Li"
        elif word in lx.NOT_NAME_WORDS or _ADVERB.search(word):
            if not organisation:
                out.extend(_keep_run(run))
            run, organisation = [], False
        elif not organisation:
            run.append((start + w.start(), start + w.end()))
    if not organisation:
        out.extend(_keep_run(run))
    return out


# "Separately", "Additionally" open sentences; "Reilly", "Kelly", "Emily" are names
_ADVERB = re.compile(r"^\w{3,}(?:ally|ately|ously|ively|ently|antly|ectly|edly|arly)$|-based$")


def _name_follows(words: list[re.Match[str]], k: int) -> bool:
    if k + 1 >= len(words) or words[k].group().endswith((",", ".")):
        return False
    nxt = words[k + 1].group().strip(".,").lower()
    return nxt not in lx.NOT_NAME_WORDS and nxt not in en.PLACES and nxt not in en.ORG_WORDS


def _keep_run(run: list[tuple[int, int]]) -> list[tuple[int, int]]:
    # a person is named in two to four words; five capitalised words are a title or a unit
    return [(run[0][0], run[-1][1])] if 2 <= len(run) <= 4 else []


def _zh_names(sentence: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(sentence):
        length = _zh_name_at(sentence, i)
        if length:
            spans.append((i, i + length))
            i += length
        else:
            i += 1
    return spans


def _zh_name_at(sentence: str, i: int) -> int:
    if not _zh_left_ok(sentence, i):
        return 0
    surname = 2 if sentence[i : i + 2] in lx.ZH_COMPOUND_SURNAMES else 1
    if surname == 1 and sentence[i] not in lx.ZH_SURNAMES:
        return 0
    for length in (surname + 2, surname + 1):
        chunk = sentence[i : i + length]
        if (
            len(chunk) == length
            and chunk[-1] not in lx.ZH_NOT_NAME_END
            and all(HAN.match(c) for c in chunk)
            and _zh_right_ok(sentence, i + length)
            and not lx.ZH_ROLE.search(chunk)
            and not _has_trigger(chunk)
        ):
            return length
    return 0


def _has_trigger(chunk: str) -> bool:
    return any(rule.pattern.search(chunk) for rule in lx.ZH_TRIGGERS)


def _zh_left_ok(sentence: str, i: int) -> bool:
    if i == 0 or not HAN.match(sentence[i - 1]):
        return True
    before = sentence[:i]
    if before.endswith(lx.ZH_NAME_LEFT) or before.endswith(lx.ZH_ROLE_WORDS):
        return True
    tail = before[-6:]
    return any(m.end() == len(tail) for r in lx.ZH_TRIGGERS for m in r.pattern.finditer(tail))


def _zh_right_ok(sentence: str, j: int) -> bool:
    if j >= len(sentence) or not HAN.match(sentence[j]):
        return True
    after = sentence[j:]
    if after.startswith(lx.ZH_NAME_RIGHT) or after.startswith(lx.ZH_ROLE_WORDS):
        return True
    return any(rule.pattern.match(after) for rule in lx.ZH_TRIGGERS)


# ---------------------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------------------


_LATIN = re.compile(r"[A-Za-z]{2}")


def _scripts(sentence: str) -> tuple[bool, bool]:
    """Whether the sentence has Latin words and Chinese characters: each language's
    patterns only run where its script is."""
    return _LATIN.search(sentence) is not None, HAN.search(sentence) is not None


def find_roles(sentence: str, taken: Sequence[Span]) -> list[RoleMention]:
    """Role words, with their canonical English label, outside the ``taken`` spans."""
    out: list[RoleMention] = []
    latin, han = _scripts(sentence)
    tables = (
        *(((lx.EN_ROLE, lx.EN_ROLE_LABELS), (en.ROLE, en.ROLE_LABELS)) if latin else ()),
        *(((lx.ZH_ROLE, lx.ZH_ROLE_LABELS),) if han else ()),
    )
    for pattern, labels in tables:
        for m in pattern.finditer(sentence):
            if any(t.overlaps(m.start(), m.end()) for t in (*taken, *out)):
                continue
            index = int((m.lastgroup or "r0")[1:])
            out.append(RoleMention(m.start(), m.end(), m.group(), labels[index]))
    return sorted(out, key=lambda r: r.start)


# ---------------------------------------------------------------------------------------
# Change verbs
# ---------------------------------------------------------------------------------------

_EN_PASSIVE = re.compile(
    r"(?:\b(?:was|were|is|are|be|been|being|got|gets|get)\s+(?:\w+ly\s+)?)$", re.IGNORECASE
)
_ZH_PASSIVE = re.compile(r"被$")


def find_triggers(sentence: str, taken: Sequence[Span]) -> list[TriggerMention]:
    """Change verbs in order; an earlier rule wins where two overlap."""
    out: list[TriggerMention] = []
    latin, han = _scripts(sentence)
    english = (*en.TRIGGERS, *lx.EN_TRIGGERS) if latin else ()
    for rules, chinese in ((english, False), (lx.ZH_TRIGGERS if han else (), True)):
        for rule in rules:
            for m in rule.pattern.finditer(sentence):
                start, end = m.start(), m.end()
                if any(t.overlaps(start, end) for t in (*taken, *out)):
                    continue
                if not chinese and re.search(r"re-$", sentence[:start]):
                    continue  # re-elected, re-appointed: no change
                if rule.before is not None and not rule.before.search(sentence[:start]):
                    continue
                out.append(_trigger(sentence, m, rule, chinese))
    return sorted(out, key=lambda t: t.start)


def _trigger(
    sentence: str, m: re.Match[str], rule: lx.TriggerRule, chinese: bool
) -> TriggerMention:
    before = sentence[: m.start()]
    passive = bool(
        (_ZH_PASSIVE if chinese else _EN_PASSIVE).search(before)
    ) or m.group().startswith("被")
    return TriggerMention(
        m.start(), m.end(), m.group(), rule.change, rule.kind, passive, rule.needs_role, chinese
    )
