"""`monitor worker`: several workers share one PostgreSQL (procrastinate), and a second
`monitor run` on one database refuses to start.

Real PostgreSQL (a database per test), real HTTP servers on loopback that log every
request's start and end, real worker processes where the process boundary is the
point (SIGKILL, SIGSTOP); in-process otherwise.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO, _drop_postgres, _postgres_url, registry_page
from test_daemon_run import get
from test_notify_e2e import Hooks, free_port

from monitor.cli import main

COLUMNS = "{name: Name, role: Position, appointed: Appointed}"


# ---------------------------------------------------------------- servers


@dataclass
class Request:
    path: str
    start: float
    end: float


@dataclass
class LogServer:
    """Registry pages on one loopback address; every request's start and end is logged.

    ``hold`` names a page whose first request is answered only when ``release`` is set.
    """

    host: str = "127.0.0.1"
    delay: float = 0.02  # each answer takes this long, so overlapping checks would show
    pages: dict[str, str] = field(default_factory=dict)
    log: list[Request] = field(default_factory=list)
    hold: str | None = None
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        srv = self
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                start = time.monotonic()
                with srv.lock:
                    first = srv.hold == self.path and not any(r.path == self.path for r in srv.log)
                    srv.log.append(Request(self.path, start, float("inf")))
                    mine = srv.log[-1]
                if first:
                    srv.release.wait(60)
                time.sleep(srv.delay)
                body = srv.pages.get(self.path, "").encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                mine.end = time.monotonic()

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((self.host, 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.httpd.server_address[1]}{path}"

    def requests(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.log if r.path == path]

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def page(n: int, joined: bool = False) -> str:
    officers = [(f"Holder Number{n:03d}", "Director", "2020-01-01")]
    if joined:
        officers.append((f"Newcomer Number{n:03d}", "Secretary", "2026-11-30"))
    return registry_page(f"Company {n:03d}", officers)


def watch_list(state: str, sources: list[tuple[str, str]], *, interval: str, extra: str) -> str:
    """One company per (name, url), all on the default interval."""
    companies = "".join(
        f"  - name: Company {name}\n    sources:\n"
        f"      - {{kind: html, name: {name}, url: '{url}', columns: {COLUMNS}}}\n"
        for name, url in sources
    )
    return (
        f"state: {state}\ndefaults:\n  interval: {interval}\n  jitter: 0.1\n{extra}"
        f"companies:\n{companies}"
    )


@pytest.fixture
def pg_url() -> Iterator[str]:
    url = _postgres_url()
    yield url
    _drop_postgres(url)


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - started


def spawn(config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", "-c", str(config), *args],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )


def stop_all(procs: list[subprocess.Popen[str]]) -> list[str]:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGCONT)
            proc.terminate()
    logs = []
    for proc in procs:
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        logs.append(err)
    return logs


def answers(url: str) -> bool:
    try:
        return get(url)[0] == 200
    except OSError:
        return False


def max_in_window(starts: list[float], seconds: float) -> int:
    starts = sorted(starts)
    best, lo = 0, 0
    for hi, at in enumerate(starts):
        while at - starts[lo] >= seconds:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


# ---------------------------------------------------------------- single node


@pytest.mark.e2e  # the first `monitor run` is a real process
@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_second_monitor_run_on_one_database_refuses(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    state = (
        f"sqlite:///{tmp_path / 'state.db'}"
        if kind == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    srv = LogServer()
    srv.pages["/p"] = page(1)
    config = tmp_path / "watch.yaml"
    config.write_text(
        watch_list(state, [("p", srv.url("/p"))], interval="1h", extra=""), encoding="utf-8"
    )
    first = spawn(config, "run")
    try:
        wait_for(lambda: srv.requests("/p"), 20, "the first monitor run to check its source")
        second = CliRunner().invoke(main, ["-c", str(config), "run", "--once"])
        assert second.exit_code == 2, second.output
        assert f"pid {first.pid}" in second.output
        assert "monitor worker" in second.output and "already in use" in second.output
        assert "Traceback" not in second.output
        assert len(srv.requests("/p")) == 1  # the refused one fetched nothing
        status = CliRunner().invoke(main, ["-c", str(config), "status", "--json"])
        processes = json.loads(status.output)["processes"]
        assert [(p["role"], p["pid"]) for p in processes] == [("run", first.pid)]

        # A worker cannot join a database a `monitor run` holds either.
        if kind == "postgresql":
            worker = CliRunner().invoke(main, ["-c", str(config), "worker"])
            assert worker.exit_code == 2 and "stop `monitor run` first" in worker.output

        first.kill()  # a killed one leaves its row behind: it must not block a restart
        first.wait()
        again = CliRunner().invoke(main, ["-c", str(config), "run", "--once"])
        assert again.exit_code == 0, again.output
    finally:
        stop_all([first])
        srv.close()


@pytest.mark.postgres
def test_monitor_run_refuses_a_database_workers_use(tmp_path: Path, pg_url: str) -> None:
    from monitor.store import Store
    from monitor.store.guard import Guard

    config = tmp_path / "watch.yaml"
    config.write_text(watch_list(pg_url, [], interval="1h", extra="") + "  []\n")
    store = Store(pg_url)
    try:
        with Guard(store.engine, "worker"):  # what a running `monitor worker` holds
            result = CliRunner().invoke(main, ["-c", str(config), "run", "--once"])
        assert result.exit_code == 2, result.output
        assert "`monitor worker` (pid" in result.output
        assert "start another `monitor worker` instead" in result.output
        after = CliRunner().invoke(main, ["-c", str(config), "run", "--once"])
        assert after.exit_code == 0, after.output  # the worker gone, the database is free
    finally:
        store.close()


def test_monitor_worker_on_sqlite_says_to_use_monitor_run(tmp_path: Path) -> None:
    config = tmp_path / "watch.yaml"
    config.write_text(
        watch_list(f"sqlite:///{tmp_path / 's.db'}", [], interval="1h", extra="") + "  []\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["-c", str(config), "worker"])
    assert result.exit_code == 2
    assert "needs a PostgreSQL state database" in result.output
    assert "monitor run" in result.output


# ---------------------------------------------------------------- pieces, in-process


@pytest.mark.postgres
def test_worker_init_creates_the_schema_once(tmp_path: Path, pg_url: str) -> None:
    config = tmp_path / "watch.yaml"
    config.write_text(watch_list(pg_url, [], interval="1h", extra="") + "  []\n")
    first = CliRunner().invoke(main, ["-c", str(config), "worker", "--init"])
    assert first.exit_code == 0 and "schema created" in first.output, first.output
    second = CliRunner().invoke(main, ["-c", str(config), "worker", "--init"])
    assert second.exit_code == 0 and "already in place" in second.output, second.output


@pytest.mark.postgres
def test_a_late_result_of_a_superseded_check_is_not_saved(pg_url: str) -> None:
    from monitor.store import CheckOutcome, SourceRecord, Store, utcnow
    from monitor.worker import fence
    from monitor.worker.schema import ensure_schema

    store = Store(pg_url)
    try:
        ensure_schema(store.engine)
        now = utcnow()
        row = store.sync_sources([SourceRecord("s", "html", "Co", "http://x/", 60)], now)["s"]
        frozen = fence.take(store.engine, row.id, "frozen worker")
        rerun = fence.take(store.engine, row.id, "other worker")
        outcome = CheckOutcome(row.id, "s", now, now, "unchanged", etag="late")
        with pytest.raises(fence.StaleCheck):
            store.save([outcome], guard=fence.guard(row.id, frozen))
        assert store.source_rows()[0].last_checked_at is None  # nothing written
        store.save([outcome], guard=fence.guard(row.id, rerun))
        assert store.source_rows()[0].etag == "late"
    finally:
        store.close()


@pytest.mark.postgres
def test_host_limit_holds_across_processes_sharing_the_database(pg_url: str) -> None:
    """Three limiters on three engines (as three workers would have) ask one host at
    once; the starts they are given keep 8 per second in every 1 s window."""
    from monitor.fetch import HostPolicy
    from monitor.store import Store
    from monitor.worker.limits import SharedLimiter
    from monitor.worker.schema import ensure_schema

    stores = [Store(pg_url) for _ in range(3)]
    ensure_schema(stores[0].engine)
    starts: list[float] = []

    async def requests(limiter: SharedLimiter) -> None:
        for _ in range(2):
            await limiter("registry.example", HostPolicy(rate=8))
            starts.append(time.monotonic())

    async def scenario() -> None:
        limiters = [SharedLimiter(s.engine) for s in stores]
        await asyncio.gather(*(requests(lim) for lim in limiters for _ in range(2)))

    try:
        asyncio.run(scenario())
    finally:
        for store in stores:
            store.close()
    assert len(starts) == 12
    assert max_in_window(starts, 1.0) <= 8
    assert max(starts) - min(starts) >= 1.3  # 12 starts at 8/s: the limit was applied


@pytest.mark.postgres
def test_the_schedule_survives_a_restart(tmp_path: Path, pg_url: str) -> None:
    """A restarted worker checks nothing before its time: the schedule is in the database."""
    from monitor.config import load_config
    from monitor.notify import install
    from monitor.store import Store
    from monitor.worker.run import Options, Worker
    from monitor.worker.schema import ensure_schema

    srv = LogServer()
    for n in range(5):
        srv.pages[f"/h{n}"] = page(n)
    srv.pages["/fast"] = page(9)
    hourly = [(f"h{n}", srv.url(f"/h{n}")) for n in range(5)]
    config = tmp_path / "watch.yaml"
    unlimited = 'hosts:\n  "127.0.0.1": {rate: none, concurrency: 8}\n'
    text = watch_list(pg_url, hourly, interval="1h", extra=unlimited)
    text += f"  - name: Fast\n    sources:\n      - {{kind: html, name: fast, url: '{srv.url('/fast')}', interval: 1s, columns: {COLUMNS}}}\n"
    config.write_text(text, encoding="utf-8")
    loaded = load_config(str(config))
    options = Options(tick=1, heartbeat=1.0, stalled_after=4.0, signals=False, grace=2.0)

    async def run_until(condition: Callable[[], bool], timeout: float) -> None:
        store = Store(pg_url)
        install(store, loaded)
        ensure_schema(store.engine)
        worker = Worker(loaded, store, options)
        task = asyncio.create_task(worker.run())
        started = time.monotonic()
        while not condition() and time.monotonic() - started < timeout:
            await asyncio.sleep(0.05)
        worker.stop()
        assert await task == 0
        store.close()

    try:
        asyncio.run(run_until(lambda: all(srv.requests(f"/h{n}") for n in range(5)), 20))
        assert all(len(srv.requests(f"/h{n}")) == 1 for n in range(5))
        fast_before = len(srv.requests("/fast"))
        asyncio.run(run_until(lambda: len(srv.requests("/fast")) >= fast_before + 1, 20))
        assert len(srv.requests("/fast")) > fast_before  # the restarted one works
        assert all(len(srv.requests(f"/h{n}")) == 1 for n in range(5))  # and kept the hour
    finally:
        srv.close()


# ---------------------------------------------------------------- several processes


@pytest.mark.postgres
@pytest.mark.e2e
def test_a_killed_workers_check_runs_elsewhere_within_seconds(tmp_path: Path, pg_url: str) -> None:
    srv = LogServer(hold="/held")
    srv.pages["/held"] = page(1)
    config = tmp_path / "watch.yaml"
    config.write_text(
        watch_list(pg_url, [("held", srv.url("/held"))], interval="1h", extra=""),
        encoding="utf-8",
    )
    first = spawn(config, "worker", "--stalled-after", "2", "--grace", "1")
    procs = [first]
    try:
        wait_for(lambda: srv.requests("/held"), 20, "the first worker to start the check")
        port = free_port()
        second = ("worker", "--stalled-after", "2", "--grace", "1", "--http", f"127.0.0.1:{port}")
        procs.append(spawn(config, *second))
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthz"), 20, "the second worker")
        first.kill()
        killed = time.monotonic()
        wait_for(lambda: len(srv.requests("/held")) >= 2, 20, "the check to run again")
        rerun = srv.requests("/held")[1].start - killed
        print(f"re-run {rerun:.2f}s after SIGKILL (stalled after 2 s)")
        assert rerun < 2 + 5
        time.sleep(1.0)
        assert len(srv.requests("/held")) == 2
        status, metrics = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert 'monitor_checks_total{status="baseline"} 1' in metrics  # the re-run was its
        for gauge in ("monitor_queue_depth", "monitor_sources_overdue", "monitor_jobs_stalled"):
            assert f"\n{gauge} " in metrics
    finally:
        stop_all(procs)
        srv.close()


@pytest.mark.postgres
@pytest.mark.e2e
def test_several_workers_one_alert_per_change_no_overlap_and_a_shared_host_limit(
    tmp_path: Path, pg_url: str
) -> None:
    # 500 sources, the size the scale-out promises (40 s at a load of 4-6 on two cores);
    # MONITOR_WORKER_SOURCES=80 for a quicker look while working on the worker.
    count = int(os.environ.get("MONITOR_WORKER_SOURCES", "500"))
    interval = float(max(3, count // 40))
    fast = LogServer("127.0.0.1")
    slow = LogServer("127.0.0.2")  # a host allowed 2 requests/s in all
    hooks = Hooks()
    hooks.start()
    names = [(f"s{n:03d}", fast.url(f"/p{n}")) for n in range(count)]
    names += [(f"r{n:03d}", slow.url(f"/p{n}")) for n in range(10)]
    for n in range(count):
        fast.pages[f"/p{n}"] = page(n)
    for n in range(10):
        slow.pages[f"/p{n}"] = page(500 + n)
    extra = (
        "  notify: [hook]\n"
        f'channels:\n  hook: "{hooks.url("/alerts")}"\n'
        "hosts:\n"
        '  "127.0.0.1": {rate: none, concurrency: 8}\n'
        '  "127.0.0.2": {rate: 2/s, concurrency: 2}\n'
    )
    config = tmp_path / "watch.yaml"
    text = watch_list(pg_url, names, interval=f"{interval:g}s", extra=extra)
    # The 2/s host's sources are due every second: five times what the limit lets through.
    config.write_text(text.replace("name: r", "interval: 1s, name: r"), encoding="utf-8")
    args = ("worker", "--stalled-after", "2", "--concurrency", "16", "--grace", "2")
    procs = [spawn(config, *args) for _ in range(3)]
    changed: list[int] = []

    def change(numbers: range) -> None:
        for n in numbers:
            fast.pages[f"/p{n}"] = page(n, joined=True)
            changed.append(n)

    try:
        every = [f"/p{n}" for n in range(count)]
        wait_for(lambda: all(fast.requests(p) for p in every), 30 + count / 10, "every baseline")
        change(range(0, 10))
        time.sleep(1.0)
        procs[0].kill()  # SIGKILL mid-run, then back up (a supervisor would do this)
        procs[0].wait()
        time.sleep(1.0)
        procs[0] = spawn(config, *args)
        change(range(10, 20))
        procs[1].send_signal(signal.SIGSTOP)  # frozen longer than the stalled timeout
        frozen = time.monotonic()
        time.sleep(3.5)
        procs[1].send_signal(signal.SIGCONT)
        woken = time.monotonic()
        change(range(20, 30))

        def alerted(n: int) -> int:
            who = f"Newcomer Number{n:03d}"
            return sum(1 for p in hooks.to("/alerts") if who in json.dumps(p.body))

        wait_for(lambda: all(alerted(n) for n in changed), 40, "every change to be alerted")
        end = time.monotonic()
        time.sleep(interval + 1)  # time enough for a duplicate to show
        counts = {n: alerted(n) for n in changed}
        assert set(counts.values()) == {1}, counts

        # No page was ever fetched by two workers at once.
        for server in (fast, slow):
            for path in {r.path for r in server.log}:
                reqs = sorted(server.requests(path), key=lambda r: r.start)
                for a, b in itertools.pairwise(reqs):
                    assert b.start >= a.end, f"{server.host}{path} checked twice at once"

        # Every source was checked again within its interval + 30 s, kills and all.
        worst = 0.0
        for path in every:
            starts = [r.start for r in fast.requests(path)]
            gaps = [b - a for a, b in itertools.pairwise(starts)]
            assert max(gaps) <= interval * 1.1 + 30, (path, max(gaps))
            worst = max(worst, *gaps)
            assert starts[-1] >= end - (interval * 1.1 + 30)

        # The 2/s host: never more than 2 request starts in any 1 s window, all workers.
        slow_starts = [r.start for r in slow.log]
        used = len(slow_starts) / (max(slow_starts) - min(slow_starts))
        print(
            f"{count} sources every {interval:g}s: {len(fast.log)} checks, {len(changed)} "
            f"changes alerted once each, longest gap {worst:.1f}s, 2/s host asked "
            f"{len(slow_starts)} times, {used:.2f}/s, at most {max_in_window(slow_starts, 1.0)} in 1 s"
        )
        assert used >= 1.0, used  # asked five times too often: the limit is what holds it
        assert max_in_window(slow_starts, 1.0) <= 2, (
            frozen,
            woken,
            [
                [(round(r.start - frozen, 3), r.path) for r in slow.log if 0 <= r.start - t < 1]
                for t in slow_starts
                if sum(1 for u in slow_starts if 0 <= u - t < 1) > 2
            ],
        )
    finally:
        logs = stop_all(procs)
        fast.close()
        slow.close()
        hooks.stop()
    for log in logs:
        assert "Traceback" not in log, log[log.index("Traceback") - 500 :][:4000]


def test_compose_file_runs_three_restarting_workers_on_one_postgresql() -> None:
    """compose.workers.yaml cannot be run here (no Docker engine); its structure is checked."""
    import yaml

    compose = yaml.safe_load((REPO / "compose.workers.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert "healthcheck" in services["postgres"]
    workers = {
        n: s for n, s in services.items() if s.get("command", [None])[:2] == ["monitor", "worker"]
    }
    assert len(workers) == 3
    for service in workers.values():
        assert service["restart"] in ("always", "unless-stopped")  # a supervisor restarts it
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        state = service["environment"]["MONITOR_STATE"]
        assert state.startswith("postgresql+psycopg://") and "@postgres:5432/" in state
        assert service["environment"]["MONITOR_HTTP"].endswith(":8080")
        assert "./config:/app/config:ro" in service["volumes"]
    assert "pgdata" in compose["volumes"]
