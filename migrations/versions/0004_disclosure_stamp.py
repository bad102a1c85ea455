"""disclosure stamp: a token changed by triggers whenever people or consents change

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 19:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from notesbase.models.stamp import POSTGRES_FUNCTION, STAMP_TRIGGERS, WATCHED, install

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disclosure_stamp",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_stamp")),
    )
    install(op.get_bind())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS disclosure_stamp_{table} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {POSTGRES_FUNCTION}()")
    else:
        for trigger in STAMP_TRIGGERS.get(bind.dialect.name, ()):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.drop_table("disclosure_stamp")
