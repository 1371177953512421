"""A registry web site on 127.0.0.1 whose records follow a simulated calendar."""

from __future__ import annotations

import html
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from monitor.demo import story


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


class Registry:
    """Serves ``/person/lei-jun`` and ``/company/wuhan`` as of ``today``."""

    def __init__(self) -> None:
        self.today: date = story.START
        self.served: dict[str, date] = {}  # path -> the simulated day it was last served
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = registry.render(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                payload = body or b"not found"
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> Registry:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def render(self, path: str) -> bytes | None:
        self.served[path] = self.today
        if path == "/person/lei-jun":
            rows = [
                [p.company, p.roles, p.appointed.isoformat(), _date(p.resigned_by(self.today))]
                for p in story.person_rows(story.LEI, self.today)
            ]
            return _page(story.LEI, "Company|Position|Appointed|Resigned", rows)
        if path == "/company/wuhan":
            rows = [
                [p.person, p.roles, p.appointed.isoformat(), _date(p.resigned_by(self.today))]
                for p in story.company_rows(story.WUHAN, self.today)
            ]
            return _page(story.WUHAN, "姓名|职务|任职日期|离任日期", rows)
        return None
