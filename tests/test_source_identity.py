"""A source is remembered by its kind and where it reads, not by whose it is.

Renaming a company keeps its history (the next change is reported, not swallowed by a
new baseline); a source taken out of the watch list is retired, not shown as a ghost;
a database keyed the old way is migrated. SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from conftest import PageServer, registry_page
from sqlalchemy import insert, select

from monitor.cli import main
from monitor.model import Officer, officers_hash
from monitor.store import Store
from monitor.store.tables import snapshots, sources

BOARD = [("Jane Smith", "Chairman", "2019-04-01"), ("Liu De", "Director", "2020-01-15")]
JOINED = [*BOARD, ("Wang Hua", "Director", "2026-11-30")]
SELECT = (
    'rows: "table#officers tr:not(:first-child)"\n'
    '        fields: {name: "td:nth-of-type(1)", role: "td:nth-of-type(2)", '
    'appointed: "td:nth-of-type(3)"}'
)


def watch_list(tmp_path: Path, state: str, companies: dict[str, str]) -> Path:
    entries = "".join(
        f"  - name: {name}\n    sources:\n      - kind: html\n        url: {url}\n        {SELECT}\n"
        for name, url in companies.items()
    )
    path = tmp_path / "monitor.yaml"
    path.write_text(
        f'state: "{state}"\nhosts:\n  "127.0.0.1": {{rate: none}}\ncompanies:\n{entries}',
        encoding="utf-8",
    )
    return path


def cli(config: Path, *args: str) -> Any:
    result = CliRunner().invoke(main, ["-c", str(config), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def events(config: Path) -> list[dict[str, Any]]:
    out = cli(config, "events", "--json").output
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def status(config: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(cli(config, "status", "--json").output)["sources"]
    return found


def test_renaming_a_company_keeps_its_history(
    server: PageServer, db_url: str, tmp_path: Path
) -> None:
    server.set("/acme", registry_page("Acme", BOARD))
    cli(watch_list(tmp_path, db_url, {"Acme Ltd": server.url("/acme")}), "check")
    renamed = watch_list(tmp_path, db_url, {"Acme Holdings Ltd": server.url("/acme")})
    server.set("/acme", registry_page("Acme", JOINED))
    cli(renamed, "check", "--all")
    assert [(e["change"], e["person"], e["company"]) for e in events(renamed)] == [
        ("joined", "Wang Hua", "Acme Holdings Ltd")
    ]
    [source] = status(renamed)
    assert source["entity"] == "Acme Holdings Ltd" and "Acme Ltd" not in source["key"]


def test_a_source_taken_out_is_retired_not_a_ghost(
    server: PageServer, db_url: str, tmp_path: Path
) -> None:
    server.set("/acme", registry_page("Acme", BOARD))
    server.set("/beta", registry_page("Beta", BOARD))
    both = {"Acme Ltd": server.url("/acme"), "Beta Ltd": server.url("/beta")}
    cli(watch_list(tmp_path, db_url, both), "check")
    assert len(status(watch_list(tmp_path, db_url, both))) == 2
    one = watch_list(tmp_path, db_url, {"Acme Ltd": server.url("/acme")})
    cli(one, "check", "--all")
    assert [s["entity"] for s in status(one)] == ["Acme Ltd"]
    # Put back, it carries on where it was: no new baseline, a change is reported.
    server.set("/beta", registry_page("Beta", JOINED))
    again = watch_list(tmp_path, db_url, both)
    cli(again, "check", "--all")
    assert [(e["person"], e["company"]) for e in events(again)] == [("Wang Hua", "Beta Ltd")]


def test_a_database_keyed_by_entity_is_migrated(
    server: PageServer, db_url: str, tmp_path: Path
) -> None:
    url = server.url("/acme")
    old = Store(db_url, migrate=False)
    old.upgrade("0008")
    now = datetime(2026, 11, 30, 8, 0)
    officers = [Officer.from_cells(n, "Acme Ltd", role=r, appointed=d) for n, r, d in BOARD]
    with old.engine.begin() as conn:
        conn.execute(
            insert(sources).values(
                key=f"Acme Ltd · html · {url}",
                kind="html",
                entity="Acme Ltd",
                url=url,
                interval_s=3600,
                next_check_at=now,
                last_success_at=now,
                consecutive_failures=0,
                healthy=True,
                fingerprint=officers_hash(officers),
                created_at=now,
            )
        )
        source_id = conn.execute(select(sources.c.id)).scalar_one()
        conn.execute(
            insert(snapshots).values(
                source_id=source_id,
                retrieved_at=now,
                fingerprint=officers_hash(officers),
                url=url,
                officers=[o.to_json() for o in officers],
            )
        )
    old.close()
    server.set("/acme", registry_page("Acme", JOINED))
    config = watch_list(tmp_path, db_url, {"Acme Ltd": url})
    cli(config, "check", "--all")
    assert [e["person"] for e in events(config)] == ["Wang Hua"]
    [source] = status(config)
    assert source["key"] == f"html · {url}"
