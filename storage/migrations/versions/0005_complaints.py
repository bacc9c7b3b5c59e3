"""complaints: severity and the reply / resolve deadlines on tickets

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = storage.models.UTCDateTime(timezone=True)
MOMENTS = ("reply_due_at", "resolve_due_at", "replied_at", "resolved_at")


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("severity", sa.String(length=16), nullable=True))
        for column in MOMENTS:
            batch_op.add_column(sa.Column(column, UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for column in (*MOMENTS, "severity"):
            batch_op.drop_column(column)
