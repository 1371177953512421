"""Sources: keyed by kind + locator (a renamed company keeps its history); retired rows.

A source's key was ``entity · kind · locator``, so renaming the company or person
started it over with a silent baseline and left the old row behind as a ghost. Keys
become ``kind · locator``; a row whose new key another row already has keeps its old
key (it will be retired). ``retired_at`` marks rows the watch list no longer has.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SEP = " · "


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("retired_at", sa.DateTime, nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, key, kind, entity FROM sources ORDER BY id")).all()
    taken = {row.key for row in rows}
    for row in rows:
        old_prefix = f"{row.entity}{SEP}{row.kind}{SEP}"
        if not row.key.startswith(old_prefix):
            continue  # a source with its own `name`
        new = f"{row.kind}{SEP}{row.key[len(old_prefix) :]}"
        if new in taken:
            continue
        conn.execute(
            sa.text("UPDATE sources SET key = :new WHERE id = :id"), {"new": new, "id": row.id}
        )
        taken.discard(row.key)
        taken.add(new)


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, key, kind, entity FROM sources")).all()
    for row in rows:
        prefix = f"{row.kind}{SEP}"
        if row.key.startswith(prefix):
            conn.execute(
                sa.text("UPDATE sources SET key = :old WHERE id = :id"),
                {"old": f"{row.entity}{SEP}{row.key}", "id": row.id},
            )
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("retired_at")
