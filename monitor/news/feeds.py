"""Where articles are listed: RSS/Atom feeds and listing pages → entries. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urldefrag, urljoin

import lxml.html
from lxml import etree

from monitor.encoding import decode
from monitor.errors import ParseError
from monitor.fieldtypes import css_to_xpath
from monitor.news.article import fragment_text


@dataclass(frozen=True)
class ListedEntry:
    """One article a feed or a listing page points to."""

    key: str  # the link when there is one, else the feed's entry id
    url: str  # where to read the article; "" when only the feed's summary exists
    title: str = ""
    published: date | None = None
    summary: str = ""  # the feed's own text, read when the article cannot be


def parse_feed(body: bytes, base_url: str) -> list[ListedEntry]:
    """The entries of an RSS or Atom document, in feed order, each once."""
    import feedparser  # imported on first use

    parsed: Any = feedparser.parse(body, response_headers={"content-location": base_url})
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "no RSS or Atom document found"
        raise ParseError(f"{base_url}: not a news feed ({reason}); check `url` or use kind: page")
    entries = (_feed_entry(e) for e in parsed.entries)
    return _unique([e for e in entries if e is not None])


def _feed_entry(entry: Any) -> ListedEntry | None:
    link = _absolute(str(entry.get("link") or ""))
    key = link or str(entry.get("id") or "")
    if not link.startswith(("http://", "https://")):
        link = ""  # e.g. feedparser offers a "urn:" id as the link: nothing to fetch
    if not key:
        return None
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    published = date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday) if stamp else None
    summary = str(entry.get("summary") or "")
    if summary and "<" in summary:
        summary = fragment_text(summary)
    return ListedEntry(key, link, str(entry.get("title") or "").strip(), published, summary)


def page_links(
    body: bytes, base_url: str, selector: str, content_type: str = ""
) -> list[ListedEntry]:
    """The article links a listing page shows: ``href`` of every element ``selector`` picks."""
    try:
        root = lxml.html.document_fromstring(decode(body, content_type))
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"{base_url}: not an HTML page ({exc})") from None
    found: list[ListedEntry] = []
    for element in root.xpath(css_to_xpath(selector)):
        anchor = element if element.get("href") else next(element.iterfind(".//a[@href]"), None)
        if anchor is None:
            continue
        url = _absolute(urljoin(base_url, anchor.get("href", "").strip()))
        if url.startswith(("http://", "https://")):
            found.append(ListedEntry(url, url, " ".join(anchor.text_content().split())))
    return _unique(found)


def _absolute(url: str) -> str:
    return urldefrag(url.strip())[0] if url.strip() else ""


def _unique(entries: list[ListedEntry]) -> list[ListedEntry]:
    seen: dict[str, ListedEntry] = {}
    for entry in entries:
        seen.setdefault(entry.key, entry)
    return list(seen.values())
