"""Keep secrets out of everything the product prints or logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, unquote_plus, urlsplit

MASK = "***"
# Schemes whose path segments are tokens (apprise: slack://A/B/C/#chan, discord://id/token ...).
TOKEN_PATH_SCHEMES = frozenset(
    {
        "slack",
        "discord",
        "msteams",
        "tgram",
        "pover",
        "pbul",
        "gotify",
        "gotifys",
        "ntfy",
        "ntfys",
        "matrix",
        "matrixs",
        "mmost",
        "mmosts",
        "rocket",
        "rockets",
        "zulip",
        "join",
        "ifttt",
        "signal",
        "signals",
        "twilio",
        "webex",
        "wxteams",
        "line",
        "lametric",
        "spush",
        "pushed",
    }
)
SECRET_QUERY = re.compile(
    r"(?i)^(?:token|key|apikey|api_key|secret|password|pass|pwd|auth|webhook)$"
)


def redact_url(url: str, secrets: Iterable[str] = ()) -> str:
    """An apprise or HTTP URL with credentials, tokens and known secrets masked."""
    text = redact_text(url, secrets)
    try:
        parts = urlsplit(text)
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, has_password, _ = userinfo.partition(":")
        netloc = f"{user}:{MASK}@{host}" if has_password else f"{MASK}@{host}"
    path = parts.path
    if parts.scheme.lower() in TOKEN_PATH_SCHEMES:
        if not netloc.startswith(MASK):
            netloc = MASK if not netloc.startswith(("#", "@")) else netloc
        path = "/".join(seg if (not seg or seg[0] in "#@+") else MASK for seg in path.split("/"))
    # Only a secret's value changes: the rest of the query stays as written (encoded).
    query = "&".join(
        f"{part.partition('=')[0]}={MASK}"
        if SECRET_QUERY.match(unquote_plus(part.partition("=")[0]))
        else part
        for part in parts.query.split("&")
        if part
    )
    rebuilt = f"{parts.scheme}://{netloc}{path}"
    if query:
        rebuilt += f"?{query}"
    if parts.fragment:
        rebuilt += f"#{parts.fragment}"
    return rebuilt


def redact_key(key: str, secrets: Iterable[str] = ()) -> str:
    """A source's key (``kind · locator``) with the locator's credentials masked."""
    kind, sep, locator = key.partition(" · ")
    if sep and "://" in locator:
        return f"{kind}{sep}{redact_url(locator, secrets)}"
    return redact_text(key, secrets)


def _spellings(secrets: Iterable[str]) -> list[str]:
    """Each secret as written and as it looks once percent-encoded into a URL."""
    forms: set[str] = set()
    for secret in secrets:
        if len(secret) >= 3:
            forms |= {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
    return sorted(forms, key=len, reverse=True)


def redact_text(text: str, secrets: Iterable[str]) -> str:
    for form in _spellings(secrets):
        text = text.replace(form, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Masks known secret values in every log record that passes through."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = frozenset(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            cleaned = redact_text(message, self.secrets)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True
