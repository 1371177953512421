"""News: when a remembered entry was last listed, so long-gone entries can be forgotten.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("news_seen") as batch:
        batch.add_column(sa.Column("listed_at", sa.DateTime, nullable=True))
    op.execute("UPDATE news_seen SET listed_at = seen_at")
    with op.batch_alter_table("news_seen") as batch:
        batch.alter_column("listed_at", existing_type=sa.DateTime, nullable=False)
        batch.create_index("ix_news_seen_source_listed", ["source_id", "listed_at"])


def downgrade() -> None:
    with op.batch_alter_table("news_seen") as batch:
        batch.drop_index("ix_news_seen_source_listed")
        batch.drop_column("listed_at")
