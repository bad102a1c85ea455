"""series retention schedule, meetings' retention record, site_settings

Revision ID: 0009_retention_privacy
Revises: 0008_review_rounds
Create Date: 2026-12-07 02:40:00

A series keeps its full notes for ``retention_months`` after each meeting,
then carries out ``retention_action``; each meeting records the action last
carried out on it. ``site_settings`` holds what an admin writes in the app
(the privacy notice).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_retention_privacy"
down_revision: str | None = "0008_review_rounds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIONS = ("purge_restricted", "anonymise", "purge_notes")
# SQLite rebuilds both tables to add the checks: they keep AUTOINCREMENT
# (0005), so an id once given is never given again.
KEEP_IDS = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table("series", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column("retention_months", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "retention_action",
                sa.Enum(
                    *ACTIONS, name="retention_action", native_enum=False, create_constraint=True
                ),
                nullable=True,
            )
        )
        batch_op.create_check_constraint(
            "retention_complete",
            "(retention_months IS NULL AND retention_action IS NULL)"
            " OR (retention_months >= 1 AND retention_action IS NOT NULL)",
        )
    with op.batch_alter_table("meetings", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(
            sa.Column(
                "retention_applied",
                sa.Enum(
                    *ACTIONS,
                    name="meeting_retention_applied",
                    native_enum=False,
                    create_constraint=True,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("retention_applied_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "site_settings",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["members.id"],
            name=op.f("fk_site_settings_updated_by_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_site_settings")),
    )


def downgrade() -> None:
    op.drop_table("site_settings")
    with op.batch_alter_table("meetings", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_constraint(op.f("ck_meetings_meeting_retention_applied"), type_="check")
        batch_op.drop_column("retention_applied_at")
        batch_op.drop_column("retention_applied")
    with op.batch_alter_table("series", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_constraint(op.f("ck_series_retention_complete"), type_="check")
        batch_op.drop_constraint(op.f("ck_series_retention_action"), type_="check")
        batch_op.drop_column("retention_action")
        batch_op.drop_column("retention_months")
