"""The JSON API under ``/api/v1``: the pages' data with the same filters.

Times are RFC 3339 with a UTC offset. Lists of events are paged with an opaque
cursor (``next_cursor``); pass it back as ``cursor`` for the next page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request, Security
from fastapi.security import HTTPBearer
from pydantic import AfterValidator, BaseModel, Field

from monitor.web import queries as q
from monitor.web.security import csrf_ok

# Declares the scheme in the OpenAPI document; the Guard middleware enforces it.
bearer = HTTPBearer(auto_error=False, description="The config's `web.token`.")
router = APIRouter(
    dependencies=[Security(bearer)],
    tags=["monitor"],
    responses={
        401: {"description": "The token is missing or wrong."},
        403: {"description": "A cross-site request, or a state change without the token."},
        404: {"description": "No such item."},
    },
)
MAX_ID = 2**63 - 1  # the databases' integer range
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _utc(value: datetime) -> datetime:
    """Stored times are naive UTC: say so (RFC 3339 needs the offset)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Utc = Annotated[datetime, AfterValidator(_utc)]
DAY = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"


def DayQuery(description: str) -> Any:
    # A string of the form YYYY-MM-DD (pydantic's date would also take a number of seconds).
    return Query(pattern=DAY, description=description, json_schema_extra={"format": "date"})


def _day(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise q.BadFilter(f"{name} {value!r} is not a day of the calendar") from None


Change = Literal["joined", "left", "role_changed", "filed_officer_change"]
Origin = Literal["registry", "news", "confirmed"]


class Evidence(BaseModel):
    origin: str
    source: str
    url: str
    title: str | None
    evidence: str
    published_date: str | None
    confidence: float
    added_at: Utc


class ReviewOut(BaseModel):
    reviewer: str
    comment: str
    reviewed_at: Utc


class EventOut(BaseModel):
    id: int
    change: str
    person: str
    company: str
    roles: list[str]
    previous_roles: list[str]
    effective_date: str | None = Field(description="When it happened, as the source says.")
    published_date: str | None = Field(description="Filed or published, where known.")
    detected_at: Utc = Field(description="When the monitor saw it.")
    confirmed_at: Utc | None
    read_at: Utc | None
    origin: str
    confidence: float
    source: str
    url: str
    evidence: str
    evidence_items: list[Evidence]
    reviews: list[ReviewOut]
    link: str = Field(description="The event's page on this dashboard.")


class EventPageOut(BaseModel):
    items: list[EventOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
    unread: int = Field(description="Unread events in the whole database, whatever the filters.")


class DeliveryOut(BaseModel):
    id: int
    event_id: int | None
    channel: str
    kind: str
    status: str
    attempts: int
    next_attempt_at: Utc
    last_error: str | None
    created_at: Utc
    sent_at: Utc | None
    title: str


class SourceOut(BaseModel):
    key: str
    kind: str
    entity: str
    url: str
    healthy: bool
    health_reason: str | None
    last_checked_at: Utc | None
    last_success_at: Utc | None
    last_error: str | None
    consecutive_failures: int
    next_check_at: Utc


class OfficerOut(BaseModel):
    source: str
    name: str
    roles: list[str]
    appointed: str | None
    resigned: str | None


class CompanyOut(BaseModel):
    name: str
    snapshot_at: Utc | None
    officers: list[OfficerOut]


class HitOut(BaseModel):
    kind: str
    name: str
    aliases: list[str]
    watched: bool


class ReviewIn(BaseModel):
    reviewer: str = Field(min_length=1, max_length=200)
    comment: str = Field(default="", max_length=10_000)


class Count(BaseModel):
    changed: int


def _site(request: Request) -> Any:
    return request.app.state.site


def event_filter(
    change: Annotated[list[Change], Query()] = [],  # noqa: B006 - FastAPI copies defaults
    person: str | None = None,
    company: str | None = None,
    origin: Origin | None = None,
    since: Annotated[str | None, DayQuery("Detected on or after this day (UTC).")] = None,
    until: Annotated[str | None, DayQuery("Detected on or before this day (UTC).")] = None,
    unread: bool = False,
    cursor: Annotated[
        str | None, Query(max_length=200, description="`next_cursor` of the previous page.")
    ] = None,
    limit: int = Query(q.PAGE_SIZE, ge=1, le=q.MAX_PAGE),
) -> q.EventFilter:
    return q.EventFilter(
        change=tuple(change),
        person=person or None,
        company=company or None,
        origin=origin,
        since=_day("since", since),
        until=_day("until", until),
        unread=unread,
        cursor=cursor or None,
        limit=limit,
    )


def event_out(site: Any, view: q.EventView) -> EventOut:
    e = view.record
    return EventOut(
        id=e.id,
        change=e.change,
        person=e.person,
        company=e.company,
        roles=list(e.roles),
        previous_roles=list(e.previous_roles),
        effective_date=e.effective_date,
        published_date=e.published_date,
        detected_at=q.aware(e.detected_at),  # type: ignore[arg-type]
        confirmed_at=q.aware(e.confirmed_at),
        read_at=q.aware(view.read_at),
        origin=e.origin,
        confidence=e.confidence,
        source=site.source(e.source),
        url=site.url(e.url),
        evidence=e.evidence,
        evidence_items=[
            Evidence(
                **{
                    **item,
                    "url": site.url(item.get("url")),
                    "source": site.source(item.get("source")),
                }
            )
            for item in e.evidence_items
        ],
        reviews=[ReviewOut(**r.__dict__) for r in view.reviews],
        link=f"/events/{e.id}",
    )


ErrorDoc: dict[int | str, dict[str, Any]] = {
    400: {"description": "A filter or cursor that cannot be used."},
}


@router.get("/events", response_model=EventPageOut, responses=ErrorDoc)
def list_events(
    request: Request, f: Annotated[q.EventFilter, Depends(event_filter)]
) -> EventPageOut:
    """Events, newest first by when they were detected; the events page's filters."""
    site = _site(request)
    page = q.list_events(site.store, site.loaded().config, f)
    return EventPageOut(
        items=[event_out(site, v) for v in page.items],
        next_cursor=page.next_cursor,
        unread=page.unread,
    )


@router.get("/events/{event_id:int}", response_model=EventOut)
def get_event(request: Request, event_id: Id) -> EventOut:
    site = _site(request)
    view = q.get_event(site.store, event_id)
    if view is None:
        raise HTTPException(404, f"no event #{event_id}")
    return event_out(site, view)


def post_allowed(request: Request, given: str | None) -> bool:
    """A state change with the bearer token, or the CSRF token the pages carry."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    bearer = bool(request.scope.get("state", {}).get("bearer"))
    return csrf_ok(headers, bearer, _site(request).csrf, given)


def _csrf(request: Request) -> None:
    if not post_allowed(request, None):
        raise HTTPException(403, "send the bearer token (or the pages' X-CSRF-Token header)")


@router.post("/events/read", response_model=Count, responses=ErrorDoc)
def mark_read(
    request: Request,
    f: Annotated[q.EventFilter, Depends(event_filter)],
    up_to: int = Query(ge=0, le=MAX_ID, description="Mark events up to this id (the newest seen)."),
) -> Count:
    """Mark the unread events matching the filters as read."""
    _csrf(request)
    site = _site(request)
    return Count(changed=q.mark_read(site.store, site.loaded().config, f, up_to))


@router.post("/events/{event_id:int}/reviews", response_model=ReviewOut, status_code=201)
def add_review(request: Request, event_id: Id, review: Annotated[ReviewIn, Body()]) -> ReviewOut:
    """Record that someone reviewed the event, with their comment (kept as an audit trail)."""
    _csrf(request)
    site = _site(request)
    done = q.add_review(site.store, event_id, review.reviewer.strip(), review.comment.strip())
    if done is None:
        raise HTTPException(404, f"no event #{event_id}")
    return ReviewOut(**{**done.__dict__, "reviewed_at": q.aware(done.reviewed_at)})


@router.get("/people/{name}/timeline", response_model=list[EventOut])
def person_timeline(request: Request, name: str) -> list[EventOut]:
    """One person's events across companies, oldest first; aliases in any script match."""
    site = _site(request)
    return [
        event_out(site, q.EventView(r, None))
        for r in q.timeline(site.store, site.loaded().config, name)
    ]


@router.get("/companies/{name}", response_model=CompanyOut)
def company(request: Request, name: str) -> CompanyOut:
    """Current officers, from the last snapshot of each of the company's sources."""
    site = _site(request)
    view = q.company(site.store, site.loaded().config, name)
    return CompanyOut(
        name=view.name,
        snapshot_at=q.aware(view.snapshot_at),
        officers=[
            OfficerOut(
                source=key,
                name=o.name,
                roles=sorted(o.roles),
                appointed=o.appointed,
                resigned=o.resigned,
            )
            for key, o in view.officers
        ],
    )


@router.get("/sources", response_model=list[SourceOut])
def sources(request: Request, errors: bool = False) -> list[SourceOut]:
    """Each source's health; ``errors=true`` keeps the failing and held ones."""
    site = _site(request)
    return [
        SourceOut(
            key=site.source(r.key),
            kind=r.kind,
            entity=r.entity,
            url=site.url(r.url),
            healthy=r.healthy,
            health_reason=site.text(r.health_reason) or None,
            last_checked_at=q.aware(r.last_checked_at),
            last_success_at=q.aware(r.last_success_at),
            last_error=site.text(r.last_error) or None,
            consecutive_failures=r.consecutive_failures,
            next_check_at=q.aware(r.next_check_at),  # type: ignore[arg-type]
        )
        for r in q.list_sources(site.store, errors=errors)
    ]


DeliveryState = Literal["pending", "sending", "sent", "dead", "failed"]


@router.get("/deliveries", response_model=list[DeliveryOut])
def deliveries(
    request: Request,
    status: DeliveryState | None = None,
    channel: str | None = None,
    event_id: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(200, ge=1, le=1000),
) -> list[DeliveryOut]:
    """The alert outbox, newest first."""
    site = _site(request)
    rows = q.list_deliveries(
        site.store, status=status, channel=channel, event_id=event_id, limit=limit
    )
    return [_delivery_out(site, d) for d in rows]


def _delivery_out(site: Any, d: q.DeliveryView) -> DeliveryOut:
    return DeliveryOut(
        **{
            **d.__dict__,
            "last_error": site.text(d.last_error) or None,
            "next_attempt_at": q.aware(d.next_attempt_at),
            "created_at": q.aware(d.created_at),
            "sent_at": q.aware(d.sent_at),
        }
    )


@router.post("/deliveries/{delivery_id:int}/retry", response_model=Count)
def retry(request: Request, delivery_id: Id) -> Count:
    """Queue a dead or failing delivery again, due now (the sender picks it up)."""
    _csrf(request)
    return Count(changed=int(q.retry_delivery(_site(request).store, delivery_id)))


@router.get("/search", response_model=list[HitOut])
def search(request: Request, q_: str = Query(alias="q", min_length=1)) -> list[HitOut]:
    """People and companies by name or alias, in any script."""
    site = _site(request)
    return [
        HitOut(kind=h.kind, name=h.name, aliases=list(h.aliases), watched=h.watched)
        for h in q.search(site.store, site.loaded().config, q_)
    ]
