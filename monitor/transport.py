"""One HTTP exchange, over libcurl (the default) or httpx.

The ``Fetcher`` decides *whether* and *when* to ask a host; a transport only asks:
one GET, redirects followed and recorded, the body content-decoded without ever
holding more than ``max_bytes`` of it, and every failure turned into a
``FetchError`` that says what went wrong.

``CurlTransport`` drives libcurl's multi interface from the asyncio event loop
(libcurl tells the loop which sockets to watch and when to wake it). It costs a
fraction of httpx's CPU per request, which is most of a check cycle's CPU when
pages come back unchanged: see bench/RESULTS.md. ``HttpxTransport`` is the
pure-Python alternative (``defaults.http_client: httpx``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urljoin

from monitor.errors import FetchError

if TYPE_CHECKING:
    import httpx
    import pycurl

log = logging.getLogger("monitor.fetch")

HttpClient = Literal["curl", "httpx"]
Auth = tuple[str, str]
# Only encodings decoded here with a bounded output are asked for.
ACCEPT_ENCODING = "gzip, deflate"
MAX_REDIRECTS = 10
# Characters that cannot go on the wire as they are (libcurl refuses them).
_UNSAFE_IN_URL = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f]')


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
    # The body's end was announced (Content-Length, chunked, HTTP/2), so a transfer cut
    # short fails; False when it simply ended with the connection, as a cut one would.
    framed: bool = True

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


class Transport(Protocol):
    async def get(
        self, url: str, headers: Mapping[str, str], auth: Auth | None, max_bytes: int
    ) -> Response: ...

    async def aclose(self) -> None: ...


def too_large(url: str, cap: int, status: int | None = None) -> FetchError:
    return FetchError(
        f"response larger than the {cap} byte cap; if it is genuine, raise "
        "`defaults.max_bytes` in the watch list",
        url=url,
        status=status,
    )


def make_transport(
    client: HttpClient,
    *,
    user_agent: str,
    timeout: float,
    connect_timeout: float,
    max_connections: int,
) -> Transport:
    if client == "httpx":
        return HttpxTransport(
            user_agent=user_agent,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_connections=max_connections,
        )
    return CurlTransport(
        user_agent=user_agent,
        timeout=timeout,
        connect_timeout=connect_timeout,
        max_connections=max_connections,
    )


# --- libcurl --------------------------------------------------------------------


@dataclass
class _Exchange:
    """What one easy handle collects while its transfer runs."""

    url: str
    cap: int
    future: asyncio.Future[Response]
    started: float
    size: int = 0
    over_cap: bool = False
    chunks: list[bytes] = field(default_factory=list)
    # One (status, [(name, value)]) per response seen: redirects first, the answer last.
    blocks: list[tuple[int, list[tuple[str, str]]]] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)  # the HTTP version of each block

    def on_body(self, data: bytes) -> int | None:
        self.size += len(data)
        if self.size > self.cap:
            self.over_cap = True
            return 0  # anything but len(data) makes libcurl abort the transfer
        self.chunks.append(data)
        return None

    def on_header(self, raw: bytes) -> None:
        line = raw.decode("latin-1").rstrip("\r\n")
        if line.startswith("HTTP/"):
            parts = line.split(None, 2)
            status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
            self.blocks.append((status, []))
            self.versions.append(parts[0])
        elif line and self.blocks:
            if line[0] in " \t" and self.blocks[-1][1]:  # obsolete line folding
                name, value = self.blocks[-1][1][-1]
                self.blocks[-1][1][-1] = (name, f"{value} {line.strip()}")
                return
            name, sep, value = line.partition(":")
            if sep:
                self.blocks[-1][1].append((name.strip().lower(), value.strip()))

    def response(self, status: int, final_url: str) -> Response:
        answers = [b for b in self.blocks if b[0] >= 200 or b[0] == 0]
        redirects: list[tuple[int, str]] = []
        history: list[str] = []
        current = self.url
        for code, headers in answers[:-1]:
            location = next((v for k, v in reversed(headers) if k == "location"), None)
            if 300 <= code < 400 and location is not None:
                redirects.append((code, location))
                history.append(current)
                current = urljoin(current, location)
        final: dict[str, str] = {}
        for name, value in answers[-1][1] if answers else ():
            final[name] = f"{final[name]}, {value}" if name in final else value
        version = self.versions[self.blocks.index(answers[-1])] if answers else "HTTP/1.1"
        if redirects:
            log.debug("redirected %s: %s", self.url, " → ".join(loc for _, loc in redirects))
        return Response(
            url=self.url,
            final_url=final_url,
            status=status,
            headers=final,
            body=b"".join(self.chunks),
            history=tuple(history),
            elapsed=time.monotonic() - self.started,
            redirects=tuple(redirects),
            framed=framed(version, status, final),
        )


def framed(version: str, status: int, headers: Mapping[str, str]) -> bool:
    """Whether the answer announced where its body ends (else the body ended with the
    connection, and a cut one looks whole)."""
    if not version.upper().startswith("HTTP/1") or status in (204, 304) or status < 200:
        return True  # HTTP/2 and 3 frame every body; these statuses have none
    coding = headers.get("transfer-encoding", "").lower()
    return "content-length" in headers or "chunked" in coding


def _curl_error(errno: int, message: str, url: str, timeout: float) -> FetchError:
    """A libcurl error code as a FetchError a user can act on."""
    import pycurl

    if errno == pycurl.E_COULDNT_RESOLVE_HOST:
        return FetchError(f"DNS lookup failed: {message}", url=url, transient=True)
    if errno == pycurl.E_COULDNT_CONNECT:
        return FetchError(f"connection failed: {message}", url=url, transient=True)
    if errno == pycurl.E_OPERATION_TIMEDOUT:
        if "connect" in message.lower():
            return FetchError(f"timed out connecting: {message}", url=url, transient=True)
        return FetchError(f"no complete answer within {timeout:g}s", url=url, transient=True)
    if errno == pycurl.E_TOO_MANY_REDIRECTS:
        return FetchError("too many redirects (a redirect loop?)", url=url)
    if errno == pycurl.E_PEER_FAILED_VERIFICATION:
        return FetchError(f"TLS certificate rejected: {message}", url=url)
    if errno == pycurl.E_SSL_CACERT_BADFILE:
        return FetchError(
            f"cannot read the CA bundle: {message} (check SSL_CERT_FILE / SSL_CERT_DIR)", url=url
        )
    if errno in _TLS_ERRORS:
        return FetchError(f"TLS handshake failed: {message}", url=url, transient=True)
    if errno == pycurl.E_PARTIAL_FILE:
        return FetchError(f"the body was cut short: {message}", url=url, transient=True)
    if errno == pycurl.E_BAD_CONTENT_ENCODING:
        return FetchError(f"corrupt or unsupported compressed body: {message}", url=url)
    if errno in (pycurl.E_UNSUPPORTED_PROTOCOL, pycurl.E_URL_MALFORMAT):
        return FetchError(f"cannot fetch this address: {message}", url=url)
    return FetchError(f"transfer failed: {message} (curl error {errno})", url=url, transient=True)


# libcurl's TLS failures other than certificate verification (CURLE_* numbers).
_TLS_ERRORS = frozenset({35, 53, 54, 58, 59, 64, 66, 80, 82, 83, 90, 91, 98})


class CurlTransport:
    """libcurl's multi interface on the running event loop.

    libcurl reports, through two callbacks, which sockets it waits on and when its
    next timeout is due; the loop calls back into libcurl when either happens. Easy
    handles are pooled, and the multi handle keeps connections alive between
    requests to a host.
    """

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float,
        connect_timeout: float,
        max_connections: int = 100,
        ca_bundle: str | None = None,
        ca_dir: str | None = None,
    ) -> None:
        import pycurl

        self._pycurl = pycurl
        self.user_agent = user_agent
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.ca_bundle = ca_bundle if ca_bundle is not None else _default_ca_bundle()
        self.ca_dir = ca_dir if ca_dir is not None else os.environ.get("SSL_CERT_DIR")
        self._multi = pycurl.CurlMulti()
        self._multi.setopt(pycurl.M_SOCKETFUNCTION, self._on_socket)
        self._multi.setopt(pycurl.M_TIMERFUNCTION, self._on_timer)
        self._multi.setopt(pycurl.M_MAXCONNECTS, max_connections)
        self._multi.setopt(pycurl.M_MAX_TOTAL_CONNECTIONS, max_connections)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._running: dict[pycurl.Curl, _Exchange] = {}
        self._idle: list[pycurl.Curl] = []
        self._watched: set[int] = set()
        self._closed = False

    async def get(
        self, url: str, headers: Mapping[str, str], auth: Auth | None, max_bytes: int
    ) -> Response:
        if self._closed:
            raise RuntimeError("transport is closed")
        loop = self._bind()
        curl = self._idle.pop() if self._idle else self._pycurl.Curl()
        exchange = _Exchange(url, max_bytes, loop.create_future(), time.monotonic())
        try:
            self._prepare(curl, exchange, headers, auth)
        except Exception as exc:
            self._recycle(curl)
            if isinstance(exc, FetchError):
                raise
            raise FetchError(f"cannot send this request: {exc}", url=url) from None
        self._running[curl] = exchange
        self._multi.add_handle(curl)
        self._on_timer(0)  # start it on the loop's next turn, whatever libcurl says meanwhile
        try:
            return await exchange.future
        finally:
            # Cancelled (e.g. a timeout) before it finished? The handle may already
            # serve the next request once this one finished, so compare exchanges.
            if self._running.get(curl) is exchange:
                del self._running[curl]
                self._multi.remove_handle(curl)
                self._recycle(curl)

    async def aclose(self) -> None:
        self._closed = True
        for curl, exchange in list(self._running.items()):
            self._multi.remove_handle(curl)
            if not exchange.future.done():
                exchange.future.set_exception(FetchError("client closed", url=exchange.url))
        self._running.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._loop is not None and not self._loop.is_closed():
            for fd in self._watched:
                self._loop.remove_reader(fd)
                self._loop.remove_writer(fd)
        self._watched.clear()
        for curl in self._idle:
            curl.close()
        self._idle.clear()
        self._multi.close()

    def _bind(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._running:
                raise RuntimeError("a CurlTransport serves one event loop at a time")
            # A new loop (e.g. the next `asyncio.run`): sockets watched on the old
            # one are libcurl's idle connections; forget them, libcurl re-announces.
            self._watched.clear()
            self._timer = None
            self._loop = loop
        return loop

    def _prepare(
        self,
        curl: pycurl.Curl,
        exchange: _Exchange,
        headers: Mapping[str, str],
        auth: Auth | None,
    ) -> None:
        c = self._pycurl
        curl.setopt(c.URL, _wire_url(exchange.url))
        curl.setopt(c.NOSIGNAL, 1)
        curl.setopt(c.COOKIEFILE, "")  # cookies live for one exchange, across its redirects
        curl.setopt(c.PROTOCOLS, c.PROTO_HTTP | c.PROTO_HTTPS)
        curl.setopt(c.REDIR_PROTOCOLS, c.PROTO_HTTP | c.PROTO_HTTPS)
        curl.setopt(c.FOLLOWLOCATION, 1)
        curl.setopt(c.MAXREDIRS, MAX_REDIRECTS)
        curl.setopt(c.USERAGENT, self.user_agent)
        curl.setopt(c.ACCEPT_ENCODING, ACCEPT_ENCODING)
        curl.setopt(c.HTTPHEADER, [_header_line(name, value) for name, value in headers.items()])
        curl.setopt(c.CONNECTTIMEOUT_MS, int(self.connect_timeout * 1000))
        # The Fetcher's own deadline usually fires first; this one backs it up.
        curl.setopt(c.TIMEOUT_MS, int(self.timeout * 1000) + 1000)
        curl.setopt(c.MAXFILESIZE_LARGE, exchange.cap)  # refuses early by Content-Length
        curl.setopt(c.WRITEFUNCTION, exchange.on_body)
        curl.setopt(c.HEADERFUNCTION, exchange.on_header)
        if self.ca_bundle:
            curl.setopt(c.CAINFO, self.ca_bundle)
        if self.ca_dir:
            curl.setopt(c.CAPATH, self.ca_dir)
        if auth is not None:
            curl.setopt(c.HTTPAUTH, c.HTTPAUTH_BASIC)
            curl.setopt(c.USERNAME, auth[0].encode())
            curl.setopt(c.PASSWORD, auth[1].encode())

    def _recycle(self, curl: pycurl.Curl) -> None:
        curl.setopt(self._pycurl.COOKIELIST, "ALL")  # reset() keeps cookies; this does not
        curl.reset()  # drops the callbacks, and with them the exchange
        if self._closed:
            curl.close()
        else:
            self._idle.append(curl)

    # libcurl → loop: what to watch, when to wake.

    def _on_socket(self, what: int, fd: int, multi: Any, data: Any) -> None:
        c = self._pycurl
        loop = self._loop
        assert loop is not None
        if what == c.POLL_REMOVE:
            loop.remove_reader(fd)
            loop.remove_writer(fd)
            self._watched.discard(fd)
            return
        self._watched.add(fd)
        if what & c.POLL_IN:
            loop.add_reader(fd, self._act, fd, c.CSELECT_IN)
        else:
            loop.remove_reader(fd)
        if what & c.POLL_OUT:
            loop.add_writer(fd, self._act, fd, c.CSELECT_OUT)
        else:
            loop.remove_writer(fd)

    def _on_timer(self, milliseconds: int) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if milliseconds >= 0 and self._loop is not None:
            self._timer = self._loop.call_later(milliseconds / 1000, self._on_timeout)

    def _on_timeout(self) -> None:
        self._timer = None
        self._act(self._pycurl.SOCKET_TIMEOUT, 0)

    # loop → libcurl: let it work, then collect what finished.

    def _act(self, fd: int, events: int) -> None:
        try:
            while True:
                ret, _ = self._multi.socket_action(fd, events)
                if ret != self._pycurl.E_CALL_MULTI_PERFORM:
                    break
        except self._pycurl.error as exc:  # the multi handle itself failed: say so, go on
            log.error("libcurl: %s", exc)
        self._collect()
        if self._timer is None and self._running:
            # libcurl may withdraw its timer while transfers still wait for one (its
            # callbacks race with handles added meanwhile): ask it what is due.
            self._on_timer(self._multi.timeout())

    def _collect(self) -> None:
        while True:
            queued, done, failed = self._multi.info_read()
            for curl in done:
                self._finish_safely(curl, 0, "")
            for curl, errno, message in failed:
                self._finish_safely(curl, errno, message)
            if not queued:
                return

    def _finish_safely(self, curl: pycurl.Curl, errno: int, message: str) -> None:
        """Finish one transfer; a surprise there must not strand the others."""
        try:
            self._finish(curl, errno, message)
        except Exception as exc:
            log.exception("finishing a transfer failed")
            exchange = self._running.pop(curl, None)
            if exchange is not None and not exchange.future.done():
                error = FetchError(f"transfer failed: {exc}", url=exchange.url, transient=True)
                exchange.future.set_exception(error)

    def _finish(self, curl: pycurl.Curl, errno: int, message: str) -> None:
        exchange = self._running.pop(curl, None)
        self._multi.remove_handle(curl)
        if exchange is None:
            self._recycle(curl)
            return
        c = self._pycurl
        try:
            status = int(curl.getinfo(c.RESPONSE_CODE))
            final_url = str(curl.getinfo(c.EFFECTIVE_URL) or exchange.url)
        except c.error:  # e.g. libcurl refused the URL before it had one
            status, final_url = 0, exchange.url
        self._recycle(curl)
        if exchange.future.done():
            return
        if exchange.over_cap or errno == c.E_FILESIZE_EXCEEDED:
            exchange.future.set_exception(too_large(exchange.url, exchange.cap, status or None))
        elif errno:
            exchange.future.set_exception(_curl_error(errno, message, exchange.url, self.timeout))
        else:
            exchange.future.set_result(exchange.response(status, final_url))


def _wire_url(url: str) -> str:
    """``url`` as it goes on the wire: an IDNA host, and non-ASCII characters and spaces
    percent-encoded, as httpx writes it (libcurl refuses them as they are)."""
    if url.isascii() and not _UNSAFE_IN_URL.search(url):
        return url
    import httpx  # only for the rare address that needs it

    try:
        return str(httpx.URL(url))
    except httpx.InvalidURL as exc:
        raise FetchError(f"malformed URL: {exc}", url=url) from None


def _header_line(name: str, value: str) -> bytes:
    line = f"{name}: {value}"
    try:
        return line.encode("latin-1")  # validators come back byte for byte as sent
    except UnicodeEncodeError:
        return line.encode("utf-8")


def _default_ca_bundle() -> str | None:
    """``SSL_CERT_FILE`` when set (as httpx honours it), else certifi's bundle."""
    configured = os.environ.get("SSL_CERT_FILE")
    if configured:
        return configured
    try:
        import certifi
    except ImportError:  # pragma: no cover - certifi is a dependency
        return None
    return str(certifi.where())


# --- httpx ----------------------------------------------------------------------


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


class _TooLarge(Exception):
    pass


def _decoder(content_encoding: str, cap: int, url: str) -> _CappedDecoder:
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return _CappedDecoder("", cap)
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _CappedDecoder(codings[0], cap)
    raise FetchError(f"unsupported Content-Encoding {', '.join(codings)!r}", url=url)


class HttpxTransport:
    """The same exchange through httpx (pure Python, slower per request)."""

    def __init__(
        self, *, user_agent: str, timeout: float, connect_timeout: float, max_connections: int
    ) -> None:
        import httpx

        self._httpx = httpx
        self.timeout = timeout
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=32),
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self, url: str, headers: Mapping[str, str], auth: Auth | None, max_bytes: int
    ) -> Response:
        httpx = self._httpx
        started = time.monotonic()
        try:
            return await self._stream(url, headers, auth, max_bytes, started)
        except httpx.TooManyRedirects:
            raise FetchError("too many redirects (a redirect loop?)", url=url) from None
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out ({type(exc).__name__})", url=url, transient=True) from None
        except httpx.TransportError as exc:
            raise FetchError(_describe(exc, httpx), url=url, transient=True) from None

    async def _stream(
        self, url: str, headers: Mapping[str, str], auth: Auth | None, cap: int, started: float
    ) -> Response:
        async with self._client.stream("GET", url, headers=headers, auth=auth) as resp:
            decoder = _decoder(resp.headers.get("content-encoding", ""), cap, url)
            chunks: list[bytes] = []
            try:
                async for raw in resp.aiter_raw():
                    chunks.extend(decoder.feed(raw))
            except _TooLarge:
                raise too_large(url, cap, resp.status_code) from None
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
                framed=framed(resp.http_version, resp.status_code, resp.headers),
            )


def _describe(exc: httpx.TransportError, httpx: Any) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.RemoteProtocolError) and "complete message body" in text:
        return f"the body was cut short: {text}"
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        dns = ("name or service", "nodename", "getaddrinfo", "name resolution")
        if any(marker in lowered for marker in dns):
            return f"DNS lookup failed: {text}"
        if "ssl" in lowered or "certificate" in lowered:
            return f"TLS handshake failed: {text}"
        return f"connection failed: {text}"
    return f"{type(exc).__name__}: {text}"
