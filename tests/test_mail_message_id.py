"""Every mail alert goes out under a Message-ID derived from its idempotency key: the same
alert sent again (a retry, a re-send after a crash) arrives with the same Message-ID, so a
mail system that drops repeats drops it; different alerts have different Message-IDs.

A real SMTP server (aiosmtpd) listens on 127.0.0.1 and keeps every message as received.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from conftest import REPO, PageServer, registry_page

from monitor.check import Checker, build_sources, make_fetcher
from monitor.config import load_config, load_config_text
from monitor.notify import deliver_due, install
from monitor.notify.channels import Channels, send
from monitor.notify.messages import Message
from monitor.notify.outbox import enqueue_operator, summary
from monitor.store import Store, utcnow

COMPANY = "Saltmarsh Ferries Ltd"
BOARD = [("Ada Moss", "Director", "2019-01-01"), ("Ben Holt", "Director", "2019-01-01")]
CHANGED = [("Ada Moss", "Director", "2019-01-01"), ("Cai Wen", "Secretary", "2026-12-01")]


class Inbox:
    """aiosmtpd on loopback, keeping each message as its bytes arrived."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.fault: str | None = None  # rcpt451 or data451: a temporary refusal
        inbox = self

        class Handler:
            async def handle_RCPT(
                self, server: Any, session: Any, envelope: Any, address: str, options: Any
            ) -> str:
                if inbox.fault == "rcpt451":
                    return "451 4.3.0 try again later"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                if inbox.fault == "data451":
                    return "451 4.3.0 try again later"
                parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
                inbox.messages.append(parsed)  # type: ignore[arg-type]
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def url(self) -> str:
        return (
            f"mailto://127.0.0.1:{self.port}"
            "?mode=insecure&from=monitor@example.com&to=desk@example.com"
        )


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox()
    box.controller.start()
    yield box
    box.controller.stop()


def message_id(message: EmailMessage) -> str:
    """The message's one Message-ID (two would leave the receiver to pick one)."""
    ids = message.get_all("Message-ID") or []
    assert len(ids) == 1, ids
    return str(ids[0])


def test_the_same_key_gives_the_same_message_id_and_another_key_another(inbox: Inbox) -> None:
    loaded = load_config_text(f'channels: {{desk: "{inbox.url()}"}}\n', "<test>")
    built = Channels(loaded.config).get("desk")
    alert = Message("Cai Wen joined Saltmarsh Ferries Ltd", "<p>Person: Cai Wen</p>", "html")
    other = Message("Ben Holt left Saltmarsh Ferries Ltd", "<p>Person: Ben Holt</p>", "html")

    async def three() -> list[str]:
        sent = [
            await send(built, alert, key="event:7:desk"),
            await send(built, alert, key="event:7:desk"),  # e.g. a retry after a crash
            await send(built, other, key="event:8:desk"),
        ]
        return [s.verdict for s in sent]

    assert asyncio.run(three()) == ["sent", "sent", "sent"]
    first, again, different = inbox.messages
    assert message_id(first) == message_id(again)
    assert message_id(different) != message_id(first)
    assert message_id(first).endswith("@example.com>")  # the sender's domain
    assert first["Idempotency-Key"] == again["Idempotency-Key"] == "event:7:desk"
    assert first["Subject"] == alert.title and first["To"] == "desk@example.com"
    plain = first.get_body(preferencelist=("plain",))
    html = first.get_body(preferencelist=("html",))
    assert plain is not None and "Person: Cai Wen" in plain.get_content()
    assert html is not None and "<p>Person: Cai Wen</p>" in html.get_content()


def test_a_mail_refused_for_now_is_retried_under_the_same_message_id(inbox: Inbox) -> None:
    """A 451 at RCPT, then at DATA: each attempt is a retry, and the message accepted at
    last has the Message-ID any earlier attempt would have had."""
    loaded = load_config_text(f'channels: {{desk: "{inbox.url()}"}}\n', "<test>")
    built = Channels(loaded.config).get("desk")
    alert = Message("Cai Wen joined Saltmarsh Ferries Ltd", "Person: Cai Wen", "text")
    first = asyncio.run(send(built, alert, key="event:9:desk"))
    inbox.fault = "rcpt451"
    refused = asyncio.run(send(built, alert, key="event:9:desk"))
    inbox.fault = "data451"
    cut = asyncio.run(send(built, alert, key="event:9:desk"))
    inbox.fault = None
    last = asyncio.run(send(built, alert, key="event:9:desk"))
    assert [r.verdict for r in (first, refused, cut, last)] == ["sent", "retry", "retry", "sent"]
    assert "451" in (refused.error or "") and "451" in (cut.error or "")
    assert len(inbox.messages) == 2
    assert message_id(inbox.messages[0]) == message_id(inbox.messages[1])


@pytest.mark.e2e
def test_an_alert_sent_again_after_a_crash_keeps_its_message_id(
    tmp_path: Path, server: PageServer, db_url: str, inbox: Inbox
) -> None:
    """A process SIGKILLed right after the server accepted a message, before recording
    it: the next process sends that message again, under the same Message-ID; the other
    alerts, the operator alert among them, each under a Message-ID of its own."""
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"""
state: "{db_url}"
defaults: {{interval: 1s, jitter: 0, notify: [desk], operator_notify: [desk]}}
channels: {{desk: "{inbox.url()}"}}
hosts: {{"127.0.0.1": {{rate: none, concurrency: 4}}}}
companies:
  - name: {COMPANY}
    sources:
      - {{kind: html, name: saltmarsh, url: "{server.url("/saltmarsh")}",
          columns: {{name: Name, role: Position, appointed: Appointed}}}}
""",
        encoding="utf-8",
    )
    loaded = load_config(str(config))
    store = Store(loaded.config.state)
    try:
        install(store, loaded)
        checker = Checker(loaded.config, store, make_fetcher(loaded.config))

        async def two_checks() -> int:
            try:
                server.set("/saltmarsh", registry_page(COMPANY, BOARD))
                await checker.run_cycle(build_sources(loaded.config), everything=True)
                server.set("/saltmarsh", registry_page(COMPANY, CHANGED))
                report = await checker.run_cycle(build_sources(loaded.config), everything=True)
                return len(report.events)
            finally:
                await checker.fetcher.aclose()

        try:
            events = asyncio.run(two_checks())
        finally:
            checker.close()
        assert events == 2  # Ben Holt left, Cai Wen joined
        with store.engine.begin() as conn:
            enqueue_operator(conn, "monitor: test alert", "operator body", ["desk"], utcnow())

        crash = REPO / "tests" / "support" / "crash.py"
        killed = subprocess.run(
            [sys.executable, str(crash), "send", "-c", str(config), "deliver"],
            capture_output=True, text=True, cwd=REPO, timeout=120,
        )  # fmt: skip
        assert killed.returncode == -9, killed.stderr[-2000:]
        assert len(inbox.messages) == 1  # accepted, then the process died
        before = inbox.messages[0]

        report = asyncio.run(deliver_due(store, loaded))
        assert report.delivered == 3  # the one under way again, and the two never sent
        assert asyncio.run(deliver_due(store, loaded)).claimed == 0
        assert summary(store.engine)["sent"] == 3
    finally:
        store.close()

    received = inbox.messages
    assert len(received) == 4
    repeats = [m for m in received[1:] if m["Idempotency-Key"] == before["Idempotency-Key"]]
    assert len(repeats) == 1 and message_id(repeats[0]) == message_id(before)
    by_key = {m["Idempotency-Key"]: message_id(m) for m in received}
    assert len(by_key) == 3 and len(set(by_key.values())) == 3
    assert sum(key.startswith("operator:") for key in by_key) == 1
