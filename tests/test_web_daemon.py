"""The daemon serves the dashboard on its --http port, next to /healthz and /metrics, and
still stops once, cleanly, on SIGTERM (uvicorn must not take the signal over)."""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import PageServer, registry_page
from test_daemon_run import daemon, get, stop, wait_for, watch_list
from test_notify_e2e import AFTER_WUHAN, BEFORE_WUHAN, WUHAN, Hooks, free_port

pytestmark = pytest.mark.e2e
TOKEN = "a-daemon-token-0123456789"


def fetch(url: str, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:  # not listening yet
        return 0, ""


def test_the_daemon_serves_the_dashboard_and_stops_once_on_sigterm(
    server: PageServer, tmp_path: Path
) -> None:
    hooks = Hooks()
    hooks.start()
    server.set("/wuhan", registry_page(WUHAN, BEFORE_WUHAN))
    config = tmp_path / "monitor.yaml"
    extra = 'web:\n  token: "${MONITOR_WEB_TOKEN}"\n'
    config.write_text(watch_list(server, hooks, tmp_path / "state.db", extra), encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ["MONITOR_WEB_TOKEN"] = TOKEN
    try:
        with daemon(config, "--http", f"127.0.0.1:{port}") as proc:
            wait_for(lambda: fetch(f"{base}/healthz", {})[0] == 200, 20, "the daemon to be healthy")
            wait_for(lambda: len(server.hits_for("/wuhan")) >= 1, 10, "the baseline")
            server.set("/wuhan", registry_page(WUHAN, AFTER_WUHAN))
            bearer = {"Authorization": f"Bearer {TOKEN}"}

            def events() -> list[dict[str, object]]:
                status, body = fetch(f"{base}/api/v1/events", bearer)
                assert status == 200, body
                items: list[dict[str, object]] = json.loads(body)["items"]
                return items

            wait_for(events, 15, "the change to show in the API")
            assert fetch(f"{base}/events", {})[0] == 401  # the pages need the token
            assert "monitor_up 1" in get(f"{base}/metrics")[1]  # probes stay open
            basic = "Basic " + base64.b64encode(f"ann:{TOKEN}".encode()).decode()
            status, page = fetch(f"{base}/events", {"Authorization": basic})
            assert status == 200 and str(events()[0]["person"]) in page
            code, _, log = stop(proc)
    finally:
        os.environ.pop("MONITOR_WEB_TOKEN", None)
        hooks.stop()
    assert code == 0, log
    assert log.count("stopping: finishing in-flight checks") == 1, log
    assert log.count(" stopped") == 1, log
    assert TOKEN not in log
