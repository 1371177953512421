"""The three contenders: how to set each one up and the command line of one pass.

Each contender gets a fresh state directory, so its first pass starts cold. A pass is
one child process; `run.py` measures it from the outside.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
URLWATCH_VERSION = "2.29"
URLWATCH_VENV = BENCH / ".venv-urlwatch"
MONITOR_BIN = REPO / ".venv" / "bin" / "monitor"
CONCURRENCY = 10


@dataclass(frozen=True)
class Contender:
    """A program under test: `prepare(program, work, urls)` writes its inputs into a fresh
    directory and returns the command line that runs one pass there."""

    name: str
    program: Path
    prepare: Callable[[Path, Path, list[str]], list[str]]
    summarize: Callable[[str], str]

    def available(self) -> bool:
        return self.program.exists() and os.access(self.program, os.X_OK)


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


# --- fetch floor ------------------------------------------------------------


def prepare_floor(python: Path, work: Path, urls: list[str]) -> list[str]:
    urls_file = write_lines(work / "urls.txt", urls)
    return [str(python), str(BENCH / "floor.py"), str(urls_file), str(CONCURRENCY)]


def summarize_floor(output: str) -> str:
    return output.strip().splitlines()[-1] if output.strip() else "no output"


# --- urlwatch ---------------------------------------------------------------

URLWATCH_CONFIG = {
    "display": {"new": True, "error": True, "unchanged": False, "empty-diff": True},
    "report": {
        "text": {"details": True, "footer": False, "minimal": False},
        "stdout": {"enabled": True, "color": False},
    },
}


def ensure_urlwatch(log: Path) -> None:
    """Create urlwatch's own virtualenv on first use."""
    if (URLWATCH_VENV / "bin" / "urlwatch").exists():
        return
    print(f"creating {URLWATCH_VENV} with urlwatch=={URLWATCH_VERSION} (one time)", flush=True)
    with log.open("ab") as out:
        subprocess.run(
            ["python3", "-m", "venv", str(URLWATCH_VENV)], stdout=out, stderr=out,
            timeout=300, check=True,
        )
        subprocess.run(
            [str(URLWATCH_VENV / "bin" / "pip"), "install", "-q", f"urlwatch=={URLWATCH_VERSION}"],
            stdout=out, stderr=out, timeout=600, check=True,
        )


def urlwatch_jobs(urls: list[str]) -> str:
    """urlwatch's urls.yaml: one YAML document per job."""
    jobs = (
        {"name": f"page {i:04d}", "url": url, "filter": "css:table#officers"}
        for i, url in enumerate(urls, 1)
    )
    return yaml.safe_dump_all(jobs, sort_keys=False)


def prepare_urlwatch(urlwatch: Path, work: Path, urls: list[str]) -> list[str]:
    (work / "urls.yaml").write_text(urlwatch_jobs(urls), encoding="utf-8")
    (work / "urlwatch.yaml").write_text(yaml.safe_dump(URLWATCH_CONFIG), encoding="utf-8")
    (work / "hooks.py").write_text("", encoding="utf-8")
    return [
        str(urlwatch),
        "--urls", str(work / "urls.yaml"),
        "--config", str(work / "urlwatch.yaml"),
        "--cache", str(work / "cache.db"),
        "--hooks", str(work / "hooks.py"),
    ]


def summarize_urlwatch(output: str) -> str:
    counts = {
        kind: len(re.findall(rf"^{kind}: ", output, flags=re.MULTILINE))
        for kind in ("NEW", "CHANGED", "ERROR")
    }
    return ", ".join(f"{n} {kind.lower()}" for kind, n in counts.items())


# --- monitor ----------------------------------------------------------------


def monitor_config(work: Path, urls: list[str]) -> str:
    """The watch list: one company per page, one html source each."""
    companies = [
        {
            "name": f"Company {i:04d} Co., Ltd.",
            "sources": [{
                "kind": "html",
                "url": url,
                "rows": "table#officers tr:not(:first-child)",
                "fields": {
                    "name": "td:nth-of-type(1)",
                    "role": "td:nth-of-type(2)",
                    "appointed": "td:nth-of-type(3)",
                },
            }],
        }
        for i, url in enumerate(urls, 1)
    ]
    config = {
        "state": f"sqlite:///{work / 'monitor.db'}",
        "hosts": {"127.0.0.1": {"rate": "none", "concurrency": CONCURRENCY}},
        "defaults": {"interval": "1h", "notify": []},
        "channels": {},
        "companies": companies,
    }
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def prepare_monitor(monitor: Path, work: Path, urls: list[str]) -> list[str]:
    config = work / "monitor.yaml"
    config.write_text(monitor_config(work, urls), encoding="utf-8")
    return [str(monitor), "-c", str(config), "check", "--all"]


def summarize_monitor(output: str) -> str:
    """Keep the CLI's own summary: its last non-empty line, if any."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1][:160] if lines else "no output"


def parsed_count(output: str) -> int | None:
    """How many pages the monitor says it parsed, when its summary reports that."""
    match = re.search(r"(\d+)\s+(?:pages?\s+)?parsed", output)
    return int(match.group(1)) if match else None


FLOOR = Contender("floor (httpx)", Path(sys.executable), prepare_floor, summarize_floor)
URLWATCH = Contender(f"urlwatch {URLWATCH_VERSION}", URLWATCH_VENV / "bin" / "urlwatch",
                     prepare_urlwatch, summarize_urlwatch)
MONITOR = Contender("monitor", MONITOR_BIN, prepare_monitor, summarize_monitor)
