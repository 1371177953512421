"""``kind: json`` — officer lists from any JSON API, described with JMESPath.

``rows`` selects the list of officer records and ``fields`` maps ``name``,
``role``, ``appointed`` and ``resigned`` to expressions evaluated on each record;
``left_if`` marks former officers that carry no end date. ``next`` finds the URL
of the following page. Headers may carry secrets written as ``${VAR}``.

This module also holds what the registry kinds share: JSON decoding with clear
errors, JMESPath validation, date normalisation and the multi-request observation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, Literal
from urllib.parse import urljoin

import jmespath
from jmespath.exceptions import JMESPathError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from monitor.errors import ParseError
from monitor.fetch import Fetcher, Response, require_ok
from monitor.fieldtypes import HttpUrl
from monitor.model import Extraction, Officer
from monitor.normalize import clean_text
from monitor.sources.base import (
    FetchState,
    NotModified,
    Observation,
    Observed,
    Source,
    SourceSpec,
    content_hash,
    register,
)

# --- shared by the registry kinds --------------------------------------------


def _check_jmespath(expression: str) -> str:
    try:
        jmespath.compile(expression)
    except JMESPathError as exc:
        raise ValueError(f"invalid JMESPath expression {expression!r}: {exc}") from None
    return expression


JmesPath = Annotated[str, AfterValidator(_check_jmespath)]


def search(expression: str, data: Any) -> Any:
    return jmespath.search(expression, data)


def decode_json(body: bytes, url: str, what: str) -> Any:
    """Parse a body that must be JSON; a ParseError names the source and the problem."""
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        start = body[:80].decode("utf-8", "replace").strip()
        raise ParseError(
            f"{what} at {url} did not answer with JSON ({exc}); the body starts {start!r}. "
            "Check the URL, or whether the service is down or asking for a login"
        ) from None


def expect_mapping(data: Any, url: str, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ParseError(
            f"{what} at {url} answered with a JSON {type(data).__name__}, not an object; "
            "check the URL and the API version"
        )
    return data


def expect_list(value: Any, url: str, what: str, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError(
            f"{what} at {url}: `{key}` is a {type(value).__name__}, not a list; "
            "the response format has changed or the expression is wrong"
        )
    return value


async def get_json(
    fetcher: Fetcher,
    url: str,
    what: str,
    *,
    headers: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
) -> tuple[Response, Any]:
    response = require_ok(await fetcher.get(url, headers=headers, auth=auth))
    return response, decode_json(response.body, url, what)


def text_of(value: Any) -> str | None:
    """A JSON scalar (or list of them) as display text; None when empty."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, list):
        parts = [t for t in (text_of(v) for v in value) if t]
        return "、".join(parts) or None
    if isinstance(value, Mapping):
        return None
    text = clean_text(str(value))
    return text or None


_YMD = re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?")


def normalize_date(value: Any, utc_offset: float = 0) -> str | None:
    """``2023-05-10``, ``2023/5/10``, ``2023年5月10日``, epoch seconds or milliseconds
    → ``YYYY-MM-DD`` (or ``YYYY-MM`` / ``YYYY`` when that is all there is)."""
    if value is None or isinstance(value, bool) or value == "":
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) > 1e11 else value
        zone = timezone(timedelta(hours=utc_offset))
        return datetime.fromtimestamp(seconds, zone).date().isoformat()
    text = clean_text(str(value))
    if text.isdigit() and len(text) >= 9:
        return normalize_date(int(text), utc_offset)
    match = _YMD.match(text)
    if match:
        year, month, day = match.groups()
        if day:
            return f"{year}-{int(month):02d}-{int(day):02d}"
        return f"{year}-{int(month):02d}"
    if re.fullmatch(r"\d{4}", text):
        return text
    return text or None


def with_published(officer: Officer, published: str | None) -> Officer:
    """Attach the filing/publication date where the model carries one."""
    return replace(officer, published=published) if published else officer


def observation(
    officers: Sequence[Officer],
    bodies: Iterable[bytes],
    state: FetchState,
    url: str,
    *,
    rows_seen: int | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Observation:
    """The outcome of a multi-request check: unchanged bodies are NotModified."""
    digest = content_hash(b"\x00".join(bodies))
    if digest == state.content_hash:
        return NotModified(etag or state.etag, last_modified or state.last_modified, url)
    extraction = Extraction(
        tuple(officers),
        rows_seen=len(officers) if rows_seen is None else rows_seen,
        structured=True,
    )
    return Observed(extraction, digest, etag, last_modified, url)


def evidence_of(record: Any) -> str:
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= 600 else text[:597] + "..."


# --- kind: json --------------------------------------------------------------


class JsonFields(BaseModel):
    """JMESPath expressions evaluated on each row."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: JmesPath
    role: JmesPath | None = None
    appointed: JmesPath | None = None
    resigned: JmesPath | None = None
    id: JmesPath | None = Field(
        default=None,
        description="the registry's id of the person: rows with different ids "
        "and the same name are different people",
    )


class BasicAuth(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    username: str
    password: str = ""


@register("json")
class JsonSpec(SourceSpec):
    kind: Literal["json"]
    url: HttpUrl
    rows: JmesPath
    fields: JsonFields
    left_if: JmesPath | None = Field(
        default=None, description="truthy for a former officer (e.g. `inactive`)"
    )
    next: JmesPath | None = Field(default=None, description="URL of the next page, if any")
    max_pages: int = Field(default=20, ge=1, le=1000)
    headers: dict[str, str] = Field(default_factory=dict)
    basic_auth: BasicAuth | None = None

    def build(self, entity: str) -> JsonSource:
        return JsonSource(self, entity)


class JsonSource(Source):
    spec: JsonSpec

    async def observe(self, fetcher: Fetcher, state: FetchState) -> Observation:
        spec = self.spec
        auth = (spec.basic_auth.username, spec.basic_auth.password) if spec.basic_auth else None
        if spec.next is None:
            response = require_ok(
                await fetcher.get(
                    spec.url,
                    etag=state.etag,
                    last_modified=state.last_modified,
                    headers=spec.headers,
                    auth=auth,
                )
            )
            if response.not_modified:
                return NotModified(response.etag or state.etag, state.last_modified, spec.url)
            data = decode_json(response.body, spec.url, "the JSON source")
            officers, seen = rows_to_officers(data, spec, self.entity, spec.url)
            return observation(
                officers,
                [response.body],
                state,
                spec.url,
                rows_seen=seen,
                etag=response.etag,
                last_modified=response.last_modified,
            )
        pages = await fetch_pages(fetcher, spec.url, spec.next, spec.max_pages, spec.headers, auth)
        officers, seen = [], 0
        for url, data, _ in pages:
            found, count = rows_to_officers(data, spec, self.entity, url)
            officers.extend(found)
            seen += count
        return observation(
            officers, [body for _, _, body in pages], state, spec.url, rows_seen=seen
        )


async def fetch_pages(
    fetcher: Fetcher,
    url: str,
    next_expression: str,
    max_pages: int,
    headers: Mapping[str, str],
    auth: tuple[str, str] | None,
) -> list[tuple[str, Any, bytes]]:
    """Follow ``next`` links; more pages than ``max_pages`` is an error, never a partial list."""
    pages: list[tuple[str, Any, bytes]] = []
    seen: set[str] = set()
    current: str | None = url
    while current:
        if current in seen:
            break
        if len(pages) >= max_pages:
            raise ParseError(
                f"{url} has more than {max_pages} pages; raise `max_pages` for this source "
                "(a partial list would look like departures)"
            )
        seen.add(current)
        response, data = await get_json(
            fetcher, current, "the JSON source", headers=headers, auth=auth
        )
        pages.append((current, data, response.body))
        following = text_of(search(next_expression, data))
        current = urljoin(current, following) if following else None
    return pages


def rows_to_officers(
    data: Any, spec: JsonSpec, company: str, url: str
) -> tuple[list[Officer], int]:
    """Pure: one decoded page → officers, and how many rows were seen."""
    found = search(spec.rows, data)
    if found is None:
        raise ParseError(
            f"the JSON source at {url} has nothing at `rows: {spec.rows}`; "
            "the response format has changed or the expression is wrong"
        )
    rows = expect_list(found, url, "the JSON source", spec.rows)
    officers: list[Officer] = []
    for row in rows:
        officer = _row_officer(row, spec, company)
        if officer is not None:
            officers.append(officer)
    return officers, len(rows)


def _row_officer(row: Any, spec: JsonSpec, company: str) -> Officer | None:
    f = spec.fields
    name = text_of(search(f.name, row))
    if not name:
        return None
    role = text_of(search(f.role, row)) if f.role else None
    appointed = normalize_date(search(f.appointed, row)) if f.appointed else None
    resigned = normalize_date(search(f.resigned, row)) if f.resigned else None
    if resigned is None and spec.left_if and search(spec.left_if, row):
        return None  # a former officer without an end date: simply not current
    uid = text_of(search(f.id, row)) if f.id else None
    return Officer.from_cells(
        name,
        company,
        role=role,
        appointed=appointed,
        resigned=resigned,
        evidence=evidence_of(row),
        uid=uid,
    )
