"""Logging: what the app writes to its logs, and what it never writes
(note text, passwords, tokens), with user-supplied text escaped."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Configure the app's logging."""
