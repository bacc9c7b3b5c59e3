"""private chat: remember who has opened a private chat with the bot

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 03:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("telegram_users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("private_chat_at", storage.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("telegram_users", schema=None) as batch_op:
        batch_op.drop_column("private_chat_at")
