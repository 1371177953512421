"""The HTTP exchange itself, over both clients (libcurl and httpx): what every source
relies on, whichever `defaults.http_client` a watch list picks."""

from __future__ import annotations

import asyncio
import base64
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import PageServer
from fetch_servers import silent

from monitor.errors import FetchError
from monitor.fetch import Fetcher, HostPolicy

OPEN = HostPolicy(concurrency=8, rate=None)

pytestmark = pytest.mark.parametrize("client", ["curl", "httpx"])


def fetcher(client: str, **options: object) -> Fetcher:
    return Fetcher(default_policy=OPEN, http_client=client, **options)  # type: ignore[arg-type]


def test_many_requests_over_kept_alive_connections_all_complete(
    server: PageServer, client: str
) -> None:
    for i in range(60):
        server.set(f"/c/{i}", f"page {i}")

    async def fetch_all() -> list[tuple[int, bytes]]:
        async with fetcher(client, timeout=5, retries=0) as f:
            responses = await asyncio.gather(*(f.get(server.url(f"/c/{i}")) for i in range(60)))
        return [(r.status, r.body) for r in responses]

    assert asyncio.run(fetch_all()) == [(200, f"page {i}".encode()) for i in range(60)]


@pytest.mark.parametrize("concurrency", [1, 2, 3, 8])
def test_a_finished_request_never_disturbs_the_next_one_on_its_handle(
    server: PageServer, client: str, concurrency: int
) -> None:
    """Requests that finish together hand their handles on while their callers still
    unwind; a caller must not take back a handle that already serves the next request."""
    for i in range(12):
        server.set(f"/n/{i}", f"page {i}")

    async def fetch_all() -> list[bytes]:
        policy = HostPolicy(concurrency=concurrency, rate=None)
        async with Fetcher(default_policy=policy, http_client=client, timeout=3, retries=0) as f:  # type: ignore[arg-type]
            responses = await asyncio.gather(*(f.get(server.url(f"/n/{i}")) for i in range(12)))
        return [r.body for r in responses]

    assert asyncio.run(fetch_all()) == [f"page {i}".encode() for i in range(12)]


def test_an_abandoned_request_leaves_the_client_usable(server: PageServer, client: str) -> None:
    server.set("/ok", "fine")

    async def run(hang_url: str) -> tuple[str, list[bytes]]:
        async with fetcher(client, timeout=0.5, retries=0) as f:
            hung, *rest = await asyncio.gather(
                f.get(hang_url),
                *(f.get(server.url("/ok")) for _ in range(5)),
                return_exceptions=True,
            )
            after = [await f.get(server.url("/ok")) for _ in range(5)]
        assert all(not isinstance(r, BaseException) for r in rest)
        return str(hung), [r.body for r in after]

    with silent() as hang_url:
        message, bodies = asyncio.run(run(hang_url))
    assert "no complete answer within 0.5s" in message
    assert bodies == [b"fine"] * 5


def test_validators_are_sent_as_given_and_a_304_comes_back(server: PageServer, client: str) -> None:
    server.set("/p", "body", etag='W/"v1:ab#c"')

    async def fetch() -> tuple[int, str | None, bytes]:
        async with fetcher(client) as f:
            first = await f.get(server.url("/p"))
            again = await f.get(server.url("/p"), etag=first.etag)
        return again.status, again.etag, again.body

    assert asyncio.run(fetch()) == (304, 'W/"v1:ab#c"', b"")
    assert server.hits[1].headers["If-None-Match"] == 'W/"v1:ab#c"'


def test_basic_auth_reaches_the_server(server: PageServer, client: str) -> None:
    server.set("/api", "{}")

    async def fetch() -> None:
        async with fetcher(client) as f:
            await f.get(server.url("/api"), auth=("key:with#odd/chars@", ""))

    asyncio.run(fetch())
    sent = server.hits[0].headers["Authorization"]
    assert base64.b64decode(sent.removeprefix("Basic ")) == b"key:with#odd/chars@:"


def test_a_redirect_to_another_scheme_is_refused(server: PageServer, client: str) -> None:
    server.set("/away", "", status=302, headers={"Location": "file:///etc/passwd"})

    async def fetch() -> str:
        async with fetcher(client, retries=0) as f:
            try:
                response = await f.get(server.url("/away"))
            except FetchError as exc:
                return f"error: {exc}"
        return f"status {response.status}: {response.body[:40]!r}"

    outcome = asyncio.run(fetch())
    assert "root:" not in outcome
    assert outcome.startswith("error:")


def test_a_declared_length_over_the_cap_is_refused(server: PageServer, client: str) -> None:
    server.set("/big", b"x" * 5000)

    async def fetch() -> str:
        async with fetcher(client, max_bytes=1000, retries=0) as f:
            try:
                await f.get(server.url("/big"))
            except FetchError as exc:
                return str(exc)
        return "no error"

    assert "larger than the 1000 byte cap" in asyncio.run(fetch())


def test_last_modified_comes_back_exactly(server: PageServer, client: str) -> None:
    server.set("/h", "x", headers={"Last-Modified": "Wed, 21 Oct 2026 07:28:00 GMT"})

    async def fetch() -> str | None:
        async with fetcher(client) as f:
            return (await f.get(server.url("/h"))).last_modified

    assert asyncio.run(fetch()) == "Wed, 21 Oct 2026 07:28:00 GMT"


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], tls: Any = None) -> Iterator[int]:
    """Serve ``handler`` on 127.0.0.1 (over TLS with an ``ssl.SSLContext``); yield the port."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    httpd.daemon_threads = True
    threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def cookie_gate() -> Iterator[str]:
    """Redirects to the same page with a cookie until the cookie comes back (a common
    bot check); then answers with two headers of the same name."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            welcome = "seen=1" in (self.headers.get("Cookie") or "")
            body = b"welcome" if welcome else b""
            self.send_response(200 if welcome else 302)
            if welcome:
                self.send_header("X-Served-By", "a")
                self.send_header("X-Served-By", "b")
            else:
                self.send_header("Set-Cookie", "seen=1; Path=/")
                self.send_header("Location", self.path)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    with serving(Handler) as port:
        yield f"http://127.0.0.1:{port}"


def test_a_cookie_set_on_a_redirect_is_sent_back(client: str) -> None:
    async def fetch(base: str) -> tuple[int, bytes, str | None]:
        async with fetcher(client, retries=0) as f:
            response = await f.get(f"{base}/officers")
        return response.status, response.body, response.headers.get("x-served-by")

    with cookie_gate() as base:
        assert asyncio.run(fetch(base)) == (200, b"welcome", "a, b")


def test_addresses_with_non_ascii_characters_and_spaces_are_encoded(
    server: PageServer, client: str
) -> None:
    server.set("/%E6%96%B0%E9%97%BB/1", "news")
    server.set("/a%20b.html", "spaced")

    async def fetch() -> list[bytes]:
        async with fetcher(client, retries=0) as f:
            return [(await f.get(server.url(p))).body for p in ("/新闻/1", "/a b.html")]

    assert asyncio.run(fetch()) == [b"news", b"spaced"]


def test_a_non_ascii_login_is_sent_as_utf8(server: PageServer, client: str) -> None:
    server.set("/api", "{}")

    async def fetch() -> None:
        async with fetcher(client) as f:
            await f.get(server.url("/api"), auth=("雷军", "pässword"))

    asyncio.run(fetch())
    sent = server.hits[0].headers["Authorization"].removeprefix("Basic ")
    assert base64.b64decode(sent) == "雷军:pässword".encode()


@contextmanager
def https_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A TLS server on 127.0.0.1 with a certificate from a throwaway CA, and that CA's file."""
    import ssl

    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "6")
            self.end_headers()
            self.wfile.write(b"secure")

        def log_message(self, *args: Any) -> None:
            pass

    with serving(Handler, tls=context) as port:
        yield f"https://127.0.0.1:{port}/officers", bundle


def test_https_is_verified_against_the_ca_bundle_in_ssl_cert_file(
    client: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fetch(url: str) -> str:
        async with fetcher(client, retries=0, timeout=5) as f:
            try:
                response = await f.get(url)
            except FetchError as exc:
                return f"error: {exc}"
        return f"{response.status} {response.body.decode()}"

    with https_site(tmp_path) as (url, bundle):
        untrusted = asyncio.run(fetch(url))  # the CA is nobody's: refused
        monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
        trusted = asyncio.run(fetch(url))
    assert untrusted.startswith("error:") and ("TLS" in untrusted or "SSL" in untrusted)
    assert trusted == "200 secure"
