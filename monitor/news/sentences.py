"""Split English and Chinese news text into sentences."""

from __future__ import annotations

import re

# A period after these does not end a sentence.
_NEVER_ENDS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "no",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "co",
        "messrs",
        "gov",
        "gen",
        "rep",
        "sen",
    ]
)
# A period after a legal form ends a sentence unless the next word continues the name.
_LEGAL_FORMS = frozenset(["ltd", "inc", "corp", "plc", "bhd", "llc", "ag", "gmbh", "s.a", "n.v"])
_CONTINUES_NAME = re.compile(
    r"(?:Ltd|Limited|Inc|Corp|Co|CEO|CFO|COO|CTO|Chief|Chairman|Chairwoman|President|Director"
    r"|Vice|Executive|Managing|Founder|Board|Group|Holdings)\b"
)

_ZH_END = "。！？!?；;…"
_CLOSERS = "”’\"')）」』】"
_CANDIDATE = re.compile(r"[.!?]+[" + re.escape(_CLOSERS) + r"]*(?=\s+\S)")


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences, keeping each one verbatim (trimmed).

    Lines are always separate (headlines have no full stop). Chinese sentences end at
    。！？; English ones at . ! ? followed by space, except after titles, initials and
    abbreviations such as "Co." or "Mr.".
    """
    out: list[str] = []
    for line in text.splitlines():
        for chunk in _split_zh(line):
            out.extend(_split_en(chunk))
    return [s for s in (part.strip() for part in out) if s]


def _split_zh(line: str) -> list[str]:
    parts: list[str] = []
    start = 0
    i = 0
    while i < len(line):
        if line[i] in "。！？" or (line[i] in "!?" and _is_cjk_before(line, i)):
            j = i + 1
            while j < len(line) and (line[j] in _CLOSERS or line[j] in "。！？!?"):
                j += 1
            parts.append(line[start:j])
            start = i = j
            continue
        i += 1
    parts.append(line[start:])
    return parts


def _is_cjk_before(line: str, i: int) -> bool:
    return i > 0 and "\u4e00" <= line[i - 1] <= "\u9fff"


def _split_en(chunk: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for m in _CANDIDATE.finditer(chunk):
        rest = chunk[m.end() :].lstrip()
        if _ends_sentence(chunk[start : m.start()], m.group(), rest):
            parts.append(chunk[start : m.end()])
            start = m.end()
    parts.append(chunk[start:])
    return parts


def _ends_sentence(before: str, mark: str, rest: str) -> bool:
    if not rest or not (
        rest[0].isupper()
        or rest[0].isdigit()
        or rest[0] in "\"“'‘("
        or "\u4e00" <= rest[0] <= "\u9fff"
    ):
        return False
    if mark != ".":
        return True
    word = re.search(r"([\w.]+)$", before)
    last = word.group(1).lower() if word else ""
    if last in _NEVER_ENDS or (len(last) == 1 and last.isalpha()):
        return False
    if re.fullmatch(r"(?:[a-z]\.)+[a-z]", last) and re.match(r"[A-Z][a-z]", rest):
        return False  # initials before a name: "W.D. Masterson"
    if last in _LEGAL_FORMS or last.endswith(".co"):
        return not _CONTINUES_NAME.match(rest)
    return True
