"""The three contenders: how to set each one up and the command line of one pass.

Each contender gets a fresh state directory, so its first pass starts cold. A pass is
one child process; `run.py` measures it from the outside.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
URLWATCH_VERSION = "2.29"
URLWATCH_VENV = BENCH / ".venv-urlwatch"
MONITOR_BIN = REPO / ".venv" / "bin" / "monitor"
CONCURRENCY = 10


@dataclass(frozen=True)
class Contender:
    """A program under test: `prepare` writes its inputs into a fresh directory and
    returns the command line that runs one pass there."""

    name: str
    prepare: Callable[[Path, list[str]], list[str]]
    summarize: Callable[[str], str]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


# --- fetch floor ------------------------------------------------------------


def prepare_floor(work: Path, urls: list[str]) -> list[str]:
    urls_file = write_lines(work / "urls.txt", urls)
    return [sys.executable, str(BENCH / "floor.py"), str(urls_file), str(CONCURRENCY)]


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


def ensure_urlwatch(log: Path) -> Path:
    """Return urlwatch's executable, creating its own virtualenv on first use."""
    binary = URLWATCH_VENV / "bin" / "urlwatch"
    if binary.exists():
        return binary
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
    return binary


def urlwatch_jobs(urls: list[str]) -> str:
    # JSON is valid YAML; one document per job, as urlwatch's urls.yaml expects.
    docs = (
        json.dumps({"name": f"page {i:04d}", "url": url, "filter": "css:table#officers"})
        for i, url in enumerate(urls, 1)
    )
    return "---\n".join(f"{doc}\n" for doc in docs)


def prepare_urlwatch(work: Path, urls: list[str]) -> list[str]:
    (work / "urls.yaml").write_text(urlwatch_jobs(urls), encoding="utf-8")
    (work / "urlwatch.yaml").write_text(json.dumps(URLWATCH_CONFIG, indent=1), encoding="utf-8")
    (work / "hooks.py").write_text("", encoding="utf-8")
    return [
        str(URLWATCH_VENV / "bin" / "urlwatch"),
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
    """The watch list: one company per page, one html source each (JSON is valid YAML)."""
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
    return json.dumps(config, indent=1, ensure_ascii=False)


def prepare_monitor(work: Path, urls: list[str]) -> list[str]:
    config = work / "monitor.yaml"
    config.write_text(monitor_config(work, urls), encoding="utf-8")
    return [str(MONITOR_BIN), "-c", str(config), "check", "--all"]


def summarize_monitor(output: str) -> str:
    """Keep the CLI's own summary: its last non-empty line, if any."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1][:160] if lines else "no output"


def parsed_count(output: str) -> int | None:
    """How many pages the monitor says it parsed, when its summary reports that."""
    match = re.search(r"(\d+)\s+(?:pages?\s+)?parsed", output)
    return int(match.group(1)) if match else None


def monitor_available() -> bool:
    return MONITOR_BIN.exists() and os.access(MONITOR_BIN, os.X_OK)


FLOOR = Contender("floor (httpx)", prepare_floor, summarize_floor)
URLWATCH = Contender(f"urlwatch {URLWATCH_VERSION}", prepare_urlwatch, summarize_urlwatch)
MONITOR = Contender("monitor", prepare_monitor, summarize_monitor)
