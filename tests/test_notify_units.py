"""Pure parts of alert delivery: routing, URL secrets, timing, messages, apprise verdicts."""

from __future__ import annotations

import html
import logging
import random
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import apprise
import pytest
import yaml
from apprise.result import AppriseResult, AppriseResultStatus, NotifyAttempt, NotifyResult
from hypothesis import example, given, settings
from hypothesis import strategies as st

from monitor.config import load_config_text
from monitor.errors import ConfigError
from monitor.notify.channels import Channels, read_result
from monitor.notify.messages import md_escape, render_digest, render_event
from monitor.notify.routing import route
from monitor.notify.timing import RETRY_BASE, RETRY_CAP, digest_due, retry_delay
from monitor.notify.urls import encode_secrets
from monitor.redact import redact_text
from monitor.store import EventRecord

FIXTURES = Path(__file__).parent / "fixtures" / "notify"
ROUTING = yaml.safe_load((FIXTURES / "routing.yaml").read_text(encoding="utf-8"))
DETECTED = datetime(2026, 3, 31, 9, 30)


def event(**fields: Any) -> EventRecord:
    values: dict[str, Any] = {
        "id": 7,
        "change": "left",
        "person": "Lei Jun",
        "company": "Xiaomi Technology (Wuhan) Co., Ltd.",
        "roles": ("legal representative",),
        "previous_roles": (),
        "effective_date": "2021-12-07",
        "published_date": None,
        "detected_at": DETECTED,
        "evidence": "Lei Jun 法定代表人 2015-06-01",
        "source": "wuhan registry",
        "url": "https://registry.example.com/wuhan",
        "origin": "registry",
    }
    values.update(fields)
    return EventRecord(**values)


# ---------------------------------------------------------------- routing


@pytest.mark.parametrize("case", ROUTING["cases"], ids=lambda c: f"{c['person']}-{c['change']}")
def test_routing(case: dict[str, Any]) -> None:
    config = load_config_text(ROUTING["config"]).config
    record = event(
        person=case["person"],
        company=case["company"],
        change=case["change"],
        roles=tuple(case.get("roles", ())),
        previous_roles=tuple(case.get("previous", ())),
    )
    assert list(route(record, config)) == case["expect"]


# ---------------------------------------------------------------- secrets in URLs


@pytest.mark.parametrize(
    ("template", "secret", "expected"),
    [
        ("mailtos://u:{s}@mail.example.com", "p#ss/w@rd", "mailtos://u:p%23ss%2Fw%40rd@mail.example.com"),
        ("mailtos://u:{s}@mail.example.com", "plain", "mailtos://u:plain@mail.example.com"),
        ("mailtos://u:{s}@mail.example.com", "p%23ss", "mailtos://u:p%23ss@mail.example.com"),
        ("json://host/hook/{s}", "a/b", "json://host/hook/a/b"),  # a path may hold slashes
        ("json://host/hook/{s}", "a#b", "json://host/hook/a%23b"),
        ("{s}", "slack://T/B/C/#chan", "slack://T/B/C/#chan"),  # a whole URL from the env
    ],
)  # fmt: skip
def test_secrets_that_would_misparse_are_percent_encoded(
    template: str, secret: str, expected: str
) -> None:
    assert encode_secrets(template.format(s=secret), [secret]) == expected


# A secret holding "%XX" is taken as already percent-encoded by the user (tested above).
PASSWORDS = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=3, max_size=20
).filter(lambda p: not re.search("%[0-9A-Fa-f]{2}", p))


@settings(max_examples=60, deadline=None)
@given(PASSWORDS)
def test_apprise_reads_back_every_password_exactly(password: str) -> None:
    url = encode_secrets(f"mailtos://alice:{password}@mail.example.com", [password])
    service = apprise.Apprise.instantiate(url)
    assert service is not None
    assert (service.user, service.password, service.smtp_host) == (
        "alice",
        password,
        "mail.example.com",
    )


@settings(max_examples=100)
@given(st.text(min_size=3, max_size=30), st.text(max_size=30))
def test_redaction_hides_secrets_as_written_and_percent_encoded(secret: str, around: str) -> None:
    text = f"{around}{secret} url=x://h/{quote(secret, safe='')}?{quote(secret)} {around}"
    cleaned = redact_text(text, [secret])
    assert secret not in cleaned and quote(secret, safe="") not in cleaned


def test_a_channel_apprise_cannot_parse_is_a_named_configuration_error() -> None:
    config = load_config_text(
        'channels: {bad: "nosuch://${TOKEN}@x", ok: "json://localhost/h"}', env={"TOKEN": "s3cr3t"}
    )
    channels = Channels(config.config, config.secrets)
    bad = channels.get("bad")
    assert bad.apobj is None and "channel 'bad'" in (bad.error or "")
    assert "s3cr3t" not in (bad.error or "")
    assert channels.get("ok").format == "text" and channels.get("ok") is channels.get("ok")


# ---------------------------------------------------------------- timing


@given(st.integers(min_value=1, max_value=200), st.integers())
def test_backoff_grows_exponentially_within_jitter_bounds(attempts: int, seed: int) -> None:
    delay = retry_delay(attempts, random.Random(seed))
    ceiling = min(RETRY_BASE * 2 ** min(attempts - 1, 30), RETRY_CAP)
    assert ceiling / 2 <= delay <= ceiling


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from([timedelta(hours=6), timedelta(days=1), timedelta(days=7)]),
)
def test_digest_boundary_is_the_next_aligned_slot(detected: datetime, every: timedelta) -> None:
    due = digest_due(detected, every)
    assert detected < due <= detected + every
    assert (due - datetime(1970, 1, 1)) % every == timedelta(0)


def test_daily_digest_is_due_at_midnight_utc() -> None:
    assert digest_due(DETECTED, timedelta(days=1)) == datetime(2026, 4, 1)
    assert digest_due(DETECTED, None) == datetime(2026, 4, 1)


# ---------------------------------------------------------------- messages


def test_title_reads_at_a_glance() -> None:
    assert render_event(event(), "text").title == (
        "Lei Jun left Xiaomi Technology (Wuhan) Co., Ltd. — legal representative"
    )
    changed = event(change="role_changed", roles=("ceo",), previous_roles=("director",))
    assert render_event(changed, "text").title.endswith("— director → ceo")


def test_body_names_everything_a_reader_needs() -> None:
    body = render_event(event(), "text").body
    for expected in (
        "Person: Lei Jun",
        "Change: left",
        "Role(s) before: legal representative",
        "Role(s) after: -",
        "Effective date: 2021-12-07",
        "Detected: 2026-03-31 09:30 UTC",
        "Source: wuhan registry",
        "URL: https://registry.example.com/wuhan",
        "Evidence: Lei Jun 法定代表人 2015-06-01",
        "Alert: #7",
    ):
        assert expected in body


@given(st.text(min_size=1, max_size=40))
@example("<")
@example("<script>alert(1)</script>")
def test_html_bodies_escape_every_value(value: str) -> None:
    # Fence the value so that a short one (say "<") is not found in the template's own markup.
    value = f"\u2063{value}\u2063"
    body = render_event(event(evidence=value, person=value), "html").body
    assert html.escape(value, quote=False).replace("'", "&#39;") in body.replace("&#34;", '"')
    if "<" in value:
        assert value not in body


def test_a_javascript_url_is_never_a_link() -> None:
    body = render_event(event(url="javascript:alert(1)"), "html").body
    assert "href" not in body


def test_markdown_escapes_formatting_characters() -> None:
    assert md_escape("a_b*c<d>") == r"a\_b\*c\<d\>"
    body = render_event(event(evidence="*bold* <script>"), "markdown").body
    assert r"\*bold\* \<script\>" in body


def test_channel_templates_are_sandboxed_and_fall_back_to_the_default() -> None:
    custom = render_event(event(), "text", title_template="[{{ change | upper }}] {{ person }}")
    assert custom.title == "[LEFT] Lei Jun"
    escape = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    safe = render_event(event(), "text", title_template=escape, body_template="{{ nope }}")
    assert safe.title.startswith("Lei Jun left") and "Alert: #7" in safe.body


def test_digest_groups_by_person_then_company() -> None:
    records = [
        event(id=1, company="B Co"),
        event(id=2, person="Zeng Xuezhong", change="joined"),
        event(id=3, company="A Co"),
    ]
    message = render_digest(records, "text")
    assert message.title == "3 officer changes: Lei Jun, Zeng Xuezhong"
    assert message.body.index("\nLei Jun\n") < message.body.index("\nZeng Xuezhong\n")
    assert message.body.index("left A Co") < message.body.index("left B Co")
    assert all(f"#{i}" in message.body for i in (1, 2, 3))



def test_a_digest_keeps_each_alerts_dates_and_evidence_and_names_the_url_once() -> None:
    one = event(id=4, source="Wuhan · html · https://r.example.com/w", url="https://r.example.com/w")
    for fmt in ("text", "markdown", "html"):
        body = render_digest([one], fmt).body  # type: ignore[arg-type]
        assert "detected " in body and "effective " in body, fmt
        assert one.evidence.split()[0] in body, fmt
    text = render_digest([one], "text").body
    assert text.count("https://r.example.com/w") == 1


# ---------------------------------------------------------------- apprise verdicts


def _result(status: AppriseResultStatus, services: list[AppriseResultStatus]) -> AppriseResult:
    results = [
        NotifyResult("JSON", "json://localhost/x", attempts=[NotifyAttempt(s)]) for s in services
    ]
    return AppriseResult(status=status, results=results)


@pytest.mark.parametrize(
    ("status", "services", "verdict"),
    [
        (AppriseResultStatus.SUCCESS, [AppriseResultStatus.SUCCESS], "sent"),
        (AppriseResultStatus.SUCCESS, [], "retry"),  # nothing confirmed it
        (AppriseResultStatus.FAILURE, [AppriseResultStatus.FAILURE], "retry"),
        (AppriseResultStatus.TIMEOUT, [AppriseResultStatus.TIMEOUT], "retry"),
        (AppriseResultStatus.PARTIAL, [AppriseResultStatus.SUCCESS, AppriseResultStatus.FAILURE], "retry"),
        (AppriseResultStatus.NOMATCH, [], "dead"),
    ],
)  # fmt: skip
def test_only_a_confirmed_success_counts_as_sent(
    status: AppriseResultStatus, services: list[AppriseResultStatus], verdict: str
) -> None:
    assert read_result(_result(status, services), frozenset()).verdict == verdict


# ---------------------------------------------------------------- digests at a time of day


@pytest.mark.parametrize(
    ("detected", "at", "tz", "due"),
    [
        # London in summer (UTC+1): 08:00 local is 07:00 UTC, strictly after detection.
        (datetime(2026, 4, 1, 6, 0), "08:00", "Europe/London", datetime(2026, 4, 1, 7, 0)),
        (datetime(2026, 4, 1, 7, 0), "08:00", "Europe/London", datetime(2026, 4, 2, 7, 0)),
        # and in winter (UTC+0)
        (datetime(2026, 1, 10, 9, 0), "08:00", "Europe/London", datetime(2026, 1, 11, 8, 0)),
        (datetime(2026, 11, 25, 0, 30), "09:00", "Asia/Shanghai", datetime(2026, 11, 25, 1, 0)),
        (datetime(2026, 11, 25, 23, 59), "00:00", "UTC", datetime(2026, 11, 26, 0, 0)),
        # 01:30 does not exist in London on 2026-03-29 (01:00 GMT → 02:00 BST): 02:30 BST
        (datetime(2026, 3, 29, 0, 0), "01:30", "Europe/London", datetime(2026, 3, 29, 1, 30)),
    ],
)
def test_a_daily_digest_goes_at_the_local_time(
    detected: datetime, at: str, tz: str, due: datetime
) -> None:
    assert digest_due(detected, None, at, tz) == due


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(["00:00", "01:30", "08:00", "23:59"]),
    st.sampled_from(["UTC", "Europe/London", "America/New_York", "Asia/Shanghai"]),
)
def test_a_daily_digest_is_within_a_day_of_detection(detected: datetime, at: str, tz: str) -> None:
    due = digest_due(detected, None, at, tz)
    assert detected < due <= detected + timedelta(hours=25)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ('at: "8am"', "is not a time of day: write it as HH:MM"),
        ('at: "08:00", timezone: Mars/Olympus', "unknown time zone 'Mars/Olympus'"),
        ('at: "08:00", every: 1d', "either `every` (a period) or `at`"),
    ],
)
def test_digest_schedule_mistakes_are_named(options: str, message: str) -> None:
    text = f'channels:\n  daily: {{url: "json://127.0.0.1:9/x", mode: digest, {options}}}\n'
    with pytest.raises(ConfigError) as caught:
        load_config_text(text, "watch.yaml", env={})
    assert message in str(caught.value)
    assert str(caught.value).startswith("watch.yaml:2:")


def test_a_schedule_without_digest_mode_is_refused() -> None:
    text = 'channels:\n  daily: {url: "json://127.0.0.1:9/x", at: "08:00"}\n'
    with pytest.raises(ConfigError) as caught:
        load_config_text(text, "watch.yaml", env={})
    assert "add `mode: digest`" in str(caught.value)


def test_a_digest_row_waits_for_the_channels_local_time() -> None:
    from monitor.notify.outbox import planned_rows

    text = (
        "defaults: {notify: [morning]}\n"
        "channels:\n"
        '  morning: {url: "json://127.0.0.1:9/x", mode: digest, at: "09:00", '
        "timezone: Asia/Shanghai}\n"
        "people:\n  - name: Lei Jun\n"
    )
    config = load_config_text(text, "watch.yaml", env={}).config
    [row] = planned_rows([event()], config, DETECTED)
    # detected 09:30 UTC = 17:30 in Shanghai: the next 09:00 there is 01:00 UTC next day
    assert (row["mode"], row["next_attempt_at"]) == ("digest", datetime(2026, 4, 1, 1, 0))


# ---------------------------------------------------------------- operator alerts


def test_a_dead_operator_alert_follows_only_an_explicit_fallback() -> None:
    """Every operator channel already has its own copy: rerouting there would repeat it."""
    from monitor.notify.channels import SendResult
    from monitor.notify.deliver import Planned, Sent, settlement
    from monitor.notify.outbox import Delivery

    text = (
        "defaults: {operator_notify: [ops, pager]}\n"
        "channels:\n"
        '  ops: "json://127.0.0.1:9/ops"\n'
        '  pager: {url: "json://127.0.0.1:9/pager", fallback: ops}\n'
    )
    loaded = load_config_text(text, "watch.yaml", env={})

    def dead_on(channel: str) -> tuple[str, ...]:
        row = Delivery(
            1,
            f"operator:x:{channel}",
            channel,
            "immediate",
            0,
            DETECTED,
            None,
            kind="operator",
            message={"title": "t", "body": "b"},
        )
        sent = Sent(Planned(channel, (row,), None), SendResult("dead", "CONFIG", "unusable"))
        return settlement(sent, loaded, DETECTED, random.Random(1)).fallback

    assert dead_on("ops") == ()
    assert dead_on("pager") == ("ops",)


def test_operator_alerts_at_the_same_moment_never_collide(tmp_path: Path) -> None:
    from monitor.notify.outbox import enqueue_operator
    from monitor.store import Store

    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    title = "monitor: source unhealthy after 3 failed checks: " + "x" * 300
    written = store.write(
        lambda conn: (
            enqueue_operator(conn, title, "a", ["ops"], DETECTED)
            + enqueue_operator(conn, title, "b", ["ops"], DETECTED)
        )
    )
    store.close()
    assert written == 2


def test_an_alert_masks_the_credentials_of_its_registry_url() -> None:
    url = "https://admin:pa55word@registry.example.com/ks?api_key=sk-live-0123456789"
    record = event(source=f"html · {url}", url=url)
    for fmt in ("text", "markdown", "html"):
        message = render_event(record, fmt)  # type: ignore[arg-type]
        shown = message.title + message.body
        assert "registry.example.com/ks" in shown, fmt
        assert "pa55word" not in shown and "sk-live-0123456789" not in shown, fmt


def test_an_alerts_news_link_keeps_its_query_as_written() -> None:
    url = "https://news.example.com/read?id=7&q=a%26b+c&utm=x"  # %26 is data, not a separator
    message = render_event(event(origin="news", url=url, source="feed · news"), "html")
    assert f'href="{url.replace("&", "&amp;")}"' in message.body


def test_auditing_a_bad_channel_logs_no_part_of_its_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from monitor.config import load_config
    from monitor.notify.channels import audit

    path = tmp_path / "monitor.yaml"
    path.write_text(
        'channels: {a: "notaservice://u:${PW}@h/x", b: "mailto://u:${PW}@h"}\n'
        "people: [{name: X}]\n",
        encoding="utf-8",
    )
    loaded = load_config(path, env={"PW": "Mailpassword7"})
    with caplog.at_level(logging.DEBUG):
        found = audit(loaded.config, loaded.secrets)
    assert len(found) == 2 and all("apprise cannot send" in f.message for f in found)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "M...7" not in logged and "Mailpassword7" not in logged
