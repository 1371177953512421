"""The one HTTP client of a process: polite, bounded and conditional.

Every source fetches through a ``Fetcher``: per-host concurrency and rate limits,
retries with backoff on transient failures (honouring ``Retry-After``), a response
size cap enforced while streaming, redirects followed and recorded, and
conditional GET with the validators exactly as the server sent them.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from monitor import __version__
from monitor.errors import FetchError

DEFAULT_USER_AGENT = f"monitor/{__version__} (officer-change monitor)"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HostPolicy:
    """How hard one host may be asked: ``rate`` requests per ``per`` seconds."""

    concurrency: int = 2
    rate: float | None = 1.0
    per: float = 1.0

    @property
    def min_interval(self) -> float:
        return 0.0 if not self.rate else self.per / self.rate


@dataclass(frozen=True)
class Response:
    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    history: tuple[str, ...] = ()
    elapsed: float = 0.0

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
    next_start: float = 0.0

    async def wait_turn(self) -> None:
        """Space request starts by the host's minimum interval (or a Retry-After)."""
        async with self.lock:
            now = time.monotonic()
            delay = self.next_start - now
            if delay > 0:
                await asyncio.sleep(delay)
                now = time.monotonic()
            self.next_start = max(self.next_start, now) + self.policy.min_interval

    def hold_off(self, seconds: float) -> None:
        self.next_start = max(self.next_start, time.monotonic() + seconds)


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
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff = backoff
        self.total_timeout = timeout
        self.default_policy = default_policy or HostPolicy()
        self.host_policies = dict(host_policies or {})
        self._gates: dict[str, _HostGate] = {}
        self._client = client or httpx.AsyncClient(
            headers={"User-Agent": user_agent},
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
            host = httpx.URL(url).host
        except httpx.InvalidURL as exc:
            raise FetchError(f"malformed URL: {exc}", url=url) from None
        gate = self._gate(host)
        attempt = 0
        while True:
            attempt += 1
            try:
                async with gate.slots:
                    await gate.wait_turn()
                    response = await self._once(url, request_headers, auth)
            except FetchError as exc:
                if not exc.transient or attempt > self.retries:
                    raise
                await asyncio.sleep(self._backoff(attempt))
                continue
            if response.status in RETRY_STATUS and attempt <= self.retries:
                wait = _retry_after(response.headers.get("retry-after"))
                if wait is not None:
                    gate.hold_off(wait)
                await asyncio.sleep(self._backoff(attempt) if wait is None else 0)
                continue
            return response

    def _backoff(self, attempt: int) -> float:
        base: float = self.backoff * (2 ** (attempt - 1))
        return base + random.uniform(0, base / 2)

    async def _once(
        self, url: str, headers: Mapping[str, str], auth: httpx.Auth | tuple[str, str] | None
    ) -> Response:
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.total_timeout):
                return await self._stream(url, headers, auth, started)
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

    async def _stream(
        self,
        url: str,
        headers: Mapping[str, str],
        auth: httpx.Auth | tuple[str, str] | None,
        started: float,
    ) -> Response:
        request_auth: httpx.Auth | tuple[str, str] | None = auth
        async with self._client.stream("GET", url, headers=headers, auth=request_auth) as resp:
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(
                        f"response larger than the {self.max_bytes} byte cap; "
                        "raise max_bytes for this source if it is genuine",
                        url=url,
                        status=resp.status_code,
                    )
                chunks.append(chunk)
            return Response(
                url=url,
                final_url=str(resp.url),
                status=resp.status_code,
                headers={k.lower(): v for k, v in resp.headers.items()},
                body=b"".join(chunks),
                history=tuple(str(r.url) for r in resp.history),
                elapsed=time.monotonic() - started,
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
        if "name or service" in lowered or "nodename" in lowered or "getaddrinfo" in lowered:
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
