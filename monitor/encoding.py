"""Find the character encoding of a fetched page.

Order: the HTTP ``charset``, a byte-order mark, the page's own ``<meta>``
declaration, strict UTF-8, then charset-normalizer's guess. GBK and GB2312 are
read as GB18030, their superset, so rare characters in Chinese names survive.
"""

from __future__ import annotations

import codecs
import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_CONTENT_TYPE = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "ascii": "utf-8", "iso8859-1": "cp1252"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _canonical(name: str) -> str | None:
    try:
        found = codecs.lookup(name).name
    except LookupError:
        return None
    return _SUPERSETS.get(found, found)


def detect_encoding(body: bytes, content_type: str = "") -> str:
    """The codec name to decode ``body`` with."""
    header = _CONTENT_TYPE.search(content_type)
    if header and (name := _canonical(header.group(1))):
        return name
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    meta = _META.search(body[:4096])
    if meta and (name := _canonical(meta.group(1).decode("ascii", "ignore"))):
        return name
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes  # rarely needed; slow to import

        guess = from_bytes(body[:65536]).best()
        if guess is not None and (name := _canonical(guess.encoding)):
            return name
        return "utf-8"
    return "utf-8"


def decode(body: bytes, content_type: str = "") -> str:
    return body.decode(detect_encoding(body, content_type), errors="replace")
