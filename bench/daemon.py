"""The daemon's own overhead: idle RSS and CPU with many sources, and check-time drift.

Run from the repository root:  .venv/bin/python bench/daemon.py [--sources 10000]
Appends a dated section to bench/RESULTS.md. Not a timed test: numbers depend on
the machine. Targets: idle RSS <= 150 MB and idle CPU < 2% with 10,000 sources.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "RESULTS.md"
PAGE = (
    b"<html><body><table><tr><th>Name</th><th>Position</th></tr>"
    b"<tr><td>Lei Jun</td><td>Director</td></tr></table></body></html>"
)
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def watch_list(state: Path, base: str, sources: int, interval: str, per_entry: int) -> str:
    lines = [
        f"state: sqlite:///{state}",
        f"defaults: {{interval: {interval}, jitter: 0}}",
        'hosts: {"127.0.0.1": {rate: none, concurrency: 50}}',
        "companies:",
    ]
    for entry in range(0, sources, per_entry):
        lines.append(f"  - name: Company {entry}")
        lines.append("    sources:")
        for i in range(entry, min(entry + per_entry, sources)):
            lines.append(f"      - {{kind: html, url: {base}/c{i}, columns: {{name: Name}}}}")
    return "\n".join(lines) + "\n"


@contextmanager
def page_server() -> Iterator[tuple[str, dict[str, list[float]]]]:
    hits: dict[str, list[float]] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            hits.setdefault(self.path, []).append(time.monotonic())
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def seed_not_due(config: Path) -> None:
    """Register every source with its next check a day away: the daemon starts idle."""
    sys.path.insert(0, str(REPO))
    from sqlalchemy import update

    from monitor.check import build_sources, source_record
    from monitor.config import load_config
    from monitor.store import Store, utcnow
    from monitor.store.tables import sources

    loaded = load_config(config)
    store = Store(loaded.config.state)
    records = [source_record(s, loaded.config) for s in build_sources(loaded.config)]
    store.sync_sources(records, utcnow())
    with store.engine.begin() as conn:
        conn.execute(update(sources).values(next_check_at=utcnow() + dt.timedelta(days=1)))
    store.close()


def proc_sample(pid: int) -> tuple[float, float, float]:
    """(CPU seconds so far, RSS MB, peak RSS MB) of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICK
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
    return cpu, rss, hwm


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@contextmanager
def daemon(config: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "-c", str(config), "run", "--http", f"127.0.0.1:{port}"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def idle(sources: int, window: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "monitor.yaml"
        config.write_text(
            watch_list(Path(tmp) / "s.db", "http://127.0.0.1:9", sources, "1d", 10),
            encoding="utf-8",
        )
        seed_not_due(config)
        port = free_port()
        started = time.monotonic()
        with daemon(config, port) as proc:
            while not healthy(port):
                if proc.poll() is not None:
                    raise SystemExit("the daemon exited during startup")
                time.sleep(0.1)
            startup = time.monotonic() - started
            time.sleep(5)  # let startup garbage settle
            cpu0, _, _ = proc_sample(proc.pid)
            t0 = time.monotonic()
            time.sleep(window)
            cpu1, rss, hwm = proc_sample(proc.pid)
            elapsed = time.monotonic() - t0
    return {
        "startup_s": startup,
        "rss_mb": rss,
        "peak_rss_mb": hwm,
        "cpu_pct": 100 * (cpu1 - cpu0) / elapsed,
        "window_s": elapsed,
    }


def drift(sources: int, interval: int, duration: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, page_server() as (base, hits):
        config = Path(tmp) / "monitor.yaml"
        config.write_text(
            watch_list(Path(tmp) / "s.db", base, sources, f"{interval}s", 10), encoding="utf-8"
        )
        port = free_port()
        with daemon(config, port):
            time.sleep(duration)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
                metrics = answer.read().decode()
    late = [(b - a) - interval for times in hits.values() for a, b in pairwise(times)]
    late.sort()
    lag_sum = float(re.search(r"monitor_schedule_lag_seconds_sum (\S+)", metrics).group(1))  # type: ignore[union-attr]
    lag_count = float(re.search(r"monitor_schedule_lag_seconds_count (\S+)", metrics).group(1))  # type: ignore[union-attr]
    return {
        "checks": float(len(late)),
        "median_s": statistics.median(late),
        "p95_s": late[int(0.95 * (len(late) - 1))],
        "max_s": late[-1],
        "dispatch_lag_mean_s": lag_sum / lag_count if lag_count else 0.0,
    }


def section(args: argparse.Namespace, quiet: dict[str, float], moving: dict[str, float]) -> str:
    stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    ms = {k: f"{moving[k] * 1000:.0f} ms" for k in ("median_s", "p95_s", "max_s")}
    lag = f"{moving['dispatch_lag_mean_s'] * 1000:.1f} ms"
    rss_ok = "PASS" if quiet["rss_mb"] <= 150 else "FAIL"
    cpu_ok = "PASS" if quiet["cpu_pct"] < 2 else "FAIL"
    return f"""
## {stamp} — daemon overhead (bench/daemon.py)

- nproc: {os.cpu_count()}; Python {platform.python_version()}; monitor at git {commit}

Idle: `monitor run --http` with {args.sources} configured sources, none due (next check a day
away), sampled over {quiet["window_s"]:.0f} s after startup.

| measure | value | target |
|---|---:|---|
| startup until /healthz answers | {quiet["startup_s"]:.1f} s | |
| idle RSS | {quiet["rss_mb"]:.1f} MB (peak {quiet["peak_rss_mb"]:.1f} MB) | <= 150 MB: {rss_ok} |
| idle CPU | {quiet["cpu_pct"]:.2f} % | < 2 %: {cpu_ok} |

Drift: {args.drift_sources} sources every {args.interval} s (jitter 0) against a local server
for {args.duration:.0f} s; lateness = gap between two checks of a source minus the interval.

| checks | median late | p95 late | max late | mean dispatch lag |
|---:|---:|---:|---:|---:|
| {moving["checks"]:.0f} | {ms["median_s"]} | {ms["p95_s"]} | {ms["max_s"]} | {lag} |
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=30.0, help="idle sampling seconds")
    parser.add_argument("--drift-sources", type=int, default=200)
    parser.add_argument("--interval", type=int, default=5)
    parser.add_argument("--duration", type=float, default=40.0)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    quiet = idle(args.sources, args.window)
    moving = drift(args.drift_sources, args.interval, args.duration)
    text = section(args, quiet, moving)
    print(text)
    if not args.no_append:
        with args.results.open("a", encoding="utf-8") as out:
            out.write(text)


if __name__ == "__main__":
    main()
