"""``kind: feed`` and ``kind: page``: listing entries, reading only new articles, once."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import PageServer

from monitor.config import load_config_text
from monitor.fetch import Fetcher, HostPolicy
from monitor.news.article import read_html, read_plain
from monitor.news.feeds import page_links, parse_feed
from monitor.sources.base import FetchState, NotModified, Reported
from monitor.sources.feed import FeedSpec, NewsSource, PageSpec

FIXTURES = Path(__file__).parent / "fixtures" / "feed"
BASE = "http://news.example/feeds/board.xml"


# ---------------------------------------------------------------- listings (pure)


def test_atom_entries_are_absolute_links_in_feed_order_each_once() -> None:
    entries = parse_feed((FIXTURES / "feeds" / "atom.xml").read_bytes(), BASE)
    assert [e.key for e in entries] == ["http://news.example/stories/harbor", "urn:uuid:entry-2"]
    harbor, kestrel = entries
    assert (harbor.title, harbor.published) == (
        "Harbor Logistics names new chair",
        date(2026, 3, 2),
    )
    assert kestrel.url == "" and kestrel.published == date(2025, 8, 14)  # read from the summary
    assert (
        kestrel.summary
        == "Kestrel Mining plc has appointed Aisha Rahman as a non-executive director."
    )


def test_a_page_that_is_not_a_feed_is_a_parse_error_naming_the_url() -> None:
    from monitor.errors import ParseError

    with pytest.raises(ParseError, match=r"news\.example.*kind: page"):
        parse_feed(b"<html><body><p>Welcome</p></body></html>", BASE)


def test_listing_page_links_are_the_selected_http_links_each_once() -> None:
    body = (FIXTURES / "feeds" / "listing.html").read_bytes()
    links = page_links(body, "http://news.example/companies/", "h2.headline a")
    assert [(e.url, e.title) for e in links] == [
        ("http://news.example/stories/harbor", "Harbor Logistics names new chair"),
        ("https://other.example/norland?ref=list", "Norland Foods CEO to leave"),
    ]
    containers = page_links(body, "http://news.example/companies/", "h2.headline")
    assert [e.url for e in containers] == [e.url for e in links]  # the link inside the element


# ---------------------------------------------------------------- articles (pure)


def _article_cases() -> list[Path]:
    return sorted((FIXTURES / "articles").glob("*.html"))


@pytest.mark.parametrize("page", _article_cases(), ids=lambda p: p.stem)
def test_main_text_keeps_the_article_and_drops_the_page_furniture(page: Path) -> None:
    expected: dict[str, Any] = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    article = read_html(page.read_bytes(), content_type="text/html; charset=utf-8")
    text = " ".join(article.full_text.split())
    assert article.title == expected["title"]
    assert article.published == date.fromisoformat(expected["published"])
    for sentence in expected["contains"]:
        assert sentence in text
    for furniture in expected["excludes"]:
        assert furniture not in text


def test_plain_text_articles_take_their_first_line_as_headline() -> None:
    article = read_plain("\n  Headline here \nFirst paragraph.\n\nSecond paragraph.\n")
    assert article.title == "Headline here"
    assert article.full_text == "Headline here\nFirst paragraph.\nSecond paragraph."


def test_a_page_without_a_main_text_block_falls_back_to_its_paragraphs() -> None:
    page = (
        "<html><head><title>T</title></head><body><nav>Menu</nav><p>Short note.</p></body></html>"
    )
    article = read_html(page)
    assert "Short note." in article.text and "Menu" not in article.text


# ---------------------------------------------------------------- the source, over HTTP


def rss(links: list[str]) -> str:
    items = "".join(f"<item><title>{link}</title><link>{link}</link></item>" for link in links)
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


def observe(source: NewsSource, state: FetchState) -> Any:
    async def run() -> Any:
        async with Fetcher(default_policy=HostPolicy(concurrency=4, rate=None), retries=0) as f:
            return await source.observe(f, state)

    return asyncio.run(run())


def feed_source(server: PageServer, **extra: Any) -> NewsSource:
    spec = FeedSpec(kind="feed", url=server.url("/feed.xml"), **extra)
    return spec.build()


def story(server: PageServer, path: str, sentence: str) -> None:
    server.set(
        path, f"<html><body><article><h1>{path}</h1><p>{sentence}</p></article></body></html>"
    )


def test_only_entries_not_seen_before_are_read(server: PageServer) -> None:
    server.set("/feed.xml", rss(["/a", "/b"]), headers={"Content-Type": "application/rss+xml"})
    story(server, "/a", "Alpha Holdings Ltd. appointed Jane Doe as chief executive.")
    story(server, "/b", "Beta Industries plc said John Roe resigned as chairman.")
    seen = frozenset({server.url("/a")})
    reported = observe(feed_source(server), FetchState(seen=seen))
    assert isinstance(reported, Reported)
    assert [a.key for a in reported.articles] == [server.url("/b")]
    assert "John Roe resigned as chairman" in reported.articles[0].text
    assert server.hits_for("/a") == [] and len(server.hits_for("/b")) == 1
    assert reported.extraction.officers == ()  # a news source lists no officers


def test_missing_articles_are_given_up_and_failing_ones_retried(server: PageServer) -> None:
    server.set("/feed.xml", rss(["/gone", "/down", "/ok"]), etag='"v1"')
    server.set("/down", "busy", status=503)
    story(server, "/ok", "Gamma Ltd. named Ann Lee a director.")
    reported = observe(feed_source(server), FetchState())
    assert reported.gone == (server.url("/gone"),)
    assert reported.retry == (server.url("/down"),)
    assert [a.key for a in reported.articles] == [server.url("/ok")]
    assert reported.etag is None  # the next check lists the feed again for the retry


def test_an_unchanged_feed_is_not_read_again(server: PageServer) -> None:
    server.set("/feed.xml", rss(["/ok"]), etag='"v1"')
    story(server, "/ok", "Gamma Ltd. named Ann Lee a director.")
    first = observe(feed_source(server), FetchState())
    assert first.etag == '"v1"'
    again = observe(feed_source(server), FetchState(etag='"v1"'))
    assert isinstance(again, NotModified)
    assert len(server.hits_for("/ok")) == 1


def test_at_most_max_articles_are_read_per_check_and_the_rest_wait(server: PageServer) -> None:
    links = [f"/s{i}" for i in range(5)]
    server.set("/feed.xml", rss(links))
    for link in links:
        story(server, link, f"Story {link}.")
    reported = observe(feed_source(server, max_articles=2), FetchState())
    assert len(reported.articles) == 2
    assert reported.retry == tuple(server.url(p) for p in links[2:])


def test_a_listing_page_source_reads_the_selected_articles(server: PageServer) -> None:
    server.set("/list", '<div class="x"><a href="/p1">One</a></div><a href="/about">About</a>')
    story(server, "/p1", "Delta Corp appointed Bo Chen as chief financial officer.")
    source = PageSpec(kind="page", url=server.url("/list"), links="div.x a").build()
    reported = observe(source, FetchState())
    assert [a.url for a in reported.articles] == [server.url("/p1")]
    assert server.hits_for("/about") == []


def test_news_sources_load_from_the_watch_list() -> None:
    loaded = load_config_text(
        """
news:
  - kind: feed
    url: https://news.example/rss
  - kind: page
    url: https://news.example/companies/
    links: "h2 a"
    max_articles: 10
""",
        "monitor.yaml",
    )
    kinds = [(type(s).__name__, type(s).active) for s in loaded.config.news]
    assert kinds == [("FeedSpec", True), ("PageSpec", True)]


def test_a_bad_link_selector_is_a_config_error() -> None:
    from monitor.errors import ConfigError

    with pytest.raises(ConfigError, match="links"):
        load_config_text(
            "news:\n  - kind: page\n    url: https://n.example/\n    links: 'a[['\n", "m.yaml"
        )
