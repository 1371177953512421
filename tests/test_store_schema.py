"""New databases get their tables in one step; the migrations must build the very same
schema, and older databases still climb through the migrations."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from monitor.store import Store
from monitor.store.store import head_revision
from monitor.store.tables import metadata, sources


def schema(store: Store) -> dict[str, Any]:
    """Tables, columns, keys and indexes as the database itself reports them."""
    with store.engine.connect() as conn:
        inspector = inspect(conn)
        return {
            table: {
                "columns": sorted(  # a column added by a later migration comes last there
                    (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
                ),
                "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
                "foreign_keys": sorted(
                    (tuple(fk["constrained_columns"]), fk["referred_table"])
                    for fk in inspector.get_foreign_keys(table)
                ),
                "indexes": sorted(
                    (tuple(i["column_names"]), bool(i["unique"]))
                    for i in inspector.get_indexes(table)
                ),
                "unique": sorted(
                    tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
                ),
            }
            for table in sorted(inspector.get_table_names())
        }


def test_the_migrations_build_exactly_the_tables_a_new_database_gets(
    db_url: str, tmp_path: Any
) -> None:
    migrated = Store(db_url, migrate=False)
    migrated.upgrade()
    with migrated.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    built = schema(migrated)
    migrated.close()
    # The same database kind, emptied, created in one step instead.
    with Store(db_url, migrate=False).engine.begin() as conn:
        metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE alembic_version")
    created = Store(db_url)
    assert created._schema_revision() == head_revision()
    assert differences == []
    assert schema(created) == built
    created.close()


def test_an_older_database_is_upgraded_through_the_migrations_and_keeps_its_rows(
    db_url: str,
) -> None:
    old = Store(db_url, migrate=False)
    old.upgrade("0001")
    with old.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO sources (key, kind, entity, url, interval_s, next_check_at, "
            "consecutive_failures, healthy, created_at) VALUES ('k', 'html', 'Xiaomi', "
            "'http://x', 60, '2026-11-25 08:00:00', 0, true, '2026-11-25 08:00:00')"
        )
    old.close()
    store = Store(db_url)
    assert store._schema_revision() == head_revision()
    with store.engine.connect() as conn:
        assert conn.execute(select(sources.c.entity)).scalars().all() == ["Xiaomi"]
    store.close()


def test_remembered_news_entries_count_as_listed_when_they_were_read(db_url: str) -> None:
    old = Store(db_url, migrate=False)
    old.upgrade("0003")
    with old.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO sources (id, key, kind, entity, url, interval_s, next_check_at, "
            "consecutive_failures, healthy, created_at) VALUES (1, 'n', 'feed', 'news', "
            "'http://n', 900, '2026-11-25 08:00:00', 0, true, '2026-11-25 08:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO news_seen (source_id, key, seen_at) "
            "VALUES (1, 'http://n/a', '2026-10-01 07:00:00')"
        )
    old.close()
    store = Store(db_url)
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT seen_at, listed_at FROM news_seen").one()
    assert row[0] == row[1]
    assert store.news_seen(1) == {"http://n/a"}
    store.close()


def test_a_creation_interrupted_before_the_stamp_is_finished_at_the_next_start(
    db_url: str,
) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    metadata.create_all(engine, tables=[sources])  # SQLite keeps DDL a crash interrupted
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    engine.dispose()
    store = Store(db_url)
    assert store._schema_revision() == head_revision()
    with store.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) >= set(metadata.tables)
    store.close()


@pytest.mark.e2e
def test_processes_starting_together_on_a_new_database_all_start(db_url: str) -> None:
    import subprocess
    import sys

    code = "import sys; from monitor.store import Store; Store(sys.argv[1]).close()"
    starts = [
        subprocess.Popen([sys.executable, "-c", code, db_url], stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    errors = [p.communicate(timeout=60)[1] for p in starts]
    assert [p.returncode for p in starts] == [0, 0, 0, 0], errors
    store = Store(db_url)
    assert store._schema_revision() == head_revision()
    store.close()
