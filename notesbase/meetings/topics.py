"""Topics are shared by name across series; find them or make them."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from notesbase.db import db
from notesbase.models import Topic
from notesbase.text import clean_line, slugify


def clean_topic_names(names: Iterable[str]) -> list[str]:
    """Trimmed, whitespace-folded, de-duplicated (case-insensitively), in order."""
    seen: set[str] = set()
    result: list[str] = []
    for raw in names:
        name = clean_line(str(raw))
        if name and slugify(name) and slugify(name) not in seen:
            seen.add(slugify(name))
            result.append(name)
    return result


def get_or_create_topics(names: Iterable[str]) -> list[Topic]:
    """The topics named, creating the missing ones (flushed, not committed).
    Names match by slug, so 'Public sector' and 'public  sector' are one topic."""
    wanted = clean_topic_names(names)
    slugs = [slugify(n) for n in wanted]
    existing = {
        t.slug: t for t in db.session.scalars(sa.select(Topic).where(Topic.slug.in_(slugs)))
    }
    topics = []
    for name, slug in zip(wanted, slugs, strict=True):
        topic = existing.get(slug)
        if topic is None:
            topic = Topic(slug=slug, name=name)
            db.session.add(topic)
            existing[slug] = topic
        topics.append(topic)
    db.session.flush()
    return topics
