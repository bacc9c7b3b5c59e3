"""arrears: open balances per unit, fee type and period, from finance's list

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = storage.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "arrears",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("fee_type", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("settled_at", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["estate_id"], ["estates.id"], name=op.f("fk_arrears_estate_id_estates")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_arrears_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrears")),
        sa.UniqueConstraint("unit_id", "fee_type", "period", name=op.f("uq_arrears_unit_id")),
    )
    with op.batch_alter_table("arrears", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_arrears_estate_id"), ["estate_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("arrears", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_arrears_estate_id"))
    op.drop_table("arrears")
