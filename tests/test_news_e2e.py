"""News end to end: a feed and a registry on 127.0.0.1, a real database, a JSON receiver.

The story is the seed story retold (tests/fixtures/feed/stories/): an article says
Lei Jun left and joined companies; later the registry shows one of the moves.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import PageServer, registry_page, run_cli
from sqlalchemy import select
from support.xiaomi import WUHAN
from support.xiaomi import WUHAN_ROLES as ROLES
from test_notify_e2e import Hooks, Post

from monitor.check import Checker, CycleReport, build_sources, make_fetcher
from monitor.config import Loaded, load_config_text
from monitor.notify import deliver_due, install
from monitor.store import EventRecord, Store
from monitor.store.tables import news_seen

STORIES = Path(__file__).parent / "fixtures" / "feed" / "stories"
ARTICLES = Path(__file__).parent / "fixtures" / "feed" / "articles"
HARBOR = "Harbor Logistics Ltd."
BECKER = ("Tom Becker", "CFO", "2019-01-01")
REYES = ("Daniel Reyes", "Chairman", "2015-01-01")

# What the retold article says about Lei Jun: (change, company, the sentence's opening).
LEI_JUN_CHANGES = [
    ("joined", "Xiaomi Automobile Co., Ltd.", "Registry records show that Lei Jun became"),
    ("left", "Shanghai Xiaomi Finance Information Service Co., Ltd.", "On October 15, Lei Jun"),
    ("left", "Xiaomi Credit Management Co., Ltd.", "Five days later, Lei Jun was removed"),
    ("left", "Chengdu Beida Assets Management Co., Ltd.", "On October 21, Lei Jun resigned"),
    ("joined", "Xiaomi Automobile Technology Co., Ltd.", "On November 19, Lei Jun was appointed"),
    ("left", WUHAN, "On December 7, Zeng Xuezhong replaced Lei Jun"),
]


def rss(items: list[tuple[str, str, str]]) -> str:
    """An RSS 2.0 feed: (title, link path, RFC 822 date) per item."""
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{day}</pubDate></item>"
        for title, link, day in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Auto news</title>{body}</channel></rss>'


def watch_list(server: PageServer, hooks: Hooks, state: str) -> str:
    return f"""
state: "{state}"
hosts:
  "127.0.0.1": {{rate: none, concurrency: 8}}
channels:
  lei: "{hooks.url("/lei")}"
  desk: "{hooks.url("/desk")}"
people:
  - name: Lei Jun
    aliases: ["雷军"]
    notify: [lei]
companies:
  - name: {WUHAN}
    aliases: ["小米科技（武汉）有限公司"]
    notify: [desk]
    sources:
      - kind: html
        url: {server.url("/wuhan")}
        rows: "table#officers tr:not(:first-child)"
        fields: {{name: "td:nth-of-type(1)", role: "td:nth-of-type(2)", appointed: "td:nth-of-type(3)"}}
  - name: {HARBOR}
    notify: [desk]
    sources:
      - kind: html
        url: {server.url("/harbor")}
        columns: {{name: Name, role: Position, appointed: Appointed}}
news:
  - kind: feed
    name: Auto news
    url: {server.url("/feed.xml")}
"""


@dataclass
class Monitor:
    """The product wired as `monitor check` wires it: store, outbox hook, checker."""

    loaded: Loaded
    store: Store
    server: PageServer
    hooks: Hooks

    def check(self) -> CycleReport:
        async def run() -> CycleReport:
            checker = Checker(self.loaded.config, self.store, make_fetcher(self.loaded.config))
            try:
                return await checker.run_cycle(build_sources(self.loaded.config), everything=True)
            finally:
                await checker.fetcher.aclose()
                checker.close()

        return asyncio.run(run())

    def deliver(self) -> Any:
        return asyncio.run(deliver_due(self.store, self.loaded))

    def publish(self, *stories: tuple[str, str, str]) -> None:
        """Put articles in the feed: (fixture file, link path, RFC 822 date)."""
        items = []
        for name, path, day in stories:
            source = (STORIES if name.endswith(".txt") else ARTICLES) / name
            kind = "text/plain" if name.endswith(".txt") else "text/html"
            self.server.set(
                path, source.read_bytes(), headers={"Content-Type": f"{kind}; charset=utf-8"}
            )
            items.append((name, path, day))
        self.server.set("/feed.xml", rss(items), headers={"Content-Type": "application/rss+xml"})

    def event(self, change: str, company: str, person: str = "Lei Jun") -> EventRecord:
        [found] = [
            e
            for e in self.store.events()
            if (e.change, e.company, e.person) == (change, company, person)
        ]
        return found


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    receiver = Hooks()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def monitor(server: PageServer, hooks: Hooks, db_url: str) -> Iterator[Monitor]:
    server.set("/wuhan", registry_page(WUHAN, [("Lei Jun", ROLES, "2015-06-01")]))
    server.set("/harbor", registry_page(HARBOR, [BECKER, REYES]))
    server.set("/feed.xml", rss([]), headers={"Content-Type": "application/rss+xml"})
    loaded = load_config_text(watch_list(server, hooks, db_url), "monitor.yaml")
    store = Store(loaded.config.state)
    install(store, loaded)
    mon = Monitor(loaded, store, server, hooks)
    assert mon.check().events == []  # the registries' baseline; an empty feed
    yield mon
    store.close()


def mentions(posts: list[Post], company: str, sentence: str) -> list[Post]:
    return [
        p
        for p in posts
        if company in p.body["message"] + p.body["title"] and sentence in p.body["message"]
    ]


def test_news_alerts_once_per_change_and_the_registry_confirms_without_a_second_alert(
    monitor: Monitor,
) -> None:
    monitor.publish(("lei-jun-retold.txt", "/news/lei-jun", "Fri, 10 Dec 2021 08:00:00 GMT"))
    report = monitor.check()
    news = [e for e in report.events if e.origin == "news"]
    assert len(news) == 7  # six moves of Lei Jun, and Zeng Xuezhong joining a watched company
    monitor.deliver()

    lei = monitor.hooks.to("/lei")
    for change, company, sentence in LEI_JUN_CHANGES:
        assert len(mentions(lei, company, sentence)) == 1, (change, company)
    chengdu = monitor.event("left", "Chengdu Beida Assets Management Co., Ltd.")
    assert chengdu.origin == "news" and chengdu.effective_date == "2021-10-21"
    assert chengdu.url == monitor.server.url("/news/lei-jun")
    assert chengdu.evidence.startswith("On October 21, Lei Jun resigned as executive director")
    assert 0 < chengdu.confidence <= 1

    again = monitor.check()  # the same feed: nothing new is read, nothing is alerted
    assert again.events == [] and len(monitor.server.hits_for("/news/lei-jun")) == 1

    before = len(monitor.hooks.posts)
    monitor.server.set("/wuhan", registry_page(WUHAN, [("Zeng Xuezhong", ROLES, "2021-12-07")]))
    confirmed = monitor.check().events
    assert {(e.change, e.person, e.notice) for e in confirmed} == {
        ("left", "Lei Jun", "confirmed"),
        ("joined", "Zeng Xuezhong", "confirmed"),
    }
    assert len(monitor.store.events()) == 7  # no second event for the same moves
    monitor.deliver()
    follow_ups = monitor.hooks.posts[before:]
    assert [p.path for p in follow_ups].count("/lei") == 1
    assert [p.path for p in follow_ups].count("/desk") == 2
    assert all(p.body["title"].startswith("Confirmed by registry: ") for p in follow_ups)
    assert all(monitor.server.url("/wuhan") in p.body["message"] for p in follow_ups)

    wuhan = monitor.event("left", WUHAN)
    assert wuhan.confirmed_at is not None and wuhan.origin == "news"
    assert [i["origin"] for i in wuhan.evidence_items] == ["news", "registry"]


def test_the_same_change_in_two_articles_is_one_event_with_two_pieces_of_evidence(
    monitor: Monitor,
) -> None:
    first = ("lei-jun-retold.txt", "/news/lei-jun", "Fri, 10 Dec 2021 08:00:00 GMT")
    monitor.publish(first)
    monitor.check()
    monitor.deliver()
    alerts = len(monitor.hooks.posts)

    monitor.publish(
        first, ("chengdu-follow-up.txt", "/news/chengdu", "Tue, 14 Dec 2021 09:00:00 GMT")
    )
    merged = monitor.check().events
    assert [(e.change, e.notice) for e in merged] == [("left", "evidence")]
    assert len(monitor.server.hits_for("/news/lei-jun")) == 1  # each article is read once
    assert monitor.deliver().claimed == 0 and len(monitor.hooks.posts) == alerts

    chengdu = monitor.event("left", "Chengdu Beida Assets Management Co., Ltd.")
    items = chengdu.evidence_items
    assert [i["url"] for i in items] == [
        monitor.server.url("/news/lei-jun"),
        monitor.server.url("/news/chengdu"),
    ]
    assert items[1]["evidence"].startswith("Lei Jun resigned as executive director of Chengdu")
    assert items[1]["title"] == "Chengdu Beida Assets Management names no successor yet"


def test_a_registry_change_later_in_the_news_gains_the_article_without_a_new_alert(
    monitor: Monitor,
) -> None:
    monitor.server.set("/harbor", registry_page(HARBOR, [REYES]))  # Tom Becker is gone
    [left] = monitor.check().events
    assert (left.person, left.change, left.origin) == ("Tom Becker", "left", "registry")
    monitor.deliver()
    assert len(monitor.hooks.to("/desk")) == 1

    monitor.publish(("en-board-news.html", "/news/harbor", "Mon, 02 Mar 2026 08:15:00 GMT"))
    report = monitor.check()
    by_person = {e.person: e.notice for e in report.events}
    assert by_person == {"Tom Becker": "evidence", "Maria Okafor": "alert", "Daniel Reyes": "alert"}
    monitor.deliver()
    desk = monitor.hooks.to("/desk")
    assert len(desk) == 3  # Becker's departure was not alerted twice
    assert not any("Tom Becker" in p.body["title"] for p in desk[1:])

    becker = monitor.event("left", HARBOR, "Tom Becker")
    assert becker.origin == "registry" and becker.confirmed_at is None
    assert [i["origin"] for i in becker.evidence_items] == ["registry", "news"]
    assert "Tom Becker, stepped down on February 27" in becker.evidence_items[1]["evidence"]


def test_monitor_events_json_lists_the_evidence_of_news_events(
    monitor: Monitor, tmp_path: Path
) -> None:
    monitor.publish(("lei-jun-retold.txt", "/news/lei-jun", "Fri, 10 Dec 2021 08:00:00 GMT"))
    monitor.check()
    config = tmp_path / "monitor.yaml"
    config.write_text(watch_list(monitor.server, monitor.hooks, monitor.store.url))
    done = run_cli(
        "-c",
        str(config),
        "events",
        "--json",
        "--company",
        "Chengdu Beida Assets Management Co., Ltd.",
    )
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    event = json.loads(line)
    assert (event["origin"], event["change"], event["person"]) == ("news", "left", "Lei Jun")
    [item] = event["evidence_items"]
    assert item["url"] == monitor.server.url("/news/lei-jun")
    assert item["evidence"] == event["evidence"]
    assert item["title"].startswith("Lei Jun steps back")


def first_check_with(
    server: PageServer,
    hooks: Hooks,
    db_url: str,
    listed: list[tuple[str, str, str]],
    news_options: str = "",
) -> tuple[Monitor, CycleReport]:
    """A monitor whose feed already lists ``listed`` when it is first read."""
    server.set("/wuhan", registry_page(WUHAN, [("Lei Jun", ROLES, "2015-06-01")]))
    server.set("/harbor", registry_page(HARBOR, [BECKER, REYES]))
    text = watch_list(server, hooks, db_url) + news_options
    loaded = load_config_text(text, "monitor.yaml")
    store = Store(loaded.config.state)
    install(store, loaded)
    mon = Monitor(loaded, store, server, hooks)
    mon.publish(*listed)
    return mon, mon.check()


def rfc822(days_ago: int) -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%a, %d %b %Y %H:%M:%S GMT")


def test_a_new_feed_is_a_baseline_what_it_already_lists_is_not_news(
    server: PageServer, hooks: Hooks, db_url: str
) -> None:
    """Adding a feed must not alert on every old article it still lists."""
    old = ("lei-jun-retold.txt", "/news/lei-jun", "Fri, 10 Dec 2021 08:00:00 GMT")
    monitor, first = first_check_with(server, hooks, db_url, [old])
    try:
        assert first.events == []
        assert server.hits_for("/news/lei-jun") == []  # marked read without fetching it
        monitor.publish(old, ("chengdu-follow-up.txt", "/news/chengdu", rfc822(0)))
        later = monitor.check().events
        assert [(e.change, e.company, e.origin) for e in later] == [
            ("left", "Chengdu Beida Assets Management Co., Ltd.", "news")
        ]
        assert server.hits_for("/news/lei-jun") == []
        with monitor.store.engine.connect() as conn:
            seen_at, listed_at = conn.execute(
                select(news_seen.c.seen_at, news_seen.c.listed_at).where(
                    news_seen.c.key == server.url("/news/lei-jun")
                )
            ).one()
        assert listed_at > seen_at  # the second listing still showed it
    finally:
        monitor.store.close()


def test_backfill_reports_recent_articles_at_the_first_read_only(
    server: PageServer, hooks: Hooks, db_url: str
) -> None:
    listed = [
        ("lei-jun-retold.txt", "/news/lei-jun", "Fri, 10 Dec 2021 08:00:00 GMT"),
        ("chengdu-follow-up.txt", "/news/chengdu", rfc822(2)),
    ]
    monitor, first = first_check_with(
        server, hooks, db_url, listed, news_options="    backfill: 7d\n"
    )
    try:
        assert [(e.change, e.company) for e in first.events] == [
            ("left", "Chengdu Beida Assets Management Co., Ltd.")
        ]
        assert server.hits_for("/news/lei-jun") == []
        assert monitor.check().events == []  # both are read now, whatever their age
    finally:
        monitor.store.close()
