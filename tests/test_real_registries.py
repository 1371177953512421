"""Real registry answers, recorded by others, through the real source kinds and the diff.

The answers and their truth live outside the repository (../shared/real_registries/:
SOURCES.md says where each came from, expected.json what a check must find). Each
answer is served from 127.0.0.1 to the source kind that reads it; its derived `.later`
version is then served, and the events the monitor stores are compared with the truth.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.fetch import Fetcher, HostPolicy
from monitor.normalize import name_key, split_roles
from monitor.sources.base import FetchState, Observed, Source

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "real_registries"
if not SHARED.exists():
    SHARED = Path("/work/shared/real_registries")
EXPECTED = SHARED / "expected.json"

pytestmark = pytest.mark.skipif(
    not EXPECTED.exists(),
    reason=f"recorded registry answers not available at {SHARED} (kept outside the repository)",
)


def _truth() -> dict[str, Any]:
    if not EXPECTED.exists():
        return {}
    data: dict[str, Any] = json.loads(EXPECTED.read_text(encoding="utf-8"))
    return data


TRUTH = _truth()


# --- a registry on 127.0.0.1 that answers by path -------------------------------


@dataclass
class Registry:
    """Answers by path (the query is ignored unless a route asks for it)."""

    routes: dict[str, Callable[[dict[str, list[str]]], bytes | None]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def file(self, path: str, name: str) -> None:
        body = (SHARED / name).read_bytes()
        self.routes[path] = lambda query: body


@pytest.fixture
def registry() -> Iterator[tuple[Registry, str]]:
    state = Registry()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            state.hits.append(self.path)
            parts = urlsplit(self.path)
            route = state.routes.get(parts.path)
            body = route(parse_qs(parts.query)) if route else None
            status = 200 if body is not None else 404
            body = body if body is not None else b'{"error": "not found"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield state, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


# --- the cases: which answer, which kind, which files before and after -----------


@dataclass(frozen=True)
class Case:
    name: str  # the key in expected.json
    source: str  # the YAML of the source, with {base} for the local registry
    path: str  # where the source asks for the officer list
    before: str
    after: str | None
    scope: str = "companies"
    entity: str = "Watched Co"


CH = "kind: companies_house\n        company_number: '{number}'\n        api_key: k\n"
CH += "        base_url: '{base}'"
CHO = "kind: companies_house_officer\n        officer_id: '{number}'\n        api_key: k\n"
CHO += "        base_url: '{base}'"
JSON_CH = (
    "kind: json\n        url: '{base}/company/04475590/officers'\n        rows: items\n"
    "        fields: {{name: name, role: officer_role, appointed: appointed_on, "
    "resigned: resigned_on}}"
)
OC = "kind: opencorporates\n        jurisdiction: gb\n        company_number: SC045439\n"
OC += "        base_url: '{base}'"

CASES = [
    Case(
        "ch_you",
        CH.replace("{number}", "04475590"),
        "/company/04475590/officers",
        "companies_house/04475590_you_limited.json",
        "companies_house/04475590_you_limited.later.json",
    ),
    Case(
        "ch_you_resorted",
        CH.replace("{number}", "04475590"),
        "/company/04475590/officers",
        "companies_house/04475590_you_limited.json",
        "companies_house/04475590_you_limited.later_resorted.json",
    ),
    Case(
        "ch_informa",
        CH.replace("{number}", "03610056"),
        "/company/03610056/officers",
        "companies_house/03610056_corporate_officer_list.json",
        "companies_house/03610056_corporate_officer_list.later.json",
    ),
    Case(
        "json_you",
        JSON_CH,
        "/company/04475590/officers",
        "companies_house/04475590_you_limited.json",
        "companies_house/04475590_you_limited.later.json",
    ),
    Case(
        "cho_horley",
        CHO.replace("{number}", "BUzLMub_QilQ_HNnIUxLkZrs5KM"),
        "/officers/BUzLMub_QilQ_HNnIUxLkZrs5KM/appointments",
        "companies_house_officer/BUzLMub_QilQ_HNnIUxLkZrs5KM_horley.json",
        "companies_house_officer/BUzLMub_QilQ_HNnIUxLkZrs5KM_horley.later.json",
        scope="people",
        entity="Allan David Horley",
    ),
    Case(
        "cho_brin",
        CHO.replace("{number}", "uQNQ-blSo-8PiOaehWClTPmbZNI"),
        "/officers/uQNQ-blSo-8PiOaehWClTPmbZNI/appointments",
        "companies_house_officer/uQNQ-blSo-8PiOaehWClTPmbZNI_brin.json",
        None,
        scope="people",
        entity="Sergey Brin",
    ),
    Case(
        "oc_capita",
        OC,
        "/companies/gb/SC045439",
        "opencorporates/gb_SC045439_capita_it_services.json",
        "opencorporates/gb_SC045439_capita_it_services.later.json",
    ),
    Case(
        "wd_beatles",
        "kind: wikidata\n        item: Q1299\n        contact: ops@example.com\n"
        "        base_url: '{base}'",
        "/wiki/Special:EntityData/Q1299.json",
        "wikidata/Q1299.json",
        "wikidata/Q1299.later.json",
    ),
    Case(
        "wd_putin",
        "kind: wikidata\n        item: Q15087614\n        contact: ops@example.com\n"
        "        base_url: '{base}'",
        "/wiki/Special:EntityData/Q15087614.json",
        "wikidata/Q15087614_wbgetentities.json",
        "wikidata/Q15087614_wbgetentities.later.json",
    ),
]


def _serve(registry: Registry, case: Case, name: str) -> None:
    registry.file(case.path, name)
    if case.name.startswith("wd_"):
        # No labels answer was recorded: the item's own document answers the revision and
        # labels requests too (it carries `lastrevid`, and no label for the people).
        registry.file("/w/api.php", name)


def _config(tmp_path: Path, case: Case, base: str, state: str) -> Path:
    source = case.source.replace("{base}", base).replace("{{", "{").replace("}}", "}")
    path = tmp_path / "monitor.yaml"
    path.write_text(
        f"""
state: "{state}"
hosts:
  "127.0.0.1": {{rate: none}}
{case.scope}:
  - name: {case.entity}
    sources:
      - {source}
""",
        encoding="utf-8",
    )
    return path


def _cli(config: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["-c", str(config), *args], catch_exceptions=False)


def _spec(config: Path) -> Source:
    from monitor.check import build_sources
    from monitor.config import load_config

    [source] = build_sources(load_config(str(config)).config)
    return source


def _observe(source: Source) -> Observed:
    async def run() -> Observed:
        async with Fetcher(retries=0, default_policy=HostPolicy(concurrency=4, rate=None)) as f:
            seen = await source.observe(f, FetchState())
        assert isinstance(seen, Observed)
        return seen

    return asyncio.run(run())


def _same_role(expected: str | None, roles: frozenset[str]) -> bool:
    return split_roles(expected) <= roles if expected else True


# --- officer lists ---------------------------------------------------------------


@pytest.mark.parametrize("case", [c for c in CASES if c.name in TRUTH], ids=lambda c: c.name)
def test_every_officer_row_is_read(
    case: Case, registry: tuple[Registry, str], tmp_path: Path
) -> None:
    server, base = registry
    _serve(server, case, case.before)
    source = _spec(_config(tmp_path, case, base, f"sqlite:///{tmp_path / 's.db'}"))
    officers = list(_observe(source).extraction.officers)
    rows = TRUTH[case.name]["rows"]
    assert len(officers) == len(rows)
    for row in rows:
        company = row.get("company", case.entity)
        matches = [
            o
            for o in officers
            if name_key(o.name) == name_key(row["name"])
            and name_key(o.company) == name_key(company)
            and _same_role(row["role"], o.roles)
            and o.appointed == row["appointed"]
            and o.resigned == row["resigned"]
        ]
        assert matches, f"{row} not among {[o.to_json() for o in officers]}"
        officers.remove(matches[0])


# --- events between an answer and its later version ---------------------------------


def _fits(event: dict[str, Any], expected: dict[str, Any], entity: str) -> bool:
    if event["change"] != expected["change"]:
        return False
    if name_key(event["person"]) != name_key(expected["person"]):
        return False
    if name_key(event["company"]) != name_key(expected.get("company", entity)):
        return False
    if event.get("effective_date") != expected["effective_date"]:
        return False
    roles = split_roles(event.get("role"))
    if expected["change"] == "role_changed":
        before = split_roles(event.get("previous_role"))
        dropped = split_roles(expected["dropped_role"])
        return roles == split_roles(expected["role"]) and before - roles == dropped
    return _same_role(expected["role"], roles)


@pytest.mark.parametrize("case", [c for c in CASES if c.name in TRUTH], ids=lambda c: c.name)
def test_every_event_between_an_answer_and_its_later_version(
    case: Case, registry: tuple[Registry, str], tmp_path: Path, db_url: str
) -> None:
    server, base = registry
    config = _config(tmp_path, case, base, db_url)
    _serve(server, case, case.before)
    first = _cli(config, "check", "--all")
    assert first.exit_code == 0, first.output
    if case.after:
        _serve(server, case, case.after)
    # Twice: a change held back once (an emptied list) is confirmed by the second answer.
    for _ in range(2):
        result = _cli(config, "check", "--all")
        assert "FAILED" not in result.output, result.output  # held (exit 1) at most
    listed = _cli(config, "events", "--json")
    found = [json.loads(line) for line in listed.output.splitlines() if line.strip()]
    expected = TRUTH[case.name]["events"]
    for want in expected:
        options = [want, *([want["or"]] if "or" in want else [])]
        assert any(_fits(e, o, case.entity) for e in found for o in options), (want, found)
    assert len(found) == len(expected), found


# --- the requests the real filing tables and search pages lead to --------------------


def _sec(case: str, name: str, tmp_path: Path, registry: tuple[Registry, str]) -> Any:
    server, base = registry
    since = TRUTH[case]["since"]
    server.file("/submissions/CIK0001318605.json", f"sec_edgar/{name}")
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"""
state: "sqlite:///{tmp_path / "s.db"}"
hosts:
  "127.0.0.1": {{rate: none}}
companies:
  - name: Tesla, Inc.
    sources:
      - kind: sec_edgar
        cik: "1318605"
        user_agent: "Monitor tests ops@example.com"
        since: "{since}"
        base_url: "{base}"
        archives_url: "{base}"
""",
        encoding="utf-8",
    )
    return _cli(config, "check", "--all"), server.hits


@pytest.mark.parametrize(
    ("case", "name"),
    [
        ("sec_tsla2022", "CIK0001318605_2022.json"),
        ("sec_tsla2022_nopage", "CIK0001318605_2022.json"),
        ("sec_tsla2025", "CIK0001318605_2025.json"),
        ("sec_tsla2022_page", "CIK0001318605_2022.json"),
    ],
)
def test_sec_filing_tables_lead_to_the_right_requests(
    case: str, name: str, tmp_path: Path, registry: tuple[Registry, str]
) -> None:
    if case not in TRUTH:
        pytest.skip(f"{case} is not in {EXPECTED}")
    truth = TRUTH[case]
    result, hits = _sec(case, name, tmp_path, registry)
    # No filing document was recorded: the first one answers 404 and the check fails.
    assert result.exit_code == 1 and "FAILED" in result.output
    paths = [urlsplit(h).path for h in hits]
    documents = [p for p in paths if p.startswith("/Archives/")]
    if "first_document" in truth:
        assert documents[0] == truth["first_document"]
    if "extra_page" in truth:
        assert truth["extra_page"] in paths
    if "no_extra_page" in truth:
        assert truth["no_extra_page"] not in paths


def test_sec_relevant_filings_are_the_recorded_ones() -> None:
    from monitor.sources.sec_edgar import filings_from_columns

    for case, name in (("sec_tsla2022", "2022"), ("sec_tsla2025", "2025")):
        if case not in TRUTH:
            continue
        data = json.loads((SHARED / f"sec_edgar/CIK0001318605_{name}.json").read_bytes())
        table = data["filings"]["recent"]
        since = TRUTH[case]["since"]
        found = [
            [f.accession, f.form, f.filing_date]
            for f in filings_from_columns(table, "recorded")
            if f.relevant and f.filing_date >= since
        ]
        assert found == TRUTH[case]["relevant"]


def test_a_search_of_millions_of_pages_stops_at_the_first(
    registry: tuple[Registry, str], tmp_path: Path
) -> None:
    if "oc_search" not in TRUTH:
        pytest.skip(f"oc_search is not in {EXPECTED}")
    server, base = registry
    body = (SHARED / "opencorporates_officers/officers_search_page1.json").read_bytes()
    server.routes["/officers/search"] = lambda q: body if q.get("page") == ["1"] else None
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"""
state: "sqlite:///{tmp_path / "s.db"}"
hosts:
  "127.0.0.1": {{rate: none}}
people:
  - name: Some Person
    sources:
      - kind: opencorporates_officers
        base_url: "{base}"
""",
        encoding="utf-8",
    )
    result = _cli(config, "check", "--all")
    assert result.exit_code == 1
    assert f"{TRUTH['oc_search']['total_pages']} pages" in result.output
    pages = [parse_qs(urlsplit(h).query).get("page") for h in server.hits]
    assert [p[0] for p in pages if p] == TRUTH["oc_search"]["page_requests"]
