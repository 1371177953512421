"""``kind: feed`` and ``kind: page`` — news sources (RSS/Atom feeds and listing pages).

A news source lists articles; each check reads only the entries it has not read
before (the store remembers them), each article once, and hands the articles'
main text on. Which changes they report is decided later, against the watch list.

    news:
      - kind: feed
        url: https://example.com/business/rss.xml
      - kind: page
        url: https://example.com/companies/
        links: "h2.headline a"
"""

from __future__ import annotations

import asyncio
import logging
from abc import abstractmethod
from datetime import UTC, date, datetime, timedelta
from typing import ClassVar, Literal

from pydantic import Field

from monitor.encoding import decode
from monitor.errors import FetchError, MonitorError
from monitor.fetch import Fetcher, Response, require_ok
from monitor.fieldtypes import CssSelector, Duration, HttpUrl
from monitor.model import Article, Extraction
from monitor.news.article import read_html, read_plain
from monitor.news.feeds import ListedEntry, page_links, parse_feed
from monitor.sources.base import (
    FetchState,
    NotModified,
    Observation,
    Reported,
    Scope,
    Source,
    SourceSpec,
    content_hash,
    register,
)

log = logging.getLogger("monitor.news")

NEWS_ENTITY = "news"


class NewsSpec(SourceSpec):
    max_articles: int = Field(
        default=50, ge=1, description="new entries read per check; the rest wait for the next"
    )
    backfill: Duration = Field(
        default=timedelta(0),
        description="at the first check, also report articles published this recently; "
        "everything else the listing already shows is only marked read",
    )

    scope: ClassVar[Scope] = "news"

    def build(self, entity: str = NEWS_ENTITY) -> NewsSource:
        return NewsSource(self, entity)

    @abstractmethod
    def entries(self, response: Response) -> list[ListedEntry]:
        """The articles the fetched listing shows."""


@register("feed")
class FeedSpec(NewsSpec):
    kind: Literal["feed"]
    url: HttpUrl

    def entries(self, response: Response) -> list[ListedEntry]:
        return parse_feed(response.body, response.final_url)


@register("page")
class PageSpec(NewsSpec):
    kind: Literal["page"]
    url: HttpUrl
    links: CssSelector = Field(default="a", description="selects the article links")

    def entries(self, response: Response) -> list[ListedEntry]:
        return page_links(response.body, response.final_url, self.links, response.content_type)


class NewsSource(Source):
    spec: NewsSpec

    async def observe(self, fetcher: Fetcher, state: FetchState) -> Observation:
        response = require_ok(
            await fetcher.get(self.url, etag=state.etag, last_modified=state.last_modified)
        )
        if response.not_modified:
            return NotModified(state.etag, state.last_modified, response.final_url)
        listed = self.spec.entries(response)
        new = [e for e in listed if e.key not in state.seen]
        baseline: tuple[str, ...] = ()
        if state.first:
            new, old = _split_by_age(new, self.spec.backfill)
            baseline = tuple(e.key for e in old)
            if baseline:
                log.info(
                    "%s: first check, %d listed article(s) marked read", self.key, len(baseline)
                )
        now, later = new[: self.spec.max_articles], new[self.spec.max_articles :]
        results = await asyncio.gather(*(_read(fetcher, e) for e in now))
        articles = tuple(r for r in results if isinstance(r, Article))
        retry = tuple(e.key for e, r in zip(now, results, strict=True) if r == "retry")
        gone = tuple(e.key for e, r in zip(now, results, strict=True) if r == "gone")
        complete = not retry and not later  # else ask for the whole listing next time
        return Reported(
            extraction=Extraction(officers=(), rows_seen=len(listed)),
            content_hash=content_hash(response.body),
            etag=response.etag if complete else None,
            last_modified=response.last_modified if complete else None,
            url=response.final_url,
            articles=articles,
            retry=retry + tuple(e.key for e in later),
            gone=gone,
            baseline=baseline,
            listed=tuple(e.key for e in listed),
        )


def _split_by_age(
    entries: list[ListedEntry], backfill: timedelta
) -> tuple[list[ListedEntry], list[ListedEntry]]:
    """(published within ``backfill`` of today, the rest); undated entries count as old."""
    since = datetime.now(UTC).date() - backfill
    recent = [e for e in entries if backfill and e.published is not None and e.published >= since]
    return recent, [e for e in entries if e not in recent]


async def _read(fetcher: Fetcher, entry: ListedEntry) -> Article | Literal["retry", "gone"]:
    """One article, read once; a summary-only entry is read from the feed itself."""
    if not entry.url:
        return Article(
            entry.key, "", entry.title, _joined(entry.title, entry.summary), entry.published
        )
    try:
        response = require_ok(await fetcher.get(entry.url))
    except FetchError as exc:
        permanent = exc.status is not None and 400 <= exc.status < 500 and exc.status != 429
        log.warning("article %s %s: %s", entry.url, "skipped" if permanent else "deferred", exc)
        return "gone" if permanent else "retry"
    except MonitorError as exc:
        log.warning("article %s deferred: %s", entry.url, exc)
        return "retry"
    if response.content_type.startswith("text/plain"):
        text = read_plain(decode(response.body, response.content_type))
    else:  # parsing a page takes tens of milliseconds: keep the event loop free
        text = await asyncio.to_thread(
            read_html, response.body, url=response.final_url, content_type=response.content_type
        )
    published: date | None = text.published or entry.published
    body = text.full_text or _joined(entry.title, entry.summary)
    return Article(entry.key, response.final_url, text.title or entry.title, body, published)


def _joined(title: str, summary: str) -> str:
    return "\n".join(part for part in (title, summary) if part)
