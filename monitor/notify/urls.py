"""Make channel URLs parse the way the user meant, whatever their secrets contain.

A password such as ``p#ss/w@rd`` substituted into ``mailtos://user:${PASS}@host``
turns the URL into nonsense that apprise still accepts. Each substituted secret
that contains URL delimiters is percent-encoded where it sits; apprise decodes
user names, passwords, path tokens and query values again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

# Delimiters that change how a URL splits wherever they appear.
_ALWAYS = frozenset("#?% \t\r\n")
# What may stay as written inside the authority (user:password@host): RFC 3986's
# unreserved characters and sub-delimiters. Anything else there is encoded.
_AUTHORITY_SAFE = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;="
)
_MARK = "\x00"
_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")


def _in_authority(url: str, secret: str) -> bool:
    marked = url.replace(secret, _MARK)
    try:
        return _MARK in urlsplit(marked).netloc
    except ValueError:
        return True


def encode_secrets(url: str, secrets: Iterable[str]) -> str:
    """``url`` with every secret that would mis-parse percent-encoded in place.

    A secret that is itself a whole URL (``${SLACK_URL}``) is left alone, and so is
    one already percent-encoded by the user (``p%23ss``).
    """
    for secret in sorted(set(secrets), key=len, reverse=True):
        if not secret or secret not in url or "://" in secret:
            continue
        risky = set(secret) & _ALWAYS
        if _in_authority(url, secret):
            risky |= set(secret) - _AUTHORITY_SAFE
        if risky == {"%"} and _ENCODED.search(secret):
            continue  # already percent-encoded by the user
        if risky:
            url = url.replace(secret, quote(secret, safe=""))
    return url
