"""repairs: ticket columns for the repair procedure, numbering, followers, surveys, outbox priority

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = storage.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reporter_user_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("category", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("place_key", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("assignee_user_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("card_outbox_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("accepted_at", UTC, nullable=True))
        batch_op.add_column(sa.Column("done_at", UTC, nullable=True))
        batch_op.add_column(sa.Column("confirmed_at", UTC, nullable=True))
        batch_op.add_column(sa.Column("closed_at", UTC, nullable=True))
        batch_op.add_column(sa.Column("reopened", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index(
            batch_op.f("ix_tickets_reporter_user_id"), ["reporter_user_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_card_outbox_id_outbox"), "outbox", ["card_outbox_id"], ["id"]
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "ticket_counters",
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["estate_id"], ["estates.id"], name=op.f("fk_ticket_counters_estate_id_estates")
        ),
        sa.PrimaryKeyConstraint("estate_id", "kind", name=op.f("pk_ticket_counters")),
    )
    op.create_table(
        "ticket_followers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("joined_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_ticket_followers_resident_id_residents"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_followers_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_followers")),
        sa.UniqueConstraint(
            "ticket_id", "telegram_user_id", name=op.f("uq_ticket_followers_ticket_id")
        ),
    )
    with op.batch_alter_table("ticket_followers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ticket_followers_telegram_user_id"), ["telegram_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ticket_followers_ticket_id"), ["ticket_id"], unique=False
        )
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", UTC, nullable=False),
        sa.Column("answered_at", UTC, nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_surveys_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
    )
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveys_ticket_id"), ["ticket_id"], unique=False)


def downgrade() -> None:
    op.drop_table("surveys")
    op.drop_table("ticket_followers")
    op.drop_table("ticket_counters")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("priority")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_tickets_card_outbox_id_outbox"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_tickets_reporter_user_id"))
        for column in (
            "reopened",
            "closed_at",
            "confirmed_at",
            "done_at",
            "accepted_at",
            "card_outbox_id",
            "assignee_user_id",
            "urgent",
            "place_key",
            "category",
            "reporter_user_id",
        ):
            batch_op.drop_column(column)
