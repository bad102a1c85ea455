"""idempotency keys; on SQLite, ids never reused (AUTOINCREMENT)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-12 10:00:00

SQLite hands a deleted row's id to the next row unless the table is
declared AUTOINCREMENT, which only a rebuild can add: batch mode copies each
table the API hands out ids of into a new one that says so. Rebuilding
``people`` and ``consents`` drops their disclosure-stamp triggers, which are
installed again. PostgreSQL's sequences never reuse ids: nothing to do there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from notesbase.models.stamp import install

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Parents before children, so each copy's foreign keys find their rows.
NEVER_REUSED = ("members", "api_tokens", "series", "meetings", "people", "items", "consents")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in NEVER_REUSED:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass
    install(op.get_bind())  # the triggers went with the old people and consents


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=2048), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_idempotency_keys_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("member_id", "key", name=op.f("uq_idempotency_keys_member_id_key")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_idempotency_keys_created_at"), "idempotency_keys", ["created_at"], unique=False
    )
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
    op.drop_index(op.f("ix_idempotency_keys_created_at"), table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
