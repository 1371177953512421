"""``kind: wikidata`` — officer statements on a company's Wikidata item.

Read from ``Special:EntityData/Q….json``: P169 (chief executive officer), P488
(chairperson), P3320 (board member), P1037 (director / manager) and P2828 (corporate
officer, with the role in a P3831 "object has role" qualifier). A statement with a
P582 end-time qualifier is a former position; a deprecated statement is skipped; a
deleted statement is simply absent. Dates keep their precision (9/10/11 → year,
month, day).

Checking is cheap: the item's ``lastrevid`` is asked first, and the entity and the
people's names are fetched only when it moved. Wikimedia asks every client for a
descriptive User-Agent with a way to reach its operator, so ``contact`` is required.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, urlencode

from pydantic import Field, field_validator

from monitor import __version__
from monitor.errors import ParseError
from monitor.fetch import Fetcher
from monitor.fieldtypes import HttpUrl
from monitor.model import Extraction, Officer
from monitor.sources.base import (
    FetchState,
    NotModified,
    Observation,
    Observed,
    Source,
    SourceSpec,
    register,
)
from monitor.sources.json_api import expect_mapping, get_json

SITE = "https://www.wikidata.org"
WHAT = "Wikidata"

# property → the role it states (P2828 reads the role from its P3831 qualifier)
PROPERTIES: dict[str, str] = {
    "P169": "ceo",
    "P488": "chairman",
    "P3320": "director",
    "P1037": "manager",
    "P2828": "corporate officer",
}
START, END, ROLE = "P580", "P582", "P3831"
_QID = re.compile(r"^Q[1-9]\d*$")


@register("wikidata")
class WikidataSpec(SourceSpec):
    kind: Literal["wikidata"]
    item: str = Field(description="the company's item id, e.g. Q1616096")
    contact: str = Field(
        min_length=3, description="an e-mail address or URL where the operator can be reached"
    )
    languages: list[str] = Field(default_factory=lambda: ["en", "zh"], min_length=1)
    base_url: HttpUrl = SITE

    @field_validator("item")
    @classmethod
    def _qid(cls, value: str) -> str:
        value = value.strip().upper()
        if not _QID.match(value):
            raise ValueError(f"{value!r} is not a Wikidata item id; write it like Q1616096")
        return value

    def locator(self) -> str:
        return self.item

    def build(self, entity: str) -> WikidataSource:
        return WikidataSource(self, entity)


# --- extraction (pure) -------------------------------------------------------


def wikidata_date(snak: Any) -> str | None:
    """A time snak → ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` by its precision."""
    if not isinstance(snak, Mapping) or snak.get("snaktype") != "value":
        return None
    value = (snak.get("datavalue") or {}).get("value")
    if not isinstance(value, Mapping) or not isinstance(value.get("time"), str):
        return None
    match = re.match(r"^([+-])(\d+)-(\d\d)-(\d\d)", value["time"])
    if not match:
        return None
    sign, year, month, day = match.groups()
    year_text = f"{'-' if sign == '-' else ''}{int(year):04d}"
    precision = value.get("precision", 11)
    if not isinstance(precision, int) or precision <= 9 or month == "00":
        return year_text
    if precision == 10 or day == "00":
        return f"{year_text}-{month}"
    return f"{year_text}-{month}-{day}"


def item_id(snak: Any) -> str | None:
    if not isinstance(snak, Mapping) or snak.get("snaktype") != "value":
        return None
    value = (snak.get("datavalue") or {}).get("value")
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def _qualifier(claim: Mapping[str, Any], prop: str) -> list[Any]:
    qualifiers = claim.get("qualifiers")
    found = qualifiers.get(prop) if isinstance(qualifiers, Mapping) else None
    return list(found) if isinstance(found, list) else []


@dataclass(frozen=True)
class Position:
    """One officer statement: who, which role (a label or an item to look up), when."""

    person: str  # item id
    role: str | None
    role_item: str | None
    start: str | None
    end: str | None
    statement: str


def positions(entity: Mapping[str, Any]) -> list[Position]:
    """The officer statements of an entity document, deprecated ones left out."""
    claims = entity.get("claims")
    if not isinstance(claims, Mapping):
        raise ParseError(f"{WHAT}: the entity has no `claims`; this is not an item document")
    found: list[Position] = []
    for prop, role in PROPERTIES.items():
        for claim in claims.get(prop) or []:
            if not isinstance(claim, Mapping) or claim.get("rank") == "deprecated":
                continue
            person = item_id(claim.get("mainsnak"))
            if person is None:
                continue
            role_items = [q for q in (item_id(s) for s in _qualifier(claim, ROLE)) if q]
            ends = [d for d in (wikidata_date(s) for s in _qualifier(claim, END)) if d]
            starts = [d for d in (wikidata_date(s) for s in _qualifier(claim, START)) if d]
            if _qualifier(claim, END) and not ends:
                continue  # ended at an unknown time: simply not current
            found.append(
                Position(
                    person=person,
                    role=None if (prop == "P2828" and role_items) else role,
                    role_item=role_items[0] if prop == "P2828" and role_items else None,
                    start=starts[0] if starts else None,
                    end=ends[0] if ends else None,
                    statement=f"{prop} {claim.get('id', '')}".strip(),
                )
            )
    return found


def label(entity: Any, languages: Sequence[str]) -> str | None:
    labels = entity.get("labels") if isinstance(entity, Mapping) else None
    if not isinstance(labels, Mapping):
        return None
    for language in (*languages, *labels.keys()):
        found = labels.get(language)
        if isinstance(found, Mapping) and isinstance(found.get("value"), str):
            return str(found["value"])
    return None


def to_officers(
    found: Sequence[Position], labels: Mapping[str, str], company: str, url: str
) -> list[Officer]:
    """Positions with their labels → officers (a person whose label is unknown keeps the id)."""
    officers: list[Officer] = []
    for p in found:
        role = labels.get(p.role_item, "corporate officer") if p.role_item else p.role
        officers.append(
            Officer.from_cells(
                labels.get(p.person, p.person),
                company,
                role=role,
                appointed=p.start,
                resigned=p.end,
                evidence=f"{url}#{p.statement} ({p.person})",
                uid=p.person,
            )
        )
    return officers


# --- the source --------------------------------------------------------------


class WikidataSource(Source):
    spec: WikidataSpec

    @property
    def url(self) -> str:
        return f"{self.spec.base_url.rstrip('/')}/wiki/{self.spec.item}"

    @property
    def headers(self) -> dict[str, str]:
        return {
            "User-Agent": f"monitor/{__version__} (officer-change monitor; {self.spec.contact})"
        }

    def api(self, **params: str) -> str:
        query = urlencode({**params, "format": "json"})
        return f"{self.spec.base_url.rstrip('/')}/w/api.php?{query}"

    async def observe(self, fetcher: Fetcher, state: FetchState) -> Observation:
        revision = await self.last_revision(fetcher)
        marker = f"wikidata:{self.spec.item}@{revision}"
        if marker == state.content_hash:
            return NotModified(url=self.url)
        _, data = await get_json(fetcher, self.entity_url, WHAT, headers=self.headers)
        entity = _the_entity(data, self.spec.item, self.entity_url)
        found = positions(entity)
        wanted = {p.person for p in found} | {p.role_item for p in found if p.role_item}
        names = await self.labels(fetcher, wanted)
        officers = to_officers(found, names, self.entity, self.url)
        extraction = Extraction(tuple(officers), rows_seen=len(found), structured=True)
        return Observed(extraction, marker, url=self.url)

    @property
    def entity_url(self) -> str:
        base = self.spec.base_url.rstrip("/")
        return f"{base}/wiki/Special:EntityData/{quote(self.spec.item)}.json"

    @property
    def revision_url(self) -> str:
        return self.api(action="wbgetentities", ids=self.spec.item, props="info")

    def labels_url(self, ids: Sequence[str]) -> str:
        return self.api(
            action="wbgetentities",
            ids="|".join(ids),
            props="labels",
            languages="|".join(self.spec.languages),
            languagefallback="1",
        )

    async def last_revision(self, fetcher: Fetcher) -> int:
        url = self.revision_url
        _, data = await get_json(fetcher, url, WHAT, headers=self.headers)
        entity = _the_entity(data, self.spec.item, url)
        revision = entity.get("lastrevid")
        if not isinstance(revision, int):
            raise ParseError(f"{WHAT} at {url}: no `lastrevid` for {self.spec.item}")
        return revision

    async def labels(self, fetcher: Fetcher, ids: set[str]) -> dict[str, str]:
        """Labels of the people and roles, 50 ids per request (the API's limit)."""
        names: dict[str, str] = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), 50):
            batch = ordered[start : start + 50]
            url = self.labels_url(batch)
            _, data = await get_json(fetcher, url, WHAT, headers=self.headers)
            entities = expect_mapping(data, url, WHAT).get("entities")
            if not isinstance(entities, Mapping):
                raise ParseError(f"{WHAT} at {url}: no `entities` in the answer")
            for qid in batch:
                text = label(entities.get(qid), self.spec.languages)
                if text:
                    names[qid] = text
        return names


def _the_entity(data: Any, item: str, url: str) -> Mapping[str, Any]:
    """The item's entity; a merged item answers under its new id (the only one)."""
    entities = expect_mapping(data, url, WHAT).get("entities")
    if not isinstance(entities, Mapping) or not entities:
        raise ParseError(f"{WHAT} at {url}: no `entities` in the answer")
    entity = entities.get(item)
    if entity is None and len(entities) == 1:
        entity = next(iter(entities.values()))
    if not isinstance(entity, Mapping) or "missing" in entity:
        raise ParseError(f"{WHAT}: item {item} does not exist (deleted or mistyped)")
    return entity
