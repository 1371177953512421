"""`monitor worker` on PostgreSQL: throughput, database time per check, overlaps, takeover.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, trust auth):

    .venv/bin/python bench/workers.py [--sources 10000] [--workers 1,2,3]

For each worker count K, a fresh database and K `monitor worker` processes drain a
backlog of N due sources served by a local HTTP server, and the script reports:
checks per second (server requests in a steady window); CPU per check of the
workers and of PostgreSQL's backends (from /proc: what a check costs, whatever else
the machine runs); PostgreSQL's active time and the workers' wall time in the
database per check (these grow with the machine's load); checks of one source that
overlapped (server log); sources overdue and jobs waiting at the end; and, with
K >= 2, how long after a SIGKILL the killed worker's check started again elsewhere.
Appends a dated section to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "RESULTS.md"
ADMIN = os.environ.get("MONITOR_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TICK = os.sysconf("SC_CLK_TCK")
PAGE = (
    b"<html><body><table><tr><th>Name</th><th>Position</th></tr>"
    b"<tr><td>Lei Jun</td><td>Director</td></tr></table></body></html>"
)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """Every path answers PAGE; '/held' holds its first request until ``release``."""

    starts: dict[str, list[float]] = field(default_factory=dict)
    overlaps: int = 0
    total: int = 0
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        srv = self
        self.lock = threading.Lock()
        self.busy: set[str] = set()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with srv.lock:
                    srv.total += 1
                    srv.starts.setdefault(self.path, []).append(time.monotonic())
                    # '/held' is held on purpose; its killed checker leaves it open.
                    if self.path in srv.busy and self.path != "/held":
                        srv.overlaps += 1
                    srv.busy.add(self.path)
                    first = self.path == "/held" and len(srv.starts[self.path]) == 1
                try:
                    if first:
                        srv.release.wait(120)
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(PAGE)))
                    self.end_headers()
                    self.wfile.write(PAGE)
                finally:
                    with srv.lock:
                        srv.busy.discard(self.path)

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.request_queue_size = 1024
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def watch_list(state: str, base: str, sources: int, interval: str) -> str:
    lines = [
        f"state: {state}",
        f"defaults: {{interval: {interval}, jitter: 0.1}}",
        'hosts: {"127.0.0.1": {rate: none, concurrency: 64}}',
        "companies:",
        "  - name: Held Co",
        "    sources:",
        f"      - {{kind: html, name: held, url: '{base}/held', "
        "columns: {name: Name, role: Position}}",
    ]
    per = 100
    for c in range(0, sources, per):
        lines += [f"  - name: Company {c // per}", "    sources:"]
        for n in range(c, min(c + per, sources)):
            lines.append(
                f"      - {{kind: html, name: s{n}, url: '{base}/p{n}', "
                "columns: {name: Name, role: Position}}"
            )
    return "\n".join(lines) + "\n"


def metric(body: str, name: str) -> float:
    total = 0.0
    for match in re.finditer(rf"^{re.escape(name)}(?:\{{[^}}]*\}})? ([0-9.e+-]+)$", body, re.M):
        total += float(match.group(1))
    return total


def scrape(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            return str(answer.read().decode())
    except OSError:
        return ""


@dataclass
class Row:
    workers: int
    checks_per_s: float
    worker_cpu_ms_per_check: float  # CPU time of the worker processes, per check
    pg_cpu_ms_per_check: float  # CPU time of the database's backends, per check
    pg_ms_per_check: float  # PostgreSQL's active time in the database, per check
    db_ms_per_check: float  # as the workers see it: threads, pool and GIL waits included
    overlaps: int
    overdue: float
    queued: float
    requeue_s: float | None
    startup_s: float


def run(k: int, sources: int, window: float, concurrency: int, stalled: float) -> Row:
    name = f"monitor_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = ADMIN.rsplit("/", 1)[0] + f"/{name}"
    server = Server()
    procs: list[subprocess.Popen[bytes]] = []
    tmp = Path(tempfile.mkdtemp(prefix="monitor-bench-"))
    try:
        config = tmp / "watch.yaml"
        config.write_text(watch_list(url, server.base, sources, "1h"), encoding="utf-8")
        base = [sys.executable, "-m", "monitor", "-c", str(config)]
        subprocess.run([*base, "worker", "--init"], cwd=REPO, check=True, capture_output=True)
        ports = [free_port() for _ in range(k)]
        started = time.monotonic()
        for port in ports:
            args = ["worker", "--concurrency", str(concurrency), "--http", f"127.0.0.1:{port}"]
            args += ["--stalled-after", str(stalled), "--grace", "2"]
            procs.append(
                subprocess.Popen(
                    [*base, *args],
                    cwd=REPO,
                    stdout=subprocess.DEVNULL,
                    stderr=open(tmp / f"w{port}.log", "wb"),  # noqa: SIM115
                )
            )
        while server.total == 0:
            time.sleep(0.05)
        startup = time.monotonic() - started
        time.sleep(3.0)  # past the ramp-up
        before, t0, active0 = server.total, time.monotonic(), active_ms(admin, name)
        cpu0, own0 = backend_cpu(admin, name), process_cpu(procs)
        time.sleep(window)
        done = server.total - before
        pg_cpu_ms = 1000 * cpu_between(cpu0, backend_cpu(admin, name)) / max(1, done)
        worker_cpu_ms = 1000 * (process_cpu(procs) - own0) / max(1, done)
        rate = done / (time.monotonic() - t0)
        time.sleep(1.0)  # backends report their statistics about once a second
        pg_ms = (active_ms(admin, name) - active0) / done if done else 0.0
        requeue = takeover(server, url, procs) if k >= 2 else None
        bodies = [scrape(p) for p in ports]
        checks = sum(metric(b, "monitor_checks_total") for b in bodies)
        db = sum(metric(b, "monitor_check_db_seconds") for b in bodies)
        last = next((b for b in bodies if b), "")
        return Row(
            k,
            rate,
            worker_cpu_ms,
            pg_cpu_ms,
            pg_ms,
            1000 * db / checks if checks else 0.0,
            server.overlaps,
            metric(last, "monitor_sources_overdue"),
            metric(last, "monitor_queue_depth"),
            requeue,
            startup,
        )
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        server.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def active_ms(admin: Any, name: str) -> float:
    """Milliseconds PostgreSQL spent executing statements in database ``name``."""
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_stat_clear_snapshot()"))
        value = conn.execute(
            text("SELECT active_time FROM pg_stat_database WHERE datname = :n"), {"n": name}
        ).scalar()
    return float(value or 0.0)


def backend_cpu(admin: Any, name: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving database ``name`` (same host)."""
    with admin.connect() as conn:
        pids = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = :n"), {"n": name}
        ).scalars()
        out: dict[int, float] = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[int(pid)] = (int(fields[11]) + int(fields[12])) / TICK
    return out


def process_cpu(procs: list[subprocess.Popen[bytes]]) -> float:
    """CPU seconds so far of the worker processes still alive."""
    total = 0.0
    for proc in procs:
        try:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(v - before.get(pid, 0.0) for pid, v in after.items())


def takeover(server: Server, url: str, procs: list[subprocess.Popen[bytes]]) -> float | None:
    """SIGKILL the worker checking '/held'; seconds until the check starts elsewhere."""
    deadline = time.monotonic() + 120
    while "/held" not in server.starts and time.monotonic() < deadline:
        time.sleep(0.05)
    engine = create_engine(url)
    holder = None
    while holder is None and time.monotonic() < deadline:
        with engine.connect() as conn:
            holder = conn.execute(
                text(
                    "SELECT f.holder FROM monitor_fences f JOIN sources s ON s.id = f.source_id "
                    "WHERE s.key = 'held'"
                )
            ).scalar()
        time.sleep(0.05)
    engine.dispose()
    if holder is None:
        return None
    pid = int(str(holder).rsplit(":", 1)[1])
    victim = next(p for p in procs if p.pid == pid)
    victim.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    while len(server.starts.get("/held", [])) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    again = server.starts.get("/held", [])
    return again[1] - killed if len(again) >= 2 else None


def git_commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    return out.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--window", type=float, default=20.0, help="seconds measured")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--stalled-after", type=float, default=10.0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    rows = []
    for k in (int(x) for x in args.workers.split(",")):
        row = run(k, args.sources, args.window, args.concurrency, args.stalled_after)
        print(row, flush=True)
        rows.append(row)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"\n## {now}: `monitor worker` on PostgreSQL (bench/workers.py)\n",
        f"- nproc: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f} at the end; "
        f"{platform.processor() or platform.machine()}; "
        f"Python {platform.python_version()}; monitor at git {git_commit()}",
        f"- N = {args.sources} sources due at once on one local HTTP server (host limit off), "
        f"--concurrency {args.concurrency}, --stalled-after {args.stalled_after:g}; "
        f"checks/s over {args.window:g} s after a 3 s ramp-up; workers, PostgreSQL and the "
        "server share the machine",
        "",
        "| workers | checks/s | worker CPU ms/check | PostgreSQL CPU ms/check | "
        "PostgreSQL active ms/check | "
        "worker DB wall ms/check | overlapping checks | overdue at end | queued at end | "
        "re-run after SIGKILL s | first check after start s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        requeue = f"{r.requeue_s:.2f}" if r.requeue_s is not None else "-"
        lines.append(
            f"| {r.workers} | {r.checks_per_s:.0f} | {r.worker_cpu_ms_per_check:.2f} | "
            f"{r.pg_cpu_ms_per_check:.2f} | "
            f"{r.pg_ms_per_check:.2f} | "
            f"{r.db_ms_per_check:.1f} | {r.overlaps} | "
            f"{r.overdue:.0f} | {r.queued:.0f} | {requeue} | {r.startup_s:.1f} |"
        )
    text_out = "\n".join(lines) + "\n"
    print(text_out)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(text_out)


if __name__ == "__main__":
    main()
