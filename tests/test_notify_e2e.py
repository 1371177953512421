"""Alert delivery end to end: real registry pages, a real database, real receivers.

An SMTP server (aiosmtpd), a JSON webhook receiver and a Slack webhook receiver
listen on 127.0.0.1; apprise's Slack plugin is pointed at the local receiver
through its ``webhook_url`` class attribute.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from apprise.plugins.slack import NotifySlack
from conftest import REPO, PageServer, registry_page
from support.xiaomi import AUTO, BEFORE_WUHAN, WUHAN, ZENG_AT_WUHAN, watch_list

from monitor.check import Checker, CycleReport, build_sources, make_fetcher
from monitor.config import Loaded, load_config_text
from monitor.notify import deliver_due, install
from monitor.notify.outbox import claim, summary
from monitor.store import Store, utcnow

# Three changes at Wuhan; Liu De's new role carries markup that messages must escape.
AFTER_WUHAN = [ZENG_AT_WUHAN, ("Liu De", "监事 <script>alert(1)</script>", "2015-06-01")]
BEFORE_AUTO = [("Wang Xiang", "Director", "2021-09-01")]
AFTER_AUTO = [("Wang Xiang", "Director", "2021-09-01"), ("Lei Jun", "Legal Representative", "")]
SMTP_USER = "monitor"
SMTP_PASSWORD = "p#ss/w@rd:1"  # every delimiter that breaks a URL's authority
SLACK_TOKENS = ("T0SECRETA", "B0SECRETB", "XoXoSecretTokenC")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------- receivers


class Inbox:
    """A real SMTP server on loopback that requires a login."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.logins: list[tuple[bytes, bytes]] = []
        inbox = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
                inbox.messages.append(parsed)  # type: ignore[arg-type]
                return "250 OK"

        def authenticate(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> Any:
            if isinstance(data, LoginPassword):
                inbox.logins.append((data.login, data.password))
                ok = (data.login, data.password) == (SMTP_USER.encode(), SMTP_PASSWORD.encode())
                return AuthResult(success=ok)
            return AuthResult(success=False)

        self.controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=self.port,
            authenticator=authenticate,
            auth_require_tls=False,
        )

    def url(self) -> str:
        return (
            f"mailto://{SMTP_USER}:${{SMTP_PASSWORD}}@127.0.0.1:{self.port}"
            "?mode=insecure&from=monitor@example.com&to=compliance@example.com"
        )


@dataclass
class Post:
    path: str
    body: dict[str, Any]


@dataclass
class Hooks:
    """A real HTTP receiver for webhooks; it can be stopped and started on one port."""

    port: int = field(default_factory=free_port)
    posts: list[Post] = field(default_factory=list)
    httpd: ThreadingHTTPServer | None = None

    def start(self) -> None:
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", 0))
                hooks.posts.append(Post(self.path, json.loads(self.rfile.read(size) or b"{}")))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        serving = {"poll_interval": 0.02}  # a quick shutdown at the end of a test
        threading.Thread(target=self.httpd.serve_forever, kwargs=serving, daemon=True).start()

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    def to(self, path: str) -> list[Post]:
        return [p for p in self.posts if p.path == path]


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox()
    box.controller.start()
    yield box
    box.controller.stop()


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    receiver = Hooks()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def slack(hooks: Hooks, monkeypatch: pytest.MonkeyPatch) -> Hooks:
    monkeypatch.setattr(NotifySlack, "webhook_url", f"http://127.0.0.1:{hooks.port}/services")
    return hooks


# ---------------------------------------------------------------- the watch list

SECRETS = {
    "SMTP_PASSWORD": SMTP_PASSWORD,
    "SLACK_A": SLACK_TOKENS[0],
    "SLACK_B": SLACK_TOKENS[1],
    "SLACK_C": SLACK_TOKENS[2],
}


def load(text: str) -> Loaded:
    return load_config_text(text, "monitor.yaml", env=SECRETS)


async def check(loaded: Loaded, store: Store) -> CycleReport:
    checker = Checker(loaded.config, store, make_fetcher(loaded.config))
    try:
        return await checker.run_cycle(build_sources(loaded.config), everything=True)
    finally:
        await checker.fetcher.aclose()
        checker.close()


@dataclass
class Monitor:
    """The product wired as `monitor check` wires it: store + outbox hook + checker."""

    loaded: Loaded
    store: Store
    server: PageServer

    def check(self) -> CycleReport:
        return asyncio.run(check(self.loaded, self.store))

    def deliver(self, *, after: timedelta = timedelta(0)) -> Any:
        return asyncio.run(deliver_due(self.store, self.loaded, now=utcnow() + after))

    def change_registry(self, *, auto: bool = False) -> int:
        self.server.set("/wuhan", registry_page(WUHAN, AFTER_WUHAN))
        if auto:
            self.server.set("/auto", registry_page(AUTO, AFTER_AUTO))
        return len(self.check().events)


def start(server: PageServer, text: str) -> Monitor:
    server.set("/wuhan", registry_page(WUHAN, BEFORE_WUHAN))
    server.set("/auto", registry_page(AUTO, BEFORE_AUTO))
    loaded = load(text)
    store = Store(loaded.config.state)
    install(store, loaded)
    monitor = Monitor(loaded, store, server)
    assert monitor.check().events == []  # the baseline
    return monitor


@pytest.fixture
def opened() -> Iterator[list[Monitor]]:
    monitors: list[Monitor] = []
    yield monitors
    for monitor in monitors:
        monitor.store.close()


def parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


# ---------------------------------------------------------------- tests


def test_email_webhook_and_slack_each_receive_every_change(
    server: PageServer, db_url: str, inbox: Inbox, slack: Hooks, opened: list[Monitor]
) -> None:
    channels = {
        "mail": inbox.url(),
        "hook": slack.url("/hook"),
        "slack": "slack://${SLACK_A}/${SLACK_B}/${SLACK_C}/#officer-alerts",
    }
    monitor = start(server, watch_list(server, db_url, channels, notify=["mail", "hook", "slack"]))
    opened.append(monitor)
    events = monitor.change_registry()
    assert events == 3  # Lei Jun left, Zeng Xuezhong joined, Liu De's role changed

    report = monitor.deliver()
    assert (report.delivered, report.retrying, report.dead) == (events * 3, 0, 0)
    assert len(inbox.messages) == events
    assert len(slack.to("/hook")) == events
    assert len(slack.to("/services/" + "/".join(SLACK_TOKENS))) == events
    assert inbox.logins and set(inbox.logins) == {(b"monitor", SMTP_PASSWORD.encode())}

    by_subject = {m["Subject"]: m for m in inbox.messages}
    left = by_subject[f"Lei Jun left {WUHAN} — executive director, general manager, "
                      "legal representative"]  # fmt: skip
    plain, html = parts(left)
    assert "Person: Lei Jun" in plain and f"Company: {WUHAN}" in plain
    assert "Role(s) before: executive director, general manager, legal representative" in plain
    assert server.url("/wuhan") in plain and "Alert: #" in plain
    assert "<td>" not in plain and "&lt;" not in plain

    [liu] = [m for s, m in by_subject.items() if s.startswith("Liu De")]
    plain, html = parts(liu)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert "<script>alert(1)</script>" in plain  # readable as text in the plain part

    webhook = {p.body["title"]: p.body for p in slack.to("/hook")}
    zeng = webhook[f"Zeng Xuezhong joined {WUHAN} — executive director, general manager, "
                   "legal representative"]  # fmt: skip
    assert "Evidence: Zeng Xuezhong" in zeng["message"]
    assert "Effective date: 2021-12-07" in zeng["message"]

    chat = [p.body for p in slack.posts if p.path.startswith("/services/")]
    assert {c["channel"] for c in chat} == {"#officer-alerts"}
    texts = " ".join(a["text"] for c in chat for a in c["attachments"])
    assert "&lt;script&gt;" in texts and "<script>" not in texts

    again = monitor.deliver(after=timedelta(days=30))
    assert again.claimed == 0  # nothing is sent twice
    assert summary(monitor.store.engine)["sent"] == events * 3


def test_receiver_down_keeps_alerts_pending_until_it_is_back(
    server: PageServer, db_url: str, inbox: Inbox, opened: list[Monitor]
) -> None:
    hooks = Hooks()  # not listening yet: connections are refused
    channels = {"mail": inbox.url(), "hook": hooks.url("/hook")}
    monitor = start(server, watch_list(server, db_url, channels, notify=["mail", "hook"]))
    opened.append(monitor)
    events = monitor.change_registry()

    first = monitor.deliver()
    assert (first.delivered, first.retrying) == (events, events)
    state = summary(monitor.store.engine)
    assert (state["pending"], state["failed"], state["dead"]) == (events, events, 0)
    assert {(a["channel"], a["attempts"]) for a in state["attention"]} == {("hook", 1)}
    assert all("Connection" in (a["last_error"] or "") for a in state["attention"])

    assert monitor.deliver().claimed == 0  # backing off: not due yet
    second = monitor.deliver(after=timedelta(minutes=2))  # still down
    assert second.retrying == events
    assert {a["attempts"] for a in summary(monitor.store.engine)["attention"]} == {2}

    hooks.start()
    try:
        third = monitor.deliver(after=timedelta(hours=7))
        assert (third.delivered, third.retrying) == (events, 0)
        assert monitor.deliver(after=timedelta(days=2)).claimed == 0
        assert len(hooks.posts) + len(inbox.messages) == events * len(channels)
        assert len(hooks.posts) == events
    finally:
        hooks.stop()
    state = summary(monitor.store.engine)
    assert (state["pending"], state["failed"], state["sent"]) == (0, 0, events * 2)


def test_digest_channel_gets_one_message_for_the_day(
    server: PageServer, db_url: str, hooks: Hooks, opened: list[Monitor]
) -> None:
    channels = {
        "now": hooks.url("/now"),
        "daily": {"url": hooks.url("/daily"), "mode": "digest", "every": "1d"},
    }
    monitor = start(server, watch_list(server, db_url, channels, notify=["now", "daily"]))
    opened.append(monitor)
    server.set("/wuhan", registry_page(WUHAN, AFTER_WUHAN))
    wuhan = len(monitor.check().events)
    assert monitor.deliver().delivered == wuhan
    server.set("/auto", registry_page(AUTO, AFTER_AUTO))
    auto = len(monitor.check().events)
    assert monitor.deliver().delivered == auto
    assert len(hooks.to("/now")) == wuhan + auto  # one per event (batches are small)
    assert hooks.to("/daily") == []

    report = monitor.deliver(after=timedelta(days=1))  # past the next midnight UTC
    assert (report.delivered, report.messages) == (wuhan + auto, 1)
    [digest] = hooks.to("/daily")
    assert digest.body["title"].startswith(f"{wuhan + auto} officer changes")
    body = digest.body["message"]
    for person in ("Lei Jun", "Zeng Xuezhong", "Liu De"):
        assert f"\n{person}\n" in body
    lei = body.split("\nLei Jun\n", 1)[1].split("\n\n", 1)[0]
    assert f"joined {AUTO}" in lei and f"left {WUHAN}" in lei  # grouped by person, then company
    assert lei.index(AUTO) < lei.index(WUHAN)
    assert monitor.deliver(after=timedelta(days=3)).claimed == 0


def test_many_alerts_at_once_are_batched_into_one_message(
    server: PageServer, db_url: str, hooks: Hooks, opened: list[Monitor]
) -> None:
    monitor = start(server, watch_list(server, db_url, {"hook": hooks.url("/h")}, notify=["hook"]))
    opened.append(monitor)
    board = [(f"Director {i}", "Director", "2022-01-01") for i in range(5)]
    server.set("/auto", registry_page(AUTO, [*BEFORE_AUTO, *board]))
    assert len(monitor.check().events) == 5
    report = monitor.deliver()
    assert (report.delivered, report.messages) == (5, 1)
    [post] = hooks.posts
    assert post.body["title"].startswith("5 officer changes")
    assert all(f"Director {i}" in post.body["message"] for i in range(5))


def test_routing_filters_and_union(
    server: PageServer, db_url: str, hooks: Hooks, opened: list[Monitor]
) -> None:
    channels = {"people": hooks.url("/people"), "wuhan": hooks.url("/wuhan"),
                "rest": hooks.url("/rest")}  # fmt: skip
    text = watch_list(
        server,
        db_url,
        channels,
        notify=["rest"],
        people="    notify: [people]\n    changes: [left]",
        company_notify="    notify: [wuhan, people]\n    roles: [法定代表人]",
    )
    monitor = start(server, text)
    opened.append(monitor)
    monitor.change_registry(auto=True)
    monitor.deliver()
    titles = {path: sorted(p.body["title"].split(" — ")[0] for p in hooks.to(path))
              for path in ("/people", "/wuhan", "/rest")}  # fmt: skip
    assert titles == {
        # Lei Jun's departure concerns him (left: wanted) and Wuhan (legal rep: wanted): each
        # channel once. Zeng's appointment concerns Wuhan only. Liu De is no legal
        # representative, so Wuhan's filter drops it. Lei Jun joining Auto is dropped by his
        # `changes: [left]`, but it also concerns the Auto entry, which has no `notify` of
        # its own and so uses the defaults.
        "/people": [f"Lei Jun left {WUHAN}", f"Zeng Xuezhong joined {WUHAN}"],
        "/wuhan": [f"Lei Jun left {WUHAN}", f"Zeng Xuezhong joined {WUHAN}"],
        "/rest": [f"Lei Jun joined {AUTO}"],
    }


def test_unusable_channel_is_dead_and_rerouted_to_its_fallback(
    server: PageServer, db_url: str, hooks: Hooks, opened: list[Monitor]
) -> None:
    channels = {
        "broken": {"url": "nosuchservice://host/path", "fallback": "ops"},
        "ops": hooks.url("/ops"),
    }
    monitor = start(server, watch_list(server, db_url, channels, notify=["broken"]))
    opened.append(monitor)
    server.set("/auto", registry_page(AUTO, AFTER_AUTO))
    assert len(monitor.check().events) == 1
    report = monitor.deliver()
    assert (report.delivered, report.dead) == (0, 1)
    state = summary(monitor.store.engine)
    assert state["dead"] == 1 and state["pending"] == 1  # the rerouted copy
    [dead] = state["attention"]
    assert dead["status"] == "dead" and "does not understand the URL" in dead["last_error"]

    assert monitor.deliver().delivered == 1
    [post] = hooks.to("/ops")
    assert post.body["title"] == f"Lei Jun joined {AUTO} — legal representative"
    assert "Could not be delivered to channel 'broken'" in post.body["message"]
    assert monitor.deliver(after=timedelta(days=1)).claimed == 0


def test_two_deliverers_never_claim_the_same_row(
    server: PageServer, db_url: str, opened: list[Monitor]
) -> None:
    hooks = Hooks()
    monitor = start(server, watch_list(server, db_url, {"h": hooks.url("/h")}, notify=["h"]))
    opened.append(monitor)
    board = [(f"Director {i}", "Director", "2022-01-01") for i in range(40)]
    server.set("/auto", registry_page(AUTO, [*BEFORE_AUTO, *board]))
    assert len(monitor.check().events) == 40
    other = Store(monitor.loaded.config.state)
    opened.append(Monitor(monitor.loaded, other, server))
    gate = threading.Barrier(4)
    claimed: list[list[int]] = [[] for _ in range(4)]
    now = utcnow()

    def take(i: int) -> None:
        store = monitor.store if i % 2 else other
        gate.wait()
        for _ in range(10):
            claimed[i].extend(r.id for r in claim(store.engine, now, limit=3))

    threads = [threading.Thread(target=take, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [i for ids in claimed for i in ids]
    assert len(every) == len(set(every)) == 40
    assert sum(1 for ids in claimed if ids) >= 2  # both processes' connections took part


def test_rows_of_a_deliverer_that_died_mid_send_return_after_the_lease(
    server: PageServer, db_url: str, hooks: Hooks, opened: list[Monitor]
) -> None:
    monitor = start(server, watch_list(server, db_url, {"h": hooks.url("/h")}, notify=["h"]))
    opened.append(monitor)
    assert monitor.change_registry() == 3
    assert len(claim(monitor.store.engine, utcnow())) == 3  # ... and then the process died
    assert monitor.deliver(after=timedelta(minutes=5)).claimed == 0
    assert monitor.deliver(after=timedelta(minutes=11)).delivered == 3
    assert len(hooks.posts) == 3


DRIVER = """
import asyncio, sys
sys.path.insert(0, {tests!r})
from test_notify_e2e import load, check
from monitor.notify import install, deliver_due
from monitor.store import Store
loaded = load(open({config!r}).read())
store = Store(loaded.config.state)
install(store, loaded)
report = asyncio.run(check(loaded, store))
print(len(report.events), flush=True)
asyncio.run(deliver_due(store, loaded))
print("delivered", flush=True)
"""


@pytest.mark.e2e
@pytest.mark.parametrize("point", ["commit", "claim"])
def test_a_process_killed_before_delivery_loses_nothing(
    point: str, server: PageServer, db_url: str, hooks: Hooks, tmp_path: Path,
    opened: list[Monitor],
) -> None:  # fmt: skip
    text = watch_list(server, db_url, {"h": hooks.url("/h")}, notify=["h"])
    monitor = start(server, text)
    opened.append(monitor)
    server.set("/wuhan", registry_page(WUHAN, AFTER_WUHAN))
    config = tmp_path / "monitor.yaml"
    config.write_text(text, encoding="utf-8")
    script = DRIVER.format(tests=str(REPO / "tests"), config=str(config))
    crash = REPO / "tests" / "support" / "crash.py"
    killed = subprocess.run(
        [sys.executable, str(crash), point, "--script", script], capture_output=True, text=True,
        cwd=REPO, timeout=120,
    )  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    events = int(killed.stdout.split()[0])
    assert events == 3 and "delivered" not in killed.stdout
    assert hooks.posts == []
    assert summary(monitor.store.engine)["pending"] == events

    after = timedelta(minutes=11) if point == "claim" else timedelta(0)
    assert monitor.deliver(after=after).delivered == events
    assert monitor.deliver(after=timedelta(days=1)).claimed == 0
    assert len(hooks.posts) == events
    assert len({p.body["title"] for p in hooks.posts}) == events
