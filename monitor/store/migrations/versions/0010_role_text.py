"""Events: the roles as the source wrote them ("Chief Executive Officer", "法定代表人"),
shown to people beside the normalised roles that are compared.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("role_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("previous_role_text", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("previous_role_text")
        batch.drop_column("role_text")
