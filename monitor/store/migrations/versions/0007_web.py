"""The dashboard: which events were read, and reviews kept as an audit trail.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("read_at", sa.DateTime, nullable=True))
        batch.create_index("ix_events_read", ["read_at"])
    # Append-only: a review is never edited, a later one is added.
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "event_id",
            sa.Integer,
            sa.ForeignKey("events.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("reviewed_at", sa.DateTime, nullable=False),
        sa.Index("ix_reviews_event", "event_id", "id"),
    )


def downgrade() -> None:
    op.drop_table("reviews")
    with op.batch_alter_table("events") as batch:
        batch.drop_index("ix_events_read")
        batch.drop_column("read_at")
