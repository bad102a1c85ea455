"""The words of the disclosure rule: audiences, consent levels, confidentiality
and item kinds. Pure: the models and ``disclose`` both build on these."""

from __future__ import annotations

import enum


class Audience(enum.StrEnum):
    """Who a view of the notes is computed for, weakest first."""

    PUBLIC = "public"
    MEMBER = "member"
    FACILITATOR = "facilitator"

    @property
    def label(self) -> str:
        return {"public": "Public", "member": "Members", "facilitator": "Facilitators"}[self.value]


class ConsentAudience(enum.StrEnum):
    """The audiences a person can release their identity to (facilitators
    always see who spoke)."""

    MEMBER = "member"
    PUBLIC = "public"

    @property
    def audience(self) -> Audience:
        return Audience(self.value)

    @property
    def label(self) -> str:
        return {"member": "Members of the series", "public": "The public"}[self.value]


class Level(enum.StrEnum):
    """How a person may be credited, weakest first; each level releases what
    the weaker ones do."""

    ANONYMOUS = "anonymous"
    DESCRIPTOR = "descriptor"
    AFFILIATION = "affiliation"
    NAMED = "named"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @property
    def label(self) -> str:
        return {
            "anonymous": "Anonymous (“A participant”)",
            "descriptor": "By their own description",
            "affiliation": "By affiliation (“Someone from …”)",
            "named": "By name and affiliation",
        }[self.value]


class Confidentiality(enum.StrEnum):
    """Who may see an item: ``open`` everyone who can see the meeting,
    ``members`` not the public, ``confidential`` facilitators only."""

    OPEN = "open"
    MEMBERS = "members"
    CONFIDENTIAL = "confidential"

    @property
    def label(self) -> str:
        return {
            "open": "Open",
            "members": "Members only",
            "confidential": "Confidential",
        }[self.value]

    def visible_to(self, audience: Audience) -> bool:
        if self is Confidentiality.OPEN:
            return True
        if self is Confidentiality.MEMBERS:
            return audience in (Audience.MEMBER, Audience.FACILITATOR)
        if self is Confidentiality.CONFIDENTIAL:
            return audience is Audience.FACILITATOR
        raise ValueError(f"unknown confidentiality {self!r}")


class Kind(enum.StrEnum):
    """What an item is."""

    POINT = "point"
    QUOTE = "quote"
    ACTION = "action"
    DECISION = "decision"
    QUESTION = "question"
    RESOURCE = "resource"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# Each level's place, weakest first (``Level.rank``).
_RANKS = {level: rank for rank, level in enumerate(Level)}
