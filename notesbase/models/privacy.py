"""Data protection: what a series' retention schedule does when it falls
due, and the site's settings an admin writes (the privacy notice)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from notesbase.models.base import Base, UTCDateTime, utcnow


class RetentionAction(enum.StrEnum):
    """What happens to a meeting's full notes when its series' retention
    period after the meeting has passed."""

    # Facilitators-only text goes: confidential items, and every span and
    # earlier version only facilitators could read.
    PURGE_RESTRICTED = "purge_restricted"
    # The speakers are no longer linked to their words (the words stay).
    ANONYMISE = "anonymise"
    # The notes go; the published write-up stays.
    PURGE_NOTES = "purge_notes"

    @property
    def label(self) -> str:
        return {
            "purge_restricted": "Purge facilitators-only text and confidential items",
            "anonymise": "Anonymise the speakers",
            "purge_notes": "Purge the notes, keeping the public write-up",
        }[self.value]


class SiteSetting(Base):
    """One setting an admin writes in the app (not in configuration): for
    now the privacy notice's text. ``key`` names it, ``value`` is its text."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("members.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
