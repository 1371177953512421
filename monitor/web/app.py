"""The dashboard and JSON API as one FastAPI application.

Handlers are plain ``def``: FastAPI runs them in its thread pool, where the
synchronous store is read without blocking the daemon's event loop. Pages are
Jinja2 templates in a sandboxed environment with autoescaping; every string that
came from a registry, an article or a person is escaped, and secrets are masked.
"""

from __future__ import annotations

import secrets as random_secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import PackageLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from monitor import __version__
from monitor.config import Loaded
from monitor.redact import redact_key, redact_text, redact_url
from monitor.store import Store, utcnow
from monitor.web import queries as q
from monitor.web.api import MAX_ID, Id, post_allowed
from monitor.web.api import router as api_router
from monitor.web.security import Guard, basic_user
from monitor.web.svg import timeline_svg

STATIC = Path(__file__).parent / "static"
Probes = Callable[[str], tuple[int, str, str] | None]


@dataclass
class Site:
    """What the application serves from: the store, the live config, the probes."""

    store: Store
    loaded: Callable[[], Loaded]
    probes: Probes | None = None
    csrf: str = field(default_factory=lambda: random_secrets.token_urlsafe(32))
    today: Callable[[], date] = field(default_factory=lambda: lambda: utcnow().date())
    exposed: bool = False  # listening beyond loopback: no token then means no pages

    @property
    def token(self) -> str | None:
        return self.loaded().config.web.token

    def secrets(self) -> frozenset[str]:
        return self.loaded().secrets

    def url(self, value: str | None) -> str:
        return redact_url(value, self.secrets()) if value else ""

    def href(self, value: str | None) -> str:
        """A link target only for http(s): a ``javascript:`` URL from a page stays text."""
        shown = self.url(value)
        return shown if shown.lower().startswith(("http://", "https://")) else ""

    def source(self, value: str | None) -> str:
        """A source's key, whose locator may carry credentials."""
        return redact_key(value, self.secrets()) if value else ""

    def text(self, value: str | None) -> str:
        return redact_text(value, self.secrets()) if value else ""


def _time(value: datetime | None) -> Markup:
    """An exact UTC time, machine-readable in the ``datetime`` attribute."""
    if value is None:
        return Markup("—")
    exact = value.isoformat(timespec="seconds") + "Z"  # digits and separators only
    shown = value.strftime("%Y-%m-%d %H:%M UTC")
    return Markup(f'<time datetime="{exact}" title="{exact}">{shown}</time>')


def templates() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=PackageLoader("monitor.web", "templates"),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["time"] = _time
    env.globals["version"] = __version__
    return env


def create_app(site: Site) -> Any:
    """The ASGI application: the FastAPI app behind the token and CSP guard."""
    app = FastAPI(
        title="monitor",
        version=__version__,
        summary="Officer changes detected by monitor: events, people, sources, alerts.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI loads from a CDN: neither allowed by the CSP nor offline
        redoc_url=None,
    )
    app.state.site = site
    app.state.env = templates()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api_router, prefix="/api/v1")
    _pages(app, site)
    app.add_exception_handler(q.BadFilter, _bad_filter)
    return Guard(app, lambda: site.token, site.exposed)


def _bad_filter(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        from fastapi.responses import JSONResponse

        return JSONResponse({"detail": str(exc)}, status_code=400)
    return PlainTextResponse(f"bad filter: {exc}\n", status_code=400)


def _render(request: Request, template: str, code: int = 200, /, **context: Any) -> HTMLResponse:
    site: Site = request.app.state.site
    env: SandboxedEnvironment = request.app.state.env
    context.setdefault("csrf", site.csrf)
    context.setdefault("path", request.url.path)
    context.setdefault("site", site)
    return HTMLResponse(env.get_template(template).render(**context), status_code=code)


def page_filter(
    change: list[str],
    person: str | None,
    company: str | None,
    origin: str | None,
    since: str | None,
    until: str | None,
    unread: str | None,
    cursor: str | None,
    limit: str | None = None,
) -> q.EventFilter:
    """An EventFilter from a page's query string, where an empty field means no filter."""

    def day(name: str, value: str | None) -> date | None:
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise q.BadFilter(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None

    return q.EventFilter(
        change=tuple(c for c in change if c),
        person=(person or "").strip() or None,
        company=(company or "").strip() or None,
        origin=origin or None,
        since=day("since", since),
        until=day("until", until),
        unread=unread in ("1", "true", "on"),
        cursor=cursor or None,
        limit=int(limit) if limit and limit.isdigit() else q.PAGE_SIZE,
    )


def _filter_from(request: Request) -> q.EventFilter:
    p = request.query_params
    return page_filter(
        p.getlist("change"),
        p.get("person"),
        p.get("company"),
        p.get("origin"),
        p.get("since"),
        p.get("until"),
        p.get("unread"),
        p.get("cursor"),
        p.get("limit"),
    )


def _forbidden() -> Response:
    return PlainTextResponse(
        "refused: reload the page and try again (the form's CSRF token is missing or stale)\n",
        status_code=403,
    )


def _pages(app: FastAPI, site: Site) -> None:  # noqa: C901 - one short route each
    def html(path: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return app.get(path, response_class=HTMLResponse, include_in_schema=False, **kw)

    def post(path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return app.post(path, include_in_schema=False)

    # The daemon's probes read its counters, which its event loop changes: answer on the
    # loop (async), not from the thread pool. Without a daemon, /healthz asks the database.
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> Response:
        if site.probes is None:
            return await run_in_threadpool(_db_health, site)
        return _probe(site.probes, "/healthz")

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return _probe(site.probes, "/metrics")

    @html("/")
    def home() -> Response:
        return RedirectResponse("/events", status_code=303)

    @html("/events")
    def events_page(request: Request) -> Response:
        f = _filter_from(request)
        canonical = f"/events?{f.query()}" if f.query() else "/events"
        empty = any(v == "" for _, v in request.query_params.multi_items())
        if empty and not request.headers.get("hx-request"):
            return RedirectResponse(canonical, status_code=303)  # a form's blank fields
        page = q.list_events(site.store, site.loaded().config, f)
        answer = _render(
            request, "events.html", f=f, page=page, changes=q.CHANGES, origins=q.ORIGINS
        )
        answer.headers["HX-Push-Url"] = canonical  # the address bar shows the filter
        return answer

    @app.get("/events.atom", include_in_schema=False)
    def events_feed(request: Request) -> Response:
        f = _filter_from(request)
        page = q.list_events(site.store, site.loaded().config, f)
        base = str(request.base_url).rstrip("/")
        body = request.app.state.env.get_template("events.atom").render(
            f=f, page=page, base=base, site=site, updated=utcnow().replace(tzinfo=UTC)
        )
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    @post("/events/read")
    def read_all(
        request: Request, up_to: int = Form(ge=0, le=MAX_ID), csrf: str | None = Form(None)
    ) -> Response:
        if not post_allowed(request, csrf):
            return _forbidden()
        f = _filter_from(request)
        q.mark_read(site.store, site.loaded().config, f, up_to)
        return RedirectResponse(f"/events?{f.query(cursor=None)}", status_code=303)

    @html("/events/{event_id}")
    def event_page(request: Request, event_id: int) -> Response:
        view = q.get_event(site.store, event_id) if 1 <= event_id <= MAX_ID else None
        if view is None:
            return _render(request, "missing.html", 404, what=f"event #{event_id}")
        sent = q.list_deliveries(site.store, event_id=event_id)
        reviewer = basic_user(request.headers.get("authorization", "")) or ""
        around = q.officers_around(site.store, event_id)
        return _render(
            request, "event.html", v=view, e=view.record, sent=sent, reviewer=reviewer,
            around=around,
        )  # fmt: skip

    @post("/events/{event_id}/read")
    def read_one(
        request: Request, event_id: Id, csrf: str | None = Form(None), read: str = Form("1")
    ) -> Response:
        if not post_allowed(request, csrf):
            return _forbidden()
        q.mark_one_read(site.store, event_id, read == "1")
        if request.headers.get("hx-request") and not request.headers.get("hx-boosted"):
            return Response(status_code=204)
        # Back on the event's page it would be read again at once: go to the list.
        target = f"/events/{event_id}" if read == "1" else "/events"
        return RedirectResponse(target, status_code=303)

    @post("/events/{event_id}/review")
    def review(
        request: Request,
        event_id: Id,
        reviewer: str = Form(""),
        comment: str = Form(""),
        csrf: str | None = Form(None),
    ) -> Response:
        if not post_allowed(request, csrf):
            return _forbidden()
        reviewer, comment = reviewer.strip()[:200], comment.strip()[:10_000]
        if not reviewer:
            return PlainTextResponse("a review needs the reviewer's name\n", status_code=400)
        if q.add_review(site.store, event_id, reviewer, comment) is None:
            return _render(request, "missing.html", 404, what=f"event #{event_id}")
        return RedirectResponse(f"/events/{event_id}#reviews", status_code=303)

    @html("/people/{name}")
    def person_page(request: Request, name: str) -> Response:
        config = site.loaded().config
        found = q.timeline(site.store, config, name)
        from monitor.query import person_names

        svg = Markup(timeline_svg(found, site.today()))  # every label is escaped inside
        return _render(
            request, "person.html", name=name, events=found, svg=svg,
            aliases=[n for n in person_names(config, name) if n != name],
        )  # fmt: skip

    @html("/companies/{name}")
    def company_page(request: Request, name: str) -> Response:
        config = site.loaded().config
        view = q.company(site.store, config, name)
        history = q.list_events(site.store, config, q.EventFilter(company=name, limit=200))
        return _render(request, "company.html", c=view, history=history)

    @html("/sources")
    def sources_page(request: Request, errors: str | None = None) -> Response:
        rows = q.list_sources(site.store, errors=bool(errors))
        return _render(request, "sources.html", rows=rows, errors=bool(errors), now=utcnow())

    @html("/alerts")
    def alerts_page(
        request: Request, status: str | None = None, channel: str | None = None
    ) -> Response:
        status = status if status in q.DELIVERY_STATES else None
        rows = q.list_deliveries(site.store, status=status, channel=channel or None)
        counts = q.delivery_counts(site.store)
        channels = sorted(site.loaded().config.channels)
        return _render(
            request, "alerts.html", rows=rows, counts=counts, status=status,
            channel=channel or "", channels=channels, states=q.DELIVERY_STATES,
        )  # fmt: skip

    @post("/alerts/{delivery_id}/retry")
    def retry(
        request: Request,
        delivery_id: Id,
        csrf: str | None = Form(None),
        back: str = Form("/alerts"),
    ) -> Response:
        if not post_allowed(request, csrf):
            return _forbidden()
        q.retry_delivery(site.store, delivery_id)
        return RedirectResponse(back if back.startswith("/alerts") else "/alerts", status_code=303)

    @html("/search")
    def search_page(request: Request, q_: str = Query("", alias="q")) -> Response:
        hits = q.search(site.store, site.loaded().config, q_) if q_ else []
        return _render(request, "search.html", text=q_, hits=hits)


def _probe(probes: Probes | None, path: str) -> Response:
    answer = probes(path) if probes else None
    if answer is None:
        return PlainTextResponse("not found\n", status_code=404)
    status, content_type, body = answer
    return Response(body, status_code=status, media_type=content_type)


def _db_health(site: Site) -> Response:
    from sqlalchemy import text

    try:
        with site.store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return PlainTextResponse("the state database does not answer\n", status_code=503)
    return PlainTextResponse("ok\n")
