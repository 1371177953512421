"""A page that cannot be whole is a failed check, never a list of departures.

A raw socket server on 127.0.0.1 frames its answers as told: a Content-Length, none
(the body ends when the connection closes), or a Content-Length the body falls short of.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from conftest import registry_page

from monitor.check import Checker, build_sources, make_fetcher
from monitor.config import load_config_text
from monitor.store import CheckOutcome, Store

COMPANY = "Tidewater Logistics plc"
BOARD = [
    ("Ada Moss", "Director", "2019-01-01"),
    ("Ben Holt", "Director", "2019-01-01"),
    ("Cai Wen", "Secretary", "2019-01-01"),
    ("Dora Lind", "Director", "2020-03-01"),
]


@dataclass
class Answer:
    body: bytes
    framing: str = "length"  # length | close | short


class RawServer:
    """HTTP/1.1 by hand, so that the framing of each answer is the test's to choose."""

    def __init__(self) -> None:
        self.answer = Answer(b"")
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/company"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        answer = self.answer
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            if answer.framing == "length":
                head += f"Content-Length: {len(answer.body)}\r\n"
            elif answer.framing == "short":
                head += f"Content-Length: {len(answer.body) + 500}\r\n"
            head += "Connection: close\r\n\r\n"
            conn.sendall(head.encode() + answer.body)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def raw() -> Iterator[RawServer]:
    srv = RawServer()
    yield srv
    srv.close()


def checker(raw: RawServer, db_url: str, client: str) -> Checker:
    loaded = load_config_text(
        f"""
state: "{db_url}"
defaults: {{interval: 1s, jitter: 0, http_client: {client}}}
hosts: {{"127.0.0.1": {{rate: none, concurrency: 4}}}}
companies:
  - name: {COMPANY}
    sources:
      - kind: html
        name: tidewater
        url: {raw.url}
        columns: {{name: Name, role: Position, appointed: Appointed}}
""",
        "<test>",
    )
    return Checker(loaded.config, Store(loaded.config.state), make_fetcher(loaded.config))


def check(c: Checker) -> CheckOutcome:
    report = asyncio.run(c.run_cycle(build_sources(c.config), everything=True))
    return report.results[0].outcome


def cut_inside_table() -> bytes:
    """The page as sent until the connection dropped, in the middle of the third row."""
    page = registry_page(COMPANY, BOARD).encode()
    return page[: page.index(b"Cai Wen") + 3]


def cut_after_table() -> bytes:
    page = registry_page(COMPANY, BOARD[:3]).encode()
    return page[: page.index(b"</table>") + len(b"</table>") + 10]


CASES = {
    # Close-delimited: no length, the connection closed early; libcurl sees a whole body.
    "close-delimited, cut inside the table": Answer(cut_inside_table(), "close"),
    "close-delimited, cut after the table": Answer(cut_after_table(), "close"),
    # A length the body falls short of: the transfer itself fails.
    "shorter than its Content-Length": Answer(cut_inside_table(), "short"),
    # A whole transfer of a page the server itself cut (e.g. a crashed template).
    "framed, the document ends inside the table": Answer(cut_inside_table(), "length"),
}


@pytest.mark.parametrize("client", ["curl", "httpx"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_page_cut_short_fails_the_check_and_reports_no_change(
    raw: RawServer, db_url: str, client: str, case: str
) -> None:
    c = checker(raw, db_url, client)
    try:
        raw.answer = Answer(registry_page(COMPANY, BOARD).encode(), "close")
        assert check(c).status == "baseline"  # a whole close-delimited page is fine

        raw.answer = CASES[case]
        outcome = check(c)
        assert outcome.status == "error", outcome
        assert outcome.error and ("cut short" in outcome.error or "transfer" in outcome.error)

        raw.answer = Answer(registry_page(COMPANY, BOARD).encode(), "close")
        assert check(c).status == "unchanged"
        assert c.store.events() == []
    finally:
        asyncio.run(c.fetcher.aclose())
        c.close()
        c.store.close()
