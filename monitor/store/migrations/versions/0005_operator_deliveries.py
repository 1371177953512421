"""Deliveries: operator alerts go through the outbox too, retried like event alerts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An operator alert is about the monitor itself: no event, its own title and body.
    with op.batch_alter_table("deliveries") as batch:
        batch.alter_column("event_id", existing_type=sa.Integer, nullable=True)
        batch.add_column(sa.Column("message", sa.JSON, nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM deliveries WHERE event_id IS NULL")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("message")
        batch.alter_column("event_id", existing_type=sa.Integer, nullable=False)
