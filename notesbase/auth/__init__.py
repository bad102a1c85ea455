"""Accounts: login, logout, invitations, passwords."""

from notesbase.auth.views import bp

__all__ = ["bp"]
