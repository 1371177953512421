"""The watch list compiled once for reading articles: find its names, look a name up.

Reading an article must not cost more with a longer watch list. Names are indexed by
their folded words (Latin script) or their first two characters (Chinese), so finding
every watched name in a sentence is one pass over the sentence whatever the list's
size; deciding whether a name found in the text is a watched one compares it only with
the entries that share a word with it (people) or its block key (companies).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from monitor.identity import (
    Entry,
    Match,
    company_block_key,
    match_company,
    match_person,
    person_key,
)
from monitor.normalize import fold_han

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W_]+")
# what may stand between two words of one name: "Co., Ltd.", "Smith-Jones", "O'Brien"
_GAP = re.compile(r"[\s,.'’&-]{0,4}")


_LEGAL_TAIL = re.compile(
    r"[\s,.]*(?:(?:co|company|corp|corporation|inc|incorporated|ltd|limited|plc|llc|lp|ag|sa"
    r"|nv|se|gmbh|group|holdings?|cos)[\s,.]*)*|(?:股份)?有限(?:责任)?公司|集团(?:股份)?有限公司",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    return _lower(fold_han(unicodedata.normalize("NFKC", text)))


def _lower(text: str) -> str:
    """Lower case, one character for one, so that offsets into the text hold."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


@dataclass
class Gazetteer:
    """Names of one kind (people or companies) of a watch list."""

    entries: tuple[Entry, ...] = ()
    people: bool = False
    _latin: dict[tuple[str, ...], Entry] = field(default_factory=dict)
    _longest: int = 0
    _han: dict[str, list[tuple[str, Entry]]] = field(default_factory=dict)
    _blocks: dict[str, list[Entry]] = field(default_factory=dict)

    @classmethod
    def of(cls, entries: Sequence[Entry], *, people: bool) -> Gazetteer:
        g = cls(tuple(entries), people)
        blocks: defaultdict[str, list[Entry]] = defaultdict(list)
        for entry in dict.fromkeys(g.entries):
            for name in (entry.name, *entry.aliases):
                g._add_literal(name, entry)
                for key in _block_keys(name, people):
                    if entry not in blocks[key]:
                        blocks[key].append(entry)
        g._blocks = dict(blocks)
        return g

    def _add_literal(self, name: str, entry: Entry) -> None:
        folded = _fold(name)
        if _HAN.search(folded):
            compact = re.sub(r"[\s,]+", "", folded)
            if len(compact) >= 2:
                self._han.setdefault(compact[:2], []).append((compact, entry))
            return
        words = tuple(_WORD.findall(folded))
        if words:
            self._latin.setdefault(words, entry)
            self._longest = max(self._longest, len(words))

    def spans(self, sentence: str) -> list[tuple[int, int, Entry]]:
        """Every watched name in ``sentence``: (start, end, entry), longest first where
        two start together."""
        if not self.entries:
            return []
        found = self._latin_spans(sentence) + self._han_spans(sentence)
        found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        return found

    def _latin_spans(self, sentence: str) -> list[tuple[int, int, Entry]]:
        if not self._latin:
            return []
        folded = _lower(sentence)
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded)]
        out: list[tuple[int, int, Entry]] = []
        for i in range(len(words)):
            key: tuple[str, ...] = ()
            for j in range(i, min(len(words), i + self._longest)):
                if j > i and not _GAP.fullmatch(folded[words[j - 1][1] : words[j][0]]):
                    break
                key = (*key, words[j][2])
                entry = self._latin.get(key)
                if entry is not None:
                    out.append((words[i][0], words[j][1], entry))
        return out

    def _han_spans(self, sentence: str) -> list[tuple[int, int, Entry]]:
        if not self._han or not _HAN.search(sentence):
            return []
        folded = fold_han(sentence)  # one character for one: offsets hold
        out: list[tuple[int, int, Entry]] = []
        for i in range(len(folded) - 1):
            for name, entry in self._han.get(folded[i : i + 2], ()):
                if folded.startswith(name, i):
                    out.append((i, i + len(name), entry))
        return out

    def lookup(self, name: str) -> Entry | None:
        """The watched entry ``name`` denotes (by the identity rules), if exactly one.

        A company watched without its legal form ("Acme Widgets") is also the one the
        text names with it ("Acme Widgets Inc.")."""
        candidates = self._candidates(name)
        found = (match_person if self.people else match_company)(name, candidates)
        if isinstance(found, Match):
            return found.entry
        if self.people:
            return None
        whole = [
            e for lo, hi, e in self.spans(name) if lo == 0 and _LEGAL_TAIL.fullmatch(name[hi:])
        ]
        return whole[0] if len({id(e) for e in whole}) == 1 else None

    def _candidates(self, name: str) -> list[Entry]:
        out: dict[Entry, None] = {}
        for key in _block_keys(name, self.people):
            out.update(dict.fromkeys(self._blocks.get(key, ())))
        return list(out)


def _block_keys(name: str, people: bool) -> list[str]:
    """Two names can only match when they share one of these keys."""
    if not people:
        key = company_block_key(name)
        return [key] if key else []
    # pairs of words: a watch list has many Johns but few John Smiths
    words = {t for t in person_key(name).split() if len(t) > 1}
    written = _WORD.findall(_fold(name)) if not _HAN.search(name) else []
    words |= {a + b for a, b in pairwise(written)}  # "Xue Zhong"
    if len(words) < 2:
        return sorted(words)
    ordered = sorted(words)
    return [f"{a} {b}" for i, a in enumerate(ordered) for b in ordered[i + 1 :]]


@dataclass
class _Cached:
    source: Sequence[Entry]
    gazetteer: Gazetteer


_CACHE: dict[tuple[int, bool], _Cached] = {}


def compiled(entries: Sequence[Entry], *, people: bool) -> Gazetteer:
    """The gazetteer of ``entries``, compiled once per watch list object.

    The cache keeps the list itself, so its identity cannot be reused by another one.
    """
    key = (id(entries), people)
    hit = _CACHE.get(key)
    if hit is not None and hit.source is entries and not isinstance(entries, list):
        return hit.gazetteer
    gazetteer = Gazetteer.of(entries, people=people)
    if not isinstance(entries, list):  # a list may change in place: never cached
        if len(_CACHE) >= 8:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _Cached(entries, gazetteer)
    return gazetteer
