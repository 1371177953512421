"""``kind: sec_edgar`` — officer changes in a US issuer's SEC filings.

The submissions JSON (``data.sec.gov/submissions/CIK##########.json``) lists the
issuer's filings column by column; older ones sit in extra pages named under
``filings.files``. Two kinds of filing say who the officers are:

* Form 3, filed by a new insider: the reporting owner, ``isDirector`` and
  ``officerTitle`` (read from the filing's XML) → that person joined;
* Form 8-K whose ``items`` include 5.02 (departure or appointment of directors and
  officers; ``items`` is a comma-separated string, matched by whole token, so
  ``15.02`` is not ``5.02``) → the statements the news extractor reads in the
  filing's primary document.

Filed on or after ``since`` they are replayed oldest first into the officer list
they imply. ``since`` is a fixed date so that the set of filings only grows: a
filing never drops out, so nobody "leaves" because time passed. SEC's fair-access
policy requires a User-Agent naming the operator and an e-mail address, and at most
10 requests per second (the default preset for its hosts).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import lxml.html
from lxml import etree
from pydantic import Field, field_validator

from monitor.errors import ParseError
from monitor.fetch import Fetcher, Response, require_ok
from monitor.fieldtypes import HttpUrl
from monitor.identity import Entry, same_person
from monitor.model import Change, Officer
from monitor.normalize import clean_text

if TYPE_CHECKING:
    from monitor.news.extract import Statement

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
from monitor.sources.json_api import (
    decode_json,
    expect_list,
    expect_mapping,
    get_json,
    observation,
    with_published,
)

DATA = "https://data.sec.gov"
ARCHIVES = "https://www.sec.gov"
WHAT = "SEC EDGAR"
OFFICER_ITEM = "5.02"
FORM3 = frozenset({"3", "3/A"})
FORM8K = frozenset({"8-K", "8-K/A"})
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@register("sec_edgar")
class SecEdgarSpec(SourceSpec):
    kind: Literal["sec_edgar"]
    cik: str = Field(description="the issuer's Central Index Key, e.g. 320193")
    user_agent: str = Field(description='"Company or name contact@example.com" (SEC requires it)')
    since: str = Field(description="read filings from this date on (YYYY-MM-DD)")
    base_url: HttpUrl = DATA
    archives_url: HttpUrl = ARCHIVES
    max_documents: int = Field(default=100, ge=1, le=2000)

    @field_validator("cik", mode="before")
    @classmethod
    def _cik(cls, value: Any) -> str:
        text = str(value).strip().upper().removeprefix("CIK")
        if not text.isdigit() or len(text) > 10:
            raise ValueError(f"{value!r} is not a CIK: write up to 10 digits, e.g. 320193")
        return text.zfill(10)

    @field_validator("user_agent")
    @classmethod
    def _contact(cls, value: str) -> str:
        if not _EMAIL.search(value):
            raise ValueError(
                "SEC requires a User-Agent with a contact e-mail, "
                "e.g. 'Example Corp ops@example.com'"
            )
        return value.strip()

    @field_validator("since", mode="before")
    @classmethod
    def _since(cls, value: Any) -> str:
        text = value.isoformat() if isinstance(value, date) else str(value).strip()
        if not _DATE.match(text):
            raise ValueError(f"{value!r} is not a date; write YYYY-MM-DD")
        return text

    def locator(self) -> str:
        return self.cik

    def build(self, entity: str) -> SecEdgarSource:
        return SecEdgarSource(self, entity)


# --- filings (pure) ----------------------------------------------------------


@dataclass(frozen=True)
class Filing:
    accession: str
    form: str
    filing_date: str
    report_date: str
    items: tuple[str, ...]
    primary_document: str

    @property
    def officer_change(self) -> bool:
        return self.form in FORM8K and OFFICER_ITEM in self.items

    @property
    def relevant(self) -> bool:
        return self.form in FORM3 or self.officer_change


def item_tokens(items: Any) -> tuple[str, ...]:
    """``"5.02,9.01"`` → ("5.02", "9.01"); whole tokens only."""
    if not isinstance(items, str):
        return ()
    return tuple(t.strip() for t in items.split(",") if t.strip())


_COLUMNS = ("accessionNumber", "form", "filingDate", "reportDate", "items", "primaryDocument")


def filings_from_columns(table: Mapping[str, Any], url: str) -> list[Filing]:
    """The column-wise filing table of the submissions JSON → filings."""
    missing = [c for c in _COLUMNS if c not in table and c != "reportDate"]
    if missing:
        raise ParseError(
            f"{WHAT} at {url}: the filing table lacks {', '.join(missing)}; "
            "the submissions format has changed"
        )
    columns = {c: expect_list(table.get(c), url, WHAT, c) for c in _COLUMNS}
    count = len(columns["accessionNumber"])
    if any(len(columns[c]) not in (0, count) for c in _COLUMNS):
        raise ParseError(f"{WHAT} at {url}: the filing table's columns differ in length")

    def cell(name: str, i: int) -> str:
        values = columns[name]
        return str(values[i] or "") if i < len(values) else ""

    return [
        Filing(
            accession=cell("accessionNumber", i),
            form=cell("form", i),
            filing_date=cell("filingDate", i),
            report_date=cell("reportDate", i),
            items=item_tokens(columns["items"][i] if i < len(columns["items"]) else None),
            primary_document=cell("primaryDocument", i),
        )
        for i in range(count)
    ]


def extra_pages(submissions: Mapping[str, Any], since: str) -> list[str]:
    """Names of the older filing pages that reach back to ``since``."""
    filings = submissions.get("filings")
    files = filings.get("files") if isinstance(filings, Mapping) else None
    names: list[str] = []
    for entry in files or []:
        if isinstance(entry, Mapping) and str(entry.get("filingTo") or "9999") >= since:
            names.append(str(entry.get("name")))
    return names


def document_path(filing: Filing, cik: str) -> str:
    """Archive path of the primary document; a Form 3's raw XML, not its XSL rendering."""
    document = filing.primary_document
    if filing.form in FORM3 and "/" in document and document.split("/", 1)[0].startswith("xsl"):
        document = document.split("/", 1)[1]
    folder = filing.accession.replace("-", "")
    return f"/Archives/edgar/data/{int(cik)}/{folder}/{document}"


# --- documents (pure) --------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    name: str
    roles: tuple[str, ...]
    period: str | None


def _xml_text(node: Any, path: str) -> str:
    found = node.find(path)
    if found is None:
        return ""
    text = found.findtext("value") if found.find("value") is not None else found.text
    return clean_text(text or "")


def _flag(node: Any, path: str) -> bool:
    return _xml_text(node, path).lower() in ("1", "true")


def owner_name(raw: str) -> str:
    """SEC writes owners as ``SURNAME FORENAMES [MIDDLE]`` without a comma."""
    parts = clean_text(raw).split(" ")
    if len(parts) < 2 or "," in raw:
        return raw
    return " ".join([*parts[1:], parts[0]])


_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)


def form3_owners(body: bytes, url: str) -> list[Owner]:
    """The directors and officers a Form 3 ownership document reports."""
    try:
        root = etree.fromstring(body, parser=_XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"{WHAT}: the Form 3 at {url} is not readable XML ({exc})") from None
    if root.tag != "ownershipDocument":
        raise ParseError(f"{WHAT}: {url} is not an ownership document (root <{root.tag}>)")
    period = _xml_text(root, "periodOfReport") or None
    owners: list[Owner] = []
    for owner in root.findall("reportingOwner"):
        name = _xml_text(owner, "reportingOwnerId/rptOwnerName")
        relation = owner.find("reportingOwnerRelationship")
        if not name or relation is None:
            continue
        roles: list[str] = []
        if _flag(relation, "isOfficer") or _xml_text(relation, "officerTitle"):
            roles.append(_xml_text(relation, "officerTitle") or "officer")
        if _flag(relation, "isDirector"):
            roles.append("director")
        if roles:
            owners.append(Owner(owner_name(name), tuple(roles), period))
    return owners


def document_text(body: bytes) -> str:
    """Visible text of an HTML (or plain-text) filing document."""
    try:
        root = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return body.decode("utf-8", "replace")
    for node in root.xpath("//script|//style"):
        node.drop_tree()
    return "\n".join(clean_text(t) for t in root.itertext() if clean_text(t))


def statements_8k(text: str, company: str, filed: str) -> list[Statement]:
    from monitor.news.extract import extract_statements  # only when a filing is read

    published = date.fromisoformat(filed) if _DATE.match(filed) else None
    return extract_statements(
        text, published=published, companies=[Entry(company)], all_statements=True
    )


@dataclass(frozen=True)
class Reading:
    """What one filing says: people who joined (active) or left (with a date)."""

    filing: Filing
    url: str
    officers: tuple[Officer, ...]


def read_form3(filing: Filing, url: str, body: bytes, company: str) -> Reading:
    officers = tuple(
        with_published(
            Officer.from_cells(
                owner.name,
                company,
                role=", ".join(owner.roles),
                appointed=owner.period or filing.report_date or filing.filing_date,
                evidence=f"Form 3 filed {filing.filing_date}: {url}",
            ),
            filing.filing_date,
        )
        for owner in form3_owners(body, url)
    )
    return Reading(filing, url, officers)


def read_8k(filing: Filing, url: str, body: bytes, company: str) -> Reading:
    officers: list[Officer] = []
    for st in statements_8k(document_text(body), company, filing.filing_date):
        when = st.date if st.date and st.date[:4].isdigit() else filing.report_date or None
        left = st.change == "left"
        officer = Officer.from_cells(
            st.person,
            company,
            role=st.role,
            appointed=None if left else when,
            resigned=(when or filing.filing_date) if left else None,
            evidence=f"8-K Item 5.02 filed {filing.filing_date}: {url} — {st.evidence}",
        )
        officers.append(with_published(officer, filing.filing_date))
    return Reading(filing, url, tuple(officers))


def filed_change(reading: Reading, company: str) -> Change:
    """One 8-K Item 5.02 filing as one event, naming whoever the filing was read to name."""
    names = list(dict.fromkeys(o.name for o in reading.officers))
    roles = frozenset(r for o in reading.officers for r in o.roles)
    moves = "; ".join(f"{o.name} {'left' if not o.active else 'joined'}" for o in reading.officers)
    filing = reading.filing
    return Change(
        "filed_officer_change",
        ", ".join(names) or "(no names read from the filing)",
        company,
        roles=roles,
        effective_date=filing.report_date or None,
        published_date=filing.filing_date,
        evidence=f"8-K Item 5.02 filed {filing.filing_date}: {reading.url}"
        + (f" — {moves}" if moves else ""),
        url=reading.url,
    )


def roster(readings: Sequence[Reading]) -> list[Officer]:
    """Replay filings oldest first: the latest word on each person wins; one person
    written differently in two filings ("Timothy D Cook", "Tim Cook") is one person."""
    current: dict[str, Officer] = {}
    ordered = sorted(readings, key=lambda r: (r.filing.filing_date, r.filing.accession))
    for reading in ordered:
        for officer in reading.officers:
            name = _known_as(officer.name, current)
            previous = current.get(name)
            if officer.active and previous is not None and previous.active and not officer.roles:
                continue
            if not officer.active and not officer.roles and previous is not None:
                officer = replace(officer, roles=previous.roles, appointed=previous.appointed)
            current[name] = replace(officer, name=name)
    return list(current.values())


def _known_as(name: str, current: Mapping[str, Officer]) -> str:
    for known in current:
        if known == name or same_person(known, name):
            return known
    return name


# --- the source --------------------------------------------------------------


class SecEdgarSource(Source):
    spec: SecEdgarSpec

    @property
    def url(self) -> str:
        return f"{self.spec.base_url.rstrip('/')}/submissions/CIK{self.spec.cik}.json"

    @property
    def headers(self) -> dict[str, str]:
        return {"User-Agent": self.spec.user_agent}

    async def observe(self, fetcher: Fetcher, state: FetchState) -> Observation:
        response = require_ok(
            await fetcher.get(
                self.url, etag=state.etag, last_modified=state.last_modified, headers=self.headers
            )
        )
        if response.not_modified:
            return NotModified(response.etag or state.etag, state.last_modified, self.url)
        submissions = expect_mapping(decode_json(response.body, self.url, WHAT), self.url, WHAT)
        filings, bodies = await self.filings(fetcher, submissions, response)
        if content_hash(b"\x00".join(bodies)) == state.content_hash:
            return NotModified(response.etag, response.last_modified, self.url)
        wanted = [f for f in filings if f.relevant and f.filing_date >= self.spec.since]
        if len(wanted) > self.spec.max_documents:
            raise ParseError(
                f"{WHAT}: {len(wanted)} officer filings since {self.spec.since}, more than "
                f"max_documents={self.spec.max_documents}; raise max_documents"
            )
        readings = [await self.read(fetcher, f) for f in wanted]
        officers = roster(readings)
        seen = observation(
            officers,
            bodies,
            state,
            self.url,
            rows_seen=len(officers),
            etag=response.etag,
            last_modified=response.last_modified,
        )
        if not isinstance(seen, Observed):
            return seen
        filed = tuple(filed_change(r, self.entity) for r in readings if r.filing.form not in FORM3)
        return replace(seen, extraction=replace(seen.extraction, filings=filed))

    async def filings(
        self, fetcher: Fetcher, submissions: Mapping[str, Any], first: Response
    ) -> tuple[list[Filing], list[bytes]]:
        recent = submissions.get("filings")
        table = recent.get("recent") if isinstance(recent, Mapping) else None
        if not isinstance(table, Mapping):
            raise ParseError(
                f"{WHAT} at {self.url}: no `filings.recent` table; check the CIK "
                "(this is not a submissions document)"
            )
        found = filings_from_columns(table, self.url)
        bodies = [first.body]
        for name in extra_pages(submissions, self.spec.since):
            url = f"{self.spec.base_url.rstrip('/')}/submissions/{name}"
            page, data = await get_json(fetcher, url, WHAT, headers=self.headers)
            found.extend(filings_from_columns(expect_mapping(data, url, WHAT), url))
            bodies.append(page.body)
        return found, bodies

    async def read(self, fetcher: Fetcher, filing: Filing) -> Reading:
        url = self.spec.archives_url.rstrip("/") + document_path(filing, self.spec.cik)
        response = require_ok(await fetcher.get(url, headers=self.headers))
        if filing.form in FORM3:
            return read_form3(filing, url, response.body, self.entity)
        return read_8k(filing, url, response.body, self.entity)
