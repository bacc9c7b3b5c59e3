"""survey questions: the repair callback's three scores (the technician, the work, the process)
and whether the answer was taken on the phone

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("skill", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("quality", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("process", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("by_phone", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_column("by_phone")
        batch_op.drop_column("process")
        batch_op.drop_column("quality")
        batch_op.drop_column("skill")
