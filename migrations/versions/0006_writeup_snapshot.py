"""write-up snapshots: what the public reads is fixed when it is published

Revision ID: 0006_writeup_snapshot
Revises: 0005
Create Date: 2027-01-20 10:00:00

A published write-up is read from a snapshot taken when it was published:
the summary and each chosen item's content at its version, with the people
it names or credits. Write-ups published before this revision get a
snapshot of what they showed at the time of the upgrade (their open items
as they are now), so the public reads the same text after the upgrade.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006_writeup_snapshot"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("point", "quote", "action", "decision", "question", "resource")
LEVELS = ("open", "members", "confidential")


def upgrade() -> None:
    op.create_table(
        "writeup_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("writeup_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withheld_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withheld_findings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["writeup_id"],
            ["writeups.id"],
            name=op.f("fk_writeup_snapshots_writeup_id_writeups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_writeup_snapshots")),
        sa.UniqueConstraint("writeup_id", name=op.f("uq_writeup_snapshots_writeup_id")),
    )
    op.create_table(
        "writeup_snapshot_items",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="snapshot_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column(
            "confidentiality",
            sa.Enum(
                *LEVELS, name="snapshot_confidentiality", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["items.id"],
            name=op.f("fk_writeup_snapshot_items_item_id_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["writeup_snapshots.id"],
            name=op.f("fk_writeup_snapshot_items_snapshot_id_writeup_snapshots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["people.id"],
            name=op.f("fk_writeup_snapshot_items_speaker_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("snapshot_id", "item_id", name=op.f("pk_writeup_snapshot_items")),
    )
    with op.batch_alter_table("writeup_snapshot_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_writeup_snapshot_items_item_id"), ["item_id"], unique=False
        )
    op.create_table(
        "writeup_snapshot_people",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_writeup_snapshot_people_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["writeup_snapshots.id"],
            name=op.f("fk_writeup_snapshot_people_snapshot_id_writeup_snapshots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "snapshot_id", "person_id", name=op.f("pk_writeup_snapshot_people")
        ),
    )
    with op.batch_alter_table("writeup_snapshot_people", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_writeup_snapshot_people_person_id"), ["person_id"], unique=False
        )
    _snapshot_published()


def _snapshot_published() -> None:
    """Give every published write-up the snapshot of what it shows now."""
    from notesbase.disclosure.facts import PersonFacts
    from notesbase.disclosure.mentions import Mentions
    from notesbase.models.base import UTCDateTime

    bind = op.get_bind()
    published = bind.execute(
        sa.text("SELECT id, summary FROM writeups WHERE published_at IS NOT NULL ORDER BY id")
    ).all()
    if not published:
        return
    people = [
        PersonFacts(row.id, row.name, row.affiliation, row.descriptor, row.email)
        for row in bind.execute(
            sa.text("SELECT id, name, affiliation, descriptor, email FROM people")
        )
    ]
    mentions = Mentions(people)
    now = datetime.now(UTC)
    for writeup_id, summary in published:
        bind.execute(
            sa.text(
                "INSERT INTO writeup_snapshots (writeup_id, summary, taken_at, withheld_findings)"
                " VALUES (:writeup, :summary, :now, 0)"
            ).bindparams(sa.bindparam("now", type_=UTCDateTime())),
            {"writeup": writeup_id, "summary": summary, "now": now},
        )
        snapshot_id = bind.execute(
            sa.text("SELECT id FROM writeup_snapshots WHERE writeup_id = :writeup"),
            {"writeup": writeup_id},
        ).scalar_one()
        rows = bind.execute(
            sa.text(
                "SELECT i.id, i.version, i.position, i.section, i.kind, i.body, i.speaker_id,"
                " i.confidentiality FROM writeup_items w JOIN items i ON i.id = w.item_id"
                " WHERE w.writeup_id = :writeup AND i.confidentiality = 'open'"
            ),
            {"writeup": writeup_id},
        ).all()
        for row in rows:
            bind.execute(
                sa.text(
                    "INSERT INTO writeup_snapshot_items (snapshot_id, item_id, version, position,"
                    " section, kind, body, speaker_id, confidentiality) VALUES (:snapshot, :id,"
                    " :version, :position, :section, :kind, :body, :speaker, :confidentiality)"
                ),
                {
                    "snapshot": snapshot_id,
                    "id": row.id,
                    "version": row.version,
                    "position": row.position,
                    "section": row.section,
                    "kind": row.kind,
                    "body": row.body,
                    "speaker": row.speaker_id,
                    "confidentiality": row.confidentiality,
                },
            )
        texts = [summary, *(text for row in rows for text in (row.section, row.body))]
        named = set(mentions.people_in_all(texts))
        named |= {row.speaker_id for row in rows if row.speaker_id is not None}
        for person_id in sorted(named):
            bind.execute(
                sa.text(
                    "INSERT INTO writeup_snapshot_people (snapshot_id, person_id)"
                    " VALUES (:snapshot, :person)"
                ),
                {"snapshot": snapshot_id, "person": person_id},
            )


def downgrade() -> None:
    with op.batch_alter_table("writeup_snapshot_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_writeup_snapshot_people_person_id"))
    op.drop_table("writeup_snapshot_people")
    with op.batch_alter_table("writeup_snapshot_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_writeup_snapshot_items_item_id"))
    op.drop_table("writeup_snapshot_items")
    op.drop_table("writeup_snapshots")
