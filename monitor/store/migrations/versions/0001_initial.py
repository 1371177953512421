"""Sources, snapshots and events.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(512), nullable=False, unique=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("entity", sa.String(512), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("interval_s", sa.Integer, nullable=False),
        sa.Column("next_check_at", sa.DateTime, nullable=False),
        sa.Column("last_checked_at", sa.DateTime),
        sa.Column("last_success_at", sa.DateTime),
        sa.Column("last_change_at", sa.DateTime),
        sa.Column("last_error", sa.Text),
        sa.Column("consecutive_failures", sa.Integer, nullable=False),
        sa.Column("healthy", sa.Boolean, nullable=False),
        sa.Column("health_reason", sa.Text),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("fingerprint", sa.String(64)),
        sa.Column("pending_fingerprint", sa.String(64)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "source_id",
            sa.Integer,
            sa.ForeignKey("sources.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("retrieved_at", sa.DateTime, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("officers", sa.JSON, nullable=False),
    )
    op.create_index("ix_snapshots_source", "snapshots", ["source_id", "id"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="SET NULL")),
        sa.Column("snapshot_id", sa.Integer, sa.ForeignKey("snapshots.id", ondelete="SET NULL")),
        sa.Column("change", sa.String(32), nullable=False),
        sa.Column("person", sa.String(512), nullable=False),
        sa.Column("person_key", sa.String(512), nullable=False),
        sa.Column("company", sa.String(512), nullable=False),
        sa.Column("company_key", sa.String(512), nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("previous_roles", sa.JSON, nullable=False),
        sa.Column("effective_date", sa.String(32)),
        sa.Column("published_date", sa.String(32)),
        sa.Column("detected_at", sa.DateTime, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("source_name", sa.String(512), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("confirmed_at", sa.DateTime),
    )
    op.create_index("ix_events_person", "events", ["person_key"])
    op.create_index("ix_events_detected", "events", ["detected_at"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("snapshots")
    op.drop_table("sources")
