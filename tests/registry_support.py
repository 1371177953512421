"""Helpers shared by the registry source tests: fixtures, watch lists, in-process checks."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

from conftest import PageServer, run_cli

from monitor.fetch import Fetcher, HostPolicy
from monitor.sources.base import FetchState, Observation, Source

FIXTURES = Path(__file__).parent / "fixtures"
JSON = {"Content-Type": "application/json"}


def fixture(kind: str, name: str) -> Any:
    """A stored API response, decoded."""
    return json.loads((FIXTURES / kind / name).read_text(encoding="utf-8"))


def raw_fixture(kind: str, name: str) -> bytes:
    return (FIXTURES / kind / name).read_bytes()


def serve(server: PageServer, path: str, body: Any, **options: Any) -> None:
    """Serve ``body`` as JSON (or bytes as they are) at ``path`` (query included)."""
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    headers = {**JSON, **(options.pop("headers", None) or {})}
    server.set(path, data, headers=headers, **options)


def write_config(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "monitor.yaml"
    config.write_text(text, encoding="utf-8")
    return config


def check(config: Path, *extra: str, env: dict[str, str] | None = None) -> Any:
    return run_cli("-c", str(config), "check", "--all", *extra, env=env)


def events(config: Path) -> list[dict[str, Any]]:
    result = run_cli("-c", str(config), "events", "--json")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def by_change(found: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(e["change"], e["person"], e["company"]): e for e in found}


def observe(
    source: Source,
    state: FetchState | None = None,
    *,
    retries: int = 0,
    policy: HostPolicy | None = None,
) -> Observation:
    """One observation in-process, through a real Fetcher."""

    async def run() -> Observation:
        async with Fetcher(
            retries=retries,
            backoff=0.01,
            default_policy=policy or HostPolicy(concurrency=4, rate=None),
        ) as fetcher:
            return await source.observe(fetcher, state or FetchState())

    return asyncio.run(run())


def switch_after_first_hit(server: PageServer, path: str, body: Any) -> threading.Thread:
    """Serve ``body`` at ``path`` once the route has been asked for once."""

    def watch() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not server.hits_for(path):
            time.sleep(0.005)
        serve(server, path, body)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def max_in_window(times: list[float], window: float) -> int:
    """The most request arrivals inside any half-open window of ``window`` seconds."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best
