"""conversation ends: a form's row is kept when it ends, so its revision never goes back

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 07:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ended_at", storage.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    op.execute("DELETE FROM conversations WHERE ended_at IS NOT NULL")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("ended_at")
