"""The one HTTP client of a process: polite, bounded and conditional.

Every source fetches through a ``Fetcher``: per-host concurrency and rate limits,
retries with backoff on transient failures (honouring ``Retry-After``), a response
size cap enforced while decoding the stream, redirects followed and recorded,
optional robots.txt rules, and conditional GET with the validators exactly as the
server sent them.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import SplitResult, urlsplit

from monitor import __version__
from monitor.errors import FetchError
from monitor.transport import Auth, HttpClient, Response, Transport, make_transport

__all__ = ["Fetcher", "HostPolicy", "Response", "require_ok", "require_whole_html"]

log = logging.getLogger("monitor.fetch")

DEFAULT_USER_AGENT = f"monitor/{__version__} (officer-change monitor)"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
# Request starts are kept this far inside a host's limit, so network jitter between
# our clock and the server's never makes a window look over the limit there.
WINDOW_MARGIN = 0.05
ROBOTS_TTL = 3600.0
DEFAULT_HTTP_CLIENT: HttpClient = "curl"

# (host, seconds, HTTP status or 0 for no answer): for latency metrics.
ResponseListener = Callable[[str, float, int], None]
# Awaited before every request start, after the process's own gate: a limit shared
# with other processes (``monitor worker`` keeps one per host in PostgreSQL).
RequestGate = Callable[[str, "HostPolicy"], Awaitable[None]]


@dataclass(frozen=True)
class HostPolicy:
    """How hard one host may be asked: ``rate`` requests per ``per`` seconds."""

    concurrency: int = 2
    rate: float | None = 1.0
    per: float = 1.0

    @property
    def min_interval(self) -> float:
        return 0.0 if not self.rate else self.per / self.rate

    @property
    def window(self) -> tuple[int, float]:
        """At most ``count`` starts in any ``seconds`` (e.g. 0.5/s → 1 in 2 s)."""
        if not self.rate:
            return (0, 0.0)
        count = max(1, int(self.rate))
        return (count, self.per * count / self.rate)


def earliest_start(
    starts: Sequence[float], now: float, policy: HostPolicy, not_before: float = 0.0
) -> float:
    """When the next request to a host may start, given the recent ``starts``.

    Starts are spaced by ``per / rate`` and, over any window of ``per`` seconds,
    never more than the limit (with a margin), however the spacing drifts.
    """
    start = max(now, not_before)
    if not policy.rate:
        return start
    if starts:
        start = max(start, starts[-1] + policy.min_interval)
    count, seconds = policy.window
    if len(starts) >= count:
        start = max(start, starts[-count] + seconds + WINDOW_MARGIN)
    return start


@dataclass
class _HostGate:
    policy: HostPolicy
    slots: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    starts: deque[float] = field(default_factory=deque)
    not_before: float = 0.0

    async def wait_turn(self) -> None:
        """Wait until the host's limits allow one more request start."""
        async with self.lock:
            while True:
                now = time.monotonic()
                at = earliest_start(self.starts, now, self.policy, self.not_before)
                if at <= now:
                    break
                await asyncio.sleep(at - now)
            self.starts.append(time.monotonic())
            keep = max(1, self.policy.window[0])
            while len(self.starts) > keep:
                self.starts.popleft()

    def hold_off(self, seconds: float) -> None:
        self.not_before = max(self.not_before, time.monotonic() + seconds)


class Fetcher:
    """Shared HTTP access for every source of a process."""

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        retries: int = 2,
        backoff: float = 1.0,
        default_policy: HostPolicy | None = None,
        host_policies: Mapping[str, HostPolicy] | None = None,
        max_connections: int = 100,
        robots: bool = False,
        http_client: HttpClient | None = None,
    ) -> None:
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff = backoff
        self.total_timeout = timeout
        self.default_policy = default_policy or HostPolicy()
        self.host_policies = {h.lower(): p for h, p in (host_policies or {}).items()}
        self.robots = robots
        self.listeners: list[ResponseListener] = []
        self.gates: list[RequestGate] = []
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, tuple[float, Any]] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._transport: Transport = make_transport(
            http_client or DEFAULT_HTTP_CLIENT,
            user_agent=user_agent,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_connections=max_connections,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    def policy_for(self, host: str) -> HostPolicy:
        return self.host_policies.get(host.lower(), self.default_policy)

    def _gate(self, host: str) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            policy = self.policy_for(host)
            gate = _HostGate(policy, asyncio.Semaphore(policy.concurrency))
            self._gates[host] = gate
        return gate

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: Mapping[str, str] | None = None,
        auth: Auth | None = None,
    ) -> Response:
        """GET ``url``; a 304 comes back as a Response with ``not_modified``."""
        request_headers = dict(headers or {})
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        parsed = _split(url)
        if self.robots:
            await self._check_robots(parsed, url)
        return await self._polite(url, parsed.hostname or "", request_headers, auth)

    async def _polite(
        self,
        url: str,
        host: str,
        headers: Mapping[str, str],
        auth: Auth | None,
    ) -> Response:
        """One request through the host's gate, retried on transient failures."""
        gate = self._gate(host)
        attempt = 0
        started = time.monotonic()
        while True:
            attempt += 1
            try:
                async with gate.slots:
                    await gate.wait_turn()
                    for shared in self.gates:
                        await shared(host, gate.policy)
                    response = await self._once(url, host, headers, auth)
            except FetchError as exc:
                if not exc.transient:
                    raise
                if attempt > self.retries:
                    raise _gave_up(exc, attempt, time.monotonic() - started) from None
                await asyncio.sleep(self._backoff(attempt))
                continue
            if response.status in RETRY_STATUS:
                wait = _retry_after(response.headers.get("retry-after"))
                if wait is not None:
                    gate.hold_off(wait)  # every request to the host waits, not only ours
                if attempt <= self.retries:
                    await asyncio.sleep(self._backoff(attempt) if wait is None else 0)
                    continue
            return response

    def _backoff(self, attempt: int) -> float:
        base: float = self.backoff * (2 ** (attempt - 1))
        return base + random.uniform(0, base / 2)

    async def _check_robots(self, parsed: SplitResult, url: str) -> None:
        rules = await self._robots_for(parsed)
        target = parsed._replace(fragment="").geturl()
        if rules is not None and not rules.can_fetch(target, self.user_agent):
            raise FetchError(
                f"{parsed.hostname}'s robots.txt disallows this address for our User-Agent; "
                "ask the site or turn robots off for it",
                url=url,
            )

    async def _robots_for(self, parsed: SplitResult) -> Any:
        """The host's parsed robots.txt (None: no rules), fetched at most once an hour."""
        origin = _origin(parsed)
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._robots.get(origin)
            if cached is not None and cached[0] > time.monotonic():
                return cached[1]
            rules = await self._fetch_robots(origin, parsed.hostname or "")
            self._robots[origin] = (time.monotonic() + ROBOTS_TTL, rules)
            return rules

    async def _fetch_robots(self, origin: str, host: str) -> Any:
        from protego import Protego

        try:
            response = await self._polite(f"{origin}/robots.txt", host, {}, None)
        except FetchError as exc:
            log.info("no robots.txt from %s (%s); fetching as allowed", origin, exc)
            return None
        if response.status != 200:
            return None  # 4xx: no rules; 5xx after retries: treated the same
        text = response.body.decode("utf-8", errors="replace")
        return Protego.parse(text)

    async def _once(
        self,
        url: str,
        host: str,
        headers: Mapping[str, str],
        auth: Auth | None,
    ) -> Response:
        started = time.monotonic()
        status = 0
        try:
            async with asyncio.timeout(self.total_timeout):
                response = await self._transport.get(url, headers, auth, self.max_bytes)
                status = response.status
                return response
        except TimeoutError:
            raise FetchError(
                f"no complete answer within {self.total_timeout:g}s", url=url, transient=True
            ) from None
        finally:
            for listener in self.listeners:
                listener(host, time.monotonic() - started, status)


def _origin(parsed: SplitResult) -> str:
    """``scheme://host[:port]``, host lower-cased and a default port left out, so one
    site's addresses share one robots.txt."""
    host = parsed.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # IPv6
    port = parsed.port
    default = {"http": 80, "https": 443}.get(parsed.scheme)
    return f"{parsed.scheme}://{host}" + (f":{port}" if port and port != default else "")


def _split(url: str) -> SplitResult:
    """The parts of an http(s) address, or a FetchError saying what is wrong with it."""
    try:
        parsed = urlsplit(url)
        parsed.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise FetchError(f"malformed URL: {exc}", url=url) from None
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise FetchError("malformed URL: only http:// and https:// addresses are fetched", url=url)
    return parsed


def _gave_up(exc: FetchError, attempts: int, seconds: float) -> FetchError:
    """The last attempt's error, saying how many attempts it took and how long."""
    if attempts == 1:
        return exc
    return FetchError(
        f"{exc} (on each of {attempts} attempts; gave up after {seconds:.0f}s)",
        url=exc.url,
        status=exc.status,
        transient=exc.transient,
    )


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def require_ok(response: Response) -> Response:
    """Raise a FetchError for an HTTP error status (4xx/5xx)."""
    if response.status >= 400:
        hint = {
            401: "check the API key or credentials",
            403: "access denied; check credentials or the User-Agent",
            404: "the address no longer exists; check the URL",
            429: "rate limited; lower the host's rate in `hosts:`",
        }.get(response.status, "the server answered with an error")
        raise FetchError(
            f"HTTP {response.status}: {hint}", url=response.url, status=response.status
        )
    return response


_HTML_END = re.compile(rb"</html\s*>", re.I)


def require_whole_html(response: Response) -> Response:
    """Raise a FetchError for an HTML body that ended with the connection before its end
    of document: without a Content-Length or chunks, a body cut short looks whole."""
    if response.framed or response.status != 200:
        return response
    if not _HTML_END.search(response.body, max(0, len(response.body) - 65536)):
        raise FetchError(
            "the page came without a length and ended before its `</html>`: cut short in "
            "transfer; it is read again at the next check",
            url=response.url,
            transient=True,
        )
    return response
