"""Who may see the dashboard, and which requests may change state. Pure ASGI, no framework.

- With ``web.token`` set, every page and API call needs it: ``Authorization: Bearer
  TOKEN`` (the API) or HTTP Basic with the token as the password (browsers). Without a
  token the server must be bound to loopback, and then it answers only requests whose
  ``Host`` is a loopback name (a page elsewhere cannot reach it through DNS rebinding).
  Serving beyond loopback, a token the live config no longer sets (a reload dropped it)
  closes the pages instead of opening them: the ``Host`` header is the client's to choose.
- ``/healthz`` and ``/metrics`` stay open for probes and scrapers.
- A POST needs the bearer token (browsers never add one by themselves) or the CSRF
  token the pages carry, and a cross-origin ``Origin`` is refused either way.
- Every answer carries a strict Content-Security-Policy: scripts and styles only from
  this server, no inline code, no framing.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

OPEN_PATHS = frozenset({"/healthz", "/metrics"})
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def refuse_reason(host: str, token: str | None) -> str | None:
    """Why serving the dashboard on ``host`` is refused, or None when it is allowed."""
    if token or is_loopback(host):
        return None
    return (
        f"the dashboard would be open to the network on {host or '0.0.0.0'} without a token: "
        'set `web: {token: "${MONITOR_WEB_TOKEN}"}` in the config (16 characters or more), '
        "or bind to 127.0.0.1"
    )


def _host_name(value: str) -> str:
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def check_token(authorization: str, token: str) -> tuple[bool, bool]:
    """(valid, by bearer) for an Authorization header value."""
    scheme, _, value = authorization.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        return hmac.compare_digest(value.strip().encode(), token.encode()), True
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False, False
        _, _, password = decoded.partition(":")
        return hmac.compare_digest(password.encode(), token.encode()), False
    return False, False


def basic_user(authorization: str) -> str | None:
    """The user name of an HTTP Basic header, shown as the default reviewer."""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user or None


class Guard:
    """The ASGI middleware that enforces the rules above around the app."""

    def __init__(
        self, app: ASGIApp, token: Callable[[], str | None], exposed: bool = False
    ) -> None:
        self.app = app
        self.token = token
        self.exposed = exposed  # listening beyond loopback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        path = scope["path"]
        state = scope.setdefault("state", {})
        state["bearer"] = False
        if path not in OPEN_PATHS:
            denied = self._deny(path, headers, state)
            if denied is not None:
                await _plain(send, *denied)
                return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, secured)

    def _deny(
        self, path: str, headers: dict[str, str], state: dict[str, Any]
    ) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
        token = self.token()
        api = path.startswith("/api/")
        if token is None:
            if self.exposed:
                return (
                    403,
                    "the dashboard listens beyond loopback and the config sets no web.token",
                    [],
                )
            if not is_loopback(_host_name(headers.get("host", ""))):
                return 403, "this dashboard answers only on a loopback address", []
            return None
        valid, bearer = check_token(headers.get("authorization", ""), token)
        if not valid:
            challenge = b'Bearer realm="monitor"' if api else b'Basic realm="monitor"'
            return 401, "the dashboard needs the web token", [(b"www-authenticate", challenge)]
        state["bearer"] = bearer
        return None


async def _plain(send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"detail": text}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *extra,
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def same_origin(headers: dict[str, str]) -> bool:
    """False for a request whose Origin names another site than its Host."""
    origin = headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    host = headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def csrf_ok(headers: dict[str, str], bearer: bool, expected: str, given: str | None) -> bool:
    """A state-changing request is allowed with the bearer token, or the pages' CSRF token."""
    if not same_origin(headers):
        return False
    if bearer:
        return True
    offered = given or headers.get("x-csrf-token", "")
    return bool(offered) and hmac.compare_digest(offered.encode(), expected.encode())
