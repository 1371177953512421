"""News: evidence per event, the entries news sources have read, follow-up alerts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_evidence",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "event_id",
            sa.Integer,
            sa.ForeignKey("events.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("source_name", sa.String(512), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("published_date", sa.String(32)),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_event_evidence_event", "event_evidence", ["event_id"])
    op.create_table(
        "news_seen",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "source_id",
            sa.Integer,
            sa.ForeignKey("sources.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("seen_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("source_id", "key", name="uq_news_seen_source_key"),
    )
    # A delivery is the first alert of its event, or the follow-up saying a registry
    # now confirms what the news reported.
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="alert"))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("kind")
    op.drop_table("news_seen")
    op.drop_table("event_evidence")
