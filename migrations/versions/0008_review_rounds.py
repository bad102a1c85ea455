"""review_rounds, reviewers, review_requests: the agreed record

Revision ID: 0008_review_rounds
Revises: 0007_item_mentions
Create Date: 2026-12-06 21:19:30

A review round of a meeting's notes, the people asked to review it (their
link's token and session kept only as hashes), and their requests.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_review_rounds"
down_revision: str | None = "0007_item_mentions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "in_review",
                "agreed",
                "closed",
                name="review_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_review_rounds_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["members.id"],
            name=op.f("fk_review_rounds_opened_by_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_rounds")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_rounds_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "reviewers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_hash", sa.String(length=64), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_reviewers_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["review_rounds.id"],
            name=op.f("fk_reviewers_round_id_review_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviewers")),
        sa.UniqueConstraint("round_id", "person_id", name=op.f("uq_reviewers_round_id_person_id")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_reviewers_session_hash")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reviewers_token_hash")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("reviewers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviewers_round_id"), ["round_id"], unique=False)

    op.create_table(
        "review_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "correction",
                "members_only",
                "confidential",
                "remove",
                name="review_request_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("suggested", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "accepted",
                "rejected",
                name="review_request_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_review_requests_item_id_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["members.id"],
            name=op.f("fk_review_requests_resolved_by_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["reviewers.id"],
            name=op.f("fk_review_requests_reviewer_id_reviewers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_requests")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("review_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_requests_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_review_requests_reviewer_id"), ["reviewer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("review_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_requests_reviewer_id"))
        batch_op.drop_index(batch_op.f("ix_review_requests_item_id"))

    op.drop_table("review_requests")
    with op.batch_alter_table("reviewers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviewers_round_id"))

    op.drop_table("reviewers")
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_rounds_meeting_id"))

    op.drop_table("review_rounds")
