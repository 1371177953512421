"""What people read: one alert, or a digest of several. Pure: no I/O.

Templates are Jinja2 in a sandboxed environment, so a channel's own
``title_template`` / ``body_template`` can format values but not reach into
Python. HTML bodies escape every value: a registry row holding ``<script>``
arrives as text.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from monitor.redact import redact_key, redact_url
from monitor.store import EventRecord

if TYPE_CHECKING:  # jinja2 is imported when a message is first rendered
    from jinja2 import Template
    from jinja2.sandbox import SandboxedEnvironment

Format = Literal["text", "markdown", "html"]
log = logging.getLogger("monitor.notify")

VERBS = {
    "joined": "joined",
    "left": "left",
    "role_changed": "changed role at",
    "filed_officer_change": "named in an officer-change filing of",
}


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    format: Format


# ---------------------------------------------------------------- context


def _roles_before_after(event: EventRecord) -> tuple[str, str]:
    if event.change == "joined":
        return "", event.role
    if event.change == "left":
        return event.role or event.previous_role, ""
    return event.previous_role, event.role


def _utc(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def event_context(event: EventRecord, note: str | None = None) -> dict[str, Any]:
    """The values a template can use for one event."""
    before, after = _roles_before_after(event)
    summary = f"{before or '-'} → {after or '-'}" if event.change == "role_changed" else event.role
    url = redact_url(event.url) if event.url else ""
    return {
        "alert_id": f"#{event.id}",
        "id": event.id,
        "person": event.person,
        "company": event.company,
        "change": event.change,
        "verb": VERBS.get(event.change, event.change),
        "role": event.role,
        "previous_role": event.previous_role,
        "roles": list(event.roles),
        "previous_roles": list(event.previous_roles),
        "roles_before": before,
        "roles_after": after,
        "role_summary": summary,
        "role_as_written": event.role_text or event.role,
        "previous_role_as_written": event.previous_role_text or event.previous_role,
        "effective_date": event.effective_date or "",
        "published_date": event.published_date or "",
        "detected_at": _utc(event.detected_at),
        "source": redact_key(event.source),  # a registry URL may carry a password or key
        "url": url,
        "link": url if re.match(r"(?i)^https?://", url) else "",
        "evidence": event.evidence,
        "origin": event.origin,
        "confirmed": event.notice == "confirmed",  # a follow-up: a registry confirms the news
        "note": note or "",
    }


# ---------------------------------------------------------------- templates

TITLE = "{{ person }} {{ verb }} {{ company }}{% if role_summary %} — {{ role_summary }}{% endif %}"

_FIELDS = (
    ("Person", "person"),
    ("Company", "company"),
    ("Change", "change"),
    ("Role(s) before", "roles_before"),
    ("Role(s) after", "roles_after"),
    ("Effective date", "effective_date"),
    ("Detected", "detected_at"),
    ("Source", "source"),
)


def _text_body() -> str:
    lines = [f"{label}: {{{{ {key} or '-' }}}}" for label, key in _FIELDS]
    return (
        "{% if note %}{{ note }}\n\n{% endif %}"
        "{{ person }} {{ verb }} {{ company }}\n\n"
        + "\n".join(lines)
        + "\nURL: {{ url or '-' }}\nEvidence: {{ evidence or '-' }}\nAlert: {{ alert_id }}\n"
    )


def _markdown_body() -> str:
    lines = [f"**{label}:** {{{{ ({key} or '-') | md }}}}" for label, key in _FIELDS]
    return (
        "{% if note %}_{{ note | md }}_\n\n{% endif %}"
        "**{{ person | md }}** {{ verb }} **{{ company | md }}**\n\n"
        + "\n".join(lines)
        + "\n**URL:** {{ link or '-' }}\n**Evidence:** {{ (evidence or '-') | md }}"
        "\n**Alert:** {{ alert_id }}\n"
    )


def _html_body() -> str:
    lines = "".join(
        f"<strong>{label}:</strong> {{{{ {key} or '-' }}}}<br/>" for label, key in _FIELDS
    )
    return (
        "{% if note %}<p><em>{{ note }}</em></p>{% endif %}"
        "<p><strong>{{ person }}</strong> {{ verb }} <strong>{{ company }}</strong></p>"
        f"<p>{lines}"
        '<strong>URL:</strong> {% if link %}<a href="{{ link }}">{{ link }}</a>'
        "{% else %}{{ url or '-' }}{% endif %}<br/>"
        "<strong>Evidence:</strong> {{ evidence or '-' }}<br/>"
        "<strong>Alert:</strong> {{ alert_id }}</p>"
    )


_MD_SPECIAL = re.compile(r"([\\`*_\[\]~|<>])")


def md_escape(value: Any) -> str:
    """Backslash-escape the characters chat Markdown would treat as formatting."""
    return _MD_SPECIAL.sub(r"\\\1", str(value))


@cache
def _environment(autoescape: bool) -> SandboxedEnvironment:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        autoescape=autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
    )
    env.filters["md"] = md_escape
    return env


@cache
def compile_template(source: str, autoescape: bool) -> Template:
    return _environment(autoescape).from_string(source)


DEFAULT_BODIES: Mapping[Format, str] = {
    "text": _text_body(),
    "markdown": _markdown_body(),
    "html": _html_body(),
}


def check_template(source: str) -> str | None:
    """The syntax error in a template, or None when it compiles."""
    from jinja2 import TemplateError

    try:
        compile_template(source, False)
    except TemplateError as exc:
        return str(exc)
    return None


def _render(source: str | None, default: str, ctx: Mapping[str, Any], autoescape: bool) -> str:
    from jinja2 import TemplateError

    if source:
        try:
            return compile_template(source, autoescape).render(ctx)
        except TemplateError as exc:
            log.warning("channel template failed (%s); using the default template", exc)
    return compile_template(default, autoescape).render(ctx)


def render_notice(title: str, body: str, fmt: Format, *, note: str | None = None) -> Message:
    """A plain message (an alert about the monitor itself), escaped for the format."""
    text = f"{note}\n\n{body}" if note else body
    if fmt == "html":
        text = "<p>" + html.escape(text).replace("\n", "<br/>") + "</p>"
    elif fmt == "markdown":
        text = md_escape(text)
    return Message(title=title, body=text, format=fmt)


def render_event(
    event: EventRecord,
    fmt: Format,
    *,
    title_template: str | None = None,
    body_template: str | None = None,
    note: str | None = None,
) -> Message:
    ctx = event_context(event, note)
    title = _render(title_template, TITLE, ctx, autoescape=False).strip()
    if ctx["confirmed"]:
        title = f"Confirmed by registry: {title}"
    body = _render(body_template, DEFAULT_BODIES[fmt], ctx, autoescape=fmt == "html")
    return Message(title=_one_line(title), body=body, format=fmt)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- digests


@dataclass(frozen=True)
class Group:
    person: str
    events: tuple[EventRecord, ...]


def group_events(events: Sequence[EventRecord]) -> list[Group]:
    """Events grouped by person (first seen first), each group ordered by company."""
    by_person: dict[str, list[EventRecord]] = {}
    for event in events:
        by_person.setdefault(event.person, []).append(event)
    return [
        Group(person, tuple(sorted(items, key=lambda e: (e.company, e.effective_date or "", e.id))))
        for person, items in by_person.items()
    ]


DIGEST_TEXT = """{% if note %}{{ note }}

{% endif %}{{ intro }}
{% for group in groups %}

{{ group.person }}
{% for e in group.events %}
  - {% if e.confirmed %}confirmed by registry: {% endif %}\
{{ e.verb }} {{ e.company }}{% if e.role_summary %} — {{ e.role_summary }}{% endif %}\
 · {{ e.alert_id }}
    effective {{ e.effective_date or "not stated" }} · detected {{ e.detected_at }}
    source: {{ e.source }}{{ (" " ~ e.url) if e.url and e.url not in e.source else "" }}
{% if e.evidence %}    evidence: {{ e.evidence }}
{% endif %}
{% endfor %}
{% endfor %}
"""

DIGEST_MARKDOWN = """{% if note %}_{{ note | md }}_

{% endif %}{{ intro | md }}
{% for group in groups %}

**{{ group.person | md }}**
{% for e in group.events %}
- {% if e.confirmed %}confirmed by registry: {% endif %}{{ e.verb }} **{{ e.company | md }}**\
{% if e.role_summary %} — {{ e.role_summary | md }}{% endif %} · {{ e.alert_id }}
  effective {{ e.effective_date or "not stated" }} · detected {{ e.detected_at }} · \
{% if e.link %}[{{ e.source | md }}]({{ e.link }}){% else %}{{ e.source | md }}{% endif %}

{% if e.evidence %}  > {{ e.evidence | md }}
{% endif %}
{% endfor %}
{% endfor %}
"""

DIGEST_HTML = """{% if note %}<p><em>{{ note }}</em></p>{% endif %}<p>{{ intro }}</p>
{% for group in groups %}<h3>{{ group.person }}</h3><ul>
{% for e in group.events %}<li>{% if e.confirmed %}confirmed by registry: {% endif %}\
{{ e.verb }} <strong>{{ e.company }}</strong>\
{% if e.role_summary %} — {{ e.role_summary }}{% endif %} · {{ e.alert_id }}<br/>\
effective {{ e.effective_date or "not stated" }} · detected {{ e.detected_at }} · \
{% if e.link %}<a href="{{ e.link }}">{{ e.source }}</a>{% else %}{{ e.source }}{% endif %}\
{% if e.evidence %}<br/><q>{{ e.evidence }}</q>{% endif %}</li>
{% endfor %}</ul>
{% endfor %}"""

DIGESTS: Mapping[Format, str] = {
    "text": DIGEST_TEXT,
    "markdown": DIGEST_MARKDOWN,
    "html": DIGEST_HTML,
}


def render_digest(
    events: Sequence[EventRecord],
    fmt: Format,
    *,
    since: datetime | None = None,
    note: str | None = None,
) -> Message:
    """One message listing several events, grouped by person and then company."""
    groups = group_events(events)
    people = ", ".join(g.person for g in groups[:4]) + (" …" if len(groups) > 4 else "")
    count = f"{len(events)} officer change{'s' if len(events) != 1 else ''}"
    title = f"{count}: {people}"
    intro = f"{count} detected" + (f" since {_utc(since)}" if since else "") + "."
    ctx = {
        "intro": intro,
        "note": note or "",
        "groups": [
            {"person": g.person, "events": [event_context(e) for e in g.events]} for g in groups
        ],
    }
    body = compile_template(DIGESTS[fmt], fmt == "html").render(ctx)
    return Message(title=title, body=body, format=fmt)


def probe_message(channel: str, fmt: Format) -> Message:
    body = {
        "text": f"This is a test message from monitor to channel {channel}.",
        "markdown": f"This is a test message from **monitor** to channel `{md_escape(channel)}`.",
        "html": "<p>This is a test message from <strong>monitor</strong> to channel "
        f"<code>{_html(channel)}</code>.</p>",
    }[fmt]
    return Message(title="monitor: test message", body=body, format=fmt)


def _html(value: str) -> str:
    from markupsafe import escape

    return str(escape(value))
