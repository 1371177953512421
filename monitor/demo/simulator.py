"""A registry web site on 127.0.0.1 whose records follow a simulated calendar."""

from __future__ import annotations

import html
from datetime import date
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from monitor.demo import story
from monitor.demo.localserver import LocalServer


def _date(day: date | None) -> str:
    return day.isoformat() if day else ""


def _page(title: str, header: str, rows: list[list[str]]) -> bytes:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header.split("|"))
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>"
        "<nav>Simulated registry · <a href='/'>search</a></nav>"
        f"<h1>{html.escape(title)}</h1><table id='records'><tr>{head}</tr>{body}</table>"
        "</body></html>"
    ).encode()


ARTICLE = (Path(__file__).parent / "article.txt").read_text(encoding="utf-8")


def _content_type(path: str) -> str:
    if path == "/feed.xml":
        return "application/rss+xml; charset=utf-8"
    if path.startswith("/news/"):
        return "text/plain; charset=utf-8"
    return "text/html; charset=utf-8"


def _feed(base: str, today: date) -> bytes:
    items = ""
    if today >= story.ARTICLE_DAY:
        title = html.escape(ARTICLE.splitlines()[0])
        items = (
            f"<item><title>{title}</title><link>{base}/news/lei-jun.txt</link>"
            f"<guid>{base}/news/lei-jun.txt</guid>"
            f"<pubDate>{story.ARTICLE_DAY.strftime('%a, %d %b %Y')} 09:00:00 +0800</pubDate></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Simulated trade press</title><link>{base}/</link>{items}</channel></rss>"
    ).encode()


class Registry(LocalServer):
    """Serves a person page, a company page and a news feed as of ``today``."""

    def __init__(self) -> None:
        self.today: date = story.START
        self.served: dict[str, date] = {}  # path -> the simulated day it was last served
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = registry.render(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", _content_type(self.path))
                payload = body or b"not found"
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(Handler)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def render(self, path: str) -> bytes | None:
        self.served[path] = self.today
        if path == "/person/lei-jun":
            rows = [
                [p.company, p.roles, p.appointed.isoformat(), _date(p.resigned_by(self.today))]
                for p in story.person_rows(story.LEI, self.today)
            ]
            return _page(story.LEI, "Company|Position|Appointed|Resigned", rows)
        if path == "/feed.xml":
            return _feed(self.base, self.today)
        if path == "/news/lei-jun.txt" and self.today >= story.ARTICLE_DAY:
            return ARTICLE.encode()
        if path == "/company/wuhan":
            filed = self.today - story.REGISTRY_LAG[story.WUHAN]
            rows = [
                [p.person, p.roles, p.appointed.isoformat(), _date(p.resigned_by(filed))]
                for p in story.company_rows(story.WUHAN, filed)
            ]
            return _page(story.WUHAN, "姓名|职务|任职日期|离任日期", rows)
        return None
