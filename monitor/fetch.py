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
import time
import zlib
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from monitor import __version__
from monitor.errors import FetchError

log = logging.getLogger("monitor.fetch")

DEFAULT_USER_AGENT = f"monitor/{__version__} (officer-change monitor)"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
# Request starts are kept this far inside a host's limit, so network jitter between
# our clock and the server's never makes a window look over the limit there.
WINDOW_MARGIN = 0.05
ROBOTS_TTL = 3600.0
# Only encodings decoded here with a bounded output are asked for.
ACCEPT_ENCODING = "gzip, deflate"

# (host, seconds, HTTP status or 0 for no answer): for latency metrics.
ResponseListener = Callable[[str, float, int], None]


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


@dataclass(frozen=True)
class Response:
    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    history: tuple[str, ...] = ()  # every URL redirected from, in order
    elapsed: float = 0.0
    redirects: tuple[tuple[int, str], ...] = ()  # (status, Location) of each redirect

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


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


class _TooLarge(Exception):
    pass


class _CappedDecoder:
    """Content-decode a stream without ever producing more than ``cap`` bytes.

    zlib's ``max_length`` bounds each step's output, so a small compressed chunk
    that inflates to gigabytes (a gzip bomb) stops at the cap instead.
    """

    def __init__(self, encoding: str, cap: int) -> None:
        self.cap = cap
        self.size = 0
        self.encoding = encoding
        self.first = True
        wbits = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS}.get(encoding)
        self.inflater = zlib.decompressobj(wbits or zlib.MAX_WBITS) if encoding else None

    def feed(self, data: bytes) -> list[bytes]:
        if self.inflater is None:
            return [self._count(data)] if data else []
        out: list[bytes] = []
        pending = data
        while pending:
            try:
                piece = self.inflater.decompress(pending, self.cap - self.size + 1)
            except zlib.error:
                if self.encoding == "deflate" and self.first:
                    # Some servers send raw deflate without the zlib header.
                    self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    self.first = False
                    continue
                raise
            self.first = False
            out.append(self._count(piece))
            pending = self.inflater.unconsumed_tail
            if self.inflater.eof:
                break
        return out

    def _count(self, piece: bytes) -> bytes:
        self.size += len(piece)
        if self.size > self.cap:
            raise _TooLarge
        return piece


def _decoder(headers: httpx.Headers, cap: int, url: str) -> _CappedDecoder:
    codings = [c.strip().lower() for c in headers.get("content-encoding", "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return _CappedDecoder("", cap)
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _CappedDecoder(codings[0], cap)
    raise FetchError(f"unsupported Content-Encoding {', '.join(codings)!r}", url=url)


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
        client: httpx.AsyncClient | None = None,
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
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, tuple[float, Any]] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._client = client or httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=True,
            max_redirects=10,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=32),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

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
        auth: httpx.Auth | tuple[str, str] | None = None,
    ) -> Response:
        """GET ``url``; a 304 comes back as a Response with ``not_modified``."""
        request_headers = dict(headers or {})
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise FetchError(f"malformed URL: {exc}", url=url) from None
        if self.robots:
            await self._check_robots(parsed, url)
        return await self._polite(url, parsed.host, request_headers, auth)

    async def _polite(
        self,
        url: str,
        host: str,
        headers: Mapping[str, str],
        auth: httpx.Auth | tuple[str, str] | None,
    ) -> Response:
        """One request through the host's gate, retried on transient failures."""
        gate = self._gate(host)
        attempt = 0
        while True:
            attempt += 1
            try:
                async with gate.slots:
                    await gate.wait_turn()
                    response = await self._once(url, host, headers, auth)
            except FetchError as exc:
                if not exc.transient or attempt > self.retries:
                    raise
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

    async def _check_robots(self, parsed: httpx.URL, url: str) -> None:
        rules = await self._robots_for(parsed)
        target = str(parsed.copy_with(fragment=None))
        if rules is not None and not rules.can_fetch(target, self.user_agent):
            raise FetchError(
                f"{parsed.host}'s robots.txt disallows this address for our User-Agent; "
                "ask the site or turn robots off for it",
                url=url,
            )

    async def _robots_for(self, parsed: httpx.URL) -> Any:
        """The host's parsed robots.txt (None: no rules), fetched at most once an hour."""
        origin = f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._robots.get(origin)
            if cached is not None and cached[0] > time.monotonic():
                return cached[1]
            rules = await self._fetch_robots(origin, parsed.host)
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
        auth: httpx.Auth | tuple[str, str] | None,
    ) -> Response:
        started = time.monotonic()
        status = 0
        try:
            async with asyncio.timeout(self.total_timeout):
                response = await self._stream(url, headers, auth, started)
                status = response.status
                return response
        except TimeoutError:
            raise FetchError(
                f"no complete answer within {self.total_timeout:g}s", url=url, transient=True
            ) from None
        except httpx.TooManyRedirects:
            raise FetchError("too many redirects (a redirect loop?)", url=url) from None
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out ({type(exc).__name__})", url=url, transient=True) from None
        except httpx.TransportError as exc:
            raise FetchError(_describe_transport_error(exc), url=url, transient=True) from None
        finally:
            for listener in self.listeners:
                listener(host, time.monotonic() - started, status)

    async def _stream(
        self,
        url: str,
        headers: Mapping[str, str],
        auth: httpx.Auth | tuple[str, str] | None,
        started: float,
    ) -> Response:
        async with self._client.stream("GET", url, headers=headers, auth=auth) as resp:
            decoder = _decoder(resp.headers, self.max_bytes, url)
            chunks: list[bytes] = []
            try:
                async for raw in resp.aiter_raw():
                    chunks.extend(decoder.feed(raw))
            except _TooLarge:
                raise FetchError(
                    f"response larger than the {self.max_bytes} byte cap; "
                    "raise max_bytes for this source if it is genuine",
                    url=url,
                    status=resp.status_code,
                ) from None
            except zlib.error as exc:
                raise FetchError(f"corrupt compressed body: {exc}", url=url) from None
            redirects = tuple((r.status_code, r.headers.get("location", "")) for r in resp.history)
            if redirects:
                log.debug("redirected %s: %s", url, " → ".join(loc for _, loc in redirects))
            return Response(
                url=url,
                final_url=str(resp.url),
                status=resp.status_code,
                headers={k.lower(): v for k, v in resp.headers.items()},
                body=b"".join(chunks),
                history=tuple(str(r.url) for r in resp.history),
                elapsed=time.monotonic() - started,
                redirects=redirects,
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


def _describe_transport_error(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        dns = ("name or service", "nodename", "getaddrinfo", "name resolution")
        if any(marker in lowered for marker in dns):
            return f"DNS lookup failed: {text}"
        if "ssl" in lowered or "certificate" in lowered:
            return f"TLS handshake failed: {text}"
        return f"connection failed: {text}"
    return f"{type(exc).__name__}: {text}"


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
