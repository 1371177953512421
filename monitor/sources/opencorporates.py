"""``kind: opencorporates`` and ``kind: opencorporates_officers`` — the OpenCorporates API.

OpenCorporates marks a former officer with ``end_date`` and ``inactive: true``; a
current officer has ``inactive: null`` (not false), so only ``true`` means gone. A
company's officers come with the company (``/companies/{jurisdiction}/{number}``);
a person is watched with an officer name search (``/officers/search``, paginated by
``page``/``total_pages``) whose results are kept only when the name really is the
watched person's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal
from urllib.parse import quote, urlencode

from pydantic import Field

from monitor.errors import ParseError
from monitor.fetch import Fetcher
from monitor.fieldtypes import HttpUrl
from monitor.identity import same_person
from monitor.model import Officer
from monitor.sources.base import FetchState, Observation, Scope, Source, SourceSpec, register
from monitor.sources.json_api import (
    evidence_of,
    expect_list,
    expect_mapping,
    get_json,
    normalize_date,
    observation,
    text_of,
)

API = "https://api.opencorporates.com/v0.4"
WHAT = "OpenCorporates"


class _OpenCorporatesSpec(SourceSpec):
    api_token: str | None = Field(default=None, description="e.g. ${OPENCORPORATES_TOKEN}")
    base_url: HttpUrl = API

    def params(self, **params: str | int) -> str:
        values = {k: v for k, v in params.items() if v not in (None, "")}
        if self.api_token:
            values["api_token"] = self.api_token
        return urlencode(values)


@register("opencorporates")
class OpenCorporatesSpec(_OpenCorporatesSpec):
    kind: Literal["opencorporates"]
    jurisdiction: str = Field(min_length=2, description="jurisdiction code, e.g. gb, us_de, cn")
    company_number: str = Field(min_length=1)

    def locator(self) -> str:
        return f"{self.jurisdiction}/{self.company_number}"

    def build(self, entity: str) -> OpenCorporatesSource:
        return OpenCorporatesSource(self, entity)


@register("opencorporates_officers")
class OpenCorporatesOfficersSpec(_OpenCorporatesSpec):
    kind: Literal["opencorporates_officers"]
    query: str | None = Field(default=None, description="name to search; the person's name")
    names: list[str] = Field(default_factory=list, description="other spellings to accept")
    jurisdiction: str | None = None
    max_pages: int = Field(default=10, ge=1, le=100)

    scope: ClassVar[Scope] = "person"

    def locator(self) -> str:
        return f"{self.query or ''}@{self.jurisdiction or '*'}"

    def build(self, entity: str) -> OpenCorporatesOfficersSource:
        return OpenCorporatesOfficersSource(self, entity)


def results(data: Any, url: str) -> Mapping[str, Any]:
    body = expect_mapping(data, url, WHAT)
    found = body.get("results")
    if not isinstance(found, Mapping):
        raise ParseError(
            f"{WHAT} at {url}: the answer has no `results` object; check the API version "
            "in `base_url` (v0.4 is expected)"
        )
    return found


def officer_rows(raw: Sequence[Any]) -> list[Mapping[str, Any]]:
    """``[{"officer": {...}}, ...]`` → the inner objects."""
    rows: list[Mapping[str, Any]] = []
    for wrapper in raw:
        inner = wrapper.get("officer") if isinstance(wrapper, Mapping) else None
        if isinstance(inner, Mapping):
            rows.append(inner)
    return rows


def to_officer(row: Mapping[str, Any], person: str | None, company: str) -> Officer | None:
    """Pure: one OpenCorporates officer → an Officer; former officers without an end
    date are simply not current."""
    name = person or text_of(row.get("name"))
    if not name:
        return None
    resigned = normalize_date(row.get("end_date"))
    if resigned is None and row.get("inactive") is True:
        return None
    shown = {
        k: row[k] for k in ("name", "position", "start_date", "end_date", "inactive") if k in row
    }
    return Officer.from_cells(
        name,
        company,
        role=text_of(row.get("position")),
        appointed=normalize_date(row.get("start_date")),
        resigned=resigned,
        evidence=evidence_of(shown),
    )


def company_officers(company_data: Mapping[str, Any], company: str, url: str) -> list[Officer]:
    found = company_data.get("officers")
    officers = []
    for row in officer_rows(expect_list(found, url, WHAT, "results.company.officers")):
        officer = to_officer(row, None, company)
        if officer is not None:
            officers.append(officer)
    return officers


def person_positions(
    rows: Sequence[Mapping[str, Any]], person: str, names: Sequence[str]
) -> list[Officer]:
    """Search results that name the watched person → their positions across companies."""
    officers: list[Officer] = []
    for row in rows:
        written = text_of(row.get("name")) or ""
        if not any(same_person(written, n) for n in (person, *names)):
            continue
        target = row.get("company")
        company = text_of(target.get("name")) if isinstance(target, Mapping) else None
        if not company:
            continue
        officer = to_officer(row, person, company)
        if officer is not None:
            officers.append(officer)
    return officers


class OpenCorporatesSource(Source):
    spec: OpenCorporatesSpec

    @property
    def url(self) -> str:
        spec = self.spec
        return (
            f"{spec.base_url.rstrip('/')}/companies/{quote(spec.jurisdiction)}/"
            f"{quote(spec.company_number)}"
        )

    async def observe(self, fetcher: Fetcher, state: FetchState) -> Observation:
        query = self.spec.params()
        url = f"{self.url}?{query}" if query else self.url
        response, data = await get_json(fetcher, url, WHAT)
        company = results(data, self.url).get("company")
        if not isinstance(company, Mapping):
            raise ParseError(f"{WHAT} at {self.url}: no `results.company` in the answer")
        if "officers" not in company:
            raise ParseError(
                f"{WHAT} at {self.url}: the company has no `officers` list; "
                "it may need an API token with officer access"
            )
        officers = company_officers(company, self.entity, self.url)
        return observation(officers, [response.body], state, self.url)


class OpenCorporatesOfficersSource(Source):
    spec: OpenCorporatesOfficersSpec

    @property
    def url(self) -> str:
        return f"{self.spec.base_url.rstrip('/')}/officers/search"

    def page_url(self, page: int) -> str:
        spec = self.spec
        query = spec.params(
            q=spec.query or self.entity, jurisdiction_code=spec.jurisdiction or "", page=page
        )
        return f"{self.url}?{query}"

    async def observe(self, fetcher: Fetcher, state: FetchState) -> Observation:
        rows: list[Mapping[str, Any]] = []
        bodies: list[bytes] = []
        page, total = 1, 1
        while page <= total:
            # Known from the first page: reading up to the limit would be wasted requests.
            if total > self.spec.max_pages:
                raise ParseError(
                    f"{WHAT}: the search for {self.spec.query or self.entity!r} has {total} "
                    f"pages, more than max_pages={self.spec.max_pages}; narrow it with "
                    "`jurisdiction` or raise `max_pages`"
                )
            url = self.page_url(page)
            response, data = await get_json(fetcher, url, WHAT)
            found = results(data, url)
            rows.extend(officer_rows(expect_list(found.get("officers"), url, WHAT, "officers")))
            bodies.append(response.body)
            pages = found.get("total_pages")
            total = pages if isinstance(pages, int) and not isinstance(pages, bool) else 1
            page += 1
        officers = person_positions(rows, self.entity, self.spec.names)
        return observation(officers, bodies, state, self.url, rows_seen=len(officers))
