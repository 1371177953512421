"""A state database with a story in it, written through the store's own write path, for
the dashboard and API tests."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from monitor.config import Loaded, load_config
from monitor.model import Change, Officer
from monitor.store import Store
from monitor.store.store import CheckOutcome, SourceRecord
from monitor.store.tables import deliveries, events
from monitor.web.serve import WebServer, start

TOKEN = "correct-horse-battery-staple"
API_KEY = "sk-live-0123456789abcdef"  # a secret in a source URL; never shown
NOW = datetime(2026, 11, 30, 12, 0, 0)

CONFIG = """\
state: {state}
web:
  token: "${{MONITOR_WEB_TOKEN}}"
channels:
  desk: "json://127.0.0.1:9/hook?token=${{API_KEY}}"
people:
  - name: Lei Jun
    aliases: ["雷军"]
companies:
  - name: Xiaomi Technology (Wuhan) Co., Ltd.
    aliases: ["小米科技（武汉）有限公司"]
  - name: Kingsoft Corporation
"""


@dataclass
class Seeded:
    loaded: Loaded
    store: Store
    ids: dict[str, int]  # a name per event -> its id
    deliveries: dict[str, int]


def write_config(tmp_path: Path, state: str, token: bool = True) -> Loaded:
    text = CONFIG.format(state=state)
    if not token:
        text = text.replace('web:\n  token: "${MONITOR_WEB_TOKEN}"\n', "")
    path = tmp_path / "monitor.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, env={"MONITOR_WEB_TOKEN": TOKEN, "API_KEY": API_KEY})


def _sources(store: Store) -> dict[str, int]:
    records = [
        SourceRecord(
            "html:wuhan",
            "html",
            "Xiaomi Technology (Wuhan) Co., Ltd.",
            f"https://registry.test/wuhan?api_key={API_KEY}",
            3600,
        ),
        SourceRecord(
            "html:xiaomi-cn", "html", "小米科技有限责任公司", "https://registry.test/cn", 3600
        ),
        SourceRecord(
            "html:kingsoft", "html", "Kingsoft Corporation", "https://registry.test/ks", 3600
        ),
        SourceRecord("feed:press", "feed", "news", "https://press.test/feed.xml", 900),
    ]
    rows = store.sync_sources(records, NOW - timedelta(days=30))
    return {key: row.id for key, row in rows.items()}


def _outcome(source_id: int, name: str, when: datetime, *changes: Change, **kw: Any) -> CheckOutcome:
    return CheckOutcome(
        source_id=source_id,
        source_name=name,
        checked_at=when,
        next_check_at=when + timedelta(hours=1),
        status="changed",
        url=f"https://registry.test/{name}",
        changes=changes,
        **kw,
    )


def seed(tmp_path: Path, state: str, token: bool = True) -> Seeded:
    """Six events over five days, three alerts (one dead), a failing source."""
    loaded = write_config(tmp_path, state, token)
    store = Store(state)
    src = _sources(store)
    day = timedelta(days=1)
    officers = (
        Officer("Lei Jun", "Xiaomi Technology (Wuhan) Co., Ltd.", frozenset({"chairman"})),
        Officer("Lin Bin", "Xiaomi Technology (Wuhan) Co., Ltd.", frozenset({"director"})),
    )
    outcomes = [
        _outcome(
            src["html:kingsoft"],
            "kingsoft",
            NOW - 5 * day,
            Change("left", "Lei Jun", "Kingsoft Corporation", frozenset({"chairman"}),
                   effective_date="2026-11-20", evidence="Lei Jun | Chairman | resigned 2026-11-20"),
        ),
        _outcome(
            src["html:wuhan"],
            "wuhan",
            NOW - 4 * day,
            Change("joined", "Lei Jun", "Xiaomi Technology (Wuhan) Co., Ltd.",
                   frozenset({"chairman"}), effective_date="2026-11-21",
                   evidence="Lei Jun | Chairman | 2026-11-21"),
            Change("joined", "Lin Bin", "Xiaomi Technology (Wuhan) Co., Ltd.",
                   frozenset({"director"}), effective_date="2026-11-21"),
            reference=officers,
            fingerprint="f1",
        ),
        _outcome(
            src["html:xiaomi-cn"],
            "xiaomi-cn",
            NOW - 3 * day,
            Change("left", "雷军", "小米科技有限责任公司", frozenset({"legal representative"}),
                   effective_date="2026-11-25", evidence="法定代表人 雷军 → 王翔"),
        ),
        _outcome(
            src["html:wuhan"],
            "wuhan",
            NOW - 2 * day,
            Change("role_changed", "Lin Bin", "Xiaomi Technology (Wuhan) Co., Ltd.",
                   frozenset({"supervisor"}), frozenset({"director"}), effective_date="2026-11-27"),
            reference=(officers[0], replace(officers[1], roles=frozenset({"supervisor"}))),
            fingerprint="f2",
        ),
        _outcome(
            src["feed:press"],
            "press",
            NOW - 1 * day,
            Change("joined", "<script>alert(1)</script>", "Kingsoft Corporation",
                   frozenset({"director"}), evidence="<b>not bold</b> & <img src=x onerror=alert(2)>",
                   origin="news", confidence=0.8, url="javascript:alert(3)", published_date="2026-11-28"),
        ),
    ]  # fmt: skip
    store.save(outcomes)
    with store.engine.begin() as conn:
        ids = {
            f"{r.person}|{r.change}|{r.company}": r.id
            for r in conn.execute(select(events.c.id, events.c.person, events.c.change, events.c.company))
        }
        rows = {
            "dead": ("dead", 5, f"HTTP 500 from json://127.0.0.1:9/hook?token={API_KEY}"),
            "failed": ("pending", 2, "connection refused"),
            "sent": ("sent", 1, None),
        }
        made = {}
        event = ids["Lei Jun|joined|Xiaomi Technology (Wuhan) Co., Ltd."]
        for name, (status, attempts, error) in rows.items():
            result = conn.execute(
                insert(deliveries).values(
                    key=f"event:{event}:{name}", event_id=event, channel="desk", mode="immediate",
                    kind="alert", status=status, attempts=attempts, next_attempt_at=NOW,
                    last_error=error, created_at=NOW - 4 * day,
                    sent_at=NOW - 4 * day if status == "sent" else None,
                )
            )  # fmt: skip
            made[name] = int(result.inserted_primary_key[0])
    failing = CheckOutcome(
        source_id=src["feed:press"],
        source_name="press",
        checked_at=NOW,
        next_check_at=NOW + timedelta(minutes=15),
        status="error",
        error=f"HTTP 503 from https://press.test/feed.xml?key={API_KEY}",
    )
    store.save([failing])
    return Seeded(loaded, store, ids, made)


def event_id(seeded: Seeded, person: str, change: str, company: str) -> int:
    return seeded.ids[f"{person}|{change}|{company}"]


class Served:
    """The dashboard on a real socket, its event loop in a thread."""

    def __init__(self, app: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server: WebServer = asyncio.run_coroutine_threadsafe(
            start(app, "127.0.0.1", 0), self.loop
        ).result(10)
        self.url = f"http://127.0.0.1:{self.server.port}"

    def close(self) -> None:
        self.server.close()
        asyncio.run_coroutine_threadsafe(self.server.wait_closed(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
