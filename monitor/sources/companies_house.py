"""``kind: companies_house`` and ``kind: companies_house_officer`` — the UK register.

Companies House keeps resigned officers in a company's officer list and sets
``resigned_on``; the row does not disappear. ``/officers/{id}/appointments`` lists one
officer's appointments across companies, current first, which is how a person (not
a company) is watched. The API key is the HTTP basic-auth user name, with an empty
password. Both lists are paginated with ``start_index``/``items_per_page`` and
``total_results``; every page is read, and a list that stops short is an error
rather than a list of departures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal
from urllib.parse import quote

from pydantic import Field, field_validator

from monitor.errors import ParseError
from monitor.fetch import Fetcher
from monitor.fieldtypes import HttpUrl
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

API = "https://api.company-information.service.gov.uk"
WHAT = "Companies House"
MAX_PAGES = 50


class _CompaniesHouseSpec(SourceSpec):
    api_key: str = Field(min_length=1, description="REST API key, e.g. ${COMPANIES_HOUSE_KEY}")
    base_url: HttpUrl = API
    items_per_page: int = Field(default=100, ge=1, le=100)

    def auth(self) -> tuple[str, str]:
        return (self.api_key, "")


@register("companies_house")
class CompaniesHouseSpec(_CompaniesHouseSpec):
    kind: Literal["companies_house"]
    company_number: str = Field(min_length=2, max_length=10)

    @field_validator("company_number")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.strip().upper()

    def locator(self) -> str:
        return self.company_number

    def build(self, entity: str) -> CompaniesHouseSource:
        return CompaniesHouseSource(self, entity)


@register("companies_house_officer")
class CompaniesHouseOfficerSpec(_CompaniesHouseSpec):
    kind: Literal["companies_house_officer"]
    officer_id: str | list[str] = Field(
        description="one officer id, or several that belong to the same person"
    )
    items_per_page: int = Field(default=50, ge=1, le=50)

    scope: ClassVar[Scope] = "person"

    @property
    def officer_ids(self) -> list[str]:
        ids = [self.officer_id] if isinstance(self.officer_id, str) else self.officer_id
        return [i.strip() for i in ids if i.strip()]

    @field_validator("officer_id")
    @classmethod
    def _some(cls, value: str | list[str]) -> str | list[str]:
        if not (value if isinstance(value, list) else value.strip()):
            raise ValueError("give at least one officer id (the part after /officers/ in a URL)")
        return value

    def locator(self) -> str:
        return ",".join(self.officer_ids)

    def build(self, entity: str) -> CompaniesHouseOfficerSource:
        return CompaniesHouseOfficerSource(self, entity)


def page_url(base: str, path: str, start: int, per_page: int) -> str:
    return f"{base.rstrip('/')}{path}?items_per_page={per_page}&start_index={start}"


async def read_all(
    fetcher: Fetcher, spec: _CompaniesHouseSpec, path: str
) -> tuple[list[Any], list[bytes]]:
    """Every item of a paginated Companies House list, and the raw bodies."""
    items: list[Any] = []
    bodies: list[bytes] = []
    start, total = 0, None
    for _ in range(MAX_PAGES):
        url = page_url(spec.base_url, path, start, spec.items_per_page)
        response, data = await get_json(fetcher, url, WHAT, auth=spec.auth())
        page = expect_mapping(data, url, WHAT)
        if "items" not in page or "total_results" not in page:
            raise ParseError(
                f"{WHAT} at {url}: the answer has no `items`/`total_results`; "
                "this is not an officer list (check the company number or officer id)"
            )
        found = expect_list(page["items"], url, WHAT, "items")
        items.extend(found)
        bodies.append(response.body)
        total = _int(page.get("total_results"), url)
        start += len(found)
        if start >= total:
            return items, bodies
        if not found:
            raise ParseError(
                f"{WHAT} at {url}: an empty page after {start} of {total} items; "
                "the list is incomplete, try again later"
            )
    raise ParseError(f"{WHAT}: more than {MAX_PAGES} pages at {spec.base_url}{path}")


def _int(value: Any, url: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ParseError(f"{WHAT} at {url}: `total_results` is {value!r}, not a number")


def role_text(value: Any) -> str | None:
    """``"llp-designated-member"`` → ``"llp designated member"``."""
    text = text_of(value)
    return text.replace("-", " ") if text else None


def company_officers(items: Sequence[Any], company: str) -> list[Officer]:
    """Pure: officer-list items → officers of ``company`` (resigned ones keep their date)."""
    officers: list[Officer] = []
    for item in items:
        if not isinstance(item, Mapping) or not text_of(item.get("name")):
            continue
        officers.append(
            Officer.from_cells(
                str(item["name"]),
                company,
                role=role_text(item.get("officer_role")),
                appointed=normalize_date(item.get("appointed_on") or item.get("appointed_before")),
                resigned=normalize_date(item.get("resigned_on")),
                evidence=evidence_of(_visible(item)),
                uid=officer_uid(item),
            )
        )
    return officers


def officer_uid(item: Mapping[str, Any]) -> str | None:
    """The officer id in the item's appointments link, else the month of birth.

    Companies House gives one person one id across their appointments; the same name
    under two ids (or two birth months) is two people, e.g. a father and his son.
    """
    links = item.get("links")
    officer = links.get("officer") if isinstance(links, Mapping) else None
    path = officer.get("appointments") if isinstance(officer, Mapping) else None
    if isinstance(path, str) and "/officers/" in path:
        return "ch:" + path.split("/officers/", 1)[1].split("/", 1)[0]
    born = item.get("date_of_birth")
    if isinstance(born, Mapping) and born.get("year"):
        return f"born:{born.get('year')}-{born.get('month') or 0:02}"
    return None


def person_appointments(items: Sequence[Any], person: str) -> list[Officer]:
    """Pure: one officer's appointments → positions of ``person`` across companies."""
    officers: list[Officer] = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        target = item.get("appointed_to")
        company = text_of(target.get("company_name")) if isinstance(target, Mapping) else None
        if not company:
            continue
        officers.append(
            Officer.from_cells(
                person,
                company,
                role=role_text(item.get("officer_role")),
                appointed=normalize_date(item.get("appointed_on") or item.get("appointed_before")),
                resigned=normalize_date(item.get("resigned_on")),
                evidence=evidence_of(_visible(item)),
            )
        )
    return officers


_EVIDENCE_KEYS = ("name", "officer_role", "appointed_on", "resigned_on", "appointed_to")


def _visible(item: Mapping[str, Any]) -> dict[str, Any]:
    """What a person would check; not addresses or dates of birth."""
    return {k: item[k] for k in _EVIDENCE_KEYS if item.get(k) is not None}


class CompaniesHouseSource(Source):
    spec: CompaniesHouseSpec

    @property
    def url(self) -> str:
        return f"{self.spec.base_url.rstrip('/')}/company/{self.spec.company_number}/officers"

    async def observe(self, fetcher: Fetcher, state: FetchState) -> Observation:
        path = f"/company/{quote(self.spec.company_number)}/officers"
        items, bodies = await read_all(fetcher, self.spec, path)
        officers = company_officers(items, self.entity)
        return observation(officers, bodies, state, self.url, rows_seen=len(items))


class CompaniesHouseOfficerSource(Source):
    spec: CompaniesHouseOfficerSpec

    @property
    def url(self) -> str:
        first = self.spec.officer_ids[0]
        return f"{self.spec.base_url.rstrip('/')}/officers/{first}/appointments"

    async def observe(self, fetcher: Fetcher, state: FetchState) -> Observation:
        officers: list[Officer] = []
        bodies: list[bytes] = []
        seen = 0
        for officer_id in self.spec.officer_ids:
            path = f"/officers/{quote(officer_id)}/appointments"
            items, pages = await read_all(fetcher, self.spec, path)
            officers.extend(person_appointments(items, self.entity))
            bodies.extend(pages)
            seen += len(items)
        return observation(officers, bodies, state, self.url, rows_seen=seen)
