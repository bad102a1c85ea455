"""The disclosure rule as one pure package: no Flask, no database.

Every channel that shows notes (pages, API, search, exports, emails) builds
:class:`Notes` from what is stored and shows only what ``disclose`` returns."""

from notesbase.disclosure.consent import PARTICIPANT, attribution, effective_level
from notesbase.disclosure.disclose import disclose, withheld_terms
from notesbase.disclosure.facts import (
    DisclosedItem,
    Grant,
    ItemFacts,
    Notes,
    NotesView,
    PersonFacts,
    Section,
)
from notesbase.disclosure.vocabulary import Audience, Confidentiality, ConsentAudience, Kind, Level

__all__ = [
    "PARTICIPANT",
    "Audience",
    "Confidentiality",
    "ConsentAudience",
    "DisclosedItem",
    "Grant",
    "ItemFacts",
    "Kind",
    "Level",
    "Notes",
    "NotesView",
    "PersonFacts",
    "Section",
    "attribution",
    "disclose",
    "effective_level",
    "withheld_terms",
]
