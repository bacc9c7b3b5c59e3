"""fee officers: units a supervisor handed to another officer than the building's

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = storage.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fee_officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("officer_user_id", sa.BigInteger(), nullable=False),
        sa.Column("assigned_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["estate_id"], ["estates.id"], name=op.f("fk_fee_officers_estate_id_estates")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_fee_officers_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_officers")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_fee_officers_unit_id")),
    )
    with op.batch_alter_table("fee_officers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_officers_estate_id"), ["estate_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fee_officers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_officers_estate_id"))
    op.drop_table("fee_officers")
