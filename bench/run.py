"""Throughput benchmark: monitor vs urlwatch vs a raw httpx fetch floor, same pages.

Run from the repository root:  .venv/bin/python bench/run.py --pages 500
See bench/README.md for what the numbers mean.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path

import contenders
import nginx
import pages
from contenders import FLOOR, MONITOR, URLWATCH, Contender

PASSES = ("first", "unchanged", "10% changed")
RESULTS = contenders.BENCH / "RESULTS.md"
CONTENDERS = {"floor": FLOOR, "urlwatch": URLWATCH, "monitor": MONITOR}


@dataclass(frozen=True)
class Measurement:
    contender: str
    pass_name: str
    pages: int
    wall: float
    cpu: float
    max_rss_kb: int
    returncode: int
    summary: str
    startup: float = 0.0

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall if self.wall else 0.0

    @property
    def steady_pages_per_s(self) -> float:
        """Throughput once the process is up: the empty run's wall time taken off."""
        busy = self.wall - self.startup
        return self.pages / busy if busy > 0 else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu / self.pages

    @property
    def rss_mb(self) -> float:
        return self.max_rss_kb / 1024


@dataclass(frozen=True)
class ChildRun:
    wall: float
    cpu: float
    max_rss_kb: int
    returncode: int
    output: str


# --- measuring one child process --------------------------------------------


def kill_group(process: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def run_child(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> ChildRun:
    """Run a command to completion and return its wall time and its own rusage.

    wait4() on the child gives the CPU time and peak RSS of that child and of every
    descendant it waited for, and nothing else in this process tree (not nginx).
    """
    log = cwd / "output.log"
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        timer = threading.Timer(timeout, kill_group, (process,))
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    output = log.read_text(encoding="utf-8", errors="replace")
    if process.returncode == -signal.SIGKILL:
        output += f"\n[killed after {timeout:.0f}s]"
    return ChildRun(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, process.returncode,
                    output)


def child_env(home: Path) -> dict[str, str]:
    """The caller's environment with HOME and XDG dirs inside the contender's state dir."""
    env = dict(os.environ)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_CACHE_HOME=str(home / ".cache"), NO_COLOR="1")
    return env


# --- running the passes -------------------------------------------------------


def slug(text: str) -> str:
    return re.sub(r"\W+", "-", text).strip("-")


def state_dir(work: Path, contender: Contender, run: int) -> Path:
    return work / f"{slug(contender.name)}-{run}"


def measure_contender(
    contender: Contender, site: Path, state: Path, urls: list[str], seed: int
) -> list[Measurement]:
    """First pass on cold state, unchanged pass, then a pass after 10% of pages changed."""
    pages.write_originals(site, len(urls), seed)
    state.mkdir(parents=True)
    command = contender.prepare(contender.program, state, urls)
    timeout = 60 + 0.5 * len(urls)
    results = []
    for pass_name in PASSES:
        if pass_name == "10% changed":
            pages.write_changes(site, pages.changed_indexes(len(urls), seed), seed)
        run = run_child(command, state, child_env(state), timeout)
        (state / log_name(pass_name)).write_text(run.output, encoding="utf-8")
        summary = contender.summarize(run.output)
        if run.returncode not in (0,):
            summary = f"exit {run.returncode}; {summary}"
        results.append(Measurement(contender.name, pass_name, len(urls), run.wall, run.cpu,
                                   run.max_rss_kb, run.returncode, summary))
        print(f"  {contender.name:16} {pass_name:12} {run.wall:6.2f}s "
              f"{len(urls) / run.wall:7.1f} pages/s  {summary}", flush=True)
    return results


def log_name(pass_name: str) -> str:
    return f"output-{slug(pass_name)}.log"


def combine(runs: list[Measurement]) -> Measurement:
    """Median wall and CPU time over repeated runs of one pass; the highest peak RSS."""
    return replace(
        runs[-1],
        wall=statistics.median(m.wall for m in runs),
        cpu=statistics.median(m.cpu for m in runs),
        max_rss_kb=max(m.max_rss_kb for m in runs),
    )


def measure_startup(contender: Contender, work: Path, repeat: int) -> float:
    """Median wall time of the same command on an empty watch list: the fixed cost."""
    state = work / f"{slug(contender.name)}-empty"
    state.mkdir(parents=True)
    command = contender.prepare(contender.program, state, [])
    return statistics.median(
        run_child(command, state, child_env(state), timeout=60).wall for _ in range(repeat)
    )


def measure_repeated(
    contender: Contender, site: Path, work: Path, urls: list[str], seed: int, repeat: int
) -> list[Measurement]:
    startup = measure_startup(contender, work, repeat)
    runs = [
        measure_contender(contender, site, state_dir(work, contender, run), urls, seed)
        for run in range(1, repeat + 1)
    ]
    return [replace(combine([r[i] for r in runs]), startup=startup) for i in range(len(PASSES))]


# --- report -------------------------------------------------------------------


def results_table(measurements: list[Measurement]) -> str:
    head = (
        "| contender | pass | wall s | pages/s | startup s | pages/s after startup "
        "| CPU ms/page | peak RSS MB | outcome |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---|\n"
    )
    rows = "".join(
        f"| {m.contender} | {m.pass_name} | {m.wall:.2f} | {m.pages_per_s:.0f} | "
        f"{m.startup:.2f} | {m.steady_pages_per_s:.0f} | "
        f"{m.cpu_ms_per_page:.2f} | {m.rss_mb:.1f} | {m.summary.replace('|', '/')} |\n"
        for m in measurements
    )
    return head + rows


def find(measurements: list[Measurement], name: str, pass_name: str) -> Measurement | None:
    return next(
        (m for m in measurements if m.contender == name and m.pass_name == pass_name), None
    )


def peak_rss(measurements: list[Measurement], name: str) -> float | None:
    values = [m.rss_mb for m in measurements if m.contender == name]
    return max(values) if values else None


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def speed(measurements: list[Measurement], name: str, pass_name: str) -> float | None:
    found = find(measurements, name, pass_name)
    return found.pages_per_s if found else None


def verdict(value: float | None, limit: float, at_most: bool = False) -> str:
    if value is None:
        return "n/a (not measured)"
    ok = value <= limit if at_most else value >= limit
    return f"{'PASS' if ok else 'FAIL'} ({value:.2f}x)"


def targets_table(measurements: list[Measurement]) -> str:
    mon, uw, floor = MONITOR.name, URLWATCH.name, FLOOR.name

    def vs(other: str, pass_name: str) -> float | None:
        return ratio(speed(measurements, mon, pass_name), speed(measurements, other, pass_name))

    rows = [
        ("first pass >= 2.5x urlwatch pages/s", verdict(vs(uw, "first"), 2.5)),
        ("first pass >= 0.70x floor pages/s", verdict(vs(floor, "first"), 0.70)),
        ("10% changed >= 2.5x urlwatch pages/s", verdict(vs(uw, "10% changed"), 2.5)),
        ("10% changed >= 0.70x floor pages/s", verdict(vs(floor, "10% changed"), 0.70)),
        ("unchanged >= 3x urlwatch pages/s", verdict(vs(uw, "unchanged"), 3.0)),
        ("peak RSS <= 1.5x urlwatch",
         verdict(ratio(peak_rss(measurements, mon), peak_rss(measurements, uw)), 1.5, True)),
    ]
    return "| target | result (monitor / other) |\n|---|---|\n" + "".join(
        f"| {name} | {result} |\n" for name, result in rows
    )


def ratios_table(measurements: list[Measurement]) -> str:
    def fmt(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f}x"

    lines = ["| pass | monitor / urlwatch | monitor / floor | urlwatch / floor |",
             "|---|---:|---:|---:|"]
    for pass_name in PASSES:
        mon, uw, floor = (
            speed(measurements, c.name, pass_name) for c in (MONITOR, URLWATCH, FLOOR)
        )
        lines.append(f"| {pass_name} pages/s | {fmt(ratio(mon, uw))} | {fmt(ratio(mon, floor))} "
                     f"| {fmt(ratio(uw, floor))} |")
    rss = ratio(peak_rss(measurements, MONITOR.name), peak_rss(measurements, URLWATCH.name))
    lines.append(f"| peak RSS | {fmt(rss)} | | |")
    return "\n".join(lines) + "\n"


def unchanged_parsing_note(outputs: dict[str, str]) -> str:
    parsed = contenders.parsed_count(outputs.get("unchanged", ""))
    if parsed is None:
        return ""
    return f"\nmonitor's unchanged pass reports {parsed} pages parsed (0 means none were).\n"


# --- machine description ------------------------------------------------------


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "unknown"
    match = re.search(r"^model name\s*:\s*(.+)$", text, flags=re.MULTILINE)
    return match.group(1).strip() if match else "unknown"


def command_output(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else "unknown"


def machine_lines(nginx_binary: str, page_count: int, seed: int, repeat: int) -> list[str]:
    revision = command_output(["git", "-C", str(contenders.REPO), "rev-parse", "--short", "HEAD"])
    return [
        f"- nproc: {command_output(['nproc'])}; CPU: {cpu_model()}",
        f"- Python {platform.python_version()}; nginx {nginx.nginx_version(nginx_binary)}; "
        f"urlwatch {contenders.URLWATCH_VERSION}; monitor at git {revision}",
        f"- N = {page_count} pages (seed {seed}), concurrency {contenders.CONCURRENCY}, "
        f"{len(pages.changed_indexes(page_count, seed))} pages changed in the third pass; "
        f"median of {repeat} run(s) per pass, peak RSS is the highest seen",
    ]


def report(measurements: list[Measurement], machine: list[str], notes: str) -> str:
    stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return (
        f"## {stamp}\n\n" + "\n".join(machine) + "\n\n"
        + results_table(measurements) + "\n" + ratios_table(measurements) + "\n"
        + targets_table(measurements) + notes + "\n"
    )


def append_results(path: Path, section: str) -> None:
    if not path.exists():
        path.write_text("# Benchmark results\n\nAppended by `bench/run.py`; newest last.\n\n",
                        encoding="utf-8")
    with path.open("a", encoding="utf-8") as out:
        out.write(section)


# --- entry point --------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=500, help="number of pages (default 500)")
    parser.add_argument("--seed", type=int, default=1, help="page generator seed (default 1)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of the three passes per contender; medians are reported "
                             "(default 3)")
    parser.add_argument("--only", default="floor,urlwatch,monitor",
                        help="comma-separated contenders to run (default: all three)")
    parser.add_argument("--monitor", type=Path, default=contenders.MONITOR_BIN,
                        help="the monitor executable (default .venv/bin/monitor)")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="Markdown file to append to (default bench/RESULTS.md)")
    parser.add_argument("--no-results", action="store_true", help="print only; append nothing")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.pages < 10 or args.repeat < 1:
        parser.error("--pages must be at least 10 and --repeat at least 1")
    unknown = set(args.only.split(",")) - set(CONTENDERS)
    if unknown:
        parser.error(f"unknown contender(s) {sorted(unknown)}; choose from {sorted(CONTENDERS)}")
    return args


def chosen(only: str, monitor: Path) -> list[Contender]:
    names = only.split(",")
    selected = [CONTENDERS[name] for name in CONTENDERS if name in names]
    if "monitor" not in names:
        return selected
    selected[-1] = replace(MONITOR, program=monitor)
    if not selected[-1].available():
        print(f"skipping monitor: {monitor} is missing", flush=True)
        selected.pop()
    return selected


@contextmanager
def workspace(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="monitor-bench-"))
    path.chmod(0o755)  # nginx workers run as an unprivileged user when started as root
    try:
        yield path
    finally:
        if keep:
            print(f"kept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    with workspace(args.keep) as work:
        binary = nginx.ensure_nginx(work / "install.log")
        selected = chosen(args.only, args.monitor)
        if URLWATCH in selected:
            contenders.ensure_urlwatch(work / "install.log")
        site = work / "site"
        pages.write_originals(site, args.pages, args.seed)
        measurements: list[Measurement] = []
        notes = ""
        with nginx.serve(binary, site, work / "nginx", "/company/0001.html") as port:
            urls = [pages.page_url(port, i) for i in range(1, args.pages + 1)]
            print(f"nginx on 127.0.0.1:{port}, {args.pages} pages", flush=True)
            for contender in selected:
                measurements += measure_repeated(contender, site, work, urls, args.seed,
                                                 args.repeat)
                if contender.name == MONITOR.name:
                    last = state_dir(work, MONITOR, args.repeat)
                    notes = unchanged_parsing_note(monitor_outputs(last))
        machine = machine_lines(binary, args.pages, args.seed, args.repeat)
        section = report(measurements, machine, notes)
    print()
    print(section)
    if not args.no_results:
        append_results(args.results, section)
        print(f"appended to {args.results}")
    return 0


def monitor_outputs(state: Path) -> dict[str, str]:
    return {
        name: (state / log_name(name)).read_text(encoding="utf-8", errors="replace")
        for name in PASSES
        if (state / log_name(name)).exists()
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
