"""Shared test fixtures: a real HTTP server on 127.0.0.1 and real databases."""

from __future__ import annotations

import contextlib
import html
import logging
import os
import subprocess
import sys
import threading
import time
import traceback
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import hypothesis
import pytest

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seed"
PG_URL = os.environ.get(
    "MONITOR_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass
class Route:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    at: float


class PageServer:
    """A threaded HTTP server whose pages tests can change between requests."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.hits.append(Hit(self.path, dict(self.headers), time.monotonic()))
                route = server.routes.get(self.path)
                if route is None:
                    self._send(404, b"not found", {})
                    return
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self._send(304, b"", {"ETag": route.etag})
                    return
                headers = dict(route.headers)
                if route.etag:
                    headers["ETag"] = route.etag
                self._send(route.status, route.body, headers)

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                headers.setdefault("Content-Type", "text/html; charset=utf-8")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def set(
        self,
        path: str,
        body: str | bytes,
        *,
        status: int = 200,
        etag: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(data, status, headers or {}, etag)

    def hits_for(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]


@pytest.fixture
def server() -> Iterator[PageServer]:
    srv = PageServer()
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def registry_page(company: str, officers: list[tuple[str, str, str]], *, extra: str = "") -> str:
    """A registry company page with navigation around an officer table."""
    rows = "".join(
        f"<tr><td>{html.escape(n)}</td><td>{html.escape(r)}</td><td>{html.escape(d)}</td></tr>"
        for n, r, d in officers
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>"
        f"{html.escape(company)}</title><script>var x = '<td>Not an officer</td>';</script></head>"
        "<body><nav><a href='/'>Home</a> <a href='/search'>Search</a></nav>"
        f"<h1>{html.escape(company)}</h1>{extra}"
        "<table id='officers'><tr><th>Name</th><th>Position</th><th>Appointed</th></tr>"
        f"{rows}</table><footer>Registry footer</footer></body></html>"
    )


@dataclass
class CliResult:
    """What a user sees of one command: exit status, standard output, standard error."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: dict[str, str] | None = None) -> CliResult:
    """Run ``monitor ARGS`` in this process, as a user would from a shell.

    ``env`` adds variables for the run only. An exception the CLI does not handle
    appears in ``stderr`` as the traceback a user would see, with status 1.
    """
    from click.testing import CliRunner

    from monitor.cli import main

    with contextlib.chdir(REPO), _restored_logging():
        result = CliRunner().invoke(main, list(args), env=env, prog_name="monitor")
    stderr = result.stderr
    code = result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        stderr += "".join(traceback.format_exception(*result.exc_info))
        code = 1
    return CliResult(code, result.stdout, stderr)


@contextlib.contextmanager
def _restored_logging() -> Iterator[None]:
    """The CLI configures logging for its own process; undo that after an in-process run."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {
        name: logger.level
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, logger in logging.Logger.manager.loggerDict.items():
            if isinstance(logger, logging.Logger):
                logger.setLevel(levels.get(name, logging.NOTSET))


def run_cli_process(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m monitor`` in a subprocess: for tests where the process is the point."""
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=REPO,
    )


@pytest.fixture(autouse=True, scope="session")
def _no_apprise_throttle() -> None:
    """apprise waits up to 5.5 s between two messages of one plugin; tests do not."""
    from apprise.apprise import N_MGR
    from apprise.url import URLBase

    URLBase.request_rate_per_sec = 0
    with warnings.catch_warnings():  # loading every plugin imports deprecated modules
        warnings.simplefilter("ignore", DeprecationWarning)
        plugins = list(N_MGR.plugins())
    for plugin in plugins:
        plugin.request_rate_per_sec = 0


@pytest.fixture(autouse=True, scope="session")
def _short_fetch_backoff() -> None:
    """A Fetcher retries a transient failure after 1 s, then 2 s; in-process tests after
    10 ms, then 20 ms (the retries still happen). A test that passes ``backoff=`` keeps it."""
    from monitor.fetch import Fetcher

    defaults = Fetcher.__init__.__kwdefaults__
    assert defaults is not None and "backoff" in defaults
    defaults["backoff"] = 0.01


def _postgres_url() -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    name = f"monitor_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        reason = f"PostgreSQL is not reachable at {PG_URL}: {exc.orig}"
        if os.environ.get("MONITOR_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (MONITOR_REQUIRE_POSTGRES=1 makes this a failure)")
        pytest.skip(reason)
    finally:
        admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty state database of each supported kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
        return
    url = _postgres_url()
    yield url
    _drop_postgres(url)


# No per-example deadline: on a loaded machine, or two test workers sharing two cores, one
# example can take seconds for reasons of its neighbours, and hypothesis calls that a failure.
# `scripts/check --fast` also asks for fewer generated examples.
hypothesis.settings.register_profile("suite", deadline=None)
hypothesis.settings.register_profile(
    "fast", parent=hypothesis.settings.get_profile("suite"), max_examples=20
)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that takes a PostgreSQL database by another way than ``db_url`` (the
    ``pg_url`` fixture, a ``postgresql`` parameter) is a ``postgres`` test too."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "pg_url" in getattr(item, "fixturenames", ()) or "postgresql" in params.values():
            item.add_marker(pytest.mark.postgres)
    # The longest tests first, so that on several workers (pytest-xdist) none is left
    # running alone at the end: the fault suite, then the real processes and the browser.
    items.sort(key=_slow_first)


def _slow_first(item: pytest.Item) -> int:
    if item.get_closest_marker("faults"):
        return 0
    if any(item.get_closest_marker(name) for name in ("e2e", "slow", "browser")):
        return 1
    return 2


@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """A command run in-process (CliRunner, `run --once`) configures logging for its own
    process; put it back after every test so the next one sees the defaults."""
    with _restored_logging():
        yield
