"""Turn news text into officer-change statements ("Lei Jun left X as executive director").

Rule based and pure, in stages:

1. document: the companies the story names and the one it is about (the language
   profiles' ``document_companies``), read once before the sentences;
2. mentions (``mentions.py``): companies, people, roles, change verbs and dates in each
   sentence, the watch list found through its compiled index (``gazetteer.py``);
3. frames: each change verb with its people, company, roles and date, clause by clause;
   a verb is dropped when the words before it deny, doubt, plan or look back ("denied
   reports that he would step down", "has no plans to", "who joined in 2011", 传闻, 否认);
4. resolution: pronouns, surnames, "the company"/公司 and unnamed people resolved
   against the document; repeated statements merged;
5. linking: only statements about the watch list are kept (unless all are asked for).

The words of each language live in its profile (``profiles/en.py``, ``profiles/zh.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from monitor.identity import Entry, company_key, person_key
from monitor.news import lexicon as lx
from monitor.news.dates import DateMention, PartialDate, find_dates, resolve
from monitor.news.gazetteer import Gazetteer, compiled
from monitor.news.mentions import (
    HAN,
    CompanyMention,
    PersonMention,
    RoleMention,
    Span,
    TriggerMention,
    find_companies,
    find_people,
    find_roles,
    find_triggers,
)
from monitor.news.profiles import en, zh
from monitor.news.sentences import split_sentences

__all__ = ["Statement", "extract_statements", "split_sentences"]


@dataclass(frozen=True)
class Statement:
    """One officer change read from an article, with the sentence(s) it came from."""

    person: str  # the watch entry's canonical name when it matched one
    company: str  # as named, or the watch entry's canonical name when it matched one
    change: str  # "joined" | "left" | "role_changed"
    role: str | None  # canonical English role label(s), comma separated
    previous_role: str | None  # for role_changed
    date: str | None  # "YYYY-MM-DD", "YYYY-MM", "--MM-DD" or None
    evidence: str
    confidence: float


@dataclass(frozen=True)
class _Sentence:
    text: str  # traditional Chinese read as simplified, same length as the original
    companies: tuple[CompanyMention, ...]
    people: tuple[PersonMention, ...]
    roles: tuple[RoleMention, ...]
    triggers: tuple[TriggerMention, ...]
    dates: tuple[DateMention, ...]
    original: str = ""  # as written, for the evidence
    asides: tuple[tuple[int, int], ...] = ()  # ", chairman of Acme Inc," after a name
    aside_companies: tuple[CompanyMention, ...] = ()  # the companies those name

    @property
    def evidence(self) -> str:
        return self.original or self.text


@dataclass(frozen=True)
class _Draft:
    person: PersonMention
    change: str
    at: int  # where the change word is, to pick the nearest date
    roles: tuple[str, ...]
    previous: tuple[str, ...]
    company: CompanyMention | None
    confidence: float = 0.9
    inherits: bool = False  # "由X接任", "replacing": takes the roles of who left
    segment: tuple[int, int] = (0, 1 << 30)  # where this change is told, to pick its date
    self_object: bool = False  # "兼任公司董事": the announcing company, whatever stands before


@dataclass
class _Context:
    """What earlier sentences said: the anchor for relative dates and the last names."""

    published: date | None
    anchor: PartialDate | None = None
    last_person: PersonMention | None = None
    last_person_sentence: str = ""
    last_company: CompanyMention | None = None
    announcing: CompanyMention | None = None  # 公司, "the company": the story's company
    announcing_name: str | None = None
    # "five directors resigned": a change whose people the next sentence names
    unnamed: tuple[TriggerMention, tuple[str, ...], CompanyMention | None] | None = None
    latest_year: int | None = None  # the latest year a Chinese story names
    appointing: bool = False  # a Chinese appointment whose people a table names next
    # "Klein" after "Robert Klein": one word of a name seen before
    known: dict[str, PersonMention] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Found:
    statement: Statement
    watched: bool


def extract_statements(
    text: str,
    *,
    published: date | None = None,
    people: Sequence[Entry] = (),
    companies: Sequence[Entry] = (),
    all_statements: bool = False,
) -> list[Statement]:
    """Officer changes reported in ``text``.

    Unless ``all_statements`` is set, only statements about a watched person, or any
    person's change at a watched company, are returned.
    """
    people_index = compiled(people, people=True)
    company_index = compiled(companies, people=False)
    raws = split_sentences(text)
    folded = [zh.fold(raw) for raw in raws]  # one character for one: offsets hold
    known, announcing = _document_companies(folded)
    context = _Context(published, announcing_name=announcing)
    context.latest_year = zh.latest_year(folded)
    found: list[_Found] = []
    previous: list[_Found] = []
    for raw, fold in zip(raws, folded, strict=True):
        sentence = _parse(fold, people_index, company_index, context.known, known, raw)
        resolved = _resolve_dates(sentence, context)
        drafts = (
            _drafts(sentence) + _named_later(sentence, context) + _table_drafts(sentence, context)
        )
        context.unnamed = _unnamed(sentence, drafts)
        if not sentence.triggers and _denies(sentence):  # a denial with no verb looks back
            found = [f for f in found if f not in previous]  # "... The reports were false."
        current = [f for f in (_finish(d, sentence, resolved, context) for d in drafts) if f]
        found.extend(current)
        previous = current
        _remember(sentence, resolved, context)
    return [f.statement for f in _one_company(_merge(found)) if all_statements or f.watched]


# "five directors resigned", "three executives were named"
_COUNTED = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|several|\d+)\s+(?:\w+\s+)?"
    r"(?:directors|executives|officers|members|managers|vice presidents)\b[^,;]{0,40}$",
    re.IGNORECASE,
)
# "They are A, B and C", "The directors were A and B"
_NAMED = re.compile(
    r"\b(?:they|the (?:\w+\s+)?(?:directors|executives|officers|members|managers))\s+"
    r"(?:are|were|include|included)\b",
    re.IGNORECASE,
)


def _unnamed(
    s: _Sentence, drafts: list[_Draft]
) -> tuple[TriggerMention, tuple[str, ...], CompanyMention | None] | None:
    """A change told of a number of unnamed people ("five directors resigned")."""
    if drafts or len(s.triggers) != 1 or s.triggers[0].chinese:
        return None
    t = s.triggers[0]
    if not _COUNTED.search(s.text, 0, t.start):
        return None
    roles = _labels(r for r in s.roles if r.end <= t.start)
    company = s.companies[0] if s.companies else None
    return t, roles, company


def _named_later(s: _Sentence, context: _Context) -> list[_Draft]:
    """ "... five directors resigned. It said the directors are A, B and C." """
    if context.unnamed is None or s.triggers:
        return []
    m = _NAMED.search(s.text)
    if m is None:
        return []
    t, roles, company = context.unnamed
    return [
        _Draft(p, t.change, m.start(), roles, (), company)
        for p in _first_after(s, m.end(), len(s.text))
    ]


def _document_companies(sentences: list[str]) -> tuple[dict[str, str], str | None]:
    """The short names the document gives its companies (short -> name to report) and
    the company it is about, read once before the sentences (document-level stage)."""
    text = "\n".join(sentences)
    zh_doc = zh.document_companies(text)
    full = [c.text for s in sentences if not HAN.search(s) for c in find_companies(s, _NO_WATCH)]
    en_doc = en.document_companies(text, full)
    known = {**{n: n for n in zh_doc.names}, **en_doc.names}
    return known, zh_doc.announcing or en_doc.announcing


_NO_WATCH = Gazetteer()


def _table_drafts(s: _Sentence, context: _Context) -> list[_Draft]:
    """ "聘任以下人员：总经理：李某；副总经理：王某": the people that table-like lines name
    right after a Chinese appointment take the roles the lines give them."""
    appointing = [
        t for t in s.triggers if t.chinese and t.kind == lx.TRANS and t.change == lx.JOINED
    ]
    rows = [r for r in zh.table_rows(s.text) if not appointing or r.start >= appointing[0].end]
    if (s.triggers and not appointing) or not (appointing or (context.appointing and rows)):
        context.appointing = False
        return []
    context.appointing = True
    out: list[_Draft] = []
    for row in rows:
        person = next((p for p in s.people if p.start == row.start and not p.pronoun), None)
        if person is None:
            person = PersonMention(row.start, row.end, row.name, row.name, False)
        company = _company_near(s, row.start)
        out.append(_Draft(person, lx.JOINED, row.start, (row.role,), (), company))
    return out


def _denies(s: _Sentence) -> bool:
    return bool(lx.EN_DENIAL.search(s.text) or lx.ZH_DENIAL.search(s.text))


# ---------------------------------------------------------------------------------------
# One sentence
# ---------------------------------------------------------------------------------------


def _parse(
    text: str,
    people: Gazetteer,
    companies: Gazetteer,
    known: dict[str, PersonMention],
    document_companies: dict[str, str],
    original: str,
) -> _Sentence:
    found_companies = find_companies(text, companies, document_companies)
    found_people = [] if _headline_case(text) else find_people(text, people, found_companies, known)
    dates = find_dates(text)
    taken: list[Span] = [*found_companies, *found_people]
    roles = find_roles(text, taken)
    date_spans = [Span(d.start, d.end, "") for d in dates]
    triggers = find_triggers(text, [*taken, *roles, *date_spans])
    asides = _asides(text, found_companies, found_people, triggers)
    found_people = [p for p in found_people if not _modifies_role(text, p, roles, found_people)]
    employers = [
        c
        for c in found_companies
        if not (zh.OBSERVER.match(text, c.end) or en.OBSERVER.match(text, c.end))
    ]
    return _Sentence(
        text,
        tuple(c for c in employers if not _within(c, asides)),
        tuple(found_people),
        tuple(r for r in roles if not _within(r, asides)),
        tuple(t for t in triggers if not _within(t, asides)),
        tuple(dates),
        original,
        tuple(asides),
        tuple(c for c in found_companies if _within(c, asides)),
    )


def _modifies_role(
    text: str, p: PersonMention, roles: Sequence[RoleMention], people: Sequence[PersonMention]
) -> bool:
    """ "Investor Relations director Ann Vo", "万科原副总裁王强": words right before an
    office that a name follows say whose office it is; the person is the name after it."""
    if p.watched or p.pronoun:
        return False
    role = next((r for r in roles if r.start >= p.end and not text[p.end : r.start].strip()), None)
    if role is None:
        return False
    return any(
        q.start >= role.end and not q.pronoun and not text[role.end : q.start].strip()
        for q in people
    )


def _headline_case(text: str) -> bool:
    """A line in headline capitals ("Ford Ekes Out a Sales Gain on Pickups"): every word
    looks like a name, so none is read as one. The body tells the story again."""
    words = re.findall(r"[A-Za-z][\w'’-]*", text)
    if len(words) < 4 or HAN.search(text):
        return False
    capital = sum(1 for w in words if w[0].isupper())
    return capital / len(words) >= 0.75 and not text.rstrip().endswith((".", '"', "”"))


# ", the chairman of Acme Inc," after a name: who the person is, not what changed
_ASIDE_END = re.compile(r"\s*(?:<[^>]{1,12}>)?\s*(?:,|\band\b|(?:[a-z]+\s*)?\.?\s*$)")


def _asides(
    text: str,
    companies: Sequence[CompanyMention],
    people: Sequence[PersonMention],
    triggers: Sequence[TriggerMention],
) -> list[tuple[int, int]]:
    """Spans of English appositions that tell where a named person works ("John Smith,
    the chairman of Acme Inc., said ..."): their companies and roles are not the
    sentence's change. One comma opens them and one closes them; no change verb inside."""
    out: list[tuple[int, int]] = []
    for c in companies:
        if HAN.search(c.text):
            continue
        person = next((p for p in reversed(people) if p.end <= c.start and not p.pronoun), None)
        if person is None:
            continue
        between = text[person.end : c.start]
        if not between.lstrip().startswith(",") or between.count(",") != 1 or ";" in between:
            continue
        if any(person.end <= t.start < c.start for t in triggers) or len(between) > 90:
            continue
        end = _ASIDE_END.match(text, c.end)
        if end:
            out.append((person.end, end.end()))
    return out


def _within(span: Span, bounds: Sequence[tuple[int, int]]) -> bool:
    return any(lo <= span.start and span.end <= hi for lo, hi in bounds)


def _drafts(s: _Sentence) -> list[_Draft]:
    out = _changed_from(s)
    for i in range(len(s.triggers)):
        if not _hedged(s, i):
            out.extend(_trigger_drafts(s, i))
    out += _elided(s, out)
    out += _given_up(s, out)
    return _inherit_roles(_succession_roles(s, out))


def _given_up(s: _Sentence, drafts: list[_Draft]) -> list[_Draft]:
    """ "Lennon, chairman and chief executive, will remain as chairman": he gives up the
    other office (English)."""
    out: list[_Draft] = []
    for m in en.KEEPS.finditer(s.text):
        before = [p for p in s.people if p.end <= m.start() and not p.pronoun]
        if not before or any(d.person == before[-1] for d in drafts):
            continue
        person = before[-1]
        held = _labels(
            _titles(s, person) + [r for r in s.roles if _between(r, person.end, m.start())]
        )
        end = _clause_end(s, m.end() + 1, len(s.text), False)
        kept = _labels(r for r in s.roles if m.end() <= r.start and r.end <= _kept_end(s, m.end()))
        given = tuple(r for r in held if r not in kept)
        if given and kept and end > m.end():
            company = _company_near(s, m.start())
            out.append(_Draft(person, lx.LEFT, m.start(), given, (), company))
    return out


def _titles(s: _Sentence, person: PersonMention) -> list[RoleMention]:
    """The roles written right before a name ("chairman and chief executive John Smith")."""
    out: list[RoleMention] = []
    at = person.start
    for r in reversed([r for r in s.roles if r.end <= person.start]):
        gap = r"\s*(?:and\s+|,\s*)?" if out else r"\s*"  # "and" joins titles, not a name
        if not re.fullmatch(gap, s.text[r.end : at]) or _object_of_verb(s, r):
            break
        out.insert(0, r)
        at = r.start
    return out


def _object_of_verb(s: _Sentence, r: RoleMention) -> bool:
    """ "will become chief executive": the role is what a verb gives, not a title."""
    return any(
        t.end <= r.start and _VERB_TO_ROLE.fullmatch(s.text, t.end, r.start) for t in s.triggers
    )


_VERB_TO_ROLE = re.compile(r"\s*(?:as\s+)?(?:(?:the|a|an|its|acting|new)\s+)*", re.IGNORECASE)


def _kept_end(s: _Sentence, start: int) -> int:
    m = re.search(r"[,;.]", s.text[start:])
    return start + m.start() if m else len(s.text)


_AND_BEFORE = re.compile(r"(?:,\s*|\s)and\s+$")
_AS_AFTER = re.compile(r"\s*,?\s*as\s+")


def _elided(s: _Sentence, drafts: list[_Draft]) -> list[_Draft]:
    """ "Cronin will take over as chairman and Murphy as acting president": the second
    name shares the first one's verb (English)."""
    out: list[_Draft] = []
    for d in drafts:
        if d.person.pronoun or HAN.search(d.person.text) or d.person.start > d.at:
            continue
        for p in s.people:
            if p.start <= d.at or p.pronoun or any(x.person == p for x in (*drafts, *out)):
                continue
            if any(d.at < t.start < p.start for t in s.triggers if t.start != d.at):
                break
            if _AND_BEFORE.search(s.text, 0, p.start) and _AS_AFTER.match(s.text, p.end):
                end = _clause_end(s, p.end + 4, len(s.text), False)
                roles = _labels(r for r in s.roles if p.end <= r.start and r.end <= end)
                if roles:
                    out.append(replace(d, person=p, roles=roles, previous=()))
    return out


def _succession_roles(s: _Sentence, drafts: list[_Draft]) -> list[_Draft]:
    """ "A接替B担任R": A takes R and B gives it up; 担任 is not B's own change.
    "A担任R，接替B": B gives up the R that A takes."""
    out = _shared_roles(list(drafts))
    for t in s.triggers:
        if not (t.chinese and t.kind == lx.SUCCESSION):
            continue
        new = {d.person for d in out if d.at == t.start and d.change == lx.JOINED}
        taken = next((d.roles for d in out if d.person in new and d.roles), ())
        out = [replace(d, roles=taken) if d.at == t.start and not d.roles else d for d in out]
        old = next((p for p in s.people if p.start >= t.end and not p.pronoun), None)
        verb = next((u for u in s.triggers if old and u.start == old.end), None)
        if old is None or verb is None or verb.change != lx.JOINED:
            continue
        mine = [d for d in out if d.at == verb.start and d.person == old]
        roles = next((d.roles for d in mine if d.roles), ())
        out = [d for d in out if d not in mine]
        out = [replace(d, roles=d.roles or roles) if d.at == t.start else d for d in out]
    return out


def _shared_roles(drafts: list[_Draft]) -> list[_Draft]:
    """ "退出X、Y等三家公司，并卸任上述公司的董事职务": a Chinese sentence that tells one
    person's change with two verbs names the office once, for both."""
    out: list[_Draft] = []
    for d in drafts:
        if not d.roles:
            same = (o for o in drafts if o.person == d.person and o.change == d.change)
            d = replace(d, roles=next((o.roles for o in same if o.roles), ()))
        out.append(d)
    return out


def _inherit_roles(drafts: list[_Draft]) -> list[_Draft]:
    """ "刘德明卸任法定代表人，由周晓雯接任": the successor takes the roles given up."""
    given_up = [d for d in drafts if d.change == lx.LEFT and d.roles]
    out: list[_Draft] = []
    for d in drafts:
        source = next((g for g in given_up if g.company == d.company), None)
        if d.inherits and not d.roles and d.change == lx.JOINED and source is not None:
            d = replace(d, roles=source.roles)
        out.append(d)
    return out
    return out


def _bounds(s: _Sentence, i: int) -> tuple[int, int]:
    lo = s.triggers[i - 1].end if i else 0
    hi = s.triggers[i + 1].start if i + 1 < len(s.triggers) else len(s.text)
    return lo, hi


# ---------------------------------------------------------------------------------------
# Denials, rumours, plans and background
# ---------------------------------------------------------------------------------------


# "at the annual meeting in May": the month, not the modal verb
_MONTH_MAY = re.compile(r"(?<=\w )May\b(?!\s+(?:be|have|not|also|step|resign|leave|join)\b)")


def _masked(s: _Sentence, lo: int, hi: int) -> str:
    """Text between lo and hi with names and dates blanked out ("May" is a month)."""
    chars = list(s.text[lo:hi])
    spans: list[tuple[int, int]] = [(m.start, m.end) for m in (*s.companies, *s.people)]
    spans += [(d.start, d.end) for d in s.dates]
    spans += [(m.start(), m.end()) for m in _MONTH_MAY.finditer(s.text)]
    for start, end in spans:
        for k in range(max(start, lo), min(end, hi)):
            chars[k - lo] = " "
    return "".join(chars)


def _hedged(s: _Sentence, i: int) -> bool:
    t = s.triggers[i]
    lo, _ = _bounds(s, i)
    window = _masked(s, lo, t.start)
    after = s.text[t.end :]
    if t.chinese:
        if lx.ZH_HEDGE.search(window) or lx.ZH_HEDGE_AFTER.match(after):
            return True
        if zh.RUMOUR.search(_masked(s, 0, t.start)):
            return True  # 有消息称，甲拟辞职，乙将接任: the rumour governs both verbs
        return t.text == "担任" and lx.ZH_STATE.search(s.text[: t.start]) is not None
    if lx.EN_HEDGE.search(window) or lx.EN_HEDGE_AFTER.match(after) or en.HEDGE.search(window):
        return True
    return _background(window, _masked(s, t.end, len(s.text)))


_BEFORE = re.compile(r"\bbefore\s+(?:\S+\s+)?$", re.IGNORECASE)
_INHERITING = ("接任", "接替")
_RELATIVE_PRONOUN = re.compile(r"\b(?:who|which|that)\s+(?:had\s+|has\s+|have\s+)?$", re.I)


def _background(window: str, after: str) -> bool:
    """ "before joining", "who joined the company in 2011": not news."""
    if _BEFORE.search(window) or lx.EN_RIGHT_BEFORE.search(window):
        return True
    clause = re.split(r"[,;.]", after, maxsplit=1)[0]
    if en.BACKGROUND_TIME.search(clause) and not re.search(r"\b(?:will|to)\s+(?:\w+\s+)?$", window):
        return True
    if _RELATIVE_PRONOUN.search(window):
        clause = re.split(r"[,;]", after, maxsplit=1)[0]
        return lx.YEAR.search(clause) is not None
    return False


# ---------------------------------------------------------------------------------------
# "changed from A to B", "由A变更为B"
# ---------------------------------------------------------------------------------------

_EN_FROM_TO = re.compile(
    r"\b(?:chang(?:ed|es|e)|switched|passed|moved|transferred|shifted)\s+from\s+"
    r"(?P<a>.+?)\s+to\s+(?P<b>.+?)(?=[,;]|\.\s|\.$|\s+(?:on|in|at|after|effective|with)\b|$)"
)
_ZH_FROM_TO = re.compile(
    r"(?:由(?P<a>[^，。；,;由]{1,40}?))?(?:变更|更换|更改|调整|改)为(?P<b>[^，。；,;]+)"
)


def _changed_from(s: _Sentence) -> list[_Draft]:
    out: list[_Draft] = []
    for pattern in (_EN_FROM_TO, _ZH_FROM_TO):
        for m in pattern.finditer(s.text):
            out.extend(_from_to_drafts(s, m))
    return out


def _from_to_drafts(s: _Sentence, m: re.Match[str]) -> list[_Draft]:
    a_span = (m.start("a"), m.end("a")) if m.group("a") else (m.start(), m.start())
    b_span = (m.start("b"), m.end("b"))
    old = [p for p in s.people if _inside(p, a_span) and not p.pronoun]
    new = [p for p in s.people if _inside(p, b_span) and not p.pronoun]
    company = _company_near(s, m.start())
    if old or new:
        roles = _labels(r for r in s.roles if r.end <= m.start() and _same_clause(s, r, m))
        drafts = [_Draft(p, lx.LEFT, m.start(), roles, (), company) for p in old]
        return drafts + [_Draft(p, lx.JOINED, m.start(), roles, (), company) for p in new]
    previous = _labels(r for r in s.roles if _inside(r, a_span))
    roles = _labels(r for r in s.roles if _inside(r, b_span))
    subject = _nearest_before(s, m.start())
    if previous and roles and subject:
        return [_Draft(p, lx.ROLE_CHANGED, m.start(), roles, previous, company) for p in subject]
    return []


def _inside(span: Span, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= span.start and span.end <= bounds[1]


def _same_clause(s: _Sentence, role: RoleMention, m: re.Match[str]) -> bool:
    between = s.text[role.end : m.start()]
    return not any(t.start >= role.end and t.end <= m.start() for t in s.triggers) and (
        "。" not in between
    )


def _company_near(s: _Sentence, at: int) -> CompanyMention | None:
    before = [c for c in s.companies if c.end <= at]
    if before:
        return before[-1]
    after = [c for c in s.companies if c.start >= at]
    return after[0] if after else None


# ---------------------------------------------------------------------------------------
# Change verbs
# ---------------------------------------------------------------------------------------


def _trigger_drafts(s: _Sentence, i: int) -> list[_Draft]:
    t = s.triggers[i]
    lo, hi = _bounds(s, i)
    pairs = _people_for(s, i)
    if not pairs:
        return []
    out: list[_Draft] = []
    for named, roles, previous in _targets(s, t, hi):
        if t.needs_role and not roles:
            continue
        company, self_object = _zh_object(s, t, hi, named) if t.chinese else (named, False)
        for person, change in pairs:
            kind = lx.ROLE_CHANGED if previous or change == lx.ROLE_CHANGED else change
            own = roles or _roles_near_person(s, person, t, kind)
            inherits = t.text in _INHERITING or t.kind in (lx.SUCCESSION, lx.SUCCEEDED_BY, lx.AFTER)
            segment = (max(lo, min(person.start, t.start)), hi)
            out.append(
                _Draft(
                    person,
                    kind,
                    t.start,
                    own,
                    previous,
                    company,
                    inherits=inherits,
                    segment=segment,
                    self_object=self_object,
                )
            )
    return out


def _zh_object(
    s: _Sentence, t: TriggerMention, hi: int, company: CompanyMention | None
) -> tuple[CompanyMention | None, bool]:
    """The company a Chinese verb's object names: 担任其行长 is the sentence's subject
    company, 兼任公司董事 the announcing one; a company named after the verb stays."""
    if company is not None and company.start >= t.end:
        return company, False
    obj = s.text[t.end : _clause_end(s, t.end, hi, True)]
    if obj.startswith("其") and s.companies and s.companies[0].end <= t.start:
        return s.companies[0], False
    return company, obj.startswith(("公司", "本公司"))


_LIST_GAP = re.compile(r"^\s*(?:,|、|和|及|与|以及|and|, and)\s*$")


def _same_clause_zh(s: _Sentence, at: int, people: list[PersonMention]) -> bool:
    """ "辞职；某某": a Chinese name after the verb belongs to it only in the same clause."""
    return bool(people) and not re.search(r"[，；。,;]", s.text[at : people[0].start])


def _list_gap(s: _Sentence, lo: int, hi: int) -> bool:
    lo = max([lo, *(end for start, end in s.asides if start == lo and end <= hi)])
    gap = s.text[lo:hi]
    if _LIST_GAP.match(gap) or zh.LIST_GAP.match(gap):
        return True
    return _role_gap(s, lo, hi)


# "A, executive vice president, B, senior vice president, and C resigned"
_EN_ROLE_GAP = re.compile(
    r"^\s*[,;]?\s*(?:(?:the|its|a|an|and|of|senior|acting|former|formerly|currently|also"
    r"|company's)\s+|\x00[\s,]*)+[,;]?\s*(?:and\s+)?$",
    re.IGNORECASE,
)


def _role_gap(s: _Sentence, lo: int, hi: int) -> bool:
    """Names in a list, each followed by its role."""
    if hi - lo > 80 or HAN.search(s.text[lo:hi]):
        return False
    chars = list(s.text[lo:hi])
    roles = [r for r in s.roles if lo <= r.start and r.end <= hi]
    if not roles:
        return False
    for r in reversed(roles):
        chars[r.start - lo : r.end - lo] = ["\x00"]
    return _EN_ROLE_GAP.match("".join(chars)) is not None


def _nearest_before(s: _Sentence, at: int) -> list[PersonMention]:
    """The person closest before ``at``, with the names listed right before it."""
    before = [p for p in s.people if p.end <= at]
    if not before:
        return []
    group = [before[-1]]
    for p in reversed(before[:-1]):
        if not _list_gap(s, p.end, group[0].start):
            break
        group.insert(0, p)
    return group


def _first_after(s: _Sentence, at: int, hi: int) -> list[PersonMention]:
    after = [p for p in s.people if at <= p.start and p.end <= hi and not p.pronoun]
    if not after:
        return []
    group = [after[0]]
    for p in after[1:]:
        if not _list_gap(s, group[-1].end, p.start):
            break
        group.append(p)
    return group


def _people_for(s: _Sentence, i: int) -> list[tuple[PersonMention, str]]:
    t = s.triggers[i]
    _, hi = _bounds(s, i)
    before = _nearest_before(s, t.start)
    if i and not t.chinese:  # "..., replacing A, and B has been named": A is not named
        claimed = [p for k in range(i) for p in _objects(s, k, t.start)]
        before = [p for p in before if p not in claimed]
    after = _first_after(s, t.end, hi)
    if t.kind == lx.SUCCESSION and t.passive and not t.chinese:
        # "was replaced on an interim basis by Robert Brown": the one before leaves
        return [(p, lx.LEFT) for p in before] + [(p, lx.JOINED) for p in after[:1]]
    if t.kind == lx.SUCCESSION:  # "will succeed A, B and C"
        after = [p for p in after if t.chinese or not _next_subject(s, i, p)]
        return [(p, lx.JOINED) for p in before] + [(p, lx.LEFT) for p in after]
    if t.kind == lx.SUCCEEDED_BY:
        return [(p, lx.LEFT) for p in before] + [(p, lx.JOINED) for p in after[:1]]
    if t.kind == lx.TRANS and not t.passive and after:
        chosen = after
    elif t.kind == lx.AFTER:
        chosen = after or before
    else:
        chosen = before or (after if t.chinese and _same_clause_zh(s, t.end, after) else [])
        if t.chinese and t.kind == lx.TRANS and not t.passive:
            chosen = []  # 董事会委任财务顾问: nobody appointed, not the person before
    pairs = [(p, t.change) for p in chosen]
    if t.change == lx.JOINED and after and _TAKES_FROM.match(s.text[t.end : after[0].start]):
        pairs.append((after[0], lx.LEFT))  # "takes over from co-founder Martin Hale"
    return pairs


def _next_subject(s: _Sentence, i: int, p: PersonMention) -> bool:
    """ "..., replacing A, and B has been named": B is the next verb's subject."""
    if i + 1 >= len(s.triggers):
        return False
    between = s.text[p.end : s.triggers[i + 1].start]
    return "," not in between and len(between.split()) <= 3


def _objects(s: _Sentence, k: int, hi: int) -> list[PersonMention]:
    """The people change verb ``k`` takes as its object (before ``hi``)."""
    t = s.triggers[k]
    takes = t.kind in (lx.SUCCESSION, lx.SUCCEEDED_BY, lx.AFTER) or (
        t.kind == lx.TRANS and not t.passive
    )
    if not takes:
        return []
    return [p for p in _first_after(s, t.end, hi) if not _next_subject(s, k, p)]


_TAKES_FROM = re.compile(r"^\s*from\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)


# ---------------------------------------------------------------------------------------
# Companies and roles for one change verb
# ---------------------------------------------------------------------------------------

_PARENT_REF = re.compile(
    r"(?:unit|subsidiary|division|arm|affiliate|parent|owned by|backed by|part of|spun off from)"
    r"\W*(?:of\s+|the\s+)?$",
    re.IGNORECASE,
)
_FROM = re.compile(r"\bfrom\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_EN_CLAUSE_END = re.compile(r"[,;]|\b(?:and|while|but|after|before|which|who|where)\b")
_ZH_CLAUSE_END = re.compile(r"[，,；;。]")

Target = tuple[CompanyMention | None, tuple[str, ...], tuple[str, ...]]


def _targets(s: _Sentence, t: TriggerMention, hi: int) -> list[Target]:
    """The companies a change verb is about, each with the roles named for it."""
    after = [c for c in s.companies if t.end <= c.start and c.end <= hi]
    if t.chinese:  # 离职6天后，另一家企业X发布公告: after a Chinese verb, only in its clause
        after = [c for c in after if not _ZH_CLAUSE_END.search(s.text, t.end, c.start)]
        after = [] if t.text in zh.NO_OBJECT else after  # 离职后加盟了X: X is not left
    after = [c for c in after if not _PARENT_REF.search(s.text[max(0, c.start - 30) : c.start])]
    if t.change == lx.JOINED:
        after = [c for c in after if not _FROM.search(s.text[: c.start])]
    if not after:
        before = [c for c in s.companies if c.end <= t.start]
        company = before[-1] if before else None
        takes_object = t.kind != lx.INTRANS and not (t.kind == lx.TRANS and t.passive)
        objects = [p.end for p in _first_after(s, t.end, hi)] if takes_object else []
        start = max([t.end, *objects])
        roles, previous = _split_previous(s, t, t.end, _clause_end(s, start, hi, t.chinese))
        return [(company, roles, previous)]
    out: list[Target] = []
    inherited: tuple[str, ...] = ()
    for k, company in enumerate(after):
        nxt = after[k + 1].start if k + 1 < len(after) else hi
        prev_end = after[k - 1].end if k else t.end
        roles, previous = _roles_for_company(s, t, company, prev_end, nxt)
        inherited = roles or inherited
        out.append((company, inherited, previous))
    return out


def _roles_for_company(
    s: _Sentence, t: TriggerMention, company: CompanyMention, prev_end: int, nxt: int
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    tail_end = _clause_end(s, company.end, nxt, t.chinese)
    before = _split_previous(s, t, prev_end, company.start)
    tail = _split_previous(s, t, company.end, tail_end)
    first, second = (tail, before) if t.chinese else (before, tail)
    return first if first[0] else second


def _clause_end(s: _Sentence, start: int, hi: int, chinese: bool) -> int:
    pattern = _ZH_CLAUSE_END if chinese else _EN_CLAUSE_END
    m = pattern.search(s.text, start, hi)
    return m.start() if m else hi


_TO = re.compile(r"\bto\b|升任|晋升为|调任|改任")


def _split_previous(
    s: _Sentence, t: TriggerMention, lo: int, hi: int
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Roles between lo and hi; for a move ("from COO to CEO") also the earlier roles."""
    roles = [r for r in s.roles if lo <= r.start and r.end <= hi]
    if t.change == lx.ROLE_CHANGED and t.chinese:
        start = s.text.rfind("由", 0, t.start)
        previous = [r for r in s.roles if start >= 0 and start < r.start and r.end <= t.start]
        return _labels(roles), _labels(previous)
    moved_from = [r for r in roles if _FROM_ROLE.search(s.text[lo : r.start])]
    to = _TO.search(s.text, moved_from[0].end if moved_from else lo, hi)
    if to is None or not (moved_from or t.change == lx.ROLE_CHANGED):
        return _labels(roles), ()
    new = [r for r in roles if r.start >= to.end()]
    if not new:
        return _labels(roles), ()
    return _labels(new), _labels(r for r in roles if r.end <= to.start())


_FROM_ROLE = re.compile(
    r"\bfrom\s+(?:the\s+|its\s+|his\s+|her\s+)?(?:(?:role|position|post|job)\s+of\s+)?$",
    re.IGNORECASE,
)


def _roles_near_person(
    s: _Sentence, person: PersonMention, t: TriggerMention, change: str
) -> tuple[str, ...]:
    """ "Acme's CFO Jane Doe resigned", "董事长张三辞职": the role stands next to the name;
    "新增监事罗某": between the verb and the name after it."""
    if person.start > t.start:
        if not t.chinese:
            return ()
        return _labels(r for r in s.roles if _between(r, t.end, person.start))
    lo = max(0, person.start - 40)
    near = [
        r
        for r in s.roles
        if (_between(r, lo, person.start) or _between(r, person.end, t.start))
        and (change == lx.LEFT or not _FORMER.search(s.text[max(0, r.start - 8) : r.start]))
    ]
    return _labels(near)


_FORMER = re.compile(r"(?:former|ex-|原)\s*$", re.IGNORECASE)


def _between(span: Span, lo: int, hi: int) -> bool:
    return lo <= span.start and span.end <= hi


def _labels(roles: Iterable[RoleMention]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.label for r in roles))


# ---------------------------------------------------------------------------------------
# Dates, pronouns, the watch list
# ---------------------------------------------------------------------------------------

_RANK = {"explicit": 0, "weekday": 1, "relative": 2, "today": 3}


# before a date, these tell of a change still to come: its day lies ahead
_COMING = re.compile(
    r"\b(?:will|shall|to be|is to|are to|effective|as of|starting|beginning|from)\b[^.;]*$"
    r"|(?:将|拟|起)[^。；]*$",
    re.IGNORECASE,
)


def _resolve_dates(s: _Sentence, context: _Context) -> list[PartialDate | None]:
    anchor = context.anchor
    out: list[PartialDate | None] = []
    for mention in s.dates:
        forward = _COMING.search(s.text[max(0, mention.start - 60) : mention.start]) is not None
        forward = forward or zh.takes_effect(s.text, mention.start, mention.end)
        value = resolve(mention, context.published, anchor, forward=forward)
        out.append(value)
        anchor = value or anchor
    return out


def _date_for(draft: _Draft, s: _Sentence, resolved: list[PartialDate | None]) -> str | None:
    """The date told with this change: in its own part of the sentence if there is one,
    explicit dates before relative ones, the nearest first."""
    at = draft.at
    options = [(d, v) for d, v in zip(s.dates, resolved, strict=True) if v is not None]
    lo, hi = draft.segment
    own = [(d, v) for d, v in options if lo <= d.start and d.end <= hi]
    options = own or options
    if not options:
        return None
    best = min(options, key=lambda dv: (_RANK[dv[0].kind], _distance(dv[0], at)))
    return best[1].iso()


def _distance(d: DateMention, at: int) -> int:
    return at - d.end if d.end <= at else d.start - at


def _finish(
    draft: _Draft, s: _Sentence, resolved: list[PartialDate | None], context: _Context
) -> _Found | None:
    person, evidence, confidence = draft.person, s.evidence, draft.confidence
    if person.pronoun:
        antecedent = [p for p in s.people if p.end <= person.start and not p.pronoun]
        if antecedent:
            person = antecedent[-1]
        elif context.last_person is not None:
            person = context.last_person
            evidence = f"{context.last_person_sentence} {s.evidence}"
        else:
            return None
        confidence -= 0.1
    company = draft.company
    if draft.self_object:  # "X发布公告称，...兼任公司董事": X, else the story's company
        local = [c for c in s.companies if c.end <= draft.at and zh.announces_after(s.text, c.end)]
        announcing = context.announcing or next(
            (c for c in s.companies if c.name == context.announcing_name), None
        )
        company = (local[-1] if local else announcing) or company
    if company is None:
        company, doubt = _context_company(s, draft.at, context)
        confidence -= doubt
    if company is None or person_key(person.name) == "":
        return None
    when = _date_for(draft, s, resolved)
    if HAN.search(s.text) and (
        not draft.roles or zh.is_history(when, context.published, context.latest_year)
    ):
        return None  # a Chinese change names its office; one years before is career history
    if (
        not HAN.search(s.text)
        and _year_told(s, resolved, when)  # "the May 19 meeting" is no history
        and en.is_history(when, context.published)
    ):
        return None
    if draft.change == lx.JOINED and not draft.roles and en.NOT_OFFICE.match(s.text, draft.at):
        return None
    if (
        draft.change == lx.JOINED
        and not HAN.search(s.text)
        and en.RE_ELECTION.match(s.text, draft.at)
    ):
        return None
    statement = Statement(
        person=person.name,
        company=company.name,
        change=draft.change,
        role=", ".join(_ordered(draft.roles)) or None,
        previous_role=", ".join(_ordered(draft.previous)) or None,
        date=when,
        evidence=evidence,
        confidence=round(max(0.0, min(1.0, confidence)), 2),
    )
    return _Found(statement, person.watched or company.watched)


def _year_told(s: _Sentence, resolved: list[PartialDate | None], when: str | None) -> bool:
    """Whether the sentence writes the year of the date ``when`` (not inferred)."""
    return any(
        d.year is not None and v is not None and v.iso() == when
        for d, v in zip(s.dates, resolved, strict=True)
    )


def _ordered(labels: tuple[str, ...]) -> list[str]:
    return list(labels)


def _context_company(
    s: _Sentence, at: int, context: _Context
) -> tuple[CompanyMention | None, float]:
    """A sentence that names no company is about the one named last before it: surely
    when it says "the company", "its" or 该公司, less surely when it says nothing, and
    not at all when its object is some other company ("four more companies").
    A Chinese announcement's 公司 is the company that makes it."""
    if context.announcing is not None and (
        zh.SELF_REFERENCE.search(s.text) or en.SELF_REFERENCE.search(s.text)
    ):
        return context.announcing, 0.1
    own = [c for c in s.aside_companies if c.end <= at]
    if own and en.SELF_REFERENCE.search(s.text, own[-1].end):
        return own[-1], 0.1  # "Gao Ming, a director of Acme Inc, quit the company"
    for pattern in (lx.EN_COMPANY_ANAPHOR, lx.ZH_COMPANY_ANAPHOR):
        if pattern.search(s.text) is not None:
            return context.last_company, 0.2
    clause = re.split(r"[,;，；。]", s.text[at:], maxsplit=1)[0]
    if lx.EN_OTHER_COMPANIES.search(clause):
        return None, 0.0
    return context.last_company, 0.3


def _remember(s: _Sentence, resolved: list[PartialDate | None], context: _Context) -> None:
    known = [v for v in resolved if v is not None]
    if known:
        context.anchor = known[-1]
    named = [p for p in s.people if not p.pronoun]
    if named:
        context.last_person = named[-1]
        context.last_person_sentence = s.evidence
    for person in named:
        _learn_name(person, context)
    if s.companies:
        context.last_company = s.companies[-1]
    if context.announcing is None:
        context.announcing = next(
            (
                c
                for c in (*s.companies, *s.aside_companies)
                if c.name == context.announcing_name or c.watched
            ),
            None,
        )


_SUFFIXES = frozenset(["jr", "jr.", "sr", "sr.", "ii", "iii", "iv"])


def _learn_name(person: PersonMention, context: _Context) -> None:
    words = [w for w in person.text.replace(",", " ").split() if w.lower() not in _SUFFIXES]
    if len(words) < 2 or HAN.search(person.text):
        return
    for word in {words[0], words[-1]}:
        earlier = context.known.get(word)
        if earlier is not None and person_key(earlier.name) != person_key(person.name):
            context.ambiguous.add(word)
            del context.known[word]
        elif word not in context.ambiguous and word[:1].isupper():
            context.known[word] = person


_SURE = 0.65  # below: the company was the one named last, with nothing pointing to it


def _one_company(found: list[_Found]) -> list[_Found]:
    """A Chinese statement whose company was only inferred from context gives way when the
    story tells the same person's same change at a company it names."""
    named: dict[tuple[str, bool], set[str]] = {}
    for f in found:
        st = f.statement
        if st.confidence >= _SURE:
            key = (person_key(st.person), st.change == lx.LEFT)
            named.setdefault(key, set()).add(company_key(st.company))
    out: list[_Found] = []
    for f in found:
        st = f.statement
        others = named.get((person_key(st.person), st.change == lx.LEFT), set())
        guessed = st.confidence < _SURE and HAN.search(st.evidence) is not None
        if guessed and others and company_key(st.company) not in others:
            continue
        out.append(f)
    return out


def _merge(found: list[_Found]) -> list[_Found]:
    """One statement per person, company and change; later mentions add roles and dates."""
    out: list[_Found] = []
    for item in found:
        k = _same_as(out, item.statement)
        if k is None:
            out.append(item)
        else:
            out[k] = _combine(out[k], item)
    return out


def _same_as(items: list[_Found], st: Statement) -> int | None:
    for k, other in enumerate(items):
        o = other.statement
        if (
            _compatible(o.change, st.change)
            and person_key(o.person) == person_key(st.person)
            and company_key(o.company) == company_key(st.company)
            and (o.date is None or st.date is None or o.date == st.date)
        ):
            return k
    return None


def _compatible(a: str, b: str) -> bool:
    # taking a new role at a company one already serves is a role change, not a join
    return a == b or {a, b} == {lx.JOINED, lx.ROLE_CHANGED}


def _combine(first: _Found, second: _Found) -> _Found:
    a, b = first.statement, second.statement
    change = lx.ROLE_CHANGED if lx.ROLE_CHANGED in (a.change, b.change) else a.change
    roles = [*(a.role or "").split(", "), *(b.role or "").split(", ")]
    merged = replace(
        a,
        change=change,
        role=", ".join(dict.fromkeys(r for r in roles if r)) or None,
        previous_role=a.previous_role or b.previous_role,
        date=a.date or b.date,
        confidence=max(a.confidence, b.confidence),
    )
    return _Found(merged, first.watched or second.watched)
