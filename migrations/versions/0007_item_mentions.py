"""item_mentions: who each item names or credits; mention_scans

Revision ID: 0007_item_mentions
Revises: 0006_writeup_snapshot
Create Date: 2026-12-06 18:00:00

Who is named where is recorded by the matcher ``disclose`` uses, instead of
being looked up with ``LIKE`` when a person changes. The record is filled
for the items already there (every item read once, a page at a time).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from notesbase.search.naming import record_all

revision: str = "0007_item_mentions"
down_revision: str | None = "0006_writeup_snapshot"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_mentions",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_item_mentions_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_item_mentions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "person_id", name=op.f("pk_item_mentions")),
    )
    op.create_index(
        op.f("ix_item_mentions_person_id"), "item_mentions", ["person_id"], unique=False
    )
    op.create_table(
        "mention_scans",
        sa.Column("person_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_mention_scans_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_mention_scans")),
    )
    record_all(op.get_bind())


def downgrade() -> None:
    op.drop_table("mention_scans")
    op.drop_index(op.f("ix_item_mentions_person_id"), table_name="item_mentions")
    op.drop_table("item_mentions")
