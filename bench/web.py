"""The dashboard under a big history: the events page and the API's first page with
100,000 stored events, over real HTTP (uvicorn on 127.0.0.1, as `monitor web` runs it).

Run from the repository root:  .venv/bin/python bench/web.py [--events 100000]
Appends a dated section to bench/RESULTS.md. Not a timed test: numbers depend on the
machine. Target: p95 under 50 ms for each URL below.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "RESULTS.md"
sys.path.insert(0, str(REPO))

from monitor.config import load_config_text  # noqa: E402
from monitor.normalize import name_key  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.store.tables import events, sources  # noqa: E402
from monitor.web.app import Site, create_app  # noqa: E402
from monitor.web.serve import start  # noqa: E402

TOKEN = "bench-token-0123456789abcdef"
PEOPLE = ["Lei Jun", "雷军", "Lin Bin", "Wang Xiang", *[f"Person {i}" for i in range(2000)]]
CHANGES = ["joined", "left", "role_changed"]
URLS = [
    "/events",
    "/api/v1/events",
    "/api/v1/events?change=left",
    "/events?unread=1",
    "/events?person=Lei%20Jun",
    "/api/v1/events?person=%E9%9B%B7%E5%86%9B",
]


def fill(store: Store, count: int, rng: random.Random) -> None:
    now = dt.datetime(2026, 11, 30)
    with store.engine.begin() as conn:
        source = conn.execute(
            insert(sources).values(
                key="html:bench", kind="html", entity="Bench Co", url="https://r.test/",
                interval_s=3600, next_check_at=now, consecutive_failures=0, healthy=True,
                created_at=now,
            )
        ).inserted_primary_key[0]  # fmt: skip
        batch = []
        for i in range(count):
            person = rng.choice(PEOPLE)
            company = f"Company {rng.randrange(5000)} Ltd."
            batch.append(
                {
                    "source_id": source, "change": rng.choice(CHANGES), "person": person,
                    "person_key": name_key(person), "company": company,
                    "company_key": name_key(company), "roles": ["director"], "previous_roles": [],
                    "effective_date": "2026-01-01", "published_date": None,
                    "detected_at": now - dt.timedelta(minutes=count - i), "evidence": "row",
                    "source_name": "bench", "url": "https://r.test/", "origin": "registry",
                    "confidence": 1.0, "read_at": now if i < count - 500 else None,
                }
            )  # fmt: skip
            if len(batch) == 10_000:
                conn.execute(insert(events), batch)
                batch = []
        if batch:
            conn.execute(insert(events), batch)


def measure(base: str, path: str, rounds: int) -> tuple[float, float, float, float]:
    """First request, p50 and p95 wall ms, and CPU ms per request (server and client: one
    process), which a busy machine inflates far less than wall time."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=base, headers=auth, timeout=30) as client:
        first = time.perf_counter()
        assert client.get(path).status_code == 200, path
        cold = (time.perf_counter() - first) * 1000
        times = []
        cpu = time.process_time()
        for _ in range(rounds):
            started = time.perf_counter()
            answer = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200
        cpu_ms = (time.process_time() - cpu) * 1000 / rounds
    times.sort()
    return cold, statistics.median(times), times[int(len(times) * 0.95) - 1], cpu_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="monitor-web-bench-"))
    state = f"sqlite:///{folder / 'state.db'}"
    people = 'people:\n  - name: Lei Jun\n    aliases: ["雷军"]\n'
    loaded = load_config_text(f'state: {state}\nweb: {{token: "{TOKEN}"}}\n{people}')
    store = Store(state)
    started = time.perf_counter()
    fill(store, args.events, random.Random(1))
    print(f"stored {args.events} events in {time.perf_counter() - started:.1f}s", flush=True)
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    app: Any = create_app(Site(store, lambda: loaded))
    server = asyncio.run_coroutine_threadsafe(start(app, "127.0.0.1", 0), loop).result(10)
    base = f"http://127.0.0.1:{server.port}"
    rows = []
    load = os.getloadavg()[0]
    for path in URLS:
        cold, p50, p95, cpu = measure(base, path, args.rounds)
        rows.append((path, cold, p50, p95, cpu))
        print(
            f"{path:45} cold {cold:7.1f} ms  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
            f"CPU {cpu:5.1f} ms",
            flush=True,
        )
    load = max(load, os.getloadavg()[0])
    server.close()
    asyncio.run_coroutine_threadsafe(server.wait_closed(), loop).result(10)
    store.close()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        "",
        f"## {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: dashboard with {args.events:,} events",
        "",
        f"- Python {platform.python_version()}; SQLite; monitor at git {commit}; "
        f"{args.rounds} sequential requests per URL over HTTP (uvicorn, 127.0.0.1), 500 unread",
        f"- nproc {os.cpu_count()}, load average up to {load:.1f} during the run (other work "
        "on the machine lengthens wall times; CPU per request is the steadier number)",
        "- target: the events page and the API's first page under 50 ms p95",
        "",
        "| URL | first request ms | p50 ms | p95 ms | CPU ms/request |",
        "|---|---:|---:|---:|---:|",
        *(f"| `{p}` | {c:.1f} | {m:.1f} | {n:.1f} | {u:.1f} |" for p, c, m, n, u in rows),
    ]
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
